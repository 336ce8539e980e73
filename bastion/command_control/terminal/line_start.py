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

_PRELOADED = ("operate-and-get-next may have put a history line in front of the keys, at a prompt "
              "not seen before: where the line begins is not known")


_MAX_CUTS = 48  # places a line typed ahead may begin, judged each; beyond, not certain
_TOO_MANY_CUTS = "keys typed ahead: too many places where the line may begin"
_MAX_PROMPT_CUTS = 120  # places inside a learned prompt a C-o line may begin, judged each


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
        preloaded, self._preloaded = self._preloaded, False
        if preloaded:
            # After operate-and-get-next (C-o) readline may put the next history line in front
            # of the keys: text drawn after the prompt, which the screen alone cannot tell
            # from the prompt (attack v31i, finding 4). Only a prompt seen before places it.
            line.doubt = _PRELOADED
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
        if prompt in self._known_prompts:
            line.doubt = ""  # the prompt seen before, nothing after it
        matches = [known for known in self._known_prompts
                   if prompt.startswith(known) and prompt[len(known):].strip()]
        if preloaded and matches:
            # The real prompt may be any of them, or one the gate forgot or never saw (C-o's
            # line may set PS1): the line is read after the shortest, and from each place in
            # it too (attack x33i, finding 2).
            matches = [min(matches, key=len)]
        elif preloaded and prompt in self._known_prompts:
            self._cuts_in_prompt(prompt)  # the whole row a learned prompt: C-o's line in it?
        for known in matches[:1]:
            # The line already holds text after a prompt seen before (zsh's `print -z`,
            # a line left over): it is part of what the shell will run.
            extra = prompt[len(known):]
            line.boundary = _Boundary(y + scr.scrolled, _cells(known), known)
            line.prompt = known
            line.model = _LineModel(extra, len(extra))
            line.note_key(extra)
            line.raw, line.raw_size = [bytearray()], 0
            line.keep_raw(extra.encode())
            # Readline never starts a line holding text but after C-o: the text may be
            # the prompt's own tail (`PS1="$PS1#"`, a folder named `a$ #`, a job's `#`:
            # attack v31i, finding 3), so the line is judged without it too; after C-o,
            # from each place the prompt may end in it.
            cuts = range(len(extra) + 1) if preloaded else (len(extra),)
            line.starts_also = tuple((extra, extra[cut:]) for cut in cuts)
            line.doubt = ""
            if preloaded:
                self._cuts_in_prompt(known)
            # Every other learned prompt the row begins with may be the real one too.
            line.starts_also += tuple(
                (extra, extra[len(other) - len(known):]) if len(other) > len(known)
                else ("", known[len(other):]) for other in matches[1:])

    def _cuts_in_prompt(self, known: str) -> None:
        """After C-o, the real prompt may also end inside the learned one it was read after
        (attack x33i, finding 2): the line is judged from each such place too, by the whole
        policy where the text before it is a prompt seen before or looks like one, by the
        rules alone elsewhere (a cut inside `bob@web01:~$ ` reads `$ ls`, which the defaults
        would hold in every honest C-o)."""
        line = self._line
        if len(known) > _MAX_PROMPT_CUTS:
            line.doubt = _PRELOADED
            return
        full, loose = [], []
        for cut in range(len(known)):
            left = known[:cut]
            plausible = left.strip() and (left in self._known_prompts or _PROMPT_LIKE.search(left))
            (full if plausible else loose).append(("", known[cut:]))
        line.starts_also += tuple(full)
        line.starts_rules = tuple(loose)

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
        shown_from: list[int] = []  # the cuts shown after the restart point
        loose: list[int] = []  # past a prompt seen before: judged by the rules alone
        chosen = None
        known_at_first = False
        for k in ends:
            rest = model.text[k:]
            display = _display(rest, 0, scr.columns)
            if not shown.endswith(display):
                continue
            at = self._walk_back(len(display))
            if at is None or at < (y, col):
                continue
            left = scr.text(at[0], 0, at[1])
            # The prompt begins at the restart point: in front of it, the driver's echo.
            known = left in self._known_prompts or (
                at[0] == y and scr.text(y, col, at[1]) in self._known_prompts)
            if not shown_from:
                known_at_first = known
            if known_at_first and not known:
                # After a prompt seen before, a longer one (itself + keys a program took) is
                # judged by the rules alone.
                loose.append(k)
                continue
            # A prompt neither learned nor like one (`PS1='[\t] '`) may end at any cut shown,
            # a program having taken the keys before it (`read -n 6`: attack x33i, finding
            # 4): every cut shown is judged, not only those after prompt-like text. One after
            # no prompt's end (a learned prompt, or `$`, `#`, `>`... and a blank) is judged by
            # the rules alone: else every line typed ahead is held for a suffix of it that
            # parses badly (`*.txt`, `((6*7))` in `echo $((6*7))`), a cost every fast typist
            # pays.
            if not (known or (left.strip() and _PROMPT_LIKE.search(left)
                              and left[-1:] in (" ", "\t"))):
                loose.append(k)
            shown_from.append(k)
            if chosen is None and (known or (left.strip() and _PROMPT_LIKE.search(left))):
                chosen = (k, rest, at, left)
        if chosen is None and shown_from:
            k = shown_from[0]
            rest = model.text[k:]
            at = self._walk_back(len(_display(rest, 0, scr.columns)))
            if at is not None:
                chosen = (k, rest, at, scr.text(at[0], 0, at[1]))
        if chosen is not None:
            # Where the prompt ends among the typed keys is a guess (a `#` typed is no prompt's
            # end: attack v31i, finding 6): the line is judged from every cut shown too.
            k, rest, at, left = chosen
            line.starts_also = tuple(
                (model.text[k:other], "") if other > k else ("", model.text[other:k])
                for other in shown_from[:_MAX_CUTS] if other != k and other not in loose)
            line.starts_rules = tuple(
                (model.text[k:other], "") if other > k else ("", model.text[other:k])
                for other in loose[:_MAX_CUTS] if other != k)
            too_many = len(shown_from) > _MAX_CUTS or len(loose) > _MAX_CUTS
            line.doubt = _TOO_MANY_CUTS if too_many else line.doubt
            line.boundary = _Boundary(at[0] + scr.scrolled, at[1], left, self._rprompt(*at))
            line.prompt = left
            # What made the keys suspect was the program's output, not this line's echo.
            suspect = "" if model.suspect == _DRIVER_ECHO else model.suspect
            line.model = _LineModel(rest, len(rest), suspect)
            line.while_running = line.redrawn = False
            line.restart = None
            return
