"""Keys typed without echo where a shell without a line editor may read them (attack L,
finding 3): a stock program killed at its password prompt leaves the terminal's echo off, and
dash (or ash, or bash without readline) then reads lines nothing shows, at a prompt that may
say anything (`PS1='Password: '`). Such keys are judged as a command line with the policy's
defaults counting (a line only `unknown` would hold is held), while a password typed for one
program that asks for it (`sudo CMD`, `ssh HOST`, `su -`) stays a secret.

Each test is a transition of the tracker's reader state (`CommandLineTracker._note_reader`):
what sets it, what keeps it, what resets it. The tracker is driven as the proxy drives it,
and the gate's verdict is computed as `InputGate._judge_hidden` computes it.
"""

from __future__ import annotations

import pytest

from bastion.command_control import policy
from bastion.command_control.policy import evaluate
from bastion.command_control.terminal import Reconstruction
from tests.terminal_replay import default_policy
from tests.test_terminal import DASH_PROMPT, ENTER, PROMPT, Shell

ATTACK = b"eval \"$(printf 'touch can%sary')\""  # only the `unknown` default holds it
HONEST = b"Pa$$w0rd!"  # `unknown` as a command line too (history expansion, a run-time name)
PLAIN = b"c0rrect-h0rse"  # a command line the policy lets through


def gate_verdict(sh: Shell, rec: Reconstruction) -> str:
    """What InputGate._judge_hidden makes of the keys: "secret" (they go through unjudged for the
    record), or the action that refuses or holds them."""
    assert rec.kind == "not-a-command" and rec.hidden, rec
    strict = sh.tracker.hidden_keys_may_run(rec.prompt)
    for reading in (rec.hidden, *rec.hidden_also):
        v = evaluate(default_policy(), reading, role="engineer", target="web01")
        if v.action in ("deny", "confirm") and (strict or not v.rule.startswith("defaults.")):
            return v.action
    return "secret"


def bash() -> Shell:
    return Shell()


def dash() -> Shell:
    return Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"", erase=0x7F)


def line(sh: Shell, text: str, answer: bytes = b"") -> None:
    """`text` typed at the prompt, judged and sent; the shell answers `answer` (then a prompt
    of its own unless the answer is a program's prompt)."""
    sh.type(text)
    sh.submit()
    sh.send((ENTER if sh.prompt == PROMPT else b"\r\n") + answer)


def typed_blind(sh: Shell, keys: bytes) -> str:
    sh.keys(keys + b"\r")
    return gate_verdict(sh, sh.tracker.reconstruct())


# -- the attack, and its members --------------------------------------------------------------

