"""Attack i18f (the eighteenth round on the command filter), findings 1 to 3: a repeated -c (the
last one counts), a shell's `+c` (bash and dash take c in either sign), an empty brace
alternative (bash drops the empty word). The tester's lines, each held or refused now; findings
4 and 5 (patterns in wrappers' options, lli's `-opt=value`) stay open (SECURITY.md)."""
import pytest

from tests.test_policy import action

HELD = ("deny", "confirm")

ROWS = [
    # F1 repeated -c/--command/--session-command: getopt's last wins, the filter reads the first
    "su root -c ls -c 'rm -rf /'",
    "su root -c 'ls' --session-command 'rm -rf /'",
    "su root --command=ls --command='rm -rf /'",
    "su -c ls root -c 'rm -rf /'",
    "sudo su -c ls -c 'rm -rf /'",
    "runuser root -c ls -c 'rm -rf /'",
    "su -s /bin/bash root -c ls -c 'rm -rf /'",
    "su - root -c ls -c 'rm -rf /'",
    "script -q -c ls -c 'rm -rf /' /dev/null",
    # F2 a shell's +c is -c (bash, dash: want_pending_command / minusc ignore the sign)
    "bash +c 'rm -rf /'",
    "sh +c 'rm -rf /'",
    "dash +c 'rm -rf /'",
    "bash +xc 'rm -rf /'",
    "sudo bash +c 'rm -rf /'",
    "runuser -u root -- bash +c 'rm -rf /'",
    "su root -- +c 'rm -rf /'",
    "capsh -- +c 'rm -rf /'",
    "find / -exec bash +c 'rm -rf /' \\;",
    # F3 an empty brace alternative is removed by bash, kept by the filter as an empty word
    "bash {-c,} 'rm -rf /'",
    "bash -c {,} 'rm -rf /'",
    "sudo bash {-c,} 'rm -rf /'",
    "su root {-c,} 'rm -rf /'",
    "su root -- {-c,} 'rm -rf /'",
    "script {-c,} 'rm -rf /'",
    "script -c {,} 'rm -rf /'",
    "flock /tmp/l -c {,} 'rm -rf /'",
    "env {-S,} 'rm -rf /'",
    "capsh -- {-c,} 'rm -rf /'",
    "cat /tmp/evil.ll | lli {,-}",
]


@pytest.mark.parametrize("line", ROWS)
def test_attack_i18f_lines_are_held_or_refused(default_policy, line):
    assert action(default_policy, line) in HELD


@pytest.mark.parametrize("line", ["su root -c ls", "su - bob -c 'ls' -l", "bash -c 'ls'",
                                  "bash +x script.sh", "echo {a,}b", "ls {-l,}"])
def test_attack_i18f_honest_lines_run(default_policy, line):
    assert action(default_policy, line) == "allow"
