"""Command-line reconstruction and keystroke redaction, driven with the bytes bash 5.2 sends.

The output bytes are those of a real `bash --norc -i` under TERM=xterm, recorded key by key
(prompt "bob@web01:~$ "); vim's and zsh's are abridged from theirs. Each test drives the
tracker the way the proxy does: keys through feed_input, the target's answer through
feed_output, reconstruct() at the submit key.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.command_control.policy import is_complete
from bastion.command_control.terminal import (
    CommandLineTracker,
    Forward,
    KeystrokeRedactor,
    Pause,
    Reconstruction,
    Redacted,
    Submit,
)
from tests.rows import each

PROMPT = b"\x1b[?2004hbob@web01:~$ "
REDRAWN_PROMPT = b"bob@web01:~$ "
ENTER = b"\r\n\x1b[?2004l\r"  # bash's answer to Enter: new line, "running a command"
PS2 = b"\x1b[?2004h> "
CTRL_C_ANSWER = b"^C\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n" + PROMPT
VIM_START = (b"\x1b[?1049h\x1b[22;0;0t\x1b[?1h\x1b=\x1b[?2004h\x1b[1;24r\x1b[m\x1b[H\x1b[2J"
             b"\x1b[?25l\x1b[24;1H\"f.txt\" 1 line, 6 bytes\x1b[1;1Hhello\r\n"
             + b"".join(b"\x1b[%d;1H~" % row for row in range(2, 24))
             + b"\x1b[1;1H\x1b[?25h")
VIM_EXIT = (b"\r\x1b[?25l\x1b[?2004l\"f.txt\" 1 line, 6 bytes written\r\r\n\x1b[?2004l\x1b[?1l"
            b"\x1b>\x1b[?1049l\x1b[?25h")


class Shell:
    """A tracker with a bash on the other side, driven as the proxy drives it."""

    def __init__(self, cols: int = 80, rows: int = 24, *, is_complete=is_complete,
                 banner: bytes = b"Last login: Mon Nov 23 10:00:00 2026\r\n",
                 prompt: bytes = PROMPT, enter: bytes = ENTER, erase: int = 0x7F,
                 shell_reads=None) -> None:
        self.tracker = CommandLineTracker(cols, rows, is_complete=is_complete, erase=erase,
                                          shell_reads=shell_reads)
        self.forwarded = bytearray()
        self.held: Submit | None = None
        self.prompt, self.enter = prompt, enter
        self.out(banner + prompt)

    def out(self, data: bytes) -> None:
        self.tracker.feed_output(data)

    def keys(self, data: bytes) -> Submit | None:
        """Client bytes as one chunk. The rest after a key the model does not follow (a Pause)
        is fed at once here, as if the target had not answered yet (the gate would wait)."""
        assert self.held is None, "the proxy holds client input while a submit waits"
        while data:
            segments, data = self.tracker.feed_input(data), b""
            for segment in segments:
                if isinstance(segment, Forward):
                    self.forwarded += segment.data
                elif isinstance(segment, Pause):
                    data = segment.rest
                else:
                    self.held = segment
        return self.held

    def type(self, text: str) -> None:
        """Type keys one at a time, each echoed as bash echoes plain typing."""
        for ch in text:
            self.press(ch.encode(), ch.encode())

    def press(self, key: bytes, echo: bytes) -> None:
        self.keys(key)
        self.out(echo)

    def submit(self, key: bytes = b"\r") -> Reconstruction:
        held = self.keys(key)
        assert held is not None and held.key == key
        return self.tracker.reconstruct()

    def send(self, answer: bytes = b"") -> None:
        """The verdict allowed the line: the key goes out, then the rest of the input."""
        held, self.held = self.held, None
        self.tracker.resolve(sent=True)
        self.forwarded += held.key
        if held.rest:
            self.keys(held.rest)
        if answer:
            self.out(answer)

    def deny(self) -> bytes:
        held, self.held = self.held, None
        cancel = self.tracker.cancel_bytes()
        self.tracker.resolve(sent=False)
        assert held is not None
        return cancel

    def run(self, line: str, output: bytes = b"") -> Reconstruction:
        """Type a line, submit it, let it through, and show its output and the next prompt."""
        self.type(line)
        rec = self.submit()
        self.send(self.enter + output + self.prompt)
        return rec


def command(text: str, certain: bool = True) -> tuple[str, str, bool]:
    return ("command", text, certain)


def seen(rec: Reconstruction) -> tuple[str, str, bool]:
    return (rec.kind, rec.text, rec.certain)


# -- plain editing ------------------------------------------------------------------------------

def test_plain_typing_is_read_certain():
    sh = Shell()
    sh.type("ls -la /etc")
    assert seen(sh.submit()) == command("ls -la /etc")
    assert sh.forwarded == b"ls -la /etc"


@each("rubout", [b"\x7f", b"\x08"])
def test_backspace_and_ctrl_h_remove_the_last_character(rubout):
    sh = Shell()
    sh.type("ls -l")
    sh.press(rubout, b"\x08\x1b[K")
    sh.type("a")
    assert seen(sh.submit()) == command("ls -a")


def test_cursor_left_insertion_and_right_arrow():
    sh = Shell()
    sh.type("echo ac")
    sh.press(b"\x1b[D", b"\x08")
    sh.press(b"b", b"bc\x08")
    sh.press(b"\x1b[C", b"\x1b[C")
    sh.type("d")
    assert seen(sh.submit()) == command("echo abcd")


def test_ctrl_a_inserts_at_the_start_and_ctrl_e_goes_back_to_the_end():
    sh = Shell()
    sh.type("echo abc")
    sh.press(b"\x01", b"\x08" * 8)
    sh.press(b"#", b"\x1b[1@#")
    sh.press(b"\x05", b"\x1b[C" * 8)
    sh.type("!")
    assert seen(sh.submit()) == command("#echo abc!")


def test_home_and_delete_keys():
    sh = Shell()
    sh.type("xls")
    sh.press(b"\x1b[H", b"\x08\x08\x08")
    sh.press(b"\x1b[3~", b"\x1b[P")
    assert seen(sh.submit()) == command("ls")


def test_ctrl_w_ctrl_k_and_ctrl_u():
    sh = Shell()
    sh.type("echo foo bar")
    sh.press(b"\x17", b"\x08\x08\x08\x1b[K")  # Ctrl-W: "echo foo "
    sh.type("x")
    sh.press(b"\x02", b"\x08")
    sh.press(b"\x02", b"\x08")
    sh.press(b"\x0b", b"\x1b[K")  # Ctrl-K: "echo foo"
    assert seen(sh.tracker.reconstruct()) == command("echo foo")
    sh.press(b"\x15", b"\x08" * 8 + b"\x1b[K")  # Ctrl-U: ""
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


def test_ctrl_c_discards_the_line_and_the_next_line_is_checked():
    # JumpServer #13149: after Ctrl-C the tracker lost track and the next line went unchecked.
    sh = Shell()
    sh.type("rm -rf /srv")
    sh.press(b"\x03", CTRL_C_ANSWER)
    assert sh.held is None
    sh.type("rm -rf /")
    assert seen(sh.submit()) == command("rm -rf /")


def test_empty_line_runs_nothing():
    sh = Shell()
    rec = sh.submit()
    assert (rec.kind, rec.certain) == ("not-a-command", True)


def test_ctrl_o_is_a_submit_key():
    sh = Shell()
    sh.type("ls")
    assert seen(sh.submit(b"\x0f")) == command("ls")


@each(("vi", "keys", "how"), [
    (False, b"\r", "accept"), (False, b"\n", "accept"), (False, b"\x0f", "accept"),
    (False, b"\x1b#", "comment"), (False, b"\x1b1\x1b#", "comment"),
    (False, b"\x18\x05", "edit"), (False, b"\x1bv", "edit"), (False, b"\x1b\x05", "expand"),
    (False, b"\x18e", "macro"), (False, b"\x18\x12", "rebind"), (False, b"#", None),
    (False, b"v", None), (False, b"\x1bb", None),
    (True, b"\r", "accept"), (True, b"\x0f", None), (True, b"\x1b#", "comment"),
    (True, b"\x1b1#", "comment"), (True, b"\x1bv", "edit"), (True, b"\x1bhv", "edit"),
    (True, b"\x1b@", "macro"), (True, b"\x1br#", None), (True, b"#", None), (True, b"v", None),
])
def test_readline_keys_that_run_a_line_or_code_are_submit_keys(vi, keys, how):
    sh = Shell()
    if vi:
        assert seen(sh.run("set -o vi")) == command("set -o vi")
    sh.type("ls")
    while keys:
        held = sh.keys(keys)
        if held is not None:
            break
        keys = b""
    assert (held.how if held else None) == how


def test_a_cancel_aborts_a_prefix_readline_holds():
    sh = Shell()
    sh.type("ls")
    held = sh.keys(b"\x18\x05")
    assert held.how == "edit" and sh.forwarded.endswith(b"ls\x18")
    assert sh.deny() == b"\x07\x05\x15"  # Ctrl-G first: Ctrl-E must not complete Ctrl-X


def test_carriage_return_and_line_feed_are_two_submits():
    # Otherwise "rm -rf / \" CR would be forwarded as a continuation and the LF would run it.
    sh = Shell()
    sh.type("rm -rf / \\")
    assert sh.keys(b"\r\n").rest == b"\n"
    assert sh.tracker.reconstruct().kind == "not-a-command"
    held, sh.held = sh.held, None
    sh.tracker.resolve(sent=True)
    sh.out(b"\r\n\x1b[?2004l\r" + PS2)
    sh.keys(held.rest)
    assert sh.held is not None and sh.held.key == b"\n"
    assert seen(sh.tracker.reconstruct()) == command("rm -rf / \\\n")


def test_wide_characters_are_read_back():
    sh = Shell()
    for ch in "echo 日本":
        sh.press(ch.encode(), ch.encode())
    assert seen(sh.submit()) == command("echo 日本")


# -- completion, history, search, redraws -----------------------------------------------------

def test_tab_completion_is_read_from_the_screen():
    sh = Shell()
    sh.type("cat b")
    sh.press(b"\t", b"eta.txt ")
    assert seen(sh.submit()) == command("cat beta.txt")


def test_completion_listing_is_not_read_as_a_command():
    # JumpServer #7967, #16061: the listing printed under the prompt was taken as a command.
    sh = Shell()
    sh.type("cat ")
    sh.press(b"\t", b"\x07")
    sh.press(b"\t", b"\r\nalpha.txt     alphabet.txt  beta.txt      \r\n" + REDRAWN_PROMPT + b"cat ")
    assert seen(sh.submit()) == command("cat")


def test_boundary_is_relearned_from_the_prompt_redrawn_after_a_listing():
    sh = Shell()
    sh.type("cat ")
    sh.press(b"\t", b"\x07")
    sh.press(b"\t", b"\r\nalpha.txt     alphabet.txt  beta.txt      \r\n" + REDRAWN_PROMPT + b"cat ")
    sh.type("b")
    sh.press(b"\t", b"eta.txt ")
    assert seen(sh.submit()) == command("cat beta.txt")


def test_history_recall_then_edit_is_cross_checked():
    sh = Shell()
    sh.run("echo hi", b"hi\r\n")
    sh.press(b"\x1b[A", b"echo hi")
    sh.press(b"\x7f", b"\x08\x1b[K")
    sh.type("o")
    rec = sh.submit()
    assert seen(rec) == command("echo ho")
    assert rec.reason == "screen and keystrokes agree"


def test_history_entry_holding_a_newline_is_judged_whole():
    # `history -s $'ls\nrm -rf /x'` then Up: bash shows two rows and runs both commands.
    sh = Shell()
    sh.press(b"\x1b[A", b"ls\r\n\rrm -rf /x")
    assert seen(sh.submit()) == command("ls\nrm -rf /x")


def test_reverse_search_runs_the_line_found():
    sh = Shell()
    sh.run("echo hello", b"hello\r\n")
    sh.press(b"\x12", b"\r(reverse-i-search)`': ")
    sh.press(b"h", b"\x08\x08\x08h': echo \x1b[7mh\x1b[27mello" + b"\x08" * 5)
    sh.press(b"e", b"\x08" * 8 + b"e': echo \x1b[7mhe\x1b[27mllo" + b"\x08" * 5)
    assert seen(sh.submit()) == command("echo hello")


def test_leaving_a_search_with_an_arrow_keeps_the_line_and_checks_edits():
    sh = Shell()
    sh.run("echo hello", b"hello\r\n")
    sh.press(b"\x12", b"\r(reverse-i-search)`': ")
    sh.press(b"h", b"\x08\x08\x08h': echo \x1b[7mh\x1b[27mello" + b"\x08" * 5)
    sh.press(b"\x1b[C", b"\r\x1b[10P" + REDRAWN_PROMPT + b"echo hello" + b"\x08" * 4)
    sh.press(b"X", b"\x1b[1@X")
    rec = sh.submit()
    assert seen(rec) == command("echo hXello")
    assert rec.reason == "screen and keystrokes agree"


def test_ctrl_l_clears_the_screen_and_the_line_is_found_again():
    sh = Shell()
    sh.type("ls")
    sh.press(b"\x0c", b"\x1b[H\x1b[2J" + REDRAWN_PROMPT + b"ls")
    sh.type("x")
    assert seen(sh.submit()) == command("lsx")


def test_text_typed_right_after_a_tab_counts_once_the_screen_shows_it():
    sh = Shell()
    sh.keys(b"cat b\tx")  # one chunk: the model cannot follow the Tab, but sees "x" after it
    sh.keys(b"\r")
    sh.out(b"cat b")
    sh.out(b"eta.txt ")  # the answer to the Tab; "x" not shown yet
    assert not sh.tracker.echo_settled()
    assert not sh.tracker.reconstruct().certain
    sh.out(b"x")
    assert sh.tracker.echo_settled()
    assert seen(sh.tracker.reconstruct()) == command("cat beta.txt x")


def test_edits_sent_together_after_a_history_key_are_never_certain():
    # Up, Ctrl-A, four Ctrl-D, "touch": the first answer shows only the recalled line.
    sh = Shell()
    sh.run("echo canary", b"canary\r\n")
    sh.keys(b"\x1b[A\x01\x04\x04\x04\x04touch")
    sh.keys(b"\r")
    sh.out(b"echo canary")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.certain) == ("command", False)
    sh.out(b"\r" + REDRAWN_PROMPT + b"\x1b[4Ptouch\x1b[4@")
    assert not sh.tracker.reconstruct().certain


def test_tab_then_enter_before_the_answer_is_not_settled_nor_certain():
    sh = Shell()
    sh.type("cat b")
    sh.keys(b"\t")
    assert sh.submit() is not None
    assert not sh.tracker.echo_settled()
    assert not sh.tracker.reconstruct().certain
    sh.out(b"eta.txt ")
    assert sh.tracker.echo_settled()
    assert seen(sh.tracker.reconstruct()) == command("cat beta.txt")


def test_text_already_on_the_line_after_a_known_prompt_is_part_of_the_command():
    # zsh's `print -z`, or anything that pre-fills the line: it runs with what is typed.
    sh = Shell()
    sh.run("true")
    sh.out(b"\r\n" + PROMPT + b"rm -rf /srv")
    sh.type(" /tmp")
    assert seen(sh.submit()) == command("rm -rf /srv /tmp")


def test_right_hand_prompt_is_not_part_of_the_command():
    sh = Shell()
    sh.out(b"\r\n\x1b[?2004h% " + b" " * 70 + b"[10:02]" + b"\r\x1b[2C")  # zsh, 80 columns
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


# -- long lines ---------------------------------------------------------------------------------

def type_wrapping(sh: Shell, text: str, col: int, cols: int) -> None:
    """Type as bash echoes at the right edge: the character, then " \\r" to wrap."""
    for ch in text:
        echo = ch.encode()
        col += 1
        if col == cols:
            echo += b" \r"
            col = 0
        sh.press(ch.encode(), echo)


def test_a_word_split_across_wrapped_rows_is_joined():
    # JumpServer #14407: "reboot" split over two rows was read as "reb" and "oot".
    sh = Shell(cols=30)
    type_wrapping(sh, "echo x; sudo /sbin/reboot now", col=13, cols=30)
    assert seen(sh.submit()) == command("echo x; sudo /sbin/reboot now")


def test_a_line_wrapping_at_the_bottom_row_scrolls_and_is_still_read():
    sh = Shell(cols=20, rows=4, banner=b"one\r\ntwo\r\nthree\r\n")
    type_wrapping(sh, "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb", col=13, cols=20)
    assert seen(sh.submit()) == command("echo aaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbb")


TALL = "echo " + "a" * 120 + " touch canary"  # 7 rows at 20 columns, on a 4-row window


def test_a_line_taller_than_the_window_is_read_from_the_rows_scrolled_off_the_top():
    # Attack R, finding 2 (honest use): the prompt had scrolled away, and the line was refused.
    sh = Shell(cols=20, rows=4)
    type_wrapping(sh, TALL, col=13, cols=20)
    assert seen(sh.submit()) == command(TALL)


def test_rows_are_kept_only_while_a_line_with_a_prompt_is_typed():
    # Issue 12 (cost): output that scrolls while nothing is typed is not copied into the kept
    # rows; each transition of "a line is being typed" starts or ends the keeping.
    sh = Shell(cols=20, rows=4)
    kept = sh.tracker._screen.history
    sh.out(b"".join(b"output %d\r\n" % i for i in range(50)) + PROMPT)
    assert kept == {}  # no line: nothing kept
    type_wrapping(sh, TALL, col=13, cols=20)
    assert seen(sh.submit()) == command(TALL)
    assert kept  # the line's rows, from its prompt on
    sh.send(ENTER + b"".join(b"output %d\r\n" % i for i in range(50)) + PROMPT)
    assert kept == {}  # sent: the next output is a command's
    type_wrapping(sh, TALL, col=13, cols=20)  # a second tall line, kept from its own prompt
    assert seen(sh.submit()) == command(TALL)
    sh.deny()
    sh.out(b"^C\r\n" + b"".join(b"output %d\r\n" % i for i in range(50)) + PROMPT)
    assert kept == {}  # cancelled: the same
    type_wrapping(sh, TALL, col=13, cols=20)
    assert seen(sh.submit()) == command(TALL)


def test_a_tall_line_after_an_interrupt_keeps_the_rows_from_its_own_prompt():
    # The user's Ctrl-C drops the line (no verdict, no resolve): the next line's first key
    # starts the keeping again from its own prompt.
    sh = Shell(cols=20, rows=4)
    type_wrapping(sh, TALL[:30], col=13, cols=20)
    sh.keys(b"\x03")  # an interrupt, typed by the user: the line is dropped
    sh.out(b"^C\r\n" + b"x\r\n" * 6 + PROMPT)
    type_wrapping(sh, TALL, col=13, cols=20)
    assert seen(sh.submit()) == command(TALL)


def test_rows_scrolled_off_are_forgotten_once_a_full_screen_program_came_and_went():
    # A terminal's alternate screen neither keeps nor restores the scrollback's rows: what the
    # model kept before could differ from what the terminal shows.
    sh = Shell(cols=20, rows=4)
    type_wrapping(sh, TALL[:-1], col=13, cols=20)
    sh.out(b"\x1b[?1049h\x1b[?1049l")
    sh.press(b"y", b"y")
    assert not sh.submit().certain


def test_rows_scrolled_off_only_confirm_keys_the_model_follows():
    # After a key the model does not follow (a completion), the line is read from the screen
    # alone: the rows above it are not read for that.
    sh = Shell(cols=20, rows=4)
    type_wrapping(sh, TALL, col=13, cols=20)
    sh.keys(b"\t")
    sh.out(b"\x07")
    assert not sh.submit().certain


def test_backspace_across_a_wrap_and_redraw_keeps_the_line():
    # bash's bytes for: typing to the edge of 40 columns, three rubouts, one more character.
    sh = Shell(cols=40, rows=10)
    sh.press(b"echo aaaaaaaaaaaaaaaaaaaa", b"echo aaaaaaaaaaaaaaaaaaaa")
    sh.press(b"b", b"b")
    sh.press(b"c", b"c \r")
    sh.type("de")
    sh.press(b"\x7f", b"\x08\x1b[K")
    sh.press(b"\x7f", b"\r\x1b[K")
    sh.press(b"\x7f", b"\x1b[A" + b"\x1b[C" * 39 + b"\x1b[K\r\n\r\x1b[K\x1b[A" + b"\x1b[C" * 39)
    sh.press(b"f", b"f \r")
    assert seen(sh.submit()) == command("echo aaaaaaaaaaaaaaaaaaaabf")


# -- continuation lines -------------------------------------------------------------------------

def test_open_quote_is_forwarded_then_judged_whole_at_the_last_line():
    sh = Shell()
    sh.type("echo 'x")
    first = sh.submit()
    assert first.kind == "not-a-command"
    assert first.text == "echo 'x"
    sh.send(ENTER + PS2)
    sh.type("'; rm -rf /srv")
    assert seen(sh.submit()) == command("echo 'x\n'; rm -rf /srv")


def test_trailing_backslash_continuation_is_judged_whole():
    sh = Shell()
    sh.type("rm -rf \\")
    assert sh.submit().kind == "not-a-command"
    sh.send(ENTER + PS2)
    sh.type("/srv")
    assert seen(sh.submit()) == command("rm -rf \\\n/srv")


def test_continuation_uses_the_injected_completeness_check():
    sh = Shell(is_complete=lambda line: line.count("(") == line.count(")"))
    sh.type("(cd /tmp")
    assert sh.submit().kind == "not-a-command"
    sh.send(ENTER + PS2)
    sh.type("rm x)")
    assert seen(sh.submit()) == command("(cd /tmp\nrm x)")


def test_a_failing_completeness_check_makes_the_line_judged_now():
    def broken(line: str) -> bool:
        raise ValueError("parser fault")

    sh = Shell(is_complete=broken)
    sh.type("echo 'x")
    assert seen(sh.submit()) == command("echo 'x")


def test_ctrl_c_at_a_continuation_prompt_drops_the_earlier_lines():
    sh = Shell()
    sh.type("echo 'x")
    sh.submit()
    sh.send(ENTER + PS2)
    sh.press(b"\x03", CTRL_C_ANSWER)
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


@each(("line", "complete"), [
    ("ls -la", True),
    ("echo 'open", False),
    ('echo "open', False),
    ('echo "a\\"b', False),
    ("echo 'a\\'", True),
    ("echo it\\'s", True),
    ("ls \\", False),
    ("ls \\\\", True),
    ("ls |", False),
    ("ls \\|", True),
    ("make &&", False),
    ("sleep 1 &", True),
    ("ls ||", False),
    ("echo a # it's", True),  # a comment: the quote opens nothing
    ("echo \"$(echo \"'\")\"; rm -rf /x", True),  # nested quoting it cannot follow: complete
])
def test_the_trackers_completeness_check_only_says_incomplete_when_sure(line, complete):
    # The tracker is driven here, as in production, by the policy's own is_complete.
    assert is_complete(line) is complete


# -- pastes -------------------------------------------------------------------------------------

def test_bracketed_paste_gates_each_line_in_order():
    sh = Shell()
    held = sh.keys(b"\x1b[200~echo one\rrm -rf /srv\r\x1b[201~")
    assert held.rest == b"rm -rf /srv\r\x1b[201~"
    assert sh.tracker.echo_settled()  # bash shows nothing before the paste ends
    assert seen(sh.tracker.reconstruct()) == command("echo one")
    sh.send()
    assert sh.held is not None and sh.held.rest == b"\x1b[201~"
    assert seen(sh.tracker.reconstruct()) == command("rm -rf /srv")
    sh.send(b"\x1b[7mecho one\x1b[27m\r\n\r\x1b[7mrm -rf /srv\x1b[27m\r\n\r")
    assert sh.forwarded == b"\x1b[200~echo one\rrm -rf /srv\r\x1b[201~"
    assert sh.submit().kind == "not-a-command"  # Enter on what is left: an empty line


def test_paste_after_typed_text_joins_it():
    sh = Shell()
    sh.type("echo ")
    sh.keys(b"\x1b[200~a b\rc\x1b[201~")
    assert seen(sh.tracker.reconstruct()) == command("echo a b")


def test_paste_holding_control_characters_is_uncertain():
    sh = Shell()
    sh.keys(b"\x1b[200~rm -rf /srv\x15ls\r\x1b[201~")
    assert not sh.tracker.reconstruct().certain


def test_last_pasted_line_edited_after_the_paste_is_read_from_the_screen():
    sh = Shell()
    sh.keys(b"\x1b[200~echo one\rls /sr\x1b[201~")
    sh.send(b"\x1b[7mecho one\x1b[27m\r\n\r\x1b[7mls /sr\x1b[27m")
    sh.type("v")
    assert seen(sh.submit()) == command("ls /srv")


def test_cancel_inside_a_paste_ends_the_paste_first():
    sh = Shell()
    sh.keys(b"\x1b[200~rm -rf /srv\rls\r\x1b[201~")
    assert sh.deny() == b"\x1b[201~\x05\x15"


def test_cancel_of_a_later_pasted_line_checks_the_whole_paste_is_gone():
    sh = Shell()
    sh.keys(b"\x1b[200~echo one\recho two\r\x1b[201~")
    sh.send()
    assert sh.deny() == b"\x1b[201~\x05\x15"
    # bash shows the paste, then Ctrl-E Ctrl-U clears both of its lines
    shown = b"\x1b[7mecho one\x1b[27m\r\n\r\x1b[7mecho two\x1b[27m"
    sh.out(shown)
    assert not sh.tracker.line_is_empty()
    sh.out(b"\x1b[A" + b"\x1b[C" * 5 + b"\x1b[K\r\n\r\x1b[K\x1b[A" + b"\x1b[C" * 13)
    assert sh.tracker.line_is_empty()


def test_paste_without_bracketed_mode_is_typed_ahead_line_by_line():
    # `bind 'set enable-bracketed-paste off'`: bash no longer says when it reads a line.
    sh = Shell(prompt=REDRAWN_PROMPT, enter=b"\r\n")
    sh.run("true")
    sh.keys(b"echo one\rrm -rf /srv\r")
    sh.out(b"echo one")
    assert seen(sh.tracker.reconstruct()) == command("echo one")
    sh.send()
    assert sh.held is not None
    rec = sh.tracker.reconstruct()
    assert (rec.certain, rec.text) == (False, "")  # bash has not read it yet
    assert not sh.tracker.echo_settled()
    sh.out(b"\r\none\r\n" + REDRAWN_PROMPT + b"rm -rf /srv")
    assert sh.tracker.echo_settled()
    assert seen(sh.tracker.reconstruct()) == command("rm -rf /srv")


# -- typing ahead -------------------------------------------------------------------------------

def test_keys_typed_while_a_command_runs_are_read_where_the_terminal_echoed_them():
    sh = Shell()
    sh.type("sleep 5")
    sh.submit()
    sh.send(ENTER)
    sh.type("ls")  # the terminal driver echoes them below `sleep 5`; bash reads them later
    assert seen(sh.submit()) == command("ls")


def test_keys_typed_while_a_command_runs_are_found_again_after_the_new_prompt():
    # bash's bytes: the driver echoed "echo h" during `sleep 1`, then bash drew its prompt on
    # the same row and showed the keys again; "i" was typed after that.
    sh = Shell()
    sh.type("sleep 1")
    sh.submit()
    sh.send(ENTER)
    sh.type("echo ")
    sh.press(b"h", b"h" + PROMPT + b"echo h")
    sh.type("i")
    assert seen(sh.submit()) == command("echo hi")


def test_answer_to_a_running_program_is_read_where_it_was_typed():
    sh = Shell()
    sh.type("apt upgrade")
    sh.submit()
    sh.send(ENTER + b"Do you want to continue? [Y/n] ")
    sh.type("y")
    assert seen(sh.submit()) == command("y")


def test_keys_typed_before_any_output_are_uncertain():
    sh = Shell()
    sh.run("true")
    sh.type("true")
    sh.submit()
    sh.send()  # no output at all yet
    sh.keys(b"rm -rf /srv")
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.text, rec.certain) == ("command", "", False)


def test_tab_typed_ahead_is_uncertain_even_once_shown():
    # The terminal driver echoes a Tab as a tab; bash completes it later: the screen lies.
    sh = Shell()
    sh.run("true")
    sh.type("sleep 1")
    sh.submit()
    sh.send(ENTER)
    sh.type("cat b")
    sh.press(b"\t", b"\t" + PROMPT + b"cat beta.txt ")
    assert not sh.submit().certain


def test_fast_typing_is_settled_only_once_echoed():
    sh = Shell()
    sh.keys(b"ls -la")
    sh.keys(b"\r")
    assert not sh.tracker.echo_settled()
    sh.out(b"ls -l")
    assert not sh.tracker.echo_settled()
    sh.out(b"a")
    assert sh.tracker.echo_settled()
    assert seen(sh.tracker.reconstruct()) == command("ls -la")


# -- what the screen does not agree with ------------------------------------------------------

def test_echo_that_differs_from_the_keys_is_uncertain_and_shows_the_screen():
    # A key bound to a macro (`bind '"a": "rm -rf /srv"'`) inserts what the keys do not say.
    sh = Shell()
    sh.press(b"a", b"rm -rf /srv")
    rec = sh.submit()
    assert (rec.kind, rec.text, rec.certain) == ("command", "rm -rf /srv", False)


def test_line_scrolled_away_by_output_is_not_certain():
    sh = Shell()
    sh.type("ls")
    sh.out(b"\r\n" + b"noise\r\n" * 100)
    assert not sh.submit().certain


# -- full-screen programs -----------------------------------------------------------------------

@each(("output", "alternate"), [
    (b"\x1b[?1049h", True),
    (b"\x1b[?1049h\x1b[?1049l", False),
    (b"\x1b[?1047h", True),
    (b"\x1b[?47h", True),
    (b"\x1b[?47h\x1b[?47l", False),
    (b"\x1b[?1049h\x1bc", False),  # RIS
    (b"\x1b[?25;1049h", True),
    (b"\x1b[?1049h" + b"x" * 100_000 + b"\x1b[?1049l", False),
], ids=["1049 set", "1049 set and reset", "1047 set", "47 set", "47 set and reset", "RIS",
        "among other modes", "around bulk output"])
def test_alternate_screen_state_is_tracked_exactly(output, alternate):
    sh = Shell()
    sh.out(output)
    assert sh.tracker.alternate_screen is alternate


def test_mode_switch_split_across_chunks_is_seen():
    sh = Shell()
    sh.out(b"abc\x1b[?10")
    sh.out(b"49h")
    assert sh.tracker.alternate_screen
    sh.out(b"\x1b")
    sh.out(b"c")
    assert not sh.tracker.alternate_screen


def start_vim(sh: Shell) -> None:
    sh.type("vim f.txt")
    sh.submit()
    sh.send(ENTER + VIM_START)


def test_vim_colon_line_is_not_a_command():
    # JumpServer #3386
    sh = Shell()
    start_vim(sh)
    sh.press(b":", b"\x1b[?25l\x1b[m\x1b[24;1H\x1b[K\x1b[24;1H:\x1b[?25h")
    sh.type("wq")
    rec = sh.submit()
    assert (rec.kind, rec.text) == ("not-a-command", "")
    sh.send(VIM_EXIT + PROMPT)
    sh.type("rm -rf /srv")
    assert seen(sh.submit()) == command("rm -rf /srv")


def test_vim_insert_mode_text_is_not_a_command():
    sh = Shell()
    start_vim(sh)
    sh.press(b"o", b"\x1b[2;1H\x1b[K\x1b[24;1H\x1b[1m-- INSERT --\x1b[m\x1b[2;1H")
    sh.type("rm -rf /srv")
    assert sh.submit().kind == "not-a-command"


def test_vim_insert_after_text_ending_like_a_prompt_is_not_a_command():
    sh = Shell()
    start_vim(sh)
    sh.out(b"\x1b[1;1H# \x1b[1;3H")  # a comment line in a script: "# " before the cursor
    sh.press(b"a", b"\x1b[24;1H\x1b[1m-- INSERT --\x1b[m\x1b[1;3H")
    sh.type("rm -rf /srv")
    assert sh.submit().kind == "not-a-command"


def test_fake_alternate_screen_leaving_the_prompt_is_still_checked():
    sh = Shell()
    sh.run("printf '\\e[?1049h'", b"\x1b[?1049h")
    assert sh.tracker.alternate_screen
    sh.type("rm -rf /srv")
    assert seen(sh.submit()) == command("rm -rf /srv")


def test_fake_alternate_screen_with_a_clear_is_still_checked_at_a_known_prompt():
    sh = Shell()
    sh.run("ls")
    sh.run("printf '\\e[?1049h\\e[H\\e[2J'", b"\x1b[?1049h\x1b[H\x1b[2J")
    sh.type("rm -rf /srv")
    assert seen(sh.submit()) == command("rm -rf /srv")


def test_fake_alternate_screen_with_a_new_prompt_that_looks_like_one_is_checked():
    sh = Shell()
    sh.type("PS1='$ '; printf '\\e[?1049h\\e[H\\e[2J'")
    sh.submit()
    sh.send(ENTER + b"\x1b[?1049h\x1b[H\x1b[2J\x1b[?2004h$ ")
    sh.press(b"\x1b[A", b"rm -rf /srv")
    assert seen(sh.submit()) == command("rm -rf /srv")


# -- passwords and blind lines ------------------------------------------------------------------

def test_password_typed_without_echo_is_not_a_command_and_never_shown():
    sh = Shell()
    sh.type("sudo ls")
    sh.submit()
    sh.send(ENTER + b"[sudo] password for bob: ")
    sh.keys(b"hunter2")
    sh.keys(b"\r")
    assert sh.tracker.echo_settled()
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.text, rec.certain) == ("not-a-command", "", True)
    assert "hunter2" not in repr(rec)


@each("prompt", [
    b"Password: ", b"Enter passphrase for key '/home/bob/.ssh/id_ed25519': ", b"PIN: ",
    b"Verification code: ",
    # attack D, finding 11: hidden-input prompts that do not say "password"
    b"Enter PEM pass phrase:", b"Token (will be hidden): ", b"Enter token: ", b"Secret: ",
    b"OTP: ", b"Enter your one-time code: ", b"Security code: ", b"2FA code: ",
    b"Authentication code? ", b"Passcode: ", b"Enter secret (input will not be echoed): ",
    b"Vault token (will be hidden): ", b"Passwort: ", b"Mot de passe : ",
    # attack F, finding 4
    b"API key: ", b"Enter key: ", b"Access key: ", b"Credentials: ", b"Enter credential: ",
])
def test_password_prompts_are_recognised(prompt):
    sh = Shell()
    sh.run("true")
    sh.type("ssh web02")
    sh.submit()
    sh.send(ENTER + prompt)
    sh.keys(b"s3cret")
    assert sh.submit().kind == "not-a-command"


def test_masked_password_is_not_a_command():
    sh = Shell()
    sh.type("mysql -p")
    sh.submit()
    sh.send(ENTER + b"Enter password: ")
    for _ in "s3cret":
        sh.press(b"x", b"*")
    rec = sh.submit()
    assert (rec.kind, rec.text) == ("not-a-command", "")


def test_keys_not_echoed_at_a_shell_prompt_are_blind():
    sh = Shell()
    sh.keys(b"rm -rf /srv")
    sh.keys(b"\r")
    assert not sh.tracker.echo_settled()
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.text, rec.certain) == ("blind", "", False)


@each("prompt", [b"Tokens left: 3 ", b"secretary$ ", b"pinned> ", b"Passing", b""])
def test_keys_not_echoed_at_any_program_prompt_are_a_secret_judged_as_a_command(prompt):
    # Attack H, finding 6: whatever the prompt says (a shell's fake one can say anything), keys
    # a program reads without echo while no line editor reads are a secret, and the gate judges
    # them as a command line in every reading of the tty's settings (InputGate._judge_hidden).
    sh = Shell()
    sh.type("./menu")
    sh.submit()
    sh.send(ENTER + prompt)
    sh.keys(b"rm -rf /srv")
    rec = sh.submit()
    assert (rec.kind, rec.prompt, rec.hidden) == ("not-a-command", prompt.decode().strip(), "rm -rf /srv")


def test_a_password_prompt_while_readline_reads_the_line_is_a_shell_prompt():
    # Attack D, finding 5: PROMPT_COMMAND prints "Password: " and readline's echo goes
    # nowhere (or a background job keeps the cursor in place): bash said it reads a line
    # (?2004h), so what was typed there is a command the screen did not show, never a secret.
    sh = Shell()
    sh.type("true")
    sh.submit()
    sh.send(ENTER + b"Password: \x1b[?2004h")
    sh.keys(b"touch canary")
    rec = sh.submit()
    assert (rec.kind, rec.hidden) == ("blind", "")


def test_keys_typed_blind_at_a_program_prompt_are_handed_over_for_judging_never_shown():
    # With stderr gone (`exec 2>/dev/null`), bash's ?2004h/l go nowhere: the screen is that of
    # a program asking for a password. The keys are not a command for the record, but the
    # gate may judge them (InputGate._judge_hidden).
    sh = Shell()
    sh.type("exec 2>/dev/null")
    sh.submit()
    sh.send(ENTER + b"Password: ")
    sh.keys(b"touch canary")
    rec = sh.submit()
    assert (rec.kind, rec.text, rec.prompt, rec.hidden) == (
        "not-a-command", "", "Password:", "touch canary")
    assert "touch canary" not in repr(rec)


def test_a_shell_prompt_that_says_password_is_still_blind():
    sh = Shell()
    sh.out(b"\r\n\x1b[?2004hPassword: ")
    sh.type("true")
    sh.submit()
    sh.send(ENTER + b"\x1b[?2004hPassword: ")
    sh.keys(b"rm -rf /srv")
    assert sh.submit().kind == "blind"


# -- resize -------------------------------------------------------------------------------------

def test_resize_then_bash_redraw_finds_the_line_again():
    sh = Shell()
    sh.press(b"echo " + b"a" * 50, b"echo " + b"a" * 50)
    sh.tracker.resize(40, 24)
    sh.out(b"\r\x1b[K\r" + REDRAWN_PROMPT + b"echo " + b"a" * 50)
    sh.type("b")
    assert seen(sh.submit()) == command("echo " + "a" * 50 + "b")


def test_resize_without_a_redraw_is_not_certain():
    sh = Shell()
    sh.press(b"echo " + b"a" * 70, b"echo " + b"a" * 70)
    sh.tracker.resize(40, 24)
    assert not sh.submit().certain


# -- attack D: keys and lines as readline and the tty really read them --------------------------

BELL = b"\x07"
READ_PROMPT = b"\r\n\x1b[?2004l\rComment: "  # Enter on `read -r -p 'Comment: ' c`: no readline


def test_ctrl_d_on_a_continuation_line_is_judged_as_bash_runs_the_statement_at_eof():
    sh = Shell(is_complete=is_complete)
    sh.type("touch canary <<EOF")
    assert sh.submit().kind == "not-a-command"
    sh.send(ENTER + PS2)
    held = sh.keys(b"\x04")  # bash ends the here-document at EOF and runs the command
    assert held is not None and held.how == "eof"
    assert seen(sh.tracker.reconstruct()) == command("touch canary <<EOF\nEOF")


def test_a_here_document_ended_by_ctrl_d_runs_and_the_next_line_stands_alone():
    sh = Shell(is_complete=is_complete)
    for line in ("cat <<EOF", "some notes"):
        sh.type(line)
        sh.submit()
        sh.send(ENTER + PS2)
    sh.keys(b"\x04")
    assert seen(sh.tracker.reconstruct()) == command("cat <<EOF\nsome notes\nEOF")
    sh.send(ENTER + b"some notes\r\n" + PROMPT)
    sh.type("touch canary")
    rec = sh.submit()
    assert seen(rec) == command("touch canary") and rec.also == ()


def test_ctrl_d_on_an_open_quote_is_judged_and_what_follows_stands_alone():
    sh = Shell()
    sh.type("echo 'abc")
    sh.submit()
    sh.send(ENTER + PS2)
    assert sh.keys(b"\x04").how == "eof"
    sh.send(b"\r\n\x1b[?2004l\rbash: unexpected EOF while looking for matching `''\r\n" + PROMPT)
    sh.type("touch canary")
    assert seen(sh.submit()) == command("touch canary")


def test_ctrl_d_on_a_continuation_line_holding_text_deletes_and_is_no_submit():
    sh = Shell()
    sh.type("echo 'abc")
    sh.submit()
    sh.send(ENTER + PS2)
    sh.type("x")
    sh.press(b"\x01", b"\x08")
    assert sh.keys(b"\x04") is None


@each("between", [
    pytest.param(READ_PROMPT, id="an answer to read (no readline)"),
    pytest.param(ENTER + PROMPT, id="the primary prompt again"),
])
def test_a_line_the_model_cannot_place_after_an_unfinished_one_is_judged_on_its_own_too(between):
    sh = Shell()
    if between == READ_PROMPT:
        sh.run("true")  # the primary prompt is known
        sh.type("read -r -p 'Comment: ' c")
        sh.submit()
        sh.send(between)
        sh.type("it's fine")  # the answer: an open quote, for all the model can tell
        assert sh.submit().reason.startswith("unfinished statement")
        sh.send(b"\r\n" + PROMPT)
    else:
        sh.run("true")
        sh.type("echo 'x")
        sh.submit()
        sh.send(between)  # the shell dropped the statement (whatever the reason)
    sh.type("touch canary")
    rec = sh.submit()
    assert rec.kind == "command" and "touch canary" in (rec.text, *rec.also)


def test_a_line_read_by_a_programs_readline_at_an_unknown_prompt_does_not_start_a_statement():
    # `read -e` reads with readline too, and a prompt that changes (a clock in PS1) is never
    # known: the next line may be bash's first, not a continuation of the answer.
    sh = Shell()
    sh.run("true")
    sh.type("read -e -p 'x: ' c")
    sh.submit()
    sh.send(ENTER + b"\x1b[?2004hx: ")
    sh.type("it's")
    assert sh.submit().reason.startswith("unfinished statement")
    sh.send(ENTER + b"\x1b[?2004h12:00:01> ")
    sh.type("touch canary")
    rec = sh.submit()
    assert rec.kind == "command" and "touch canary" in (rec.text, *rec.also)


def test_a_continuation_readline_reads_at_its_own_prompt_is_judged_whole_only():
    sh = Shell(is_complete=is_complete)
    sh.run("true")
    for line in ("cat > notes <<EOF", "rm -rf /"):
        sh.type(line)
        assert sh.submit().kind == "not-a-command"
        sh.send(ENTER + PS2)
    sh.type("EOF")
    rec = sh.submit()
    assert seen(rec) == command("cat > notes <<EOF\nrm -rf /\nEOF") and rec.also == ()


@each(("vi", "keys", "how", "text"), [
    (False, b"echo $(id)\x85", "expand", "echo $(id)"),        # Esc C-e
    (False, b"#touch canary\xa3", "comment", "touch canary"),  # Esc #: uncommented, judged
    (False, b"ls\xf6", "edit", "ls"),                          # Esc v, held as a lead byte
    (False, b"ls \xc4\x8d", None, None),                       # \u010d: Esc C-m, unbound in emacs
    (True, b"ls \xc4\x8d", "accept", "ls "),                   # vi: Esc C-m accepts
    (True, b"ls\xc0", "macro", "ls"),                          # vi: Esc @
    (False, b"\x1b[200~ls\xc2\x85\x1b[201~", None, None),      # pasted: text
])
def test_meta_bytes_whose_meta_key_runs_a_line_are_judged_before_they_are_sent(vi, keys, how, text):
    sh = Shell()
    if vi:
        sh.run("set -o vi")
    held = sh.keys(keys)
    assert (held.how if held else None) == how
    if held is not None:
        assert held.meta and len(held.key) == 1 and held.key[0] >= 0x80
        sh.out(keys[:keys.index(held.key)].rstrip(b"\xc2\xc4"))
        rec = sh.tracker.reconstruct()
        assert (rec.kind, rec.text, rec.certain) == ("command", text, True)


def test_utf8_text_holding_meta_bytes_is_judged_at_them_and_then_read_on():
    sh = Shell()
    sh.type("echo 'price ")
    held = sh.keys("\u00a35 \u0445 ok'".encode())  # \xc2\xa3: Esc # in a C locale
    assert held.how == "comment" and held.key == b"\xa3"
    assert seen(sh.tracker.reconstruct()) == command("#echo 'price ")
    rest, sh.held = held.rest, None
    sh.tracker.resolve(sent=True)
    sh.out("\u00a3".encode())
    held = sh.keys(rest)  # \xd1\x85: Esc C-e; nothing on the line can run code
    assert held.how == "expand" and held.key == b"\x85"
    sh.out(b"5 ")
    assert sh.tracker.reconstruct().kind == "not-a-command"
    rest, sh.held = held.rest, None
    sh.tracker.resolve(sent=True)
    sh.out("\u0445 ok'".encode())
    sh.keys(rest)
    assert seen(sh.submit()) == command("echo 'price \u00a35 \u0445 ok'")


@each("key", [b"\x1a", b"\x1c"])
def test_ctrl_z_and_ctrl_backslash_at_the_prompt_keep_the_line(key):
    sh = Shell()
    sh.type("touch can")
    assert sh.keys(key) is None  # bash ignores the signal: nothing is echoed
    sh.type("ary")
    assert seen(sh.submit()) == command("touch canary")


@each("key", [b"\x1a", b"\x1c"])
def test_ctrl_z_then_output_between_the_halves_of_a_line_is_not_certain(key):
    sh = Shell()
    sh.type("touch can")
    sh.keys(key)
    sh.out(b"tick\r\n")  # a background job writes over the line
    sh.type("ary")
    rec = sh.submit()
    assert not (rec.certain and "touch canary" not in rec.text)


@each(("prefix", "then", "how"), [
    (b"\x18", b"\x05", "edit"), (b"\x1b", b"\x05", "expand"), (b"\x18", b"e", "macro"),
    (b"\x18", b"\x12", "rebind"),
])
@each("between", ["output", "resize"])
def test_a_prefix_key_is_kept_across_output_and_resizes(prefix, then, how, between):
    sh = Shell()
    sh.type("touch canary")
    assert sh.keys(prefix) is None
    if between == "output":
        sh.out(b"tick-tock\r\n")
    else:
        sh.tracker.resize(100, 30)
        sh.out(b"\r\x1b[K" + REDRAWN_PROMPT + b"touch canary")
    held = sh.keys(then)
    assert held is not None and held.how == how
    assert sh.deny().startswith(b"\x07")  # Ctrl-G aborts the prefix readline still holds


@each("unseen", [b"\x1a", b"\x1c", b"\x13", b"\x11"])
def test_keys_the_terminal_driver_may_take_do_not_complete_a_prefix(unseen):
    sh = Shell()
    sh.type("touch canary")
    sh.keys(b"\x18")
    sh.keys(unseen)  # an ignored signal, or flow control: readline never sees it
    held = sh.keys(b"\x05")
    assert held is not None and held.how == "edit"


def test_a_prefix_completed_by_a_prefix_key_is_no_prefix():
    sh = Shell()
    sh.type("ls")
    assert sh.keys(b"\x18\x18") is None  # C-x C-x: exchange-point-and-mark
    assert sh.keys(b"\x05") is None


@each(("vi", "keys"), [
    (False, b"\x1b\r"), (False, b"\x18\r"), (False, b"\x1b\n"), (False, b"\x18e"),
    (False, b"\x1bv"), (False, b"\xa3"),
])
def test_a_judged_key_readline_does_not_accept_leaves_no_credit_for_a_later_line(vi, keys):
    sh = Shell()
    sh.type("echo hi")
    held = sh.keys(keys)
    assert held is not None
    sh.tracker.reconstruct()
    sh.send(BELL)  # readline rings its bell: M-C-m, C-x C-m, C-x e unbound; no macro
    sh.press(b"\x15", b"\r\x1b[K" + REDRAWN_PROMPT)
    sh.type("touch canary")
    sh.keys(b"\x14")  # bound to accept-line by the user: the bastion cannot see it
    sh.out(ENTER)
    assert sh.tracker.take_unjudged() == "touch canary"


@each("keys", [b"\x1b\r", b"\xa3"])
def test_a_judged_key_that_readline_did_accept_explains_its_line_end(keys):
    sh = Shell()
    sh.type("echo hi")
    sh.keys(keys)
    sh.send(ENTER + b"hi\r\n" + PROMPT)  # vi mode set in an inputrc, a C locale: accepted
    assert sh.tracker.take_unjudged() is None
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


def test_vi_change_with_a_key_that_is_no_motion_stays_in_command_mode():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("touch canary")
    sh.press(b"\x1b", b"\x08")
    sh.press(b"c", b"")
    sh.press(b"q", BELL)  # not a motion: readline rings and stays in command mode
    held = sh.keys(b"v")
    assert held is not None and held.how == "edit"


@each(("echo", "how"), [
    pytest.param("\u00e9".encode(), None, id="UTF-8 locale: shown, still inserting"),
    pytest.param(b"\x08", "edit", id="C locale: Esc h, Esc )"),
])
def test_vi_mode_8bit_text_is_read_as_the_screen_shows_it(echo, how):
    sh = Shell()
    sh.run("set -o vi")
    sh.type("touch canary ")
    assert sh.keys("\u00e9".encode()) is None  # \xc3\xa9: Esc C, Esc ) in a C locale
    sh.out(echo)
    held = sh.keys(b"v")
    assert (held.how if held else None) == how


def test_vi_command_keys_sent_together_are_read_one_at_a_time():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("touch canary")
    assert sh.keys(b"\x1b") is None
    held = sh.keys(b"0v")  # `0`, then `v` (edit-and-execute) in one packet
    assert held is not None and held.how == "edit"


def test_vi_change_with_a_motion_inserts_and_v_is_text():
    sh = Shell()
    sh.run("set -o vi")
    sh.type("echo hi")
    sh.press(b"\x1b", b"\x08")
    sh.press(b"b", b"\x08")
    sh.press(b"c", b"")
    sh.press(b"w", b"\x1b[K")
    assert sh.keys(b"v") is None
    sh.out(b"v")
    sh.type("alue")
    assert seen(sh.submit()) == command("echo value")


DASH_PROMPT = b"$ "


@each(("erase", "key", "echo", "certain"), [
    (0x7F, b"\x7f", b"\x08 \x08", True),     # VERASE
    (0x7F, b"\x08", b"\x08", False),          # data for the tty; raw echo moves the cursor
    (0x08, b"\x08", b"\x08 \x08", True),
    (0x08, b"\x7f", b"", False),
    (0x7F, b"\x1b[D", b"\x1b[D", False),      # an arrow: data, echoed raw it moves the cursor
    (0x7F, b"\t", b"\t", False),
    (0x7F, b"\x01", b"", False),
    (0x7F, b"\x16", b"", False),               # VLNEXT: the next key is data
    (0x7F, b"\x1a", b"", False),               # VSUSP: the tty drops the line, readline keeps it
])
def test_without_a_line_editor_keys_are_read_as_the_terminal_driver_reads_them(erase, key, echo,
                                                                               certain):
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"", erase=erase)
    sh.type("echo onx")
    sh.press(key, echo)
    sh.type("e")
    assert sh.submit().certain is certain


def test_without_a_line_editor_ctrl_d_on_a_continuation_line_is_judged_too():
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"", is_complete=is_complete)
    sh.type("touch canary <<EOF")
    assert sh.submit().kind == "not-a-command"
    sh.send(b"\r\n> ")
    held = sh.keys(b"\x04")  # dash, too, runs the here-document at EOF
    assert held is not None and held.how == "eof"
    assert seen(sh.tracker.reconstruct()) == command("touch canary <<EOF\nEOF")


def test_without_a_line_editor_backspaces_echoed_raw_do_not_hide_a_command():
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    hidden = "touch canary;#"
    sh.type(hidden)
    for _ in hidden:
        sh.press(b"\x08", b"\x08")  # stty -echoctl: the tty echoes ^H as it is
    sh.type("echo safe line")
    assert not sh.submit().certain


def at_fake_password_prompt() -> Shell:
    """dash with `PS1='Password: '; stty -echo`: a shell prompt that looks like a program's."""
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    sh.type("PS1='Password: '; stty -echo")
    sh.submit()
    sh.send(b"\r\nPassword: ")
    return sh


