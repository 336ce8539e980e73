"""Attack X, findings 9 to 11 (the eighth round on the command filter): daemons killed by a
pattern, by user or all at once; audit, firewall and journal switched off in other spellings;
programs the tables took for readers that write a disk. The shipped policy; attack halves
refused or held, honest halves allowed."""

from __future__ import annotations

from tests.rows import each
from tests.test_policy import action


@each(("line", "expected"), [
    # 9: a kill reaches every daemon its pattern (pgrep's, unanchored) or its selection matches
    ("pkill 'audit'", "deny"),
    ("pkill syslog", "deny"),
    ("pkill journald", "deny"),
    ("pkill 'auditd$'", "deny"),
    ("pkill -f rsyslog", "deny"),
    ("pkill -u root", "deny"),
    ("killall -r audit", "deny"),
    ("kill -9 -1", "deny"),
    ("kill -TERM -1", "deny"),
    ("killall5 -9", "deny"),
    ("sudo pkill audit", "deny"),
    ("fuser -k /usr/sbin/rsyslogd", "deny"),
    ("fuser -km /", "deny"),
    ("fuser -k /var/log/audit/audit.log", "deny"),
    # honest halves
    ("pkill nginx", "allow"),
    ("pkill -u bob", "allow"),
    ("pkill -f 'python3 app.py'", "allow"),
    ("pkill -x audit", "allow"),
    ("kill 1234", "allow"),
    ("killall -HUP nginx", "allow"),
    ("fuser -k 8080/tcp", "confirm"),  # a kill by port: held since u30f (16)
    ("fuser -v /var/log/auth.log", "allow"),
    ("fuser -k /srv/app/data.db", "allow"),
])
def test_attack_x_a_kill_reaches_the_daemons_its_pattern_matches(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 10: the same switches in other spellings
    ("auditctl -e 00", "deny"),
    ("auditctl -e0", "deny"),
    ("auditctl --signal stop", "deny"),
    ("auditctl -a never,exit -F arch=b64 -S all", "deny"),
    ("auditctl -A exit,never -S all", "deny"),
    ("nft 'flush ruleset;'", "deny"),
    ("nft 'list ruleset;flush ruleset'", "deny"),
    ("iptables --fl", "deny"),
    ("iptables --flus", "deny"),
    ("xtables-nft-multi iptables -F", "deny"),
    ("xtables-nft-multi iptables-restore", "confirm"),
    ("iptables-restore <<< x", "confirm"),
    ("iptables-nft-restore < rules.v4", "confirm"),
    ("iptables -I INPUT 1 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -j ACCEPT", "confirm"),
    ("ufw default allow", "deny"),
    ("ufw default allow incoming", "deny"),
    ("journalctl --vacuum-time=1s", "deny"),
    # honest halves
    ("auditctl -l", "allow"),
    ("auditctl -a always,exit -F arch=b64 -S execve", "allow"),
    ("auditctl --signal reload", "allow"),
    ("nft list ruleset", "allow"),
    ("iptables -L -n", "allow"),
    ("iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "allow"),
    ("iptables -A INPUT -m comment --comment x -p tcp --dport 22 -j ACCEPT", "allow"),
    ("iptables -A INPUT -i lo -j ACCEPT", "allow"),
    ("iptables -I INPUT -s 10.0.0.0/8 -j ACCEPT", "allow"),
    ("ufw default allow outgoing", "allow"),
    ("ufw allow 22/tcp", "allow"),
])
def test_attack_x_audit_firewall_and_journal_switches_in_other_spellings(default_policy, line,
                                                                         expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # 11: tables that made a writer look like a reader
    ("printf 'mklabel gpt\\nYes\\n' | parted /dev/sda", "confirm"),
    ("cryptsetup -q -d status luksFormat /dev/sda", "confirm"),
    ("cryptsetup luksDump --dump-volume-key --volume-key-file=/etc/shadow /dev/sda", "confirm"),
    ("fsck -y /dev/sda1", "confirm"),
    ("fsck.ext4 -y /dev/sda1", "confirm"),
    ("psql -o /etc/sudoers.d/x -c 'select 1'", "deny"),
    ("redis-cli --rdb /etc/shadow", "deny"),
    # honest halves
    ("parted /dev/sda print", "allow"),
    ("parted -l", "allow"),
    ("cryptsetup luksDump /dev/sda", "allow"),
    ("psql -c 'select 1'", "allow"),
    ("fsck -N /srv/disk.img", "allow"),
    ("fsck -n /dev/sda1", "allow"),
])
def test_attack_x_programs_the_tables_took_for_readers_write_what_they_name(default_policy, line,
                                                                            expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # attack Z (filter), a short ninth round on the eighth's fixes
    ("pkill -i -x AUDITD", "deny"),  # 1: case-insensitive, inverse, POSIX regex
    ("pkill --ignore-case AUDITD", "deny"),
    ("killall -I RSYSLOGD", "deny"),
    ("pkill '\\<auditd'", "deny"),
    ("pkill 'au[[:alpha:]]itd'", "deny"),
    ("pkill -v -x xyz", "deny"),
    ("gio copy /tmp/x file:/etc/shadow", "deny"),  # 3: every spelling of a file: URI
    ("gio copy /tmp/x FILE:///etc/shadow", "deny"),
    ("gio copy /tmp/x file:///etc/sha%64ow", "deny"),
    ("gio remove FILE:///var/log/wtmp", "deny"),
    ("utmpdump --outp=/etc/shadow /var/log/wtmp", "confirm"),  # 4: getopt_long's abbreviations
    ("blkid --cache=/etc/shadow /dev/sda1", "confirm"),
    ("journalctl --cursor-f=/etc/shadow", "confirm"),
    ("lastlog -C -u root", "deny"),  # 5: records it names none of
    ("lastlog --clear --user root", "deny"),
    ("dc3dd wipe=/dev/sda", "deny"),  # 6
    ("nft --fil /tmp/r", "confirm"),  # 8
    ("""nft -j '{"nftables":[{"flush":{"ruleset":null}}]}'""", "confirm"),
    ("iptables -vP INPUT ACCEPT", "confirm"),  # 9: clusters and trailing options
    ("iptables -vA INPUT -j ACCEPT", "confirm"),
    ("iptables -A INPUT -j ACCEPT -w", "confirm"),
    ("iptables -R INPUT 1 -j ACCEPT", "confirm"),
    ("iptables -A INPUT -s 0/0 -j ACCEPT", "confirm"),
    ("auditctl -R /tmp/rules", "confirm"),  # 10
    ("auditctl -d always,exit -F arch=b64 -S execve", "confirm"),
    ("fsck -n /dev/sda1 -- -z /etc/sudoers.d/zz", "confirm"),  # 11
    ("start-stop-daemon -K -u root", "deny"),  # 2: stops by user, parent, attached cluster
    ("start-stop-daemon -K --ppid 1", "deny"),
    ("start-stop-daemon -Kx/sbin/auditd", "deny"),
    ("""ssh -o 'UserKnownHostsFile=/etc/sha"dow"' h""", "deny"),  # 7: ssh removes the quotes
    ("ffmpeg -i in.mp4 -f tee 'x.mkv|/etc/shadow'", "confirm"),  # paths inside other words
    ("ffmpeg -i in -f tee '[f=data]/etc/shadow'", "confirm"),
    ("convert in.png '/etc/shadow[0]'", "confirm"),
    # honest halves
    ("start-stop-daemon -K -x /usr/sbin/nginx", "allow"),
    ("start-stop-daemon -K -p /run/nginx.pid -u www-data", "allow"),
    ("convert in.png out.png", "allow"),
    ("pkill -x nginx", "allow"),
    ("killall -HUP nginx", "allow"),
    ("gio copy /tmp/x sftp://h/srv/x", "allow"),
    ("journalctl -u nginx --since today", "allow"),
    ("lastlog -u root", "allow"),
    ("nft -j list ruleset", "allow"),
    ("iptables -vL", "allow"),
    ("auditctl -l", "allow"),
    ("auditctl -w /etc/passwd -p wa -k passwd", "allow"),
])
def test_attack_z_filter_findings(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # attack Z (filter), its open list. 1: nft rules and policies that accept everything
    ("nft insert rule inet filter input accept", "confirm"),
    ("nft add rule ip filter INPUT counter accept", "confirm"),
    ("nft 'add rule inet filter input accept;'", "confirm"),
    ("nft add rule filter input accept", "confirm"),
    ("nft replace rule inet filter input handle 4 accept", "confirm"),
    ("nft insert rule inet filter input position 0 counter log prefix \"x \" accept", "confirm"),
    ("nft 'insert rule inet filter input log prefix \"in \" counter accept comment \"ok\"'", "confirm"),
    ("nft add rule inet filter input ip saddr 0.0.0.0/0 accept", "confirm"),
    ("nft -e -a add rule inet filter input meta nftrace set 1 accept", "confirm"),
    ("nft 'list ruleset; add rule inet filter input accept'", "confirm"),
    ("nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'",
     "confirm"),
    ("nft chain inet filter input '{ policy accept; }'", "confirm"),
    ("nft add chain inet filter input { policy accept \\; }", "confirm"),
    ("nft add table inet t '{ chain c { type filter hook input priority 0; counter accept; } }'",
     "confirm"),
    ("nft add element inet filter allow '{ 0.0.0.0/0 }'", "confirm"),
    ("nft -f -", "confirm"),
    ("iptables -A INPUT -m comment --comment x -j ACCEPT", "confirm"),  # iptables kept level
    ("iptables -A INPUT -j ACCEPT -m comment --comment 'allow all'", "confirm"),
    ("iptables -I INPUT -p all -i + -d 0/0 -j ACCEPT", "confirm"),
    # 2: a unit glob, a freeze, a clean or an isolate reaches what the plain name does
    ("systemctl stop 'audit*'", "deny"),
    ("systemctl stop audit\\*", "deny"),
    ("systemctl kill 'rsys*'", "deny"),
    ("systemctl disable 'audit*'", "deny"),
    ("systemctl mask 'audit*'", "deny"),
    ("systemctl disable --now 'audit*'", "deny"),
    ("systemctl --now disable 'a?ditd'", "deny"),
    ("systemctl stop 'audi[[:alpha:]]d'", "deny"),
    ("systemctl -s KILL kill 'fire*'", "deny"),
    ("systemctl stop '*.service'", "deny"),
    ("systemctl stop 'systemd-journald*.socket'", "deny"),
    ("systemctl stop systemd-journald-dev-log.socket", "deny"),
    ("systemctl freeze auditd", "deny"),
    ("systemctl clean --what=logs systemd-journald", "deny"),
    ("sudo systemctl stop 'audit*'", "deny"),
    ("service 'audit*' stop", "deny"),
    ("invoke-rc.d 'rsys*' stop", "deny"),
    ("service netfilter-persistent stop", "deny"),
    ("systemctl isolate rescue.target", "deny"),
    ("systemctl isolate emergency", "deny"),
    ("systemctl rescue", "deny"),
    ("systemctl isolate runlevel1.target", "deny"),
    ("init 1", "deny"),
    ("telinit S", "deny"),
    ("systemctl start shutdown.target", "deny"),
    ("systemctl stop \"$u\"", "deny"),  # a unit known only at run time, as `pkill "$x"`
    ("service \"$u\" stop", "deny"),
    # 3: a path after white space or punctuation inside a word, for a program no table reads
    ("prog 'x /etc/sudoers'", "confirm"),
    ("prog --opt='a /etc/shadow'", "confirm"),
    ("prog \"-o /etc/shadow\"", "confirm"),
    ("prog \"-o\t/etc/shadow\"", "confirm"),
    ("prog 'x>/etc/shadow'", "deny"),  # the word is shell code writing the file (b11f, finding 3)
    ("prog '(/etc/shadow)'", "confirm"),
    ("prog 'a -- b' -o/etc/shadow", "confirm"),
    ("prog \"x ~root/.ssh/authorized_keys\"", "alert"),
    # 4: udevadm's commands that change state are not inspection
    ("udevadm control --reload", "confirm"),
    ("udevadm control --exit", "confirm"),
    ("udevadm trigger", "confirm"),
    ("udevadm -d trigger --action=remove /sys/class/net/eth0", "confirm"),
    ("udevadm test /sys/class/net/eth0", "confirm"),
    ("udevadm hwdb --update", "confirm"),
    ("udevadm info --cleanup-db", "confirm"),
    ("udevadm lock -d /dev/sda touch /etc/shadow", "deny"),
    # honest halves
    ("nft add rule inet filter input tcp dport 22 accept", "allow"),
    ("nft add rule inet filter input ct state established,related accept", "allow"),
    ("nft add rule inet filter input iif lo accept", "allow"),
    ("nft add rule inet filter input tcp dport { 22, 80 } accept", "allow"),
    ("nft add rule inet filter input tcp dport vmap { 22 : accept, 23 : drop }", "allow"),
    ("nft add chain inet filter input '{ type filter hook input priority 0; policy drop; }'",
     "allow"),
    ("nft add element inet filter allow '{ 10.0.0.0/8 }'", "allow"),
    ("iptables -A INPUT -p tcp --dport 22 -j ACCEPT", "allow"),
    ("iptables -A INPUT -m comment --comment x -p tcp --dport 22 -j ACCEPT", "allow"),
    ("iptables -A INPUT -i lo -j ACCEPT", "allow"),
    ("systemctl stop 'nginx*'", "confirm"),
    ("systemctl stop 'php*-fpm'", "confirm"),
    ("service 'php*' stop", "confirm"),
    ("systemctl status 'audit*'", "allow"),
    ("systemctl list-units 'audit*'", "allow"),
    ("systemctl isolate multi-user.target", "confirm"),
    ("systemctl isolate runlevel3.target", "confirm"),
    ("init 3", "allow"),
    ("systemctl start nginx", "allow"),
    ("systemctl restart 'php*'", "allow"),
    ("prog 'hello world'", "allow"),
    ("prog --message='fix the /tmp/x bug'", "allow"),
    ("udevadm settle", "allow"),
    ("udevadm info /dev/sda", "allow"),
    ("udevadm info -q path -n sda", "allow"),
    ("udevadm info --export-db", "allow"),
    ("udevadm monitor", "allow"),
    ("udevadm verify", "allow"),
    ("udevadm --version", "allow"),
])
def test_attack_z_filter_open_list(default_policy, line, expected):
    assert action(default_policy, line) == expected
