"""Attack x33f, findings 4, 5, 11 and 12: D-Bus calls to systemd's Manager read as the systemctl
verb they equal, package managers' settings commands behind a global option or an
abbreviation, framework consoles behind an interpreter's or a tool's valued option, and more
folders root runs files from later. Each line is judged typed and as an exec command: the
attacker's lines and their siblings are held at the level of their plain spelling (`deny` where
`systemctl set-default rescue.target` or `pip config set global.log /etc/sudoers` is denied,
`confirm` where the plain spelling is held); the honest lines beside them run (`allow`)."""

from bastion.command_control.policy import reads_script_from_stdin
from tests.policy_rows import typed_and_exec
from tests.rows import each

M = "org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager"
SEND = ("dbus-send --system --print-reply --dest=org.freedesktop.systemd1 /org/freedesktop/systemd1 "
        "org.freedesktop.systemd1.Manager")
GDBUS = ("gdbus call -y -d org.freedesktop.systemd1 -o /org/freedesktop/systemd1 "
         "-m org.freedesktop.systemd1.Manager")
QDBUS = "qdbus --system org.freedesktop.systemd1 /org/freedesktop/systemd1"

ROWS = [
    # 4: the Manager's methods as the systemctl verbs that call them
    (f"busctl call {M} SetDefaultTarget sb rescue.target true", "deny"),
    (f"busctl call {M} SetDefaultTarget sb emergency.target true", "deny"),
    (f"busctl call {M} SetDefaultTarget sb debug-shell.service true", "deny"),
    (f"{SEND}.SetDefaultTarget string:rescue.target boolean:true", "deny"),
    (f"{GDBUS}.SetDefaultTarget \"'emergency.target'\" true", "deny"),
    (f"{QDBUS} SetDefaultTarget rescue.target true", "deny"),
    (f"busctl call {M} SetDefaultTarget sb 'rescue.targe\\x74' true", "deny"),
    (f"busctl call {M} SetDefaultTarget sb foo.target true", "confirm"),
    (f"busctl call {M} PresetAllUnitFiles sbb disable-only false true", "confirm"),
    (f"{SEND}.PresetAllUnitFiles string:full boolean:false boolean:true", "confirm"),
    (f"{QDBUS} org.freedesktop.systemd1.Manager.PresetAllUnitFiles full false true", "confirm"),
    (f"busctl call {M} LinkUnitFiles asbb 1 /tmp/x.service false true", "confirm"),
    (f"busctl call {M} PresetUnitFiles asbb 1 auditd.service false true", "deny"),
    (f"busctl call {M} MaskUnitFiles asbb 1 auditd.service false true", "deny"),
    (f"{GDBUS}.MaskUnitFiles \"['auditd.service']\" false true", "deny"),
    (f"busctl call {M} EnableUnitFilesWithFlags ast 1 debug-shell.service 0", "deny"),
    (f"busctl call {M} AddDependencyUnitFiles asssbb 1 debug-shell.service multi-user.target "
     "Wants false true", "deny"),
    (f"busctl call {M} EnqueueUnitJob sss debug-shell.service start replace", "deny"),
    (f"busctl call {M} SetEnvironment as 1 LD_PRELOAD=/tmp/x.so", "confirm"),
    (f"busctl call {M} KExec", "confirm"),
    (f"busctl call {M} AttachProcessesToUnit ssau nginx.service / 1 123", "confirm"),
    (f"busctl call {M} FrobnicateUnit s x", "confirm"),
    ("systemctl set-default debug-shell.service", "deny"),
    ("systemctl set-default foo.target", "confirm"),
    # honest: reading the manager, everyday starts, the everyday default
    (f"busctl call {M} GetDefaultTarget", "allow"),
    (f"busctl call {M} ListUnits", "allow"),
    (f"busctl call {M} StartUnit ss nginx.service replace", "allow"),
    (f"busctl call {M} SetDefaultTarget sb multi-user.target true", "allow"),
    ("busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager Environment", "allow"),
    (f"{SEND}.ListUnits", "allow"),
    (f"{QDBUS} GetDefaultTarget", "allow"),
    ("systemctl set-default multi-user.target", "allow"),
    ("systemctl set-default graphical.target", "allow"),
    # 5: settings commands behind global options and abbreviations
    ("pip --log-file /tmp/l config set global.log /etc/sudoers; pip list", "deny"),
    ("pip --local-log /tmp/l config set global.log /etc/sudoers; pip list", "deny"),
    ("pip --cache /tmp/c config set global.log /etc/sudoers; pip list", "deny"),
    ("pip --time 5 config set global.log /etc/sudoers; pip list", "deny"),
    ("pip config --edit vi set global.log /etc/sudoers; pip list", "deny"),
    ("python3 -m pip --log-file /tmp/l config set global.log /etc/sudoers", "deny"),
    ("pip --cache /tmp/c config set install.target /etc; pip install W", "confirm"),
    ("pip --frobnicate x config set install.target /etc", "confirm"),
    ("npm --loglevel silent config set prefix /etc; npm i -g x", "confirm"),
    ("npm conf set prefix /etc; npm i -g x", "confirm"),
    ("npm confi set prefix /etc", "confirm"),
    ("npm config --location global set prefix /etc", "confirm"),
    ("npm --loglevel silent config set script-shell /tmp/x/sh", "confirm"),
    ("npm -w x config set prefix /etc", "confirm"),
    ("pnpm -C /srv config set prefix /etc", "confirm"),
    ("pnpm --dir /srv config set prefix /etc", "confirm"),
    ("yarn --cwd /srv config set prefix /etc", "confirm"),
    ("poetry -C /srv config virtualenvs.path /etc", "confirm"),
    ("poetry --directory /srv config virtualenvs.path /etc", "confirm"),
    ("bundle -r 3 config set path /etc", "confirm"),
    ("composer config --global repositories.x vcs https://example.invalid", "confirm"),
    ("gem sources --add http://example.invalid", "confirm"),
    # honest: installs and listings behind the same options
    ("pip --log /tmp/l install requests", "allow"),
    ("pip --timeout 5 install requests", "allow"),
    ("pip config list", "allow"),
    ("pip --cache /tmp/c config list", "allow"),
    ("pip config --user set global.timeout 60", "allow"),
    ("npm --loglevel silent install", "allow"),
    ("npm -w x config get prefix", "allow"),
    ("npm config --location user get prefix", "allow"),
    ("poetry -C /srv install", "allow"),
    ("composer config --list", "allow"),
    ("gem sources --list", "allow"),
    # 12: files root runs later, beside the folders already held
    ("cp /tmp/x /etc/systemd/system-environment-generators/x", "confirm"),
    ("cp /tmp/x /usr/lib/systemd/system-environment-generators/x", "confirm"),
    ("cp /tmp/x /etc/systemd/user-generators/x", "confirm"),
    ("cp /tmp/x /usr/lib/systemd/user-generators/x", "confirm"),
    ("cp /tmp/x /usr/lib/systemd/user-environment-generators/x", "confirm"),
    ("cp /tmp/x /etc/systemd/user/x.service", "confirm"),
    ("cp /tmp/x /usr/share/initramfs-tools/hooks/x", "confirm"),
    ("cp /tmp/x /usr/share/initramfs-tools/scripts/init-top/x", "confirm"),
    ("cp /tmp/x /etc/initramfs/post-update.d/x", "confirm"),
    ("cp /tmp/x /usr/share/dbus-1/system-services/org.x.service", "confirm"),
    ("cp /tmp/x /etc/dbus-1/system.d/x.conf", "confirm"),
    ("echo 'f+~ /etc/sudoers.d/zz 0440 root root - ALL ALL=(ALL) NOPASSWD: ALL' "
     "> /etc/credstore/tmpfiles.extra", "confirm"),
    ("cp /tmp/key.pub /etc/credstore/ssh.authorized_keys.root", "confirm"),
    ("cp /tmp/x /usr/lib/credstore/sysusers.extra", "confirm"),
    ("mv /tmp/d /etc/credstore", "confirm"),
    ("cp /tmp/x /etc/gdm3/PostLogin/Default", "confirm"),
    ("cp /tmp/x /etc/networkd-dispatcher/routable.d/x", "confirm"),
    ("cp /tmp/x /etc/systemd/system-sleep/x", "confirm"),
    ("cp /tmp/x ~root/.ssh/rc", "confirm"),
    # honest: reading those files
    ("cat /etc/credstore/x", "allow"),
    ("cp /etc/dbus-1/system.d/x.conf /tmp/", "allow"),
    ("ls /usr/share/dbus-1/system-services", "allow"),
]


