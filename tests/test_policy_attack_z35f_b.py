"""Attack z35f, findings 2, 3, 4, 11, 16 and 17: D-Bus methods of the services that guard the
host (firewalld, UDisks2, NetworkManager...), proxy commands handed to ansible's paramiko and
libssh plugins and virsh's `connect`, database shells' write targets read by the statement's
grammar, the super-servers' other spellings (update-inetd, unit suffixes, daemontools' /service,
a reload signal by pattern), `pipx runpip` as pip, and debugger servers. Each line is judged
typed and as an exec command: the attacker's lines and their siblings are held (denied or
confirmed; `deny` where the plain spelling is denied), the honest lines beside them run."""

from tests.policy_rows import HELD, typed_and_exec
from tests.rows import each

FW = "org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1"
UD = "org.freedesktop.UDisks2 /org/freedesktop/UDisks2/block_devices/sda org.freedesktop.UDisks2"
Q = "COPY (SELECT 'ops ALL=(ALL) NOPASSWD: ALL' AS \\\"/tmp/x\\\")"
SERVER = "confirm"
WRITE = ("alert", "confirm", "deny")  # as `echo x > /etc/cron.d/x` is (alert)
RUNS = ("allow", "alert")  # an alert runs

ROWS = [
    # 2: D-Bus methods of the services that guard the host
    (f"busctl call {FW}.direct passthrough sas ipv4 1 -F", "deny"),
    (f"busctl call {FW}.direct passthrough sas ipv4 2 --flush INPUT", "deny"),
    ("dbus-send --system --print-reply --dest=org.fedoraproject.FirewallD1 "
     "/org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.direct.passthrough "
     "string:ipv4 array:string:-F", "deny"),
    ("gdbus call --system --dest org.fedoraproject.FirewallD1 --object-path "
     "/org/fedoraproject/FirewallD1 --method org.fedoraproject.FirewallD1.direct.passthrough "
     "ipv4 \"['-F']\"", "deny"),
    ("qdbus --system org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 "
     "org.fedoraproject.FirewallD1.direct.passthrough ipv4 -F", "deny"),
    (f"busctl call {FW} panicOn", "deny"),
    (f"busctl call {FW}.direct addRule sssias ipv4 filter INPUT 0 2 -j ACCEPT", "confirm"),
    (f"busctl call {FW} setDefaultZone s trusted", "confirm"),
    (f"busctl call {FW}.zone addService sss public ssh 0", "confirm"),
    (f"busctl call {FW} reload", "confirm"),
    (f"busctl call {UD}.Block Format sa{{sv}} ext4 0", "deny"),
    (f"busctl call {UD}.Block AddConfigurationItem '(sa{{sv}})' fstab 0 0", "deny"),
    (f"busctl call {UD}.Filesystem Mount a{{sv}} 0", "confirm"),
    (f"busctl call {UD}.Encrypted Unlock sa{{sv}} pw 0", "confirm"),
    ("busctl call org.freedesktop.NetworkManager /org/freedesktop/NetworkManager "
     "org.freedesktop.NetworkManager Enable b false", "confirm"),
    ("busctl call org.freedesktop.timedate1 /org/freedesktop/timedate1 "
     "org.freedesktop.timedate1 SetTime xbb 0 false false", "confirm"),
    ("gdbus call -y -d org.freedesktop.PackageKit -o /x -m "
     "org.freedesktop.PackageKit.Transaction.InstallFiles 0 \"['/tmp/x.deb']\"", "confirm"),
    # 3: proxy commands handed to ansible's other plugins, libvirt's URI to virsh's `connect`
    ("ANSIBLE_PARAMIKO_PROXY_COMMAND='rm -rf /etc' ansible all -i h, -c paramiko -m ping", "deny"),
    ("ANSIBLE_PARAMIKO_PROXY_COMMAND='rm -rf /etc' ansible-playbook -i h, p.yml", "deny"),
    ("export ANSIBLE_PARAMIKO_PROXY_COMMAND='rm -rf /etc'; ansible all -i h, -m ping", "deny"),
    ("ANSIBLE_LIBSSH_PROXY_COMMAND='rm -rf /etc' ansible all -i h, -m ping", "deny"),
    ("ansible-playbook -i h, p.yml -e 'ansible_paramiko_proxy_command=\"rm -rf /etc\"'", "confirm"),
    ("ansible-playbook -i h, p.yml --extra-vars=ansible_paramiko_proxy_command=/tmp/x", "confirm"),
    ("ansible-playbook p.yml -e ansible_libssh_proxy_command=/tmp/x", "confirm"),
    ("ANSIBLE_NETCONF_SSH_CONFIG=/tmp/c ansible-playbook p.yml", "confirm"),
    ("ANSIBLE_LIBSSH_CONFIG_FILE=/tmp/c ansible all -m ping", "confirm"),
    ("virsh connect 'qemu+ssh://h/system?command=/tmp/x'", "confirm"),
    ("virsh 'connect qemu+ssh://h/system?command=/tmp/x'", "confirm"),
    # 4: a write's target by the statement's grammar, however quoted, beside a decoy path
    (f"duckdb -c \"{Q} TO \\$\\$/etc/sudoers.d/ops\\$\\$ (HEADER false, QUOTE '')\"", "deny"),
    (f"duckdb -c \"{Q} TO \\$t\\$/etc/sudoers.d/ops\\$t\\$\"", "deny"),
    (f"duckdb x.db \"{Q} TO \\$\\$/etc/sudoers.d/ops\\$\\$\"", "deny"),
    (f"duckdb -c \"{Q} TO \\\"/etc/sudoers.d/ops\\\"\"", "deny"),
    (f"duckdb -c \"{Q} TO E'/etc/sudoers.d/ops'\"", "deny"),
    (f"duckdb -c \"{Q} TO E'/etc/sudoers.d/o\\\\x70s'\"", HELD),
    ("duckdb -c \"ATTACH \\$\\$/etc/sudoers.d/ops\\$\\$ AS a (TYPE sqlite); SELECT '/tmp/x'\"", "deny"),
    ("duckdb -c \"ATTACH DATABASE IF NOT EXISTS \\$\\$/etc/sudoers.d/ops\\$\\$ AS a\"", "deny"),
    ("clickhouse-local -q \"SELECT '/tmp/x' INTO OUTFILE \\$\\$/etc/cron.d/x\\$\\$\"", WRITE),
    ("duckdb -c \"COPY (SELECT '/tmp/x') TO getvariable('t')\"", "confirm"),
    ("duckdb -c \"COPY (SELECT 'x' AS \\\"/tmp/x\\\") TO '.ssh/authorized_keys'\"", "alert"),
    ("duckdb -c \"COPY (SELECT 'x' AS \\\"/tmp/x\\\") TO '../etc/cron.d/x'\"", "alert"),
    # 11: the super-servers by their other spellings
    ("update-inetd --add '9999\\tstream\\ttcp\\tnowait\\troot\\t/bin/sh\\tsh -i'", "confirm"),
    ("update-inetd --add \"$(printf '9999\\tstream\\ttcp\\tnowait\\troot\\t/bin/sh')\"", "confirm"),
    ("update-inetd --group OTHER --add '9999\\tstream\\ttcp\\tnowait\\troot\\t/bin/sh'", "confirm"),
    ("update-inetd --enable telnet", "confirm"), ("update-inetd -add x", "confirm"),
    ("update-inetd --a x", "confirm"),
    ("systemctl reload inetd.service", "confirm"), ("systemctl reload xinetd.service", "confirm"),
    ("systemctl reload openbsd-inetd.service", "confirm"),
    ("systemctl reload rlinetd.service", "confirm"), ("systemctl reload inetd.socket", "confirm"),
    ("systemctl start inetutils-inetd.service", "confirm"),
    ("systemctl reload 'inetd.*'", "confirm"), ("systemctl reload 'x?netd'", "confirm"),
    ("systemctl --signal HUP kill 'xinet*'", "confirm"),
    ("ln -s /tmp/svc /service/x", "confirm"), ("cp -r /tmp/svc /service/", "confirm"),
    ("mv /tmp/svc /service/", "confirm"), ("echo 'exec sh' > /service/x/run", "confirm"),
    ("pkill -HUP inet", "confirm"), ("pkill -HUP -x inet.", "confirm"),
    ("killall -HUP -r inet", "confirm"), ("pkill -SIGHUP xinet", "confirm"),
    # 16: pipx runpip is pip
    ("pipx runpip x config edit --editor 'rm -rf /etc'", "deny"),
    ("pipx runpip x config set global.log /etc/sudoers", "deny"),
    ("pipx runpip x --log /etc/sudoers list", "confirm"),
    ("pipx runpip x install --target /etc y", "confirm"),
    ("npm --script-shell /tmp/x run build", "confirm"), ("npm --userconfig /tmp/n ls", "confirm"),
    ("npm --userconfig=/tmp/n ls", "confirm"), ("npm --globalconfig /tmp/n ls", "confirm"),
    ("pnpm --config.script-shell=/tmp/x run build", "confirm"),
    ("npm run build --script-sh=/tmp/x", "confirm"), ("npx --node-options='-r /tmp/x' y", "confirm"),
    ("yarn --userconfig /tmp/n install", "confirm"),
    # 17: debugger and inspector servers
    ("dlv dap --listen=0.0.0.0:4444", SERVER), ("dlv dap", SERVER),
    ("dlv --headless --listen=0.0.0.0:2345 --accept-multiclient exec /bin/true", SERVER),
    ("dlv --headless -l :2345 debug", SERVER),
    ("python3 -m debugpy --listen 0.0.0.0:5678 x.py", SERVER),
    ("debugpy --listen 5678 x.py", SERVER), ("python3 -m debugpy --connect h:5678 x.py", SERVER),
    ("node --inspect=0.0.0.0:9229 x.js", SERVER), ("node --inspect-brk=0.0.0.0:9229 x.js", SERVER),
    ("node --inspect-port 0.0.0.0:9229 x.js", SERVER), ("node --inspect=:9229 x.js", SERVER),
    ("deno run --inspect=0.0.0.0:9229 x.ts", SERVER), ("bun --inspect=0.0.0.0:6499 x.js", SERVER),
    ("rdbg --open --host 0.0.0.0 --port 12345 x.rb", SERVER), ("rdbg -O x.rb", SERVER),
    ("erl -name x@0.0.0.0 -setcookie y", SERVER), ("iex --sname x --cookie y", SERVER),
    ("elixir --sname x -S mix run", SERVER),
    ("python3 -m debugpy.adapter --host 0.0.0.0 --port 5678", SERVER),
    ("ruby -r debug/open x.rb", SERVER), ("ruby -rdebug/open_nonstop x.rb", SERVER),
    ("RUBY_DEBUG_OPEN=1 ruby x.rb", SERVER), ("rdbg --port 1234 x.rb", SERVER),
    ("jdb -listen 8000", SERVER), ("gdbserver :1234 /bin/true", SERVER),
    ("lldb-server platform --listen '*:1234' --server", SERVER),
    # honest lines beside them: they run
    (f"busctl call {FW} getDefaultZone", "allow"),
    ("busctl introspect org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1", "allow"),
    ("busctl call org.freedesktop.NetworkManager /org/freedesktop/NetworkManager/Settings "
     "org.freedesktop.NetworkManager.Settings ListConnections", "allow"),
    ("busctl tree org.freedesktop.UDisks2", "allow"), ("busctl list", "allow"),
    ("gdbus introspect --system --dest org.freedesktop.UDisks2 --object-path /org/freedesktop/UDisks2",
     "allow"),
    ("ansible all -i h, -m ping", "allow"),
    ("ANSIBLE_FORKS=10 ansible all -m ping", "allow"), ("ansible-playbook site.yml -e env=prod", "allow"),
    ("virsh list --all", "allow"), ("virsh start vm1", "allow"),
    ("duckdb -c \"COPY t TO 'out.csv'\"", "allow"),
    ("duckdb x.db \"COPY (SELECT 'walk to town') TO '/tmp/o.csv' (HEADER)\"", "allow"),
    ("clickhouse-local -q \"SELECT 1 INTO OUTFILE 'out.tsv'\"", "allow"),
    ("duckdb -c \"SELECT 1\"", "allow"),
    ("systemctl status inetd.service", "allow"), ("systemctl is-active inetd.socket", "allow"),
    ("systemctl reload 'php*-fpm'", "allow"), ("systemctl status 'inetd*'", "allow"),
    ("ls /service", "allow"), ("cat /service/x/run", "allow"),
    ("update-inetd --remove telnet", RUNS), ("update-inetd --disable telnet", RUNS),
    ("pkill -HUP nginx", "allow"), ("pkill sleep", "allow"),
    ("pipx runpip x list", "allow"), ("pipx runpip x install requests", "allow"),
    ("pipx install black", "allow"),
    ("npm install --save-dev jest", "allow"), ("npm install --only=prod", "allow"),
    ("npm --prefix client run build", "allow"), ("npm ci --ignore-scripts", "allow"),
    ("npm version patch --git-tag-version=false", "allow"), ("pnpm install --frozen-lockfile", "allow"),
    ("dlv debug", "allow"), ("dlv test ./...", "allow"), ("dlv connect 127.0.0.1:2345", "allow"),
    ("node --inspect x.js", "allow"), ("node --inspect=9229 x.js", "allow"),
    ("node --inspect=127.0.0.1:9229 x.js", "allow"), ("node --inspect-brk x.js", "allow"),
    ("deno run --inspect x.ts", "allow"), ("node x.js", "allow"),
    ("erl -noshell -eval 'io:format(\"hi\")' -s init stop", "allow"), ("iex -S mix", "allow"),
    ("jdb -classpath . Main", "allow"), ("rdbg x.rb", "allow"), ("ruby -r debug x.rb", "allow"),
]


@each(("line", "want"), ROWS)
def test_attack_z35f_b_lines(default_policy, line, want):
    wanted = want if isinstance(want, tuple) else (want,)
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action in wanted, (line, verdict)
