"""Attack e14f, the fourteenth round's filter findings: words read as the script file while the
program reads stdin (a shell's lone `+`, tclsh's options, option values of node, R, jshell and
others), informational words given as an option's value to a command language, iptables'
matches of every packet in other spellings, systemd drop-ins and aliases reaching the protected
daemons, zsh's option spellings. The shipped policy; attack halves held or refused, honest halves
allowed."""

from __future__ import annotations

from bastion.command_control.policy import reads_script_from_stdin
from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
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
    # F6: an informational word as an option's value; another option's value is no option
    ("ed -p --version f", "interpreter"),
    ("sqlite3 -cmd -version", "interpreter"),
    ("m4 -D --version", "interpreter"),
    ("psql -U --help -h db1", "interpreter"),
    ("mysql -u --version -h db1", "interpreter"),
    ("virsh -l --version", "interpreter"),
    ("redis-cli -a --version", "interpreter"),
    ("psql -h db1 -F -c postgres", "interpreter"),
    ("psql -U -f x -h db1", "interpreter"),
    ("mysql -h db1 --tee -e mydb", "interpreter"),
    ("psql --new-option -c db1", "interpreter"),
    ("ed -- --version", "interpreter"),
    # F11: virsh's clusters and long-option prefixes, redis-cli's value options
    ("virsh -qc qemu:///system", "interpreter"),
    ("virsh --conn qemu:///system", "interpreter"),
    ("virsh -cqemu:///system", "interpreter"),
    ("redis-cli --show-pushes no", "interpreter"),
    ("redis-cli -X tag", "interpreter"),
    # F7: options before the lone operand in any number; raku and ts-node read stdin
    ("lli -fake-argv0 x -O 3", "interpreter"),
    ("lli -fake-argv0 x -mcpu generic", "interpreter"),
    ("lli -O 3 -", "interpreter"),
    ("php-cgi -d a=1 -d b=2", "interpreter"),
    ("newlisp -m 10 -s 1000", "interpreter"),
    ("raku -I lib", "interpreter"),
    ("raku", "interpreter"),
    ("ts-node -P tsconfig.json", "interpreter"),
    ("newlisp -m 10 -n x", "program"),  # an option no table reads: the first data is held
    # honest halves: a script file after it, code on the line, help asked for, a command given
    ("lli -O 3 prog.bc", None),
    ("lli -fake-argv0 x -O 3 prog.bc", None),
    ("raku -I lib x.raku", None),
    ("raku -e 'say 1'", None),
    ("ts-node app.ts", None),
    ("psql -h db1 -c 'select 1'", None),
    ("psql -W -c 'select 1'", None),
    ("psql --no-psqlrc -Atc 'select 1'", None),
    ("psql -d db -f x.sql", None),
    ("mysql -B -e 'select 1'", None),
    ("mysql -p -e 'select 1'", None),
    ("mysql --batch -u root -e 'select 1' db", None),
    ("psql --version", None),
    ("psql -h db1 --help", None),
    ("mysql --help", None),
    ("ed --version", None),
    ("sqlite3 -version", None),
    ("virsh -c qemu:///system list", None),
    ("virsh -qcqemu:///system list", None),
    ("virsh --read list", None),
    ("virsh --version", None),
    ("redis-cli -h db1 ping", None),
    ("redis-cli --show-pushes no ping", None),
    ("m4 -D x=1 f.m4", None),
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


