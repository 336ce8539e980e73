"""Issue 12's "Open" members (fix-open): the wrappers' complete option tables, git's merge
strategies run from PATH, third-party Python runners, pm2/gdbserver/rr, gpg's implicit outputs
and the command languages read with a simpler decoder. The shipped policy; attack halves held
or refused, honest halves allowed."""

from __future__ import annotations

from bastion.command_control.policy import reads_script_from_stdin
from tests.rows import each
from tests.test_policy import action

_X = "tee /etc/sudoers.d/x"


@each(("line", "expected"), [
    # an option a wrapper's tables do not hold is unknown, never a flag before the command
    ("sudo --bogus ls /tmp", "confirm"),
    ("sudo -X ls /tmp", "confirm"),
    (f"sudo -X {_X}", "deny"),  # the words still judged as if it took none
    ("doas -x ls /tmp", "confirm"),
    (f"chpst -Z x {_X}", "deny"),
    (f"rlwrap -X x {_X}", "deny"),
    (f"systemd-run --foo 1 {_X}", "deny"),
    ("systemd-run -S", "confirm"),  # --shell: $SHELL on the line's stdin
    (f"linux64 --bogus x {_X}", "deny"),
    ("nohup -x ls /tmp", "confirm"),
    ("valgrind -Z ls /tmp", "confirm"),
    ("dbus-run-session --dbus-daemon=/tmp/x ls /tmp", "confirm"),  # runs BINARY
    (f"gpg-agent --daemon --pinentry-program /tmp/x {_X}", "deny"),
    # options that take a value, which the tables had for flags (the value was the command)
    (f"nocache -n 2 {_X}", "deny"),
    (f"fakechroot -s {_X}", "deny"),  # -s is a flag, it took the command for its value
    (f"proot -i 0:0 {_X}", "deny"),
    (f"lxc-attach -n c -o /tmp/log {_X}", "deny"),
    (f"lxc-attach -n c -e {_X}", "deny"),  # -e's value is attached only
    (f"systemd-nspawn -x {_X}", "deny"),
    (f"systemd-nspawn -b {_X}", "deny"),
    (f"lckdo -E 5 /tmp/l {_X}", "deny"),
    (f"cpulimit -c 2 -l 50 {_X}", "deny"),
    (f"gpg-agent --daemon --ttyname /dev/tty1 {_X}", "deny"),
    (f"rlwrap --only-cook x {_X}", "deny"),
    # honest halves
    ("sudo -u root ls /tmp", "allow"),
    ("sudo -n -E -H ls /tmp", "allow"),
    ("doas -n ls /tmp", "allow"),
    ("nocache ls /tmp", "allow"),
    ("systemd-run --scope ls /tmp", "allow"),
    ("chpst -v ls /tmp", "allow"),
    ("rlwrap -A ls /tmp", "allow"),
    ("valgrind --log-file=/tmp/v ls /tmp", "allow"),
    ("firejail --private ls /tmp", "allow"),
    ("gpg-agent --daemon --enable-ssh-support ls /tmp", "allow"),
    ("nohup ls /tmp", "allow"),
    ("time -p ls /tmp", "allow"),
    ("linux64 -R ls /tmp", "allow"),
    ("command -v ls", "allow"),
])
def test_every_wrapper_reads_its_options_from_a_complete_table(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # a strategy that is none of git's built-ins is the program git-merge-NAME from PATH
    ("git merge -s evil main", "confirm"),
    ("git merge --strategy=evil main", "confirm"),
    ("git merge --strategy evil main", "confirm"),
    ("git merge -qsevil main", "confirm"),
    ("git rebase -s evil main", "confirm"),
    ("git pull -s evil origin main", "confirm"),
    ("git pull -r -s evil", "confirm"),
    ("git cherry-pick --strategy evil abc", "confirm"),
    ("git revert --strategy=evil abc", "confirm"),
    ('git merge -s "$S" main', "confirm"),
    ("git -c pull.twohead=evil pull", "confirm"),  # the setting's spelling: already unknown
    # honest halves: the built-ins, -X (an option of the strategy), cherry-pick's -s (signoff)
    ("git merge -s ort main", "allow"),
    ("git merge -sresolve main", "allow"),
    ("git merge -s ours -X theirs main", "allow"),
    ("git rebase -s recursive -X patience main", "allow"),
    ("git rebase -X ours main", "allow"),
    ("git pull -s octopus origin a b", "allow"),
    ("git merge -s subtree lib", "allow"),
    ('git merge -m "-s evil" main', "allow"),
    ("git cherry-pick -s abc", "allow"),
    ("git revert -s abc", "allow"),
    ("git merge --squash main", "allow"),
])
def test_git_merge_strategies_that_are_not_built_in_are_programs(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # a runner's output options are writes; what it runs is judged as python3 runs it
    ("coverage run --data-file=/etc/sudoers.d/x x.py", "deny"),
    ("coverage run --data /etc/sudoers.d/x x.py", "deny"),  # optparse's abbreviations
    ("coverage run -m zipfile -e a.zip /etc/sudoers.d", "confirm"),  # as python3 -m zipfile
    ("coverage run --bogus x x.py", "confirm"),
    ('coverage run "$S"', "confirm"),
    ("coverage html -d /etc/sudoers.d", "confirm"),  # other verbs: the catch-all, as before
    ("pyinstrument -o /etc/sudoers.d/x x.py", "deny"),
    ("pyinstrument -m zipfile -e a.zip /etc/sudoers.d", "confirm"),
    ("pyinstrument -r evil.Renderer x.py", "confirm"),  # a class it imports
    ("pyinstrument --load-prev 3 -o /etc/sudoers.d/x", "deny"),
    ("scalene --outfile /etc/sudoers.d/x x.py", "deny"),
    ("memray run -o /etc/sudoers.d/x x.py", "deny"),
    ("py-spy record -o /tmp/p.svg -- tee /etc/sudoers.d/x", "deny"),
    ("py-spy record -o /etc/sudoers.d/x -- python3 x.py", "deny"),
    ("py-spy record --pid 1 -o /etc/sudoers.d/x", "deny"),
    ("py-spy top -- bash -c 'rm -rf /etc'", "deny"),
    ("austin tee /etc/sudoers.d/x", "deny"),
    ("austin -o /etc/sudoers.d/x python3 x.py", "deny"),
    ("austin -p 1 -o /etc/sudoers.d/x", "deny"),
    ("viztracer -o /etc/sudoers.d/x x.py", "deny"),
    ("viztracer --include_files a b x.py", "confirm"),  # takes any number of words
    # honest halves
    ("coverage run x.py", "allow"),
    ("coverage run -m pytest -q", "allow"),
    ("coverage report", "allow"),
    ("pyinstrument -r html x.py", "allow"),
    ("pyinstrument x.py", "allow"),
    ("scalene x.py --- -v", "allow"),
    ("memray run x.py", "allow"),
    ("py-spy record -o /tmp/p.svg -- python3 x.py", "allow"),
    ("py-spy dump --pid 1234", "allow"),
    ("austin -i 100 python3 x.py", "allow"),
    ("viztracer x.py", "allow"),
])
def test_python_runners_run_what_python3_would_and_write_their_outputs(default_policy, line,
                                                                       expected):
    assert action(default_policy, line) == expected