@pytest.mark.parametrize("killer", [
    "timeout -s KILL 1 bash -c 'read -s x'",
    "timeout -s KILL 1 openssl passwd",
    "sleep 5 & openssl passwd",  # killed from another channel: `pkill -9 openssl`
])
def test_a_fake_password_prompt_of_dash_after_a_killed_program_holds_what_unknown_holds(killer):
    sh = dash()
    line(sh, f"PS1='Password: '; {killer}", b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_a_prompt_set_earlier_then_a_lone_secret_asker_killed_from_elsewhere():
    # the lone `openssl passwd` vouches for its prompt, but not once a line may have set a
    # prompt that changes at each showing (never a known one)
    sh = dash()
    line(sh, "PS1='$(date +%N) Password: '", b"1234 Password: ")
    line(sh, "openssl passwd", b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


@pytest.mark.parametrize("first", [
    "timeout -s KILL 1 openssl passwd; sh",
    "bash -c 'read -s x; exec dash'",
    "python3 -c 'import termios'; exec dash",
])
def test_a_line_starting_a_shell_after_another_program_leaves_a_reader_without_echo(first):
    # typed at bash's readline (which restores the terminal after a killed job), the shell the
    # line starts after may read with the echo that program left
    sh = bash()
    line(sh, first, b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_ctrl_d_back_to_a_parent_shell_leaves_a_reader_without_echo():
    sh = bash()
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, ATTACK) == "secret"  # sudo's own prompt: rules only
    sh.send(b"\r\n" + PROMPT)
    assert sh.keys(b"\x04") is None  # not held: it goes to bash at once
    sh.out(b"exit\r\nPassword: ")
    sh.keys(ATTACK + b"\r")
    rec = sh.tracker.reconstruct()
    if rec.kind == "not-a-command":
        assert gate_verdict(sh, rec) == "confirm"
    else:  # the parent's prompt is not where the line began: uncertain, the gate refuses it
        assert rec.kind in ("command", "blind") and not rec.certain


def test_a_full_screen_program_may_start_a_shell_with_the_echo_it_found():
    sh = bash()
    line(sh, "vim", b"\x1b[?1049h\x1b[H\x1b[2J")
    sh.out(b"\x1b[?1049l\r\nPassword: ")  # :sh, with the echo vim found at its start
    assert typed_blind(sh, ATTACK) == "confirm"


def test_an_exec_channel_command_is_the_first_line_typed_where_no_line_editor_reads():
    sh = dash()
    sh.tracker.started_with("timeout -s KILL 1 openssl passwd; sh")
    sh.out(b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"
    sh = dash()
    sh.tracker.started_with("sudo systemctl restart nginx")
    sh.out(b"[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "secret"


def test_a_line_not_read_for_certain_may_be_anything():
    sh = dash()
    sh.tracker._note_reader(("sudo true",), certain=False)
    sh.out(b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_rules_still_refuse_where_a_program_asks():
    sh = bash()
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, b"echo '#x' >> /etc/sudoers.d/attack") == "deny"


# -- honest work keeps its secrets ------------------------------------------------------------

@pytest.mark.parametrize(("first", "prompt"), [
    ("sudo apt update", b"[sudo] password for bob: "),
    ("su -", b"Password: "),
    ("ssh db01", b"bob@db01's password: "),
    ("cd /srv/app; sudo make install", b"[sudo] password for bob: "),
    ("mysql -u root -p", b"Enter password: "),
])
def test_a_password_for_one_program_that_asks_is_a_secret_in_any_shell(first, prompt):
    for sh in (bash(), dash()):
        line(sh, first, prompt)
        assert typed_blind(sh, HONEST) == "secret"


@pytest.mark.parametrize("first", [
    "read -s -p 'DB pass: ' x; echo; echo got", "./deploy.sh", "make && sudo make install",
    "timeout -s KILL 1 openssl passwd",
])
def test_at_bashs_readline_a_hidden_prompt_after_any_lone_line_keeps_its_secret(first):
    # bash said it reads (?2004h) before the line, and restores the terminal after a killed job:
    # a shell reading with its echo off would say so again (kind "blind", see test_terminal)
    sh = bash()
    line(sh, first, b"Password: ")
    assert typed_blind(sh, HONEST) == "secret"


def test_a_password_that_is_no_command_is_a_secret_even_where_a_shell_may_read():
    sh = dash()
    line(sh, "./ask", b"Password: ")
    assert typed_blind(sh, PLAIN) == "secret"
    sh.send(b"\r\nPassword: ")
    assert typed_blind(sh, HONEST) == "confirm"  # the honest cost, SECURITY.md says so


# -- what resets the state, what carries it ---------------------------------------------------

def test_a_line_at_bashs_readline_resets_the_reader_until_a_shell_without_one_read_a_line():
    sh = bash()
    line(sh, "vim", b"\x1b[?1049h\x1b[H\x1b[2J")  # a full-screen program may host a shell
    sh.out(b"\x1b[?1049l" + PROMPT)
    assert sh.tracker.hidden_keys_may_run("Password:")
    line(sh, "./ask", b"Password: ")  # typed at bash's readline: its prompt is the program's
    assert not sh.tracker.hidden_keys_may_run("Password:")
    sh.out(b"\r\n" + PROMPT)
    line(sh, "sh", DASH_PROMPT)  # a lone shell starts with the echo it was typed with
    assert not sh.tracker.hidden_keys_may_run("Password:")
    sh.prompt = DASH_PROMPT
    line(sh, "./ask", b"Password: ")  # typed in dash: no line editor said it reads
    assert sh.tracker.hidden_keys_may_run("Password:")
    sh.out(b"\r\n" + DASH_PROMPT)  # the program ended
    line(sh, "exit", PROMPT)
    sh.prompt = PROMPT
    line(sh, "./ask", b"Password: ")  # at bash's readline again, but dash could print ?2004h
    assert sh.tracker.hidden_keys_may_run("Password:")


def test_a_shell_without_a_line_editor_printing_bashs_marker_is_not_taken_for_readline():
    sh = dash()
    line(sh, "printf '\\033[?2004h'", b"\x1b[?2004h" + DASH_PROMPT)
    sh.prompt = b"\x1b[?2004h" + DASH_PROMPT
    line(sh, "PS1='Password: '; printf '\\033[?2004l'; openssl passwd", b"\x1b[?2004lPassword: ")
    assert typed_blind(sh, ATTACK) == "confirm"


def test_a_secret_typed_keeps_the_state_of_the_line_before_it():
    sh = dash()
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "secret"
    sh.send(b"\r\nSorry, try again.\r\n[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "secret"  # the retry: still sudo's


def test_a_prompt_once_set_to_change_keeps_the_exception_off_for_the_channel():
    sh = dash()
    line(sh, "export PS1='x '", b"x ")
    sh.prompt = b"x "
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "confirm"
    sh = bash()
    line(sh, "export PS1='x '", PROMPT)
    line(sh, "sudo -k true", b"[sudo] password for bob: ")
    assert typed_blind(sh, HONEST) == "secret"  # bash's readline vouches, whatever its prompt


def test_the_exception_needs_a_password_prompt():
    sh = dash()
    line(sh, "sudo -k true", b"go on: ")
    sh.keys(HONEST + b"\r")
    rec = sh.tracker.reconstruct()
    if rec.kind == "not-a-command":
        assert gate_verdict(sh, rec) == "confirm"
    else:
        assert rec.kind == "blind"


def test_a_fixed_prompt_set_on_the_line_of_a_lone_asker_is_no_password_prompt_of_it():
    # `PS1='Password: '; openssl passwd`, killed from another channel: dash's new prompt was
    # never typed at, and looks like openssl's own
    sh = dash()
    line(sh, "PS1='Password: '; openssl passwd", b"Password: ")
    assert typed_blind(sh, ATTACK) == "confirm"
    sh.send(b"\r\nPassword: ")
    # a fixed prompt set on an earlier line is typed at (known) before anything asks there:
    # keys not echoed at a prompt commands were typed at are a shell's, never a secret
    line(sh, "openssl passwd", b"\r\nPassword: ")
    sh.keys(HONEST + b"\r")
    assert sh.tracker.reconstruct().kind == "blind"


@pytest.mark.parametrize(("text", "after_another", "asks", "sets"), [
    ("sudo apt update", False, True, ""),
    ("sudo -i", False, True, ""),
    ("su -", False, True, ""),
    ("timeout -s KILL 1 openssl passwd; sh", True, False, ""),
    ("x; busybox sh", True, False, ""),
    ("x; script -q /dev/null", True, False, ""),
    ("x; $SHELL", True, False, "changing"),
    ("make && sudo make install", False, False, ""),
    ("cd /srv; sudo make install", False, True, ""),
    ("PS1='Password: ' sh", False, False, "fixed"),
    ("PS1='$ ' sh", False, False, "fixed"),
    ("PS1='$(date +%N) Password: '", False, False, "changing"),
    ("PS1='\\t Password: '", False, False, "changing"),
    ("PS1=\"$X\"", True, False, "changing"),  # (the policy reads it as code known at run time)
    ("read -r PS1 <<< x", True, False, "changing"),
    ("printf -v PROMPT_COMMAND x", False, False, "changing"),
    ("ENV=/tmp/rc sh", False, False, "changing"),
    ("eval \"$x\"", True, False, "changing"),
])
def test_the_policys_reading_of_a_line_for_the_reader(text, after_another, asks, sets):
    assert (policy.starts_reader_after_another(text), policy.asks_secret_only(text),
            policy.sets_prompt(text)) == (after_another, asks, sets)
