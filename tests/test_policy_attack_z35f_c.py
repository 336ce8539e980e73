"""Attack z35f, findings 5, 6, 7 and 12: python's modules by other names (`-m pip.__main__`,
`-m pip.__pip-runner__`, pip's package folder or its __main__.py, `-m asyncio.__main__` whose
REPL reads stdin), `-m` inside an option cluster (`-Emdjango shell`, `-Im ipdb x.py`), gdb's and
lldb's init files run on an attached process (`gdb -batch -p PID` exempt only with -nx, lldb's
`-b` only with -x), and framework verbs that run code read from stdin (`rails runner -`,
`wp eval-file -`, `drush php:cli`, Symfony Console abbreviations: `php artisan tink`).
Judged as the gates judge them: typed and as an exec command; the stdin readings as
`judge_exec` reads them (an "interpreter" or "program" reading holds an exec channel's data)."""

from bastion.command_control.policy.commands import reads_script_from_stdin
from tests.policy_rows import assert_held_or_runs
from tests.rows import each

SP = "/usr/lib/python3/dist-packages"
# (line, held): held means denied or confirmed typed and as an exec command
ROWS = [
    # finding 5: a module by another name, read as the module (pip's deny/confirm, venv's alert
    # is not "held": see ALERTS), pip by its package folder or its __main__.py
    ("python3 -m pip.__main__ config set global.log /etc/sudoers", True),
    ("python3 -m pip.__pip-runner__ config set global.log /etc/sudoers", True),
    (f"python3 {SP}/pip config set global.log /etc/sudoers", True),
    (f"python3 {SP}/pip/ config set global.log /etc/sudoers", True),
    (f"python3 {SP}/pip/__main__.py config set global.log /etc/sudoers", True),
    (f"python3 {SP}/pip/__pip-runner__.py config set global.log /etc/sudoers", True),
    ("python3 -m pip.__main__ --log /etc/sudoers list", True),
    ("python3 -m pip.__main__ install --target /etc x", True),
    ("python3 -Im pip.__main__.__main__ install --target /etc x", True),
    ("python3 -m runpy pip.__main__ install --target /etc x", True),
    ("python3 -m cProfile -m pip.__main__ install --target /etc x", True),
    ("python3 -m jupyterlab.__main__", True),
    ("python3 -m jupyterlab.labapp --ip 0.0.0.0", True), ("python3 -Im notebook.app", True),
    ("python3 -m pip._internal.cli.main list", True),  # a part of pip: unknown
    # finding 6's sibling: a serial console behind a clustered -m (text piped is typed there)
    ("echo rm -rf / | python3 -Imserial.tools.miniterm /dev/ttyS0", True),
    ("echo rm -rf / | python3.11 -Em serial.tools.miniterm /dev/ttyS0", True),
    # finding 7: gdb runs ~/.gdbinit and ./.gdbinit on the attached process without -nx
    ("mkdir -p /tmp/w && cd /tmp/w && echo kill > .gdbinit && "
     "echo 'set auto-load safe-path /' > ~/.gdbinit && gdb -batch -p $(pidof auditd)", True),
    ("cd /tmp/w && HOME=/tmp/h gdb -batch -p $(pidof auditd)", True),
    ("cd /tmp/w && XDG_CONFIG_HOME=/tmp/h gdb -batch -p $(pidof auditd)", True),
    ("cd /tmp/w && gdb -batch -ex 'info threads' -p $(pidof auditd)", True),
    ("gdb -batch -nh -ex bt -p $(pidof auditd)", True),  # -nh: the system gdbinit still runs
    ("gdb -batch -nx -ex kill -p $(pidof auditd)", True),
    ("gdb -batch -nx --data-directory /tmp/e -ex bt -p $(pidof auditd)", True),
    ("gdb -batch -nx -D /tmp/e -ex bt -p $(pidof auditd)", True),
    ("lldb -b -o bt -p $(pidof auditd)", True),  # ~/.lldbinit
    ("gdb -p $(pidof auditd)", True),
    # honest lines that still run
    ("python3 -m pip list", False), ("python3 -m pip.__main__ list", False),
    (f"python3 {SP}/pip --version", False), ("python3 -m venv.__main__ /tmp/venv", False),
    ("python3 ./tool.py config set x y", False), ("python3 -m json.tool x.json", False),
    ("python3 -m http.server 8000", False), ("python3 -m sqlite3.__main__ x.db", False),
    ("gdb -batch -nx -ex bt -p $(pidof auditd)", False),
    ("gdb --nx -batch -ex 'thread apply all bt' -p $(pidof auditd)", False),
    ("gdb -n -batch -ex bt -p $(pidof auditd)", False),
    ("lldb -b -x -o bt -p $(pidof auditd)", False), ("gdb -batch -ex bt -p 1234", False),
    ("gdb ./a.out core.123", False),
]
ALERTS = ["python3 -m venv.__main__ /etc/cron.d", "python3 -Im venv.__main__ /etc/cron.d"]
# (line, whether an exec channel's stdin is held: reads_script_from_stdin not None)
STDIN = [
    # finding 5: the REPL modules by their __main__
    ("python3 -m asyncio.__main__", True), ("python3 -m idlelib.__main__", True),
    ("python3 -m IPython.__main__", True), ("python3 -m ptpython.__main__", True),
    ("python3 -Im asyncio.__main__", True), ("python3 /usr/lib/python3.11/asyncio", True),
    ("python3 -m ipdb.__main__ x.py", True), ("python3 -m django.__main__ shell", True),
    # finding 6: -m in a cluster
    ("python3 -Emdjango shell", True), ("python3 -Imdjango shell", True),
    ("python3 -OOmdjango shell_plus", True), ("python3 -Imdjango dbshell", True),
    ("python3 -Imflask shell", True), ("python3 -Im ipdb x.py", True),
    ("python3 -Imipdb x.py", True), ("python3 -Im pudb x.py", True),
    ("python3 -Im trepan x.py", True), ("python3 -Im jupyter_console", True),
    ("python3 -Esm django shell", True), ("python3 -qm django shell", True),
    ("python3 -W ignore -Im django shell", True), ("python3 -Imdjango.__main__ shell", True),
    (f"python3 {SP}/ipdb x.py", True), (f"python3 {SP}/django shell", True),
    (f"python3 {SP}/django/__main__.py shell", True),
    # finding 12: framework verbs running code read from stdin
    ("rails runner -", True), ("rails r -", True), ("bin/rails runner -", True),
    ("bundle exec rails runner -", True), ("rails runner -e production -", True),
    ("rails runner /dev/stdin", True), ("rails runner /dev/fd/0", True),
    ('rails runner "$(cat)"', True), ("wp eval-file -", True),
    ("wp eval-file - --skip-wordpress", True), ("wp eval-file /dev/stdin", True),
    ("drush php:cli", True), ("drush p:c", True), ("drush core-cli", True),
    ("drush php:script -", True), ("drush scr -", True), ("php artisan tink", True),
    ("php artisan tinker", True), ("rails console", True), ("drush php", True),
    ("mix run /dev/stdin", True), ("mix run -", True), ("spring rails runner -", True),
    ("bin/spring rails console", True), ("spring rake console", True),
    ("bin/console psysh", True), ("./bin/console psy", True), ("php bin/console psysh", True),
    # honest: nothing read from stdin
    ("python3 -Emdjango migrate", False), (f"python3 {SP}/django/__main__.py migrate", False),
    ("python3 x.py", False), ("python3 -Im json.tool x.json", False),
    ("python3 -m pip.__main__ list", False), ("rails runner x.rb", False),
    ("rails runner 'puts 1'", False), ("wp eval-file x.php", False), ("drush status", False),
    ("drush php:script x.php", False), ("php artisan migrate", False),
    ("php artisan list", False), ("rails routes", False), ("bin/console cache:clear", False),
    ("mix run --no-halt", False), ("mix run priv/repo/seeds.exs", False), ("rails runner", False),
    ("spring status", False), ("spring rails runner x.rb", False),
    ("virsh console vm", False), ("console host", False),
]


@each(("line", "held"), ROWS)
def test_z35f_c_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)


@each("line", ALERTS)
def test_z35f_c_venv_by_main_alerts(default_policy, line: str) -> None:
    from tests.policy_rows import typed_and_exec
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action in ("alert", "confirm", "deny"), verdict


@each(("line", "held"), STDIN)
def test_z35f_c_stdin_read(line: str, held: bool) -> None:
    assert (reads_script_from_stdin(line) is not None) is held, reads_script_from_stdin(line)
