"""Attack f15f, the fifteenth round's filter findings: bash's long options with one dash, words
known only at run time before an interpreter's program, psql's and dc's option orders, `-V` as
"verbose", POSIXLY_CORRECT, iptables' rule numbers as strtoul reads them, systemd's manager
defaults and cgset, zsh's negated option names. The shipped policy; attack halves held or
refused, honest halves allowed."""

from __future__ import annotations

from bastion.command_control.policy import reads_script_from_stdin
from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
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
    ("lli $(true) prog.bc", "interpreter"),  # the word may be `-`: stdin is the program (h17f)
    ("mytool $(true)", "program"),
    # F3: psql's -version is `-v ersion`; psql and dc run their command options in order
    ("psql -version", "interpreter"),
    ("psql -c 'select 1' -f -", "interpreter"),
    ("psql -f x.sql -f -", "interpreter"),
    ("psql -f x.sql --file=-", "interpreter"),
    ("dc -f x.dc -", "interpreter"),
    # F4: -V is verbose to vim and its kin, and to octave
    ("vim -V", "interpreter"),
    ("ex -V", "interpreter"),
    ("nvim -V", "interpreter"),
    ("TERM=xterm vim -V", "interpreter"),
    ("octave -V", "interpreter"),
    ("ghci -v", "interpreter"),  # verbosity: ghci's prompt reads stdin
    ("erl -version", "interpreter"),  # prints its version, then starts the shell
    # F5: POSIXLY_CORRECT ends options at the first operand
    ("POSIXLY_CORRECT=1 gdb -q /bin/true --version", "interpreter"),
    ("export POSIXLY_CORRECT=1; gdb -q /bin/true --version", "interpreter"),
    ("export POSIXLY\\_CORRECT=1; gdb -q /bin/true --version", "interpreter"),
    ("env POSIXLY_CORRECT=1 psql db1 --help", "interpreter"),
    # suspicions: julia's --lisp prompt, R's --file with a space, clojure -M alone, gosh -e
    ("julia --lisp x.jl", "interpreter"),
    ("R --file x.R", "interpreter"),
    ("clojure -M", "interpreter"),
    ("clj -M", "interpreter"),
    ("clojure -M:dev", "interpreter"),
    ("gosh -e '(display 1)'", "interpreter"),
    # honest halves: a script or code given, help asked for
    ("julia x.jl", None),
    ("R --file=x.R", None),
    ("clojure -M -m myapp", None),
    ("clojure -M x.clj", None),
    ("psql -h db -c 'select 1'", None),
    ("psql -c 'select 1' -c 'select 2'", None),
    ("psql -f x.sql", None),
    ("psql -V", None),
    ("psql --version", None),
    ("dc -f x.dc", None),
    ("vim --version", None),
    ("vim -h", None),
    ("octave -v", None),
    ("octave --version", None),
    ("ghci --version", None),
    ("swipl -v", None),
    ("gosh -V", None),
    ("sqlite3 -version", None),
    ("ed -V", None),
    ("gdb -q /bin/true --version", None),
    ("psql -h db1 --help", None),
    ("POSIXLY_CORRECT=1 psql --help", None),
    ("lli -O 3 prog.bc", None),
    ("lli prog.bc $(true)", None),
    ("bash -norc script.sh", None),
    ("bash --norc -c 'ls'", None),
    ("bash -norc -c 'ls'", None),
    ("bash -login -c 'ls'", None),
])
def test_attack_f15f_reads_stdin(line, expected):
    assert reads_script_from_stdin(line) == expected


