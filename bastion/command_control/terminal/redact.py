"""`KeystrokeRedactor`: the echo rule for the recorder, the command log and live watchers.
Typed keys are released once echoed in the cell the cursor stood at; what was never echoed
as a `Redacted` marker that carries the keys, for a sealed copy.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from dataclasses import dataclass

from wcwidth import wcwidth

from bastion.command_control.terminal.keys import _PASTE_END, _PASTE_START, _is_text, _key_text, _KeyReader
from bastion.command_control.terminal.screen import _visible_output
from bastion.command_control.terminal.tracker import CommandLineTracker

_ECHO_LEAD = re.compile(rb"(?:\x1b\[[0-9;]*m)*")  # colours before an echo: they move nothing
_MAX_SKIPPED = 16  # unechoed keys looked past at the start of a run (vim's `i`, a pager's `q`)
_ECHO_WINDOW = 64 * 1024  # output after a key within which its echo is looked for
_ENDING_KEYS = frozenset({"\r", "\n", "\x03", "\x04", "\x0f", "\x15", "\x1a", "\x1c"})


@dataclass
class _HeldKey:
    key: str
    kind: str  # "text" (waits for its echo), "enter" (ends what was typed), "key" (other)
    raw: bytes = b""
    group: int = 0  # text keys typed one after the other with no output between share one
    row_after: bool = False  # text: the first after a pasted newline (its echo starts a row)
    cell: tuple[int, int] | None = None  # text: the screen cell (absolute row, column) of its echo
    seq: int = 0  # output chunks seen when it was sent: its echo is in the next one or on screen
    shown: bool = False  # output since the key was sent held its character
    echoed: bool | None = None  # decided: True once echoed, False when it never will be


class KeystrokeRedactor:
    """The echo rule for recordings, the command log and live watchers.

    Fed the client's keys as they go to the target, and the target's output after the
    tracker (whose screen it reads) has taken it, it releases the keys in order: typed text
    once the target echoed it, as the bytes typed; control keys (arrows, Enter, Ctrl-C) as
    they are; and text the target did not echo as a `Redacted` marker (a str such as
    "[redacted 8 keystrokes]"), never in clear.

    Echoed means that output after the key wrote exactly that character where the cursor
    stood for it: at the start of the next output chunk (after escape sequences and CRs; the
    common case, read from the bytes), or else in the screen cell where the cursor stood
    before that chunk (the cell after the previous key's, for keys typed before any answer;
    keys at the start of such a run that took no cell, such as vim's `i`, are looked past).
    So a line typed in vim, or after a pager, is kept; a password is not, and unrelated output
    holding the same text never releases it. A key is decided unechoed when a key typed after
    it is echoed (programs read keys in order: vim's `i`, top's `q`), when the first output
    after an Enter (or Ctrl-C, Ctrl-U, ...) typed after it has come and it is still not
    echoed, after 64 KiB of output, at `flush()`, and beyond `max_held` keys.
    """

    def __init__(self, screen: CommandLineTracker, max_held: int = 256) -> None:
        self._screen = screen
        self._keys = _KeyReader()
        self._held: deque[_HeldKey] = deque()
        self._chars = 0
        self._max_held = max_held
        self._in_paste = False
        self._out_seq = 0
        self._group = 0
        self._group_seq = -1  # output chunks seen when the current run of text keys began
        self._row_after = False  # the next text key is the first after a pasted newline
        self._volume = 0  # output bytes since the keys held now were sent (reset when none are)

    def feed_input(self, data: bytes) -> list[bytes | str]:
        """Keys the target is sent now; returns what may be recorded now."""
        out: list[bytes | str] = []
        for raw in self._keys.feed(data):
            # Each byte typed is kept (a Latin-1 terminal's 'ä' is one byte, not UTF-8), for
            # the sealed copy; the screen is compared with what the target would show for it.
            for key in _key_text(raw, "surrogateescape"):
                if _is_text(key) and len(key) > self._max_held:
                    # More text than may wait for its echo: all before it, and its start,
                    # are decided unechoed at once (no object per key of a pasted megabyte).
                    for held in self._held:
                        if held.echoed is None:
                            held.echoed = False
                    self._release(out)
                    cut = len(key) - self._max_held
                    out.append(Redacted(key[:cut]))
                    key = key[cut:]
                self._hold(key)
        undecided = (h for h in self._held if h.kind == "text" and h.echoed is None)
        for held in itertools.islice(undecided, max(0, self._chars - self._max_held)):
            held.echoed = False
        self._release(out)
        return _merged(out)

    def _hold(self, key: str) -> None:
        if _is_text(key):
            if self._group_seq != self._out_seq or self._row_after:
                self._group += 1
                self._group_seq = self._out_seq
            for ch in key:
                self._held.append(_HeldKey(ch, "text", raw=_typed_bytes(ch), group=self._group,
                                           row_after=self._row_after, seq=self._out_seq))
                self._row_after = False
                self._chars += 1
            return
        if key == _PASTE_START:
            self._in_paste = True
        elif key == _PASTE_END:
            self._in_paste = False
        self._group_seq = -1  # the next text key starts a run of its own
        pasted_newline = key in ("\r", "\n") and self._in_paste
        self._row_after = pasted_newline
        kind = "key" if pasted_newline or key not in _ENDING_KEYS else "enter"
        self._held.append(_HeldKey(key, kind, raw=_typed_bytes(key)))

    def feed_output(self, data: bytes) -> list[bytes | str]:
        """Output the target sent (after the tracker took it); returns the keys now decided."""
        self._out_seq += 1
        if not self._held:
            return []
        self._volume += len(data)
        out: list[bytes | str] = []
        if self._volume > _ECHO_WINDOW:
            # That much output since the keys: an echo would have scrolled away by now, and
            # reading the screen for each chunk would draw all bulk output. Unechoed.
            for key in self._held:
                if key.echoed is None:
                    key.echoed = False
            self._release(out)
            return _merged(out)
        visible = _visible_output(data)
        held = list(self._held)
        at_start = self._echo_at_start(held, data, self._out_seq - 1)
        pending = [k for k in held if k.kind == "text" and k.echoed is None]
        if pending:
            for key in pending:
                key.shown = key.shown or _shown(key.key) in visible
            before = None
            for run in self._runs(held):
                if run[0].cell is None:
                    before = before or self._screen.cursor_before_chunk()
                    if before is None:
                        continue
                    row, col = before
                    if run[0].row_after:
                        row, col = row + 1, 0
                    else:
                        # Keys of its run echoed at the start of this chunk came first.
                        for key in at_start:
                            if key.group == run[0].group:
                                row, col = self._place(row, col, key.key)
                                col += max(wcwidth(key.key), 1)
                    run[0].cell = (row, col)
                self._match(run)
        # Programs read keys in order: keys before one that was echoed never will be. This
        # chunk is the first answer to the first Enter held: it decides the keys before it.
        first_enter = next((i for i, key in enumerate(held) if key.kind == "enter"), len(held))
        echoed_later = False
        for i in range(len(held) - 1, -1, -1):
            key = held[i]
            if key.kind != "text":
                continue
            if key.echoed:
                echoed_later = True
            elif key.echoed is None and (echoed_later or i < first_enter < len(held)):
                key.echoed = False
        self._release(out)
        return _merged(out)

    @staticmethod
    def _echo_at_start(held: list[_HeldKey], data: bytes, seq: int) -> list[_HeldKey]:
        """The common case, from the bytes alone: the first output after the keys starts with
        their echo, written where the cursor stood (colours may come first, nothing that moves
        the cursor). Only keys sent just before this chunk count: a later chunk that starts
        with a held key's character is some other output (a log line, a background job),
        which the screen cells decide (attack D, finding 10). Returns the keys found echoed."""
        lead = _ECHO_LEAD.match(data).end()
        if lead >= len(data) or data[lead] < 0x20 or data[lead] == 0x7F:
            return []
        visible = _visible_output(data[lead:])
        pos = 0
        found: list[_HeldKey] = []
        for key in held:
            if key.kind != "text":
                if key.kind == "enter":
                    break
                continue
            if key.echoed is not None or key.seq != seq:
                continue
            if pos < len(visible) and visible[pos] == _shown(key.key):
                key.echoed = True
                found.append(key)
                pos += 1
            else:
                break
        return found

    def _place(self, row: int, col: int, ch: str) -> tuple[int, int]:
        """The cell a character typed with the cursor at (row, col) lands in (it wraps)."""
        if col + max(wcwidth(ch), 1) > self._screen.columns:
            return row + 1, 0
        return row, col

    @staticmethod
    def _runs(held: list[_HeldKey]) -> list[list[_HeldKey]]:
        """Undecided text keys typed one after the other with no answer between them."""
        runs: list[list[_HeldKey]] = []
        for key in held:
            if key.kind != "text" or key.echoed is not None:
                continue
            if runs and runs[-1][-1].group == key.group:
                runs[-1].append(key)
            else:
                runs.append([key])
        return runs

    def _match(self, run: list[_HeldKey]) -> None:
        """The longest part of `run` the screen shows from the run's first cell on: keys
        before it (a command key such as vim's `i`) took no cell."""
        for skip in range(min(len(run), _MAX_SKIPPED)):
            row, col = run[0].cell
            matched = 0
            for key in run[skip:]:
                row, col = self._place(row, col, key.key)
                if not key.shown or self._screen.cell_text((row, col)) != _shown(key.key):
                    break
                matched += 1
                col += max(wcwidth(key.key), 1)
            if matched:
                for key in run[skip:skip + matched]:
                    key.echoed = True
                # The rest of the run follows on from there, not from where it would have
                # been had the keys looked past taken cells.
                if skip + matched < len(run):
                    run[skip + matched].cell = (row, col)
                return

    def flush(self) -> list[bytes | str]:
        """At the end of the channel: everything held, unechoed text redacted."""
        for raw in self._keys.flush():
            self._held.append(_HeldKey(raw.decode("utf-8", "surrogateescape"), "key", raw=raw))
        for held in self._held:
            if held.echoed is None:
                held.echoed = False
        out: list[bytes | str] = []
        self._release(out)
        return _merged(out)

    def _release(self, out: list[bytes | str]) -> None:
        """Release the keys at the front that are decided (runs of unechoed text as one marker)."""
        secret: list[str] = []
        while self._held:
            held = self._held[0]
            if held.kind == "text":
                if held.echoed is None:
                    break
                self._held.popleft()
                self._chars -= 1
                if held.echoed:
                    if secret:
                        out.append(Redacted("".join(secret)))
                        secret = []
                    out.append(held.raw)
                else:
                    secret.append(held.key)
                continue
            if secret:
                out.append(Redacted("".join(secret)))
                secret = []
            self._held.popleft()
            out.append(held.raw)
        if secret:
            out.append(Redacted("".join(secret)))
        if not self._held:
            self._volume = 0


class Redacted(str):
    """Keys the target did not echo, as the redactor releases them.

    As a str it is the marker that recordings, the command log and watchers show, such as
    "[redacted 8 keystrokes]"; `keys` holds what was typed, one character a keystroke (a byte
    that is not UTF-8 is a lone surrogate, Python's surrogateescape), and `raw` the bytes
    typed, for a sealed copy (neither ever to be written in clear).
    """

    keys: str

    def __new__(cls, keys: str) -> Redacted:
        n = len(keys)
        marker = super().__new__(cls, f"[redacted {n} keystroke{'s' if n != 1 else ''}]")
        marker.keys = keys
        return marker

    @property
    def raw(self) -> bytes:
        return _typed_bytes(self.keys)


def _typed_bytes(keys: str) -> bytes:
    """The bytes typed for keys decoded with surrogateescape."""
    return keys.encode("utf-8", "surrogateescape")


def _shown(key: str) -> str:
    """What a screen decoding UTF-8 shows for a typed character: U+FFFD for a byte that was
    not UTF-8."""
    return "\ufffd" if "\udc80" <= key <= "\udcff" else key


def _merged(items: list[bytes | str]) -> list[bytes | str]:
    out: list[bytes | str] = []
    for item in items:
        if out and isinstance(item, bytes) and isinstance(out[-1], bytes):
            out[-1] += item
        else:
            out.append(item)
    return out
