"""The terminal driver's readings where it may be the line's editor (attack a10i): the target's
own output (the alternate screen, a ?2004h, a paste start it "honours") may add doubt about who
reads the line, never turn a check off. Where the driver may read (no line editor announced
itself, a shell without one may have printed the announcement, or the alternate screen opened
where such a shell read), its readings of the bytes typed are judged in addition to the
keystroke model's, Ctrl-D on a line any reading holds text in is judged as the driver's VEOF,
and the bastion never ends a refused line with an Enter.

Each test drives the tracker as the proxy does, and takes the verdict as InputGate._judge
(or _judge_hidden) takes it: the strictest over the line and its other readings, the
`uncertain` default counting for a line that is not certain.
"""

from __future__ import annotations

from bastion.command_control.policy import Verdict, evaluate, stricter, uncertain_verdict
from bastion.command_control.policy.unfinished import unfinished_readings
from bastion.command_control.terminal import CONTINUATION, Reconstruction
from bastion.ssh.gate import UNFINISHED_JUDGED
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_blind_reader import ALT, ATTACK, bash, dash, gate_verdict, line
from tests.test_terminal import DASH_PROMPT, PROMPT, Shell

DENIED = "echo x >> /etc/sudoers;"  # a deny rule of the shipped policy refuses it
MARKER = b"\x1b[?2004h"  # readline's "I read a line", which any program can print
E_ACUTE = "\u00e9".encode()


def verdict(sh: Shell) -> str:
    """InputGate's verdict on the line held now: "allow" when nothing refuses or holds it."""
    rec = sh.tracker.reconstruct()
    pol = default_policy()
    if rec.kind == "not-a-command" and rec.reason == CONTINUATION and rec.text.strip(" \t\n"):
        # An unfinished statement: what a rule refuses or holds in it so far (attack a36i).
        text = rec.text if len(rec.text) <= UNFINISHED_JUDGED else rec.text.rsplit("\n", 1)[-1]
        found = "allow"
        for reading in (*unfinished_readings(text), *rec.typed):  # attack c38i, 3 and 2
            w = evaluate(pol, reading, role="engineer", target="web01")
            if w.action in ("deny", "confirm") and not w.rule.startswith("defaults."):
                found = "deny" if "deny" in (found, w.action) else w.action
        return found
    if rec.kind == "not-a-command":
        return gate_verdict(sh, rec) if rec.hidden else "allow"
    if rec.kind == "blind":
        return uncertain_verdict(pol, rec.reason).action
    if not rec.text.strip() and not rec.also and not rec.unknown:
        return "allow" if rec.certain else uncertain_verdict(pol, rec.reason).action
    v = None
    for text in (rec.text, *rec.also):
        w = evaluate(pol, text, role="engineer", target="web01")
        if not rec.certain:
            w = stricter(w, uncertain_verdict(pol, rec.reason))
        v = w if v is None else stricter(v, w)
    assert v is not None
    if rec.unknown:  # the policy's `unknown` action on top, as InputGate applies it
        v = stricter(v, Verdict(pol.defaults.unknown, "defaults.unknown", rec.unknown, rec.text, ()))
    return v.action


def faked_marker() -> Shell:
    """dash after `printf '\\033[?2004h'`: readline's marker on, printed by a shell without one."""
    sh = dash()
    line(sh, "printf '\\033[?2004h'", MARKER + DASH_PROMPT)
    return sh


def dash_alt() -> Shell:
    """dash after `tput smcup; clear`: the alternate screen, its prompt a known one."""
    sh = dash()
    line(sh, "tput smcup; clear", ALT + DASH_PROMPT)
    return sh


def bytewise_erase(prefix: str) -> bytes:
    """Keys after which readline (and IUTF8) hold an empty line, but a driver erasing byte by
    byte (IUTF8 off: PuTTY, many clients, a nested pty) holds `prefix` and one stray byte."""
    n = len(prefix) + 1
    return prefix.encode() + E_ACUTE * n + b"\x7f" * (n + len(prefix))


def wiped(sh: Shell, keys: bytes, then: str) -> Reconstruction:
    """`keys`, after which the screen shows the prompt alone (the line as the model reads it),
    then `then` typed and echoed, and Enter."""
    sh.keys(keys)
    sh.out(b"\r" + DASH_PROMPT + b"\x1b[K")
    sh.type(then)
    return sh.submit()


# -- finding 1: "is this line empty" asks every reading --------------------------------------

