"""Attack e14ib (issue 12): the key reader and the reader state, table by table.

Finding 1: the key reader took Esc and a UTF-8 lead byte as "Alt + a character" and the next
bytes into it whatever they were: `Esc 0xC3 CR` swallowed the Enter, and dash ran the line with
no verdict. Every place a key of several bytes is assembled ends it at a byte that cannot be
part of it, and that byte is a key of its own.

Finding 2: a shell started by a program the policy did not know starts one (`fakeroot`, gdb's
`shell`, vim's `:sh`) printed bash's ?2004h in its prompt, and Ctrl-D Ctrl-D (the driver's
VEOF) ran a line unjudged. Launchers and programs with a shell escape start a reader; so does
any full-screen program, structurally.
"""

from __future__ import annotations

import pytest

from bastion.command_control import policy
from bastion.command_control.terminal import Submit
from bastion.command_control.terminal.keys import _KeyReader
from tests.rows import each
from tests.test_blind_reader import bash, dash, line, verdict_of_line
from tests.test_terminal import ENTER, PROMPT, Shell

LINE = "touch canary; systemctl stop auditd #"
FAKE = b"\x1b[?2004hD$ "  # bash's marker, printed by dash's PS1
ALT_ON = b"\x1b[?1049h\x1b[H\x1b[2J"
ALT_OFF = b"\x1b[?1049l"


# -- finding 1: the key reader ----------------------------------------------------------------

@each(("chunks", "keys"), [
    ([b"\x1b\xc3\r"], [b"\x1b\xc3", b"\r"]),
    ([b"\x1b\xc3", b"\r"], [b"\x1b\xc3", b"\r"]),
    ([b"\x1b\xe2\x82\r"], [b"\x1b\xe2\x82", b"\r"]),
    ([b"\x1b\xe2", b"\x82", b"\r"], [b"\x1b\xe2\x82", b"\r"]),
    ([b"\x1b\xf0\x9f\x98\n"], [b"\x1b\xf0\x9f\x98", b"\n"]),
    ([b"\x1b\xf0\x04"], [b"\x1b\xf0", b"\x04"]),
    ([b"\x1b\xc3\x1b[201~"], [b"\x1b\xc3", b"\x1b[201~"]),  # a paste's end is not swallowed
    ([b"\x1b\xc3A"], [b"\x1b\xc3", b"A"]),
    ([b"\x1b\xc3\xa9x"], [b"\x1b\xc3\xa9", b"x"]),  # Alt + é stays one key
    ([b"\x1bO\r"], [b"\x1bO", b"\r"]),  # SS3 broken by a control byte
    ([b"\x1bO", b"\r"], [b"\x1bO", b"\r"]),
    ([b"\x1b[1\r"], [b"\x1b[1", b"\r"]),  # CSI broken by a control byte
    ([b"\x1b[", b"\r"], [b"\x1b[", b"\r"]),
    ([b"ab\xc3", b"\r"], [b"ab", b"\xc3", b"\r"]),  # a character cut, then Enter
    ([b"\xe2\x82", b"\x04"], [b"\xe2\x82", b"\x04"]),
])
def test_a_byte_that_cannot_continue_a_key_is_a_key_of_its_own(chunks, keys):
    reader = _KeyReader()
    got = [key for chunk in chunks for key in reader.feed(chunk)]
    assert got + reader.flush() == keys


@pytest.mark.parametrize("chunks", [
    [b"\x1b\xc3\r"], [b"\x1b\xc3", b"\r"], [b"\x1b", b"\xc3", b"\r"],
    [b"\x1b\xe2\r"], [b"\x1b\xe2\x82", b"\r"], [b"\x1b\xf0\x9f\x98\r"], [b"\x1b\xf0\x9f", b"\r"],
    [b"\x1b\xc3\n"], [b"\x1b\xc3", b"\n"],
], ids=repr)
@pytest.mark.parametrize("shell", ["bash", "dash"])
def test_enter_after_esc_and_a_lead_byte_is_a_submit_and_the_line_is_judged(chunks, shell):
    sh = bash() if shell == "bash" else dash()
    if shell == "dash":
        line(sh, "PS1='$ ' sh", b"$ ")
    sh.type(LINE)
    *before, last = chunks
    for chunk in before:
        assert sh.keys(chunk) is None
    held = sh.keys(last)
    assert isinstance(held, Submit) and held.key == last[-1:]
    assert verdict_of_line(sh) == "deny"


