"""The tracker's reading of the line at a submit: what the screen shows against what the keys
predict (`Reconstruction`), password prompts, bracketed pastes, full-screen programs, and the
statements an unfinished line may complete.

A mixin of `CommandLineTracker` (tracker.py), which holds the state it reads. Pure.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bastion.command_control.terminal.expand_line import RUNS_NOTHING, acted_on
from bastion.command_control.terminal.keys import _is_text
from bastion.command_control.terminal.line import (
    _ARG_PROMPT,
    _FORGED_END,
    _MAX_MODEL_LINE,
    _PASSWORD,
    _PROMPT_LIKE,
    _READLINE_PROMPT,
    _STATEMENT_TOO_LONG,
    _TOO_LONG,
    _Boundary,
    _close_heredocs,
    _Region,
    _same,
    _without_rprompt,
)
from bastion.command_control.terminal.other_readings import _TYPED_HIDDEN, Kind, Reconstruction, _ReadsAlso
from bastion.command_control.terminal.prompt_doubt import alone_readings
from bastion.command_control.terminal.screen import _cells, _display, _shown_at_cursor

FULL_SCREEN = "a full-screen program has the terminal"
_SHOWN_FULL_SCREEN = "(the alternate screen showed the keys as typed)"
_UNSHOWN_FULL_SCREEN = "keys a full-screen program did not show, where a shell without a line editor may read"
EMPTY_LINE = "empty line"
_SHELLS_WAIT = ("the shell waits for more after this line, where the bastion reads it as finished "
                "(an open group in a [[ =~ ]] pattern or an extglob): it cannot tell what runs")

_WITHHELD = ("the keys' echo could not be seen: the target's output was withheld "
             "(not read on, the client not taking it)")


_MAX_STARTS = 16  # readings of an unfinished statement followed at once; beyond, uncertain

_CONTINUATION = ("unfinished statement: the shell waits for more lines; "
                 "the whole statement is judged at its last line")
CONTINUATION = _CONTINUATION  # (the gate judges such a line by the rules alone: gate.py)
_DRAWN_UNFINISHED = ("the screen shows an empty or unfinished line where the keys typed a whole "
                     "one: what the shell holds is not known")


_DIGITS = re.compile(r"[0-9]+")


def _primary_like(prompt: str, known: Iterable[str]) -> bool:
    """A prompt that may be a primary one the gate saw, drawn again with other values: the
    same but for its numbers (`$?`, `\\#`, `\\t` in PS1), or ending with the same `$`, `#` or `%`
    (`\\w` after a `cd`, a variable PS2 set: attack a36i, findings 1 and 3)."""
    shape, end = _DIGITS.sub("0", prompt), prompt.rstrip(" ")[-1:]
    return any(_DIGITS.sub("0", seen) == shape or (end in ("$", "#", "%") and
                                                   seen.rstrip(" ")[-1:] == end)
               for seen in known)


@dataclass
class _Reading:
    text: str
    certain: bool
    reason: str
    kind: Kind
    settled: bool
    prompt: str = ""
    hidden: str = field(default="", repr=False)
    rules_only: bool = False


class _ReadsLine(_ReadsAlso):
    """The line at a submit, read off the screen and checked against the keys."""

    def echo_settled(self) -> bool:
        """True when the screen has caught up with the keys typed since the prompt."""
        return self._read().settled

    def reconstruct(self) -> Reconstruction:
        """The statement the pending submit (or, without one, an Enter now) would run."""
        how = self._submit.how if self._submit is not None else "accept"
        r = self._read()
        open_starts: list[int] = []
        if r.kind != "command":
            rec = Reconstruction(r.text, r.certain, r.reason, r.kind, prompt=r.prompt,
                                 hidden=r.hidden, rules_only=r.rules_only)
        elif sum(len(pending) + 1 for pending in self._pending) > _MAX_MODEL_LINE:
            # Each submit joins and parses the earlier lines of an unfinished statement again:
            # past the line model's bound it is never certain (the gate refuses it, and the
            # statement is dropped), so that no client makes each Enter cost more than the last.
            rec = Reconstruction(r.text, False, _STATEMENT_TOO_LONG, "command")
        else:
            lines = [r.text]
            if how == "comment":
                # insert-comment comments the line out and accepts it; with a numeric argument
                # (not followed) it uncomments a line starting with "#": both are judged.
                lines = ([r.text[1:]] if r.text.startswith("#") else []) + ["#" + r.text]
            starts = self._statement_starts()
            tails = [[line] for line in lines]
            if how == "eof" and not r.text:
                tails = [[]]  # EOF on an empty line: the statement ends with the line before
            readings = [(s, "\n".join([*self._pending[s:], *tail])) for s in starts for tail in tails]
            readings = [(s, st) for s, st in readings if st.strip(" \t\n")]
            if how == "eof":
                readings = [(s, _close_heredocs(st, self._complete)) for s, st in readings]
            certain, reason = r.certain, r.reason
            if len(starts) > _MAX_STARTS:
                certain, reason = False, "too many ways to read the unfinished statement"
            elif any(self._shells_dispute(s, st) for s, st in readings):
                certain, reason = False, _SHELLS_WAIT
            done = [self._complete(st) for _, st in readings]
            open_starts = sorted({s for s, st in readings if self._may_go_on(st)})
            if how == "accept":
                complete = [st for (_, st), ok in zip(readings, done, strict=True) if ok]
                typed = "\n".join([*self._pending, self._line.shadow.text])
                if certain and (not complete) and self._line.unfollowed and self._line.shadow.text \
                        != r.text and typed.strip(" \t\n") and self._complete(typed):
                    # An empty or unfinished line drawn over a finished one the keys typed (a
                    # job's output after a Tab: attack k20i, finding 5): the keys' line is judged.
                    rec = Reconstruction(typed, True, reason, "command", _DRAWN_UNFINISHED)
                elif certain and not readings:
                    rec = Reconstruction("", True, EMPTY_LINE, "not-a-command")
                elif certain and not complete:
                    rec = Reconstruction(readings[0][1], True, _CONTINUATION, "not-a-command")
                else:
                    # Earlier lines were kept only when certain: as sure as this line.
                    judged = complete if certain else [st for _, st in readings] or [r.text]
                    rec = Reconstruction(judged[0], certain, reason, "command",
                                         also=tuple(judged[1:]))
            else:
                # Judged as it will run, complete or not: readline acts on the line now.
                judged = [st for _, st in readings] or [r.text]
                keyed = self._line.shadow.text if self._line.unfollowed else ""
                acted = acted_on(how, judged, r.text, keyed)
                if acted is None and certain:
                    rec = Reconstruction(judged[0], True, RUNS_NOTHING[how], "not-a-command")
                else:
                    judged, unknown = acted or (judged, "")
                    rec = Reconstruction(judged[0], certain, reason, "command", unknown,
                                         also=tuple(judged[1:]))
        rec = self._with_starts(rec, r.text, how)
        # Where the driver may edit the line, its readings count too (attack a10i).
        if (self._driver_may_read() and any(self._line.raw)) or r.reason == _UNSHOWN_FULL_SCREEN:
            rec = self._with_tty_readings(rec, r.text)
        if self._left_over:
            rec = dataclasses.replace(rec, left_over=self._left_over_readings())
        line, shadow = self._line, self._line.shadow.text
        if line.changed_unseen and rec.kind == "command" and not rec.unknown:
            rec = dataclasses.replace(rec, unknown=line.changed_unseen)
        if line.c_locale is not None and rec.kind == "command":
            rec = line.c_locale.judged(rec, self._pending)
        if line.unfollowed and rec.kind == "command" and shadow.strip(" \t\n") and shadow != r.text:
            rec = dataclasses.replace(rec, typed=(*rec.typed, "\n".join([*self._pending, shadow])))
        if self._pending and self._at_ps2() and (self._prompt_doubt or (  # attack c38i, 2
                self._ps2 is not None and _primary_like(self._ps2, self._known_prompts))):
            rec = dataclasses.replace(rec, typed=(*rec.typed, *alone_readings(self._pending, r.text)))
        if self._submit is not None:
            self._last = (rec, r.text, open_starts)
        return rec

    def _statement_starts(self) -> list[int]:
        """Where in the pending lines (and this one) the statement the shell runs may begin."""
        if not self._pending:
            return [0]
        starts = list(self._starts) or [0]
        if not self._continues():
            starts.append(len(self._pending))  # the shell may have dropped the earlier lines
        return starts

    def _continues(self) -> bool:
        """The shell reads this line as the next of the pending statement: readline began
        again (PS2) once after the last pending line, at another prompt; or one paste holds
        both. Twice is a dropped statement and a new prompt (a SIGINT from a job: y34i 7)."""
        line = self._line
        if line.began_in_paste and self._pending_paste:
            return True
        return self._at_ps2()

    def _at_ps2(self) -> bool:
        """Readline began once since the pending line, at the PS2 the gate learned (or, none
        learned yet, at a prompt that cannot be a primary one the gate saw). Once is no proof:
        bash expands PS2 before readline begins, and a SIGINT then drops the statement and
        draws PS1 (`PS2='$(kill -INT 0)> '`), which may read otherwise than before (`$?` in
        it); a statement bash ran where the gate kept it (an alias to `fi`) does the same
        (attack a36i, findings 1 and 3): at any other prompt the line is judged alone too."""
        line, b = self._line, self._line.boundary
        if not (self._pending_placed and self._readline_seq > self._pending_seq
                and self._readline_starts == self._pending_starts + 1
                and self.readline_reading and b is not None and bool(b.prompt.strip())
                and b.prompt not in self._known_prompts and not line.while_running):
            return False
        if self._ps2 is not None:
            return b.prompt == self._ps2
        return not _primary_like(b.prompt, self._known_prompts)

    def _scanned_complete(self, statement: str) -> bool:
        try:
            return bool(self._is_complete(statement))
        except Exception:  # a faulty checker must not turn a statement into a continuation
            return True

    def _complete(self, statement: str) -> bool:
        """The shell may run the statement now: the scanner says so, or bash or dash does
        (shell_reads.py: the scanner missed a way bash ends a line, attacks x33i 1, y34i)."""
        if self._scanned_complete(statement):
            return True
        return self._shell_reads is not None and self._shell_reads(statement).runs

    def _shells_dispute(self, start: int, statement: str) -> bool:
        """Bash or dash waits after the statement, or after a part of it the scanner ended:
        the policy's reading of what follows is not the shell's (attack y34i 2)."""
        if self._shell_reads is None:
            return False
        parts = self._pending[start:]
        texts = ["\n".join(parts[:k]) for k in range(1, len(parts) + 1)] + [statement]
        return any(self._scanned_complete(text) and self._shell_reads(text).opens for text in texts)

    def _may_go_on(self, statement: str) -> bool:
        """The shell may wait for more after the statement: bash or dash says so where they
        answered (a syntax error ends it: attack y34i 7), else the scanner. Such a statement is
        kept (and judged now too, if it may also run), so that the next line is judged with it
        (attack y34i 2)."""
        if self._shell_reads is not None:
            reading = self._shell_reads(statement)
            if reading.decided:
                return reading.opens
        return not self._scanned_complete(statement)

    def _read(self) -> _Reading:
        r = self._read_placed()
        line = self._line
        beyond = line.beyond_keys(r.text) or line.doubt if r.kind == "command" and r.certain else ""
        return dataclasses.replace(r, certain=False, reason=beyond) if beyond else r

    def _read_placed(self) -> _Reading:
        self._sync()
        line = self._line
        if line.restart is None:
            return self._read_line()
        # Keys typed before readline began may not all be shown yet: read as the screen is
        # now, but decide only when the next key comes (see needs_quiet).
        saved = (line.model, line.boundary, line.prompt, line.while_running, line.redrawn,
                 line.restart)
        try:
            self._resume_after_restart()
            return self._read_line()
        finally:
            (line.model, line.boundary, line.prompt, line.while_running, line.redrawn,
             line.restart) = saved

    def needs_quiet(self) -> bool:
        """Read the pending line again once output paused: in a full-screen program (the keys
        may end it), or with keys typed before readline began (more may be on their way)."""
        return self._line.restart is not None or self.full_screen

    def _read_line(self) -> _Reading:
        line, model = self._line, self._line.model
        if not line.active:
            return _Reading("", True, "nothing typed", "command", True)
        if self._submit is not None and self._submit_in_paste:
            return self._read_pasted()
        answered = self._out_seq > line.last_key_seq
        expected = self._expected(model.text, model.cursor) if model.reliable else None
        found = self._locate(expected)
        echoed = found is not None and (
            expected is None or _same(_without_rprompt(found[1], found[0]), *expected))
        if self._alt and self._alt_evidence and not self._shell_like(found, echoed):
            if self._alt_blind and any(line.raw):
                # Attack V, finding 1: a full-screen program started where no line editor reads
                # (or where its marker may be faked: Y7), killed, leaves the alternate screen on
                # while the shell reads; with the echo on the terminal shows the keys as a live
                # program would (attack Y: `tput smcup`). Every line is judged as keys typed
                # without echo are: where nothing showed them the defaults count (`}` in vim).
                typed = model.text or b"".join(line.raw).decode("utf-8", "replace")
                typed = "\n".join([*self._pending, typed])  # an unfinished statement's (Z2)
                shown = _shown_at_cursor(self._screen, model.text)
                return _Reading("", True, _UNSHOWN_FULL_SCREEN, "not-a-command", True, hidden=typed,
                                prompt=_SHOWN_FULL_SCREEN if shown else "", rules_only=shown)
            # Nothing typed since the last submit: nothing to wait for.
            return _Reading("", True, FULL_SCREEN, "not-a-command", answered or not line.keyed)
        if expected is not None and model.text.strip():
            prompt = self._at_password_prompt(model.text)
            # At a prompt of other words the keys may just not be echoed yet: the line settles
            # only when the gate's wait for the echo runs out.
            settled = prompt is not None
            if prompt is None:
                prompt = self._hidden_prompt()
            if self._withheld and (prompt is not None or self._silent()):
                # "Not echoed" is concluded only from output the tracker has seen with none
                # withheld (attack N, finding 5): the echo may be queued behind the rest.
                return _Reading("", False, _WITHHELD, "blind", False)
            if prompt is not None and model.suspect:
                # The keys hold one that the model may read otherwise than what edits them
                # (the terminal driver keeps Ctrl-H or Ctrl-A as data: attack F, finding 1):
                # what the program gets is unknown, so it cannot pass as a secret.
                return _Reading("", False, f"{_TYPED_HIDDEN}: {model.suspect}", "blind", True)
            if prompt is not None:
                return _Reading("", True, _TYPED_HIDDEN, "not-a-command", settled, prompt=prompt,
                                hidden=model.text)
            if self._silent():
                return _Reading("", False, _FORGED_END if self._forged_end and not self._alt
                                else "the typed keys were not echoed", "blind", False)
        if model.suspect == _TOO_LONG:
            return _Reading("", False, _TOO_LONG, "command", True)
        if found is None:
            if line.boundary is None and not line.began_in_paste:
                why = "typed before the shell showed a prompt, and not shown after one"
            else:
                why = "the input line is no longer where it was on the screen"
            return _Reading("", False, why, "command", False)
        boundary, region = found
        region = _without_rprompt(region, boundary)
        text = region.text.strip(" \t\n")  # cells; never a Unicode blank bash reads (a36i)
        if expected is not None:
            if _same(region, *expected):
                return _Reading(model.text, not model.suspect,
                                model.suspect or "screen and keystrokes agree", "command", True)
            return _Reading(text, False, "the screen does not show what was typed", "command",
                            False)
        if region.below:
            return _Reading(text, False, "there is text under the input line", "command",
                            answered)
        if not self._batch_shown(region):
            return _Reading(text, False, "keys were typed after one the bastion does not follow, "
                            "and the screen does not show them all", "command", False)
        if not answered:
            return _Reading(text, False, "the target has not answered the last keys yet",
                            "command", False)
        if self._withheld:
            # The rest of the target's answer may be withheld: the screen shows only its start.
            return _Reading(text, False, _WITHHELD, "command", False)
        return _Reading(text, not model.suspect,
                        model.suspect or "read from the screen after keys the bastion does not "
                        "follow (completion, history)", "command", True)

    def _batch_shown(self, region: _Region) -> bool:
        """Keys sent together after a key the model does not follow (Up then Ctrl-A ...) are
        seen through only when they are plain text, shown just before the cursor; the first
        answer from the target may cover only the first key."""
        after = self._line.model.batch[1:]
        if not after:
            return True
        if not all(_is_text(key) for key in after) or region.cursor is None:
            return False
        return region.text[:region.cursor].endswith("".join(after))

    def _at_password_prompt(self, typed: str) -> str | None:
        """The password prompt the cursor sits after, with what was typed not shown (or only
        as one mask character per key); None when this is no password prompt.

        Never while readline reads the line (bash turned bracketed paste on and not off
        since): that is a shell prompt, whatever it says, and keys it did not echo are blind
        (attack D, finding 5: a "Password: " printed by PROMPT_COMMAND, echo hidden)."""
        if (self._bracketed or self._forged_end) and not self._alt:
            return None
        scr = self._screen
        cy, cx = scr.cursor.y, min(scr.cursor.x, scr.columns)
        if scr.text(cy, cx).strip():
            return None
        left = scr.text(cy, 0, cx)
        unmasked = left.rstrip("*\u2022")
        masks = len(left) - len(unmasked)
        if masks not in (0, len(typed)):
            return None
        # The cursor moved by no more than the masks since the first key: a partial echo of
        # a line that mentions a password (typed fast) is not a password prompt.
        row, col = self._line.start
        if (cy + scr.scrolled, cx) != (row, col + masks):
            return None
        if (_PASSWORD.search(unmasked) and unmasked not in self._known_prompts
                and not unmasked.rstrip().endswith(typed.strip())):
            return unmasked.strip()
        return None

    def _hidden_prompt(self) -> str | None:
        """The text before the cursor when keys were not echoed at whatever prompt a program
        shows while no line editor reads (`read -s` with a prompt of any wording, one on the
        line before, none at all: attack H, finding 6); None elsewhere, and at a prompt shell
        commands were typed at before. Such keys are a secret: they are judged as a command line
        in every reading of the tty's settings all the same (InputGate._judge_hidden), which is
        what stops a shell's fake prompt; its wording never could (`PS1='Password: '`)."""
        if not (self._tty_rules() and self._silent()) or self._forged_end:
            return None
        scr = self._screen
        left = scr.text(scr.cursor.y, 0, min(scr.cursor.x, scr.columns))
        return None if left in self._known_prompts else left.strip()

    def _silent(self) -> bool:
        """At a prompt, nothing changed on the line since its first key: no echo."""
        if self._line.boundary is None:
            return False  # typed ahead: nothing may have been read yet
        scr = self._screen
        row, col = self._line.start
        row -= scr.scrolled
        return ((scr.cursor.y, min(scr.cursor.x, scr.columns)) == (row, col)
                and 0 <= row < scr.lines and not scr.text(row, col).strip())

    def _read_pasted(self) -> _Reading:
        """A submit inside a bracketed paste: the shell shows nothing before the paste ends, so
        the pasted text is the line; the screen can only confirm what preceded the paste."""
        line, model = self._line, self._line.model
        if line.began_in_paste and self._paste_reading is not None:
            first = self._paste_reading
        else:
            before = model.text[:line.paste_from or 0]
            found = self._locate(self._expected(before, len(before)))
            verified = found is not None and _same(found[1], *self._expected(before, len(before)))
            if self._alt and self._alt_evidence and not self._shell_like(found, verified):
                first = _Reading("", True, FULL_SCREEN,
                                 "not-a-command", True)
            elif verified:
                first = _Reading("", True, "pasted text", "command", True)
            else:
                first = _Reading("", False, "the line before the paste is not on the screen",
                                 "command", False)
            self._paste_reading = first
        if first.kind != "command":
            return first
        certain = first.certain and not model.suspect
        return _Reading(model.text, certain, model.suspect or first.reason, "command",
                        first.settled or line.began_in_paste)

    def _expected(self, text: str, cursor: int) -> tuple[str, int]:
        """The model's line and cursor as the screen would show them."""
        b = self._line.boundary
        col, cols = (b.col if b else 0), self._screen.columns
        return _display(text, col, cols), len(_display(text[:cursor], col, cols))

    def _shell_like(self, found: tuple[_Boundary, _Region] | None, echoed: bool) -> bool:
        """In a full-screen program: is this line shell input? Yes after a prompt the shell
        showed before; after text that merely ends like a prompt, only if the screen echoes
        the keys as a line editor would (vim, inserting after a "# " in a file, does not: its
        first key chose the mode)."""
        if found is None:
            return False
        boundary, region = found
        if boundary.prompt.strip() and boundary.prompt in self._known_prompts:
            return True
        return (echoed and bool(_PROMPT_LIKE.search(boundary.prompt))
                and region.cursor is not None and self._screen.cursor.y <= region.chain_end)

    def _locate(self, expected: tuple[str, int] | None) -> tuple[_Boundary, _Region] | None:
        """Where the current line starts on the screen, and what it holds.

        The learned boundary while it is still there; else the line is looked for again:
        from the keystroke model (its text must end where the cursor is), or, after a redraw
        key, below the old prompt (it must start with what the line held before the key).
        """
        line = self._line
        b = line.boundary
        # Rows scrolled away are read only to confirm the keystroke model (screen.py).
        if b is not None and not line.redrawn and self._still_there(b, kept=expected is not None):
            region = self._region(b.abs_row - self._screen.scrolled, b.col)
            if not (line.while_running and expected is not None and not _same(region, *expected)):
                return b, region
        found = None
        if expected is not None:
            found = self._find_typed(*expected)
        elif b is not None and line.model.relearn and line.model.anchor is not None:
            found = self._find_prompt(b, line.model.anchor)
        if found is not None:
            line.boundary, line.redrawn = found[0], False
        elif expected is None:
            # Readline shows its own prompt during a search or a numeric argument: the line
            # is what follows it (the shell's prompt comes back once it ends: the line is
            # then what follows a prompt seen before, on the cursor's row).
            found = self._find_search(arguments_only=not line.searched) or self._find_known()
        return found

    def _find_known(self) -> tuple[_Boundary, _Region] | None:
        scr = self._screen
        y = scr.cursor.y
        while y > 0 and scr.wrapped(y - 1):
            y -= 1
        row = scr.text(y)
        for known in self._known_prompts:
            if known.strip() and row.startswith(known):
                region = self._region(y, _cells(known))
                if region.cursor is not None:
                    return _Boundary(y + scr.scrolled, _cells(known), known), region
        return None

    def _still_there(self, b: _Boundary, kept: bool = False) -> bool:
        """The line's prompt is where it was learned, with nothing drawn again below it; on
        the screen, or (`kept`) in the rows scrolled off it."""
        scr = self._screen
        row = b.abs_row - scr.scrolled
        shown = scr.has_row(row) if kept else 0 <= row < scr.lines
        if not shown or scr.text(row, 0, b.col) != b.prompt:
            return False
        cy, cx = scr.cursor.y, min(scr.cursor.x, scr.columns)
        if cy < row or (cy == row and cx < b.col):
            return False
        if b.prompt.strip():
            for y in range(row + 1, cy + 1):
                if not scr.wrapped(y - 1) and scr.text(y, 0, b.col) == b.prompt:
                    return False  # the prompt was drawn again below: a listing, a redraw
        return True

    def _region(self, row: int, col: int) -> _Region:
        scr = self._screen
        cy, cx = scr.cursor.y, min(scr.cursor.x, scr.columns)
        parts: list[str] = []
        length = 0
        cursor = None
        y = row
        while True:
            start = col if y == row else 0
            if y == cy and cx >= start:
                cursor = length + len(scr.text(y, start, cx))
            wrapped = scr.wrapped(y)
            segment = scr.text(y, start)
            if not wrapped:
                segment = segment.rstrip()
            parts.append(segment)
            length += len(segment)
            if y + 1 >= scr.lines or not (wrapped or y < cy):
                break
            if not wrapped:
                parts.append("\n")
                length += 1
            y += 1
        chain_end = row
        while chain_end + 1 < scr.lines and scr.wrapped(chain_end):
            chain_end += 1
        below = any(scr.text(r).strip() for r in range(y + 1, scr.lines))
        return _Region("".join(parts), cursor, chain_end, below)

    def _find_typed(self, text: str, cursor: int) -> tuple[_Boundary, _Region] | None:
        """The model's line ending where the cursor is, after a prompt that vouches for it."""
        start = self._walk_back(cursor)
        if start is None:
            return None
        row, col = start
        region = self._region(row, col)
        if not _same(region, text, cursor):
            return None
        scr = self._screen
        left = scr.text(row, 0, col)
        line = self._line
        if line.boundary is not None and left in (line.boundary.prompt, line.prompt):
            vouched = True  # the prompt, drawn again
        elif line.began_in_paste:
            vouched = col == 0  # readline shows the lines of a paste from the first column
        elif line.boundary is None or line.while_running:
            # typed ahead: after a prompt seen before, or a readline started after the keys
            vouched = left in self._known_prompts or self._readline_seq > line.first_key_seq
        else:
            vouched = False
        return (_Boundary(row + scr.scrolled, col, left), region) if vouched else None

    def _walk_back(self, n: int) -> tuple[int, int] | None:
        """The screen position `n` characters before the cursor, through soft wraps only."""
        scr = self._screen
        y, x = scr.cursor.y, min(scr.cursor.x, scr.columns)
        while True:
            row = scr.buffer.get(y)
            starts = [c for c in range(x) if row is None or row[c].data != ""]
            if n <= len(starts):
                return (y, starts[len(starts) - n] if n else x)
            n -= len(starts)
            if y == 0 or not scr.wrapped(y - 1):
                return None
            y, x = y - 1, scr.columns

    def _find_prompt(self, b: _Boundary, anchor: str) -> tuple[_Boundary, _Region] | None:
        """After a listing or a clear-screen: the prompt drawn again nearest above the cursor,
        followed by the line as it was before the key that redrew it."""
        scr = self._screen
        if not b.prompt.strip():
            return None
        before = _display(anchor, b.col, scr.columns).rstrip()
        for y in range(scr.cursor.y, -1, -1):
            if (y and scr.wrapped(y - 1)) or scr.text(y, 0, b.col) != b.prompt:
                continue
            region = self._region(y, b.col)
            if region.cursor is not None and region.text.startswith(before):
                return _Boundary(y + scr.scrolled, b.col, b.prompt), region
            return None
        return None

    def _find_search(self, arguments_only: bool = False) -> tuple[_Boundary, _Region] | None:
        """Readline's incremental search and numeric arguments show their own prompt; the
        line is what follows it."""
        scr = self._screen
        y = scr.cursor.y
        while y > 0 and scr.wrapped(y - 1):
            y -= 1
        m = (_ARG_PROMPT if arguments_only else _READLINE_PROMPT).match(scr.text(y))
        if m is None:
            return None
        region = self._region(y, len(m.group()))
        if region.cursor is None:
            return None
        return _Boundary(y + scr.scrolled, len(m.group()), m.group()), region
