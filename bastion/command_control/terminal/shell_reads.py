"""A second opinion on where a statement ends: the shells themselves (`bash -n`, `dash -n`).

The tracker asks `policy.is_complete` whether an Enter ends the statement. That scanner is a
model of bash's grammar, and every round of attacks found lines it calls unfinished that bash
runs at once (so the Enter went on unjudged: attacks x33i 1, y34i 1, 3, 4) or finished that bash
keeps open (so the next line was judged alone: y34i 2). Here the real parsers answer, run with
`-n` (read, never run) in a child process on the bastion:

- `runs`: a shell reads the text as finished (or as a syntax error: it runs nothing and waits
  for nothing); the tracker then judges the line now, whatever the scanner says.
- `opens`: a shell waits for more (unexpected end of file, an unclosed quote, a here-document
  whose body has not come); the tracker then keeps the line for the next one. Where the shells
  answered, they alone decide whether more comes: a line bash drops as a syntax error
  (`if true; then` + `)`) is not kept, as the scanner would (attack y34i 7).

Both may hold (bash and dash disagree; bash waits only with extglob on, as Debian's
bash-completion sets it, so both readings are asked where an extglob pattern may be). History
expansion happens before bash parses an interactive line: where a `!` may expand, the expanded
line may end where the typed one does not, so it `runs` (judged now, and the policy holds a
history expansion: y34i 5). A text over `MAX_TEXT`, a shell that does not answer in time, and a
client past its budget of checks (`Budget`) also `runs`: judged now, whatever the scanner says
(an honest unfinished statement is then held, a cost only a flood pays). Without bash on the
bastion the scanner decides alone (SECURITY.md says so). See docs/ARCHITECTURE.md,
"Where each thing lives". Pure (no event loop); each check is a short child process (a millisecond).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

MAX_TEXT = 64 * 1024
_ANSWERS_KEPT = 32  # a channel's last answers (Budget)
_TIMEOUT = 2.0
# What bash and dash print when the text ends inside something open.
_BASH_OPEN = re.compile(r"unexpected EOF while looking for matching|unexpected end of file|"
                        r"here-document at line \d+ delimited by end-of-file")
_DASH_OPEN = re.compile(r"end of file unexpected|Unterminated quoted string|EOF in backquote")
_EXTGLOB = re.compile(r"[@*?+!]\(")
# `!` that may expand, or `^` starting a line (quick substitution: `^x^'^`, attack z35i 2, 5).
# readline leaves a `!` alone only before space, tab, newline, CR and `=`: ASCII only, never
# Python's Unicode `\s` (`!<NBSP>X:s/'//` expands: attack a36i, finding 4). `!(` too may expand
# (bash spares it only with extglob on, past the 2nd character, with a `)` later on the line:
# the gate cannot tell): at PS2 an "event not found" discards the line (attack c38i, finding 4).
_HISTORY = re.compile(r"!(?=[^ \t\n\r=])|^[ \t]*\^", re.M)


@dataclass(frozen=True)
class Reading:
    runs: bool  # a shell reads it as finished now
    opens: bool  # a shell waits for more
    decided: bool = True  # the shells answered (else the scanner decides whether more comes)


_JUDGE_NOW = Reading(True, False, False)
_NO_OPINION = Reading(False, False, False)


@functools.lru_cache(maxsize=1)
def _shells() -> tuple[str | None, str | None]:
    return shutil.which("bash"), shutil.which("dash")


def _ask(argv: list[str], text: str) -> tuple[int, str] | None:
    try:
        done = subprocess.run(argv, input=text.encode("utf-8", "surrogateescape"),
                              capture_output=True, timeout=_TIMEOUT, check=False,
                              env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    return done.returncode, done.stderr.decode("utf-8", "replace")


def _trailing_backslash(text: str) -> bool:
    tail = len(text) - len(text.rstrip("\\"))
    return tail % 2 == 1


@functools.lru_cache(maxsize=512)
def shells_read(text: str) -> Reading:
    """What bash (and dash, where it can tell) say of `text` as a whole interactive statement."""
    if len(text) > MAX_TEXT:
        return _JUDGE_NOW
    bash, dash = _shells()
    if bash is None:
        return _NO_OPINION
    history = bool(_HISTORY.search(text))
    runs, opens = history, False
    settings = [[bash, "--norc", "--noprofile", "-n"]]
    if _EXTGLOB.search(text.replace("\\\n", "")):  # `@\⏎(` is `@(` (attack z35i, finding 3)
        settings.append([bash, "--norc", "--noprofile", "-O", "extglob", "-n"])
    for argv in settings:
        answer = _ask(argv, text + "\n")
        if answer is None:
            return _JUDGE_NOW
        _rc, err = answer
        if _BASH_OPEN.search(err):
            opens = True
        else:
            runs = True
    if dash is not None and "<<" not in text:  # dash says nothing of a body still to come
        answer = _ask([dash, "-n"], text + "\n")
        if answer is not None:
            if _DASH_OPEN.search(answer[1]):
                opens = True
            else:
                runs = True
    if _trailing_backslash(text):
        # `bash -n` joins a last backslash with the end of the input, where a shell on a
        # terminal waits for the next line, unless the backslash is in a comment or a quote
        # (attack z35i, finding 6). Put a `'` in its place: a live backslash leaves that quote
        # open; in a comment or a quote it changes nothing, and the line is read without it.
        probe = _ask([bash, "--norc", "--noprofile", "-n"], text[:-1] + "'\n")
        if probe is None:
            return _JUDGE_NOW
        if _BASH_OPEN.search(probe[1]):
            return Reading(history, True)
        return shells_read(text[:-1])
    return Reading(runs, opens)


class Budget:
    """At most `rate` checks a second per channel after a burst of `burst` (a script of a
    thousand lines typed ahead by `ssh -tt`): past it, judged now (`_JUDGE_NOW`), so that no
    client makes the bastion start processes without bound."""

    def __init__(self, rate: float = 100.0, burst: float = 1000.0) -> None:
        self.rate, self.burst = rate, burst
        self._tokens, self._at = burst, time.monotonic()
        # The channel's last answers: one Enter asks about the same statement several times
        # (its reconstruction is read at the key, at the verdict, for each reading), and only
        # a new statement is a check to pay for.
        self._answers: dict[str, Reading] = {}

    def __call__(self, text: str) -> Reading:
        known = self._answers.get(text)
        if known is not None:
            return known
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return _JUDGE_NOW
        self._tokens -= 1
        answer = self._answers[text] = shells_read(text)
        if len(self._answers) > _ANSWERS_KEPT:
            del self._answers[next(iter(self._answers))]
        return answer
