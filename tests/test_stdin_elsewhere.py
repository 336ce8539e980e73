"""Programs that hand an exec channel's stdin to a reader elsewhere (attack r27f, findings 7 and
8): consoles, attaches and other clients' logins are pty makers (`terminal_maker`, refused
without an SSH pty); a shell in a container gets the stdin gate ("shell"); a container's own
command has its first data held ("program"); clients with a shell escape under their packaged
names, and smbclient, sqlplus, sqlcmd and mail reading commands, are interpreters (held).
The end-to-end rows are in tests/test_channels.py."""
from bastion.command_control import policy
from tests.rows import each


@each(("line", "maker"), [
    ("virsh console vm", "virsh console"), ("virsh -c qemu:///system console vm", "virsh console"),
    ("docker attach c", "docker attach"), ("docker --context prod container attach c", "docker attach"),
    ("sudo podman attach c", "podman attach"), ("kubectl attach -i p", "kubectl attach"),
    ("crictl attach -i c", "crictl attach"), ("lxc-console -n c", "lxc-console"),
    ("lxc console c", "lxc console"), ("incus console c", "incus console"),
    ("pct console 101", "pct console"), ("vzctl enter 101", "vzctl enter"),
    ("picocom -b 115200 /dev/ttyS0", "picocom"), ("minicom -D /dev/ttyUSB0", "minicom"),
    ("cu -l /dev/ttyS0", "cu"), ("tio /dev/ttyS0", "tio"), ("tsh ssh root@h", "tsh ssh"),
    ("vagrant ssh", "vagrant ssh"), ("aws ssm start-session --target i-1", "aws start-session"),
    ("ipmitool -I lanplus -H h sol activate", "ipmitool activate"), ("plink h", "plink"),
    ("inetutils-telnet h", "telnet"), ("netkit-telnet h 23", "telnet"),
    # attack t29f, findings 4 and 7: more consoles, a serial line written, consoles by option
    ("virtctl console vmi", "virtctl console"), ("xm console d", "xm console"),
    ("gcloud compute connect-to-serial-port vm", "gcloud connect-to-serial-port"),
    ("console -M h srv", "console"), ("python3 -m serial.tools.miniterm /dev/ttyS0", "miniterm"),
    ("cat > /dev/ttyS0", "a serial console"), ("tee /dev/ttyUSB0", "a serial console"),
    ("dd of=/dev/ttyS0", "a serial console"), ("podman machine ssh", "podman ssh"),
    ("gh codespace ssh -c cs1", "gh ssh"), ("virsh start --console vm", "virsh with a console"),
    ("lxc start --console c", "lxc with a console"), ("xl create -c f.cfg", "xl with a console"),
    ("lxc-start -F -n c", "lxc-start with a console"),
    ("virt-install --autoconsole text", "virt-install with a console"),
    ("qemu-system-x86_64 -nographic x.img", "qemu-system-x86_64 with its console on stdio"),
    # (t29f, 8) named through a variable set on the line, as the verdict reads it
    ("x=attach; docker $x c", "docker attach"), ("x=-tt; ssh $x h less f", "ssh with a terminal"),
    ("x=h; ssh $x", "ssh"), ("o=-i; bash $o", "bash -i"),
    # (t29f, 10) zsh's INTERACTIVE by name
    ("zsh -o interactive", "zsh -o interactive"), ("zsh --interactive", "zsh -o interactive"),
    ("zsh +o nointeractive", "zsh -o interactive"), ("x=--interactive; zsh $x", "zsh -o interactive"),
    # honest lines
    ("virsh start vm", None), ("lxc start c", None), ("cat /dev/ttyS0", None), ("zsh", None),
    ("virsh list --all", None), ("docker logs c", None), ("docker ps", None),
    ("kubectl get pods", None), ("lxc list", None), ("pct list", None), ("aws s3 ls", None),
    ("docker run --rm debian true", None),
])
def test_a_console_or_an_attach_is_a_terminal_maker(line, maker):
    assert policy.terminal_maker(line) == maker


