"""Attack x33f, findings 1, 2, 3 and 13: the command filter's readings of a verb spelled as a
pattern, a shell's option clusters before a script, a script operand spelled through /proc, and
the security daemons killed by name. Each line is judged typed at a terminal and as an exec
command: the attacker's lines and their siblings are held at the level of their plain spelling
(`deny` where `systemctl stop auditd`, `/etc/init.d/ufw stop` or `pkill auditd` is refused,
`confirm` where `systemctl start shellinabox` or `ufw delete 1` is held, or where only a pattern
stands where the verb does), and the honest lines beside them still run (`allow`: unit globs
with a reading verb, the shell's clusters before an everyday script, kills of other daemons)."""
import pytest

from bastion.command_control import policy
from bastion.command_control.policy.short_options import read_cluster
from tests.policy_rows import typed_and_exec
from tests.rows import each

W = "mkdir -p /tmp/w && cd /tmp/w && touch stop &&"

ROWS = [
    # 1: a pattern where the verb or the action stands, read as every verb it may become
    ("touch stop; systemctl sto[p] auditd", "deny"),
    ("cd /tmp && touch stop && systemctl st?p auditd", "deny"),
    (f"{W} sudo systemctl sto[p] auditd", "deny"),
    ("systemctl mas[k] --now auditd", "deny"), ("systemctl kil[l] auditd", "deny"),
    ("systemctl disabl[e] --now auditd", "deny"), ("systemctl -t service sto[p] auditd", "deny"),
    ("systemctl isolat[e] rescue.target", "deny"), ("systemctl s* auditd", "deny"),
    ("systemctl star[t] shellinabox", "confirm"),
    ("systemctl set-environmen[t] LD_PRELOAD=/tmp/x.so", "confirm"),
    ("systemctl fo[o] nginx", "confirm"),  # no verb it may match: unknown where the verb stands
    (f"{W} /etc/init.d/ufw sto[p]", "deny"), ("touch stop; /etc/init.d/ufw s*", "deny"),
    ("/etc/init.d/apparmor teardow[n]", "deny"), ("/lib/ufw/ufw-init flush-al[l]", "deny"),
    ("/etc/rc0.d/K01ufw sto?", "deny"), ("sh /etc/init.d/ufw sto[p]", "deny"),
    ("bash /etc//init.d/auditd s*", "deny"), (". /etc/init.d/ufw sto[p]", "deny"),
    (f"{W} service ufw sto[p]", "deny"), ("invoke-rc.d ufw sto[p]", "deny"),
    ("rc-service ufw sto[p]", "deny"), ("initctl sto[p] auditd", "deny"),
    ("supervisorctl sto[p] all", "confirm"), ("ufw disabl[e]", "deny"),
    ("ufw --force disabl[e]", "deny"), ("ufw delet[e] 1", "confirm"),
    ("ufw defaul[t] allow", "deny"), ("nft flus[h] ruleset", "deny"),
    ("update-rc.d auditd disabl[e]", "deny"), ("chkconfig auditd of[f]", "deny"),
    ("rc-update de[l] auditd default", "deny"), ("fail2ban-client sto[p]", "deny"),
    ("sv d[o]wn auditd", "deny"), ("setenforce [0]", "deny"), ("setenforce ?", "deny"),
    ("iptables -[F]", "deny"), ("firewall-cmd --pani[c]-on", "confirm"),
    ("s6-svc -[d] /run/service/auditd", "deny"), ("auditctl -[D]", "deny"),
    ("systemctl STO[P] auditd", "deny"), ("systemctl s[!x]op auditd", "deny"),
    ("systemctl s[[:alpha:]]op auditd", "deny"), ("systemctl --now sto[p] auditd", "deny"),
    ("watch systemctl sto[p] auditd", "deny"), ("sudo -u root systemctl st*p auditd", "deny"),
    # 2: a shell's option cluster whose o/O takes the next word
    ("bash -eo pipefail /etc/init.d/ufw stop", "deny"),
    ("bash -xo pipefail /etc/init.d/ufw stop", "deny"),
    ("sh -eo errexit /etc/init.d/auditd stop", "deny"),
    ("bash -eO extglob /etc/init.d/ufw stop", "deny"),
    ("bash -euxo pipefail /etc/init.d/ufw stop", "deny"),
    ("bash -oe pipefail /etc/init.d/ufw stop", "deny"),
    ("bash -oO pipefail extglob /etc/init.d/ufw stop", "deny"),
    ("bash +o posix /etc/init.d/ufw stop", "deny"),
    ("bash --rcfile /dev/null /etc/init.d/ufw stop", "deny"),
    ("bash -eo pipefail /etc/init.d/shellinabox start", "confirm"),
    ("bash -eo pipefail /etc/init.d/netfilter-persistent flush", "deny"),
    ("bash -eo pipefail /lib/ufw/ufw-init flush-all", "deny"),
    # 3: a script operand spelled through /proc
    ("sh /proc/self/root/etc/init.d/ufw stop", "deny"),
    ("bash /proc/self/root/etc/init.d/auditd stop", "deny"),
    (". /proc/self/root/etc/init.d/ufw stop", "deny"),
    ("source /proc/thread-self/root/etc/init.d/ufw stop", "deny"),
    ("sh /proc/1/root/etc/init.d/ufw stop", "deny"),
    ("sh /proc/self/task/7/root/etc/init.d/ufw stop", "deny"),
    ("sh /proc/1/cwd/../etc/init.d/ufw stop", "deny"), ("sh /proc/1/cwd/ufw stop", "deny"),
    ("sh /proc/self/cwd/../../../../etc/init.d/ufw stop", "deny"),
    ("sh /proc/self/root/etc/rc0.d/K01ufw stop", "deny"),
    ("sh /proc/self/root/lib/ufw/ufw-init flush-all", "deny"),
    ("sh ../../etc/init.d/ufw stop", "deny"),
    # 13: the security daemons killed by name, one list with the service rules
    ("pkill fail2ban-server", "deny"), ("pkill -f fail2ban", "deny"),
    ("killall -STOP fail2ban-server", "deny"), ("pkill firewalld", "deny"),
    ("pkill firewall", "deny"), ("killall firewalld", "deny"), ("pkill syslogd", "deny"),
    ("pkill -STOP audispd", "deny"),
    ("start-stop-daemon --stop --name fail2ban-server", "deny"),
    ("start-stop-daemon --stop --exec /usr/bin/fail2ban-server", "deny"),
    ("start-stop-daemon -K -p /run/fail2ban/fail2ban.pid", "deny"),
    ("start-stop-daemon -K -n firewalld", "deny"),
    ("lldb -n fail2ban-server", "deny"), ("lldb --attach-name firewalld", "deny"),
    ("pgrep fail2ban | xargs kill", "confirm"), ("gdb -p $(pidof firewalld)", "confirm"),
    # honest lines that still run
    ("systemctl status 'ssh*'", "allow"), ("systemctl status ssh*", "allow"),
    ("systemctl list-units 'ssh*'", "allow"), ("systemctl restart nginx", "allow"),
    ("service 'ssh*' status", "allow"), ("ls *.log", "allow"), ("ufw allow 22/tcp", "allow"),
    ("bash -eo pipefail ./deploy.sh", "allow"), ("bash -euxo pipefail /srv/app/run.sh stop", "allow"),
    ("bash -eo pipefail /etc/init.d/nginx status", "allow"),
    ("sh /proc/1/root/etc/init.d/nginx status", "allow"), ("sh /proc/self/cwd/deploy.sh", "allow"),
    ("bash -ec : /etc/init.d/ufw stop", "allow"),  # `:` runs, the script is only $0
    ("pkill nginx", "allow"), ("killall -HUP nginx", "allow"),
    ("start-stop-daemon --stop --name nginx", "allow"), ("pgrep fail2ban", "allow"),
    ("lldb -n myapp", "allow"), ("pkill -f fail2ban-client", "allow"),
]


