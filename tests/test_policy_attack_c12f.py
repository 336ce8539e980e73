"""Attack c12f (the twelfth round on the command filter), findings 2 and 4 to 8: procps' skill
and snice, systemd dependencies on the power targets, other power programs, iptables spellings,
firewalld's protocol and source-port openings, zsh's one-letter options for cd guessing. The
shipped policy; attack halves refused or held, honest halves allowed."""

from __future__ import annotations

from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
    # 2: skill sends a signal, snice a new priority, to what its expression selects
    ("skill -KILL auditd", "deny"),
    ("skill -int auditd", "deny"),
    ("skill -c systemd-journald", "deny"),
    ("skill -u root", "deny"),
    ("skill root", "deny"),
    ("skill $X", "deny"),
    ("snice +20 -c auditd", "deny"),
    ("snice -n 5 auditd", "deny"),
    ("skill -RTMIN+5 -p 1", "confirm"),
    ("skill -9 -p 001", "confirm"),
    ("skill 1", "deny"),  # skill guesses: pid 1 (held) or uid 1, a daemon's user (a36f, 12)
    # honest halves
    ("skill -KILL -u bob", "allow"),
    ("skill -c myapp", "allow"),
    ("snice +5 -p 4242", "allow"),
    ("skill -l", "allow"),
    ("kill -0 1", "allow"),
])
def test_attack_c12f_2_skill_and_snice_are_kills(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 5: a dependency starts another unit; PIDFile= hands the unit another process
    ("systemd-run -p Wants=reboot.target true", "confirm"),
    ("systemd-run -p Requires=poweroff.target true", "confirm"),
    ("systemd-run -p BindsTo=rescue.target true", "confirm"),
    ("systemd-run -p Upholds=halt.target true", "confirm"),
    ("systemd-run -p Wants=nginx.service true", "confirm"),
    ("systemd-run -p Type=forking -p PIDFile=/run/auditd.pid true", "confirm"),
    ("systemctl start umount.target", "deny"),
    ("systemctl restart umount", "deny"),
    # honest halves
    ("systemd-run -p After=network.target true", "allow"),
    ("systemd-run -p PartOf=nginx.service sleep 10", "allow"),
    ("systemd-run --unit=job -p MemoryMax=1G ./job", "allow"),
    ("systemctl start nginx", "allow"),
])
def test_attack_c12f_5_unit_dependencies_and_stop_all_targets(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 4: other programs that power off, reboot or suspend the host
    ("loginctl suspend", "confirm"),
    ("loginctl hibernate", "confirm"),
    ("loginctl hybrid-sleep", "confirm"),
    ("loginctl suspend-then-hibernate", "confirm"),
    ("loginctl -H db1 poweroff", "confirm"),
    ("loginctl halt", "confirm"),
    ("sudo loginctl reboot", "confirm"),
    ("rtcwake -m off -s 60", "confirm"),
    ("rtcwake -s 60", "confirm"),  # the default mode, standby, suspends
    ("rtcwake -mmem -s 60", "confirm"),
    ("rtcwake --mode=disk -s 60", "confirm"),
    ("rtcwake --mo freeze", "confirm"),
    ("rtcwake -m no -s 60 -m standby", "confirm"),
    ("rtcwake -dm no", "confirm"),  # -d takes "m": no mode, standby
    ("pm-suspend", "confirm"),
    ("pm-hibernate", "confirm"),
    ("pm-suspend-hybrid", "confirm"),
    ("openrc-shutdown -r now", "confirm"),
    ("ipmitool chassis power off", "confirm"),
    ("ipmitool chassis power cycle", "confirm"),
    ("ipmitool power reset", "confirm"),
    ("ipmitool -I lanplus -H bmc chassis power soft", "confirm"),
    ("ipmitool raw 0x00 0x02 0x00", "confirm"),
    # honest halves
    ("loginctl list-sessions", "allow"),
    ("loginctl show-session 3", "allow"),
    ("rtcwake -m no -s 60", "allow"),
    ("rtcwake -m show", "allow"),
    ("ipmitool chassis power status", "allow"),
    ("ipmitool sensor list", "allow"),
])
def test_attack_c12f_4_other_power_programs_are_confirmed(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 7: firewalld opened to a whole protocol, or to any source port (which the sender picks)
    ("firewall-cmd --zone=public --add-protocol=tcp", "confirm"),
    ("firewall-cmd --add-pr udp", "confirm"),
    ("firewall-offline-cmd --add-protocol=icmp", "confirm"),
    ("firewall-cmd --zone=public --add-source-port=0-65535/tcp", "confirm"),
    ("firewall-cmd --add-source-p=53/udp", "confirm"),
    ("firewall-cmd --permanent --add-source-port 1024-65535/tcp", "confirm"),
    # honest halves
    ("firewall-cmd --add-port=443/tcp", "allow"),
    ("firewall-cmd --list-protocols", "allow"),
    ("firewall-cmd --remove-protocol=tcp", "allow"),
])
def test_attack_c12f_7_firewalld_protocol_and_source_port(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 8: zsh's one-letter spellings of auto_cd (-J), correct (-0) and correct_all (-O)
    ("set -J", "confirm"),
    ("set -0", "confirm"),
    ("set -O", "confirm"),
    ("setopt -J", "confirm"),
    ("unsetopt +J", "confirm"),
    ("setopt -m 'auto*'", "confirm"),
    ("zsh -J -c '/etc; rm -f sudoers'", "confirm"),
    ("zsh -O -c ls", "confirm"),
    ("zsh -0 -c ls", "confirm"),
    ("zsh -o autocd -c '/etc; rm -f sudoers'", "confirm"),
    ("zsh --auto-cd -c ls", "confirm"),
    ("zsh -o $X -c ls", "confirm"),
    ("emulate zsh -o autocd", "confirm"),
    ("emulate zsh -J", "confirm"),
    # honest halves
    ("set +J", "allow"),
    ("set -e", "allow"),
    ("setopt extendedglob", "allow"),
    ("zsh -o extendedglob -c ls", "allow"),
    ("zsh --login -c ls", "allow"),
    ("bash -O extglob -c ls", "allow"),
])
def test_attack_c12f_8_zsh_letters_for_cd_guessing(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 6: iptables' accept-all in getopt_long's prefixes, other spellings of protocol 0 and of a
    # zero mask, a trailing `--`, and a queue that lets packets through when nobody listens
    ("iptables --ap INPUT -j ACCEPT", "confirm"),
    ("iptables -A INPUT --ju=ACCEPT", "confirm"),
    ("iptables -A INPUT --proto all -j ACCEPT", "confirm"),
    ("iptables -A INPUT -p ALL -j ACCEPT", "confirm"),
    ("iptables -A INPUT -p 00 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -p 0x0 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -p ip -j ACCEPT", "confirm"),
    ("iptables -A INPUT -j ACCEPT --", "confirm"),
    ("iptables -A INPUT -j ACCEPT --verb", "confirm"),
    ("iptables -A INPUT -j ACCEPT --set-c 0 0", "confirm"),
    ("iptables -A INPUT -s 0/0x0 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -s 0/00 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -s 0.0.0.0/0x0.0.0.0 -j ACCEPT", "confirm"),
    ("iptables -I INPUT -j NFQUEUE --queue-bypass", "confirm"),
    ("iptables -I INPUT -j NFQUEUE --queue-num 3 --queue-by", "confirm"),
    ("nft add rule inet filter input queue flags bypass", "confirm"),
    ("nft add rule inet filter input queue num 1 bypass", "confirm"),
    ("nft 'add rule inet filter input queue flags bypass to 1-3'", "confirm"),
    # honest halves
    ("iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "allow"),
    # every TCP port (protocol 6) held since attack v31f, finding 22 (a transport protocol alone)
    ("iptables -A INPUT -p 6 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -p 1 -j ACCEPT", "allow"),
    ("iptables -A INPUT -s 10.0.0.0/0x8 -j ACCEPT", "allow"),
    ("iptables -I INPUT -j NFQUEUE --queue-num 3", "allow"),
    ("nft add rule inet filter input tcp dport 22 queue num 1", "allow"),
    ("iptables -L -n -v", "allow"),
])
def test_attack_c12f_6_iptables_accept_all_spellings(default_policy, line, expected):
    assert action(default_policy, line) == expected
