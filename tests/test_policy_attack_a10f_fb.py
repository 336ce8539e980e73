"""Attack a10f, findings 2, 3, 4 and 9 (the tenth round on the command filter) and its
working-directory suspicions: launchers no table knew, stock symbolic links followed by `..`,
the homes of system accounts, audit and logging switched off in other spellings. The shipped
policy; attack halves refused or held, honest halves allowed."""

from __future__ import annotations

from bastion.command_control.policy import KnownValues, evaluate, judge_path, reads_script_from_stdin
from bastion.command_control.policy.stock_links import home_readings, link_readings
from tests.rows import each
from tests.test_policy import action


def exec_action(policy, line: str, login: str = "root") -> str:
    """As an exec command: run in the login's home, no terminal (as bastion.ssh.judge does)."""
    return evaluate(policy, f"cd ~{login}; {line}", role="engineer", target="web01", login=login,
                    interactive=False, known=KnownValues()).action


@each(("line", "expected"), [
    # 2: launchers the tables now read
    ("choom -n 0 -- rm -rf /", "deny"),
    ("choom -n 0 -- sh -c 'rm -rf /etc'", "deny"),
    ("choom --adjust=0 rm -rf /", "deny"),
    ("choom --bogus x rm -rf /", "deny"),  # an option no table holds: the command is unknown
    ("uclampset -m 0 -M 512 rm -rf /", "deny"),
    ("systemd-socket-activate -l 80 rm -rf /", "deny"),
    ("fakeroot-sysv rm -rf /", "deny"),
    ("fakeroot-tcp -- sh -c 'rm -rf /'", "deny"),
    ("env_parallel rm -rf ::: /", "deny"),
    ("gdbtui -batch -ex 'shell rm -rf /'", "deny"),
    ("ld.so /bin/sh -c 'rm -rf /etc'", "confirm"),  # the loader by its bare name
    ("ld.so.2 /bin/sh", "confirm"),
    ("ld64.so.2 /bin/sh", "confirm"),
    ("/lib/x86_64-linux-gnu/ld-2.31.so /bin/sh", "confirm"),
    # 2: programs no table reads, judged as the launchers they may be
    ("memusage rm -rf /", "deny"),
    ("sotruss rm -rf /", "deny"),
    ("heaptrack rm -rf /", "deny"),
    ("parset x rm -rf /", "deny"),
    ("pg_virtualenv rm -rf /", "deny"),
    ("debconf rm -rf /", "deny"),
    ("debconf -fnoninteractive -- /bin/sh -c 'echo x >> /etc/sudoers'", "deny"),
    ("enosys -s 1 rm -rf /", "deny"),
    ("some-launcher --exec=sh -c 'rm -rf /'", "deny"),  # an option's value names the program
    ("pee 'rm -rf /' cat", "deny"),  # a word that is shell code
    ("mytool -x sudo rm -rf /", "deny"),
    ("mytool /usr/bin/rm -rf /", "deny"),  # a path to a program in a folder of programs
    ("mytool --exec=/bin/sh -c 'rm -rf /'", "deny"),
    ("viewer /etc/passwd", "confirm"),  # a file it names (as before), not the program passwd
    ("mytool -- ./x; mytool -- sh -c 'echo x >> etc/sudoers'", "deny"),  # from / too
    # a word before the command that may be a folder, root or mount: held
    ("docker run -v /etc:/x alpine sh -c 'echo x >> /x/sudoers'", "confirm"),
    ("mytool --chdir=/etc -- sh -c 'echo x >> sudoers'", "confirm"),
    ("mytool ~/jail -- sh -c 'echo x >> sudoers'", "confirm"),
    ('mytool "$x" -- sh', "confirm"),
    # honest halves: subcommands that name programs, commands that stay harmless
    ("docker rm web1", "allow"),
    ("docker cp ./app.conf web1:/etc/app.conf", "allow"),
    ("kubectl exec pod -- ls /tmp", "allow"),
    ("kubectl logs -f pod", "allow"),
    ("pip install requests", "allow"),
    ("helm install rel ./chart", "allow"),
    ("npm test", "allow"),
    ("choom -p 1234", "allow"),
    ("choom -n 500 -- ./batch-job", "allow"),
    ("uclampset -p 12", "allow"),
    ("memusage ./myprog", "allow"),
    ("heaptrack ./server --port 8080", "allow"),
    ("mytool -- echo hi", "allow"),
])
def test_attack_a10f_launchers_no_table_knew(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    ("choom -n 0 -- bash -s", "shell"),  # 2: the stdin gate sees through them
    ("uclampset -m 0 bash", "shell"),
    ("memusage bash -s", "shell"),
    ("mytool -- python3 -", "interpreter"),
    ("choom -n 0 -- ls", None),
])
def test_attack_a10f_launchers_reading_a_script_from_stdin(line, expected):
    assert reads_script_from_stdin(line) == expected


