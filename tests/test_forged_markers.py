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

from bastion.command_control.policy import evaluate
from tests.rows import each
from tests.terminal_replay import default_policy
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


@each(("line", "answer"), [
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


# -- finding 1: a line drawn over the typed one, after a key the model does not follow -------

DENIED = "echo x >> /etc/sudoers"  # a deny rule of the shipped policy refuses it
REDRAWN = b"\rbob@web01:~$ "  # a job's "\rREADY> echo harmless\e[K", with this Shell's prompt


def judged(sh: Shell) -> str:
    """InputGate._judge's verdict: the line and its readings, then the keys' own line
    (`Reconstruction.typed`), which only a rule refuses."""
    action = verdict(sh)
    for typed in sh.tracker.reconstruct().typed:
        v = evaluate(default_policy(), typed, role="engineer", target="web01")
        if v.action != "allow" and not v.rule.startswith("defaults."):
            action = "deny" if "deny" in (action, v.action) else v.action
    return action


def unfollowed(keys: bytes, answer: bytes, drawn: str, *, vi: bool = False) -> Shell:
    """DENIED typed and echoed, then `keys` the model does not follow (bash answers `answer`),
    then another writer draws `drawn` as the line."""
    sh = Shell()
    if vi:
        sh.run("set -o vi")
    sh.type(DENIED)
    sh.keys(keys)
    sh.out(answer)
    sh.out(REDRAWN + drawn.encode() + b"\x1b[K")
    return sh


@each(("name", "keys", "answer", "vi"), [
    ("meta-b", b"\x1bb", b"\x08" * 8, False),
    ("meta-f", b"\x1bb\x1bf", b"\x08" * 8 + b"/etc/sudoers", False),
    ("ctrl-t-twice", b"\x14\x14", b"\x08\x08sr\x08sr", False),
    ("vi-esc-b", b"\x1bb", b"\x08" * 9, True),
    ("tab", b"\t", b"\x07", False),
    ("up-down", b"\x1b[A\x1b[B", b"\r\x1b[Kbob@web01:~$ ls\r\x1b[Kbob@web01:~$ " + DENIED.encode(), False),
])
def test_a_line_drawn_over_the_typed_one_is_never_taken_for_it(name, keys, answer, vi):
    sh = unfollowed(keys, answer, "echo harmless", vi=vi)
    sh.keys(b"\r")
    assert judged(sh) != "allow", name


def test_an_empty_line_drawn_over_the_typed_one_is_not_an_empty_line():
    sh = unfollowed(b"\t", b"\x07", "")  # Tab: completion that found nothing
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert rec.kind == "command" and not rec.certain and "empty" in rec.reason
    assert judged(sh) != "allow"


def test_a_line_drawn_over_the_typed_one_stays_suspect_after_the_model_restarts_from_it():
    # A key after the drawing (Ctrl-E) restarts the model from the screen: it still holds
    # characters no key typed.
    sh = unfollowed(b"\x1b[1;5D", b"\x08" * 7, "echo harmless")  # Ctrl-Left: followed
    sh.keys(b"\x05")
    sh.keys(b"\r")
    assert not sh.tracker.reconstruct().certain
    assert judged(sh) != "allow"


def test_keys_reordered_into_another_line_are_judged_in_typed_order():
    # Only characters typed, drawn in another order: the keys' own line is judged by the rules.
    sh = unfollowed(b"\t", b"\x07", "echo /etc/sudoers >> x")
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert rec.typed == (DENIED,)
    assert judged(sh) == "deny"


# -- honest use after keys the model does not follow: still certain, still allowed -----------

def test_meta_b_then_an_edit_is_followed_and_certain():
    sh = Shell()
    sh.type("ls /tmp")
    sh.keys(b"\x1bb")
    sh.out(b"\x08\x08\x08")
    sh.keys(b"\x1bb")
    sh.out(b"\x08\x08\x08\x08")
    for ch in b"sudo ":  # readline redraws the rest of the line after each insert
        sh.press(bytes([ch]), bytes([ch]) + b"ls /tmp" + b"\x08" * 7)
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.certain) == ("sudo ls /tmp", True)
    assert rec.typed == () and judged(sh) == "allow"  # M-b is followed: no keys' own line


def test_completion_and_history_stay_certain():
    sh = Shell()
    sh.type("ech")
    sh.keys(b"\t")
    sh.out(b"o ")
    sh.type("hi")
    assert sh.submit().certain and judged(sh) == "allow"
    sh.send(ENTER + b"hi\r\n" + PROMPT)
    sh.keys(b"\x1b[A")
    sh.out(b"echo hi")
    rec = sh.submit()
    assert (rec.text, rec.certain, rec.typed) == ("echo hi", True, ())


def test_vi_mode_motions_then_an_insert_are_certain():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("ls")
    sh.keys(b"\x1b")
    sh.out(b"\x08")
    sh.keys(b"0")
    sh.out(b"\x08")
    sh.keys(b"i")
    for ch in b"sudo ":
        sh.press(bytes([ch]), bytes([ch]) + b"ls\x08\x08")
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.text, rec.certain) == ("sudo ls", True)
    assert judged(sh) == "allow"


def test_past_the_models_bound_the_keys_no_longer_bound_the_line():
    # The characters typed are kept only up to the model's bound; past it the screen is the
    # witness again (the line is past what the model follows: never certain anyway).
    sh = Shell()
    sh.keys(b"x" * (64 * 1024 + 1))
    line = sh.tracker._line
    assert line.typed == [] and line.foreign
