"""Attack y34f, findings 2, 5, 6, 7 and 8: database shells' own commands given on the line, the
journal and login records at their other places, the files that say what inetd, xinetd and init
run (and the reloads that make them read it), root's other startup files and ~/.ssh/rc, and the
account databases beside /etc/passwd. Each line is judged typed at a terminal and as an exec
command: the attacker's lines and their siblings are held (`deny` where the plain spelling is
refused: `rm /var/log/wtmp`, `echo … >> /etc/passwd`, `psql -c '\\! rm -rf /etc'`; `confirm`
where it is held: /etc/ssh/sshrc, `systemctl reload inetd`, `kill -HUP 1`), root's other startup
files are flagged (`alert`, as .bashrc is), and the honest lines beside them still run
(`allow`: reading the records and files, listing faillog, SQL without a shell escape or a file
written, reloading other services)."""

from bastion.command_control import policy
from tests.policy_rows import typed_and_exec
from tests.rows import each

ROWS = [
    # 2: database shells' commands given on the line, read as psql's, mysql's and sqlite3's
    ("duckdb -c '.shell rm -rf /etc'", "deny"), ("duckdb -c '.system rm -rf /etc'", "deny"),
    ("duckdb x.db '.shell rm -rf /etc'", "deny"), ("duckdb -cmd '.shell rm -rf /etc' x.db", "deny"),
    ("duckdb -c '.sh rm -rf /etc'", "deny"), ("duckdb -c 'select 1; .shell rm -rf /etc'", "deny"),
    ("duckdb -c.shell\\ rm\\ -rf\\ /etc", "deny"),
    ("edb-psql -c '\\! rm -rf /etc'", "deny"), ("pgcli -c '\\! rm -rf /etc'", "deny"),
    ("usql -c '\\! rm -rf /etc'", "deny"), ("vsql -c '\\! rm -rf /etc'", "deny"),
    ("nzsql -c '\\! rm -rf /etc'", "deny"), ("pgcli --command='\\! rm -rf /etc'", "deny"),
    ("mycli -e 'system rm -rf /etc'", "deny"), ("litecli -e '.shell rm -rf /etc' x.db", "deny"),
    ("beeline -e '!sh rm -rf /etc'", "deny"), ("sqlline -e '!sh rm -rf /etc'", "deny"),
    ("hive -e '!rm -rf /etc;'", "deny"), ("impala-shell -q 'shell rm -rf /etc'", "deny"),
    ("snowsql -q '!system rm -rf /etc'", "deny"), ("sqsh -C '\\! rm -rf /etc'", "deny"),
    ("clickhouse-local -q \"SELECT * FROM executable('rm -rf /etc', TSV, 'x String')\"", "confirm"),
    ("duckdb -c \"COPY (SELECT 'ops ALL=(ALL) NOPASSWD: ALL') TO '/etc/sudoers.d/ops' "
     "(HEADER false, QUOTE '')\"", "deny"),
    ("duckdb -c '.output /etc/sudoers.d/ops' -c \"select 'ops ALL=(ALL) NOPASSWD: ALL'\"", "deny"),
    ("duckdb /etc/sudoers.d/ops -c 'create table t(x int)'", "confirm"),
    ("clickhouse-local -q \"SELECT 'ops ALL=(ALL) NOPASSWD: ALL' INTO OUTFILE '/etc/sudoers.d/ops' "
     "FORMAT LineAsString\"", "deny"),
    ("clickhouse-client --query \"SELECT 1 INTO OUTFILE '/etc/sudoers.d/ops'\"", "deny"),
    ("edb-psql -c \"COPY (select 1) TO '/etc/sudoers.d/ops'\"", "deny"),
    ("cqlsh -e \"COPY ks.t TO '/etc/sudoers.d/ops'\"", "deny"),
    ("duckdb -c \"COPY (SELECT '') TO '/var/log/auth.log'\"", "deny"),
    ("pgcli -c '\\o /etc/sudoers.d/ops'", "confirm"), ("usql -c '\\o /etc/sudoers.d/ops'", "confirm"),
    ("vsql -o /etc/sudoers.d/ops -c 'select 1'", "confirm"),
    ("impala-shell -o /etc/sudoers.d/ops -q 'select 1'", "confirm"),
    ("snowsql -o output_file=/etc/sudoers.d/ops -q 'select 1'", "confirm"),
    ("sqsh -o /etc/sudoers.d/ops", "confirm"), ("isql-fb -o /etc/sudoers.d/ops -i x", "confirm"),
    ("sqlcmd -i /tmp/x -o /etc/sudoers.d/ops", "confirm"), ("duckdb -c 'install httpfs'", "confirm"),
    ("duckdb -c \"$Q\"", "confirm"), ("beeline -e '!connect jdbc:x'", "confirm"),
    ("mycli -e 'tee /tmp/x'", "confirm"),
    ("duckdb x.db -c 'select 1'", "allow"), ("duckdb -c '.tables'", "allow"),
    ("pgcli -h db1 -U app mydb", "allow"), ("clickhouse-client --query 'SELECT count() FROM t'", "allow"),
    ("mycli -e 'select * from users limit 5' mydb", "allow"), ("mycli -e 'select load from m'", "allow"),
    ("beeline -u jdbc:hive2://h:10000 -e 'show tables'", "allow"),
    ("impala-shell -q 'select 1'", "allow"), ("cqlsh -e 'describe keyspaces'", "allow"),
    ("usql pg://u@h/db -c 'select 1'", "allow"),
    ("duckdb -c \"select * from read_csv('/tmp/x.csv')\"", "allow"),
    ("duckdb -c \"COPY t TO '/tmp/out.csv'\"", "allow"), ("vsql -o /tmp/out.txt -c 'select 1'", "allow"),
    # 5: the volatile journal, utmp, faillog, pam_tally, sudo's logs, wtmpdb and lastlog2
    ("rm -rf /run/log/journal", "deny"), ("find /run/log/journal -type f -delete", "deny"),
    ("mv /run/log/journal /tmp/j", "deny"), ("rm -rf /run/log/journal/*", "confirm"),
    ("truncate -s0 /run/log/journal/*/system.journal", "confirm"),
    (": > /run/utmp", "deny"), ("rm /var/run/utmp", "deny"),
    ("utmpdump /run/utmp | grep -v ops | utmpdump -r > /tmp/u; cp /tmp/u /run/utmp", "deny"),
    (": > /var/log/faillog", "deny"), ("rm /var/log/tallylog", "deny"),
    ("faillog -r", "deny"), ("faillog -r -u root", "deny"), ("faillog -ar", "deny"),
    ("faillog --reset", "deny"), ("faillog --res -u root", "deny"),
    ("faillog -l 60 -u ops", "deny"), ("faillog --max=0", "deny"),
    ("rm -rf /var/log/sudo-io", "deny"), ("rm -rf /var/log/sudo-io/00/00/01", "deny"),
    ("rm /var/log/sudo.log", "deny"), ("rm /var/lib/wtmpdb/wtmp.db", "deny"),
    (": > /var/lib/lastlog/lastlog2.db", "deny"),
    ("lastlog2 -C -u root", "deny"), ("lastlog2 --clear", "deny"),
    ("lastlog2 --set -u root", "deny"), ("lastlog2 -i /tmp/x", "deny"),
    ("faillog -a", "allow"), ("faillog -u root", "allow"), ("lastlog2 -u root", "allow"),
    ("journalctl -n 50", "allow"), ("cat /run/utmp", "allow"), ("who", "allow"),
    ("last -f /var/log/wtmp", "allow"), ("ls -la /run/log/journal", "allow"),
    ("wtmpdb last", "allow"), ("rm /var/log/syslog.1", "allow"),
    # 6: inetd's, xinetd's, rlinetd's and init's configuration, runit's and s6's service folders
    ("echo '9999 stream tcp nowait root /bin/sh sh -i' >> /etc/inetd.conf", "confirm"),
    ("printf 'service x\\n{\\nuser = root\\nserver = /bin/sh\\n}\\n' > /etc/xinetd.d/x", "confirm"),
    ("echo x > /etc/xinetd.conf", "confirm"), ("echo x > /etc/rlinetd.d/x", "confirm"),
    ("echo '9:2345:respawn:/sbin/getty -a root 38400 tty9' >> /etc/inittab", "confirm"),
    ("sed -i s/a/b/ /etc/inittab", "confirm"), ("vi /etc/inetd.conf", "confirm"),
    ("echo x > /etc/sv/foo/run", "confirm"), ("ln -s /etc/sv/foo /etc/service/", "confirm"),
    ("ln -s /etc/sv/foo /var/service/", "confirm"), ("echo x > /etc/local.d/x.start", "confirm"),
    # ... the reloads under the packages' names, init's re-read, the binaries
    ("systemctl reload openbsd-inetd", "confirm"), ("service openbsd-inetd reload", "confirm"),
    ("/etc/init.d/openbsd-inetd reload", "confirm"), ("invoke-rc.d openbsd-inetd reload", "confirm"),
    ("systemctl reload inetutils-inetd", "confirm"), ("service inetutils-inetd reload", "confirm"),
    ("pkill -HUP inetutils-inetd", "confirm"),
    ("start-stop-daemon --stop --signal HUP --name inetd", "confirm"),
    ("start-stop-daemon -K -s HUP -p /run/inetd.pid", "confirm"),
    ("telinit q", "confirm"), ("init q", "confirm"), ("telinit Q", "confirm"),
    ("telinit u", "confirm"),
    ("inetutils-inetd /tmp/c", "confirm"), ("/usr/sbin/inetutils-inetd /tmp/c", "confirm"),
    ("openbsd-inetd /tmp/c", "confirm"), ("mini-inetd 9999 /bin/bash", "confirm"),
    ("echo '9999 stream tcp nowait root /bin/sh sh -i' >> /etc/inetd.conf && "
     "service openbsd-inetd reload", "confirm"),
    ("echo '9:2345:respawn:/sbin/getty -a root 38400 tty9' >> /etc/inittab && telinit q", "confirm"),
    ("cat /etc/inetd.conf", "allow"), ("grep -v '^#' /etc/xinetd.d/ssh", "allow"),
    ("cp /etc/inittab /tmp/x", "allow"), ("runlevel", "allow"),
    ("systemctl reload nginx", "allow"), ("service nginx reload", "allow"),
    ("start-stop-daemon --stop --name nginx", "allow"),
    # 7: ~/.ssh/rc of any home (held as /etc/ssh/sshrc), root's other startup files (flagged)
    ("echo 'systemctl stop auditd' >> /root/.ssh/rc", "confirm"),
    ("echo 'systemctl stop auditd' >> ~/.ssh/rc", "confirm"),
    ("echo x >> ~root/.ssh/rc", "confirm"), ("echo x >> /home/ops/.ssh/rc", "confirm"),
    ("cd ~root/.ssh && echo x > rc", "confirm"), ("cd /root/.ssh; echo x > rc", "confirm"),
    ("echo LD_PRELOAD=/tmp/x.so >> /root/.ssh/environment", "confirm"),
    ("vi /root/.ssh/rc", "confirm"), ("echo x >> .ssh/rc", "confirm"),
    ("echo x > ~/.ss[h]/rc", "confirm"), ("echo x > ~/.ssh/./rc", "confirm"),
    ("mv /tmp/x ~/.ssh/environment", "confirm"), ("tee -a ~deploy/.ssh//rc", "confirm"),
    *((f"echo 'systemctl stop auditd' >> {p}", "alert") for p in (
        "/root/.zshenv", "/root/.zprofile", "/root/.zlogin", "/root/.zlogout", "/etc/zshenv",
        "/root/.bash_logout", "/etc/bash.bash_logout", "/root/.bash_aliases", "/root/.kshrc",
        "/root/.mkshrc", "/root/.cshrc", "/root/.tcshrc", "/root/.login", "/etc/csh.cshrc",
        "/etc/csh.login", "/root/.config/fish/config.fish", "/etc/fish/config.fish",
        "/etc/fish/conf.d/x.fish", "/etc/bash_completion.d/x")),
    ("cat ~/.ssh/rc", "allow"), ("ls /root/.ssh", "allow"), ("echo x > /tmp/rc", "allow"),
    ("echo x > rc", "allow"), ("source ~/.bash_aliases", "allow"), ("fooprog /tmp", "allow"),
    ("rm -rf /srv/app", "allow"), ("echo x > ./rc", "allow"), ("echo x > ~/src/.env/rc", "allow"),
    ("echo x > ~/.config/environment", "allow"), ("cp -a /etc/skel/. /home/bob", "allow"),
    ("su - deploy -c 'cd app && git pull'", "allow"),
    # 8: libnss-extrausers', pam_tcb's, nss_db's account databases
    ("echo 'ops:x:0:0::/root:/bin/bash' >> /var/lib/extrausers/passwd", "deny"),
    ("echo 'ops:$6$s$h:19000:0:99999:7:::' >> /var/lib/extrausers/shadow", "deny"),
    ("echo 'sudo:x:27:ops' >> /var/lib/extrausers/group", "deny"),
    ("echo 'root:$6$s$h:19000::::::' > /etc/tcb/root/shadow", "deny"),
    ("printf 'root:$6$s$h:19000::::::\\n' | tee /etc/tcb/root/shadow", "deny"),
    ("cp /tmp/p /var/lib/extrausers/passwd", "deny"), ("rm -rf /etc/tcb/root", "deny"),
    ("ln -s /tmp/p /var/lib/extrausers/passwd", "deny"), ("cp /tmp/x /var/db/passwd.db", "deny"),
    ("sed -i s/x/y/ /var/lib/extrausers/shadow", "deny"),
    ("vi /var/lib/extrausers/passwd", "confirm"),
    ("cat /var/lib/extrausers/passwd", "allow"), ("cp /var/lib/extrausers/passwd /tmp/p", "allow"),
    ("cat /etc/tcb/root/shadow", "allow"),
]


@each(("line", "expected"), ROWS)
def test_y34f_b_rows(default_policy: policy.Policy, line: str, expected: str) -> None:
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == expected, (line, verdict)


@each("line", ["cd ~/.ssh && echo x > rc", "echo x >> ~/.ssh/rc",
                                  "cd; echo x > .ssh/environment"])
def test_y34f_b_root_logins_own_ssh_rc(default_policy: policy.Policy, line: str) -> None:
    # The gates give the login: `~` is root's home for a root login, so a `cd` into it is
    # followed (for another login only the spellings naming .ssh/rc are held: SECURITY.md).
    verdict = policy.evaluate(default_policy, line, role="engineer", target="web01", login="root",
                              interactive=False, known=policy.KnownValues())
    assert verdict.action == "confirm", verdict