@each(("line", "expected"), [
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
    ("echo '\\! rm -rf /' | psql -version", "confirm"),
    ("echo '\\! rm -rf /' | psql -c 'select 1' -f -", "confirm"),
    ("echo '\\! rm -rf /' | psql -f x.sql -f -", "confirm"),
    ("echo '!rm -rf /' | dc -f x.dc -", "confirm"),
    ("echo ':!rm -rf /' | vim -V", "confirm"),
    ("printf ':!rm -rf /\\n' | TERM=xterm vim -V", "confirm"),
    ("printf ':!rm -rf /\\n' | ex -V", "confirm"),
    ("printf ':!rm -rf /\\n' | nvim -V", "confirm"),
    ("echo 'system(\"rm -rf /\")' | octave -V", "confirm"),
    ("echo ':! rm -rf /' | ghci -v", "deny"),
    ("echo 'shell rm -rf /' | POSIXLY_CORRECT=1 gdb -q /bin/true --version", "confirm"),
    ("export POSIXLY_CORRECT=1; echo 'shell rm -rf /' | gdb -q /bin/true --version", "confirm"),
    ("psql -h db -c 'select 1'", "allow"),
    ("vim -V1 file", "allow"),  # an editor on a terminal, as `vim file`
    ("bash -norc", "alert"),  # a nested interactive shell, in either spelling
    ("bash --norc", "alert"),
    ("sh -noprofile -login", "alert"),
    ("bash -norc script.sh", "allow"),
    ("bash --norc -c 'ls'", "allow"),
    ("bash -norc -c 'ls'", "allow"),
])
def test_attack_f15f_actions(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # F6: the rule number as strtoul (base 0) reads it
    ("iptables -I INPUT +1 -j ACCEPT", "confirm"),
    ("iptables -I INPUT 0x1 -j ACCEPT", "confirm"),
    ("iptables -R INPUT 0x1 -j ACCEPT", "confirm"),
    ("iptables -I INPUT 01 -j ACCEPT", "confirm"),
    ("iptables -I FORWARD 0X2 -j ACCEPT", "confirm"),
    ("iptables -I INPUT 1 -j ACCEPT", "confirm"),
    # honest halves: a narrow rule at a position
    ("iptables -I INPUT 1 -p tcp --dport 22 -j ACCEPT", "allow"),
    ("iptables -I INPUT 0x1 -p tcp --dport 22 -j ACCEPT", "allow"),
    ("iptables -R INPUT 2 -s 10.0.0.0/8 -j ACCEPT", "allow"),
])
def test_attack_f15f_iptables_rule_numbers(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # F7: the service manager's defaults, in every folder and spelling of a write
    ("printf '[Manager]\\nDefaultTasksMax=1\\n' > /etc/systemd/system.conf.d/x.conf", "confirm"),
    ("printf '[Manager]\\nDefaultTasksMax=1\\n' > /run/systemd/system.conf.d/x.conf", "confirm"),
    ("printf '[Manager]\\nDefaultTasksMax=1\\n' > /etc/systemd/system.conf", "confirm"),
    ("echo x > /usr/lib/systemd/user.conf.d/x.conf", "confirm"),
    ("echo x > /usr/local/lib/systemd/system.conf.d/x.conf", "confirm"),
    ("echo x > /etc/systemd/user.conf", "confirm"),
    ("cp x.conf /etc/systemd/system.conf.d/", "confirm"),
    ("sed -i s/a/b/ /etc/systemd/system.conf", "confirm"),
    ("echo x | tee /etc/systemd/system.conf.d/x.conf", "confirm"),
    # cgset and cgclassify write cgroup files; every cgroup file write is confirmed, the audit
    # and logging daemons' freeze and kill refused
    ("cgset -r memory.max=1 system.slice", "confirm"),
    ("cgset -r cgroup.freeze=1 system.slice/auditd.service", "deny"),
    ("cgset -rcgroup.freeze=1 /system.slice/auditd.service", "deny"),
    ("cgset --rule=cgroup.kill=1 system.slice/systemd-journald.service", "deny"),
    ("cgset --copy-from frozen system.slice/auditd.service", "confirm"),
    ("cgset -R -r memory.max=1 system.slice", "confirm"),
    ("cgset -r cpu.weight=100 myapp.slice", "confirm"),
    ("cgclassify -g freezer:frozen 123", "confirm"),
    ("cgclassify 123", "confirm"),
    ("echo 1 > /sys/fs/cgroup/system.slice/auditd.service/cgroup.freeze", "deny"),
    ("echo 1 > /sys/fs/cgroup/system.slice/rsyslog.service/cgroup.kill", "deny"),
    ("echo 1 > /sys/fs/cgroup/system.slice/memory.oom.group", "confirm"),
    ("echo 1 > /sys/fs/cgroup/cgroup.max.descendants", "confirm"),
    ("systemctl freeze auditd", "deny"),
    # honest halves: reading them, reloading the manager
    ("cat /etc/systemd/system.conf", "allow"),
    ("systemctl daemon-reload", "allow"),
    ("cat /sys/fs/cgroup/system.slice/memory.max", "allow"),
    ("cgget -r memory.max system.slice", "allow"),
    ("cgset -h", "allow"),
])
def test_attack_f15f_manager_defaults_and_cgroups(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # F8: zsh's `no` spellings turned off are the option turned on; an attached options array
    ("set +o noautocd", "confirm"),
    ("set +o nocdablevars", "confirm"),
    ("set +o NO_AUTO_CD", "confirm"),
    ("set +o nocorrect", "confirm"),
    ("zsh +o noautocd", "confirm"),
    ("print -voptions[autocd] on", "confirm"),
    ("print -nvoptions[autocd] on", "confirm"),
    ("read -Aoptions", "confirm"),
    ("set -o autocd", "confirm"),
    ("unsetopt noautocd", "confirm"),
    # honest halves: the options turned off
    ("set -o noautocd", "allow"),
    ("set +o autocd", "allow"),
    ("setopt noautocd", "allow"),
    ("set +o notify", "allow"),
    ("print -v x hi", "allow"),
])
def test_attack_f15f_zsh_negated_options(default_policy, line, expected):
    assert action(default_policy, line) == expected