@each("keys", [
    b"touch canary;#" + b"\x08" * 14 + b"echo hi",  # Ctrl-H: readline erases, the tty keeps it
    b"touch canary;#\x01echo ",                      # Ctrl-A: readline moves, the tty keeps it
    b"touch canary;#\x16\x7f",                       # Ctrl-V: the erase after it is data
    b"touch canary;#\x1b[Decho ",                    # an arrow: data for the tty
], ids=["ctrl-h", "ctrl-a", "lnext", "arrow"])
def test_keys_typed_blind_without_a_line_editor_holding_a_key_the_tty_keeps_are_uncertain(keys):
    # Attack F, finding 1: the keys were read as readline edits them (`echo hi`) and passed as a
    # secret, while the tty handed dash `touch canary;#^H...echo hi`.
    sh = at_fake_password_prompt()
    assert sh.keys(keys + b"\r") is not None
    rec = sh.tracker.reconstruct()
    assert rec.kind != "not-a-command" and not rec.certain and rec.hidden == ""


def test_ctrl_d_typed_blind_without_a_line_editor_hands_the_keys_over_for_judging():
    sh = at_fake_password_prompt()
    held = sh.keys(b"touch canary\x04")
    assert held is not None and held.how == "flush"
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.hidden) == ("not-a-command", "touch canary")  # the gate judges it
    sh.send()  # (had it been a secret) what follows is appended to what the program holds
    sh.keys(b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.certain, rec.hidden) == ("blind", False, "")


