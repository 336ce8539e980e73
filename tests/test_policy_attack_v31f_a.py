"""Attack v31f, findings 1, 10, 11, 12, 13, 14, 22 and 23: services, init scripts and firewall
front-ends under other spellings. Each line is judged typed and as an exec command: the
attacker's lines and their siblings are held at the level of their plain spelling (`deny`
where `systemctl start debug-shell` or `/etc/init.d/ufw stop` is denied, `confirm` where
`systemctl start shellinabox` is held), the honest lines beside them run (`allow`)."""
import pytest

from tests.policy_rows import typed_and_exec

ROWS = [
    # 1: systemd-run's trigger and --unit as getopt_long reads them (prefixes, clusters)
    ("systemd-run --on-act=1 --unit=debug-shell", "deny"),
    ("systemd-run --on-active=1 --un=debug-shell", "deny"),
    ("systemd-run --on-active=1 --uni debug-shell", "deny"),
    ("systemd-run --on-cal='*:*' --unit=debug-shell", "deny"),
    ("systemd-run --on-active=1 -qu debug-shell", "deny"),
    ("systemd-run --on-active=1 -qudebug-shell", "deny"),
    ("sudo systemd-run --on-active=1 -qu debug-shell", "deny"),
    ("systemd-run --on-unit-act=x --unit=debug-shell", "deny"),
    ("systemd-run --ti=OnActiveSec=1 --unit=debug-shell", "deny"),
    ("systemd-run --on-active=1 -u debug-shell.timer", "deny"),
    ("systemd-run --on-act=1 --unit=shellinabox", "confirm"),
    ("systemd-run --on-bo=1 -qu tinysshd.socket", "confirm"),
    ("systemd-run --on-active=30 --unit=mybackup /usr/bin/backup", "allow"),
    ("systemd-run -qu cleanup true", "allow"),
    ("systemd-run --on-calendar=daily -u cleanup find /tmp -mtime +7 -delete", "allow"),
    # 14: the trigger's unit judged as every check `systemctl start UNIT` gets
    ("systemd-run --on-active=1 --unit=emergency.service", "deny"),
    ("systemd-run --on-active=1 --unit=rescue.service", "deny"),
    ("systemd-run --on-active=1 --unit=rescue.target", "deny"),
    ("systemd-run --on-active=1 --unit=emergency", "deny"),
    ("systemd-run --on-active=1 --unit=shutdown.target", "deny"),
    ("systemd-run --on-boot=1 -u emergency.service", "deny"),
    ("systemd-run --on-active=1 --unit=systemd-poweroff.service", "confirm"),
    ("systemd-run --on-calendar='*:*:00' --unit=systemd-poweroff.service", "confirm"),
    ("systemd-run --on-active=1 --unit=systemd-reboot", "confirm"),
    ("systemd-run --on-active=1 --unit=systemd-halt.service", "confirm"),
    ("systemd-run --on-active=1 --unit=systemd-kexec.service", "confirm"),
    ("systemd-run --on-active=1 --unit=poweroff.target", "confirm"),
    # 10: an init script by another spelling of its path, a runlevel link, a shell's operand
    ("/etc//init.d/shellinabox start", "confirm"), ("/etc/init.d//shellinabox start", "confirm"),
    ("/etc/./init.d/shellinabox start", "confirm"), ("/etc/init.d/./shellinabox start", "confirm"),
    ("/etc/rc2.d/S01shellinabox start", "confirm"), ("/etc/rc3.d/S02openbsd-inetd start", "confirm"),
    ("/etc/rc.d/rc3.d/S55xinetd start", "confirm"), ("/etc/rc.d/init.d/xinetd start", "confirm"),
    ("sh /etc/init.d/shellinabox start", "confirm"),
    ("sudo bash /etc/init.d/openbsd-inetd restart", "confirm"),
    ("/etc/init.d/shellinabox start now", "confirm"),
    ("/etc/init.d/nginx restart", "allow"), ("sh /etc/init.d/nginx status", "allow"),
    ("bash script.sh start", "allow"), ("source venv/bin/activate", "allow"),
    (". ~/.bashrc", "allow"), ("sh -c 'echo hi'", "allow"),
    # 12: a security service stopped through its init script: extra words, links, shells
    ("/etc/init.d/ufw stop now", "deny"), ("/etc/init.d/fail2ban stop x", "deny"),
    ("/etc/init.d/auditd stop now", "deny"), ("/etc/init.d/ufw stop ''", "deny"),
    ("/etc/init.d/apparmor teardown x", "deny"), ("/etc/rc0.d/K01auditd stop", "deny"),
    ("/etc/rcS.d/S01apparmor teardown", "deny"), ("/etc/rc.d/rc0.d/K01auditd stop", "deny"),
    ("sh /etc/init.d/ufw stop", "deny"), ("sudo bash /etc/init.d/fail2ban stop", "deny"),
    ("source /etc/init.d/ufw stop", "deny"), (". /etc/init.d/auditd stop", "deny"),
    ("sh -x /etc/init.d/ufw stop", "deny"), ("bash -o errexit /etc/init.d/ufw stop", "deny"),
    ("sh -- /etc/init.d/ufw stop", "deny"), ("cd /etc/init.d && ./ufw stop", "deny"),
    ("cd /etc/init.d; sh ufw stop", "deny"), ("/etc//init.d/rsyslog stop", "deny"),
    ("/etc/init.d/ufw status", "allow"), ("sh /etc/init.d/ufw status verbose", "allow"),
    # 11: the other service tools start or enable a shell server by name
    ("systemd-sysv-install enable shellinabox", "confirm"), ("insserv shellinabox", "confirm"),
    ("sysv-rc-conf shellinabox on", "confirm"), ("sysv-rc-conf --level 35 shellinabox on", "confirm"),
    ("rcconf --on shellinabox", "confirm"), ("sv up shellinabox", "confirm"),
    ("sv start openbsd-inetd", "confirm"), ("sv up openbsd-inetd", "confirm"),
    ("sv -w 7 o shellinabox", "confirm"), ("runsvctrl u /etc/service/tinysshd", "confirm"),
    ("s6-svc -u /run/service/shellinabox", "confirm"), ("svc -u /service/tinysshd", "confirm"),
    ("s6-rc -u change shellinabox", "confirm"), ("dinitctl start shellinabox", "confirm"),
    ("initctl start shellinabox", "confirm"), ("start shellinabox", "confirm"),
    ("supervisorctl start shellinabox", "confirm"), ("monit start shellinabox", "confirm"),
    ("monit -c /etc/monitrc start shellinabox", "confirm"),
    ("initctl start debug-shell", "deny"), ("start debug-shell", "deny"),
    ("dinitctl enable debug-shell", "deny"),
    ("insserv -r shellinabox", "allow"), ("sv status shellinabox", "allow"),
    ("sv down shellinabox", "allow"), ("supervisorctl status", "allow"),
    ("supervisorctl start myapp", "allow"), ("monit status", "allow"),
    ("dinitctl start nginx", "allow"), ("insserv nginx", "allow"),
    ("s6-svc -d /run/service/shellinabox", "allow"),
]


@pytest.mark.parametrize(("line", "action"), ROWS)
def test_attack_v31f_a_lines_are_held_at_their_plain_spellings_level(default_policy, line, action):
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == action, verdict
