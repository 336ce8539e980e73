"""Attack d13f, the findings left open after its round: an interpreter's short option that takes
the next word (the program then read from stdin, not from a file), the clients that read their
commands from stdin given none, iptables' option clusters and matches of every packet, systemd
resource limits on the units a protected daemon runs in, zsh's autocd set through `options`.
The shipped policy; attack halves held or refused, honest halves allowed."""

from __future__ import annotations

import pytest

from bastion.command_control.policy import reads_script_from_stdin


@pytest.mark.parametrize(("line", "expected"), [
    # 1: the option's value was taken for the script file, and the program on stdin ran unheld
    ("julia -O 3", "interpreter"),
    ("racket -I racket/base", "interpreter"),
    ("scala -cp /tmp", "interpreter"),
    ("groovy -classpath /tmp", "interpreter"),
    ("jshell --class-path /tmp", "interpreter"),
    ("python3 -Z x", "interpreter"),  # a letter no table knows may take the word
    ("ruby -Z x", "interpreter"),
    ("octave -p /tmp", "interpreter"),
    ("lli -O 3", "interpreter"),
    ("php-cgi -d display_errors=1", "interpreter"),
    ("php-cgi -c /etc/php.ini", "interpreter"),
    ("newlisp -m 10", "interpreter"),
    ("pike -M /tmp", "interpreter"),
    ("newlisp -n x", "program"),  # an option no table reads: the first data is held
    # clients that read their commands from stdin when given none
    ("redis-cli -h db1", "interpreter"),
    ("redis-cli --pipe", "interpreter"),
    ("virsh -c qemu:///system", "interpreter"),
    ("ipmitool shell", "interpreter"),
    ("ipmitool -I lanplus -H bmc -U admin shell", "interpreter"),
    ("ipmitool exec /dev/stdin", "interpreter"),
    ("mysql -h db1", "interpreter"),  # -h is the host, not help
    ("psql -h db1 -U app", "interpreter"),
    # honest halves: a script file, code on the line, a command given
    ("julia script.jl -O 3", None),
    ("julia -O3 script.jl", None),
    ("python3 -c 'print(1)'", None),
    ("python3 -u script.py", None),
    ("python3 -W ignore script.py", None),
    ("perl -w script.pl", None),
    ("ruby -W2 script.rb", None),
    ("php -f script.php", None),
    ("scala -cp /tmp x.scala", None),
    ("scala -J-Xmx1g x.scala", None),
    ("octave -p /tmp script.m", None),
    ("lli prog.bc", None),
    ("lli -O 3 prog.bc", None),
    ("redis-cli -h db1 ping", None),
    ("redis-cli -h db1 -p 6380 info", None),
    ("virsh -c qemu:///system list", None),
    ("ipmitool -I lanplus -H bmc chassis status", None),
    ("mysql -h db1 -e 'select 1'", None),
    ("mysql --help", None),
])
def test_attack_d13f_program_read_from_stdin(line, expected):
    assert reads_script_from_stdin(line) == expected