@each("keys", [
    DENIED.encode() + b"#\x16\x03",  # Ctrl-V Ctrl-C: the driver keeps ^C as data
    bytewise_erase(DENIED),  # IUTF8 off: half a character left, and what was before it
    DENIED.encode() + b"#" + b"\x08" * 24,  # a nested pty's erase is DEL: ^H is data there
], ids=["lnext-intr", "bytewise-erase", "other-erase-key"])
def test_ctrl_d_on_a_line_only_the_model_reads_as_empty_is_judged(keys):
    sh = dash()
    sh.keys(keys)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict(sh) == "deny"
    # ... and so in bash, once a shell without a line editor may have printed the marker
    sh = faked_marker()
    sh.keys(keys)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict(sh) == "deny"


@each("edit", [b"\x15", b"\x7f", b"\x17"])
def test_ctrl_d_after_a_literal_next_edit_key_is_judged(edit):
    # Ctrl-V then Ctrl-U, DEL or Ctrl-W: the driver keeps the edit key as data
    sh = dash()
    sh.keys(DENIED.encode() + b"#\x16" + edit)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict(sh) == "deny"


def test_ctrl_d_is_eof_unjudged_only_where_every_reading_reads_the_line_empty():
    sh = dash()
    assert sh.keys(b"\x04") is None  # nothing typed: EOF
    sh = dash()
    sh.keys(b"ls -l\x15")  # the kill key: empty in every reading but "every key as data"
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"  # judged ...
    assert verdict(sh) == "allow"  # ... and let through
    sh = bash()  # readline announced itself and nothing doubts it: its Ctrl-D
    sh.type("ls -l")
    sh.keys(b"\x03")
    sh.out(b"^C\r\n" + PROMPT)
    assert sh.keys(b"\x04") is None


def test_a_flush_the_model_reads_as_empty_may_end_the_shell():
    # Ctrl-C then Ctrl-D to leave dash (the honest case): judged, let through, and taken as
    # the EOF it may be: the shell's parent reads on, with the echo this one left
    sh = dash()
    sh.keys(b"ls\x03")
    sh.out(b"^C\r\n" + DASH_PROMPT)
    assert sh.keys(b"\x04") is not None
    assert verdict(sh) == "allow"
    sh.send()
    assert sh.tracker._blind_reader and sh.tracker._nested


# -- findings 2 and 3: the alternate screen turns no driver check off --------------------------

def test_ctrl_d_on_the_alternate_screen_of_a_shell_without_a_line_editor_is_judged():
    sh = dash_alt()
    sh.type(DENIED)
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict(sh) == "deny"


def test_the_drivers_readings_count_on_the_alternate_screen():
    # Attack a10i, finding 3: a byte-wise erase over UTF-8 at dash's known prompt there
    rec = wiped(dash_alt(), bytewise_erase(DENIED), "echo hi")
    assert (rec.text, rec.certain, rec.kind) == ("echo hi", True, "command")
    assert DENIED + "\ufffdecho hi" in rec.also