@each(("command", "kind"), [
    ("coverage run -m code", "interpreter"),
    ("coverage run -", "interpreter"),
    ("pyinstrument -m asyncio", "interpreter"),
    ("memray run -m pdb x.py", "interpreter"),
    ("austin bash", "shell"),
    ("py-spy record -- sh", "shell"),
    ("coverage run x.py", None),
    ("scalene x.py", None),
])
def test_python_runners_reading_the_exec_channels_stdin(command, kind):
    assert reads_script_from_stdin(command) == kind


@each(("line", "expected"), [
    ("pm2 start tee -- /etc/sudoers.d/x", "deny"),  # PROGRAM -- ARGS
    ('pm2 start "rm -rf /etc"', "deny"),  # a command line
    ("pm2 start app.js -o /etc/sudoers.d/x", "deny"),  # its log files
    ("pm2 start ecosystem.config.js", "confirm"),  # the apps a file lists
    ("pm2 start app.js --interpreter /tmp/evil", "confirm"),
    ("pm2 start app.js --cwd /etc", "confirm"),
    ("pm2 startup", "confirm"),  # writes an init unit
    ("pm2 install pm2-logrotate", "confirm"),
    ("gdbserver :1234 tee /etc/sudoers.d/x", "deny"),
    ("gdbserver --attach :1234 1", "confirm"),
    ("rr replay -o -ex", "confirm"),  # an option given to gdb
    ("rr replay -x /tmp/cmds", "confirm"),  # a gdb script
    ("rr replay -s 1234", "confirm"),  # a debugger from the network
    # honest halves
    ("pm2 start app.js", "allow"),
    ("pm2 start x.py -- -v", "allow"),
    ("pm2 start ./server --name web", "allow"),
    ("pm2 list", "allow"),
    ("pm2 restart app", "allow"),
    ("gdbserver --once :1234 ./app", "confirm"),  # a debugger server (z35f 17)
    ("rr replay -a", "allow"),
    ("rr replay -d gdb", "allow"),
])
def test_process_managers_and_debugger_servers_run_what_their_words_name(default_policy, line,
                                                                         expected):
    assert action(default_policy, line) == expected


@each(("command", "kind"), [
    ("rr replay", "interpreter"),  # gdb reads its commands from the exec channel's stdin
    ("rr replay -d bash", "shell"),
    ("rr replay -a", None),
])
def test_rr_replay_starts_its_debugger_on_stdin(command, kind):
    assert reads_script_from_stdin(command) == kind


