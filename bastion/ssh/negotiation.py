"""What of a client's channel requests reaches the target: the environment (locale variables
only, and only safe ones), the terminal type (one with bracketed paste), the terminal modes
(those that change no byte the bastion judged) and the terminal size (cut to what the screen
model and a player can draw).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import asyncssh

from bastion.command_control.policy.variables import _TERMINALS

if TYPE_CHECKING:
    from bastion.ssh.proxy import ProxyChannel

# SSH allows window sizes up to 2**32-1. A client's window is cut to the screen model's bounds
# (command_control.terminal's) before the recorder, the gate or the target see it, so the three agree and
# no recording claims a size a player cannot draw.
MAX_TERM_COLS = 2048
MAX_TERM_ROWS = 512
PASSED_ENV = ("LANG",)
PASSED_ENV_PREFIXES = ("LC_",)
# A locale whose charset can make a quote or a backslash the second byte of a character (GBK,
# BIG5, SJIS, GB18030) makes bash split a line otherwise than the bastion judged it. Only C, POSIX
# and an explicit UTF-8 codeset pass: a locale named without one takes its own (zh_TW is BIG5).
_SAFE_LOCALE = re.compile(r"C|POSIX|[A-Za-z]+(?:_[A-Za-z0-9]+)?\.(?i:utf-?8)(?:@[A-Za-z0-9]+)?")
# Terminal modes passed to the target's pty. The others (ISTRIP, IUCLC, IGNCR, INLCR, OLCUC, the
# special characters such as VKILL or VEOL, ECHO, ICANON, ...) make the line discipline change
# bytes between what the bastion judged and what a program reads or the screen shows; left out,
# the pty keeps the kernel's defaults, which the terminal tracker reads. Kept: the erase key
# (DEL or ^H, as the user's keyboard sends it), IUTF8 and the line speeds.
_PASSED_MODES = frozenset({asyncssh.PTY_IUTF8, asyncssh.PTY_OP_ISPEED, asyncssh.PTY_OP_OSPEED})
_ERASE_KEYS = frozenset({0x7F, 0x08})
# The client's pty-req names the TERM the session starts with. On `dumb`, or on a name the
# target has no terminfo for (`foot`, `xterm-kitty`), readline turns no bracketed paste on: no
# ?2004l backstop, and a key an rc binds to accept-line ran a line unjudged, untraced (attack
# q26o, finding 3; a TERM set so inside the session is held, SECURITY.md attack N). A type in
# `_TERMINALS` (Debian's ncurses-base ships each) passes; a dumb one (no escapes at all) is
# refused, since drawing escapes on it would not help its user; any other becomes TERM_PASSED.
TERM_PASSED = "xterm-256color"
_DUMB_TERMS = frozenset({"dumb", "unknown", "emacs"})


def filtered_env(env: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The client's environment as it reaches the target, and the names of the locale variables
    left out. Only LANG and LC_* reach it, and only when empty or naming C, POSIX or a UTF-8
    locale (`en_US.UTF-8`, `C.utf8`, `de_DE.UTF-8@euro`); anything else is dropped."""
    passed: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in env.items():
        if name not in PASSED_ENV and not name.startswith(PASSED_ENV_PREFIXES):
            continue
        if value == "" or _SAFE_LOCALE.fullmatch(value):
            passed[name] = value
        else:
            dropped.append(name)
    return passed, dropped


def passed_modes(modes: dict[int, int]) -> dict[int, int]:
    """The client's terminal modes that reach the target's pty (see _PASSED_MODES)."""
    kept = {mode: value for mode, value in modes.items() if mode in _PASSED_MODES}
    if modes.get(asyncssh.PTY_VERASE) in _ERASE_KEYS:
        kept[asyncssh.PTY_VERASE] = modes[asyncssh.PTY_VERASE]
    return kept


def bounded_size(cols: int, rows: int, pixwidth: int, pixheight: int,
                 current: tuple[int, int] = (80, 24)) -> tuple[int, int, int, int]:
    """A client's terminal size with columns and rows cut to MAX_TERM_COLS x MAX_TERM_ROWS,
    and a dimension of 0 read as `current` (80 x 24 at a pty-req, the size in force at a
    window change): the target, the gate's screen and the recording all get this one size, so
    `200 x 0` cannot give readline 200 columns while the gate and the cast keep 80 (attack y34o,
    finding 2). The pixel size is dropped when either dimension is cut or filled in, so it
    cannot contradict them."""
    if 0 < cols <= MAX_TERM_COLS and 0 < rows <= MAX_TERM_ROWS:
        return cols, rows, pixwidth, pixheight
    return (min(cols, MAX_TERM_COLS) or current[0], min(rows, MAX_TERM_ROWS) or current[1],
            0, 0)


def window_size(term: tuple[str, tuple[int, int, int, int], dict] | None, cols: int, rows: int,
                pixwidth: int, pixheight: int) -> tuple[int, int, int, int]:
    """The size a `window-change` sets, for the target, the gate and the recording alike: a 0
    keeps the dimension in force (`bounded_size`)."""
    now = (term[1][0], term[1][1]) if term is not None else (80, 24)
    return bounded_size(cols, rows, pixwidth, pixheight, now)


def passed_term(term_type: str) -> str | None:
    """The terminal type a client's pty-req gives the target (see TERM_PASSED), None: refused."""
    if term_type in _TERMINALS:
        return term_type
    # No type at all (TERM unset, as under cron: scripted `ssh -tt` must keep working) is
    # given one that has what the bastion needs; a dumb one the user chose is refused.
    return None if term_type.strip().lower() in _DUMB_TERMS else TERM_PASSED


def terminal_refusal(ch: ProxyChannel) -> str | None:
    """For an interactive channel: set the terminal type the target gets (`passed_term`), or
    say why the channel is refused (audited as channel.refused, kind pty-req)."""
    if ch.term is None or not ch.interactive:
        return None
    term_type, size, modes = ch.term
    passed = passed_term(term_type)
    if passed is not None:
        ch.term = (passed, size, modes)
        return None
    reason = (f"the terminal type {term_type[:64]!r} has no bracketed paste, which the bastion needs: "
              f"set TERM to your terminal's (e.g. {TERM_PASSED}), or ask for no terminal (ssh -T)")
    ch.app.note_refusal("channel.refused", ch.live.identity.user, "pty-req", session=ch.live.id,
                        reason=reason)
    return reason