@each(("keys", "hidden"), [
    (b"hunter2", "hunter2"),
    (b"hunter3\x7f2", "hunter2"),              # VERASE
    (b"junk\x15hunter2", "hunter2"),           # VKILL
    (b"rm -rf /tmp/x\x17", "rm -rf /tmp/"),     # VWERASE, as Linux's tty: not readline's `rm `
    (b"a b_c-d  \x17", "a b_c-"),
])
def test_keys_typed_blind_without_a_line_editor_are_read_as_the_tty_edits_them(keys, hidden):
    sh = at_fake_password_prompt()
    sh.keys(keys + b"\r")
    rec = sh.tracker.reconstruct()
    assert (rec.kind, rec.prompt, rec.hidden) == ("not-a-command", "Password:", hidden)


@each(("typed", "erased", "line", "certain"), [
    ("rm -rf /tmp/x", 1, "rm -rf /tmp/", True),
    ("touch canary;#", 8, "touch ", True),
    ("echo caf\u00e9", 4, "echo ", False),  # the driver's class of a non-ASCII byte is unknown
])
def test_without_a_line_editor_ctrl_w_erases_as_the_terminal_driver_does(typed, erased, line,
                                                                        certain):
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    sh.type(typed)
    sh.press(b"\x17", b"\x08 \x08" * erased)
    assert seen(sh.submit()) == command(line, certain)


