"""Attack e14f, the fourteenth round's filter findings: words read as the script file while the
program reads stdin (a shell's lone `+`, tclsh's options, option values of node, R, jshell and
others), informational words given as an option's value to a command language, iptables'
matches of every packet in other spellings, systemd drop-ins and aliases reaching the protected
daemons, zsh's option spellings. The shipped policy; attack halves held or refused, honest halves
allowed."""

from __future__ import annotations

import pytest

from bastion.command_control.policy import reads_script_from_stdin
from tests.test_policy import action


@pytest.mark.parametrize(("line", "expected"), [
    # F1: a lone `+` is an empty option word to bash and dash, which then read stdin
    ("bash +", "shell"),
    ("sh +", "shell"),
    ("dash +", "shell"),
    ("bash + -", "shell"),
    ("bash + --", "shell"),
    ("sudo sh +", "shell"),
    # F2: tclsh and wish take their first word as the script only when it is no option
    ("tclsh -n x.tcl", "interpreter"),
    ("tclsh -- x.tcl", "interpreter"),
    ("tclsh -x a b", "interpreter"),
    ("tclsh8.6 -n x.tcl", "interpreter"),
    ("tclsh -encoding utf-8", "interpreter"),
    ("tclsh -encoding utf-8 -x", "interpreter"),
    ("wish -- x.tcl", "interpreter"),
    ("wish -name x", "interpreter"),
    # F3: node's value options, its `_` spelling, an unknown option before `-`
    ("node --trace-event-categories v8", "interpreter"),
    ("node --inspect_port 9229 --title x", "interpreter"),
    ("node --dns-result-order ipv4first -", "interpreter"),
    ("node --experimental-policy p.json", "interpreter"),
    ("node --experimental_default_type module", "interpreter"),
    ("node --title_ x", "interpreter"),
    ("node --new-option x -", "interpreter"),
    ("node --new-option /dev/stdin app.js", "interpreter"),
    ("julia --compile yes --threads 4", "interpreter"),
    ("julia --new-option yes -O 3", "interpreter"),
    # F4: jshell runs its load files, then reads stdin (a prompt)
    ("jshell PRINTING", "interpreter"),
    ("jshell x.jsh", "interpreter"),
    ("jshell --startup DEFAULT x.jsh", "interpreter"),
    # F5: R takes its script only through -f/--file; an operand is ignored, stdin read
    ("R x.R", "interpreter"),
    ("R --vanilla x.R", "interpreter"),
    ("R -f -", "interpreter"),
    ("R -d gdb -f x.R", "interpreter"),
    ("R --args -f x.R", "interpreter"),
    # honest halves: a script file after it, code on the line
    ("jshell --version", None),
    ("R -f x.R", None),
    ("R --vanilla --file=x.R", None),
    ("R -e 'print(1)'", None),
    ("R CMD build pkg", None),
    ("R --vanilla < x.R", None),
    ("Rscript x.R", None),
    ("node --inspect app.js", None),
    ("node --inspect_brk app.js", None),
    ("node --trace-warnings app.js", None),
    ("node --title x app.js", None),
    ("node --trace-event-categories v8 app.js", None),
    ("node --new-option x app.js", None),
    ("julia --threads 4 x.jl", None),
    ("tclsh script.tcl", None),
    ("tclsh x.tcl -n", None),
    ("tclsh -encoding utf-8 x.tcl", None),
    ("wish x.tcl", None),
    ("wish -f x.tcl", None),
    ("expect -f x.exp", None),
    ("bash + x.sh", None),
    ("bash script.sh", None),
    ("bash -c 'ls'", None),
])
def test_attack_e14f_shell_reads_stdin(line, expected):
    assert reads_script_from_stdin(line) == expected


@pytest.mark.parametrize(("line", "expected"), [
    ("echo 'rm -rf /' | bash +", "deny"),
    ("echo 'rm -rf /' | sudo sh +", "deny"),
    ("echo 'touch /tmp/x' | sh + -", "deny"),
    ("echo 'exec rm -rf /' | tclsh -n x.tcl", "deny"),
    ("echo 'exec rm -rf /' | tclsh -- x.tcl", "deny"),
    ("echo 'require(\"child_process\").execSync(\"id\")' | node --inspect_port 9229 --title x",
     "deny"),
    ("echo 'Runtime.getRuntime().exec(\"id\")' | jshell PRINTING", "confirm"),
    ("echo 'system(\"id\")' | R --vanilla x.R", "deny"),
    ("bash script.sh", "allow"),
    ("tclsh script.tcl", "allow"),
    ("R -f x.R", "allow"),
    ("node --inspect app.js", "allow"),
])
def test_attack_e14f_piped_into_a_shell(default_policy, line, expected):
    assert action(default_policy, line) == expected
