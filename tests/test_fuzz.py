"""Fuzzing the parsers: whatever a peer, a user or a file holds, no exception escapes.

Each parser the bastion runs on untrusted input is driven with hypothesis: the command policy
(typed lines), the terminal tracker and the keystroke redactor (both directions of a pty), the
control protocol (supervisor clients), the SFTP log (both directions of a file transfer), the
configuration loader (files an operator edits) and the recording reader (files on disk). Beside
"never raises", each test checks what its module promises about hostile input: verdicts are
always actions, the tracker never shows keys the target did not echo, the line reader keeps its
memory bounded, the SFTP log reads the same stream the same way however it is cut, errors are
the module's own and one line long.

Hypothesis runs derandomized (the same examples every run, no example database), so a failure
here reproduces exactly.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion import config, recording
from bastion.command_control import policy, sftplog
from bastion.command_control.policy import ACTIONS, Policy, evaluate, is_complete, parse_commands
from bastion.command_control.sftplog import SftpLog
from bastion.command_control.terminal import (
    CommandLineTracker,
    Forward,
    KeystrokeRedactor,
    Pause,
    Reconstruction,
    Submit,
)
from bastion.config import ConfigError
from bastion.control import protocol
from bastion.control.protocol import MAX_LINE, LineReader, ProtocolError
from bastion.recording import RecordingError
from tests.rows import each

FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the files the config and recording fuzzers write (hypothesis does not
    take function-scoped fixtures such as tmp_path: all examples of a test would share one)."""
    return tmp_path_factory.mktemp("fuzz")


def one_line(message: str) -> bool:
    return len(message.splitlines()) == 1


# -- the command policy ---------------------------------------------------------------------------

ANY_CHAR = st.one_of(
    st.characters(),                          # all of Unicode but lone surrogates
    st.characters(max_codepoint=0x7F),        # ASCII, control characters included
    st.characters(min_codepoint=0xE0000),     # where tree-sitter-bash used to crash
    st.characters(categories=["Cs"]),         # lone surrogates: a str can hold them
)
SHELL_TOKENS = [
    "rm", "-rf", "/", "ls", "sudo", "-u", "root", "env", "A=1", "sh", "bash", "-c", "eval", "xargs",
    "find", "-exec", "{}", "+", ";", "&&", "||", "|", "|&", "&", "(", ")", "{", "}", "$(", "`", "'",
    '"', "\\", "$'\\x72m'", "${", "${x:-", "$((", "))", "<(", ">(", "<<", "<<-", "<<<", "EOF",
    "\nEOF\n", ">", ">>", "2>&1", "<&-", "[[", "]]", "if", "then", "else", "fi", "case", "in",
    "esac", ";;", "for", "do", "done", "while", "function", "f()", "!", "!!", "^a^b", "#", "\n",
    "\t", " ", "*", "?", "[a-z]", "~", "$HOME", "$1", "$@", "x=$(", "coproc", "time", "exec",
    "trap", "alias", "watch", "su", "-", "--", "\x00", "\x1b", "é", "\U000e0001", "\U0010ffff",
]
# Wraps that keep a command runnable; a line nested in them must never become "allow".
NESTINGS = [
    "$( {} )", "( {} )", "{{ {}; }}", "echo $( {} )", "true && {}", "{} | cat",
    "if true; then {}; fi", "x=$( {} )", "for i in 1; do {}; done", "cat <( {} )",
    "bash -c \"$( echo {} )\"",
]
WRAPPERS = ["sudo", "sudo -u root", "env", "env A=1", "nice", "timeout 5", "eval", "command"]


@fuzz(300)
@given(line=st.text(alphabet=ANY_CHAR, max_size=200))
def test_policy_never_raises_on_any_text(default_policy: Policy, line: str) -> None:
    commands = parse_commands(line)
    assert all(isinstance(c, policy.SimpleCommand) for c in commands)
    assert not any("internal" in c.unknown for c in commands), commands
    assert isinstance(is_complete(line), bool)
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert verdict.action in ACTIONS
    assert "fault" not in verdict.message


@fuzz(120)
@given(tokens=st.lists(st.sampled_from(SHELL_TOKENS), max_size=60),
       separators=st.lists(st.sampled_from(["", " ", "  ", "\n"]), min_size=60, max_size=60))
def test_shell_like_lines_always_get_an_action_and_unreadable_ones_no_allow(
    default_policy: Policy, tokens: list[str], separators: list[str]
) -> None:
    line = "".join(token + sep for token, sep in zip(tokens, separators, strict=False))
    assert isinstance(is_complete(line), bool)
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert verdict.action in ACTIONS
    assert "fault" not in verdict.message
    if any(c.name is None for c in verdict.commands):
        # Fail closed: a command known only at run time, or a line that does not parse.
        assert verdict.action != "allow", (line, verdict)


@fuzz(60)
@given(wrappers=st.lists(st.sampled_from(WRAPPERS), max_size=12),
       nestings=st.lists(st.sampled_from(NESTINGS), max_size=250))
def test_a_denied_command_nested_to_any_depth_is_never_allowed(
    default_policy: Policy, wrappers: list[str], nestings: list[str]
) -> None:
    line = " ".join([*wrappers, "rm -rf /"])  # wrappers take a simple command, not `if ...`
    for nesting in nestings:
        line = nesting.format(line)
    assert evaluate(default_policy, line, role="engineer", target="web01").action != "allow", line
    assert isinstance(is_complete(line), bool)


@fuzz(25)
@given(opener=st.sampled_from(['"$(', "$(", "`", "'", '"', "${", "$((", "<(", "{ ", "( ", "[[ ",
                               "if ", "case x in ", "<<EOF\n", "\\", "$'", "eval '", "sh -c \"",
                               "\U000e0100", "\x00"]),
       depth=st.integers(1, 3000),
       closer=st.sampled_from(["", ")", "`", "'", '"', "}", "))", " ]]", " fi", " esac"]),
       closes=st.integers(0, 3000))