def test_without_a_line_editor_ctrl_d_on_a_non_empty_line_is_judged_before_it_is_sent():
    # Attack F, finding 2: the tty hands `touch canary` to dash unended; a second Ctrl-D is
    # EOF, and dash runs it.
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    sh.type("touch canary")
    held = sh.keys(b"\x04")
    assert held is not None and held.how == "flush"
    assert seen(sh.tracker.reconstruct()) == command("touch canary")
    assert sh.deny() == b"\x05\x15"


@each("after", [b"\x04", b"\x15\r", b"\x15echo hi\r"])
def test_after_a_flush_the_line_the_shell_holds_is_never_read_as_certain(after):
    # Let through (a rule allowed `echo hi`), the flushed text stays in the shell: Ctrl-U no
    # longer reaches it, and what is typed next is appended to it.
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    sh.type("echo hi")
    sh.keys(b"\x04")
    sh.send()
    held = sh.keys(after)
    assert held is not None
    assert not sh.tracker.reconstruct().certain


@each(("key", "first"), [
    (b"\x0f", "touch cana"), (b"\x1b#", "touch cana"),
    (b"\x18\x05", ""),  # the Ctrl-X before it is data for the tty: refused at once
])
def test_without_a_line_editor_a_judged_key_the_tty_keeps_leaves_the_line_uncertain(key, first):
    # Ctrl-O, Esc #, Ctrl-X Ctrl-E are judged (readline may read a dumb terminal), but dash's
    # tty keeps them as data and the line goes on: `touch cana` Ctrl-O (allowed), then DEL
    # (the tty erases the ^O) and `ry` Enter would run `touch canary`.
    sh = at_fake_password_prompt()
    held = sh.keys(b"touch cana" + key)
    assert held is not None
    assert sh.tracker.reconstruct().hidden == first
    sh.send()
    sh.keys(b"\x7fry\r")
    rec = sh.tracker.reconstruct()
    assert rec.kind != "not-a-command" and not rec.certain and rec.hidden == ""


