"""A line the terminal driver edits (no line editor: sh, dash, a hidden prompt, a nested pty) is
read in every reading of the tty's settings, each judged, the strictest verdict standing
(attack H, findings 1, 2, 3 and 6).

The gate cannot see those settings: a nested pty (pty.spawn, docker exec -t) has the kernel's
defaults, the client's IUTF8 may be on or off, a program may have moved a special character.
First the line discipline's rules (n_tty.c), then the tracker driven as the proxy drives it,
with the shipped policy judging every reading as the gate does.
"""

from __future__ import annotations

from bastion.command_control.policy import evaluate, refuses_secret
from bastion.command_control.terminal import Reconstruction, tty
from bastion.command_control.terminal.tty import _tty_line as tty_line
from bastion.command_control.terminal.tty import _tty_readings as tty_readings
from bastion.command_control.terminal.tty import _TtySettings as Tty
from tests.rows import each
from tests.terminal_replay import default_policy
from tests.test_terminal import DASH_PROMPT, ENTER, Shell

DEFAULTS = dict(kill=b"\x15", werase=b"\x17", lnext=b"\x16", dropped=b"\x11\x12\x13",
                signals=b"\x03\x1a\x1c")
UTF8 = Tty(erase=b"\x7f", iutf8=True, **DEFAULTS)
BYTES = Tty(erase=b"\x7f", iutf8=False, **DEFAULTS)
DATA = Tty()
WRITE = "echo '#x' >> /etc/sudoers.d/attack.h"  # the shipped policy denies it


@each(("settings", "parts", "line"), [
    # IUTF8: the erase steps back over continuation bytes and then one byte, whatever it is
    (UTF8, [b"#\x80\x7f"], b""),
    (UTF8, [b"ab\xc3\xa9\x7f"], b"ab"),
    (UTF8, [b"\x80\x80\x7f"], b"\x80\x80"),    # only continuation bytes: nothing is erased
    (UTF8, [b"a\x80\x80\x15"], b""),
    (UTF8, [b"\x80a\x15"], b"\x80"),           # ... nor by the kill
    # without it, one byte per erase
    (BYTES, [b"#\x80\x7f"], b"#"),
    (BYTES, [b"ab\xc3\xa9\x7f"], b"ab\xc3"),
    # VWERASE classes bytes by the kernel's Latin-1 ctype (0xc3 is a letter, 0xa9 is not)
    (BYTES, [b"x \xc3\xa9\x17"], b"x "),
    (UTF8, [b"rm /tmp/x\x17"], b"rm /tmp/"),
    (BYTES, [b"a b_c-d  \x17"], b"a b_c-"),
    (BYTES, [b"abc\x15d"], b"d"),
    (BYTES, [b"a\x16\x7fb"], b"a\x7fb"),        # VLNEXT: the next key is data
    (BYTES, [b"ab\x03cd"], b"cd"),              # a signal flushes the line
    (BYTES, [b"a\x12b"], b"ab"),                # VREPRINT is not stored
    (BYTES, [b"abc", b"\x7f\x7fd"], b"abcd"),   # no erase reaches back past a VEOF
    (DATA, [b"a\x15b\x7f"], b"a\x15b\x7f"),
    (DATA, [b"abc", b"d"], b"abc\x04d"),        # no VEOF either: the Ctrl-D is data
    (Tty(kill=b"\x02", moved=True), [b"touch x;\x02y\x15"], b"y\x15"),
])
def test_the_line_discipline_edits_as_n_tty_does(settings, parts, line):
    assert tty_line(parts, settings) == line


def test_the_readings_are_each_setting_and_each_control_key_moved():
    readings = tty_readings([b"touch canary;\x15hunter2"], 0x7F)
    assert readings is not None
    assert set(readings) == {"hunter2", "touch canary;\x15hunter2", "touch canaryhunter2",
                             "touch hunter2"}
    assert not readings["touch canary;\x15hunter2"] and readings["touch canaryhunter2"]
    assert tty_readings([bytes(range(1, 12))], 0x7F) is None  # too many to read as moved
    assert tty_readings([b"ab\x7f" * 1025], 0x7F) is None  # too many edits to follow in each


def test_a_line_too_edited_to_read_in_every_setting_is_uncertain_or_blind():
    sh = dash()
    sh.keys(b"ab\x7f" * 1025 + b"\r")
    assert not sh.tracker.reconstruct().certain
    sh = hidden_prompt(b"Password: ")
    sh.keys(b"ab\x7f" * 1025 + b"\r")
    assert sh.tracker.reconstruct().kind == "blind"


def verdict(rec: Reconstruction) -> str:
    """The gate's verdict on every reading (InputGate._judge, _judge_hidden): at a hidden
    prompt only a rule that denies refuses (where no shell may read); on a command line the
    strictest action stands."""
    order = ["allow", "alert", "confirm", "deny"]
    policy = default_policy()
    if rec.kind == "not-a-command" and rec.hidden:
        for reading in (rec.hidden, *rec.hidden_also):
            v = evaluate(policy, reading, role="engineer", target="web01")
            if refuses_secret(v, shell_may_read=False):
                return "refused"
        return "secret"
    assert rec.kind == "command", rec
    actions = [evaluate(policy, line, role="engineer", target="web01").action
               for line in (rec.text, *rec.also)]
    return max(actions, key=order.index) if rec.certain else f"uncertain {max(actions, key=order.index)}"


