"""The line gate reads a line holding zero-width characters whole (attack a10o F3): pyte's draw
stopped at U+200B, and the gate recorded `echo A` for `echo A<U+200B>; touch x`. Driven as
tests/test_gate.py drives it, with a shell that echoes UTF-8 as readline does."""

from __future__ import annotations

import codecs

import pyte
import pytest

from bastion.command_control.terminal.screen import _Screen
from bastion.ssh.gate import InputGate
from tests.rows import each
from tests.test_gate import ENTER, PROMPT, Bash, Channel, make_app, make_live, store, verdicts

__all__ = ["store"]  # the fixture, shared with tests/test_gate.py


class Utf8Bash(Bash):
    """Bash whose line editor echoes every character typed, UTF-8 included."""

    def __init__(self) -> None:
        super().__init__()
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def keys(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            if byte < 0x80:
                out += super().keys(bytes([byte]))
                continue
            char = self.decoder.decode(bytes([byte]))
            if char:
                self.line += char
                out += char.encode()
        return bytes(out)


async def utf8_gate(store):
    app = make_app(store)
    ch = Channel(make_live(store, app))
    ch.bash = Utf8Bash()
    gate = InputGate(app, ch, 80, 24)  # type: ignore[arg-type]
    ch.gate = gate
    gate.target_output(b"Last login: Mon Nov 23 10:00:00 2026\r\n" + PROMPT)
    return gate, ch


@pytest.mark.parametrize("line", [
    "echo A\u200b; reboot",
    "echo B\u200b\u200b; reboot",
    "echo C\u2060\ufeff; reboot",
    "echo D\u202e; reboot",
    "echo E\ufe0f; reboot",
])
async def test_a_line_with_a_zero_width_character_is_recorded_whole_and_never_runs(store, line):
    gate, ch = await utf8_gate(store)
    try:
        for key in line:
            shown = len(ch.bash.line)
            gate.client_input(key.encode())
            await ch.until(lambda shown=shown: len(ch.bash.line) > shown)
        gate.client_input(b"\r")
        await ch.until(lambda: bool(verdicts(store, ch.live.id)))
        await ch.until(lambda: ch.bash.line == "" or bool(ch.live.ended))
    finally:
        gate.close()
    assert ch.bash.ran == []  # reboot is denied: the line never reached the shell
    [(recorded, verdict)] = verdicts(store, ch.live.id)
    assert recorded == line and verdict != "allow"
    assert ENTER not in bytes(ch.stderr)


@each(("output", "rows"), [
    ("a" * 9 + "日本x", ["a" * 9, "日本x"]),                     # wraps whole, as xterm does
    ("abc\u200bdef\u2060ghi", ["abc\u200bdef\u2060ghi"]),          # kept with the cell before
    ("a" * 10 + "\u200bb", ["a" * 9 + "a\u200b", "b"]),          # at the edge, before the wrap
    ("x\x85y", ["x\x85y"]),                                      # wcwidth -1: kept, not a stop
])
def test_the_gates_screen_loses_no_character_pyte_would_stop_at(output, rows):
    screen = _Screen(10, 3)
    pyte.Stream(screen).feed(output)
    assert [screen.text(y).rstrip() for y in range(len(rows))] == rows
