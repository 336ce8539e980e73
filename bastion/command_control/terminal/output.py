"""The tracker's output side: every chunk the target sends is scanned for the modes pyte does
not keep (alternate screen, bracketed paste, RIS), drawn lazily and summarised when bulky;
readline's own start and end of a line feed the backstop (`take_unjudged`).

A mixin of `CommandLineTracker` (tracker.py), which holds the state it reads. Pure.
"""

from __future__ import annotations

import re

import pyte

from bastion.command_control.terminal.line import _DRIVER_ECHO
from bastion.command_control.terminal.screen import _PRIVATE_MODE, _mode_replay, _visible_output

_RIS = b"\x1bc"
_OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")  # a title: its BEL is no bell
_FULL_SCREEN = re.compile(rb"\x1b\[[0-9;]*[HfJ]")
_PARTIAL_EVENT = re.compile(rb"\x1b(?:\[[0-9;?]*)?")
_ALT_MODES = (b"1049", b"1047", b"47")
_ROW_MOVE = re.compile(rb"\x1b(?:\[[0-9;?]*[ABEFHfdrsu]|[78DEMc])")

_COMPACT_AT = 16 * 1024    # undrawn output beyond this is summarised (or, failing that, cut)
_SYNC_DIRECT = 4 * 1024    # drawing more than this first tries the lossless summary
_TAIL_MAX = 8 * 1024       # the last row kept by a lossless summary
_LOSSY_TAIL = 4 * 1024     # what is kept when output cannot be summarised (binary, TUIs)