@each(("line", "action"), ROWS)
def test_attack_x33f_b_lines_are_held_at_their_plain_spellings_level(default_policy, line, action):
    for verdict in typed_and_exec(default_policy, line):
        assert verdict.action == action, verdict


# 11: the stdin gate holds a framework console's stdin as `python3 manage.py shell`'s
CONSOLES = [
    ("python3 -W ignore manage.py shell", "interpreter"),
    ("python3 -X dev manage.py shell", "interpreter"),
    ("python3 -X importtime manage.py dbshell", "interpreter"),
    ("python3 -W ignore -m django shell", "interpreter"),
    ("php -d x=1 artisan tinker", "interpreter"),
    ("php -c /etc/php/8.2/cli/php.ini artisan tinker", "interpreter"),
    ("flask --app app shell", "interpreter"),
    ("flask -A app shell", "interpreter"),
    ("dlv --init /tmp/x debug", "interpreter"),
    ("ruby -I lib bin/rails console", "interpreter"),
    ("node --require x inspect app.js", "interpreter"),
    ("bundle exec rails c", "interpreter"),
    ("php artisan --env production tinker", "interpreter"),
    ("poetry run python -W ignore manage.py shell", "interpreter"),
    # honest: the same options before a verb that reads no code
    ("python3 -W ignore manage.py migrate", None),
    ("flask --app app run", None),
    ("php -d x=1 artisan migrate", None),
    ("php artisan --env production migrate", None),
    ("dlv --init /tmp/x version", None),
    ("node --require x app.js", None),
]


@each(("line", "reads"), CONSOLES)
def test_attack_x33f_b_consoles_behind_valued_options_read_stdin(line, reads):
    assert reads_script_from_stdin(line) == reads
