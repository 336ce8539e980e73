"""`CommandLineTracker`: the screen model and the keystroke model of one interactive channel.

This module holds its state and what follows a verdict (`resolve`, `cancel_bytes`,
`line_is_empty`, `resize`, `reset`); the output side (output.py), the input side
(input.py) and the reading of the line (reading.py) are its mixins. The contract for the
gate is the package docstring. Pure.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Callable

import pyte

from bastion.command_control import policy
from bastion.command_control.terminal.dispatch import _FollowsDispatch
from bastion.command_control.terminal.input import _FollowsInput
from bastion.command_control.terminal.keys import _CANCEL_LINE, _PASTE_END, Submit, _KeyReader
from bastion.command_control.terminal.line import (
    _PROMPT_LIKE,
    _TTY_DATA,
    _TTY_FLUSHED,
    _TTY_LINE_MAX,
    _Boundary,
    _Line,
)
from bastion.command_control.terminal.output import _FollowsOutput
from bastion.command_control.terminal.prompt_doubt import may_set_prompt
from bastion.command_control.terminal.reader import _FollowsReader
from bastion.command_control.terminal.reading import (
    _CONTINUATION,
    EMPTY_LINE,
    Reconstruction,
    _Reading,
    _ReadsLine,
)
from bastion.command_control.terminal.screen import _Screen, _window
from bastion.command_control.terminal.shell_reads import Reading
from bastion.command_control.terminal.tty import _tty_readings
from bastion.command_control.terminal.vi_mode import _FollowsVi

# The left-over reading when the keys cannot be read in every way (see _left_over_readings):
# the gate refuses it as a rule would.
LEFT_OVER_UNREAD = "\x00(keys a refused line may have left, past what can be read)"


class CommandLineTracker(_FollowsOutput, _FollowsInput, _FollowsDispatch, _FollowsVi, _ReadsLine,
                         _FollowsReader):
    """Screen model + keystroke model of one interactive channel. See the package docstring."""

    def __init__(self, cols: int = 80, rows: int = 24, *,
                 is_complete: Callable[[str], bool] = policy.is_complete, erase: int = 0x7F,
                 shell_reads: Callable[[str], Reading] | None = None) -> None:
        self._screen = _Screen(*_window(cols, rows))
        self._screen.keep_from = self._keep_from
        self._stream = pyte.Stream(self._screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._backlog = bytearray()  # output not drawn yet
        self._carry = b""  # an escape sequence cut by the end of a chunk
        self._is_complete = is_complete
        self._shell_reads = shell_reads  # bash's and dash's own reading (shell_reads.py)
        self._alt = False
        self._alt_evidence = False
        self._alt_rows = 0  # linefeeds written to the alternate screen, while without evidence
        self._bracketed = False
        self._out_seq = 0  # counts output chunks, to order output against keystrokes
        self._epoch_seq = 0  # _out_seq when the current line's turn began (submit, Ctrl-C)
        self._running = False  # bash said a command runs (?2004l) and has not read a line since
        self._readline_seq = -1  # _out_seq of the last ?2004h
        self._readline_starts = 0  # ?2004h seen
        self._pending_starts = 0  # _readline_starts when the last pending line was sent
        self._readline_followed = False  # output came after it (its prompt)
        self._chunk_cursor: tuple[int, int] | None = None  # the cursor before the last chunk
        self._chunk_tail: int | None = None  # that chunk's bytes at the end of the backlog
        self._keys = _KeyReader()
        self._line = _Line()
        self._next_in_paste = False
        self._preloaded = False  # C-o went to the shell: the next line may hold a history line
        self._in_paste = False  # the client is inside a bracketed paste the target honours
        self._paste_reading: _Reading | None = None  # the first pasted line's, for the next ones
        self._paste_boundary: _Boundary | None = None  # where the line holding the paste began
        self._pending: list[str] = []  # earlier lines of an unfinished statement
        # Where in _pending the shell's statement may begin: 0, and each line the bastion cannot
        # place (typed where no readline read it, or at what may be the primary prompt).
        self._starts: list[int] = []
        # The pending lines are bash's own: the first was typed at a known primary prompt and
        # readline read it, and each later one was read as its continuation (bash's PS2 follows).
        self._pending_placed = False
        self._ps2: str | None = None  # the continuation prompt seen (reading._at_ps2)
        self._prompt_doubt = False  # a line sent may have set a prompt (prompt_doubt.py)
        self._pending_seq = -1  # output chunks when it was sent
        self._pending_paste = False  # ... inside a bracketed paste
        # A judged key readline may or may not accept (Esc CR in emacs mode, a macro, a meta
        # byte): a credit for the very next end of a line, if no other key comes first, and the
        # unfinished statement's state if it did accept (pending, starts).
        self._maybe: tuple[list[str], list[int]] | None = None
        self._conditional = False  # the held submit is such a key
        self._meta_carry = b""  # the held meta byte and the unfinished character before it
        self._erase = chr(erase)  # the tty's VERASE as passed on the pty (DEL or ^H)
        self._readline_seen = False  # a line editor announced itself (?2004h) in this session
        self._bell_seq = -1  # output chunk of the last bell (readline's ding)
        self._vi_operator = ""  # vi's c, d or y waiting for its motion
        self._vi_change_at: int | None = None  # `c` took a motion: a bell since means it failed
        # 8-bit text typed in vi's insert mode: a C locale's readline read it as Esc and vi
        # commands (command mode) unless the screen shows the characters once it answered.
        self._vi_meta_at: int | None = None
        self._submit: Submit | None = None
        self._submit_in_paste = False
        self._last: tuple[Reconstruction, str, list[int]] | None = None
        self._known_prompts: deque[str] = deque(maxlen=8)
        self._cancelled: _Boundary | None = None
        self._cancel_seq = -1
        self._prev_key = ""
        # A prefix key (Ctrl-X, a lone Esc) readline holds until the next key, however much
        # output or redrawing comes between (emacs mode: `_prefix`; any mode: `_last_prefix`).
        self._prefix = ""
        self._last_prefix = ""
        self._held_prefix = False  # the held submit key's first bytes were sent before it
        self._quoted = False  # a quoted-insert (Ctrl-V, Ctrl-Q) may wait for its key (o24i)
        self._seq_open = False  # readline may wait inside a key sequence (`ESC [`: s28i, F1)
        self._eaten = False  # the key read now broke that sequence: readline dropped it
        self._joined = False  # the key read now began in an earlier chunk (s28i, F2)
        self._isearch = False  # readline's incremental search may run (Ctrl-R: s28i, F2)
        self._vi = False  # readline is believed to be in vi mode (`set -o vi` was run)
        # ... or may be in either: the keys of both modes are judged (see `_note_mode`).
        self._emacs_too = False
        # A key in a vi search whose effect on it the tracker does not follow (Ctrl-U, Ctrl-W, a
        # combining mark, a paste, Ctrl-R again): until the line ends, `#`, `v` and `@` are
        # judged whatever the mode (attack i18i).
        self._vi_search_doubt = False
        self._switched = False  # the editing mode was switched (or vi found) in this channel
        self._nested = False  # a line may have started another shell or left this one
        # Keys not echoed at a prompt (see `hidden_keys_may_run`): a shell that announces no
        # line editor may read them with its echo left off.
        self._blind_reader = False
        self._editor_doubt = False
        self._doubt_pending = False  # a line may have started a shell: doubt from its next line
        # The keys of refused lines no screen showed, with the bastion's cancel keys after
        # them: the shell may still hold them (its kill and interrupt keys are unknown: attack
        # V, finding 2), so the next line is judged with them in front, until a line is sent.
        self._left_over: list[bytes] = []
        self._alt_blind = False  # the full-screen program began where no line editor read
        self._any_line = False  # a command line went to the target in this channel
        self._esc_probe: tuple[int, tuple[int, int]] | None = None  # a lone Esc just sent
        self._vi_command = False  # ... and in its command mode
        self._vi_argument: bool | str = False  # ... where the next key is an argument ("/": a search)
        # The backstop (see unjudged_line): readline is reading a line the bastion watches.
        self._armed = False
        self._credits = 0  # judged submits sent while readline read the current line
        self._ahead = 0  # judged submits sent while nothing read (typed ahead of the shell)
        self._keys_since_arm = 0
        self._ender: str | None = None  # "interrupt" or "eof": a key that may end a line
        self._ender_text = ""  # output since that key, escape sequences left out
        self._end_check = False  # a chunk ended with ?2004l: is readline's CR next?
        # A key that may end readline's line went to the target since its ?2004h: a judged
        # submit sent, an interrupt, EOF on an empty line. A ?2004l without one is not
        # readline's (attack b11i, finding 2): `_forged_end` says one came.
        self._end_key = False
        self._forged_end = False
        self._unjudged: str | None = None
        self._withheld = False  # the target's output is not being read on (see output_withheld)

    @property
    def alternate_screen(self) -> bool:
        """The target switched to the alternate screen (and has not switched back)."""
        return self._alt

    @property
    def columns(self) -> int:
        return self._screen.columns

    @property
    def in_paste(self) -> bool:
        """The client is inside a bracketed paste the target honours."""
        return self._in_paste

    @property
    def full_screen(self) -> bool:
        """A full-screen program (vim, less, top) has the terminal: the alternate screen, used
        as one (cleared, addressed, or filled with a page)."""
        return self._alt and self._alt_evidence

    @property
    def output_count(self) -> int:
        """How many output chunks the tracker has taken (to tell whether the target answered)."""
        return self._out_seq

    def output_withheld(self, withheld: bool) -> None:
        """Whether output the target sent (or would send) may be kept from the tracker: its
        reading is paused (the client is not taking output), or read but not fed yet. Meanwhile
        keys the screen does not show are never taken as typed without echo: the line does not
        settle, and read anyway it is "blind" (uncertain). Call with False only once everything
        read has been fed."""
        self._withheld = withheld

    def readline_ready_since(self, count: int) -> bool:
        """Readline began a new line (?2004h) after output chunk `count`, and no line typed
        ahead of it is still due: the shell waits for keys at a prompt."""
        return (self._readline_seq > count and self._bracketed and not self._ahead
                and self._readline_followed and not self._alt)  # vim turns it on too

    def _keep_from(self) -> int | None:
        """The first absolute row a reading may look for above the screen: the prompt of the
        line being typed (`_locate` reads kept rows from there on, and nothing else reads
        them); None while no line has one (screen.py keeps nothing)."""
        b = self._line.boundary
        return None if b is None else b.abs_row

    def resolve(self, sent: bool) -> None:
        """The pending submit was sent to the target, or cancelled (deny, reject, timeout).

        After a send the next line starts; an unfinished statement keeps its lines so that
        the next submit is judged on the whole. After a cancel everything typed is dropped:
        the proxy has sent `cancel_bytes()`.
        """
        if self._submit is None:
            raise RuntimeError("resolve() without a pending submit")
        if self._last is None:
            self.reconstruct()
        rec, text, open_starts = self._last
        line, in_paste = self._line, self._submit_in_paste
        submit, self._submit, self._last = self._submit, None, None
        how = submit.how
        conditional, self._conditional = self._conditional, False
        carry, self._meta_carry = self._meta_carry, b""
        if not sent:
            if rec.hidden or rec.kind == "blind" or self._left_over:
                # Nothing on the screen can show that the cancel keys emptied this line.
                self._left_over = [*self._left_over, *map(bytes, line.raw), self.cancel_bytes()]
            # After Ctrl-C (earlier lines waiting) the shell draws a new prompt: look there.
            # After a paste, the shell's line began where the paste did.
            self._cancelled = None if self._cancels_by_interrupt() else (
                line.boundary or self._paste_boundary)
            self._cancel_seq = self._out_seq
            self._pending.clear()
            self._starts.clear()
            self._maybe = None
            self._in_paste = self._next_in_paste = False
            self._paste_reading = self._paste_boundary = None
            self._new_line()
            return
        self._prev_key, self._prefix, self._last_prefix = "", "", ""  # readline took them
        self._end_key = True
        self._held_prefix = False
        self._left_over = []  # judged in front of this line, and ended with it
        self._after_sent(submit, rec)
        self._prompt_doubt = self._prompt_doubt or any(
            map(may_set_prompt, (text, rec.text, rec.hidden, *rec.also, *rec.typed)))
        if self._vi and str(self._vi_argument).startswith("/") and submit.key in (b"\r", b"\n"):
            # Enter ended vi's `/` search (judged as a line all the same), not the line: readline
            # holds a history line in command mode (attack g16i, F4), read off the screen.
            self._vi_argument, self._vi_command, line.vi_argument = False, True, False
            line.model.apply("\x00search")
            line.model.anchor, line.model.relearn = None, False
            line.unfollowed = line.foreign = True
            return
        if how == "eof":
            # Bash ends the statement at EOF: it runs (a here-document) or is dropped (an open
            # quote); either way the next line starts a new one. Readline's end is the EOF's.
            self._pending.clear()
            self._starts.clear()
            self._new_line()
            self._ender, self._ender_text = "eof", ""
            return
        if how == "complete":
            self._on_key(submit.key)  # a completion key as any other, once its verdict let it go
            self._listing_at = self._out_seq  # (its prefix is gone from the key: w32i, F3)
            return
        data_key = not submit.meta and submit.key not in (b"\r", b"\n")
        if how == "flush" or (self._no_editor() and data_key):
            # Without a line editor the driver hands the line over unended (Ctrl-D), or keeps
            # the key as data (Ctrl-O, Esc #, Ctrl-X Ctrl-E in dash): the line goes on, and
            # after a flush the driver's erase keys no longer reach the part handed over.
            # Never certain again, nor a secret (a meta byte is text: read again, below).
            model = line.model
            if how == "flush" and model.reliable and not model.text:
                # Only another reading holds text (attack a10i, finding 1): the model's empty
                # line may be EOF for the shell, as `_note_key` takes it (readline's end of
                # line after it is explained); the readings keep the part handed over in front
                # of the next keys.
                self._ender, self._ender_text = "eof", ""
                self._note_mode(nested=True)
                self._blind_reader = True
                self._alt_blind = self._alt_blind or self._alt
            else:
                model.suspect = _TTY_FLUSHED if how == "flush" else _TTY_DATA
            if how == "flush":
                line.raw.append(bytearray())
            else:
                line.keep_raw(submit.key)  # data to the driver
            return
        # Readline seems to read, but a shell without a line editor may (its marker faked):
        # the driver keeps the key (Ctrl-O, Esc #) as data in the line it holds, which the
        # next keys edit (attack a10i, finding 3): its bytes go on into the next line's readings.
        carry_raw = data_key and self._driver_may_read() and how != "eof"
        if carry_raw:
            line.keep_raw(submit.key)
        if rec.kind == "command" and rec.certain:
            # Only the lone spellings the policy lets through unheld (policy.editing_mode).
            mode = policy.editing_mode(rec.text)
            if mode is not None:
                self._switch_mode(mode)
        # A line read as the shell's (judged, empty, or unfinished) may end readline's line; a
        # line sorted as a password or a full-screen program's may not: if readline reads it
        # after all (a fake prompt or screen), the backstop sees a line nobody judged.
        shells = rec.kind == "command" or rec.reason in (EMPTY_LINE, _CONTINUATION)
        if rec.kind == "command" or rec.reason == _CONTINUATION:
            after = ([*self._pending, text], open_starts) if open_starts else ([], [])
        else:
            after = ([], [])
        if submit.meta or conditional:
            # Readline may take the key as no accept at all (a character of a UTF-8 locale, an
            # unbound key): the line goes on. If it accepted after all, the end of line it
            # shows next, before any other key, is explained (see _readline_ended).
            if shells and self._armed and how not in ("expand", "rebind", "complete"):
                self._maybe = after
            if submit.meta:
                self._keys.pending = carry  # read again with the bytes that follow it
                if self._vi:
                    self._vi_meta_at = self._out_seq  # its answer tells the mode (attack m22i)
            elif how == "macro":
                line.model.apply("\x00macro")
                line.model.anchor, line.model.relearn = None, False
            return
        if shells and how not in ("expand", "rebind", "complete"):
            self._credit()
        if how in ("expand", "rebind"):
            # The line stays, changed by readline as the screen will show.
            line.model.apply("\x00" + how)
            line.model.anchor, line.model.relearn = None, False
            return
        previous, continued = bool(self._pending), self._continues()
        if self._ps2 is None and previous and self._at_ps2() and line.boundary is not None:
            self._ps2 = line.boundary.prompt  # bash's PS2, learned once (attack a36i)
        if (how == "accept" and rec.kind == "command" and rec.certain and not self._pending
                and line.boundary is not None and line.boundary.prompt.strip()
                and not (self._alt and self._alt_evidence)
                and line.boundary.prompt not in self._known_prompts):
            self._known_prompts.appendleft(line.boundary.prompt)
        self._pending, self._starts = after
        # A line read at an unknown prompt may have gone to a program's readline (`read -e`).
        # (Not even the session's first prompt: a `read -e` in ~/.bashrc may show it.)
        at_primary = line.boundary is not None and line.boundary.prompt in self._known_prompts
        self._pending_placed = (self._armed and not line.while_running
                                and (continued if previous else at_primary))
        self._pending_seq, self._pending_paste = self._out_seq, in_paste
        self._pending_starts = self._readline_starts
        if not in_paste:
            self._paste_reading = self._paste_boundary = None
        self._new_line()
        if carry_raw:
            self._line.raw, self._line.raw_size = line.raw, line.raw_size
        self._next_in_paste = in_paste

    def cancel_bytes(self) -> bytes:
        """What to send upstream to drop the held line (before `resolve(sent=False)`).

        A prefix key readline already has (the Ctrl-X of Ctrl-X Ctrl-E, the Esc of Esc #)
        is aborted first with Ctrl-G: Ctrl-E would otherwise complete it."""
        prefix = _PASTE_END.encode() if self._in_paste else b""
        if self._prefix or self._held_prefix:
            prefix += b"\x07"
        return prefix + (b"\x03" if self._cancels_by_interrupt() else _CANCEL_LINE)

    def _left_over_readings(self) -> tuple[str, ...]:
        """The lines the shell may get if refused keys no screen showed are still in its input
        (attack V, finding 2: the bastion's own cancel keys read by settings an inline program
        changed), followed by this line's keys: in every reading of the tty's settings, or, past
        what the driver keeps (or with too many edits to read each way), LEFT_OVER_UNREAD."""
        parts = [*self._left_over, *map(bytes, self._line.raw)]
        size = sum(map(len, parts))
        readings = None if size > _TTY_LINE_MAX else _tty_readings(parts, ord(self._erase))
        if readings is None:
            # Past what the driver keeps, or too many edits to read each way: nothing typed
            # can be told apart from what may be left (attack Y, finding 9).
            return (LEFT_OVER_UNREAD,)
        return tuple(readings)

    def enter_after_cancel(self) -> bool:
        """Whether an Enter may follow a cancel the screen shows done. Not where the terminal
        driver edits the line: its kill key may have been moved by inline code, and a job in
        the background can draw the emptied prompt the bastion looks for (attack Y, finding
        2); an interrupt ends the line there as the driver's VINTR (its turning off is the
        inline-code residual, SECURITY.md). Nor on an alternate screen such a shell may read
        (attack Z, finding 3). Nor where such a shell may have printed readline's marker
        (attack a10i, finding 6: a background job's ?2004h and fake prompt): the screen's
        modes never vouch for the reader (`_driver_may_read`, and the channel's doubt on an
        alternate screen too)."""
        return not (self._driver_may_read() or self._editor_doubt or self._doubt_pending)

    def line_is_empty(self) -> bool:
        """After a cancel: the target answered and the line on the screen holds nothing."""
        self._sync()
        if self._out_seq == self._cancel_seq or self._left_over:
            return False  # no answer yet; or a line the screen never showed
        scr = self._screen
        b = self._cancelled or self._line.boundary
        if b is not None and self._still_there(b):
            return not self._region(b.abs_row - scr.scrolled, b.col).text.strip()
        # A new prompt (after Ctrl-C), or a line whose start was never seen: the cursor must
        # sit right after a prompt, with nothing after it.
        cy, cx = scr.cursor.y, min(scr.cursor.x, scr.columns)
        left = scr.text(cy, 0, cx)
        return ((left in self._known_prompts or bool(_PROMPT_LIKE.search(left)))
                and not self._region(cy, cx).text.strip())

    def resize(self, cols: int, rows: int) -> None:
        """The window changed: the shell redraws, and the line is looked for again."""
        self._sync()
        cols, rows = _window(cols, rows)
        self._screen.resize(rows, cols)
        self._screen.forget_wraps()
        self._line.redrawn = self._line.active
        model = self._line.model
        if not model.reliable:
            model.relearn = model.anchor is not None

    def reset(self) -> None:
        """Forget the line, any unfinished statement and any held submit; keep the screen."""
        self._submit, self._last = None, None
        self._pending.clear()
        self._starts.clear()
        self._maybe = None
        self._in_paste = self._next_in_paste = False
        self._paste_reading = self._paste_boundary = None
        self._keys = _KeyReader()
        self._new_line()