@each(("line", "expected"), [
    # 3: a `..` after a stock link climbs from the link's target
    ("echo x >> /var/run/../etc/sudoers", "deny"),
    ("rm -rf /var/run/../etc", "deny"),
    ("echo x >> /var/lock/../../etc/sudoers", "deny"),
    ("echo x >> /usr/lib/ssl/certs/../../sudoers", "deny"),
    ("echo x >> /usr/lib/ssl/private/../../passwd", "deny"),
    ("echo x >> /proc/net/../root/etc/sudoers", "deny"),
    ("echo x >> /proc/mounts/../root/etc/shadow", "deny"),
    ("echo x >> /dev/fd/../root/etc/sudoers", "deny"),  # /dev/fd/.. is /proc/self (c38f, 6)
    ("cd -P /usr/lib/ssl/certs/../..; echo x >> sudoers", "deny"),
    ("cd /var/run; echo x >> ../etc/sudoers", "deny"),
    ("echo x >> /bin/../etc/sudoers", "deny"),  # merged /usr: /usr/bin/.. is /usr
    ("echo x >> /sbin/../etc/sudoers", "deny"),
    ("echo x >> /etc/ssl/certs/../../sudoers", "deny"),  # RHEL: /etc/pki/tls/certs
    ("echo x >> /var/run/../var/log/wtmp.x", "deny"),
    ("cd /var/run; cd ..; echo x >> etc/sudoers", "deny"),
    ("ln -s /var/run/../etc/sudoers /tmp/s", "deny"),
    ("echo x >> /etc/alternatives/java_sdk/../../sudoers", "confirm"),  # a target no table knows
    ("echo x >> /sys/class/net/eth0/../../../../etc/sudoers", "confirm"),
    ("echo x >> /dev/disk/by-id/x/../../../etc/sudoers", "confirm"),
    # honest halves
    ("echo 1 > /var/run/app.pid", "allow"),
    ("ls /var/run/", "allow"),
    ("cat /usr/lib/ssl/certs/../openssl.cnf", "allow"),
    ("cp ca.crt /usr/local/share/doc/", "allow"),
    ("cp ca.crt /usr/local/share/ca-certificates/", "confirm"),  # a trust store (attack v31f, 16)
    ("cat /sys/class/net/eth0/address", "allow"),
])
def test_attack_a10f_stock_links_followed_by_dotdot(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 4: ~user of a system account is its home
    ("cat img > ~sys/sda", "deny"),
    ("echo x > ~sys/nvme0n1", "deny"),
    ("shred ~sys/sda", "deny"),
    ("chmod 666 ~sys/sda", "deny"),
    ("echo x >> ~sys/../etc/sudoers", "deny"),
    ("echo x >> ~bin/../etc/sudoers", "deny"),
    ("echo x >> ~daemon/../etc/sudoers", "deny"),
    ("echo x >> ~www-data/../../etc/sudoers", "deny"),
    ("echo x >> ~backup/../../etc/sudoers", "deny"),
    ("echo x >> ~mail/../../etc/sudoers", "deny"),
    ("echo x >> ~postgres/../../../etc/sudoers", "deny"),
    ("echo x >> ~unbound/../sudoers", "deny"),  # RHEL's unbound lives in /etc/unbound
    ("echo x >> ~operator/../etc/sudoers", "deny"),  # RHEL's operator: /root
    ("echo x >> ~sys/../var/log/wtmp.x", "deny"),
    ("cd ~sys; cat img > sda", "deny"),
    ("su - sys -c 'echo x > sda'", "deny"),
    ("dd if=img of=~sys/sda", "deny"),
    # honest halves
    ("ls ~www-data/html", "allow"),
    ("cp app.conf ~postgres/", "allow"),
    ("cat ~alice/notes.txt", "allow"),
    ("echo x > ~/notes.txt", "allow"),
])
def test_attack_a10f_homes_of_system_accounts(default_policy, line, expected):
    assert exec_action(default_policy, line) == expected