def test_ctrl_d_on_an_empty_line_without_a_line_editor_is_eof_not_a_submit():
    sh = Shell(prompt=DASH_PROMPT, enter=b"\r\n", banner=b"")
    assert sh.keys(b"\x04") is None


def test_ctrl_d_on_a_non_empty_line_in_readline_deletes_a_character():
    sh = Shell()
    sh.type("echo onex")
    sh.press(b"\x1b[D", b"\x08")
    sh.press(b"\x04", b"\x1b[K")
    assert seen(sh.submit()) == command("echo one")


@each(("line", "vi"), [
    ("set -o vi", True), ("bind 'set editing-mode vi'", True),
    # Other spellings are held by the policy; let through anyway, the mode stays as it was.
    ("set -Co vi", False), ("shopt -os vi", False), ("set -o emacs -o vi", False),
    ("ls; set -o vi", False),
])
def test_the_tracker_follows_only_the_editing_mode_switches_the_policy_lets_through(line, vi):
    sh = Shell()
    sh.run(line)
    sh.type("ls")
    held = sh.keys(b"\x0f")  # operate-and-get-next in emacs mode; vi's insert mode inserts it
    assert (held is None) is vi


def _judged_in(sh: Shell, keys: bytes) -> str | None:
    """How `keys`, typed after `ls`, are judged (None: not a judge point)."""
    sh.type("ls")
    held = sh.keys(keys)
    return held.how if held is not None else None


