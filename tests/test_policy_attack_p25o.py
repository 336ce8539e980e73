"""Outside attack p25o, findings 3 and 5 (the command filter's side): wrappers whose own options
write a file (`fakeroot -s /etc/shadow true` truncated it) or change what their command does
(strace's `-e inject=openat:poke_enter=...` rewrote the path `tee` opened; `-E LD_PRELOAD=`,
`fakeroot -l LIB`). The shipped policy, each line judged typed and as an exec command: attack
lines refused (a write the policy denies) or held (`unknown`), honest lines allowed; a file a
wrapper reads (`fakeroot -i FILE`) is a `<` of it."""

from __future__ import annotations

from bastion.command_control.policy import Policy, parse_commands
from tests.policy_rows import typed_and_exec
from tests.rows import each

_DENIED = "deny"
_HELD = "confirm"
_POKE = "strace -f -qq -e trace=openat -e inject=openat:poke_enter=@arg2=2f6574632f7368616400:when=6"

_LINES = [
    # 5: fakeroot -s FILE rewrites FILE when the command ends
    ("fakeroot -s /etc/shadow true", _DENIED),
    ("fakeroot -s/etc/shadow true", _DENIED),
    ("fakeroot -s /etc/sudoers true", _DENIED),
    ("fakeroot -us /etc/sudoers true", _DENIED),
    ("fakeroot -u -i /tmp/state -s /etc/shadow dpkg-buildpackage", _DENIED),
    ("sudo fakeroot -s /etc/shadow true", _DENIED),
    ("fakeroot-sysv -s /etc/shadow true", _DENIED),
    ("echo x | xargs fakeroot -s /etc/shadow true", _DENIED),
    ("bash -c 'fakeroot -s /etc/shadow true'", _DENIED),
    ("strace -f fakeroot -s /etc/shadow true", _DENIED),
    ("fakeroot --save-file=/etc/shadow true", _HELD),
    ("fakeroot -s '/tmp/x;touch /etc/shadow' true", _HELD),  # fakeroot evals the name
    ("fakeroot -s '$HOME/x' true", _HELD),
    ("fakeroot -s \"$f\" true", _HELD),
    ("fakeroot -i /etc/shadow true", "read:/etc/shadow"),
    ("fakeroot -i/var/lib/state -s /tmp/state make", "read:/var/lib/state"),
    # the same class: other wrappers' options that name a file they write
    ("daemonize -o /etc/shadow /bin/ls", _DENIED),
    ("daemonize -p /etc/shadow /bin/ls", _DENIED),
    ("daemonize -e /etc/sudoers /bin/ls", _DENIED),
    ("daemonize -l /etc/shadow /bin/ls", _DENIED),
    ("rlwrap -l /etc/shadow cat", _DENIED),
    ("rlwrap --history-filename=/etc/sudoers cat", _DENIED),
    ("xvfb-run -e /etc/shadow ls", _DENIED),
    ("xvfb-run --auth-file=/etc/sudoers ls", _DENIED),
    ("lxc-attach -n c --logfile=/etc/shadow -- ls", _DENIED),
    ("lxc-attach -n c -L /etc/shadow -- ls", _DENIED),
    ("gpg-agent --log-file /etc/shadow --daemon ls", _DENIED),
    ("lckdo /etc/shadow ls", _DENIED),
    ("setlock /etc/shadow ls", _DENIED),
    ("with-lock-ex /etc/sudoers ls", _DENIED),
    ("cd /etc/sudoers.d; sudo nohup printf x", _DENIED),  # ./nohup.out, stdout a terminal
    ("cd /etc/logrotate.d && nohup ls", _HELD),
    ("cd /etc/sudoers.d; script -q -c ls", _DENIED),  # ./typescript, given no file
    ("time -o /etc/shadow ls", _DENIED),
    ("strace -o /etc/shadow ls", _DENIED),
    ("ltrace -o /etc/shadow ls", _DENIED),
    # 3: strace tampering with the system calls of what it runs, for any command
    (f"{_POKE} scp -t /tmp/d/", _HELD),
    (f"{_POKE} tee /tmp/{'o' * 60}", _HELD),
    ("strace -e inject=openat:poke_enter=@arg2=2f6574632f7368616400 tee /tmp/x", _HELD),
    ("strace -einject=openat:error=ENOENT ls", _HELD),
    ("strace -e inject=unlink:retval=0 rm -f /tmp/x", _HELD),
    ("strace -e 'inject=write:delay_enter=1s' ls", _HELD),
    ("strace -e inject=all:signal=KILL ls", _HELD),
    ("strace -e fault=openat ls", _HELD),
    ("strace --inject=openat:retval=0 ls", _HELD),
    ("strace --inj=openat:retval=0 ls", _HELD),
    ("strace --fault=openat:error=EPERM ls", _HELD),
    ("strace -e \"$e\" ls", _HELD),
    ("sudo strace -f -e inject=openat:poke_exit=@arg2=2f6574632f7368616400 tee /tmp/x", _HELD),
    ("strace -e inject=openat:error=ENOENT -p 1234", _HELD),
    ("timeout 5 strace -e fault=openat ls", _HELD),
    ("find /tmp -maxdepth 0 -exec strace -e inject=openat:error=ENOENT ls \\;", _HELD),
    ("fakeroot -- strace -e inject=openat:error=ENOENT ls", _HELD),
    # strace -E / --env: judged as `env VAR=VAL CMD` is
    ("strace -E HISTFILE=/etc/shadow bash -i", _DENIED),
    ("strace --env=GIT_SSH_COMMAND='touch /etc/shadow' git fetch", _DENIED),
    ("strace -E GIT_SSH_COMMAND=\"$c\" git fetch", _HELD),
    ("daemonize -E GIT_SSH_COMMAND='touch /etc/shadow' /usr/bin/git fetch", _DENIED),
    # a library or a program of the user's loaded into or run beside the command
    ("fakeroot -l /tmp/x.so scp -t /tmp/d/", _HELD),
    ("fakeroot -l /tmp/x.so ls", _HELD),
    ("fakeroot --lib /tmp/x.so ls", _HELD),
    ("fakeroot -f /tmp/faked ls", _HELD),
    ("fakeroot --faked=/tmp/faked ls", _HELD),
    ("fakechroot -l /tmp/x.so ls", _HELD),
    ("fakechroot -e /tmp/env ls", _HELD),
    # honest lines
    ("strace -f ls", "allow"),
    ("strace -o /tmp/t.txt ls", "allow"),
    ("strace -e trace=openat -f ls", "allow"),
    ("strace -E LANG=C ls", "allow"),
    ("strace -E LANG ls", "allow"),
    ("strace -p 1234 -e trace=write", "allow"),
    ("ltrace ls", "allow"),
    ("ltrace -o /tmp/l.txt -e malloc ls", "allow"),
    ("fakeroot dpkg-buildpackage", "allow"),
    ("fakeroot -u dpkg-buildpackage -b", "allow"),
    ("fakeroot -i /tmp/state -s /tmp/state make install", "allow"),
    ("fakeroot -s ./fakeroot.save dpkg-buildpackage", "allow"),
    ("daemonize -p /tmp/app.pid -o /tmp/app.log /usr/bin/app", "allow"),
    ("time -o /tmp/time.txt ls", "allow"),
    ("nohup ./job.sh > /tmp/job.log 2>&1 &", "allow"),
    ("script -q -c ls", "allow"),
    ("cd /etc/sudoers.d; script -q -c ls /tmp/x", "allow"),
    ("lckdo /tmp/app.lock ls", "allow"),
]


@each(("line", "expected"), _LINES)
def test_attack_p25o_lines(default_policy: Policy, line: str, expected: str) -> None:
    typed, run = (v.action for v in typed_and_exec(default_policy, line))
    if expected.startswith("read:"):  # a read of the file, for rules naming `<`
        assert ("<", expected[5:]) in [c.argv for c in parse_commands(line)]
        expected = "allow"  # the shipped policy refuses no read of these
    assert (typed, run) == (expected, expected)
