"""What puts an exec channel's stdin on a terminal (`policy.terminal_maker`), and a pattern that
names the stdin (attacks p25o, finding 4; q26o, findings 1, 4, 5, 7, 8, 9). The end-to-end
rows are in tests/test_channels.py."""
from bastion.command_control import policy
from tests.rows import each


@each(("line", "maker"), [
    ("script -qc bash /dev/null", "script"), ("script -q /dev/null", "script"),
    ("script -qc 'bash </dev/tty' /dev/null", "script"), ("unbuffer -p bash", "unbuffer"),
    ("sudo script -qc 'bash -i' /dev/null", "script"), ("socat - EXEC:bash,pty", "socat"),
    ("su --pty", "su with a terminal"), ("su -Ps/bin/bash root", "su with a terminal"),
    ("su --pty root -c 'bash </dev/tty'", "su with a terminal"),
    ("runuser --pty -u root bash", "runuser with a terminal"),
    ("ssh -tt h", "ssh with a terminal"), ("ssh -4ttp22926 h", "ssh with a terminal"),
    ("ssh -o RequestTTY=force h", "ssh with a terminal"), ("ssh h", "ssh"),
    ("systemd-run --pty bash", "systemd-run with a terminal"),
    ("docker exec -it c bash", "docker with a terminal"), ("machinectl shell", "machinectl"),
    ("bash -i", "bash -i"), ("bash -il", "bash -i"), ("bash --norc -i", "bash -i"),
    ("exec bash -i", "bash -i"), ("bash -c 'bash -i'", "bash -i"),
    # honest lines: a shell reading a pipe, a remote command, programs with -i of their own
    ("bash", None), ("bash -s", None), ("sh", None), ("su -", None), ("sudo -i", None),
    ("luit -- bash", "luit"), ("run0 --pty bash", "run0"), ("reptyr -L bash", "reptyr"),
    ("systemd-nspawn --console=interactive -D /srv/c bash", "systemd-nspawn"),
    ("ctr t exec -t --exec-id x c bash", "ctr with a terminal"), ("ssh h uptime", None), ("docker ps", None),
    ("systemd-run -P ls", None), ("ls -i", None),
    # ssh's own options are read before the host; the remote command's are its own
    ("ssh h 'ls -t'", None), ("ssh -p 22 h 'ls -lt'", None), ("ssh -l t h ls", None),
    ("ssh -o RequestTTY=no h ls", None), ("ssh -o 'RequestTTY yes' h ls", "ssh with a terminal"),
    ("ssh h ssh -t h2", "ssh with a terminal"), ("sudo ssh -t h ls", "ssh with a terminal"),
    ("ssh h bash", "ssh"), ("ssh h -t ls", "ssh with a terminal"),
    ("ssh h -p 22 -tt", "ssh with a terminal"), ("ssh h ls -t", None),
    ("ssh h 'echo $HOME'", None), ('ssh -p 22 h "ls $D"', None), ('ssh h "ls $D"', None),
    ('ssh h "$X" ls', "ssh with a terminal"),
    ("grep -i x f", None), ("git status", None),
])
def test_a_program_that_gives_the_stdin_a_terminal_is_named(line, maker):
    assert policy.terminal_maker(line) == maker


@each(("line", "reads"), [
    ("bash </dev/std?n", "shell"), ("bash </dev/stdi[n]", "shell"), ("bash </de?/stdin", "shell"),
    ("sh /dev/std?n", "shell"), (". /dev/std?n", "shell"), ("bash -s </dev/std?n", "shell"),
    ("python3 /dev/std?n", "interpreter"), ("python3 </pro?/self/fd/0", "interpreter"),
    ("bash </tmp/script?.sh", None), ("bash /opt/run*.sh", None),
])
def test_a_pattern_that_may_name_the_stdin_is_read_as_the_stdin(line, reads):
    assert policy.reads_script_from_stdin(line) == reads


@each("statement", ["read x </dev/std?n", "cat /dev/std?n", "head -c 9 /dev/std*"])
def test_a_stdin_reader_spelled_with_a_pattern_is_a_doubt(statement):
    assert policy.script_doubt(statement) is not None