def test_deep_and_unbalanced_nesting_never_raises(
    default_policy: Policy, opener: str, depth: int, closer: str, closes: int
) -> None:
    line = opener * depth + "rm -rf /" + closer * closes
    assert isinstance(is_complete(line), bool)
    verdict = evaluate(default_policy, line, role="engineer", target="web01")
    assert verdict.action in ACTIONS


@fuzz(8)
@given(token=st.sampled_from(["ls ", "a;", "$(x)", "'a b' ", "\\\n", "x | ", "&& y ", "é ", "#c\n"]),
       count=st.integers(1000, 5000))
def test_very_long_lines_never_raise(default_policy: Policy, token: str, count: int) -> None:
    line = token * count
    assert isinstance(is_complete(line), bool)
    assert evaluate(default_policy, line, role="engineer", target="web01").action in ACTIONS


# -- the terminal tracker and the keystroke redactor ---------------------------------------------

SECRET = "Q"  # never output by the fuzzed target below, so never echoed
PROMPTS = [
    b"\x1b[?2004hbob@web01:~$ ", b"$ ", b"root@db:/# ", b"\x1b[?2004h> ", b"Password: ",
    b"[sudo] password for bob: ", b"(reverse-i-search)`': ", b"Enter PIN: ", b"mysql> ",
    b"\x1b[01;32mbob@web01\x1b[00m:\x1b[01;34m~\x1b[00m$ ", "\u03bb \u276f ".encode(),
    b"\r\n\x1b[?2004l\r", b"^C\x1b[?2004l\r\x1b[?2004h\x1b[?2004l\r\r\n",
]
OUTPUT_CODES = [
    b"\r\n", b"\r", b"\n", b"\x08", b"\x07", b"\t", b"\x1b[K", b"\x1b[2K", b"\x1b[2J\x1b[H", b"\x1b[H",
    b"\x1b[?1049h", b"\x1b[?1049l", b"\x1b[?47h", b"\x1b[?47l", b"\x1b[?1047h", b"\x1b[?1047l",
    b"\x1bc", b"\x1b[?2004h", b"\x1b[?2004l", b"\x1b[?2004;1049h", b"\x1b[5;10H", b"\x1b[999;999H",
    b"\x1b[3;20r", b"\x1b[r", b"\x1bM", b"\x1bD", b"\x1bE", b"\x1b7", b"\x1b8", b"\x1b#8", b"\x1b(0",
    b"\x1b(B", b"\x1b)0\x0e", b"\x0f", b"\x1b[1@", b"\x1b[2P", b"\x1b[3L", b"\x1b[2M", b"\x1b[4X",
    b"\x1b[?7l", b"\x1b[?7h", b"\x1b[?6h", b"\x1b[?6l", b"\x1b[4h", b"\x1b[4l", b"\x1b[20h",
    b"\x1b[5A", b"\x1b[80C", b"\x1b[3D", b"\x1b[2B", b"\x1b[s", b"\x1b[u", b"\x1b[6n", b"\x1b[c",
    b"\x1b[" + b";".join(b"%d" % i for i in range(40)) + b"m", b"\x1b[?;?;h", b"\x1b[99999999999m",
    b"\x1b[?", b"\x1b[", b"\x1b", b"\x1b]0;title\x07", b"\x1b]2;unterminated", b"\x9b31m", b"\xff",
    "é漢🙂\u0301\u200b".encode(), b"\xe6\xbc", b"^C", b"^[", b"\x1b[201~", b"\x00",
]
BULK = [b"0123456789abcdef" * 5 + b"\r\n"] * 300 + [bytes(range(256)) * 80]
ECHO = None  # stands for "echo the keys typed since the last output", as a line editor would