EOF_ANSWER = b"exit\r\n\x1b[?2004l\r" + PROMPT  # Ctrl-D on an empty line: the parent's prompt
ESC_PROBE_VI = (b"\x1b", b"\x08")  # a lone Esc moves the cursor left: vi mode, from an inputrc


# Attack H, finding 4: each shell has its own editing mode. Steps: a line run (judged and
# sent), or keys with their echo. Then: what Ctrl-O (emacs: operate-and-get-next; vi insert:
# text) and Esc h v (vi: edit-and-execute; emacs: Esc h, then text) are judged as.
@each(("steps", "ctrl_o", "esc_h_v"), [
    ([], "accept", None),                                           # emacs, as bash starts
    (["bash", "su", "exit", "tmux"], "accept", None),               # no switch: emacs stays
    (["set -o vi"], None, "edit"),                                  # followed: vi alone
    (["set -o vi", "cd /tmp", "export A=1"], None, "edit"),         # builtins: the same shell
    (["set -o vi", "set -o emacs"], "accept", None),                # back, the same shell
    (["set -o vi", "bash"], "accept", "edit"),                      # a child in emacs
    (["bash", "set -o vi", "exit"], "accept", "edit"),              # a parent in emacs
    (["bash", "set -o vi", (b"\x04", EOF_ANSWER)], "accept", "edit"),  # Ctrl-D: the parent
    (["set -o vi", "su"], "accept", "edit"),
    (["set -o vi", "sudo -i"], "accept", "edit"),
    (["set -o vi", "tmux new-window"], "accept", "edit"),
    (["set -o vi", "ssh db01"], "accept", "edit"),
    (["set -o vi", "exec bash"], "accept", "edit"),
    (["set -o vi", "vim notes"], "accept", "edit"),                  # vim's :sh
    (["set -o vi", "$SHELL"], "accept", "edit"),                    # known only at run time
    (["set -o vi", "bash", "set -o emacs"], "accept", "edit"),      # the parent is still vi
    (["set -Co vi"], "accept", "edit"),             # a switch not followed, held then confirmed
    (["shopt -os vi"], "accept", "edit"),
    (["bindkey -v"], "accept", "edit"),             # zsh's vi keymap
    ([(b"", b"\x1b[?1049h\x1b[H\x1b[2J" + PROMPT), "set -o vi"], "accept", "edit"),  # in tmux
    (["set -o vi", "bash", "set -o vi"], "accept", "edit"),         # sticks for the channel
    (["bash", "set -o emacs"], "accept", None),                     # emacs to emacs: no switch
    (["bash", "set -o vi", "set -o emacs"], "accept", "edit"),      # a switch after a child
    (["bash", ESC_PROBE_VI], "accept", "edit"),                     # vi seen after a child
    (["set -o vi", (b"\x1b", b"\x08"), (b"h", b"\x08"), (b"\x05", b"")],  # vi's C-e: emacs
     "accept", "edit"),
])
def test_the_editing_mode_is_known_only_while_no_other_shell_may_read_the_keys(steps, ctrl_o,
                                                                               esc_h_v):
    def at_the_end(keys: bytes) -> str | None:
        sh = Shell()
        for step in steps:
            if isinstance(step, str):
                sh.run(step)
            else:
                sh.press(*step)
        return _judged_in(sh, keys)

    assert (at_the_end(b"\x0f"), at_the_end(b"\x1bhv")) == (ctrl_o, esc_h_v)