def dash(erase: int = 0x7F) -> Shell:
    return Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"", erase=erase)


def hidden_prompt(prompt: bytes, erase: int = 0x7F) -> Shell:
    """dash, a program (or the shell's fake) showing `prompt` and reading with echo off."""
    sh = dash(erase)
    sh.type("./ask")
    sh.submit()
    sh.send(b"\r\n" + prompt)
    return sh


def echoed(sh: Shell, keys: list[tuple[bytes, bytes]]) -> Reconstruction:
    for key, echo in keys:
        sh.press(key, echo)
    return sh.submit()


UTF8_DEL, BYTE_DEL = b"\x08 \x08", b"\x08 \x08"  # one per character, one per byte


@each(("erase", "keys"), [
    # finding 1a: `tset -k ^B` (or termios VKILL) made Ctrl-U data; the gate read it as a kill
    (0x7F, WRITE.encode() + b";\x15hunter2"),
    # the kill moved to DEL by inline termios code: `# x` is erased whole, not just the x
    (0x7F, b"# x\x7f" + WRITE.encode()),
    # finding 3: a nested pty's erase is DEL, the client's ^H is data there
    (0x08, WRITE.encode() + b";#" + b"\x08" * (len(WRITE) + 2) + b"hunter2"),
], ids=["kill-data", "kill-moved", "nested-pty-erase"])
def test_a_hidden_line_is_refused_when_a_reading_of_the_tty_is_a_denied_command(erase, keys):
    sh = hidden_prompt(b"Password: ", erase=erase)
    sh.keys(keys + b"\r")
    assert verdict(sh.tracker.reconstruct()) == "refused"


def test_a_continuation_byte_erased_with_its_lead_is_judged_as_iutf8_erases():
    # finding 2a: `#` 0x80 DEL: with IUTF8 the driver erases the `#` too, and the write runs
    sh = dash()
    rec = echoed(sh, [(b"#", b"#"), (b"\x80", b"\x80"), (b"\x7f", UTF8_DEL),
                      *[(c.encode(), c.encode()) for c in WRITE]])
    # (a lone 0x80 is no UTF-8 character: the line is uncertain too, attack f15i F1)
    assert verdict(rec) in ("deny", "uncertain deny")


def test_bytes_erased_one_by_one_without_iutf8_are_judged_too():
    # finding 2b: 14 x é and 27 DEL: without IUTF8 one byte each, echoed `\b \b` each, so the
    # screen shows `echo hi` while dash gets the write and a stray 0xc3
    sh = dash()
    typed = [(c.encode(), c.encode()) for c in WRITE + ";"]
    rec = echoed(sh, [*typed, *[("é".encode(), "é".encode())] * 14, *[(b"\x7f", BYTE_DEL)] * 27,
                      *[(c.encode(), c.encode()) for c in "echo hi"]])
    assert verdict(rec) == "deny"


KILL_ECHO = b"\x08 \x08"  # echoke wipes what the kill or word erase took, a cell at a time


@each(("keys", "line"), [
    # typo fixes at a dash prompt keep their verdict, and stay certain
    ([b"echo onx", (b"\x7f", BYTE_DEL), b"e"], "echo one"),
    (["echo hé".encode(), (b"\x7f", UTF8_DEL), b"llo"], "echo hllo"),
    ([b"ls -l", (b"\x15", KILL_ECHO * 5), b"pwd"], "pwd"),
    ([b"ls /tmp/x", (b"\x17", KILL_ECHO), b"y"], "ls /tmp/y"),
    ([b"echo 'abcd", (b"\x7f", BYTE_DEL), b"e'"], "echo 'abce'"),
])
def test_honest_edits_without_a_line_editor_keep_their_verdict(keys, line):
    sh = dash()
    for key in keys:
        if isinstance(key, tuple):
            sh.press(*key)
        else:
            sh.type(key.decode())
    rec = sh.submit()
    assert (rec.text, verdict(rec)) == (line, "allow")


@each("prompt", [
    b"DB pass: ", b"Enter your password\r\n", b"", b"API key: ", b"Token: ", b"PIN: ",
    b"Passphrase for key '/home/bob/.ssh/id_ed25519': ", b"[sudo] password for bob: ",
    b"Verification code: ", b"Enter passphrase (empty for no passphrase): ",
])
def test_honest_secrets_at_any_hidden_prompt_are_secrets(prompt):
    # finding 6: `read -s -p 'DB pass: ' x`, a prompt on the line before, none at all
    sh = hidden_prompt(prompt)
    sh.keys(b"c0rrect-h0rse\x7fe!\r")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.hidden, verdict(rec)) == ("not-a-command", "c0rrect-h0rse!", "secret")