output_token = st.one_of(
    st.sampled_from(PROMPTS), st.sampled_from(OUTPUT_CODES), st.binary(max_size=24),
    st.text(max_size=16).map(str.encode), st.just(ECHO),
)
output_chunk = st.one_of(
    st.lists(output_token, min_size=1, max_size=6),
    st.sampled_from([[BULK[0] * 300], [BULK[-1]], [BULK[0] * 300 + b"$ "]]),
)
KEYS = [
    b"\r", b"\n", b"\r\n", b"\x0f", b"\x03", b"\x04", b"\x15", b"\x0b", b"\x17", b"\x01", b"\x05",
    b"\x02", b"\x06", b"\x7f", b"\x08", b"\t", b"\x12", b"\x13", b"\x0c", b"\x1a", b"\x1c",
    b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D", b"\x1bOA", b"\x1bOH", b"\x1b[H", b"\x1b[F",
    b"\x1b[3~", b"\x1b[1;5C", b"\x1bb", b"\x1b.", b"\x1b?", b"\x1b=", b"\x1b[200~", b"\x1b[201~",
    b"\x1b[99999999999999999999~",
]
PARTIAL_KEYS = [b"\x1b", b"\x1b[", b"\x1bO", b"\x1b[1;", b"\xc3", b"\xa9", b"\x80", b"\x9b"]
TYPED = [b"ls -la", b"rm -rf /", b'echo "a', b"cat <<EOF", b"\\", b"Q", b"echo QQ", "é漢🙂".encode()]

input_token = st.one_of(
    st.sampled_from(KEYS), st.sampled_from(PARTIAL_KEYS), st.sampled_from(TYPED),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10)
    .map(str.encode),
    st.binary(max_size=12),
)
input_chunk = st.lists(input_token, min_size=1, max_size=6).map(b"".join)
step = st.one_of(
    st.tuples(st.just("out"), output_chunk),
    st.tuples(st.just("in"), input_chunk, st.booleans()),
    st.tuples(st.just("resize"), st.integers(1, 300), st.integers(1, 120)),
    st.tuples(st.just("resize"), st.integers(0, 10**6), st.integers(0, 10**6)),
)
# (the end of an open paste) (Ctrl-G: abort a prefix readline holds) Ctrl-E Ctrl-U or Ctrl-C
CANCELS = {paste + abort + kill for paste in (b"", b"\x1b[201~") for abort in (b"", b"\x07")
           for kill in (b"\x05\x15", b"\x03")}


class Proxy:
    """Drives a tracker in the order its contract allows (as bastion.ssh.gate does) and checks every
    answer it gets. `hide` is removed from every output chunk before the tracker sees it."""

    def __init__(self, tracker: CommandLineTracker, hide: bytes = b"") -> None:
        self.tracker = tracker
        self.hide = hide
        self.held: tuple[Submit, bool] | None = None
        self.typed = bytearray()  # keys since the last output, for ECHO
        self.readings: list[Reconstruction] = []

    def output(self, tokens: list[bytes | None]) -> None:
        data = b"".join(bytes(self.typed) if t is ECHO else t for t in tokens)
        self.typed.clear()
        if self.hide:
            data = data.replace(self.hide, b"")
        self.tracker.feed_output(data)

    def keys(self, data: bytes, allow: bool) -> None:
        while self.held is not None:  # the rest of a held chunk may hold another submit
            self.settle()
        self.typed += data
        segments = self.tracker.feed_input(data)
        stops = [s for s in segments if isinstance(s, (Submit, Pause))]
        assert len(stops) <= 1 and (not stops or segments[-1] is stops[0]), segments
        forwarded = b"".join(s.data for s in segments if isinstance(s, Forward))
        # Every CR and LF is a submit key: none reaches the target unjudged.
        assert b"\r" not in forwarded and b"\n" not in forwarded
        if not stops:
            assert forwarded == data
            return
        if isinstance(stops[0], Pause):
            # The gate would wait for the target's answer; here the rest comes at once.
            assert forwarded + stops[0].rest == data
            if stops[0].rest:
                self.typed = bytearray(self.typed[:-len(stops[0].rest)])
                self.keys(stops[0].rest, allow)
            return
        submit = stops[0]
        if submit.how == "accept":
            assert submit.key in (b"\r", b"\n", b"\x0f")
        assert forwarded + submit.key + submit.rest == data
        self.held = (submit, allow)

    def settle(self) -> None:
        assert self.held is not None
        submit, allow = self.held
        t = self.tracker
        with pytest.raises(RuntimeError):
            t.feed_input(b"x")  # refused while a submit waits, and changes nothing
        assert isinstance(t.echo_settled(), bool)
        first = self.read()
        # A confirmation re-reads the line: with nothing new on the screen, it reads the same.
        assert self.read() == first
        self.held = None
        if allow:
            t.resolve(sent=True)
            self.keys(submit.rest, allow)
        else:
            assert t.cancel_bytes() in CANCELS
            t.resolve(sent=False)
            assert isinstance(t.line_is_empty(), bool)

    def read(self) -> Reconstruction:
        rec = self.tracker.reconstruct()
        assert isinstance(rec, Reconstruction)
        assert rec.kind in ("command", "not-a-command", "blind")
        assert isinstance(rec.text, str) and isinstance(rec.reason, str) and rec.reason
        assert isinstance(rec.certain, bool)
        self.readings.append(rec)
        return rec

    def run(self, steps: list[tuple]) -> None:
        for kind, *args in steps:
            if kind == "out":
                self.output(args[0])
            elif kind == "in":
                self.keys(args[0], args[1])
            else:
                cols, rows = args
                self.tracker.resize(cols, rows)
        while self.held is not None:
            self.settle()
        self.read()


@fuzz(60)
@given(steps=st.lists(step, max_size=25), size=st.tuples(st.integers(1, 200), st.integers(1, 60)))
def test_tracker_driven_by_contract_never_raises(steps: list[tuple], size: tuple[int, int]) -> None:
    proxy = Proxy(CommandLineTracker(*size, is_complete=is_complete))
    proxy.run(steps)


@fuzz(80)
@given(steps=st.lists(step, max_size=25))
def test_tracker_text_never_holds_keys_the_target_did_not_echo(steps: list[tuple]) -> None:
    # The target never outputs SECRET; the client types it often. No paste is ever opened
    # (its text is the one thing taken from the keys): no '~' ends a paste-start key.
    steps = [(s[0], s[1].replace(b"~", b""), s[2]) if s[0] == "in" else s for s in steps]
    proxy = Proxy(CommandLineTracker(40, 10), hide=SECRET.encode())
    proxy.run(steps)
    assert not [r for r in proxy.readings if SECRET in r.text]


@each("keys", [b"Q\x03", b"\x80echo QQ\x03"])
def test_keys_the_target_never_echoed_stay_out_of_another_ttys_reading(keys: bytes) -> None:
    # found by the fuzzer above (CI, 2026-12-07): keys typed with no echo, ended by a Ctrl-C,
    # which another reading of the tty's settings makes a line's end: judged as hidden keys
    proxy = Proxy(CommandLineTracker(40, 10), hide=SECRET.encode())
    proxy.run([("in", keys, False)])
    assert not [r for r in proxy.readings if SECRET in r.text]


def test_keys_never_echoed_before_a_prompt_and_noise_stay_out_of_another_ttys_reading() -> None:
    steps = [("resize", 5450, 0), ("in", b"\x80echo QQ\x03", False), ("resize", 5450, 0),
             ("out", [b"\x1b[?2004hbob@web01:~$ ", b"{[", "\u00ea\U000f25ad\x0b\x03\x1a".encode(),
                      b"~\xad\xa3\xdb]", b"$\xf7Ux~\xb8Rz\xd2\xc1U\x02f#\xfb\xdc\x00\x92\x1a"]),
             ("out", [b"$ ", b"\r\n\x1b[?2004l\r"])]
    proxy = Proxy(CommandLineTracker(40, 10), hide=SECRET.encode())
    proxy.run(steps)
    assert not [r for r in proxy.readings if SECRET in r.text]


REDACTED = re.compile(r"\[redacted (\d+) keystrokes?\]")


def is_text_char(ch: str) -> bool:
    return ch >= " " and ch != "\x7f" and not "\x80" <= ch <= "\x9f"


def check_release(typed: bytes, released: list[bytes | str]) -> None:
    """Everything typed comes out once, in order: in clear, byte for byte, or as a marker
    standing for a run of typed text (never for a control key), a byte that is not UTF-8 one
    keystroke."""
    keys = typed.decode("utf-8", "surrogateescape")
    pos = 0
    for item in released:
        if isinstance(item, bytes):
            text = item.decode("utf-8", "surrogateescape")
            assert keys[pos:pos + len(text)] == text, (keys, released)
            pos += len(text)
        else:
            m = REDACTED.fullmatch(item)
            assert m, item
            run = keys[pos:pos + int(m.group(1))]
            assert len(run) == int(m.group(1)) and all(map(is_text_char, run)), (keys, released)
            pos += len(run)
    assert pos == len(keys), (keys, released)


redactor_step = st.one_of(
    st.tuples(st.just("in"), input_chunk),
    st.tuples(st.just("out"), st.lists(output_token, min_size=1, max_size=4)),
)


def run_redactor(steps: list[tuple], max_held: int, hide: bytes = b"") -> tuple[bytes, list]:
    tracker = CommandLineTracker()
    redactor = KeystrokeRedactor(tracker, max_held=max_held)
    typed = bytearray()
    released: list[bytes | str] = []
    last_keys = b""
    for kind, data in steps:
        if kind == "in":
            typed += data
            last_keys = data
            released += redactor.feed_input(data)
        else:
            out = b"".join(last_keys if t is ECHO else t for t in data)
            out = out.replace(hide, b"") if hide else out
            tracker.feed_output(out)
            released += redactor.feed_output(out)
    released += redactor.flush()
    return bytes(typed), released


@fuzz(120)
@given(steps=st.lists(redactor_step, max_size=20), max_held=st.integers(1, 300))
def test_redactor_releases_every_key_once_in_order(steps: list[tuple], max_held: int) -> None:
    typed, released = run_redactor(steps, max_held)
    check_release(typed, released)


# Keys whose bytes never join SECRET into an escape sequence: complete sequences only, no ESC.
SAFE_KEYS = [k for k in KEYS if SECRET.encode() not in k and not k.endswith(b"\x1b")]
safe_input_chunk = st.lists(st.one_of(
    st.sampled_from(SAFE_KEYS), st.sampled_from(TYPED),
    st.binary(max_size=12).map(lambda b: b.replace(b"\x1b", b"").replace(SECRET.encode(), b"")),
), min_size=1, max_size=6).map(b"".join)


@fuzz(100)
@given(steps=st.lists(st.one_of(st.tuples(st.just("in"), safe_input_chunk),
                                st.tuples(st.just("out"), st.lists(output_token, min_size=1,
                                                                   max_size=4))), max_size=20),
       max_held=st.integers(1, 300))
def test_redactor_never_releases_unechoed_text(steps: list[tuple], max_held: int) -> None:
    typed, released = run_redactor(steps, max_held, hide=SECRET.encode())
    check_release(typed, released)
    assert not any(SECRET.encode() in item for item in released if isinstance(item, bytes))


@fuzz(100)
@given(text=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1,
                    max_size=600),
       max_held=st.integers(1, 256))
