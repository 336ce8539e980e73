"""The tracker's input side: each client key is a judge point (a `Submit`), a key the line
model follows, or one it does not (a `Pause`); vi's command mode, prefixes, 8-bit meta
bytes, the terminal driver's own editing, and where a line begins on the screen.

A mixin of `CommandLineTracker` (tracker.py), which holds the state it reads. Pure.
"""

from __future__ import annotations

from collections import deque

from bastion.command_control import policy
from bastion.command_control.terminal.dispatch import _PASTE_BREAKS
from bastion.command_control.terminal.expand_line import may_expand
from bastion.command_control.terminal.keys import (
    _CTRL_C,
    _HOW_STRICTNESS,
    _IGNORED_AT_PROMPT,
    _INTERRUPTS,
    _MAYBE_UNSEEN,
    _META_EMACS,
    _META_EMACS_RE,
    _META_VI,
    _META_VI_RE,
    _PASTE_END,
    _PASTE_START,
    _PREFIXES,
    _SEARCH_KEYS,
    _VI_JUDGED,
    COMPLETE_AFTER_CTRL_X,
    COMPLETE_KEYS,
    VI_COMMAND_COMPLETE,
    VI_INSERT_COMPLETE,
    Forward,
    How,
    Pause,
    Submit,
    _is_text,
    _key_text,
    _utf8_complete,
)
from bastion.command_control.terminal.line import (
    _BROKEN_TEXT,
    _SEARCH_PROMPT,
    _TTY_DATA,
    _TTY_SIGNAL,
    _Line,
    _LineModel,
    _tty_werase,
)
from bastion.command_control.terminal.line_start import _FindsLineStart
from bastion.command_control.terminal.reading import Reconstruction
from bastion.command_control.terminal.tty import _tty_readings


