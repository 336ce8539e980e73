"""Variables found after outside attack a36f (findings 14, 15 and 23), merged into the tables
of policy/variables.py (`_HOOKS`, `_WRITTEN_FILES`), however they are set (a prefix, export,
declare, env):

- the JVM's option variables (JAVA_TOOL_OPTIONS, read by every JVM, JDK_JAVA_OPTIONS by the
  java launcher, _JAVA_OPTIONS, and the JAVA_OPTS-style ones launch scripts hand to java): their
  value is judged as `java VALUE`, so a JDWP or JMX server in it is held as on java's line;
- GNU parallel's PARALLEL_SSH (`$sshcommand ||= $opt::ssh || $ENV{'PARALLEL_SSH'}`, run by a
  shell on this host, as `--ssh` is), PARALLEL_SHELL (the shell it runs each job with) and
  PARALLEL_TMUX: programs, judged as shell code; PARALLEL_HOME (its settings) and
  PARALLEL_RSYNC_OPTS: unknown;
- the package managers' folder variables read as their folder options are (`--target-dir`,
  `--root`, `gem install -i`, `bundle install --path`): what the tool writes, under the folder.
"""

from __future__ import annotations

import re
import shlex

JVM_OPTION_VARIABLES = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS",
                        "CATALINA_OPTS", "MAVEN_OPTS", "GRADLE_OPTS", "SBT_OPTS", "ANT_OPTS",
                        "KAFKA_OPTS", "HADOOP_OPTS", "JVM_OPTS", "ES_JAVA_OPTS",
                        # attack b37f, finding 7: OpenJ9's own, and launch scripts' (Jetty,
                        # Logstash, OpenSearch, Spark, Hadoop, HBase, Solr, ZooKeeper, Tomcat)
                        "IBM_JAVA_OPTIONS", "OPENJ9_JAVA_OPTIONS", "JAVA_OPTIONS",
                        "LS_JAVA_OPTS", "OPENSEARCH_JAVA_OPTS", "SPARK_SUBMIT_OPTS",
                        "HADOOP_CLIENT_OPTS", "HBASE_OPTS", "SOLR_OPTS", "JVMFLAGS",
                        "SERVER_JVMFLAGS", "CLIENT_JVMFLAGS", "JPDA_OPTS", "MAVEN_DEBUG_OPTS",
                        "JAVA_DEBUG_OPTS")
# The launchers' JDWP address variables (catalina.sh jpda's JPDA_ADDRESS, mvnDebug's
# MAVEN_DEBUG_ADDRESS, kafka-run-class.sh's JAVA_DEBUG_PORT): judged as
# `java -agentlib:jdwp=transport=dt_socket,server=y,address=VALUE` (attack b37f, finding 7).
JDWP_ADDRESS_VARIABLES = ("JPDA_ADDRESS", "MAVEN_DEBUG_ADDRESS", "JAVA_DEBUG_PORT")
# a launch script's JVM options, also with a suffix (`JAVA_OPTS_APPEND`: Red Hat's run-java.sh;
# `*_OPTS_EXTRA`: attack c38f, finding 8)
_JVM_NAMES = re.compile(r"\w*(_OPTS|_OPTIONS|JVMFLAGS)(_\w*)?|\w*(JAVA|JVM)\w*(ARGS|FLAGS|OPTS?)\w*")
# a build tool's own command-line words from the environment (c38f, finding 8): Maven >= 3.9
# puts MAVEN_ARGS before its arguments, mvnw MAVEN_CONFIG, ant's script ANT_ARGS
BUILD_ARGS = {"MAVEN_ARGS": "mvn", "MAVEN_CONFIG": "mvn", "MVN_ARGS": "mvn", "ANT_ARGS": "ant"}


def jvm_option_kind(name: str) -> str | None:
    """Any other variable named like a launch script's JVM options (`*_OPTS`, `*_OPTIONS`,
    `*JVMFLAGS`, with a suffix too: HADOOP_NAMENODE_OPTS, JAVA_OPTS_APPEND...; JVM_ARGS,
    JAVA_ARGS and the like) is judged as java's options:
    only a JDWP/JMX server or an options file in its value is held (attack b37f, finding 7)."""
    return "java options" if name in BUILD_ARGS or _JVM_NAMES.fullmatch(name) else None