def test_redactor_holds_at_most_max_held_keys(text: str, max_held: int) -> None:
    redactor = KeystrokeRedactor(CommandLineTracker(), max_held=max_held)
    released = redactor.feed_input(text.encode())
    redacted = sum(int(REDACTED.fullmatch(m).group(1)) for m in released if isinstance(m, str))
    assert len(text) - redacted <= max_held


def test_an_escape_sequence_that_never_ends_is_not_held_forever() -> None:
    # A client that starts a CSI sequence and never finishes it must not make every later chunk
    # rescan all it sent (quadratic time on the shared event loop): the keys come out.
    tracker = CommandLineTracker()
    tracker.feed_output(b"$ ")
    redactor = KeystrokeRedactor(tracker)
    released: list[bytes | str] = []
    for chunk in [b"\x1b["] + [b"1" * 4096] * 64:
        assert tracker.feed_input(chunk)[0] == Forward(chunk)
        released += redactor.feed_input(chunk)
    released += redactor.flush()
    assert sum(len(item) if isinstance(item, bytes) else int(REDACTED.fullmatch(item).group(1))
               for item in released) == 2 + 64 * 4096


# SSH lets a client send any 32-bit size; a million is enough to show the bound (without one,
# each read walked every row and cell, and far larger sizes exhaust memory).
@each("size", [(0, 0), (1, 1), (10**6, 10**6), (10**6, 24), (80, 10**6)])
def test_any_window_size_a_client_can_send_keeps_the_tracker_working(size: tuple[int, int]) -> None:
    tracker = CommandLineTracker(*size)
    for cols, rows in (size, (80, 24), size):
        tracker.resize(cols, rows)
        tracker.feed_output(b"\r\n" * 30 + b"$ ")
        tracker.feed_input(b"ls")
        tracker.feed_output(b"ls")
        [_submit] = tracker.feed_input(b"\r")
        tracker.echo_settled()
        assert tracker.reconstruct().kind in ("command", "not-a-command", "blind")
        tracker.resolve(sent=True)


def test_a_line_longer_than_the_model_follows_is_never_certain() -> None:
    # Every key edits the line model; one following a line without bound would make each key
    # cost more than the last (2 MB of "a", Left took 16 s). Past a limit it stops following.
    tracker = CommandLineTracker(2048, 512)
    tracker.feed_output(b"$ ")
    for _ in range(20):
        tracker.feed_input(b"a" * 4096)
        tracker.feed_output(b"a" * 4096)
        tracker.echo_settled()  # the proxy polls: the screen is drawn as the echo comes
    [_submit] = tracker.feed_input(b"\r")
    line = tracker.reconstruct()
    assert (line.kind, line.certain, line.reason) == ("command", False, "the line is too long to follow")


# -- the control protocol -------------------------------------------------------------------------

def reference_lines(stream: bytes) -> list[bytes | str]:
    """What a line reader must give for `stream`: each complete non-blank line, an error for
    each line over MAX_LINE (also one still unfinished)."""
    *lines, tail = stream.split(b"\n")
    out: list[bytes | str] = []
    for line in lines:
        if len(line) > MAX_LINE:
            out.append("too long")
        elif line.strip():
            out.append(line)
    if len(tail) > MAX_LINE:
        out.append("too long")
    return out


