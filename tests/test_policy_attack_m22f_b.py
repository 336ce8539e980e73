"""Attack m22f (the twenty-second round on the command filter), findings 6 to 9: wrappers that
run their command in `/` unasked (start-stop-daemon -S, nsenter into a mount namespace,
capsh --chroot=, daemonize), `sudo -i`/`-s` whose words sudo escapes one by one before the
shell's -c, the programs and options make's built-in rules hand to /bin/sh (CC, CFLAGS... on
make's line or in its environment), and vim's start-up commands from the environment (VIMINIT,
EXINIT). The tester's lines and their siblings, held or refused typed and as an exec command;
the honest lines beside them that still run."""

from __future__ import annotations

from bastion.command_control.policy import KnownValues, evaluate
from bastion.command_control.policy.words import _Word
from bastion.command_control.policy.wrappers import sudo_escaped
from tests.policy_rows import assert_held_or_runs
from tests.rows import each

HELD = ("deny", "confirm")

ROWS = [
    # 6: wrappers that run their command in / unasked: relative paths reach the root
    "start-stop-daemon -S -x /bin/rm -- -rf etc",
    "start-stop-daemon --start --exec /bin/rm -- -rf bin",
    "start-stop-daemon -S -x /bin/sh -- -c 'echo \"ALL ALL=(ALL) NOPASSWD: ALL\" >> etc/sudoers'",
    "start-stop-daemon -S -x /bin/chmod -- 777 etc/shadow",
    "start-stop-daemon -S -x /usr/bin/truncate -- -s0 var/log/audit/audit.log",
    "busybox start-stop-daemon -S -x /bin/rm -- -rf etc",
    "nsenter -t 1 -m rm -rf etc", "nsenter --mount=/proc/self/ns/mnt rm -rf etc",
    "nsenter -t 1 --mount rm -rf bin", "nsenter -t 1 -a sh -c 'echo x >> etc/sudoers'",
    "nsenter --all -t 1 rm -rf etc", "nsenter -t1 -m chmod 777 etc/shadow",
    "capsh --chroot=/ -- -c 'rm -rf etc'", "capsh --chroot=/ == -- -c 'rm -rf etc'",
    "daemonize /bin/rm -rf etc", "daemonize /bin/sh -c 'echo x >> etc/sudoers'",
    # 7: sudo -i/-s: each word stays one word of the shell's -c code
    "sudo -i sh -c 'rm -rf /'", "sudo -s sh -c 'rm -rf /'", "sudo --login bash -c 'rm -rf /'",
    "sudo --shell sh -c 'rm -rf /'", "sudo -iu root bash -c 'rm -rf /'",
    "sudo -i bash -c 'systemctl stop auditd'", "sudo -i sh -c 'tee -a /etc/sudoers'",
    "sudo -i sh -c 'auditctl -D'", "sudo -i bash -lc 'rm -rf /'", "sudo -i sh -ec 'rm -rf /'",
    "sudo -i env sh -c 'rm -rf /'", "sudo -i su -c 'rm -rf /'", "sudo -i nice sh -c 'rm -rf /'",
    # 8: make's built-in rules run CC, CFLAGS... through /bin/sh
    "make CC='rm -rf /etc;' foo", "make 'CC=rm -rf /etc;' foo", "CC='rm -rf /etc;' make foo",
    "touch foo.c && CC='rm -rf /etc;' make foo", "CC='systemctl stop auditd;' make foo",
    "CC='sh -c \"echo x >> /etc/sudoers\";' make foo", "CXX='rm -rf /etc;' make foo",
    "AS='rm -rf /etc;' make foo.o", "CFLAGS='; rm -rf /etc' make foo",
    "make LDFLAGS='; rm -rf /etc' foo", "LDFLAGS='$(shell rm -rf /etc)' make foo",
    "CC='$(shell rm -rf /etc)' make foo", "export CC='rm -rf /etc;'; make foo",
    "CC='rm -rf /etc;' make -f /dev/null foo", "MAKEFILES=/tmp/x make foo",
    "env CC='rm -rf /etc;' make foo", "make LINK.c='rm -rf /etc;' foo",
    # 9: vim's start-up Ex commands from the environment, for any program starting the editor
    "VIMINIT=':!rm -rf /etc' vim", "VIMINIT='!rm -rf /etc' vim x",
    "VIMINIT='call system(\"rm -rf /etc\")' vim", "VIMINIT=':!systemctl stop auditd' vi /tmp/x",
    "EXINIT=':!rm -rf /etc' vi x", "EXINIT='!rm -rf /etc' ex x",
    "export VIMINIT=':!rm -rf /etc'; vim x", "env VIMINIT=':!rm -rf /etc' view x",
    "VIMINIT=':!rm -rf /etc' vimdiff a b", "VIMINIT=':!rm -rf /etc' git commit",
    "VIMINIT=':!rm -rf /etc' EDITOR=vim crontab -e", "VIMINIT=':!rm -rf /etc' sudoedit /tmp/x",
    "MYVIMRC=/tmp/x VIMINIT='source /tmp/x' vim", "GVIMINIT=':!rm -rf /etc' gvim",
    "VIMRUNTIME=/tmp/rt vim x", "NVIM_APPNAME=../../tmp/x nvim",
]


@each("line", ROWS)
def test_attack_m22f_b_lines_are_held_or_refused_typed_and_as_exec_commands(default_policy, line):
    assert_held_or_runs(default_policy, line, held=True)


HONEST = [
    "start-stop-daemon -S -x /usr/sbin/nginx -- -c /etc/nginx/nginx.conf",
    "start-stop-daemon -S -d /srv/app -x /usr/bin/python3 -- app.py", "nsenter -t 1 -n ip addr",
    "nsenter -t 1 -m ls", "nsenter -t 1 -m --wd=/srv/app rm -rf build", "capsh --chroot=/srv/jail -- -c ls",
    "daemonize /usr/bin/sleep 10", "daemonize -c /srv/app /srv/app/run",
    "sudo -i ls /root", "sudo -i systemctl status nginx", "sudo -s cat /var/log/syslog",
    "sudo -i bash -c 'ls -la /root'", "sudo -iu postgres psql -c 'select 1'",
    "CC=gcc make foo", "make CFLAGS=-O2", "CFLAGS='-O2 -g' ./configure", "make CC=clang foo",
    "make CFLAGS='-O2 -Wall' LDFLAGS=-static all", "make RM='rm -f' clean", "make -j4",
    "vim /tmp/x", "git commit -m x", "EDITOR=vim crontab -l",
]


@each("line", HONEST)
def test_attack_m22f_b_honest_lines_still_run(default_policy, line):
    typed = evaluate(default_policy, line, role="engineer", target="web01")
    executed = evaluate(default_policy, line, role="engineer", target="web01", known=KnownValues())
    assert typed.action == "allow", typed
    assert executed.action == "allow", executed


def test_sudo_escapes_each_word_as_sudo_does():
    words = [_Word(v, v) for v in ("sh", "-c", "rm -rf $HOME/x;y")]
    assert sudo_escaped(words) == "sh -c rm\\ -rf\\ $HOME\\/x\\;y"
    assert sudo_escaped([_Word(None, "$(x)")]) is None
