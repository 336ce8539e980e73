"""Attack r27f (the twenty-eighth round on the command filter), findings 5 and 6: login and shell
servers started through a service manager under the names of the units their packages ship (a
socket, a template instance, a package's own name; systemd's debug-shell, an unauthenticated
root shell on tty9), and firejail's own options that write a file (`--output=F`,
`--output-stderr=F`, `--trace=F`) with their siblings in the wrappers' tables. The tester's
lines and their siblings, held or refused typed, as an exec command and behind sudo; the honest
lines beside them that still run."""

from __future__ import annotations

from bastion.command_control.policy import KnownValues, evaluate
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

# (line, the action it gets: "deny", or "held" for deny or confirm)
ROWS = [
    # F5 the tester's units (Debian's tinysshd, shellinabox, inetutils-inetd; Fedora's
    # rsh-server and telnet-server; cockpit; a template instance of a held unit)
    ("systemctl enable --now tinysshd.socket", "held"), ("systemctl start tinysshd@x", "held"),
    ("systemctl enable --now shellinabox", "held"),
    ("systemctl enable --now inetutils-inetd", "held"),
    ("systemctl start inetd.socket", "held"), ("systemctl start xinetd.socket", "held"),
    ("systemctl start ttyd@x", "held"), ("systemctl enable --now rlogin.socket", "held"),
    ("systemctl enable --now rsh.socket", "held"), ("systemctl start rexec.socket", "held"),
    ("systemctl start telnet@x", "held"), ("systemctl start telnet.socket", "held"),
    ("systemctl enable --now cockpit.socket", "held"), ("systemctl start cockpit", "held"),
    # siblings: every starting verb, option orders, unit globs, the other package names
    ("systemctl --now enable tinysshd.socket", "held"), ("systemctl reenable rsh.socket", "held"),
    ("systemctl enable tinysshd.socket", "held"), ("systemctl preset rexec.socket", "held"),
    ("systemctl restart shellinabox.service", "held"), ("systemctl try-restart xinetd", "held"),
    ("systemctl reload-or-restart openbsd-inetd", "held"),
    ("systemctl condrestart shellinabox", "held"),
    ("systemctl add-wants multi-user.target tinysshd.socket", "held"),
    ("systemctl --no-block -H h start tinysshd@x.service", "held"),
    ("systemctl start 'tinyssh*'", "held"), ("systemctl start shellinabo?", "held"),
    ("systemctl start webmin", "held"), ("systemctl start xrdp", "held"),
    ("systemctl start vncserver@:1", "held"), ("systemctl start dropbear@x.service", "held"),
    ("systemctl start cockpit-wsinstance-https@x", "held"),
    ("systemctl enable --now /usr/lib/systemd/system/tinysshd.socket", "held"),
    ("service shellinabox start", "held"), ("invoke-rc.d openbsd-inetd restart", "held"),
    ("update-rc.d xinetd enable", "held"), ("chkconfig telnet on", "held"),
    ("chkconfig --add xinetd", "held"), ("rc-update add xinetd default", "held"),
    ("rc-service shellinabox start", "held"),
    ("deb-systemd-invoke start tinysshd.socket", "held"),
    ("deb-systemd-helper enable shellinabox.service", "held"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager StartUnit ss tinysshd.socket replace", "held"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/cockpit_2esocket "
     "org.freedesktop.systemd1.Unit Start s replace", "held"),
    ("cockpit-ws", "held"), ("x11vnc -forever", "held"), ("miniserv.pl /etc/webmin/c", "held"),
    # systemd's debug-shell: refused however it is started
    ("systemctl enable --now debug-shell", "deny"),
    ("systemctl enable --now debug-shell.service", "deny"),
    ("systemctl start debug-shell", "deny"), ("systemctl enable debug-shell", "deny"),
    ("systemctl add-wants multi-user.target debug-shell.service", "deny"),
    ("systemctl start 'debug-sh*'", "deny"), ("service debug-shell start", "deny"),
    ("systemctl enable --now /lib/systemd/system/debug-shell.service", "deny"),
    ("busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
     "org.freedesktop.systemd1.Manager StartUnit ss debug-shell.service replace", "deny"),
    ("gdbus call --system --dest org.freedesktop.systemd1 --object-path /org/freedesktop/systemd1"
     " --method org.freedesktop.systemd1.Manager.EnableUnitFiles \"['debug-shell.service']\" "
     "false true", "deny"),
    # F6 firejail's files: the tester's lines
    ("firejail --noprofile --output=/etc/sudoers echo 'x ALL=(ALL) NOPASSWD: ALL'", "deny"),
    ("firejail --output=/etc/sudoers.d/x echo 'x ALL=(ALL) NOPASSWD: ALL'", "deny"),
    ("firejail --output-stderr=/etc/shadow true", "deny"),
    ("firejail --output=/etc/pam.d/sshd cat /tmp/pam", "held"),
    ("firejail --output=/var/log/audit/audit.log true", "deny"),
    ("firejail --trace=/etc/sudoers true", "deny"),
    # siblings: its other files, its sandbox commands, the home it mounts, other wrappers
    ("firejail --build=/etc/sudoers true", "deny"),
    ("firejail --dbus-log=/etc/sudoers true", "deny"),
    ("firejail --put=box /tmp/a /etc/sudoers", "deny"),
    ("sh -c 'cd /etc; firejail --get=box /tmp/sudoers'", "deny"),
    ("firejail --private=/etc sh -c 'echo x > ~/sudoers'", "deny"),
    ("firejail --private=/etc sh -c 'echo x > /root/sudoers'", "held"),
    ("sandbox -H /etc sh -c 'echo x >> ~/sudoers'", "deny"),
    ("sandbox -T /etc sh -c 'echo x >> /tmp/sudoers'", "held"),
    ("firejail --output=$f true", "held"),
    ("gpg-agent --write-env-file=/etc/sudoers --daemon true", "deny"),
    ("unshare --net=/etc/shadow true", "deny"), ("unshare --mount=/etc/sudoers true", "deny"),
    ("chpst -l /etc/sudoers.d/x true", "deny"),
]