def test_a_hidden_line_while_readline_reads_stays_blind():
    # readline echoes itself whatever the tty says: no echo there means its output went away
    sh = Shell()
    sh.keys(b"hunter2\r")
    assert sh.tracker.reconstruct().kind == "blind"


def test_a_line_abandoned_with_ctrl_c_is_read_with_it_as_data_until_the_next_submit():
    # VINTR moved or disabled by inline code: the tty keeps `touch canary;^Chunter2`
    sh = hidden_prompt(b"Password: ")
    sh.keys(WRITE.encode() + b";\x03")
    sh.out(b"\r\nPassword: ")  # (as dash answers a real interrupt)
    sh.keys(b"hunter2\r")
    assert verdict(sh.tracker.reconstruct()) == "refused"
    sh.send(b"\r\nPassword: ")
    sh.keys(b"hunter2\r")  # the next line starts afresh
    assert verdict(sh.tracker.reconstruct()) == "secret"


def test_a_huge_line_abandoned_with_ctrl_c_costs_the_next_submit_no_reading_of_it(monkeypatch):
    # The reading where Ctrl-C is data keeps the abandoned line until the next submit. Past
    # 64 Ki characters (the line model's bound) it is counted, not kept: the next line is
    # uncertain, and no reading of the tty goes through the 2 MB on the event loop.
    read: list[int] = []
    line_of = tty._tty_line
    monkeypatch.setattr(tty, "_tty_line",
                        lambda parts, s: read.append(sum(map(len, parts))) or line_of(parts, s))
    sh = dash()
    for _ in range(64):
        sh.press(b"x" * 32768, b"x" * 32768)
    sh.keys(b"\x03" * 1000)  # each Ctrl-C begins a line: none may copy the abandoned one
    sh.out(b"^C\r\n" + DASH_PROMPT)
    assert sum(map(len, sh.tracker._line.raw)) <= 64 * 1024 + 32768
    sh.type("echo after")
    rec = sh.submit()
    assert (rec.certain, rec.reason) == (False, "the line is too long to follow")
    assert read == []
    sh.send(b"\r\n" + DASH_PROMPT)
    sh.type("echo after")
    assert verdict(sh.submit()) == "allow"  # the next line starts afresh
    assert 0 < max(read) <= len("echo after")


def test_a_line_within_the_bound_is_still_read_in_every_setting_after_ctrl_c():
    sh = hidden_prompt(b"Password: ")
    sh.keys(b"x" * 3000 + b";" + WRITE.encode() + b";\x03")  # (within the driver's 4,095 bytes)
    sh.out(b"\r\nPassword: ")
    sh.keys(b"hunter2\r")
    assert verdict(sh.tracker.reconstruct()) == "refused"


# -- attack N, finding 1: what the terminal driver keeps of a line ------------------------------

def pad_to(tail: bytes, size: int = 4095) -> bytes:
    return b": " + b"A" * (size - len(tail) - 4) + b"; " + tail


def test_a_line_past_what_the_terminal_driver_keeps_is_never_certain():
    # dash gets the first 4,095 bytes: `…; tou\` waits for a continuation (the Z was dropped),
    # and `ch canary` next makes `touch canary`, while the gate judged `…; tou\Z` and `ch canary`
    line = pad_to(b"tou\\")
    assert len(line) == 4095
    sh = Shell(250, 50, prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    sh.keys(line + b"Z")
    sh.out(line + b"Z")
    rec = sh.submit()
    assert (rec.certain, rec.reason) == (False, "more was typed than the terminal driver keeps of "
                                         "a line (4,095 bytes; no line editor seen): what the "
                                         "program gets is not what was typed")


def test_keys_past_what_the_terminal_driver_keeps_at_a_hidden_prompt_are_blind():
    sh = hidden_prompt(b"Password: ")
    sh.keys(b"x" * 4096 + b"\r")
    assert sh.tracker.reconstruct().kind == "blind"


def test_a_line_the_terminal_driver_keeps_whole_keeps_its_verdict():
    line = pad_to(b"echo done")
    sh = Shell(250, 50, prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")  # the line on screen
    sh.keys(line)
    sh.out(line)
    rec = sh.submit()
    assert (rec.text, rec.certain, verdict(rec)) == (line.decode(), True, "allow")


def test_an_unfinished_statement_past_the_line_models_bound_is_never_certain():
    # each Enter joins and parses the earlier lines again: bounded, so no Enter costs more than
    # the line model's bound (attack N, finding 3)
    sh = Shell()
    sh.type("echo '")
    sh.submit()
    sh.send(ENTER + b"> ")  # bash's continuation prompt
    for count in range(1, 30):  # noqa: B007 (read after the loop)
        sh.type("x" * 4000)
        rec = sh.submit()
        if not rec.certain:
            break
        sh.send(ENTER + b"> ")
    # 17 earlier lines of 4,001 bytes are past 64 KiB: the 18th submit is not certain
    assert (count, rec.reason) == (18, "the unfinished statement is too long to follow")
