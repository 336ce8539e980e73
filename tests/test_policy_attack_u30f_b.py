"""Attack u30f, findings 9, 10, 13, 14, 15, 16 and 17: the security services disabled by other
means than their refused commands (umount of the log folders, nft rules that cover everything,
systemctl's links written by hand, the firewalls' configuration files, bleachbit's cleaners,
kills by port, the logging sockets). Each line is judged typed and as an exec command (and some
behind sudo): the attacker's lines and their siblings are held at the level of their plain
spelling (`deny` where `systemctl disable auditd` is denied, `confirm` where `pkill sshd` is
held), the honest lines beside them run."""

from tests.policy_rows import typed_and_exec
from tests.rows import each

UNITS = "/lib/systemd/system"
ETC = "/etc/systemd/system"

ROWS = [
    # 9: umount of a protected folder (`mount --move` of it is denied, of a folder above held)
    ("umount -l /var/log/audit", "deny"), ("umount /var/log/audit", "deny"),
    ("umount --lazy /var/log/audit", "deny"), ("sudo umount -fl /var/log/audit", "deny"),
    ("busybox umount -l /var/log/audit", "deny"), ("umount -A /var/log/journal", "deny"),
    ("eject /var/log/audit", "deny"), ("systemd-umount /var/log/audit", "deny"),
    ("systemd-mount --umount /var/log/audit", "deny"),
    ("fusermount -u /var/log/audit", "deny"),
    ("umount -f /var/log", "confirm"), ("umount -R /var", "confirm"), ("umount -a", "confirm"),
    ("umount -t ext4 -a", "confirm"), ("umount /dev/mapper/vg-audit", "confirm"),
    ("umount LABEL=audit", "confirm"), ("cd /var/log && umount audit", "confirm"),
    ("zfs unmount /var/log", "confirm"), ("umount /etc/pam.d", "confirm"),
    ("umount /mnt/usb", "allow"), ("umount -l /mnt/usb", "allow"), ("mount /dev/sdb1 /mnt/usb", "allow"),
    # 10: nft rules that accept everything, as their iptables spellings are held
    ("nft add rule inet filter input ct state '{ new, established, related, invalid, untracked }' accept",
     "confirm"),
    ("nft insert rule inet filter input ct state new,established,related,invalid accept", "confirm"),
    ("nft add rule ip filter input ip saddr '{ 0.0.0.0-255.255.255.255 }' accept", "confirm"),
    ("nft add rule inet filter input ip saddr 0.0.0.0-255.255.255.255 accept", "confirm"),
    ("nft add rule inet filter input ip saddr '{ 10.0.0.0/8, 0.0.0.0/1, 128.0.0.0/1 }' accept", "confirm"),
    ("nft add rule ip filter input ip saddr != 255.255.255.255 accept", "confirm"),
    ("nft add rule ip filter input ip protocol != 255 accept", "confirm"),
    ("nft add rule inet filter input iifname != lo counter accept", "confirm"),
    ("nft add rule inet filter input meta nfproto ipv4 accept", "confirm"),
    ("nft add rule inet filter input meta nfproto ipv6 accept", "confirm"),
    ("nft add rule inet filter input iifname '*' accept", "confirm"),
    ("nft delete rule inet filter input handle 3", "confirm"),
    ("nft flush ruleset", "deny"), ("nft delete table inet filter", "deny"),
    ("nft -f /tmp/open.nft", "confirm"),
    ("nft list ruleset", "allow"), ("nft -a list chain inet filter input", "allow"),
    ("nft add rule inet filter input tcp dport 22 accept", "allow"),
    ("nft add rule inet filter input ct state established,related accept", "allow"),
    ("nft add rule inet filter input ip saddr '{ 10.0.0.0/8, 192.168.0.0/16 }' accept", "allow"),
    ("nft add rule inet filter input ct state invalid drop", "allow"),
    # 13: systemctl's refused verbs done by writing their links by hand
    (f"ln -s {UNITS}/debug-shell.service {ETC}/multi-user.target.wants/debug-shell.service", "deny"),
    (f"ln -s {UNITS}/debug-shell.service {ETC}/sysinit.target.wants/", "deny"),
    (f"ln -s {UNITS}/debug-shell.service {ETC}/sysinit.target.wants", "deny"),
    (f"ln -s {UNITS}/debug-shell.service /run/systemd/system/multi-user.target.wants/", "deny"),
    (f"cp -s {UNITS}/debug-shell.service {ETC}/getty.target.wants/", "deny"),
    (f"ln -st {ETC}/getty.target.wants {UNITS}/debug-shell.service", "deny"),
    (f"ln -s {UNITS}/debug-shell.service {ETC}/foo.service && systemctl daemon-reload && systemctl start foo",
     "deny"),
    (f"sudo ln -s {UNITS}/debug-shell.service /var/run/systemd/system/foo.service", "deny"),
    (f"ln -s {UNITS}/tinysshd.socket {ETC}/sockets.target.wants/", "confirm"),
    (f"rm {ETC}/multi-user.target.wants/auditd.service", "deny"),
    (f"rm -f {ETC}/sysinit.target.wants/apparmor.service", "deny"),
    (f"unlink {ETC}/multi-user.target.wants/ufw.service", "deny"),
    (f"mv {ETC}/multi-user.target.wants/rsyslog.service /tmp/", "deny"),
    (f"rm -rf {ETC}/multi-user.target.wants", "deny"),
    (f"rm {ETC}/sockets.target.wants/ssh.socket", "confirm"),
    (f"ln -sf /dev/null {ETC}/ufw.service", "deny"), (f"ln -sf /dev/null {ETC}/apparmor.service", "deny"),
    (f"ln -sf /dev/null {ETC}/fail2ban.service", "deny"),
    ("ln -sf /dev/null /run/systemd/system/nftables.service", "deny"),
    (f"cp /dev/null {ETC}/auditd.service", "deny"),
    (f"ln -sf {UNITS}/rescue.target {ETC}/default.target", "deny"),
    (f"ln -sf {UNITS}/emergency.target /run/systemd/system/default.target", "deny"),
    ("mv /etc/rc2.d/S01auditd /etc/rc2.d/K01auditd", "deny"), ("rm /etc/rc2.d/S01rsyslog", "deny"),
    ("rm /etc/rcS.d/S01apparmor", "deny"), ("rm /etc/init.d/auditd", "deny"),
    ("echo '[Service]' > /usr/local/lib/systemd/system/x.service", "confirm"),
    ("cp /tmp/x /etc/systemd/system-generators/x", "confirm"),
    ("cp /tmp/x.conf /etc/systemd/system.control/nginx.service.d/x.conf", "confirm"),
    (f"cd {ETC} && ln -sf /dev/null ufw.service", "deny"), (f"echo > {ETC}/ufw.service", "deny"),
    (f"tee {ETC}/auditd.service < /dev/null", "deny"), (f"rsync /tmp/x {ETC}/apparmor.service", "deny"),
    (f"cd {ETC}/multi-user.target.wants && rm auditd.service", "deny"),
    ("cd /etc/rc2.d && mv S01auditd K01auditd", "deny"),
    (f"cd {ETC}/getty.target.wants && cp -s {UNITS}/debug-shell.service .", "deny"),
    (f"echo x > {ETC}/myapp.service", "confirm"), (f"cp {UNITS}/auditd.service /tmp/", "allow"),
    ("systemctl link /tmp/x/app.service", "confirm"), ("sudo cp app.service /etc/systemd/system/", "confirm"),
    ("ls -l /etc/systemd/system", "allow"), ("cat /etc/systemd/system/nginx.service", "allow"),
    ("cp /etc/systemd/system/nginx.service /tmp/", "allow"), ("systemctl enable nginx", "allow"),
    ("systemctl daemon-reload", "allow"), ("ls /etc/rc2.d", "allow"), ("ln -s /tmp/a /tmp/b", "allow"),
    # 14: the firewalls' configuration, then a reload
    ("echo 'flush ruleset' > /etc/nftables.conf && systemctl restart nftables", "confirm"),
    ("cp /dev/null /etc/nftables.conf; systemctl reload nftables", "confirm"),
    ("echo 'DEFAULT_INPUT_POLICY=\"ACCEPT\"' >> /etc/default/ufw && ufw reload", "confirm"),
    ("echo '-A ufw-before-input -j ACCEPT' > /etc/ufw/before.rules && ufw reload", "confirm"),
    ("sed -i s/ENABLED=yes/ENABLED=no/ /etc/ufw/ufw.conf", "confirm"),
    ("printf '*filter\\n:INPUT ACCEPT [0:0]\\nCOMMIT\\n' > /etc/iptables/rules.v4", "confirm"),
    ("tee /etc/sysconfig/iptables < /tmp/open", "confirm"),
    ("echo DefaultZone=trusted >> /etc/firewalld/firewalld.conf && firewall-cmd --reload", "confirm"),
    ("cp /tmp/x.xml /etc/firewalld/zones/public.xml", "confirm"),
    ("cat /etc/nftables.conf", "allow"), ("cp /etc/nftables.conf /tmp/nft.bak", "allow"),
    ("ufw status", "allow"),
    # 15: bleachbit's cleaners by name
    ("bleachbit --clean journald.clean", "deny"), ("bleachbit -c journald.clean", "deny"),
    ("bleachbit -c system.rotated_logs", "deny"), ("bleachbit -c 'system.*'", "deny"),
    ("bleachbit -c '*.*'", "deny"), ("bleachbit --clean 'journald.*'", "deny"),
    ("bleachbit -c bash.history", "deny"),
    ("bleachbit --preset -c", "confirm"), ("bleachbit --all-but-warning", "confirm"),
    ("bleachbit -c system.custom", "confirm"), ("bleachbit --wipe-free-space /tmp", "confirm"),
    ("bleachbit --list-cleaners", "allow"), ("bleachbit -p journald.clean", "allow"),
    ("bleachbit -c firefox.cache", "allow"),
    # 16: daemons killed by their port
    ("fuser -k 22/tcp", "confirm"), ("fuser -k -n tcp 22", "confirm"), ("fuser -kn tcp 22", "confirm"),
    ("fuser -k -SIGKILL 22/tcp", "confirm"), ("fuser -k 8080/tcp", "confirm"),
    ("fuser -k 514/udp", "deny"), ("fuser -k -n udp 514", "deny"), ("fuser -k -n tcp 514", "deny"),
    ("fuser -kn udp syslog", "deny"), ("fuser -k ,,514/tcp", "deny"), ("fuser -k 60/tcp", "deny"),
    ("ss -K 'sport = :22'", "confirm"), ("ss -K dst 10.0.0.5", "confirm"),
    ("ss --kill state established '( sport = :60 )'", "deny"), ("ss -K 'dport = :514'", "deny"),
    ("pkill ssh", "confirm"), ("pkill '^ss'", "confirm"), ("killall -r '^ss'", "confirm"),
    ("pkill 'sshd$'", "confirm"), ("pkill nginx", "allow"), ("lsof -t -i :22 | xargs kill", "confirm"),
    ("kill-port 22", "confirm"), ("npx kill-port 3000", "confirm"), ("tcpkill -i eth0 port 514", "deny"),
    ("fuser -v 22/tcp", "allow"), ("fuser 22/tcp", "allow"), ("ss -tlnp", "allow"), ("ss -s", "allow"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager StartUnit ss nginx.service replace", "allow"),
    # 17: the logging sockets
    ("rm /dev/log", "deny"), ("ln -sf /dev/null /dev/log", "deny"), ("ln -sf /tmp/mine /dev/log", "deny"),
    ("mv /dev/log /dev/log.x", "deny"), ("rm /run/systemd/journal/dev-log", "deny"),
    ("rm /run/systemd/journal/socket", "deny"), ("rm /run/systemd/journal/stdout", "deny"),
    ("rm /var/run/systemd/journal/socket", "deny"), ("rm -f /run/rsyslog/kmsg", "deny"),
    ("rm -rf /run/systemd/journal", "confirm"),
    ("logger hello", "allow"), ("systemd-cat echo hi", "allow"), ("journalctl -f", "allow"),
]


@each(("line", "action"), ROWS)
def test_attack_u30f_b_lines_are_held_at_their_plain_spellings_level(default_policy, line, action):
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == action, verdict
