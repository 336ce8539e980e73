"""Where a line begins on the screen (the tracker's input side, input.py): at the first key
of a line, and again where readline began reading after keys of the line were typed (keys
typed while a command ran). Text the gate did not see typed and cannot place never makes a line
more harmless (attack v31i, findings 3, 4 and 6): each place the line may begin is judged
(`_Line.starts_also`), or the line is not certain (`_Line.doubt`).

A mixin of `CommandLineTracker` (tracker.py), which holds the state it reads. Pure.
"""

from __future__ import annotations

from bastion.command_control.terminal.line import _DRIVER_ECHO, _PROMPT_LIKE, _Boundary, _LineModel
from bastion.command_control.terminal.screen import _cells, _display


class _FindsLineStart:
    """Where a line begins (a mixin of `_FollowsInput`)."""

    def _begin_line(self) -> None:
        """The first key of a line: learn where the line starts (the prompt boundary)."""
        self._sync()
        line = self._line
        line.active = True
        line.first_key_seq = line.last_key_seq = self._out_seq
        self._cancelled = None
        scr = self._screen
        y, x = scr.cursor.y, min(scr.cursor.x, scr.columns)
        line.start = (y + scr.scrolled, x)
        if self._next_in_paste:
            line.began_in_paste = True
            self._next_in_paste = False
            return
        if self._out_seq == self._epoch_seq:
            return  # typed ahead: nothing came back since the last submit
        # While bash runs a command the keys go to it (a password, "[Y/n]") or wait for the
        # shell, which shows them again after its prompt: both places are looked at.
        line.while_running = self._running
        prompt = line.prompt = scr.text(y, 0, x)
        line.boundary = _Boundary(y + scr.scrolled, x, prompt, self._rprompt(y, x))
        for known in self._known_prompts:
            if prompt.startswith(known) and prompt[len(known):].strip():
                # The line already holds text after a prompt seen before (zsh's `print -z`,
                # a line left over): it is part of what the shell will run.
                extra = prompt[len(known):]
                line.boundary = _Boundary(y + scr.scrolled, _cells(known), known)
                line.prompt = known
                line.model = _LineModel(extra, len(extra))
                line.note_key(extra)
                line.raw, line.raw_size = [bytearray()], 0
                line.keep_raw(extra.encode())
                break

    def _rprompt(self, y: int, x: int) -> str:
        right = self._screen.text(y, x)
        if right.strip() and x + len(right.rstrip()) >= self._screen.columns - 2:
            return right.rstrip()
        return ""

    def _resume_after_restart(self) -> None:
        """Readline began reading after keys of this line were typed (a pager's `q`, keys
        typed while a command ran): those the program took are gone, and those left are shown
        again after the new prompt. When the screen shows, after a prompt seen before (or one
        that looks like a prompt), exactly the end of what was typed, with nothing typed since
        readline began left out, the line is what the screen shows from that prompt on."""
        line = self._line
        if line.restart is None:
            return
        self._sync()
        scr = self._screen
        row, col, typed = line.restart
        y = row - scr.scrolled
        if not 0 <= y < scr.lines or scr.cursor.y < y:
            line.restart = None
            return
        region = self._region(y, col)
        if region.cursor is None or region.text[region.cursor:].strip():
            return
        shown = region.text[:region.cursor]
        model = line.model
        # Keys typed before readline began may be gone; later ones must all be shown.
        ends = range(min(typed, 4096) + 1) if typed is not None else (len(model.text),)
        for k in ends:
            rest = model.text[k:]
            display = _display(rest, 0, scr.columns)
            if not shown.endswith(display):
                continue
            at = self._walk_back(len(display))
            if at is None or at < (y, col):
                continue
            left = scr.text(at[0], 0, at[1])
            if not left.strip() or not (left in self._known_prompts
                                         or _PROMPT_LIKE.search(left)):
                continue
            line.boundary = _Boundary(at[0] + scr.scrolled, at[1], left, self._rprompt(*at))
            line.prompt = left
            # What made the keys suspect was the program's output, not this line's echo.
            suspect = "" if model.suspect == _DRIVER_ECHO else model.suspect
            line.model = _LineModel(rest, len(rest), suspect)
            line.while_running = line.redrawn = False
            line.restart = None
            return