@each("keys", [b"\x1b\x05", b"\x85"])
def test_esc_ctrl_e_sent_in_vi_mode_leaves_either_mode_reading(keys):
    # Judged as shell-expand-line (emacs), it is emacs-editing-mode in vi's command mode.
    sh = Shell()
    sh.run("set -o vi")
    sh.type("ls")
    assert sh.keys(keys).how == "expand"
    sh.send()
    sh.out(b"\x1b[C")
    assert _judged_in(sh, b"\x0f") == "accept"


@each(("vi", "expected"), [(False, b"\x05\x15"), (True, b"\x03")])
def test_a_held_line_is_cancelled_with_ctrl_c_when_readline_may_be_in_vi_mode(vi, expected):
    # Vi's command mode reads the Ctrl-E of Ctrl-E Ctrl-U as emacs-editing-mode: the cancel
    # itself would leave readline in emacs mode. Emacs mode alone keeps Ctrl-E Ctrl-U.
    sh = Shell()
    if vi:
        sh.run("set -o vi")
    sh.type("touch canary")
    held = sh.keys(b"\x1b#")
    assert held is not None and held.how == "comment"
    assert sh.deny() == expected


def test_a_line_sent_in_either_mode_by_a_key_one_mode_leaves_unaccepted_earns_a_credit_once():
    # Ctrl-O in either mode: emacs runs the line, vi's insert mode inserts ^O. Readline's end of
    # line right after it is explained; one after another key is not (the backstop).
    for accepted in (True, False):
        sh = Shell()
        sh.run("set -o vi")
        sh.run("bash")
        sh.type("ls")
        assert sh.submit(b"\x0f").kind == "command"
        sh.send()
        if not accepted:
            sh.type("x")
        sh.out(ENTER + PROMPT)
        assert (sh.tracker.take_unjudged() is None) is accepted


# -- after the verdict --------------------------------------------------------------------------

def test_denied_line_is_cancelled_and_seen_gone_then_the_next_line_is_checked():
    sh = Shell()
    sh.type("rm -rf /srv")
    sh.submit()
    assert sh.deny() == b"\x05\x15"
    assert sh.forwarded == b"rm -rf /srv"
    assert not sh.tracker.line_is_empty()  # the target has not answered the cancel yet
    sh.out(b"\x08" * 11 + b"\x1b[K")
    assert sh.tracker.line_is_empty()
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


def test_cancel_with_earlier_lines_waiting_in_the_shell_is_ctrl_c():
    sh = Shell()
    sh.type("echo 'x")
    sh.submit()
    sh.send(ENTER + PS2)
    sh.type("'; rm -rf /srv")
    sh.submit()
    assert sh.deny() == b"\x03"
    sh.out(CTRL_C_ANSWER)
    assert sh.tracker.line_is_empty()
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


def test_line_still_on_screen_after_a_cancel_is_not_empty():
    sh = Shell()
    sh.type("rm -rf /srv")
    sh.submit()
    sh.deny()
    sh.out(b"\x07")  # the target answered, but the line is still there
    assert not sh.tracker.line_is_empty()


def test_reconstruct_can_be_repeated_while_held():
    sh = Shell()
    sh.type("ls")
    sh.submit()
    assert sh.tracker.reconstruct() == sh.tracker.reconstruct()


def test_feed_input_while_a_submit_is_held_raises():
    sh = Shell()
    sh.keys(b"ls\r")
    with pytest.raises(RuntimeError):
        sh.tracker.feed_input(b"x")


def test_resolve_without_a_held_submit_raises():
    with pytest.raises(RuntimeError):
        CommandLineTracker().resolve(sent=True)


def test_reset_forgets_the_line_and_the_unfinished_statement():
    sh = Shell()
    sh.type("echo 'x")
    sh.submit()
    sh.send(ENTER + PS2)
    sh.type("y")
    sh.tracker.reset()
    sh.out(b"\r\n" + PROMPT)
    sh.type("ls")
    assert seen(sh.submit()) == command("ls")


# -- bulk output --------------------------------------------------------------------------------

@each("bulk", [
    b"".join(b"%06d some log line of output\r\n" % i for i in range(40_000)),
    b"".join(b"\x1b[01;34mdir%05d\x1b[0m  file%05d\r\n" % (i, i) for i in range(40_000)),
    b"\x1b[2A\x1b[Kprogress\r\n\x1b[K50%\r\n" * 40_000,
    bytes(range(256)).replace(b"\x1bc", b"") * 4000,
    b"x" * 1_000_000 + b"\r\n",
], ids=["log lines", "colour listing", "progress moving the cursor up", "binary", "one long row"])
def test_prompt_after_bulk_output_is_read_correctly(bulk):
    sh = Shell()
    sh.type("cat big")
    sh.submit()
    sh.send(ENTER)
    for start in range(0, len(bulk), 32768):
        sh.out(bulk[start:start + 32768])
    sh.out(b"\r\n" + PROMPT)
    sh.type("rm -rf /srv")
    assert seen(sh.submit()) == command("rm -rf /srv")


