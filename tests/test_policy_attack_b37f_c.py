"""Attack b37f, findings 3, 6, 7, 11, 12 and 14: kills by a user spelled as procps and strtol
read it (`00`, `+0`, `-0`, a pattern bash expands), sqlite's writefile()/VACUUM INTO behind a
comment or a quoted name, JDWP servers through the JVM option variables of launch scripts, jcmd's
file of commands, a pattern in the unit of `systemctl set-property|edit|revert`, and GNU
parallel's PARALLEL_ENV. Each attack line is held typed and as an exec command; the honest lines
beside them still run."""

from bastion.command_control import policy
from tests.policy_rows import assert_held_or_runs
from tests.rows import each

NL = "\n"
JDWP = "-agentlib:jdwp=transport=dt_socket,server=y,address=0.0.0.0:5005"
HELD = [
    # finding 3: kills by root's uid spelled as procps and strtol read it, a pattern in the user
    "pkill -u 00", "pkill -u +0", "pkill -u -0", "pkill -u +00", "pkill -U +0", "pkill --euid=+0",
    "pkill -U-0", "pkill -9 -u 00", "pkill -u ' 0'", "pkill -U wazuh,00", "pgrep -u 00 | xargs kill",
    "start-stop-daemon -K -u 00", "start-stop-daemon --stop --user +0", "killall -u 00",
    "snice -u 00 +5", "pkill -u +999", "pkill -u 0999", "pkill -u 4294967296", "pkill -G 00",
    "cd /tmp && touch wazuh && pkill -u wazu?", "pkill -u 'wazu[h]'", "pkill -u wazu*",
    "killall -u 'ro?t'", "pkill -u '[0]'", "pkill -u '*'", "start-stop-daemon -K -u 'wazu?'",
    # finding 7: JVM option variables beyond the table, the launchers' debug addresses
    *(f"{name}={JDWP} java -jar a.jar" for name in (
        "IBM_JAVA_OPTIONS", "OPENJ9_JAVA_OPTIONS", "LS_JAVA_OPTS", "OPENSEARCH_JAVA_OPTS",
        "SPARK_SUBMIT_OPTS", "HADOOP_CLIENT_OPTS", "HADOOP_NAMENODE_OPTS", "YARN_NODEMANAGER_OPTS",
        "HBASE_OPTS", "SOLR_OPTS", "SERVER_JVMFLAGS", "JVMFLAGS", "JPDA_OPTS", "MAVEN_DEBUG_OPTS")),
    f"export JAVA_OPTIONS={JDWP}; java -jar a.jar",
    f"JVM_ARGS={JDWP} jmeter", f"KAFKA_HEAP_OPTS={JDWP} kafka-server-start.sh x",
    f"LS_JAVA_OPTS={JDWP} logstash", f"env SOLR_OPTS={JDWP} solr start",
    "JPDA_ADDRESS=0.0.0.0:8000 catalina.sh jpda start",
    "MAVEN_DEBUG_ADDRESS=0.0.0.0:8000 mvnDebug package",
    "KAFKA_DEBUG=y JAVA_DEBUG_PORT=0.0.0.0:5005 kafka-server-start.sh server.properties",
    "CATALINA_OPTS=-Dcom.sun.management.jmxremote.port=9010 catalina.sh run",
    f"mvn test -DargLine={JDWP}", f"mvn -Dmaven.surefire.debug='{JDWP}' test",
    "./gradlew test -Dorg.gradle.debug=true -Dorg.gradle.debug.host=0.0.0.0",
    "sbt -jvm-debug 0.0.0.0:5005", "sbt --jvm-debug=5005 run", f"sbt -J{JDWP} run",
    # finding 11: jcmd's file of commands
    "printf 'VM.start_java_debugging\\n' > /tmp/c; jcmd 1234 -f /tmp/c", "jcmd 0 -f /tmp/c",
    "jcmd org.apache.catalina.startup.Bootstrap -f /tmp/c", "jcmd 1234 -f/tmp/c",
    "echo 'JVMTI.agent_load /tmp/a.so' | jcmd 1234 -f /dev/stdin",
    # finding 12: a pattern in the unit of systemctl's verbs that change how a unit runs
    "cd /tmp && touch auditd && systemctl set-property audit? CPUQuota=1%",
    "cd /tmp && touch wazuh-agent && systemctl set-property wazuh-agen? CPUQuota=1%",
    "systemctl set-property auditd.servic? CPUQuota=1%", "systemctl set-property rsyslo? MemoryMax=1",
    "systemctl set-property 'wazuh-agen[t]' CPUQuota=1%", "systemctl set-property 'wazuh-agent*' CPUQuota=1%",
    "cd /tmp && touch wazuh-agent && systemctl edit wazuh-agen?", "systemctl revert 'wazuh-agen?'",
    "systemctl service-log-level 'audit?' emerg",
    "systemctl edit --drop-in x 'audit?'", "systemctl --runtime set-property 'audit?' CPUQuota=1%",
    "systemctl set-property 'ss?' MemoryMax=1", "systemctl set-property 'system.slic?' MemoryMax=1",
    "systemctl stop 'wazuh-agen?'", "systemctl clean 'wazuh*'",
    # finding 6: sqlite's writefile()/VACUUM INTO behind a comment or a quoted name
    *(f"sqlite3 :memory: \"{sql}\"" for sql in (
        "SELECT writefile/**/('/etc/sudoers.d/ops', 'x')",
        "SELECT \\\"writefile\\\"('/etc/sudoers.d/ops', 'x')",
        "SELECT [writefile]('/etc/sudoers.d/ops', 'x')", "SELECT `writefile`('/etc/sudoers.d/ops', 'x')",
        "SELECT writefile --c\n('/etc/sudoers.d/ops', 'x')", "VACUUM 'main' INTO '/etc/sudoers.d/ops'",
        f"VACUUM{NL}INTO '/etc/sudoers.d/ops'", "VACUUM/**/INTO '/etc/sudoers.d/ops'",
        f"VACUUM --x{NL}INTO '/etc/sudoers.d/ops'", "VACUUM [main] INTO '/etc/sudoers.d/ops'",
        "ATTACH/**/'/etc/sudoers.d/ops' AS x", "SELECT load_extension/**/('/tmp/x.so')")),
    "sqlite3 :memory: \"VACUUM'main'INTO'/etc/sudoers.d/ops'\"",
    "sqlite3 :memory: \"ATTACH 'a.db' AS \\\"x y\\\"; VACUUM \\\"x y\\\" INTO '/etc/sudoers.d/ops'\"",
    "sqlite3 :memory: <<< \"VACUUM/**/INTO '/etc/sudoers.d/ops'\"",
    "sqlite3 :memory: <<< \"SELECT writefile/**/('/etc/sudoers.d/ops', 'ops ALL=(ALL) NOPASSWD: ALL')\"",
    f"sqlite3 :memory: <<EOF{NL}SELECT [writefile] /* x */ ('/etc/sudoers.d/ops','x');{NL}EOF",
    "litecli -e \"VACUUM 'main' INTO '/etc/sudoers.d/ops'\"",
    # finding 14: PARALLEL_ENV is shell code parallel runs before each job
    "PARALLEL_ENV='systemctl stop auditd' parallel echo ::: 1",
    "PARALLEL_ENV='rm -rf /etc;' parallel -S h echo ::: 1",
    "export PARALLEL_ENV='rm -rf /etc;'; parallel echo ::: 1",
]
RUNS = [
    "systemctl set-property nginx MemoryMax=1G", "systemctl set-property 'ngin?' MemoryMax=1G",
    "systemctl edit 'nginx*'", "systemctl revert nginx", "systemctl status 'audit*'",
    "sqlite3 x.db \"SELECT 'a -- b', \\\"name\\\" FROM t -- c\"",
    "sqlite3 x.db 'SELECT [order] FROM t /* x */'",
    "sqlite3 x.db \"VACUUM INTO '/tmp/backup.db'\"",
    "sqlite3 x.db \"SELECT writefile/**/('/tmp/out.txt', 'x')\"",
    "pkill -u alice", "pkill -u alice,bob", "pkill -u 1001", "pkill -u +1001", "pgrep -u 00",
    "pkill -u alice -f myjob", "pkill -u deploy sleep", "start-stop-daemon -K -u alice",
    "killall -u bob", "pkill -u 'a*'",
    # honest JVM settings and other *_OPTS variables
    "JAVA_OPTS='-Xmx2g -Dfile.encoding=UTF-8' java -jar a.jar",
    "HADOOP_NAMENODE_OPTS=-Xmx4g hdfs namenode", "LS_JAVA_OPTS='-Xms1g -Xmx1g' logstash",
    "JPDA_ADDRESS=localhost:8000 catalina.sh jpda start",
    "JAVA_HOME=/usr/lib/jvm/java-17 mvn package", "JVM_ARGS=-Xmx1g jmeter",
    "sqlite3 x.db \"VACUUM; INSERT INTO t VALUES (1)\"",
    "DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b", "MAKEOPTS=-j4 make",
    "NODE_OPTIONS=--max-old-space-size=4096 node a.js",
    "jcmd 1234 Thread.print", "jcmd -l", "jcmd 1234 GC.heap_info", "sbt compile",
    "sbt -jvm-debug localhost:5005", "mvn package -DskipTests", "mvn test -DargLine=-Xmx1g",
    "./gradlew build -Dorg.gradle.debug.host=localhost", "gradle build", "sbt -J-Xmx2g test",
    "PARALLEL_ENV='echo hi' parallel echo ::: 1", "parallel gzip ::: a b",
]


@each(("line", "held"), [(line, True) for line in HELD] + [(line, False) for line in RUNS])
def test_b37f_c_rows(default_policy: policy.Policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