def test_a_line_past_the_drivers_limit_is_never_certain_on_the_alternate_screen():
    # Attack N, finding 1, on the alternate screen: the driver keeps 4,095 bytes of a line
    sh = Shell(300, 24, prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    line(sh, "tput smcup; clear", ALT + DASH_PROMPT)
    text = b": " + b"A" * 4100
    sh.keys(text)
    sh.out(text)
    rec = sh.submit()
    assert rec.kind == "command" and not rec.certain


def test_a_judged_ctrl_o_on_the_alternate_screen_is_data_to_the_driver():
    # Ctrl-O went through as readline's accept; the driver kept `touch cana^O`, and DEL `ry`
    # Enter would complete it
    sh = dash()
    line(sh, "tput smcup; clear; PS1='x '", ALT + b"x ")
    sh.type("echo x >> /etc/sudoerz")
    assert sh.keys(b"\x0f") is not None
    sh.send()
    sh.keys(b"\x7f\x7fs;\r")
    assert verdict(sh) == "deny"


# -- finding 4: a faked ?2004h turns no driver reading off ------------------------------------

@each("keys", [
    bytewise_erase(DENIED),
    DENIED.encode() + b"#\x01\x0b",  # Ctrl-A Ctrl-K: readline kills the line, the driver keeps
    DENIED.encode() + b"#\x1b[H\x0b",  # Home Ctrl-K
], ids=["bytewise-erase", "ctrl-a-ctrl-k", "home-ctrl-k"])
def test_the_drivers_readings_count_under_a_faked_readline_marker(keys):
    sh = faked_marker()
    rec = wiped(sh, keys, "echo hi")
    assert (rec.text, rec.certain) == ("echo hi", True)
    assert verdict(sh) == "deny"


def test_a_judged_ctrl_o_under_a_faked_marker_leaves_its_line_to_the_next_readings():
    sh = faked_marker()
    sh.type("echo x >> /etc/sudoerz")
    assert sh.keys(b"\x0f") is not None
    sh.send(b"\r\n" + DASH_PROMPT)  # readline would accept; the driver keeps ^O as data
    sh.keys(b"\x7f\x7fs;\r")
    assert verdict(sh) == "deny"


# -- finding 5: a paste start never hides Ctrl-D -----------------------------------------------

def test_ctrl_d_inside_a_paste_a_faked_marker_opened_is_judged():
    sh = faked_marker()
    sh.keys(b"\x1b[200~\x15" + DENIED.encode())
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert verdict(sh) == "deny"


def test_ctrl_d_inside_a_paste_at_readline_is_text():
    sh = bash()
    sh.keys(b"\x1b[200~echo a")
    assert sh.keys(b"\x04") is None


# -- finding 6: the bastion's Enter after a cancel -----------------------------------------------

def test_no_enter_after_a_cancel_where_a_faked_marker_may_hide_the_driver():
    sh = dash()
    line(sh, "(sleep 1; printf '\\033[?2004h\\r\\n$ ') &", DASH_PROMPT)
    sh.out(MARKER + b"\r\n" + DASH_PROMPT)  # the background job's marker and fake prompt
    assert not sh.tracker.enter_after_cancel()
    assert bash().tracker.enter_after_cancel()  # readline's word, not doubted
    sh = bash()  # ... until a line may have started a shell, on any screen
    line(sh, "sudo -i", PROMPT)
    line(sh, "vim notes", ALT)
    assert not sh.tracker.enter_after_cancel()


# -- the honest cost, measured on bash ------------------------------------------------------------

def test_bash_before_any_doubt_keeps_readlines_keys():
    sh = bash()
    sh.run("ls -l")
    sh.keys(b"\x1b[A")  # history, then a line edited with readline's keys
    sh.out(b"ls -l")
    assert verdict(sh) == "allow"
    sh.keys(b"\x01\x0b")
    sh.out(b"\r" + PROMPT + b"\x1b[K")
    assert not sh.tracker._line.raw_size  # no driver reading is kept


@each(("keys", "shown"), [
    (b"\x1b[A", b"ls -l"),  # Up: history, which the driver would keep as ESC [ A
    (b"\x1bOA", b"ls -l"),  # Up in the application cursor mode
    (b"\x1b[200~ls -l\x1b[201~", b"ls -l"),  # a bracketed paste
])
def test_history_and_pastes_after_a_line_that_may_start_a_shell_are_not_held(keys, shown):
    # The driver's reading keeps the escape bytes (`ESC[Als -l`): a `[` no `]` closes is no
    # pattern to bash, so that reading is a command not found, not one pathname expansion may
    # change (which the unknown default held: every Up and every paste after `sudo -i`)
    sh = bash()
    line(sh, "sudo -i", PROMPT)
    line(sh, "ls -l", PROMPT)
    sh.keys(keys)
    sh.out(shown)
    assert verdict(sh) == "allow"


def test_an_attack_string_only_the_unknown_default_holds_is_held_in_every_reading():
    sh = faked_marker()
    rec = wiped(sh, ATTACK + b"\x01\x0b", "echo hi")
    assert (rec.text, rec.certain) == ("echo hi", True)
    assert verdict(sh) == "confirm"


def test_a_judged_ctrl_d_readline_takes_for_eof_is_no_unjudged_line():
    # In bash after `sudo -i`, Ctrl-C then Ctrl-D: judged as the driver's flush, and readline
    # ends its line at EOF (`exit`): the backstop must not take that for a line run unjudged
    sh = bash()
    line(sh, "sudo -i", PROMPT)
    sh.type("ls")
    sh.keys(b"\x03")
    sh.out(b"^C\r\n" + PROMPT)
    sh.press(b"x", b"x")
    sh.press(b"\x7f", b"\b \b")
    assert sh.keys(b"\x04") is not None
    assert verdict(sh) == "allow"
    sh.send(b"\x1b[?2004l\rexit\r\n")
    assert sh.tracker.take_unjudged() is None
