"""Attack a36f, findings 8, 9, 11, 12, 13, 14, 15, 21 and 23: a pattern or the ignore-errors
`-` in sysctl's KEY=VALUE, gdb's early-init commands and lldb's one-dash long options, the HIDS
(Wazuh/OSSEC) by its users, rc tools, unit properties, configuration and tree, account
databases beside the listed ones, the JVM's debugger and JMX servers, GNU parallel's
PARALLEL_SSH, update-inetd's suffix-matched options, and package managers' folder variables.
Judged as the gates judge them: typed and as an exec command."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

# (line, held): held means denied or confirmed typed and as an exec command
ROWS = [
    # finding 8: a pattern in the key (bash expands it first, `=` and all): any setting
    ("sysctl -w kernel.core_patter?='|/tmp/x'", True), ("sysctl kernel.core_pat*='|/tmp/x'", True),
    ("cd /tmp && touch kernel.randomize_va_space=0 && sysctl -w kernel.randomize_va_spac?=0", True),
    ("sysctl -w kernel.modprob?=/tmp/x", True), ("sysctl -w fs.suid_dumpabl?=2", True),
    ("sysctl -w kernel.*=0", True), ("sysctl -w kernel.core_pat[t]ern=x", True),
    # finding 9: the leading `-` (ignore failure), `/` separators, files
    ("sysctl -w -- -kernel.core_pattern='|/tmp/x'", True),
    ("sysctl -- -kernel.randomize_va_space=0", True),
    ("sysctl -w -- -kernel.yama.ptrace_scope=0", True),
    ("sysctl -q -- -fs.suid_dumpable=2", True), ("sysctl -w -- '- kernel.modprobe=/tmp/x'", True),
    ("sysctl -w kernel/core_pattern=x", True), ("sysctl -w /kernel/modprobe=/tmp/x", True),
    ("sysctl -w kernel/yama/ptrace_scope=0", True), ("sysctl -p /tmp/x.conf", True),
    ("echo x > /proc/sys/kernel/core_patter?", True),
    ("tee /proc/sys/kernel/modprobe <<< /tmp/x", True),
    # honest sysctl lines that still run
    ("sysctl -a", False), ("sysctl kernel.hostname", False), ("sysctl -n kernel.core_pattern", False),
    ("sysctl -w net.ipv4.ip_forward=1", False), ("sysctl vm.swappiness=10", False),
    ("sysctl -p", False), ("sysctl --system", False),
    ("sysctl net.ipv4.conf.eth0/1.rp_filter=0", False),
    # finding 11: gdb's early-init commands (-eiex, -eix: any start, one or two dashes) and
    # lldb's long options with one dash
    ("gdb -batch -nx -eiex 'shell rm -rf /etc'", True), ("gdb -eiex 'shell rm -rf /etc'", True),
    ("gdb --batch --nx --early-init-eval-command='!rm -rf /etc'", True),
    ("gdb -batch -nx --early-init-eval='shell systemctl stop auditd'", True),
    ("gdb-multiarch -batch -nx -eiex 'shell rm -rf /etc'", True),
    ("gdb -batch -nx -eiex 'shell echo x > /etc/sudoers.d/ops' -p 1234", True),
    ("gdb -batch -nx -eix /tmp/cmds", True), ("gdb -early-init-command=/tmp/c", True),
    ("lldb -b -one-line 'platform shell rm -rf /etc'", True),
    ("lldb -b -one-line-before-file 'script import os'", True),
    ("lldb -b -source /tmp/cmds", True), ("lldb -b -source-before-file /tmp/cmds", True),
    ("lldb -one-line-on-crash 'platform shell id' ./a.out", True),
    ("lldb -b -x -one-line 'process kill' -attach-pid $(pidof auditd)", True),
    # honest debugger lines that still run
    ("gdb -batch -nx -eiex 'set pagination off' -ex bt -p 1234", False),
    ("gdb -batch -nx -eiex bt -p $(pidof auditd)", False), ("gdb -q ./a.out", False),
    ("lldb -b -x -one-line bt -attach-pid 1234", False), ("lldb ./a.out", False),
    # finding 12: the HIDS by its daemons' users, rc tools, unit properties, configuration, tree
    ("pkill -u wazuh", True), ("pkill -U wazuh", True), ("pkill --euid wazuh", True),
    ("killall -u wazuh", True), ("pkill -u ossec", True), ("pkill -9 -u syslog", True),
    ("pkill -u 998", True), ("skill -u wazuh", True), ("start-stop-daemon --stop --user wazuh", True),
    ("update-rc.d wazuh-agent disable", True), ("update-rc.d -f wazuh-agent remove", True),
    ("chkconfig wazuh-agent off", True), ("rc-update del wazuh-agent", True),
    ("systemd-sysv-install disable wazuh-agent", True), ("sv down wazuh-agent", True),
    ("stop wazuh-agent", True), ("systemctl set-property wazuh-agent CPUQuota=1%", True),
    ("systemctl edit wazuh-agent", True),
    ("echo '<ossec_config/>' > /var/ossec/etc/ossec.conf", True),
    ("sed -i 's/<disabled>no/<disabled>yes/' /var/ossec/etc/ossec.conf", True),
    ("echo 'agent.debug=0' > /var/ossec/etc/local_internal_options.conf", True),
    ("echo x > /var/ossec/active-response/bin/restart.sh", True),
    ("rm -rf /var/ossec", True), ("rm -rf /var/ossec/etc", True),
    ("mv /var/ossec/bin/wazuh-agentd /tmp/", True), ("rm -rf /var/ossec/logs", True),
    ("mount -t tmpfs none /var/ossec/logs", True), ("mount -t tmpfs none /var/ossec/queue", True),
    ("mount --bind /tmp/e /var/ossec/etc", True),
    # honest HIDS lines that still run
    ("pkill -u alice", False), ("pkill -u 1001", False), ("killall -u bob firefox", False),
    ("pkill -u www-data php-fpm", False), ("update-rc.d wazuh-agent defaults", False),
    ("chkconfig wazuh-agent on", False), ("systemctl status wazuh-agent", False),
    ("systemctl restart wazuh-agent", False), ("cat /var/ossec/etc/ossec.conf", False),
    ("tail -f /var/ossec/logs/ossec.log", False), ("cp /var/ossec/etc/ossec.conf /tmp/", False),
    ("grep x /var/ossec/logs/alerts/alerts.log", False),
    # finding 13: account databases beside the listed ones (userdb, homed, sssd, libnss-cache,
    # nss-altfiles)
    ("""echo '{"userName":"ops","memberOf":["sudo"]}' > /etc/userdb/ops.user""", True),
    ("cp /tmp/ops.user /etc/userdb/ops.user", True), ("cp /tmp/ops.user /etc/userdb/", True),
    ("ln -s /tmp/ops.user /run/userdb/ops.user", True), ("echo x > /usr/lib/userdb/ops.user", True),
    ("mkdir -p /etc/userdb && cp /tmp/a /etc/userdb/a.user", True),
    ("echo 'ops:x:0:0::/root:/bin/bash' >> /etc/passwd.cache", True),
    ("echo 'ops:$6$x:1::::::' >> /etc/shadow.cache", True),
    ("echo 'sudo:x:27:ops' >> /etc/group.cache", True),
    ("tee -a /etc/group.cache.ixname < /tmp/x", True), ("cp -s /tmp/x /etc/passwd.cache", True),
    ("echo 'ops:x:0:0::/root:/bin/bash' >> /usr/lib/passwd", True),
    ("echo 'sudo:x:27:ops' >> /usr/lib/group", True), ("echo x > /lib/passwd", True),
    ("echo x > /var/lib/systemd/home/ops.identity", True), ("vi /etc/userdb/ops.user", True),
    ("echo k > /etc/sshkey.cache", True),
    # honest account lines that still run
    ("userdbctl user", False), ("cat /etc/userdb/x.user", False), ("cp /usr/lib/passwd /tmp/", False),
    ("homectl list", False), ("getent passwd ops", False),
    # finding 14: the JVM's JDWP and JMX servers, on java's line, in its option variables, by jcmd
    ("java -agentlib:jdwp=transport=dt_socket,server=y,address=0.0.0.0:5005 Main", True),
    ("java -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=0.0.0.0:5005 -jar app.jar", True),
    ("java -Xrunjdwp:transport=dt_socket,server=y,address=0.0.0.0:5005 Main", True),
    ("java -agentlib:jdwp=transport=dt_socket,server=y,address=*:5005 -jar x.jar", True),
    ("java -agentlib:jdwp=transport=dt_socket,server=y,address=5005 -jar a.jar", True),
    ("java -agentlib:jdwp=server=y,transport=dt_socket -jar a.jar", True),
    ("java -agentlib:jdwp=transport=dt_socket,server=y,address=127.0.0.1:5005,"
     "address=0.0.0.0:5005 -jar a.jar", True),
    ("java -agentlib:jdwp=transport=dt_socket,server=n,address=10.0.0.1:5005 -jar a.jar", True),
    ("jshell -J-agentlib:jdwp=transport=dt_socket,server=y,address=0.0.0.0:5005", True),
    ("JAVA_TOOL_OPTIONS=-agentlib:jdwp=transport=dt_socket,server=y,address=0.0.0.0:5005 "
     "java -jar x.jar", True),
    ("JDK_JAVA_OPTIONS=-agentlib:jdwp=transport=dt_socket,server=y,address=0.0.0.0:5005 "
     "java -jar x.jar", True),
    ("export JAVA_TOOL_OPTIONS='-Xrunjdwp:transport=dt_socket,server=y,address=0.0.0.0:5005'; "
     "java -jar x.jar", True),
    ("CATALINA_OPTS='-agentlib:jdwp=transport=dt_socket,server=y,address=*:8000' catalina.sh run", True),
    ("java -Dcom.sun.management.jmxremote.port=9010 "
     "-Dcom.sun.management.jmxremote.authenticate=false -jar a.jar", True),
    ("env _JAVA_OPTIONS=-Dcom.sun.management.jmxremote.port=9010 java -jar x.jar", True),
    ("java -Dcom.sun.management.config.file=/tmp/m.properties -jar a.jar", True),
    ("jcmd 1234 ManagementAgent.start jmxremote.port=9010", True),
    ("jcmd 1234 VM.start_java_debugging", True), ("jcmd 1234 JVMTI.agent_load /tmp/a.so", True),
    ("jattach 1234 load /tmp/a.so true", True),
    ("java @/tmp/opts -jar x.jar", True), ("java -XX:VMOptionsFile=/tmp/o -jar x.jar", True),
    ("JDK_JAVA_OPTIONS=@/tmp/opts java -jar x.jar", True),
    # honest JVM lines that still run
    ("java -jar app.jar", False), ("java -Xmx2g -jar app.jar", False),
    ("java -XX:+UseG1GC -jar x.jar", False),
    ("java -agentlib:jdwp=transport=dt_socket,server=y,address=127.0.0.1:5005 -jar a.jar", False),
    ("java -agentlib:jdwp=transport=dt_socket,server=y,address=localhost:5005 -jar a.jar", False),
    ("java -Dcom.sun.management.jmxremote -jar a.jar", False), ("JAVA_OPTS=-Xmx2g mvn package", False),
    ("JAVA_TOOL_OPTIONS=-Dfile.encoding=UTF-8 java -jar x.jar", False),
    ("jcmd 1234 Thread.print", False), ("jcmd 1234 ManagementAgent.start_local", False),
    # finding 15: GNU parallel's PARALLEL_SSH (and PARALLEL_SHELL) as --ssh's value: code
    ("PARALLEL_SSH='rm -rf /etc; true' parallel -S h echo ::: a", True),
    ("export PARALLEL_SSH='rm -rf /etc; true'; parallel -S h echo ::: a", True),
    ("declare -x PARALLEL_SSH='rm -rf /etc; true'; parallel -S h echo ::: a", True),
    ("env PARALLEL_SSH='systemctl stop auditd; true' parallel -S h echo ::: a", True),
    ("""PARALLEL_SSH="ssh -o ProxyCommand='rm -rf /etc'" parallel -S h echo ::: a""", True),
    ("PARALLEL_SSH=reboot parallel -S h echo ::: a", True),
    ("PARALLEL_SHELL='rm -rf /etc; true' parallel echo ::: a", True),
    ("PARALLEL_TMUX='rm -rf /etc; true' parallel --tmux echo ::: a", True),
    ("PARALLEL_HOME=/tmp/p parallel echo ::: a", True),
    ("PARALLEL_RSYNC_OPTS='-e x' parallel --transfer -S h echo ::: a", True),
    ("parallel --sshloginfile /tmp/l echo ::: a", True), ("parallel --slf .. echo ::: a", True),
    # honest parallel lines that still run (an ssh onward is alerted, as `--ssh ssh` is)
    ("parallel -j4 gzip ::: *.log", False), ("parallel -S h1,h2 echo ::: a", False),
    # finding 23: package managers' folder variables read as their folder options
    ("CARGO_TARGET_DIR=/etc/sudoers.d cargo build", True),
    ("CARGO_BUILD_TARGET_DIR=/etc/sudoers.d cargo build", True),
    ("CARGO_INSTALL_ROOT=/etc/sudoers.d cargo install x", True),
    ("CARGO_HOME=/etc/sudoers.d cargo install x", True), ("GEM_HOME=/etc/sudoers.d gem install x", True),
    ("BUNDLE_PATH=/etc/sudoers.d bundle install", True),
    ("PIPX_HOME=/etc/sudoers.d pipx install x", True), ("export PIPX_BIN_DIR=/etc/sudoers.d", True),
    ("UV_CACHE_DIR=/etc/sudoers.d uv sync", True),
    ("POETRY_VIRTUALENVS_PATH=/etc/sudoers.d poetry install", True),
    ("PYTHONUSERBASE=/etc/sudoers.d pip install --user x", True),
    ("env COMPOSER_HOME=/etc/sudoers.d composer global require x", True),
    ("npm_config_prefix=/etc/sudoers.d npm i -g x", True),
    ("XDG_BIN_HOME=/etc/sudoers.d uv tool install x", True),
    ("PERL_MM_OPT=INSTALL_BASE=/etc/sudoers.d cpan X", True),
    # honest package lines that still run
    ("CARGO_TARGET_DIR=target cargo build", False), ("CARGO_TARGET_DIR=/tmp/t cargo build", False),
    ("GEM_HOME=~/.gem gem install x", False), ("export CARGO_HOME=~/.cargo", False),
    ("BUNDLE_PATH=vendor/bundle bundle install", False),
    ("export PIPX_HOME=/opt/pipx; pipx install x", False),
    # finding 21: update-inetd's options matched by their end, as its loop reads them
    ("update-inetd -x--add '9999\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i'", True),
    ("update-inetd --remove--add '9999\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i'", True),
    ("update-inetd ---add '9999\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i'", True),
    ("update-inetd --verbose--add '9999\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i'", True),
    ("update-inetd $'-x--add\n' '9999\tstream\ttcp\tnowait\troot\t/bin/sh\tsh -i'", True),
    ("update-inetd -x--enable telnet", True), ("update-inetd --disable--enable telnet", True),
    ("update-inetd -x--enable shell", True), ("update-inetd -x--file /tmp/inetd.conf --remove x", True),
    # honest update-inetd lines that still run
    ("update-inetd --verbose --disable x", False),
]


@each(("line", "held"), ROWS)
def test_a36f_d_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
