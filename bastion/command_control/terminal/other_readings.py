"""Other readings of the line at a submit, judged with the one the screen shows (the
stricter verdict stands): the lines the terminal driver may hand over in each reading of its
settings (`_tty_readings`), and the lines where the line's start is not known for certain
(attack v31i, findings 3, 4 and 6: text the gate did not see typed never makes a line more
harmless). Also the `Reconstruction` the reading yields.

A mixin of `CommandLineTracker` (through reading.py's `_ReadsLine`), which holds the state it
reads. Pure.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from bastion.command_control.terminal.line import _TOO_LONG, _TTY_FULL
from bastion.command_control.terminal.tty import _TTY_MOVED, _TTY_OPEN, _tty_readings

Kind = Literal["command", "not-a-command", "blind"]

_TYPED_HIDDEN = "typed at a password prompt, not echoed"
_START_OPEN = ("where the line begins is not known, and in one reading of it the statement is "
               "unfinished: the shell may wait for more lines")
_START_RUNS = ("where the line begins is not known, and in one reading of it the shell runs "
               "the statement now")


@dataclass(frozen=True)
class Reconstruction:
    """The statement a submit would hand to the shell, and how sure the bastion is of it.
    `unknown`, when set, says why what runs is decided only at run time (an editor, a macro):
    the policy's `unknown` action applies on top of the verdict on `text`."""

    text: str
    certain: bool
    reason: str
    kind: Kind
    unknown: str = ""
    # Other statements the shell may run instead of `text`, judged too (the stricter verdict
    # stands): where the bastion cannot tell whether earlier lines of an unfinished statement
    # are still waiting in the shell, the line is judged with them and without them.
    also: tuple[str, ...] = ()
    # At a password prompt ("not-a-command"): the prompt's text, and the keys typed without
    # echo, which the gate may judge as a command but must never show, log or store.
    prompt: str = ""
    hidden: str = field(default="", repr=False)
    # The other lines the terminal driver may hand over for those keys (its settings are
    # unknown: _tty_readings), judged like `hidden` and as secret.
    hidden_also: tuple[str, ...] = field(default=(), repr=False)
    # The hidden keys are judged by the rules alone: a full-screen program showed them typed.
    rules_only: bool = False
    # After a refused line no screen showed: the lines the shell may get with what it may have
    # left in the shell's input in front (see `_left_over_readings`), judged by the rules and
    # as secret as `hidden`.
    left_over: tuple[str, ...] = field(default=(), repr=False)
    # After keys the model does not follow, the line as the keys alone make it, in typed order
    # (those keys taken as doing nothing): judged by the policy's rules alone (attack b11i).
    typed: tuple[str, ...] = ()



def _started(text: str, drop: str, add: str) -> str | None:
    """The line `text` read from another place it may begin: `drop` taken from its front and
    `add` put there. Where `add` is the end of `drop` (the prompt's own text, `drop`'s front,
    then the line) the reading is the line past that front, edited or not (attack x33i,
    finding 3: a Backspace into C-o's pre-loaded text must not drop it); None where the line
    no longer begins with it (an edit into the prompt, which the screen would not show)."""
    if drop.endswith(add):
        front = drop[:len(drop) - len(add)]
        return text[len(front):] if text.startswith(front) else None
    return add + text[len(drop):] if text.startswith(drop) else None