line_piece = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"\n", b"\r\n", b" \n", b"{}\n", b'{"id":1,"op":"sessions"}\n']),
    st.integers(MAX_LINE - 2, MAX_LINE + 2).map(lambda n: b"x" * n),
    st.integers(MAX_LINE - 2, MAX_LINE + 2).map(lambda n: b"y" * n + b"\n"),
    st.just(b"z" * (3 * MAX_LINE)),
)


@fuzz(150)
@given(pieces=st.lists(line_piece, max_size=12),
       cuts=st.lists(st.integers(0, 4 * MAX_LINE), max_size=12))
def test_line_reader_gives_each_line_once_and_keeps_memory_bounded(
    pieces: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(pieces)
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    reader = LineReader()
    got: list[bytes | str] = []
    for start, end in itertools.pairwise(bounds):
        for item in reader.feed(stream[start:end]):
            if isinstance(item, ProtocolError):
                assert one_line(str(item))
                got.append("too long")
            else:
                got.append(item)
        # What waits for its newline is never more than one line's worth (the reader's buffer
        # is the only place it can grow).
        assert len(reader._buffer) <= MAX_LINE
    assert got == reference_lines(stream)


JSON_HOSTILE = [
    b"[" * 60_000, b'{"a":' * 12_000, b"[" * 30_000 + b"]" * 30_000, b"1" + b"0" * 5000,
    b'{"id":' + b"9" * 5000 + b"}", b"NaN", b"-Infinity", b'{"a":NaN}', b'"\\ud800"',
    b'{"\\ud800":1}', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00", b"\x00\x00\x00{", b"{}" * 10,
    b'{"id":1}\x00', b"", b" ", b"null", b"[]", b'"x"', b'{"a":1e999}', b'{"a":1.5e-999}',
    b"{" + b'"k":0,' * 10_000 + b'"k":1}', b"\xc3\x28", b"{\n}",
]


@fuzz(250)
@given(line=st.one_of(st.binary(max_size=200), st.sampled_from(JSON_HOSTILE),
                      st.text(max_size=60).map(lambda t: json.dumps(t).encode()),
                      st.integers(MAX_LINE - 9, MAX_LINE + 1)
                      .map(lambda n: b'{"a":"' + b"x" * (n - 8) + b'"}')))
def test_decode_only_raises_protocol_error(line: bytes) -> None:
    try:
        message = protocol.decode(line)
    except ProtocolError as exc:
        assert one_line(str(exc))
    else:
        assert isinstance(message, dict)


# -- the SFTP log ---------------------------------------------------------------------------------

U32_EDGES = [0, 1, 3, 0x7F, 0x80, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]
u32_value = st.one_of(st.sampled_from(U32_EDGES), st.integers(0, 2**32 - 1), st.integers(0, 4))


def u32(n: int) -> bytes:
    return struct.pack(">I", n & 0xFFFFFFFF)


def sftp_string(data: bytes) -> bytes:
    return u32(len(data)) + data


U64 = st.one_of(st.just(2**64 - 1), st.integers(0, 2**64 - 1)).map(lambda n: struct.pack(">Q", n))
HANDLE = st.sampled_from([b"h1", b"h2", b"h3", b""]).map(sftp_string)
SFTP_PATH = st.sampled_from([b"/etc/passwd", b"a", b"", b"\xff\xfe", b"x" * 300]).map(sftp_string)
GOOD_ATTRS = [u32(0), u32(0x4) + u32(0o644), u32(0x1) + struct.pack(">Q", 2**64 - 1),
              u32(0x80000000) + u32(1) + sftp_string(b"k") + sftp_string(b"v")]
ATTRS = st.sampled_from([*GOOD_ATTRS, u32(0xFFFFFFFF),
                         u32(0x80000000) + u32(0xFFFFFFFF)])  # a huge count, none there
DATA = st.integers(0, 600).map(lambda n: sftp_string(b"d" * n))
EXTENDED = st.sampled_from([b"posix-rename@openssh.com", b"hardlink@openssh.com",
                            b"statvfs@openssh.com", b"lsetstat@openssh.com", b"fsync@openssh.com",
                            b"limits@openssh.com"]).map(sftp_string)
STATUS = st.one_of(st.integers(0, 9), u32_value).map(u32)
# The fields each packet kind carries (draft-ietf-secsh-filexfer-02, as OpenSSH speaks it).
SFTP_FIELDS = {
    3: [SFTP_PATH, u32_value.map(u32), ATTRS], 4: [HANDLE], 5: [HANDLE, U64, u32_value.map(u32)],
    6: [HANDLE, U64, DATA], 7: [SFTP_PATH], 8: [HANDLE], 9: [SFTP_PATH, ATTRS], 10: [HANDLE, ATTRS],
    11: [SFTP_PATH], 12: [HANDLE], 13: [SFTP_PATH], 14: [SFTP_PATH, ATTRS], 15: [SFTP_PATH],
    16: [SFTP_PATH], 17: [SFTP_PATH], 18: [SFTP_PATH, SFTP_PATH], 19: [SFTP_PATH],
    20: [SFTP_PATH, SFTP_PATH], 200: [EXTENDED, SFTP_PATH, SFTP_PATH],
    101: [STATUS, SFTP_PATH, SFTP_PATH], 102: [HANDLE], 103: [DATA], 104: [u32_value.map(u32)],
    105: [ATTRS],
}
sftp_field = st.one_of(
    SFTP_PATH, HANDLE, u32_value.map(u32), U64, ATTRS, st.binary(max_size=6),
    st.tuples(u32_value, st.binary(max_size=8)).map(lambda t: u32(t[0]) + t[1]),  # lying length
)


# What a server answers to each request: a handle to OPEN and OPENDIR, data to READ, names to
# READDIR and REALPATH, ... and a status to anything.
REPLIES = {3: [102, 101], 11: [102, 101], 5: [103, 101], 12: [104, 101], 16: [104, 101],
           19: [104, 101], 7: [105, 101], 8: [105, 101], 17: [105, 101], 200: [201, 101]}


def sftp_frame(draw: st.DrawFn, kind: int, request_id: int, hostile: bool) -> bytes:
    """One framed packet, well formed; or, when hostile, now and then of another kind with any
    fields, cut short inside its fields, or framed with a length that lies."""
    if hostile and not draw(st.integers(0, 3)):
        kind = draw(st.integers(0, 255))
        fields = draw(st.lists(sftp_field, max_size=4))
    else:
        fields = [draw(st.sampled_from(GOOD_ATTRS) if field is ATTRS and not hostile else field)
                  for field in SFTP_FIELDS.get(kind, [])]
    body = bytes([kind]) + u32(request_id) + b"".join(fields)
    if hostile and not draw(st.integers(0, 7)):
        body = body[:draw(st.integers(1, len(body)))]  # truncated fields, honest frame
    length = len(body) if not hostile or draw(st.integers(0, 7)) else draw(st.one_of(
        st.sampled_from([0, sftplog.MAX_PACKET, sftplog.MAX_PACKET + 1, 0xFFFFFFFF]),
        st.integers(max(0, len(body) - 3), len(body) + 3)))
    return u32(length) + body


PROLOGUE = [(True, u32(5) + b"\x01" + u32(3)), (False, u32(5) + b"\x02" + u32(3))]


@st.composite
def sftp_session(draw: st.DrawFn) -> list[tuple[bool, bytes]]:
    """Both directions of a session, as relayed: batches of pipelined requests, then their
    answers (some missing, some out of order); one in two sessions is hostile."""
    hostile = draw(st.booleans())
    client_kinds = [k for k in SFTP_FIELDS if k < 100]
    messages: list[tuple[bool, bytes]] = []
    for _ in range(draw(st.integers(0, 8))):
        requests = draw(st.lists(st.tuples(st.sampled_from(client_kinds), st.one_of(
            st.integers(1, 3), st.integers(1, 3), u32_value)), min_size=1, max_size=3))
        messages.append((True, b"".join(sftp_frame(draw, kind, rid, hostile)
                                        for kind, rid in requests)))
        replies = [sftp_frame(draw, draw(st.sampled_from(REPLIES.get(kind, [101]))), rid, hostile)
                   for kind, rid in draw(st.permutations(requests)) if draw(st.integers(0, 5))]
        if replies:
            messages.append((False, b"".join(replies)))
    return messages


def sftp_summary(messages: list[tuple[bool, bytes]], chunk: int | None = None) -> dict[str, Any]:
    """What the log holds after `messages`, each fed whole or in pieces of `chunk` bytes."""
    log = SftpLog(max_operations=6)
    for from_client, data in messages:
        feed = log.client_data if from_client else log.server_data
        step = chunk or max(1, len(data))
        for start in range(0, len(data), step):
            feed(data[start:start + step])
        assert len(log.operations) <= 6 and len(log.files) <= 6
    summary = log.summary()
    json.dumps(summary)
    assert all(f["bytes_read"] >= 0 and f["bytes_written"] >= 0 for f in summary["files"])
    return summary


@fuzz(40)
@given(messages=sftp_session(), chunk=st.one_of(st.just(1), st.integers(1, 64)))
def test_sftp_log_never_raises_and_reads_a_stream_the_same_however_it_is_cut(
    messages: list[tuple[bool, bytes]], chunk: int
) -> None:
    messages = PROLOGUE + messages
    assert sftp_summary(messages) == sftp_summary(messages, chunk)


@fuzz(100)
@given(chunks=st.lists(st.tuples(st.booleans(), st.binary(max_size=300)), max_size=30))
def test_sftp_log_never_raises_on_random_bytes_both_ways(chunks: list[tuple[bool, bytes]]) -> None:
    sftp_summary(PROLOGUE + chunks)


# -- configuration --------------------------------------------------------------------------------

class Raw(str):
    """A TOML value written as it is (a datetime, a number too long for Python's int())."""


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(tables: dict[str, dict[str, Any]]) -> str:
    lines = []
    for header, table in tables.items():
        lines.append(f"[{header}]" if header else "")
        lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


scalar = st.one_of(
    st.text(max_size=12), st.sampled_from(["30m", "4h", "2d", "0s", "-1m", "1e3", "100MB",
                                           "9" * 400, "9" * 400 + "GB", "127.0.0.1:2222", "[::1]:0",
                                           "(", "^[A-Z]+$", "required", "auto", "login", "scoped",
                                           "ssh-ed25519 AAAA", "*", "root", "root\n", "10.0.0.1"]),
    st.integers(-(2**63), 2**63 - 1), st.sampled_from([0, 1, 22, 65535, 65536, -1]),
    st.floats(), st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 5e-324]),
    st.booleans(), st.sampled_from([Raw("1979-05-27T07:32:00Z"), Raw("07:32:00"), Raw("1979-05-27"),
                                    Raw("-0.0"), Raw("1_000"), Raw("0o777"), Raw("1" + "0" * 5000)]),
)
toml_values = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)
REGEXES = ["(", "^[A-Z]+-[0-9]+$", "a{99999999999}", "(" * 1200 + ")" * 1200, "\\", "(?i)rm"]
DURATIONS = st.one_of(
    st.sampled_from(["30m", "4h", "2d", "90s", "0s", "-1m", "1e3", "9" * 400, "1.5h", " 10 s "]),
    st.floats(), st.sampled_from([math.nan, math.inf, 0.0, 1e300]),
    st.integers(-10, 10**20),
)
STRINGS = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(
    ["deploy", "root", "root\n", "*", "web*", "10.0.0.1", "::1", "Root", "a" * 40, "ssh-ed25519 K"])),
    max_size=3)