class _FollowsInput(_FindsLineStart):
    """The client's keys: judge points, the line model, vi mode and where a line begins."""

    def feed_input(self, data: bytes) -> list[Forward | Submit | Pause]:
        """Take a chunk from the client: what to forward now, then at most one `Submit` (a key
        to judge first) or `Pause` (forwarded up to a key the model does not follow), last."""
        if self._submit is not None:
            raise RuntimeError("feed_input() while a submit awaits resolve()")
        self._probe_vi()
        self._esc_alone(data)
        carried = len(self._keys.pending)  # bytes of the first key that came (and went) earlier
        end = -carried
        keys = deque(self._keys.feed(data))
        while keys or self._take_unfinished(keys):
            key = keys.popleft()
            self._joined = bool(carried) and end == -carried  # (attack s28i, finding 2)
            if (end == -carried and carried and key[:1] == b"\x1b" and key[1:2] in (b"[", b"O")
                    and len(key) > 2 and self._vi and not self._vi_command_now()):
                # An Esc that came alone: readline's keyseq-timeout may have run it as vi's
                # command mode before the rest came (attack g16i, F3). Taken so: `#`, `v` judged.
                keys.appendleft(key[1:])
                key = key[:1]
            key, rest = self._dispatch_cut(key)
            if rest:
                keys.appendleft(rest)
            start, end = end, end + len(key)
            self._maybe = None  # a conditional credit explains only the line end right after it
            meta = self._meta_point(key, max(0, -start))
            if meta is not None:
                return self._meta_submit(data, key, start, *meta)
            how = self._judge_point_either(key) if self._emacs_too else self._judge_point(key)
            if how is not None:
                return self._hold_key(data, key, start, end, how)
            followed = self._on_key(key)
            if not followed:
                self._keys.pending = b""
                return [Forward(data[:end]), Pause(data[end:])]
        tail = self._keys.pending
        if tail and tail[0] != 0x1B:
            # An unfinished character waits for its next bytes, but they have gone: a C locale's
            # readline reads a lead byte such as 0xF6 (Esc v) at once.
            meta = self._meta_point(tail, max(0, len(tail) - len(data)))
            if meta is not None:
                return self._meta_submit(data, tail, len(data) - len(tail), *meta)
        if self._keys.pending == b"\x1b" and self._last_prefix == "\x1b" and data and (
                self._judge_point_either(b"\x1b") if self._emacs_too
                else self._judge_point(b"\x1b")) == "complete":
            # Esc after Esc: the reader waits for more, but readline has its M-Esc (completion)
            # as soon as the bytes go (attack k20i, finding 2).
            return self._hold_key(data, b"\x1b", len(data) - 1, len(data), "complete")
        if self._keys.pending == b"\x1b" and not self._vi:
            self._esc_probe = (self._out_seq, self.cursor_position())
        return [Forward(data)] if data else []

    def _hold_key(self, data: bytes, key: bytes, start: int, end: int,
                  how: How) -> list[Forward | Submit | Pause]:
        """Hold the key ending at `end` of `data` (starting at `start`, before it when its first
        bytes came in an earlier chunk) for its verdict; what comes before it goes on."""
        self._keys.pending = b""  # the rest is looked at again after the verdict
        if not self._line.active:
            self._begin_line()
        held = max(start, 0)
        self._held_prefix = start < 0  # the key's first bytes (an Esc) went already
        self._submit = Submit(key=data[held:end], rest=data[end:], how=how)
        self._conditional = self._is_conditional(key, how)
        self._submit_in_paste = self._in_paste
        self._last = None
        return ([Forward(data[:held])] if held else []) + [self._submit]

    def _meta_point(self, key: bytes, skip: int) -> tuple[int, How] | None:
        """The first byte of a text key, from `skip` on, whose meta key is a judge point."""
        if key[0] < 0x20 or key[0] == 0x7F or self._in_paste:
            return None
        if self._vi and self._vi_argument and not (self._emacs_too or self._vi_search_doubt):
            if self._vi_argument is not True:
                return None  # a search's text
            skip = max(skip, 1)  # a C locale's argument is one byte: the rest are keys (q26i, F2)
        table = _META_VI if self._vi else _META_EMACS
        for m in (_META_VI_RE if self._vi else _META_EMACS_RE).finditer(key, skip):
            if table[key[m.start()]] != "complete" or self._line_may_expand(
                    key[:m.start()].decode("utf-8", "replace")):
                return m.start(), table[key[m.start()]]
        return None

    def _line_may_expand(self, more: str = "") -> bool:
        """Whether a completion key now may run code: the line (as the keys or the model read
        it, with `more` typed before the key, or as the screen shows it once a key the model does
        not follow came) holds a substitution (attack k20i, finding 2)."""
        line = self._line
        return may_expand(line.model.text + more, line.shadow.text + more, *self._pending,
                          self._read().text if line.unfollowed else "")

    def _meta_submit(self, data: bytes, key: bytes, start: int, at: int,
                     how: How) -> list[Forward | Submit | Pause]:
        """Hold a meta byte for its verdict: the characters before it are typed (an unfinished
        one waits, with the byte, for the bytes after it)."""
        before = key[:at]
        head = before[:_utf8_complete(before, 0)]
        if head:
            self._on_key(head)
        if not self._line.active:
            self._begin_line()
        self._keys.pending = b""
        self._meta_carry = before[len(head):] + key[at:at + 1]
        cut = start + at  # >= 0: bytes carried from an earlier chunk were judged already
        self._held_prefix = False
        self._submit = Submit(key=data[cut:cut + 1], rest=data[cut + 1:], how=how, meta=True)
        self._conditional = True
        self._submit_in_paste = False
        self._last = None
        return ([Forward(data[:cut])] if cut else []) + [self._submit]

    def _is_conditional(self, key: bytes, how: How) -> bool:
        """A judged key that readline may leave unaccepted: it earns a credit for the next
        line end only if nothing else is typed first (see `_maybe`)."""
        if how == "macro":
            return True  # no macro defined: readline rings the bell
        if self._emacs_too:
            # Either mode may be reading: a key that accepts in one may be text or a bell in
            # the other. Only a plain Enter accepts in both.
            return key not in (b"\r", b"\n") or bool(self._last_prefix)
        if key == b"\x1bv":
            return not self._vi  # vi's edit-and-execute; unbound in emacs mode
        prev = self._last_prefix
        if self._vi:
            return prev == "\x18"  # Esc is vi's command mode, not a prefix; C-x ... is unbound
        # Emacs mode: after Esc or Ctrl-X only C-x C-e is bound among the keys that accept
        # (M-C-m, M-C-j, M-C-o, C-x C-m, C-x M-# ring the bell).
        return bool(prev) and not (prev == "\x18" and key == b"\x05")

    def _probe_vi(self) -> None:
        """An Esc sent alone moves the cursor one left in vi's insert mode (to the command
        mode's place), and does nothing in emacs mode: the first such answer shows vi mode
        set up outside the gate's sight (an inputrc)."""
        probe, self._esc_probe = self._esc_probe, None
        if probe is None or self._keys.pending != b"\x1b" or self._out_seq == probe[0]:
            return
        (row, col), now = probe[1], self.cursor_position()
        if col and now == (row, col - 1):
            self._switch_mode("vi")

    def _switch_mode(self, mode: str) -> None:
        """Readline's editing mode was switched to `mode` ("vi" or "emacs"), or vi was found."""
        if not self._switched and not self._vi and mode == "emacs":
            return  # emacs while every shell so far is taken to be in emacs: no switch at all
        if not self._emacs_too:
            self._vi = mode == "vi"
        self._note_mode(switched=True)

    def _note_mode(self, *, switched: bool = False, nested: bool = False) -> None:
        """What the editing mode is known by (attack H, finding 4). Each shell has its own,
        and the tracker follows the channel: once the mode was switched (or vi found) and a
        line may have started another shell or left one (`policy.changes_shell`, Ctrl-D), in
        either order, a parent and a child may differ, and whichever reads the next keys is
        unknown. From then on, for the rest of the channel, the keys of both modes are judged
        (`_judge_point_either`): vi's command mode is followed, and emacs's keys count too."""
        self._switched = self._switched or switched
        self._nested = self._nested or nested
        if self._switched and self._nested:
            self._either_mode()

    def _either_mode(self) -> None:
        self._vi = self._emacs_too = True

    def _after_sent(self, submit: Submit, rec: Reconstruction) -> None:
        """Mode bookkeeping for a judged key that went to the target: a line that may start or
        leave a shell (any line not read for certain may), a mode switch not followed (held,
        then confirmed), and Ctrl-E in vi mode: readline's vi command mode binds it to
        emacs-editing-mode (Esc Ctrl-E, a C locale's 0x85; bash unbinds it, a readline program
        started from the shell need not), and the tracker cannot tell vi's command mode from
        its insert mode for certain, so either mode may read on."""
        texts = (rec.text, *rec.also) if rec.kind in ("command", "blind") else ()
        facts = [policy.line_facts(text) for text in texts]  # one parse of each
        if texts:
            self._note_reader(facts, certain=rec.certain)
        if texts and (not rec.certain or any(f.changes_shell for f in facts)):
            self._note_mode(nested=True)
        if any(f.switches_mode and (not rec.certain or policy.editing_mode(text) is None)
               for text, f in zip(texts, facts, strict=True)):
            # A switch the tracker does not follow, let through (a supervisor confirmed it):
            # the mode it left is unknown.
            self._either_mode()
        if (submit.how == "accept" and b"\x0f" in submit.key) or submit.how in ("macro", "rebind"):
            self._preloaded = True  # operate-and-get-next (attack v31i, finding 4), or may be
        if self._vi and (b"\x05" in submit.key or (submit.meta and submit.key == b"\x85")):
            self._either_mode()

    def _judge_point_either(self, raw: bytes) -> How | None:
        """`_judge_point` read in vi mode and in emacs mode; the stricter reading stands."""
        in_vi = self._judge_point(raw)
        self._vi = False
        try:
            in_emacs = self._judge_point(raw)
        finally:
            self._vi = True
        return max(in_vi, in_emacs, key=lambda how: _HOW_STRICTNESS.index(how))

    def _cancels_by_interrupt(self) -> bool:
        """The held line is dropped with Ctrl-C: earlier lines of an unfinished statement wait
        in the shell, or readline may be in vi mode, where the Ctrl-E of Ctrl-E Ctrl-U is
        emacs-editing-mode in command mode (the cancel itself would switch the mode)."""
        return bool(self._pending) or self._vi

    def _judge_point(self, raw: bytes) -> How | None:
        """What readline does with this key if it may run something; None for other keys.

        READLINE_KEYS lists the class. Keys in a bracketed paste are text, except line ends,
        and Ctrl-D where the terminal driver may read (to it the paste start is data).
        """
        key = raw.decode("utf-8", "replace")
        if key in ("\r", "\n"):
            return "accept"
        if key == "\x04" and (self._left_over or (
                self._driver_may_read() and not self._line_empty_for_eof())):
            # The terminal driver's VEOF hands the partial line to the shell (attack F,
            # finding 2): a second Ctrl-D, or the Enter of the next line, runs it. Also where
            # readline seems to read, once a shell without a line editor may be the reader: it
            # can print bash's ?2004h itself (attack R: `PS1=$'\e[?2004h$ ' sh`, then
            # `touch canary` Ctrl-D Ctrl-D ran unjudged), and the paste start it "honours" is
            # data to the driver (attack a10i, finding 5). And on any line while a refused line
            # may still be in the shell's input: VEOF would hand that over (attack Y, finding 8).
            return "eof" if self._pending and self._eof_possible() else "flush"
        if self._in_paste:
            return None  # text to readline, line ends aside
        # A prefix (Esc, Ctrl-X) waits in readline until the next key, whatever output, redraw
        # or resize comes between: only the next key, Ctrl-C or a new line ends it.
        prev = self._last_prefix
        if key == "\x04" and self._pending and self._eof_possible():
            return "eof"  # EOF on a continuation line: bash runs (or drops) the statement
        if key == "\x04" and self._vi and not self._line_empty_for_eof():
            return "accept"  # vi-eof-maybe accepts a line that is not empty (attack e14ia, F0)
        if key == "\x0f":
            return None if self._vi and not prev else "accept"  # vi's insert mode inserts ^O
        if key == "\x05" and prev == "\x1b":
            return "expand"
        key = self._with_prefix(key, prev)  # (attack o24i, findings 5 and 7)
        if not self._vi and len(key) == 1 and key.isascii() and key.isupper() and prev:
            key = key.lower()  # C-x G, M-G: readline's do-lowercase-version (attack l21i, F3)
        elif not self._vi and len(key) == 2 and key[0] == "\x1b" and key[1].isascii() \
                and key[1].isupper():
            key = "\x1b" + key[1].lower()
        if self._completes(key, prev) and self._line_may_expand():
            # bash expands the word, substitutions too (attack k20i, F2), also where no line
            # editor seems to read: keys typed ahead while a command runs, TERM=dumb (l21i, F1)
            return "complete"
        if prev == "\x18" and (key in ("\x05", "e", "\x12") or (key in ("(", ")") and self._arg_loop)):
            return {"\x05": "edit", "\x12": "rebind"}.get(key, "macro")  # C-x ( ) with M-N: v31i F2
        if key == "\x1b#":
            return "comment"
        if key == "\x1bv":
            return "edit"
        if self._vi and len(key) == 2 and key[0] == "\x1b":
            return _VI_JUDGED.get(key[1])  # Esc, then a command key
        if (self._vi and (self._vi_command_now() or self._vi_meta_at is not None)
                and not self._vi_argument and not self._vi_operator):
            return _VI_JUDGED.get(key)  # (unanswered 8-bit text may have left insert mode)
        if self._vi and self._vi_search_doubt:
            return _VI_JUDGED.get(key)  # where a search ended is unknown (attack i18i)
        return None

    def _completes(self, key: str, prev: str) -> bool:
        """Whether readline completes or expands the word at the cursor at `key`."""
        if self._vi and not self._emacs_too:
            command = self._vi_command_now() and not self._vi_argument and not self._vi_operator
            return key in (VI_COMMAND_COMPLETE if command else VI_INSERT_COMPLETE)
        return key in COMPLETE_KEYS or (prev == "\x1b" and "\x1b" + key in COMPLETE_KEYS) or (
            prev == "\x18" and key in COMPLETE_AFTER_CTRL_X)

    def _on_key(self, raw: bytes) -> bool:
        """Apply a key that is not a judge point; False when the model does not follow it and
        the target's answer must be awaited before the next key (see `Pause`)."""
        followed = True
        # The bytes are kept where the terminal driver may hand them to a shell as they are: no
        # line editor reads, or a shell without one may have faked its marker, or a full-screen
        # program started where none did may be dead (attack V, F1); in a paste too (a10i, F5).
        tty = self._driver_may_read()
        before, before_size = self._line.raw, self._line.raw_size
        for key in _key_text(raw):
            followed = self._apply_key(key) and followed
        if raw.decode("utf-8", "replace").encode() != raw:  # readline keeps an unfinished
            self._line.model.suspect = _BROKEN_TEXT          # character apart (f15i, F1)
        if tty and self._line.raw is not before:
            # Ctrl-C began a new line, as VINTR does; where inline code moved or disabled it,
            # the tty kept the line and the Ctrl-C as data: that reading goes on until a
            # submit (the signal's own reading flushes the line, as the model did). The old
            # line's bytes are taken over, not copied: a copy per Ctrl-C would cost each key
            # the whole abandoned line.
            self._line.raw, self._line.raw_size = before, before_size
        if tty:
            self._line.keep_raw(raw)
        return followed

    def _apply_key(self, key: str) -> bool:
        line = self._line
        clean = self._dispatch_clean(key)  # readline reads a paste start as one (o24i, F3, F4)
        self._note_key(key)
        if not line.active:
            self._begin_line()
        elif self._out_seq > line.last_key_seq:
            self._resume_after_restart()
        asking = self._asking(key)  # completion's question or pager (attack u30i, F1)
        model = line.model
        line.keyed = True
        followed = True
        if self._in_paste and key in _PASTE_BREAKS:
            self._break_paste(model)  # readline may have left the paste (attack s28i, F4)
        if self._in_paste:
            if key == _PASTE_END:
                self._in_paste = False
                model.end_paste()
            else:
                if not key.isprintable() and key != "\t":
                    model.suspect = "the paste holds control characters"
                model.insert(key)
                line.pasted(key)
        elif key == _CTRL_C:
            self._pending.clear()
            self._starts.clear()
            self._new_line()
            return True
        elif key in _IGNORED_AT_PROMPT and self.readline_reading:
            line.last_key_seq = self._out_seq
            return True  # bash ignores the signal; readline never sees the key
        elif self._eaten_key(key, model):
            followed = False  # readline dropped the key that broke a key sequence (s28i)
        else:
            if self._no_editor() and self._tty_keeps(key, model):
                model.suspect = _TTY_SIGNAL if key in _IGNORED_AT_PROMPT else _TTY_DATA
            if not model.reliable and self._out_seq > line.last_key_seq:
                self._rebase()
                model = line.model
                model.batch = []
            model.suspect = model.suspect or asking
            if key == _PASTE_START and self._bracketed and clean and not asking:
                # (a paste into vi's search goes into its text: how long it is, unknown)
                self._vi_search_doubt = self._vi_search_doubt or isinstance(self._vi_argument, str)
                self._in_paste = True
                model.begin_paste()
                line.paste_from = model.cursor
                self._paste_boundary = line.boundary
                if not model.reliable or model.cursor != len(model.text):
                    model.suspect = "the paste went into a line the bastion could not follow"
            elif key in _PREFIXES and not self._prefix and not self._vi and not self.full_screen:
                # Readline waits for the next key silently: nothing to follow yet.
                self._prefix = key
            else:
                vi_command = self._vi and self._vi_command_now()
                self._track_vi(key)
                eof = key == "\x04" and self._ender == "eof"
                prefix = self._prefix
                if key not in _MAYBE_UNSEEN:
                    self._prefix = ""
                # In vi's command mode every key is a command the model does not follow.
                taken, emacs = ("\x00" + key if vi_command else prefix + key), not self._vi
                if key == "\x17" and self._no_editor() and model.reliable:
                    _tty_werase(model)  # the driver's word erase, not readline's
                else:
                    model.apply(taken, emacs)
                if model.vi_result and (model.vi_result == "insert") == self._vi_command:
                    line.vi_mode_lost()  # the model's vi mode is not the tracker's
                line.note_key(taken, emacs, self.readline_reading)
                # Ctrl-D on an empty line ends the shell: what follows is for the next one.
                # While the model is lost (a search, a listing), every key waits its answer.
                followed = (model.reliable and not vi_command and not eof
                            and (_is_text(key) or model.edit_for(taken, emacs) is not None))
                if self._vi and not vi_command and _is_text(key) and max(key) >= "\x80":
                    self._vi_meta_at = self._out_seq
                    followed = False  # the answer shows which: wait for it
                line.searched = line.searched or key in _SEARCH_KEYS
        line.last_key_seq = self._out_seq
        # A full-screen program takes text as text; a control key may end it (nano's Ctrl-X),
        # and what follows it in a burst may then be the shell's.
        return followed or (self.full_screen and _is_text(key))

    @property
    def readline_reading(self) -> bool:
        """Readline reads a line at the shell's prompt (bash said so with ?2004h): Ctrl-Z and
        Ctrl-\\ are signals bash ignores there, not interrupts."""
        return self._bracketed and not self._alt

    def _tty_rules(self) -> bool:
        """No line editor announced itself: the terminal driver edits the line (sh, dash, bash
        without readline), or one that does not say so (bash with TERM=dumb). Only the keys
        both treat alike are followed."""
        return not self._bracketed and not self._alt

    def _no_editor(self) -> bool:
        """No line editor claims the line: the driver edits it, and the keystroke model follows
        the driver (`_tty_rules`), on the primary screen or on an alternate screen opened where
        no line editor read (attack a10i, finding 3: the screen's mode is the target's output,
        which never turns the driver's rules off)."""
        return self._tty_rules() or (self._alt and self._alt_blind)

    def _tty_keeps(self, key: str, model: _LineModel) -> bool:
        """A key the terminal driver may keep in the line as data while a line editor would act
        on it (or the reverse): the line cannot be certain."""
        if _is_text(key) or key in ("\r", "\n", "\x15", "\x17", self._erase):
            return False  # text, Enter, VKILL, VWERASE and VERASE as the pty has them
        if key in _IGNORED_AT_PROMPT or key == "\x04":
            # The driver drops the line (Ctrl-Z, Ctrl-\\) or hands it over as it is (Ctrl-D);
            # readline keeps it. Only with nothing typed is there nothing to tell apart.
            return bool(model.text) or not model.reliable
        return True

    def _note_key(self, key: str) -> None:
        """Backstop bookkeeping for a key going to the target (see `unjudged_line`)."""
        self._prev_key = key
        if self._vi and "\x05" in key:
            self._either_mode()  # vi's command-mode Ctrl-E: emacs-editing-mode (_after_sent)
        if key not in _MAYBE_UNSEEN:
            self._last_prefix = (key if key in _PREFIXES and not self._last_prefix
                                 and not self.full_screen and not self._eaten else "")
        if key in _INTERRUPTS and not (key in _IGNORED_AT_PROMPT and self.readline_reading):
            self._ahead = 0  # the terminal driver drops what it had not passed on
            self._ender = "interrupt"
            self._ender_text = ""
        elif key == "\x04" and self._line_empty_for_eof():
            self._ender = "eof"
            self._ender_text = ""
            self._note_mode(nested=True)  # EOF ends this shell: its parent reads on
            self._blind_reader = True  # ... with the echo this one's last program left
            self._alt_blind = self._alt_blind or self._alt  # ... on the screen it left on
        else:
            self._ender = None
        self._end_key = self._end_key or self._ender is not None
        if self._armed:
            self._keys_since_arm += 1
            self._ahead = 0

    def _eof_possible(self) -> bool:
        """Ctrl-D may be EOF for the shell: the line is empty (or the model cannot say), and
        bash has not said a program reads the terminal (sh and dash say nothing either way)."""
        empty = not self._line.active or not self._line.model.reliable or not self._line.model.text
        return empty and not self._running  # bash said a program reads the terminal: its EOF

    def _line_empty_for_eof(self) -> bool:
        """Ctrl-D meets an empty line: EOF, not a hand-over. Every reading must agree (attack
        a10i, finding 1): the keystroke model, and, where the terminal driver may edit the line,
        each of its readings of the bytes typed (Ctrl-V Ctrl-C, a byte-wise erase over UTF-8,
        a nested pty's erase key leave text the model dropped); past what they can read, not
        empty."""
        line, model = self._line, self._line.model
        if line.active and (not model.reliable or model.text):
            return False
        if not self._driver_may_read() or not any(line.raw):
            return True
        readings = None if line.past_tty_buffer else _tty_readings(
            [bytes(part) for part in line.raw], ord(self._erase))
        return readings is not None and not any(readings)

    def _new_line(self) -> None:
        self._prefix = self._last_prefix = ""
        self._held_prefix = self._quoted = self._seq_open = self._isearch = False
        self._arg_loop = self._quoted_many = False
        self._line = _Line()
        self._epoch_seq = self._out_seq
        self._running = False
        self._vi_command = self._vi_argument = self._vi_search_doubt = False  # a line inserts
        self._vi_operator, self._vi_change_at, self._vi_meta_at = "", None, None

    def _rebase(self) -> None:
        """The target answered keys the model does not know: restart the model from the
        screen, so that the keys after them are checked again (not in vi's `/` search)."""
        if str(self._vi_argument).startswith("/"):
            return
        self._sync()
        found = self._locate(None)
        if found is None:
            return
        boundary, region = found
        if (region.cursor is None or "\n" in region.text or region.below
                or _SEARCH_PROMPT.match(boundary.prompt) or not self._batch_shown(region)):
            return  # keys typed in a search edit the search, not the line
        text = region.text.rstrip().ljust(region.cursor)
        line = self._line
        line.model = _LineModel(text, region.cursor, line.model.suspect)
        line.boundary = boundary
