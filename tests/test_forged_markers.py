"""Readline's markers and the line on the screen forged by the target (attack b11i).

Finding 2: anything that writes to the terminal (a job in the background, another session of
the login) can print readline's end of line (?2004l) and a fake `PIN: ` prompt over a line
typed at bash's prompt. Readline prints ?2004l only after a key that may end its line; one
without such a key is not readline's: bash still reads, so keys the screen does not show are
no secret (they are "blind", held by the `uncertain` action) and the backstop stays armed.

Finding 1: after a key the keystroke model does not follow (M-b, Ctrl-T, Tab, Up, vi's
command mode) the line was read from the screen alone, where the same writer can draw a
harmless line. The keys still bound what the line may hold (see `_Line.typed`).

Each test drives the tracker over the output bash 5.2 sends, as the proxy does, and takes the
verdict as InputGate._judge takes it (tests/test_driver_readings.py's `verdict`).
"""

from __future__ import annotations

import pytest

from tests.test_blind_reader import ATTACK
from tests.test_driver_readings import verdict
from tests.test_terminal import CTRL_C_ANSWER, ENTER, PROMPT, Shell

END = b"\x1b[?2004l"  # readline's "done with the line", which any program can print
# Attack b11i's job: a fake prompt drawn over the line, the cursor put back where it was.
FAKE_PIN = b"\x1b[1G\x1b[KPIN: " + END + b"\x1b[%dG" % (len(b"bob@web01:~$ ") + 1)


def typed_then_forged(keys: bytes = ATTACK) -> Shell:
    """`keys` typed and echoed at bash's prompt, then a job's fake prompt wipes the echo."""
    sh = Shell()
    sh.out(b"\r\n" + PROMPT)
    for byte in keys:
        sh.press(bytes([byte]), bytes([byte]))
    sh.out(FAKE_PIN)
    return sh


# -- finding 2: a ?2004l with no key that ends a line ----------------------------------------

def test_a_forged_end_of_line_does_not_make_a_typed_line_a_secret():
    sh = typed_then_forged()
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert rec.kind == "blind" and not rec.hidden
    assert "no key that ends a line" in rec.reason
    assert verdict(sh) != "allow"


def test_a_forged_end_before_any_key_leaves_keys_at_a_fake_prompt_blind():
    sh = Shell()
    sh.out(END + b"\r\x1b[KPIN: ")
    sh.keys(ATTACK)  # not echoed: the fake prompt's owner "reads" them
    sh.keys(b"\r")
    assert sh.tracker.reconstruct().kind == "blind"
    assert verdict(sh) != "allow"


def test_a_forged_end_before_any_key_leaves_the_backstop_armed():
    # Attack b11i: `printf '\e[?2004l\r'` from a job disarmed the backstop, so a key bound to
    # accept-line (out of the bastion's sight) then ran a line with no session end.
    sh = Shell()
    sh.out(END + b"\r")
    assert sh.tracker.take_unjudged() is None  # no key typed yet: nothing ran
    sh.type("touch canary")
    sh.keys(b"\x14")  # bound to accept-line in an rc file
    sh.out(b"\r\n" + END + b"\r")
    assert sh.tracker.take_unjudged() == "touch canary"


def test_a_new_readline_line_after_a_forged_end_is_read_as_usual():
    sh = Shell()
    sh.out(END + b"\r\x1b[KPIN: ")
    sh.out(b"\r\n" + PROMPT)
    assert sh.run("ls").kind == "command"


@pytest.mark.parametrize(("line", "answer"), [
    ("sudo ls", b"[sudo] password for bob: "),
    ("read -rs -p 'PIN: ' pin", b"PIN: "),
    (None, b"PIN: "),
])
def test_a_password_prompt_after_a_key_that_ends_the_line_keeps_its_secret(line, answer):
    """Honest use: `sudo ls` Enter, `read -s` Enter; Ctrl-C at the prompt (readline's own
    ?2004l CR), then a prompt (a trap's). The keys stay a secret."""
    sh = Shell()
    if line is not None:
        sh.type(line)
        sh.submit()
        sh.send(ENTER + answer)
    else:
        sh.keys(b"\x03")
        sh.out(CTRL_C_ANSWER[:CTRL_C_ANSWER.index(b"\r") + 1] + b"\n" + answer)
    sh.keys(b"c0rrect-h0rse\r")
    rec = sh.tracker.reconstruct()
    assert rec.kind == "not-a-command" and rec.hidden == "c0rrect-h0rse"


def test_ctrl_c_at_the_prompt_leaves_the_next_line_read_as_usual():
    sh = Shell()
    sh.keys(b"\x03")
    sh.out(CTRL_C_ANSWER)  # bash's own ?2004h ?2004l pair comes before the new prompt
    assert sh.run("ls").kind == "command"
    assert sh.tracker.take_unjudged() is None


def test_a_real_end_after_a_forged_one_restores_the_password_prompt():
    sh = typed_then_forged(b"ls")
    sh.keys(b"\x05\x15")  # the user clears the line (bash still reads it) ...
    sh.out(b"\r\x1b[K" + PROMPT[len(b"\x1b[?2004h"):])
    sh.type("sudo ls")  # ... and runs sudo
    sh.submit()
    sh.send(ENTER + b"[sudo] password for bob: ")
    sh.keys(b"c0rrect-h0rse\r")
    assert sh.tracker.reconstruct().hidden == "c0rrect-h0rse"


def test_a_judged_line_sent_explains_its_end_after_a_forged_one():
    sh = typed_then_forged(b"ls")
    sh.out(b"\r\x1b[K" + PROMPT[len(b"\x1b[?2004h"):] + b"ls")
    sh.submit()
    sh.send(ENTER + b"f.txt\r\n" + PROMPT)
    assert sh.tracker.take_unjudged() is None