KIND_VALUES = {
    "str": st.one_of(st.text(max_size=12), st.sampled_from(
        ["127.0.0.1:2222", "[::1]:0", "host:99999", "required", "auto", "login", "scoped",
         "10.0.0.5", "/etc/ssh/key.pub", *REGEXES])),
    "duration": DURATIONS,
    "size": st.one_of(st.sampled_from(["100MB", "1.5GB", "0", "-1", "9" * 400, "9" * 400 + "GB"]),
                      st.integers(-1, 2**63 - 1)),
    "int": st.integers(-5, 2**63 - 1),
    "port": st.integers(-1, 70_000),
    "bool": st.booleans(),
    "strlist": STRINGS,
}
ACTION = st.sampled_from(["deny", "allow", "confirm", "alert", "Deny", ""])
POLICY_DEFAULT_VALUES = {"unmatched": ACTION, "unknown": ACTION, "uncertain": ACTION,
                         "confirm_timeout": DURATIONS}
RULE_VALUES = {
    "name": st.sampled_from(["r1", "r2", " ", "x\ny"]), "action": ACTION,
    "commands": st.lists(st.sampled_from(["rm", "mkfs.*", "[", "*", "a/b", "", "r?m", "[!a]"]),
                         max_size=3),
    "flags": st.lists(st.sampled_from(["-r", "-f", "--force", "-rf", "--x=1", "-", ""]), max_size=3),
    "args": st.one_of(st.sampled_from(REGEXES), st.text(max_size=6)),
    "roles": STRINGS, "targets": STRINGS, "message": st.text(max_size=10),
}


