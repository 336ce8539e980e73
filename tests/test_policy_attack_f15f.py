"""Attack f15f, the fifteenth round's filter findings: bash's long options with one dash, words
known only at run time before an interpreter's program, psql's and dc's option orders, `-V` as
"verbose", POSIXLY_CORRECT, iptables' rule numbers as strtoul reads them, systemd's manager
defaults and cgset, zsh's negated option names. The shipped policy; attack halves held or
refused, honest halves allowed."""

from __future__ import annotations

import pytest

from bastion.command_control.policy import reads_script_from_stdin
from tests.test_policy import action


@pytest.mark.parametrize(("line", "expected"), [
    # F1: bash's long_args with one dash, before the first short option; sh may be bash
    ("bash -norc", "shell"),
    ("sh -norc", "shell"),
    ("rbash -norc", "shell"),
    ("env bash -norc", "shell"),
    ("sudo -u root bash -noprofile", "shell"),
    ("bash -posix", "shell"),
    ("bash -verbose", "shell"),
    ("bash -noediting", "shell"),
    ("bash -restricted", "shell"),
    ("bash -debugger", "shell"),
    ("bash -init-file /tmp/x -i", "shell"),
    ("bash -rcfile /tmp/x -s", "shell"),
    ("bash --norc", "shell"),
    # F2: a word known only at run time may be an option, or vanish (`$(true)`)
    ("lli $(true)", "interpreter"),
    ("lli -O $(echo 3)", "interpreter"),
    ("N=3; lli -O $N", "interpreter"),
    ("php-cgi -d $(echo a=1)", "interpreter"),
    ("newlisp -m $(echo 10)", "interpreter"),
    ("raku -I $(pwd)", "interpreter"),
    ("jimsh $(true)", "interpreter"),
    ("lli $(true) prog.bc", "program"),
    ("mytool $(true)", "program"),
    # honest halves: a script or code given
    ("lli -O 3 prog.bc", None),
    ("lli prog.bc $(true)", None),
    ("bash -norc script.sh", None),
    ("bash --norc -c 'ls'", None),
    ("bash -norc -c 'ls'", None),
    ("bash -login -c 'ls'", None),
])
def test_attack_f15f_reads_stdin(line, expected):
    assert reads_script_from_stdin(line) == expected


@pytest.mark.parametrize(("line", "expected"), [
    ("echo 'rm -rf /' | bash -norc", "deny"),
    ("echo 'rm -rf /' | sudo -u root bash -norc", "deny"),
    ("echo 'rm -rf /' | sh -login", "deny"),
    ("bash -norc -c 'rm -rf /'", "deny"),
    ("bash -noediting -c 'rm -rf /'", "deny"),
    ("bash -login -c 'rm -rf /'", "deny"),
    ("bash -posix -c 'rm -rf /'", "deny"),
    ("bash -verbose -c 'rm -rf /'", "deny"),
    ("bash -noprofile -c 'rm -rf /'", "deny"),
    ("sh -norc -c 'rm -rf /'", "deny"),
    ("bash -wordexp '$(rm -rf /)'", "deny"),
    ("cat /tmp/sys.ll | lli $(true)", "confirm"),
    ("bash -norc script.sh", "allow"),
    ("bash --norc -c 'ls'", "allow"),
    ("bash -norc -c 'ls'", "allow"),
])
def test_attack_f15f_actions(default_policy, line, expected):
    assert action(default_policy, line) == expected
