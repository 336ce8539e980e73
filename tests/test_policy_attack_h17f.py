"""Attack h17f (the seventeenth round on the command filter, offline): su/runuser options read past
`--` and into the inner command, glob words in option position, a run-time `-` operand, cgroup
writers, zsh's setopt sense. The shipped policy: attack rows held, honest counterparts allowed."""

from tests.rows import each
from tests.test_policy import action

HELD = ("deny", "confirm")

@each("line", [
    # F1 runuser -u / su: _code_option takes a `c` in any later word for `-c`
    "runuser -u root -- rm -rf --no-preserve-root / -- -c",
    "runuser -u root -- systemctl stop auditd -- -c",
    "sudo runuser -u root -- dd if=/dev/zero of=/dev/sda -- -c",
    "runuser -u root -- chmod -c 777 /etc/shadow",
    "runuser -u root -- truncate -c -s 0 /var/log/audit/audit.log",
    "runuser -u root -- tar -cf /dev/sda /etc",
    "runuser -u root -- bash -norc -c 'rm -rf /'",
    "su -s /bin/bash root -- -norc -c 'rm -rf /'",
    "su root -- -norc -c 'rm -rf /'",
    "su -s /bin/bash root -- -rcfile /dev/null -c 'rm -rf /'",
    "su root -- --rcfile -c -c 'rm -rf /'",
    "su root -- -init-file -c -c 'rm -rf /'",
    "echo 'rm -rf /' | su root -- -norc",
    # F1's class: an option's value `--` ends no options (script's and su's long options too)
    "script --log-out -- -c 'rm -rf /'",
    "su --group -- root -c 'rm -rf /'",
    "su -s -- root -c 'rm -rf /'",
    "su - root -- -norc -c 'rm -rf /'",
    # F2 glob words that pathname expansion turns into options
    "touch ./-c; bash -? 'rm -rf /'",
    "touch ./-s; echo 'rm -rf /' | bash -? x",
    "touch ./-c; sudo bash -* 'rm -rf /'",
    "touch ./-q; echo '\\! rm -rf /' | psql -?",
    "touch ./-f; echo '\\! rm -rf /' | psql -[f] -",
    # F3 a run-time word that is `-` before a known operand; lli's value options not listed
    "cat /tmp/evil.ll | lli $(echo -) x",
    "cat /tmp/evil.ll | lli -O 3 $(echo -) x",
    "cat /tmp/evil.ll | lli -mattr avx",
    "cat /tmp/evil.ll | lli-14 -mattr avx",
    "echo x | php-cgi $(echo -) x",
    "echo x | raku $(echo -) x",
    "echo x | ts-node $(echo -) x",
    "touch ./-; cat /tmp/evil.ll | lli -* x",  # F2's class in F3's reading
    # F4 cgroup writers left out
    "cgxset -r cgroup.freeze=1 system.slice/auditd.service",
    "cgxset -2 -r cgroup.kill=1 system.slice/systemd-journald.service",
    "cgxset -r memory.max=1 system.slice",
    "cgdelete -g cpu,memory:system.slice/auditd.service",
    "cgcreate -g memory:system.slice/x",
    "cgexec -g '*:system.slice/auditd.service' true",
    "cgconfigparser -l /tmp/f.conf",
    # F5 zsh: +o/-o sense and attached option names
    "setopt +o noautocd",
    "unsetopt +o autocd",
    "setopt -oautocd",
    "set -oautocd",
    "setopt +onoautocd",
    "unsetopt -onoautocd",
])
def test_h17f_held(default_policy, line):
    assert action(default_policy, line) in HELD


def test_h17f_wrapped_as_unwrapped(default_policy):
    """`runuser -u root -- CMD -- -c` is CMD (alerted as a setuid chmod is), not `-c` code."""
    assert action(default_policy, "runuser -u root -- chmod 4755 /bin/bash -- -c") == action(
        default_policy, "chmod 4755 /bin/bash") == "alert"


@each("line", [
    "runuser -u postgres -- psql -c 'select 1'",
    "su - bob -c 'ls'",
    "su root -- -c 'ls'",
    "runuser -u root -- ls -c",
    "bash -c 'ls'",
    "psql -h db -c 'select 1'",
    "bash script.sh *.log",  # a pattern after the script is the script's argument
    "python3 tool.py *.csv",
    "ls -?",  # ls reads no code: any option a file's name makes is only a listing's
    "cat data | lli prog.ll",  # piped data for a program file the line names
    "cat data | lli-14 -O 3 prog.ll",
    "cgget -r memory.max system.slice",  # cgroup readers
    "lscgroup",
    "setopt -o noautocd",  # zsh options turned the safe way, in each sense and spelling
    "unsetopt -o autocd",
    "setopt +o autocd",
    "setopt -oextendedglob",
])
def test_h17f_honest_allowed(default_policy, line):
    assert action(default_policy, line) == "allow"


@each("line", [
    "cgxset -r cgroup.freeze=1 system.slice/auditd.service",
    "cgxset -2 -r cgroup.kill=1 system.slice/systemd-journald.service",
])
def test_h17f_cgxset_freeze_refused_as_cgset(default_policy, line):
    assert action(default_policy, line) == action(default_policy, line.replace("cgxset -2", "cgset").replace(
        "cgxset", "cgset")) == "deny"