@each("sudo", ["", "sudo "])
@each(("line", "action"), ROWS)
def test_attack_r27f_a_lines_are_held_or_refused_typed_as_exec_and_behind_sudo(
        default_policy, line, action, sudo):
    for verdict in typed_and_exec(default_policy, sudo + line):
        assert verdict.action in (("deny",) if action == "deny" else ("deny", "confirm")), verdict


HONEST = [
    # reading a server unit's state, stopping it, and starting ordinary units
    "systemctl status tinysshd.socket", "systemctl status debug-shell", "systemctl start nginx",
    "systemctl restart myapp@1", "systemctl restart nginx.service", "systemctl enable --now nginx",
    "systemctl restart docker.service", "systemctl restart postgresql@14-main",
    "systemctl restart php8.2-fpm.service", "systemctl restart getty@tty1",
    "systemctl cat cockpit.socket", "systemctl is-enabled shellinabox", "service nginx start",
    "systemctl list-units 'tinyssh*'", "journalctl -u tinysshd.socket",
    "busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 "
    "org.freedesktop.systemd1.Manager StartUnit ss nginx.service replace",
    # firejail and the other wrappers as used
    "firejail --noprofile ls", "firejail --output=/tmp/x.log ls", "firejail --private ls",
    "firejail --private=/tmp/box ls", "firejail --trace ls", "firejail --get=box /tmp/notes.txt",
    "unshare --net true", "sandbox -H /tmp/h ls", "chpst -l /tmp/lock true",
]


@each("sudo", ["", "sudo "])
@each("line", HONEST)
def test_attack_r27f_a_honest_lines_still_run(default_policy, line, sudo):
    assert_held_or_runs(default_policy, sudo + line, held=False)


def test_firejail_output_is_judged_as_a_write_of_its_file(default_policy):
    """`firejail --output=/tmp/x.log ls` runs, and what it runs is a write to /tmp/x.log (the
    path rules see it: the same option naming /etc/sudoers is refused)."""
    for known in (None, KnownValues()):
        verdict = evaluate(default_policy, "firejail --output=/tmp/x.log ls", role="engineer",
                           target="web01", known=known)
        assert verdict.action == "allow"
        assert (">", "/tmp/x.log") in [c.argv for c in verdict.commands]