class _FollowsOutput:
    """The target's output: modes, lazy drawing, and readline's line ends (the backstop)."""

    def cursor_position(self) -> tuple[int, int]:
        """Where the cursor is once all output is drawn: (absolute row, column). Absolute rows
        count rows scrolled away, so a position stays valid while output scrolls."""
        self._sync()
        scr = self._screen
        return scr.cursor.y + scr.scrolled, min(scr.cursor.x, scr.columns)

    def cursor_before_chunk(self) -> tuple[int, int] | None:
        """Where the cursor was before the last chunk of output (see `cursor_position`), or
        None when that cannot be known any more (the chunk was cut to its tail)."""
        if self._chunk_cursor is not None:
            return self._chunk_cursor
        n = self._chunk_tail
        if n is None or n > len(self._backlog):
            return None
        tail = bytes(self._backlog[len(self._backlog) - n:])
        del self._backlog[len(self._backlog) - n:]
        try:
            self._chunk_cursor = self.cursor_position()
        finally:
            self._backlog += tail
        return self._chunk_cursor

    def cell_text(self, cell: tuple[int, int] | None) -> str | None:
        """The character in a cell (see `cursor_position`), None once scrolled off or out."""
        if cell is None:
            return None
        self._sync()
        scr = self._screen
        row = cell[0] - scr.scrolled
        if not 0 <= row < scr.lines or not 0 <= cell[1] < scr.columns:
            return None
        line = scr.buffer.get(row)
        return line[cell[1]].data if line is not None else " "

    def feed_output(self, data: bytes) -> None:
        """Take a chunk the target sent. Cheap for bulk output: it is not drawn until needed."""
        if not data:
            return
        self._out_seq += 1
        self._readline_followed = True
        self._chunk_cursor = None
        if self._end_check:
            self._end_check = False
            if data[:1] == b"\r":
                self._readline_ended(b"", 0, 0)
        if self._line.active and (b"\t" in data or b"^[" in data):
            # A line editor shows a Tab as spaces and an Esc as what it does; the terminal
            # driver echoes them as they are: the keys went to no line editor (typed ahead
            # while a command ran), so the shell will read them differently from the screen.
            self._line.model.suspect = _DRIVER_ECHO
        data = self._carry + data
        self._carry = b""
        last_esc = data.rfind(b"\x1b", max(0, len(data) - 32))
        if last_esc >= 0 and _PARTIAL_EVENT.fullmatch(data, last_esc):
            data, self._carry = data[:last_esc], data[last_esc:]
        events: list[tuple[int, re.Match | None]] = [
            (m.start(), m) for m in _PRIVATE_MODE.finditer(data)]
        ris = data.find(_RIS)
        while ris >= 0:
            events.append((ris, None))
            ris = data.find(_RIS, ris + 2)
        events.sort(key=lambda event: event[0])
        start = scanned = 0
        for at, m in events:
            self._look_for_full_screen(data, scanned, at)
            scanned = at
            start = self._on_event(m, data, start, at)
        self._look_for_full_screen(data, scanned, len(data))
        self._backlog += data[start:]
        # Nothing of this chunk drawn yet: it is the backlog's tail (a reset made it start later).
        self._chunk_tail = len(data) if start == 0 else None
        if len(self._backlog) > _COMPACT_AT:
            self._compact()
            self._chunk_tail = None
        if self._ender is not None:
            self._ender_text = (self._ender_text + _visible_output(data[-256:]))[-16:]
        if b"\x07" in data and b"\x07" in _OSC.sub(b"", data):
            self._bell_seq = self._out_seq

    def _look_for_full_screen(self, data: bytes, start: int, end: int) -> None:
        if not self._alt or self._alt_evidence:
            return
        # A pager (less) draws a page line by line: a screenful of rows is evidence too.
        self._alt_rows += data.count(b"\n", start, end)
        if self._alt_rows >= max(1, self._screen.lines - 2) or _FULL_SCREEN.search(data, start, end):
            self._alt_evidence = True

    def _on_event(self, m: re.Match | None, data: bytes, start: int, at: int) -> int:
        """Apply one mode event (None: RIS at `at`); returns how far `data` has been queued
        for drawing."""
        if m is None:  # a full reset: nothing drawn before it matters
            self._backlog.clear()
            self._decoder.reset()
            self._feed_stream("\x1bc")
            self._screen.forget_alternate()
            self._alt = self._alt_evidence = self._bracketed = False
            return at + len(_RIS)
        params, final = m.groups()
        names = params.split(b";")
        on = final == b"h"
        if b"2004" in names:
            self._bracketed = on
            self._running = not on
            if on:
                self._readline_seq = self._out_seq
                self._readline_starts += 1
                # Readline draws its prompt right after: until output follows, it is not there.
                self._readline_followed = m.end() < len(data)
                self._draw_up_to(data, start, m.end())
                start = m.end()
                self._readline_began()
            else:
                # Readline ends a line only after a key that may end it; a ?2004l without one
                # was printed by something else (attack b11i, finding 2: a job's fake `PIN: `
                # prompt): bash still reads, so keys not echoed are no secret and the backstop
                # stays armed. It may add doubt (the driver's rules, above), never remove a check.
                self._forged_end = self._armed and not self._end_key and not self._ahead
                if m.end() == len(data):
                    self._end_check = True
                elif data[m.end()] == 0x0D:
                    self._readline_ended(data, start, m.start())
        alt = [name for name in names if name in _ALT_MODES]
        if alt and on != self._alt:
            self._draw_up_to(data, start, m.end())
            if on:
                self._screen.enter_alternate(restore_cursor=b"1049" in alt)
                # A full-screen program may hold other shells (tmux and screen panes made by a
                # key, vim's :terminal), also one the login shell started with no line seen.
                self._note_mode(nested=True)
                # Started where no line editor reads, the program may die and leave the shell
                # reading behind the alternate screen with the echo off (attack V, finding 1).
                # Before any line (a login script's doing), who reads is not known either; nor
                # where readline's ?2004h is all that says it read the program's line and a
                # shell without a line editor may have printed it (attack Y, finding 7).
                self._alt_blind = self._blind_reader or self._marker_doubted() or not self._any_line
                self._blind_reader = True  # vim's :sh restores the echo vim found
                # A full-screen program a line started may start a shell at a key (vim's :sh,
                # less's !sh, man's pager, mc): it runs on the primary screen, and its prompt
                # may print bash's ?2004h. The marker is doubted from now on, as after `sudo -i`
                # (attack e14ib, finding 2); no program's name tells which have such a key.
                self._doubt_pending = True
            else:
                self._screen.leave_alternate()
            self._alt, self._alt_evidence, self._alt_rows = on, False, 0
            return m.end()
        return start

    def _readline_began(self) -> None:
        """Readline (bash's line editor) starts reading a line (?2004h, primary screen)."""
        scr = self._screen
        line = self._line
        if line.active and not self._alt:
            model = line.model
            typed = len(model.text) if model.reliable and model.cursor == len(model.text) else None
            line.restart = (scr.cursor.y + scr.scrolled, min(scr.cursor.x, scr.columns), typed)
        self._armed = True
        self._readline_seen = True
        self._prefix = self._last_prefix = ""  # a new line starts in readline's base keymap
        self._credits = 0
        self._keys_since_arm = 0
        self._end_key = self._forged_end = False

    def _readline_ended(self, data: bytes, start: int, at: int) -> None:
        """Readline finished a line (?2004l CR): the backstop checks the bastion let it. After
        a forged end (`_forged_end`) readline still reads: the backstop stays armed."""
        armed = self._armed
        self._armed = armed and self._forged_end
        if self._credits or self._ender_explains(data[:at]):
            self._listing_at = None  # a line it ran, or dropped: no listing's question waits
        if self._credits:
            self._credits -= 1
            if self._line.macro:
                self._new_line()
                self._epoch_seq -= 1
            return
        if self._maybe is not None:
            # The key readline might not have accepted was accepted after all (vi mode unseen,
            # a C locale's meta byte, a macro that ends with accept-line).
            self._pending, self._starts = self._maybe
            self._maybe = None
            if self._keys.pending[:1] != b"\x1b":
                self._keys.pending = b""  # a meta byte readline took as a key, not a character
            self._pending_placed, self._pending_seq = False, self._out_seq  # who read it: unknown
            self._pending_starts = self._readline_starts
            self._new_line()
            self._epoch_seq -= 1  # this chunk answered the key: keys after it are not typed ahead
            return
        if self._ahead and not self._keys_since_arm:
            self._ahead -= 1  # a line typed ahead, read by the shell's new prompt
            return
        if not armed or not self._keys_since_arm or self._ender_explains(data[:at]):
            return
        self._draw_up_to(data, start, at)
        self._unjudged = self._screen_line() or "(nothing readable on the screen)"

    def _ender_explains(self, before: bytes) -> bool:
        """Ctrl-C or Ctrl-D (on an empty line) ended the line, running nothing: between that
        key and readline's end the screen shows only `^C` (an interrupt) or nothing at all."""
        if self._ender is None:
            return False
        text = self._ender_text + _visible_output(before)
        return not text or (self._ender == "interrupt" and text.endswith("^C"))

    def _screen_line(self) -> str:
        """The text of the current line on the screen, for the record (best effort)."""
        scr = self._screen
        b = self._line.boundary
        if b is not None and 0 <= b.abs_row - scr.scrolled < scr.lines:
            return self._region(b.abs_row - scr.scrolled, b.col).text.strip()
        return scr.text(scr.cursor.y).strip()

    def take_unjudged(self) -> str | None:
        """Once, after the output that showed it: the screen line of a line readline finished
        (bash turned bracketed paste off, ?2004l CR) that no judged key explains: no submit
        the bastion let through, no Ctrl-C, no Ctrl-D on an empty line, and a key typed since
        readline began it. Such a line ran unjudged (a key bound to accept-line by the user's
        own inputrc or `bind`): the proxy ends the session. None otherwise."""
        found, self._unjudged = self._unjudged, None
        return found

    def sent_by_bastion(self, data: bytes) -> None:
        """The bastion itself sent these keys (an Enter on an emptied line, a Ctrl-C after a
        cancel): the line ends they cause are expected."""
        if self._left_over:
            self._left_over.append(data)
        for byte in data:
            if byte == 0x0D:
                self._credit()
                self._end_key = True
            elif byte == 0x03:
                self._end_key = True
                self._ahead = 0
                self._ender, self._ender_text = "interrupt", ""

    def _credit(self) -> None:
        if self._armed:
            self._credits += 1
        else:
            self._ahead += 1

    def _draw_up_to(self, data: bytes, start: int, end: int) -> None:
        if self._chunk_cursor is None and start == 0:
            # This chunk starts being drawn: remember where the cursor was before it.
            self._sync()
            scr = self._screen
            self._chunk_cursor = (scr.cursor.y + scr.scrolled, min(scr.cursor.x, scr.columns))
        self._backlog += data[start:end]
        self._sync()

    def _sync(self) -> None:
        """Draw the output not drawn yet."""
        if not self._backlog:
            return
        if len(self._backlog) > _SYNC_DIRECT:
            self._compact()
        text = self._decoder.decode(bytes(self._backlog))
        self._backlog.clear()
        self._feed_stream(text)

    def _feed_stream(self, text: str) -> None:
        try:
            self._stream.feed(text)
        except (ValueError, TypeError, IndexError, KeyError, StopIteration):
            # pyte's parser takes any Unicode digit in a CSI parameter ("\x1b[²") and int()
            # raises, which ends the parser: start a new one. The rest of the chunk is lost,
            # so the screen may differ from the keys: uncertain, never wrongly certain.
            self._stream = pyte.Stream(self._screen)

    def _compact(self) -> None:
        """Replace the start of the undrawn output by its lasting effects.

        Lossless when the output ends its rows with CR LF and a screenful of rows has gone by
        since the cursor was last placed: then only DEC private modes and the last row matter.
        Otherwise, past _COMPACT_AT, keep the tail only (the line is then checked against a
        screen that may be wrong, which makes it uncertain, never wrongly certain).
        """
        data = self._backlog
        cut = data.rfind(b"\r\n") + 2
        if cut >= 2 and len(data) - cut <= _TAIL_MAX:
            # The last screenful of rows before the cut must not place the cursor.
            rows_start = cut
            for _ in range(self._screen.lines):
                rows_start = data.rfind(b"\n", 0, rows_start)
                if rows_start < 0:
                    break
            if rows_start >= 0 and not _ROW_MOVE.search(data, rows_start, cut):
                self._skip(cut)
                return
        if len(data) > _COMPACT_AT:
            newline = data.find(b"\n", len(data) - _LOSSY_TAIL)
            self._skip(newline + 1 if newline >= 0 else len(data) - _LOSSY_TAIL)

    def _skip(self, cut: int) -> None:
        replay = _mode_replay(self._backlog, cut)
        del self._backlog[:cut]
        self._decoder.reset()
        self._feed_stream(replay)
        self._screen.scroll_out()