@settings(max_examples=150, deadline=None)
@given(output=st.lists(st.binary(max_size=300), max_size=6), keys=st.binary(max_size=60))
def test_arbitrary_bytes_never_break_the_tracker(output, keys):
    tracker = CommandLineTracker(20, 5)
    for chunk in output:
        tracker.feed_output(chunk)
    for segment in tracker.feed_input(keys):
        if isinstance(segment, Submit):
            tracker.echo_settled()
            rec = tracker.reconstruct()
            assert rec.kind in ("command", "not-a-command", "blind")
            tracker.resolve(sent=False)
    tracker.line_is_empty()


# -- redaction ----------------------------------------------------------------------------------

class Echo:
    """A redactor reading the screen of a tracker fed the same output, as the proxy wires it."""

    def __init__(self, max_held: int = 256) -> None:
        self.tracker = CommandLineTracker(80, 24)
        self.redactor = KeystrokeRedactor(self.tracker, max_held=max_held)

    def feed_input(self, data: bytes) -> list[bytes | str]:
        return self.redactor.feed_input(data)

    def feed_output(self, data: bytes) -> list[bytes | str]:
        self.tracker.feed_output(data)
        return self.redactor.feed_output(data)

    def flush(self) -> list[bytes | str]:
        return self.redactor.flush()


def released(redactor: Echo, *steps: tuple[str, bytes]) -> list[bytes | str]:
    """Everything the redactor let out, keys in clear joined together."""
    items: list[bytes | str] = []
    for kind, data in steps:
        feed = redactor.feed_input if kind == "in" else redactor.feed_output
        items += feed(data)
    joined: list[bytes | str] = []
    for item in items + redactor.flush():
        if joined and isinstance(item, bytes) and isinstance(joined[-1], bytes):
            joined[-1] += item
        else:
            joined.append(item)
    return joined


def test_sudo_password_is_redacted_and_the_command_kept():
    steps = [("out", PROMPT)]
    for ch in b"sudo ls":
        steps += [("in", bytes([ch])), ("out", bytes([ch]))]
    steps += [("in", b"\r"), ("out", ENTER + b"[sudo] password for bob: ")]
    steps += [("in", bytes([ch])) for ch in b"hunter2"]
    steps += [("in", b"\r"), ("out", b"\r\nalpha.txt  beta.txt\r\n" + PROMPT)]
    items = released(Echo(), *steps)
    assert items == [b"sudo ls\r", "[redacted 7 keystrokes]", b"\r"]
    assert all(b"hunter" not in item for item in items if isinstance(item, bytes))
    assert [item.keys for item in items if isinstance(item, Redacted)] == ["hunter2"]


def test_fast_typed_line_is_released_in_clear_once_echoed():
    items = released(Echo(), ("out", PROMPT), ("in", b"ls -la\r"), ("out", b"ls -la" + ENTER))
    assert items == [b"ls -la\r"]


def test_control_keys_are_released_as_they_are():
    items = released(Echo(), ("out", PROMPT),
                     ("in", b"ab"), ("out", b"ab"),
                     ("in", b"\x1b[D"), ("in", b"\x03"), ("out", CTRL_C_ANSWER))
    assert items == [b"ab\x1b[D\x03"]


def test_keys_wait_for_their_echo_in_order():
    r = Echo()
    r.feed_output(PROMPT)
    assert r.feed_input(b"l") == []
    assert r.feed_input(b"\x1b[D") == []  # held behind the unechoed "l"
    assert r.feed_output(b"l") == [b"l\x1b[D"]


def test_unrelated_output_does_not_release_held_keys():
    r = Echo()
    r.feed_output(PROMPT)
    r.feed_input(b"hunter2")
    assert r.feed_output(b"\r\nYou have new mail: hunter2 hunter2\r\n") == []
    assert r.feed_input(b"\r") == []
    assert r.feed_output(b"\r\n") == ["[redacted 7 keystrokes]", b"\r"]


def test_a_later_chunk_that_starts_with_a_key_typed_blind_does_not_release_it():
    # Attack D, finding 10: a background job writes short chunks while a password is typed
    # blind. One that starts with the key's character is its echo only as the first answer to
    # the key; later, the key's cell (taken by other output first) decides.
    r = Echo()
    r.feed_output(b"Password: ")
    for ch in b"Zq9":
        assert r.feed_input(bytes([ch])) == []
        assert r.feed_output(b"#") == []
        assert r.feed_output(bytes([ch]) + b"!") == []
    assert r.feed_input(b"\r") == []
    assert r.feed_output(b"\r\n") == ["[redacted 3 keystrokes]", b"\r"]


def test_a_first_answer_that_writes_the_key_elsewhere_is_not_its_echo():
    r = Echo()
    r.feed_output(b"Password: ")
    r.feed_input(b"Z")
    assert r.feed_output(b"\x1b7\x1b[24;1HZ\x1b8") == []  # drawn on the bottom row
    r.feed_input(b"\r")
    assert r.feed_output(b"\r\n") == ["[redacted 1 keystroke]", b"\r"]


def test_an_echo_after_colours_is_an_echo():
    r = Echo()
    r.feed_output(PROMPT)
    r.feed_input(b"l")
    assert r.feed_output(b"\x1b[1;32ml\x1b[0m") == [b"l"]


def test_keys_sent_after_the_answer_wait_for_their_own_echo():
    r = Echo()
    r.feed_output(PROMPT)
    r.feed_input(b"ls\r")
    assert r.feed_output(b"ls" + ENTER + b"a.txt\r\n" + PROMPT) == [b"ls\r"]
    r.feed_input(b"pwd\r")
    assert r.feed_output(b"pwd") == [b"pwd\r"]


def test_bracketed_paste_is_released_once_the_shell_shows_it():
    r = Echo()
    assert r.feed_input(b"\x1b[200~echo one\recho two\r\x1b[201~") == [b"\x1b[200~"]
    out = r.feed_output(b"\x1b[7mecho one\x1b[27m\r\n\r\x1b[7mecho two\x1b[27m\r\n\r")
    assert out == [b"echo one\recho two\r\x1b[201~"]


def test_unechoed_keys_are_redacted_at_the_end():
    r = Echo()
    r.feed_input(b"dd")
    assert r.flush() == ["[redacted 2 keystrokes]"]


def test_held_keys_are_bounded():
    r = Echo(max_held=4)
    assert r.feed_input(b"abcdef") == ["[redacted 2 keystrokes]"]
    assert r.flush() == ["[redacted 4 keystrokes]"]


def test_a_fast_typed_line_that_wraps_is_kept():
    r = Echo()
    r.feed_output(PROMPT)
    line = b"x" * 67 + b"yz"  # the prompt takes 13 columns: "y" begins the second row
    # Readline writes the character that wrapped, goes back to the row's start, writes it again.
    assert released(r, ("in", line), ("out", b"x" * 67 + b"y\ryz")) == [line]


def test_keys_not_echoed_within_64_kib_of_output_are_redacted():
    r = Echo()
    r.feed_output(PROMPT + b"cat\r\n")
    r.feed_input(b"secret")
    released = [item for _ in range(20) for item in r.feed_output(b"x" * 4000 + b"\r\n")]
    assert released == ["[redacted 6 keystrokes]"]


def test_text_typed_in_vim_is_kept_and_only_its_commands_are_redacted():
    r = Echo()
    r.feed_output(PROMPT)
    items = released(r, ("out", VIM_START), ("in", b"i"),
                     ("out", b"\x1b[24;1H\x1b[1m-- INSERT --\x1b[m\x1b[1;1H"),
                     *[(k, c) for ch in b"hello" for k, c in (("in", bytes([ch])),
                                                               ("out", bytes([ch])))])
    assert items == ["[redacted 1 keystroke]", b"hello"]


def test_a_burst_typed_in_vim_is_kept_when_its_echo_comes_in_pieces():
    r = Echo()
    r.feed_output(PROMPT)
    r.feed_output(VIM_START)
    items = released(r, ("in", b"ihello world"),
                     ("out", b"\x1b[24;1H\x1b[1m-- INSERT --\x1b[m\x1b[1;1H"),
                     ("out", b"hello w"), ("out", b"orld"))
    assert items == ["[redacted 1 keystroke]", b"hello world"]


def test_text_typed_after_quitting_a_full_screen_program_is_kept():
    r = Echo()
    r.feed_output(PROMPT)
    steps = [("out", VIM_START), ("in", b"q"),
             ("out", b"\x1b[?1049l\x1b[?2004h" + REDRAWN_PROMPT)]
    steps += [(k, c) for ch in b"echo hi" for k, c in (("in", bytes([ch])), ("out", bytes([ch])))]
    items = released(r, *steps, ("in", b"\r"), ("out", ENTER + b"hi\r\n" + PROMPT))
    assert items == ["[redacted 1 keystroke]", b"echo hi\r"]


def test_keys_over_text_already_on_the_screen_count_only_if_output_wrote_them():
    r = Echo()
    r.feed_output(PROMPT + b"secret\r" + REDRAWN_PROMPT)  # "secret" still in the cells
    r.feed_input(b"secret")
    assert r.feed_output(b"\x1b[?25l") == []
    r.feed_input(b"\r")
    assert r.feed_output(b"\r\n") == ["[redacted 6 keystrokes]", b"\r"]