@pytest.mark.parametrize(("line", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_attack_x33f_a_lines(default_policy, line: str, expected: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == expected, verdict


# 1 (the stdin consoles' reading keys on a verb too) and 2 (the one cluster reader)
@each(("line", "reads"), [
    ("python3 manage.py shel[l]", "interpreter"), ("flask she*", "interpreter"),
    ("rails c*", "interpreter"), ("mytool consol?", "program"),
    ("python3 manage.py migrate", None), ("ls *.py", None),
])
def test_attack_x33f_a_console_verb_patterns(line: str, reads: str | None) -> None:
    assert policy.reads_script_from_stdin(line) == reads


@each(("word", "valued", "getopt", "read"), [
    ("-eo", "oO", False, ("eo", "o", None, 1)), ("-oO", "oO", False, ("oO", "O", None, 2)),
    ("-ex", "oO", False, ("ex", "", None, 0)), ("-qudebug-shell", "u", True, ("qu", "u", "debug-shell", 0)),
    ("-qu", "u", True, ("qu", "u", None, 1)), ("-Di", "e", True, ("Di", "", None, 0)),
    ("-ie0", "e", True, ("ie", "e", "0", 0)),
])
def test_attack_x33f_a_one_cluster_reader(word: str, valued: str, getopt: bool, read: tuple) -> None:
    assert tuple(read_cluster(word, valued, getopt)) == read