@each(("line", "expected"), [
    # gpg writes beside each operand when no -o names its output (checked with GnuPG 2.2)
    ("gpg -c /etc/sudoers.d/x", "deny"),  # x.gpg
    ("gpg -ca /etc/sudoers.d/x", "deny"),  # x.asc
    ("gpg -e -r bob /etc/sudoers.d/x", "deny"),
    ("gpg --encrypt --recipient bob /etc/sudoers.d/x", "deny"),  # no --encrypt-to
    ("gpg --symm /etc/sudoers.d/x", "deny"),  # a start of a command's name
    ("gpg -sb /etc/sudoers.d/x", "deny"),  # x.sig
    ("gpg --detach-sign --armor /etc/sudoers.d/x", "deny"),
    ("gpg --clear-sign /etc/sudoers.d/x", "deny"),
    ("gpg --dearmor /etc/sudoers.d/x", "deny"),
    ("gpg /etc/sudoers.d/x.gpg", "deny"),  # no command: decrypts to x
    ("gpg --batch --yes /etc/sudoers.d/x.gpg", "deny"),
    ("gpg --decrypt-files /etc/sudoers.d/x.gpg", "deny"),
    ("gpg --multifile -d /etc/sudoers.d/a.gpg /etc/sudoers.d/b.gpg", "deny"),
    # honest halves: -d writes stdout, -o names the output, reads and key commands
    ("gpg -d /etc/sudoers.d/x.gpg", "allow"),
    ("gpg -o /tmp/x.gpg -c /etc/sudoers.d/x", "allow"),
    ("gpg --verify /etc/sudoers.d/x.sig", "allow"),
    ("gpg -c /tmp/notes.txt", "allow"),
    ("gpg -d /tmp/x.gpg", "allow"),
    ("gpg --import key.asc", "allow"),
    ("gpg --list-keys", "allow"),
    ("gpg --dearmor -o /tmp/keys/x.gpg key.asc", "allow"),
    ("gpg --dearmor -o /usr/share/keyrings/x.gpg key.asc", "confirm"),  # apt's keyrings: v31f 16
    ("gpg --trust-model always -e -r bob /tmp/f", "allow"),
])
def test_gpg_writes_beside_its_operands(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # lftp's -e commands (`!` runs a shell): unknown, as -c's are
    ("lftp -e '!touch /etc/sudoers.d/x' host", "confirm"),
    ("lftp -e 'mirror -R /tmp/x /srv' host", "confirm"),
    # mysql's other doors: the pager it runs, client plugins (libraries), named commands
    ("mysql --pager='touch /etc/sudoers.d/x' -e 'select 1'", "deny"),
    ("mysql --plugin-dir=/tmp --default-auth=evil -e 'select 1'", "confirm"),
    ("mysql --plugin=/tmp -e 'select 1'", "confirm"),  # my_getopt's abbreviations
    ("mysql -e 'select 1\n  SYSTEM touch /etc/sudoers.d/x'", "deny"),  # also shell code (b11f)
    ("mysql -e 'ssl_session_data_print /etc/sudoers.d/x'", "confirm"),  # writes its file
    ("mysql -e '\\! touch /etc/sudoers.d/x'", "deny"),  # its words are shell code too (b11f, finding 3)
    # psql: backslash commands, and a prompt that runs a shell command
    ("psql -c '\\! touch /etc/sudoers.d/x'", "deny"),  # (b11f, finding 3)
    ("psql -v 'PROMPT1=%`touch /etc/sudoers.d/x`'", "deny"),  # (b11f, finding 3)
    # gdb's abbreviations and pipes are no `shell` the decoder reads: unknown
    ("gdb -batch -ex 'she touch /etc/sudoers.d/x'", "confirm"),
    ("gdb -batch -ex '| print 1 | touch /etc/sudoers.d/x'", "confirm"),
    ("gdb -batch -ex 'shell touch /etc/sudoers.d/x'", "deny"),
    # sqlite3's dot-commands by any start of two letters or more (checked with sqlite3 here)
    ("sqlite3 :memory: '.sh touch /etc/sudoers.d/x'", "deny"),
    ("sqlite3 :memory: '.sy touch /etc/sudoers.d/x'", "deny"),
    ("ftp host <<'E'\n!touch /etc/sudoers.d/x\nE", "confirm"),
    # honest halves
    ("mysql --pager=less -e 'select 1'", "allow"),
    ("mysql -e 'select 1; select 2'", "allow"),
    ("psql -c 'select 1'", "allow"),
    ("psql -v ON_ERROR_STOP=1 -c 'select 1'", "allow"),
    ("gdb -batch -ex bt ./app", "allow"),
    ("sqlite3 db.sqlite '.tables'", "allow"),
])
def test_command_languages_read_as_their_programs_read_them(default_policy, line, expected):
    assert action(default_policy, line) == expected