class _ReadsAlso:
    """The other readings of the line (a mixin of `_ReadsLine`)."""

    def _with_tty_readings(self, rec: Reconstruction, text: str) -> Reconstruction:
        """The line as the terminal driver may hand it over in each reading of its settings
        (_tty_readings), added to what is judged: with the pending lines, as `also`; at a
        hidden prompt, as `hidden_also`. An empty or unfinished line (as the model reads it)
        that is a statement in another reading is judged as one."""
        line = self._line
        readings = None if line.past_tty_buffer else _tty_readings(
            [bytes(part) for part in line.raw], ord(self._erase))
        why = (_TOO_LONG if line.raw_too_long else _TTY_FULL if line.past_tty_buffer
               else _TTY_MOVED)
        if rec.hidden:
            if readings is None:
                return Reconstruction("", False, f"{_TYPED_HIDDEN}: {why}", "blind")
            return dataclasses.replace(
                rec, hidden_also=tuple(r for r in readings if r != rec.hidden))
        if rec.kind == "blind":
            return rec
        if readings is None:
            return Reconstruction(rec.text, False, why, "command", rec.unknown, rec.also)
        known = {rec.text, *rec.also}
        moved: dict[str, bool] = {}
        for start in self._statement_starts():
            for reading, by_moved in readings.items():
                st = "\n".join([*self._pending[start:], reading])
                if reading != text and st.strip(" \t\n") and st not in known:
                    moved[st] = moved.get(st, True) and by_moved
        done = [st for st in moved if self._complete(st)]
        # An unfinished statement in a reading of the usual settings waits in the shell for
        # lines judged without it: not certain. In a moved character's reading (an inline
        # program's doing) the shell waits too, and nothing runs now: left out, or an honest
        # typo fixed inside quotes (DEL read as a kill) would be held (SECURITY.md).
        statements = [st for st in moved if st in done or not moved[st]]
        if not statements:
            return rec
        if rec.kind == "command":
            if rec.certain and len(done) < len(statements):
                return Reconstruction(rec.text, False, _TTY_OPEN, "command", rec.unknown,
                                      rec.also + tuple(statements))
            return dataclasses.replace(rec, also=rec.also + tuple(statements))
        if not done:
            return rec  # nothing runs in any reading: the shell waits for more
        # No line the target echoed: the keys are judged as keys typed without echo are
        # (`hidden`), never shown, logged or stored (the fuzzer's `Q` Ctrl-C, where a reading
        # of the settings makes Ctrl-C a line's end).
        return dataclasses.replace(rec, hidden=done[0], hidden_also=tuple(done[1:]))

    def _with_starts(self, rec: Reconstruction, text: str, how: str) -> Reconstruction:
        """The line read from each other place it may begin (`_Line.starts_also`), with the
        pending lines, judged too (the stricter verdict stands). Where one reading leaves the
        statement open and another runs it, not certain; an empty or unfinished line that is a
        statement in another reading is judged as one."""
        line = self._line
        if rec.kind == "blind" or rec.hidden or not (line.starts_also or line.starts_rules):
            return rec
        alts = [alt for drop, add in line.starts_also
                for alt in [_started(text, drop, add)] if alt is not None]
        loose = [alt for drop, add in line.starts_rules
                 for alt in [_started(text, drop, add)] if alt is not None]
        if rec.kind == "command":
            rec = dataclasses.replace(rec, typed=rec.typed + tuple(
                "\n".join([*self._pending[start:], alt])
                for start in self._statement_starts() for alt in loose))
        else:
            # A line that runs nothing as read, but may run in a reading the rules alone
            # judge, is judged as that statement (by the whole policy, not certain).
            alts += loose
        statements: list[str] = []
        for start in self._statement_starts():
            for alt in alts:
                st = "\n".join([*self._pending[start:], alt])
                if st.strip() and st != rec.text and st not in rec.also and st not in statements:
                    statements.append(st)
        if not statements:
            return rec
        done = [st for st in statements if self._complete(st)]
        if rec.kind == "command":
            if len(done) < len(statements) and rec.certain:
                rec = dataclasses.replace(rec, certain=False, reason=_START_OPEN)
            return dataclasses.replace(rec, also=rec.also + tuple(done))
        if not done or how not in ("accept", "eof"):
            return rec  # every reading waits for more lines, or the key runs nothing
        return Reconstruction(done[0], False, _START_RUNS, "command", rec.unknown,
                              tuple(done[1:]))