@each(("line", "expected"), [
    ("echo 'rm -rf /' | bash +", "deny"),
    ("echo 'rm -rf /' | sudo sh +", "deny"),
    ("echo 'touch /tmp/x' | sh + -", "deny"),
    ("echo 'exec rm -rf /' | tclsh -n x.tcl", "deny"),
    ("echo 'exec rm -rf /' | tclsh -- x.tcl", "deny"),
    ("echo 'require(\"child_process\").execSync(\"id\")' | node --inspect_port 9229 --title x",
     "deny"),
    ("echo 'Runtime.getRuntime().exec(\"id\")' | jshell PRINTING", "confirm"),
    ("echo 'system(\"id\")' | R --vanilla x.R", "deny"),
    ("printf '\\\\! rm -rf /\\n' | psql -h db1 -F -c postgres", "confirm"),
    ("printf 'system rm -rf /\\n' | mysql -h db1 --tee -e mydb", "confirm"),
    ("printf '!touch C\\nq\\n' | ed -p --version f", "confirm"),
    ("printf '.shell touch C\\n' | sqlite3 -cmd -version", "confirm"),
    ("printf 'destroy vm1\\n' | virsh -qc qemu:///system", "confirm"),
    ("echo x | lli -fake-argv0 x -O 3", "confirm"),
    ("echo 'shell \"id\"' | raku -I lib", "confirm"),
    ("bash script.sh", "allow"),
    ("tclsh script.tcl", "allow"),
    ("raku x.raku", "allow"),
    ("psql -h db1 -c 'select 1'", "allow"),
    ("R -f x.R", "allow"),
    ("node --inspect app.js", "allow"),
])
def test_attack_e14f_piped_into_a_shell(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # F9: drop-ins read for every unit of a type, prefix drop-ins, every folder units are read
    # from, the protected daemons' own unit files, their D-Bus aliases
    ("printf '[Service]\\nMemoryMax=1\\n' > /etc/systemd/system/service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /run/systemd/system/service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /usr/local/lib/systemd/system/service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /etc/systemd/system/systemd-.service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /usr/local/lib/systemd/system/system.slice.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /usr/local/lib/systemd/system/-.slice.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /run/systemd/system/ssh.service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /usr/local/lib/systemd/system/ssh.service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /lib/systemd/system/dbus.service.d/x.conf", "confirm"),
    ("echo MemoryMax=1 > /etc/systemd/system/scope.d/x.conf", "confirm"),
    ("echo x > /run/systemd/transient/service.d/x.conf", "confirm"),
    ("echo x > /etc/systemd/system/ssh.service", "confirm"),
    ("echo x > /usr/local/lib/systemd/system/systemd-journald.service.d/x.conf", "confirm"),
    ("echo x > /etc/systemd/system/dbus-org.freedesktop.login1.service.d/x.conf", "confirm"),
    ("mkdir -p /etc/systemd/system/service.d && cp x.conf /etc/systemd/system/service.d/", "confirm"),
    ("mv /tmp/d /etc/systemd/system/service.d", "confirm"),
    ("systemctl set-property dbus-org.freedesktop.login1.service MemoryMax=1", "confirm"),
    ("systemctl set-property dbus-org.freedesktop.network1 MemoryMax=1", "confirm"),
    ("systemctl edit dbus-org.freedesktop.resolve1.service", "confirm"),
    # honest halves: one ordinary service's limits and drop-ins, reading them
    ("systemctl set-property nginx.service MemoryMax=1G", "allow"),
    ("systemctl edit nginx", "allow"),
    # held since u30f 13: every file in a unit folder (confirm-unit-folder-writes)
    ("echo MemoryMax=1G > /etc/systemd/system/nginx.service.d/x.conf", "confirm"),
    ("cat /etc/systemd/system/service.d/x.conf", "allow"),
    ("systemctl status dbus-org.freedesktop.login1.service", "allow"),
])
def test_attack_e14f_unit_dropins(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # F8: clusters with `/` and `+` values, match options by any unambiguous start, strtod's
    # spellings of a probability of 1, a length range covering every packet
    ("iptables -A INPUT -vs0/0 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -vd0/0 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -vi+ -j ACCEPT", "confirm"),
    ("iptables -A INPUT -vo+ -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m state --st NEW,ESTABLISHED,RELATED,INVALID -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m statistic --mode random --prob 1 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m statistic --mode random --probability 1e0 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m statistic --mode random --probability 0x1 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m statistic --mode random --probability 0.9999999999 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m statistic --mode nth --ev 1 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m ttl --ttl-g 0 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m addrtype --src-t UNSPEC,UNICAST,LOCAL,BROADCAST,ANYCAST,MULTICAST,"
     "BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m comment --comm x -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m length --length 20:65535 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m length --length 0:0xffff -j ACCEPT", "confirm"),
    ("iptables -A INPUT -m length --length 0: -j ACCEPT", "confirm"),
    # honest halves
    ("iptables -A INPUT -s 10.0.0.0/8 -j ACCEPT", "allow"),
    ("iptables -A INPUT -vs10.0.0.0/8 -j ACCEPT", "allow"),
    ("iptables -A INPUT -vi eth0 -j ACCEPT", "allow"),
    ("iptables -A INPUT -m state --st ESTABLISHED,RELATED -j ACCEPT", "allow"),
    ("iptables -A INPUT -m statistic --mode random --probability 0.5 -j ACCEPT", "allow"),
    ("iptables -A INPUT -m statistic --mode random --probability 0.9999999 -j ACCEPT", "allow"),
    ("iptables -A INPUT -m length --length 100:65535 -j ACCEPT", "allow"),
    ("iptables -A INPUT -m comment --comm x -p tcp --dp 22 -j ACCEPT", "allow"),
    # ambiguous (--ctstate, --ctstatus): iptables refuses the line
    ("iptables -A INPUT -m conntrack --ctst NEW,ESTABLISHED,RELATED,INVALID -j ACCEPT", "allow"),
])
def test_attack_e14f_iptables_accept_all(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # F10: zsh's set -T (cdable_vars), and its builtins that assign the options array
    ("set -T", "confirm"),
    ("print -v 'options[autocd]' on", "confirm"),
    ("print -nv 'options[autocd]' on", "confirm"),
    ("zstyle -s x y 'options[autocd]'", "confirm"),
    ("read -A options <<< 'autocd on'", "confirm"),
    ("strftime -s options 1", "confirm"),
    ("sysread options", "confirm"),
    ("zparseopts -A options a", "confirm"),
    ("printf -v 'options[autocd]' on", "confirm"),
    # honest halves
    ("set -e", "allow"),
    ("print options", "allow"),
    ("print -v x hi", "allow"),
    ("read -A arr <<< 'a b'", "allow"),
    ("zstyle ':completion:*' menu select", "allow"),
])
def test_attack_e14f_zsh_options(default_policy, line, expected):
    assert action(default_policy, line) == expected