@pytest.mark.parametrize("chunks", [[b"\x1b\xc3\x04"], [b"\x1b\xc3", b"\x04"], [b"\x1b\xe2\x82", b"\x04"]],
                         ids=repr)
def test_ctrl_d_after_esc_and_a_lead_byte_is_the_drivers_flush_in_dash(chunks):
    sh = dash()
    line(sh, "PS1='$ ' sh", b"$ ")
    sh.type(LINE)
    *before, last = chunks
    for chunk in before:
        assert sh.keys(chunk) is None
    held = sh.keys(last)
    assert held is not None and held.how == "flush"
    assert verdict_of_line(sh) == "deny"


# -- finding 2: what starts a reader ----------------------------------------------------------

LAUNCHERS = ["fakeroot", "fakeroot-sysv", "fakeroot-tcp", "fakechroot", "firejail", "run0",
             "systemd-run --shell", "systemd-run -t", "flatpak-spawn --host",
             "proot", "schroot", "capsh --", "nix-shell", "guix shell", "pipenv shell", "mc",
             "autossh -M 0 h", "dbclient h", "lxc-attach -n c", "lxc-console -n c",
             "lxc-execute -n c", "pct enter 100", "vzctl enter 100", "crictl exec -it c sh",
             "minicom", "picocom /dev/ttyS0", "cu -l /dev/ttyS0", "tsh ssh h", "linux32", "nsenter -t 1 -a",
             "SHELL=/bin/sh fakeroot", "sudo fakeroot", "nice -n 5 fakeroot", "x=1; fakeroot"]
ESCAPES = ["gdb ./a.out", "lldb", "ftp h", "lftp h", "sftp h", "smbclient //h/s", "ed f", "ex f",
           "mail", "mailx", "mysql -u root", "mariadb", "psql", "sqlite3 db", "sqlplus", "more f",
           "gnuplot", "dc", "ghci", "julia", "timeout 5 mysql"]


@each("text", LAUNCHERS + ESCAPES)
def test_launchers_and_programs_with_a_shell_escape_start_a_reader(text):
    assert policy.starts_reader(text)


@each("text", ["ls -l", "git status", "vim f", "less f", "cat f | grep x"])
def test_ordinary_programs_still_start_no_reader(text):
    # The full-screen ones are the alternate screen's: see below.
    assert not policy.starts_reader(text)


@each("launcher", ["fakeroot", "firejail", "gdb -q", "sqlite3", "ed"])
def test_ctrl_d_under_a_printed_marker_after_a_launcher_is_the_drivers_flush(launcher):
    sh = bash()
    line(sh, f"PS1=$'\\e[?2004hD$ ' SHELL=/bin/sh {launcher}", FAKE)
    sh.prompt = FAKE
    sh.type(LINE)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict_of_line(sh) == "deny"


def full_screen_shell(sh: Shell, program: str = "vim") -> None:
    """`program` opens the alternate screen, starts a shell at a key (vim's :sh, less's !sh),
    which leaves it and prints bash's marker in its prompt."""
    line(sh, program, ALT_ON)
    sh.out(ALT_OFF + b"\r\n" + FAKE)
    sh.prompt = FAKE


@each("program", ["vim", "less /etc/hosts", "man ls", "top"])
def test_ctrl_d_under_a_printed_marker_after_a_full_screen_program_is_the_drivers_flush(program):
    sh = bash()
    full_screen_shell(sh, program)
    sh.type(LINE)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict_of_line(sh) == "deny"


def test_the_doubt_after_a_full_screen_program_carries_over_later_lines():
    # The state carries: lines typed after the full-screen program (at what looks like
    # readline) take none of it back, for the rest of the channel.
    sh = bash()
    full_screen_shell(sh)
    for text in ("ls", "cd /tmp", "echo hi"):
        line(sh, text, FAKE)
    sh.type(LINE)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"


def test_an_alternate_screen_before_any_line_raises_the_doubt_too():
    # A login script's full-screen program (a menu) may start the shell that reads first.
    sh = Shell(banner=ALT_ON + b"menu" + ALT_OFF, prompt=FAKE)
    sh.type(LINE)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"


def test_without_a_full_screen_program_or_launcher_ctrl_d_stays_readlines():
    # The transition that does not raise the doubt: ordinary lines at bash's readline.
    sh = bash()
    line(sh, "ls -l", PROMPT)
    line(sh, "git status", PROMPT)
    sh.type("echo hi")
    assert sh.keys(b"\x04") is None
    assert sh.submit().text == "echo hi"
    sh.send(ENTER + PROMPT)
