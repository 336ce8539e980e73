"""Outside attack X, findings 2, 6, 7, 8, 12 and 13, with the shipped policy: find's start
points read at run time, tar's names read at run time with --remove-files, nsenter's working
directory, patch's backups and folder, read programs' own output options, and the unread
catch-all's other spellings of a path. Each class has an attack half (denied or held) and an
honest half (the everyday use stays as it was)."""

from __future__ import annotations

from tests.rows import each
from tests.test_policy import action

C = "/etc/sudoers.d/x"  # a file no-credential-file-writes protects


@each(("line", "expected"), [
    # finding 2: -files0-from names the start points at run time; {} and -delete are any file
    (r"printf '/etc/sudoers.d/zz\0' | find -files0-from - -exec cp /tmp/x {} \;", "confirm"),
    (r"printf '/etc/shadow\0' | find -files0-from - -exec chmod 666 {} +", "confirm"),
    (r"printf '/var/log/wtmp\0' | find -files0-from - -exec truncate -s0 {} +", "confirm"),
    ("find -files0-from /tmp/list -exec shred {} +", "confirm"),
    (r"find -files0-from /tmp/list -execdir mv {} /tmp/y \;", "confirm"),
    (r"find /srv -files0-from /tmp/list -ok cp /tmp/x {} \;", "confirm"),
    ("find -files0-from /tmp/list -delete", "confirm"),
    ("find /srv -files0-from /tmp/list -exec rm -rf / +", "deny"),  # a known deny stays one
    (r"bash -c 'find -files0-from - -exec cp /tmp/x {} \;'", "confirm"),
    (f"find -files0-from /tmp/list -fprint {C}", "deny"),
    # honest half: listing the names only reads; find without it is as it was
    ("find -files0-from /tmp/list -print", "allow"),
    ("find -files0-from /tmp/list -name '*.log' -print0", "allow"),
    ("find /tmp -name '*.tmp' -exec cat {} +", "allow"),
])
def test_find_start_points_read_at_run_time_make_its_actions_unknown(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 8: the names tar removes come from stdin or a file at run time
    ("printf '/etc/shadow\\n' | tar -c --remove-files -f /dev/null -T -", "confirm"),
    ("tar -c --remove-files -f /dev/null --files-from=-", "confirm"),
    ("tar -c --remove-files -f /dev/null -T /dev/stdin", "confirm"),
    ("tar -c --remove-files -f /dev/null -T <(echo /etc/shadow)", "confirm"),
    ("tar -c --remove-files -f /dev/null -T-", "confirm"),
    ("tar -cT - --remove-files -f /dev/null", "confirm"),
    ("tar -c --rem -f /dev/null --files-from /proc/self/fd/0", "confirm"),
    ("tar -r --null --remove-files -f /tmp/a.tar -T /tmp/list", "confirm"),
    ("tar -c --remove-files -f /dev/null -C /etc sudoers", "deny"),
    # honest half: archiving names from a list, removing named files no rule protects
    ("tar -c -f /tmp/a.tar -T /tmp/list", "allow"),
    ("find /srv/app -name '*.log' -print | tar -c -f /tmp/logs.tar -T -", "allow"),
    ("tar -c --remove-files -f /tmp/a.tar /tmp/build", "allow"),
])
def test_tar_removing_names_read_at_run_time_is_held(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 6: -W/--wdns is the directory the command runs in
    ("nsenter -W /etc/sudoers.d cp /tmp/x zz", "deny"),
    ("nsenter --wdns=/var/log truncate -s0 wtmp", "deny"),
    ("nsenter --wdns /var/log truncate -s0 wtmp", "deny"),
    ("nsenter -W/etc cp /tmp/x sudoers", "deny"),
    ("nsenter -t 1 -aW /etc cp /tmp/x sudoers", "deny"),
    ("nsenter --wdn=/etc cp /tmp/x sudoers", "deny"),
    ("nsenter -w/etc cp /tmp/x sudoers", "deny"),  # the other spelling, as it was
    # honest half
    ("nsenter -t 1 -m -W /tmp cp /tmp/a b", "allow"),
    ("nsenter -W /etc cat sudoers", "allow"),
])
def test_nsenter_wdns_is_the_working_directory(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 7: a backup lands where -B/-Y/-z say (GNU patch backs up on a mismatch even
    # without -b)
    ("cd /tmp/pd && patch -b -B /etc/sudoers.d/ zz < p.diff", "deny"),
    ("cd /tmp/pd && patch -B /etc/sudoers.d/ zz < p.diff", "deny"),
    ("cd /tmp/pd && patch --prefix=/etc/sudoers.d/ zz < p.diff", "deny"),
    ("cd /tmp/pd && patch --pref /etc/sudoers.d/ zz < p.diff", "deny"),
    ("cd /tmp/pd && patch -b -Y ../../etc/sudoers.d/ zz < p.diff", "deny"),
    ("cd /tmp/pd && patch --basename-prefix=/etc/sudoers.d/ zz < p.diff", "deny"),
    ("cd /etc && patch -b -z .d/zz sudoers < /tmp/p.diff", "deny"),
    ("patch -B /etc/sudoers.d/ < /tmp/p.diff", "confirm"),  # the files the patch names
    ("patch -b -z \"$s\" /tmp/f < /tmp/p.diff", "confirm"),  # a suffix known at run time
    # -d DIR: the operand is read inside DIR
    ("patch -d /etc sudoers < /tmp/p.diff", "deny"),
    ("patch -d /etc -o sudoers.d/x /tmp/f < /tmp/p.diff", "deny"),
    # honest half
    ("cd /tmp/pd && patch -b zz < p.diff", "allow"),
    ("patch /srv/app/main.c < /tmp/fix.diff", "allow"),
    ("patch -b -V numbered /tmp/f < /tmp/p.diff", "allow"),
    ("patch --backup --prefix=/tmp/bk/ /tmp/f /tmp/p.diff", "allow"),
    ("patch -d /srv/app -i /tmp/fix.diff main.c", "allow"),
])
def test_patch_writes_its_backups_where_their_names_say(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 12: files written by options of programs the tables read
    ("logsave /root/.bash_history echo X", "deny"),
    ("logsave -a /var/log/wtmp true", "deny"),
    (f"logsave -as {C} true", "deny"),
    (f"gpg --status-file {C} --list-keys", "deny"),
    (f"gpg --logger-file={C} --list-keys", "deny"),
    (f"gpg --log-file {C} --list-keys", "deny"),
    (f"gpg --keyring {C} --list-keys", "deny"),
    (f"gpg --no-default-keyring --secret-keyring {C} --list-keys", "deny"),
    (f"gpg --trustdb-name {C} --list-keys", "deny"),
    (f"gpg2 --attribute-file {C} --list-keys", "deny"),
    ("gpg --homedir /etc/sudoers.d --list-keys", "confirm"),
    (f"gpg --photo-viewer 'cp /tmp/x {C}' --list-options show-photos --list-keys", "deny"),
    ("gpg --use-embedded-filename -d /tmp/m.gpg", "confirm"),
    (f"ssh -o UserKnownHostsFile={C} -o StrictHostKeyChecking=no h true", "deny"),
    (f"ssh -oUserKnownHostsFile={C} h true", "deny"),
    (f"ssh -o 'userknownhostsfile /tmp/k {C}' h true", "deny"),
    (f"ssh -o GlobalKnownHostsFile={C} h true", "deny"),
    (f"ssh -o ControlPath={C} -o ControlMaster=yes h true", "deny"),
    (f"ssh -S {C} -M h true", "deny"),
    ("ssh -o ControlPath=/etc/sudoers.d/%h -M h true", "confirm"),
    (f"ssh -o UserKnownHostsFile={C} h", "deny"),  # no command: the shell on stdin
    # clusters: the first letter that takes a value, after flags (code options too)
    (f"ssh -vo UserKnownHostsFile={C} h true", "deny"),
    (f"ssh -MS {C} h true", "deny"),
    (f"ssh -vo ProxyCommand='touch {C}' h true", "deny"),
    (f"scp -qo ProxyCommand='touch {C}' /tmp/a h:b", "deny"),
    (f"sftp -vo ProxyCommand='touch {C}' h", "deny"),
    ("ssh -p22 -vF /tmp/ssh_config h true", "confirm"),
    (f"psql -At -o {C} -c 'select 1'", "deny"),
    (f"psql -Ao{C} -c 'select 1'", "deny"),
    (f"psql -L {C} -c 'select 1'", "deny"),
    (f"psql --log-file={C} -c 'select 1'", "deny"),
    (f"psql --out {C} -c 'select 1'", "deny"),
    (f"redis-cli --rdb {C}", "deny"),
    (f"redis-cli --functions-rdb {C}", "deny"),
    (f"valgrind --tool=massif --massif-out-file={C} true", "deny"),
    (f"valgrind --tool=callgrind --callgrind-out-file={C} true", "deny"),
    (f"valgrind --tool=cachegrind --cachegrind-out-file={C} true", "deny"),
    (f"valgrind --tool=dhat --dhat-out-file={C} true", "deny"),
    ("valgrind --vgdb-prefix=/etc/sudoers.d/v true", "confirm"),
    (f"start-stop-daemon -S -p {C} -m -x /bin/true", "deny"),
    (f"start-stop-daemon -Smp {C} -x /bin/true", "deny"),
    (f"start-stop-daemon --start --make-pidfile --pidfile={C} --exec /bin/true", "deny"),
    (f"start-stop-daemon -K --remove-pidfile -p {C}", "deny"),
    (f"start-stop-daemon -S --output {C} -x /bin/true", "deny"),
    ("start-stop-daemon -S -O /var/log/wtmp -x /bin/true", "deny"),
    ("git -C /etc/sudoers.d init", "deny"),
    ("cd /etc/sudoers.d && git init -q", "deny"),
    ("git -C /etc/sudoers.d clone https://example.com/r", "deny"),
    ("git -C /etc clone https://example.com/sudoers.d.git", "deny"),
    ("cd /etc && git clone --bare host:sudoers", "deny"),
    ('git -C /etc/sudoers.d clone "$u"', "confirm"),
    # honest half: the same programs used as every day
    ("logsave /var/tmp/fsck.log fsck -n /dev/sda1", "allow"),
    ("gpg --list-keys", "allow"),
    ("gpg --status-file /tmp/st --verify /tmp/a.sig /tmp/a", "allow"),
    # (a home of gpg's settings a line may have written, `agent-program` runs a command:
    # held since b37f finding 2; honest cost in SECURITY.md)
    ("gpg --homedir /tmp/gh --list-keys", "confirm"),
    ("ssh -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no h true", "alert"),
    ("ssh -o ControlPath=~/.ssh/cm-%r@%h:%p -o ControlMaster=auto h true", "alert"),
    ("ssh -vp 2222 h true", "alert"),
    ("ssh -vF /dev/null h true", "alert"),
    ("psql -At -o /tmp/out.txt -c 'select 1'", "allow"),
    ("psql -c 'select 1'", "allow"),
    ("redis-cli --rdb /tmp/dump.rdb", "allow"),
    ("redis-cli info", "allow"),
    ("valgrind --tool=massif --massif-out-file=/tmp/massif.%p true", "allow"),
    ("start-stop-daemon -S -m -p /run/app.pid -b -x /usr/bin/true", "allow"),
    ("start-stop-daemon -K -p /run/app.pid", "allow"),
    ("git -C /srv/repo init", "allow"),
    ("git clone https://example.com/r", "allow"),
    ("git -C /tmp clone https://example.com/r /tmp/r2", "allow"),
])
def test_read_programs_write_the_files_their_own_options_name(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 13: other spellings of a protected path given to a program no table reads
    ("cd /root && frob --out=../etc/sudoers", "confirm"),
    ("cd /root && frob -o../etc/sudoers", "confirm"),
    ("frob -C /etc sudoers", "confirm"),
    ("frob -C/etc shadow", "confirm"),
    ("frob --dir /etc sudoers.d/x", "confirm"),
    ("frob --dir=/etc sudoers.d/x", "confirm"),
    ("frob file://localhost/etc/sudoers", "confirm"),
    ("frob 'file:///etc/%73udoers'", "confirm"),
    ("frob out:file://localhost/etc/shadow", "confirm"),
    ("frob out:~root/../etc/sudoers", "confirm"),
    ("frob out=~/../../etc/sudoers", "confirm"),
    # honest half
    ("frob --out=/tmp/x", "allow"),
    ("frob -C /tmp x", "allow"),
    ("frob --conf=conf/app.toml run", "allow"),
    ("frob -v 3 /srv/app build", "allow"),
    ("frob https://example.com/etc/sudoers", "allow"),
])
def test_the_unread_catch_all_reads_other_spellings_of_a_path(default_policy, line, expected):
    assert action(default_policy, line) == expected