@each(("line", "reads"), [
    ("pct enter 101", "shell"), ("sudo pct enter 101", "shell"),
    ("apptainer shell img.sif", "shell"), ("singularity shell img.sif", "shell"),
    ("snap run --shell x", "shell"),
    ("docker run -i -v /:/host debian", "program"), ("docker run --interactive debian", "program"),
    ("docker run -a stdin debian", "program"), ("podman run -i debian", "program"),
    ("nerdctl run -i debian", "program"), ("docker start -ai c", "program"),
    ("kubectl run -i x --image=debian", "program"), ("kubectl debug -i node/x --image=d", "program"),
    ("docker compose run -T svc", "program"), ("docker-compose run -T svc", "program"),
    ("ctr run --rm docker.io/library/debian:12 x", "program"),
    ("netkit-ftp -n 127.0.0.1", "interpreter"), ("inetutils-ftp h", "interpreter"),
    ("tnftp h", "interpreter"), ("pftp h", "interpreter"), ("smbclient //srv/share -N", "interpreter"),
    ("smbclient -W -c //srv/share", "interpreter"), ("sqlplus /nolog", "interpreter"),
    ("sqlcmd -S h", "interpreter"), ("mail", "interpreter"), ("mail -f mbox", "interpreter"),
    ("mail -~ root", "interpreter"), ("s-nail -~ root", "interpreter"), ("mail -I root", "interpreter"),
    ("bsd-mailx", "interpreter"), ("heirloom-mailx -~ root", "interpreter"),
    # attack t29f: pflag's boolean spellings (1), runs that always feed the image's command (7),
    # sqlite3's other builds and other shells with an escape (5), mail's pipe and file
    # recipients and mailutils' -E (2), a reader named through a variable (8)
    ("docker run -i=true -v /:/host debian", "program"), ("docker run -i=t debian", "program"),
    ("docker run --interactive=T debian", "program"), ("kubectl run x --stdin=t --image=d", "program"),
    ("docker run -ai=t debian", "program"), ("apptainer run img.sif", "program"),
    ("enroot start c", "program"), ("udocker run c", "program"),
    ("sqlcipher x.db", "interpreter"), ("spatialite x.db", "interpreter"), ("duckdb x.db", "interpreter"),
    ("guestfish -a img -i", "interpreter"), ("sql /nolog", "interpreter"),
    ("mail -s x '|sh'", "interpreter"), ("mail -s x /root/.ssh/authorized_keys", "interpreter"),
    ("mail -E '!sh' -s x root", "interpreter"),
    ("x=bash; $x", "shell"), ("p=python3; $p", "interpreter"), ("x=enter; pct $x 101", "shell"),
    ("x=-i; docker run $x debian", "program"), ("runc run c", "program"), ("ctr task start c", "program"),
    ("usql pg://x", "interpreter"), ("impacket-smbclient x", "interpreter"),
    # attack u30o: a program named only at run time (a shell, `$0`), debuggers under their names
    ("$0", "program"), ("$SHELL", "program"), ("/proc/self/exe", "program"),
    ("pdb3 f.py", "interpreter"), ("ipdb3 f.py", "interpreter"),
    # honest lines: a message sent from stdin, commands given on the line, no stdin attached
    ("docker run -i=false debian", None), ("sqlcipher x.db 'select 1'", None),
    ("mail -s hi root", None), ("mail -sI root", None), ("mailx -s 'disk full' ops@example.org", None),
    ("smbclient -L h -N", None), ("sqlcmd -i f.sql", None), ("docker run --rm debian true", None),
    ("docker start c", None), ("docker compose ps", None), ("kubectl run x --image=debian", None),
])
def test_a_reader_elsewhere_is_gated_or_held(line, reads):
    assert policy.reads_script_from_stdin(line) == reads


@each("line", ["smbclient //s/x -N -c 'get f /etc/sudoers'",
                                  "sqlcmd -S h -Q '!!rm -rf /etc'"])
def test_commands_given_to_a_client_with_a_shell_escape_are_held(default_policy, line):
    assert policy.evaluate(default_policy, line, role="engineer", target="web01").action == "confirm"