def overrides(values: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A few keys to set over a valid table: mostly known ones with plausible, edge or hostile
    values (so that checks past the first are reached), now and then an unknown one."""
    known = st.sampled_from(sorted(values)).flatmap(
        lambda key: st.tuples(st.just(key), st.one_of(values[key], values[key], toml_values)))
    other = st.tuples(st.text(max_size=8), toml_values)
    return st.lists(st.one_of(known, known, known, known, known, other), max_size=4).map(dict)


SERVER_VALUES = {key: KIND_VALUES[kind] for key, kind in config._SERVER_KEYS.items()} | {
    "ticket_pattern": st.one_of(st.sampled_from(REGEXES), st.text(max_size=6)),
    "listen": st.sampled_from(["127.0.0.1:2222", "[::1]:0", "host:99999", ":1", "[x]:1", "a:b"]),
    "egress_addresses": st.lists(st.sampled_from(["10.0.0.1", "::1", "300.1.1.1", "", "x"]),
                                 max_size=2),
}
ROLE_VALUES = {key: KIND_VALUES[kind] for key, kind in config._ROLE_KEYS.items()} | {
    "approval": st.sampled_from(["required", "auto", "Auto", ""]),
}
TARGET_VALUES = {key: KIND_VALUES[kind] for key, kind in config._TARGET_KEYS.items()} | {
    "principals": st.sampled_from(["login", "scoped", "Scoped"]),
}
VALID_TARGET = {"host": "10.0.0.5", "host_keys": ["ssh-ed25519 K"]}
VALID_RULE = {"action": "deny", "commands": ["rm"]}


table_name = st.one_of(st.sampled_from(["engineer", "vendor", "web01", "db-1.x", "Web", "a b",
                                        "web01\n", "x\ny", "é"]), st.text(max_size=8))


@st.composite
def config_tables(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    if not draw(st.integers(0, 7)):  # top-level values where tables belong
        return {"": draw(st.dictionaries(st.sampled_from(["server", "roles", "targets", "x"]),
                                         toml_values, max_size=2))}
    tables: dict[str, dict[str, Any]] = {}
    if draw(st.booleans()):
        tables["server"] = draw(overrides(SERVER_VALUES))
    for name in draw(st.lists(table_name, max_size=2, unique=True)):
        tables[f"roles.{toml_key(name)}"] = draw(overrides(ROLE_VALUES))
    for name in draw(st.lists(table_name, max_size=2, unique=True)):
        base = VALID_TARGET if draw(st.integers(0, 3)) else {}
        tables[f"targets.{toml_key(name)}"] = base | draw(overrides(TARGET_VALUES))
    return tables


def load_or_refuse(path: Path) -> config.Config | None:
    try:
        return config.load_config(path)
    except ConfigError as exc:
        assert one_line(str(exc)), str(exc)
        assert str(exc).startswith(str(path))
        return None


@fuzz(60)
@given(tables=config_tables())
def test_config_with_any_keys_and_values_is_loaded_sane_or_refused_in_one_line(
    scratch: Path, tables: dict[str, dict[str, Any]]
) -> None:
    path = scratch / "bastion.toml"
    path.write_text(toml_document(tables), encoding="utf-8")
    cfg = load_or_refuse(path)
    if cfg is None:
        return
    durations = [getattr(cfg.server, k) for k, kind in config._SERVER_KEYS.items()
                 if kind == "duration"]
    durations += [getattr(role, k) for role in cfg.roles.values()
                  for k, kind in config._ROLE_KEYS.items() if kind == "duration"]
    assert all(math.isfinite(d) and d > 0 for d in durations), durations
    for name, target in cfg.targets.items():
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name), name
        assert all(re.fullmatch(r"[a-z_][a-z0-9_.-]{0,31}", login) for login in target.logins)
        assert 1 <= target.port <= 65535


TOML_TOKENS = [
    "[", "]", "[[", "]]", "=", "\"", "'", "'''", '"""', "{", "}", ",", ".", "\n", "#", " ",
    "server", "roles", "targets", "engineer", "web01", "listen", "idle_timeout", "host", "rules",
    "defaults", "action", "commands", "1", "-1", "1e400", "nan", "inf", "0x", "1979-05-27",
    "T07:32:00Z", "true", "\\", "\\u", "\\ud800", "\\U0010ffff", "é", "\x00", "\x7f", "\r",
]
tomlish = st.one_of(
    st.lists(st.sampled_from(TOML_TOKENS), max_size=40).map("".join),
    st.text(max_size=80),
    st.sampled_from(["a = " + "[" * 3000, "a = " + "{b=" * 3000, "[" + "a." * 3000 + "a]",
                     "a = 1" + "0" * 5000, "[roles]\nx = [[1]]", "roles = [{a=1}]",
                     "[[targets]]\nx=1", "[[roles]]", 'server."x\\ny" = 1',
                     '[targets."web01\\n"]\nhost="h"\nhost_keys=["k"]']),
)


@fuzz(150)
@given(text=tomlish)
def test_any_toml_like_text_is_loaded_or_refused_in_one_line(scratch: Path, text: str) -> None:
    path = scratch / "bastion.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load_or_refuse(path)
    policy_path = scratch / "policy.toml"
    policy_path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        policy.load_policy(policy_path)
    except ConfigError as exc:
        assert one_line(str(exc)), str(exc)