@each(("line", "expected"), [
    # 9: audit and logging off in other spellings
    ("systemctl freeze auditd", "deny"),
    ("systemctl freeze systemd-journald.service", "deny"),
    ("systemctl clean --what=logs auditd", "deny"),
    ("systemctl set-property systemd-journald.service MemoryMax=1", "deny"),
    ("systemctl service-log-level rsyslog emerg", "deny"),
    ("systemctl edit auditd", "deny"),
    ("systemctl stop systemd-journald-dev-log.socket", "deny"),
    ("systemctl mask syslog.socket", "deny"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager StopUnit ss auditd.service replace", "deny"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager KillUnit ssi systemd-journald.service all 9", "deny"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/auditd_2eservice "
     "org.freedesktop.systemd1.Unit Stop s replace", "deny"),
    ("busctl --system call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager MaskUnitFiles asbb 1 rsyslog.service false true", "deny"),
    ("dbus-send --system --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager.StopUnit string:auditd.service string:replace", "deny"),
    ("gdbus call --system --dest org.freedesktop.systemd1 --object-path /org/freedesktop/systemd1 "
     "--method org.freedesktop.systemd1.Manager.StopUnit auditd.service replace", "deny"),
    ("gdbus call --system --dest org.freedesktop.systemd1 --object-path "
     "/org/freedesktop/systemd1/unit/systemd_2djournald_2eservice "
     "--method org.freedesktop.systemd1.Unit.Kill all 9", "deny"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager StopUnit ss nginx.service replace", "confirm"),
    ("dbus-send --system --print-reply --dest=org.freedesktop.login1 /org/freedesktop/login1 "
     "org.freedesktop.login1.Manager.PowerOff boolean:false", "confirm"),
    ("systemctl freeze nginx", "confirm"),
    ("auditctl -a always,exclude -F msgtype=SYSCALL", "deny"),
    ("auditctl -A exclude,always -F msgtype=CWD", "deny"),
    ("auditctl -aexclude,always", "deny"),
    ("auditctl -r 1", "confirm"),
    ("auditctl -f 0", "confirm"),
    ("auditctl --backlog_wait_time 0", "confirm"),
    # honest halves
    ("systemctl status auditd", "allow"),
    ("systemctl restart rsyslog", "allow"),
    ("systemctl thaw nginx", "allow"),
    ("busctl status", "allow"),
    ("busctl introspect org.freedesktop.systemd1 /org/freedesktop/systemd1", "allow"),
    ("busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/auditd_2eservice "
     "org.freedesktop.systemd1.Unit ActiveState", "allow"),
    ("auditctl -l", "allow"),
    ("auditctl -s", "allow"),
    ("auditctl -w /etc/sudoers -p wa -k sudoers", "allow"),
    ("auditctl -a always,exit -F arch=b64 -S execve -k exec", "allow"),
])
def test_attack_a10f_audit_and_logging_off_in_other_spellings(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # suspicions: a working directory the wrapper chooses
    ("systemd-run -d --working-directory=/etc sh -c 'echo x >> sudoers'", "deny"),
    ("systemd-run --working-directory=/etc --same-dir sh -c 'echo x >> sudoers'", "deny"),
    ("systemd-run --scope -p WorkingDirectory=/etc sh -c 'echo x >> sudoers'", "deny"),
    ("cd /etc; systemd-run -d sh -c 'echo x >> sudoers'", "deny"),
    ("firejail --private-cwd=/etc sh -c 'echo x >> sudoers'", "deny"),
    ("firejail --private=/etc --private-cwd sh -c 'echo x >> sudoers'", "deny"),
    ("firejail --private-cwd sh -c 'echo x >> etc/sudoers'", "deny"),
    ("firejail --bind=/etc,/tmp/e sh -c 'echo x >> /tmp/e/sudoers'", "confirm"),
    # honest halves
    ("systemd-run -d make", "allow"),
    ("systemd-run --scope -p MemoryMax=1G make", "allow"),
    ("firejail --private-cwd=/srv/app ./run.sh", "allow"),
    ("firejail ls", "allow"),
])
def test_attack_a10f_working_directories_wrappers_choose(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("path", "expected"), [
    ("/var/run/../etc", ["/var/run/../etc", "/run/../etc"]),
    ("/sbin/../x", ["/sbin/../x", "/usr/sbin/../x", "/usr/bin/../x"]),
    ("/etc/sudoers", ["/etc/sudoers"]),
    ("relative/../x", ["relative/../x"]),
    ("/etc/alternatives/editor/../../x", None),
    ("/etc/alternatives/editor", ["/etc/alternatives/editor"]),  # no `..` after it
    ("/" + "/".join(["sbin", "..", "lib64", ".."] * 3), None),  # too many readings: unknown
])
def test_link_readings(path, expected):
    assert link_readings(path) == expected


def test_home_readings():
    assert home_readings("sys", "root") == ("/dev",)
    assert home_readings("root", "root") == ("/root",)
    assert home_readings("deploy", "deploy") == ("/home/deploy",)
    assert home_readings("alice", "root") == ("/home/alice",)  # a person's, as before
    assert "/var/lib/pgsql" in home_readings("postgres", None)


@each(("op", "path", "expected"), [
    (">", "/var/run/../var/log/wtmp.x", "deny"),  # 3: scp -O and sftp put, as the attack sent
    (">", "/var/lock/../../etc/sudoers.d/x", "deny"),
    ("rm", "/usr/lib/ssl/certs/../../shadow", "deny"),
    (">", "/var/run/app.pid", "allow"),
])
def test_attack_a10f_transfers_through_a_stock_link(default_policy, op, path, expected):
    verdict = judge_path(default_policy, op, [path], role="engineer", target="web01", login="root")
    assert verdict.action == expected