def handed_line(name: str, code: str) -> str:
    """The command line a "java options" variable's value is judged as: `java VALUE x`, a JDWP
    address variable's as java's `-agentlib:jdwp=...`, MAVEN_ARGS's as `mvn VALUE x` (so
    `-DargLine=...jdwp...` is held as on mvn's line)."""
    if name in JDWP_ADDRESS_VARIABLES:  # JPDA_ADDRESS=0.0.0.0:8000 (attack b37f, 7)
        code = f"-agentlib:jdwp=transport=dt_socket,server=y,address={code}"
    options = " ".join(shlex.quote(option) for option in code.split())
    return f"{BUILD_ARGS.get(name, 'java')} {options} x"


HANDED_HOOKS = {
    **dict.fromkeys(JVM_OPTION_VARIABLES, "java options"),
    **dict.fromkeys(JDWP_ADDRESS_VARIABLES, "java options"),
    # the shell code env_parallel hands parallel, run before each job (attack b37f, 14)
    "PARALLEL_ENV": "program",
    "PARALLEL_SSH": "program", "PARALLEL_SHELL": "program", "PARALLEL_TMUX": "program",
    # parallel's settings folder (its `config` and profiles: options, `--ssh CMD` among them)
    # and the options it hands rsync (`-e CMD`): read elsewhere, unknown
    "PARALLEL_HOME": "elsewhere", "PARALLEL_RSYNC_OPTS": "elsewhere",
    # ExtUtils::MakeMaker's and Module::Build's options from the environment (cpan, cpanm):
    # `INSTALL_BASE=DIR`, `--install_base DIR` name where modules and their scripts go
    "PERL_MM_OPT": "elsewhere", "PERL_MB_OPT": "elsewhere",
}
PACKAGE_FOLDERS = dict.fromkeys((
    "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "CARGO_INSTALL_ROOT", "CARGO_HOME",
    "RUSTUP_HOME", "GEM_HOME", "GEM_SPEC_CACHE", "BUNDLE_PATH", "BUNDLE_BIN", "BUNDLE_USER_HOME",
    "BUNDLE_APP_CONFIG", "PIPX_HOME", "PIPX_BIN_DIR", "PIPX_MAN_DIR", "PIPX_GLOBAL_HOME",
    "PIPX_GLOBAL_BIN_DIR", "UV_CACHE_DIR", "UV_TOOL_DIR", "UV_TOOL_BIN_DIR", "UV_INSTALL_DIR",
    "UV_PROJECT_ENVIRONMENT", "UV_PYTHON_INSTALL_DIR", "UV_PYTHON_BIN_DIR",
    "POETRY_VIRTUALENVS_PATH", "POETRY_CACHE_DIR", "POETRY_HOME", "PYTHONUSERBASE",
    "COMPOSER_HOME", "COMPOSER_VENDOR_DIR", "COMPOSER_BIN_DIR", "COMPOSER_CACHE_DIR",
    "PNPM_HOME", "YARN_CACHE_FOLDER", "YARN_GLOBAL_FOLDER", "CONDA_PKGS_DIRS", "CONDA_ENVS_PATH",
    "NVM_DIR", "VOLTA_HOME", "DENO_DIR", "DENO_INSTALL_ROOT", "BUN_INSTALL", "CPANM_HOME",
    "PERL_LOCAL_LIB_ROOT", "CABAL_DIR", "STACK_ROOT", "NIMBLE_DIR", "OPAMROOT", "LUAROCKS_TREE",
    "XDG_BIN_HOME",  # where uv and pipx put the programs they install
), "dir") | {"XDG_DATA_HOME": "data home"}
# uv's tool programs go to $XDG_DATA_HOME/../bin when neither UV_TOOL_BIN_DIR nor XDG_BIN_HOME
# is set, its tools to $XDG_DATA_HOME/uv/tools (attack b37f, finding 15): the folder and the
# `bin` beside it are written (`XDG_DATA_HOME=/usr/share uv tool install x`: /usr/bin).


def folder_patterns(kind: str, value: str) -> tuple[str, ...]:
    """The files written under a folder variable of kind "dir" or "data home" set to `value`."""
    folder = value.rstrip("/")
    if kind == "dir":
        return (f"{folder}/**",)
    parent = folder.rpartition("/")[0] if "/" in folder else "."
    return (f"{folder}/**", f"{parent}/bin/**")