@fuzz(150)
@given(data=st.binary(max_size=200))
def test_config_files_of_any_bytes_are_refused_in_one_line(scratch: Path, data: bytes) -> None:
    path = scratch / "bastion.toml"
    path.write_bytes(data)
    load_or_refuse(path)


regex_text = st.one_of(
    st.sampled_from([*REGEXES, "a{4294967296}", "a{1,99999999999}", "(?P<x>a)(?P=x)", "[" * 3000,
                     "(?:" * 600 + ")" * 600, "\\N{LATIN SMALL LETTER A}", "\\N{nope}"]),
    st.text(alphabet="()[]{}*+?\\|^$.,:<>=!Pax019-", max_size=30),
)


@fuzz(150)
@given(pattern=regex_text)
@pytest.mark.filterwarnings("ignore::FutureWarning")  # re warns about "[[" (a future set syntax)
def test_any_regex_in_a_pattern_key_is_compiled_or_refused_in_one_line(
    scratch: Path, pattern: str
) -> None:
    path = scratch / "bastion.toml"
    path.write_text(toml_document({"server": {"ticket_pattern": pattern}}), encoding="utf-8")
    load_or_refuse(path)
    path = scratch / "policy.toml"
    path.write_text(toml_document({"": {}}) + "[[rules]]\n" + toml_document(
        {"": {"name": "r", **VALID_RULE, "args": pattern}}), encoding="utf-8")
    try:
        loaded = policy.load_policy(path)
    except ConfigError as exc:
        assert one_line(str(exc)), str(exc)
    else:
        assert evaluate(loaded, "rm -rf /", role="engineer", target="web01").action in ACTIONS


@fuzz(60)
@given(defaults=overrides(POLICY_DEFAULT_VALUES), rules=st.lists(overrides(RULE_VALUES), max_size=3))
def test_policy_with_any_values_is_loaded_or_refused_in_one_line(
    scratch: Path, defaults: dict[str, Any], rules: list[dict[str, Any]]
) -> None:
    text = toml_document({"defaults": defaults}) + "".join(
        "[[rules]]\n" + toml_document({"": {"name": f"rule{n}", **VALID_RULE, **rule}})
        for n, rule in enumerate(rules))
    path = scratch / "policy.toml"
    path.write_text(text, encoding="utf-8")
    try:
        loaded = policy.load_policy(path)
    except ConfigError as exc:
        assert one_line(str(exc)), str(exc)
    else:
        assert 0 < loaded.defaults.confirm_timeout < math.inf
        assert evaluate(loaded, "rm -rf / ; ls", role="engineer", target="web01").action in ACTIONS


# -- recordings -----------------------------------------------------------------------------------

HEADER = b'{"version": 2, "width": 80, "height": 24, "timestamp": 1, "env": {}}\n'
CAST_LINES = [
    b'[0.5, "o", "hello"]', b'[1, "i", "x"]', b'[0, "m", ""]', b"[Infinity, \"o\", \"x\"]",
    b'[NaN, "o", "x"]', b'[1e999, "o", "x"]', b'[-1, "o", "x"]', b'[-0.0, "o", "x"]',
    b'[true, "o", "x"]', b"[" * 50_000, b'[1, "o"]', b'[1, "o", "x", 4]', b'{"a": 1}', b"",
    b'[1' + b"0" * 5000 + b', "o", "x"]', b"\xff\xfe", b'[1, "o", "\\ud800"]', b"\r",
    b'{"version": 2, "width": 0, "height": 1}', b'{"version": true, "width": 1, "height": 1}',
    b'{"version": 2, "width": 1e400, "height": 1}', b'{"version": 2, "width": 1, "height": 1, '
    b'"env": []}', b'{"version": 2, "width": 1' + b"0" * 5000 + b', "height": 1}',
    b'{"version": 1, "started": "x"}', b'[1, "o", "' + b"x" * 5000 + b'"]',
]
cast_file = st.one_of(
    st.binary(max_size=300),
    st.tuples(st.sampled_from([HEADER, b""]),
              st.lists(st.one_of(st.sampled_from(CAST_LINES), st.binary(max_size=20)), max_size=6),
              st.sampled_from([b"\n", b"\r\n"]), st.booleans())
    .map(lambda t: t[0] + t[2].join(t[1]) + (t[2] if t[3] else b"")),
)


@fuzz(250)
@given(data=cast_file, truncated=st.booleans())
def test_cast_reader_only_raises_recording_error(scratch: Path, data: bytes, truncated: bool) -> None:
    path = scratch / "fuzz.cast"
    path.write_bytes(data)
    try:
        header, events = recording.read_cast(path, allow_truncated=truncated)
    except RecordingError as exc:
        assert str(path) in str(exc) and one_line(str(exc))
        return
    assert isinstance(header, dict)
    for at, code, text in events:
        # The format's times are seconds since the start: finite, never negative.
        assert math.isfinite(at) and at >= 0, at
        assert isinstance(code, str) and isinstance(text, str)


@fuzz(120)
@given(data=cast_file)
def test_replay_of_any_file_sleeps_only_finite_times_or_refuses(scratch: Path, data: bytes) -> None:
    path = scratch / "fuzz.cast"
    path.write_bytes(data)
    waits: list[float] = []
    out = io.BytesIO()
    try:
        recording.replay(path, out, max_idle=None, sleep=waits.append)
    except RecordingError as exc:
        assert one_line(str(exc))
    assert all(math.isfinite(w) and w >= 0 for w in waits), waits


@fuzz(200)
@given(lines=st.lists(st.one_of(st.sampled_from([*CAST_LINES, b'{"version": 1}', b"{}"]),
                                st.binary(max_size=30)), max_size=3),
       newline=st.booleans())
def test_exec_record_reader_only_raises_recording_error(
    scratch: Path, lines: list[bytes], newline: bool
) -> None:
    path = scratch / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + (b"\n" if newline else b""))
    try:
        record = recording.read_exec_record(path)
    except RecordingError as exc:
        assert str(path) in str(exc) and one_line(str(exc))
    else:
        assert record["version"] == 1
