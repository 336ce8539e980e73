"""What the user is about to run in an interactive shell, read from the terminal before it runs.

The bastion relays keystrokes (client -> target) and output (target -> client). Before a submit
key reaches the target, it must know the whole command line as the shell will run it, so that
the policy can judge it. Nothing here does I/O or asyncio: the proxy feeds bytes in and asks.

Contract for the gate (one `CommandLineTracker` per interactive channel; bastion.command_control.typeahead
drives it for bastion.ssh.gate.InputGate)::

    tracker = CommandLineTracker(cols, rows, is_complete=policy.is_complete)

    tracker.feed_output(data)        # every chunk from the target
    tracker.take_unjudged()          # after each: a line that ran unjudged ends the session

    # every chunk from the client:
    for segment in tracker.feed_input(data):
        if isinstance(segment, Forward):
            upstream.write(segment.data)          # keystrokes: forward at once
        elif isinstance(segment, Pause):          # a key the model does not follow was forwarded:
            ... feed segment.rest once the target has answered (its output paused)
        else:                                      # Submit: hold segment.key and segment.rest
            await wait_until(tracker.echo_settled, timeout=SMALL)   # the gate owns the timeout
            if tracker.needs_quiet(): await output to pause          # then read again
            line = tracker.reconstruct()           # judge `line` (see Reconstruction)
            if allowed:
                upstream.write(segment.key)
                tracker.resolve(sent=True)
                ... then feed segment.rest (after the target is ready for it)
            else:
                cancel = tracker.cancel_bytes()    # before resolve(): it depends on the state
                tracker.sent_by_bastion(cancel); upstream.write(cancel)
                tracker.resolve(sent=False)
                ... drop segment.rest; poll tracker.line_is_empty() (bounded) to see the line gone

    tracker.resize(cols, rows)                     # on every window change

Rules the gate can rely on:

- `feed_input` returns at most one `Submit` or `Pause`, always last. A submit key is any key
  READLINE_KEYS lists as one: CR, LF and (in emacs mode) Ctrl-O, also inside a bracketed
  paste (so each pasted line is gated in order, and the rest of the paste waits in
  `Submit.rest` for the verdict of the line before); Esc #, Ctrl-X Ctrl-E, Esc Ctrl-E,
  Ctrl-X e, Ctrl-X Ctrl-R, Esc v; in vi's command mode `#`, `v` and `@`; Ctrl-D on an empty
  continuation line (`how="eof"`: bash ends the statement there, and runs a here-document);
  without a line editor, Ctrl-D on a non-empty line (`how="flush"`, see below); a
  byte >= 0x80 whose meta key (Esc and the byte & 0x7f, as a C locale's readline reads it) is
  one of these (`Submit.meta`: the line goes on afterwards, as the byte may be part of a UTF-8
  character). A prefix (Ctrl-X, Esc) lasts until the next key, whatever output comes between.
  `Submit.how` says what readline does with the line, and `reconstruct()` gives what then
  runs. A CR followed by LF is two submits: "ls \\" CR would otherwise let the LF run a
  statement nobody judged.
- While a `Submit` awaits `resolve()`, do not call `feed_input` (it raises): queue client bytes.
- `reconstruct()` may be called any number of times while a submit is held (a confirmation
  re-reads the line before sending the key). `Reconstruction.kind` is:
  "command": judge `text` with the policy, and each statement in `also` (the shell may run one
  of those instead: earlier lines of an unfinished statement it may have dropped), the
  stricter verdict standing; when `certain` is False the policy's `uncertain` action applies
  (fail closed), `reason` says why;
  "not-a-command": nothing is run by this submit (a password typed without echo, a full-screen
  program such as vim's `:` line, an empty line, or an unfinished statement such as an open
  quote or a trailing backslash: the shell waits for more lines, and the whole statement is
  returned, and must be judged, at its last line);
  "blind": the keys were not echoed at a shell prompt: apply the fail-closed action.
  `text` holds what the screen showed, or a bracketed paste the shell is about to show; never
  keys that a prompt did not echo. At a password prompt `prompt` is its text and `hidden` the
  keys typed without echo (left out of the repr), for the gate to judge as a command line as
  well, since the prompt may be the shell's own fake; never to be shown, logged or stored.
  `hidden_also` holds the other lines the terminal driver may make of those keys (its settings
  are unknown), to be judged and kept the same way.
- `cancel_bytes()` is Ctrl-E Ctrl-U (end of line, kill it), preceded by the end of a bracketed
  paste if one is open and by Ctrl-G when readline holds a prefix (the Ctrl-X of Ctrl-X
  Ctrl-E: Ctrl-E would complete it); it is Ctrl-C when earlier lines of an unfinished
  statement are waiting in the shell (only an interrupt drops those; an Enter would run them).
- `echo_settled()` is True once the screen shows what the keys since the prompt should have
  produced, or when no echo is to be expected (password prompts, lines inside a paste, which
  the shell shows only once the paste ends). A line that never settles is reconstructed anyway
  when the proxy's timeout runs out, and is then uncertain or blind.

How the line is read (JumpServer and Warpgate style, with more checks):

- Output goes through a pyte screen, lazily. Every byte is scanned (regex, C speed) for the
  modes pyte does not keep: the alternate screen (?1049, ?1047, ?47, and ESC c), and bracketed
  paste (?2004), which bash >= 5.1 turns on when it starts reading a line and off when it is
  done. Bulk output is not drawn: once a screenful of rows has gone by, only its lasting
  effects (DEC private modes, the rows scrolled away) and the current row are kept; output
  that cannot be summarised so (binary, cursor-addressed) is cut to its tail.
- The prompt boundary is the cursor at the first keystroke after output. At a submit the line
  is read from there to its end: soft-wrapped rows are joined (the screen model keeps wrap
  flags), rows the shell broke itself (a history entry holding a newline) are kept as lines.
- A keystroke model (readline's emacs keys: insert, backspace, delete, arrows, Ctrl-A/E/B/F,
  Ctrl-U/K/W) predicts the line. When screen and model agree the line is certain. Keys the model
  does not know (Tab, history, Ctrl-R, Ctrl-L, Alt-keys, vi's command mode) make the screen the
  only witness; once the target has answered, the model restarts from what the screen shows.
  Such a key ends a burst (`Pause`): the gate sends what follows once the target answered, so a
  burst reads as slow typing. Keys that still arrive together after it (a wait that ran out)
  count only if they are plain text that the screen shows before the cursor: the target's
  first answer may cover only the first key.
- Readline (bash >= 5.1) turns bracketed paste on when it begins reading a line and off (with a
  CR) when it has finished one. Keys typed before it began (a pager's `q`, keys typed while a
  command ran) may have gone to the program: the line is then what the screen shows after the
  new prompt, if that is exactly the end of what was typed. Each finished line must be
  explained by a key the bastion judged and sent, an interrupt (whose `^C` shows first), or
  Ctrl-D on an empty line; one that is not ran unjudged (`take_unjudged`).
- The boundary is found again after a redraw: a completion listing or Ctrl-L (the line is
  looked up below the old prompt, and must start with what it held before), a resize.
- Type-ahead: keys typed before anything came back since the last submit have no boundary.
  Such a line is certain only when the screen later shows exactly those keys after a known
  prompt, or after the shell announced a new readline (?2004h) that came after the keys; else
  it is uncertain. Keys typed while bash said a command runs (?2004l, no ?2004h since) are read
  where they were typed (a "[Y/n]" or password prompt), or, if the shell shows them again after
  a new prompt, there.
  A Tab or an Esc echoed raw while a line is typed means the terminal driver, not a line
  editor, echoed the keys (the shell will complete or move where the screen shows blanks or
  "^["): such a line is never certain.
- Unfinished statements: a line is the next of the pending statement only when the statement
  began at a known primary prompt, readline read the pending line and began again (bash's
  PS2) at a prompt that is not the primary one, or both are in one paste. Otherwise (an
  answer to `read`, the primary prompt, no line editor) each reading is judged: from each
  place the statement may begin, and this line alone.
  Ctrl-C, EOF and a refused line drop the pending lines.
- Signals: Ctrl-Z and Ctrl-\\ change nothing while readline reads (bash ignores SIGTSTP and
  SIGQUIT at its prompt); only Ctrl-C resets the line there.
- Without a line editor (no ?2004h: sh, dash, bash --noediting or on a dumb terminal) the
  terminal driver edits the line: only text, the pty's VERASE (`erase`), Ctrl-U and Ctrl-W are
  followed (Ctrl-W as Linux's driver erases a word); a line holding any other control key
  (kept as data by the driver, acted on by a line editor, and echoed raw it can move the
  cursor) is never certain, nor a secret when typed blind. Ctrl-D on a non-empty line hands
  it to the shell unended (`how="flush"`): judged, and the line is never certain after.
  The tty's settings are not known (a nested pty, IUTF8, characters a program moved), so the
  bytes typed are also read in every plausible setting (`_tty_readings`): each reading is in
  `also` (or, at a hidden prompt, `hidden_also`) for the gate to judge, the strictest standing.
  The editing mode follows only the lone switches the policy allows (`policy.editing_mode`),
  and only while one shell may be reading: once the mode was switched (or vi found) and a line
  may have started or left a shell (`policy.changes_shell`, Ctrl-D on an empty line), or a
  switch it does not follow was let through, the keys that accept a line or run code in
  either mode are judged, for the rest of the channel, and a held line is cancelled with
  Ctrl-C (attack H, finding 4).
- Credits: a judged key readline may leave unaccepted (an unbound key after a prefix in emacs
  mode, Esc v in emacs mode, a macro, a meta byte) explains only a line end shown before the
  next key.
- Bracketed paste (only when the target turned ?2004 on): the pasted text is literal. The shell
  shows nothing before the paste ends, so a pasted line is taken from the keystrokes, and is
  certain when the part of the line typed before the paste was verified on the screen and the
  paste holds no control characters.
- Alternate screen. Its state is tracked exactly, but it only counts once the program showed
  it is full-screen (it cleared the screen or placed the cursor absolutely). Without that
  evidence (a program that printed ?1049h and left the shell prompt) lines are read as usual.
  With it, a line is treated as shell input only when it looks like one: the text before the
  boundary is a prompt seen earlier in the primary screen, or it ends like a prompt ($ # % >),
  the screen echoes the keys as a line editor would, and the cursor stayed on the boundary's
  line. Anything else (vim's `:` line, which moves the cursor to the bottom row; text inserted
  in vim, whose first key chose the mode) is "not-a-command".
- Password prompts: keys with no echo (or one mask character each) after a row matching
  "password", "pass phrase", "PIN", "token", "secret", "OTP", "(will be hidden)"... are
  "not-a-command", unless that text is a prompt at which shell commands were typed before, or
  readline is reading the line (bash turned bracketed paste on): a shell prompt, whatever it
  says. Without a line editor, keys not echoed at any other prompt (or none) are taken so too,
  once the gate's wait for their echo ran out (`_hidden_prompt`).
- A right-hand prompt (zsh's RPROMPT) seen on the row when the line began is left out.
- Bounds, so that no client input costs unbounded work: window sizes are taken as at most
  2048x512 (and at least 1x1); a line is followed for 64 Ki characters, and a longer one is
  never certain; an escape sequence from the client ends after 64 bytes.

Residual risks (documented, not solved here): a user who can run commands that print escape
sequences controls what the screen shows, so with enough effort (a fake full-screen program
with an unknown prompt, a fake "Password:" prompt with readline and echo switched off, a fake
?2004h while typing ahead) they can make a line look different from what the shell runs; when
readline then finishes it, the backstop sees a line nobody judged. `bind -x` and programmable
completion run code without finishing a line. The keystroke log still holds every key.
The policy holds what changes the keys and settings this module reads by their defaults
(`bind`, `stty`, `set +o emacs`, TERM, a shell's stderr away from the terminal: policy.py).

`KeystrokeRedactor` is the echo rule for the recorder, the command log and live watchers: it
releases typed keys once echoed in the cell the cursor stood at (as bytes) and what was never
echoed as a `Redacted` marker (a str that carries the keys, for a sealed copy).
"""

from __future__ import annotations

import codecs
import copy
import dataclasses
import functools
import itertools
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pyte
from pyte.screens import Char, StaticDefaultDict
from wcwidth import wcwidth

from bastion.command_control import policy

Kind = Literal["command", "not-a-command", "blind"]

_PASTE_START = "\x1b[200~"
_PASTE_END = "\x1b[201~"
_CTRL_C = "\x03"
_CANCEL_LINE = b"\x05\x15"  # Ctrl-E (end of line), Ctrl-U (kill to its start)

# Output scanning. Every byte goes past the DEC private mode pattern and a search for RIS
# (ESC c); both start with a literal, which the regex engine finds fast even in output full of
# colour codes. Absolute cursor moves and erases, the evidence of a full-screen program, are
# looked for only while the alternate screen waits for such evidence.
_PRIVATE_MODE = re.compile(rb"\x1b\[\?([0-9;]*)([hl])")
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

# The client chooses the window size (any 32-bit number in SSH), and the screen model's work
# grows with it: every linefeed moves each row. No real terminal is larger than this; a model
# smaller than the terminal reads lines that do not match the keys, so they are uncertain.
_MAX_COLS, _MAX_ROWS = 2048, 512
# Longest escape sequence taken from the client (real keys are under 16 bytes); one left open
# longer is cut, or a client could make every chunk rescan all it sent since.
_MAX_KEY_ESCAPE = 64
# Every edit copies the line: past this length the line model stops following it (the line is
# then never certain), or a client could make each key cost more than the last.
_MAX_MODEL_LINE = 64 * 1024
_TOO_LONG = "the line is too long to follow"
FULL_SCREEN = "a full-screen program has the terminal"
EMPTY_LINE = "empty line"
_DRIVER_ECHO = "the terminal driver echoed the keys, not a line editor"

# What a prompt for input typed without echo says (attack D, finding 11: openssl's "Enter PEM
# pass phrase:", "Token (will be hidden): "; attack F, finding 4: "API key:", "Credentials:"),
# ending in ":" or "?". The keys are judged as a command line all the same (InputGate).
_PASSWORD = re.compile(
    r"(?i)(pass\s?(word|phrase|code)|\bpass\b|passwort|kennwort|mot de passe|contrase\u00f1a|\bpin\b"
    r"|\btoken\b|\bsecret\b|\botp\b|one-time|verification code|security code"
    r"|authentication code|\b2fa\b|will be hidden|will not (be )?(echo|shown)|no echo"
    r"|\bkey\b|credentials?\b)"
    r"[^\n]*[:?]\s*$")
_TYPED_HIDDEN = "typed at a password prompt, not echoed"
_PROMPT_LIKE = re.compile(r"[$#%>\u276f\u00bb]\s*$")
_REDRAW_KEYS = frozenset({"\t", "\x0c", "\x1b?", "\x1b="})  # completion listings, clear-screen
_SEARCH_KEYS = frozenset({"\x12", "\x13"})  # Ctrl-R, Ctrl-S
_UNKNOWN_HOW = {"edit": "the editor decides what runs (edit-and-execute-command)",
                "macro": "a keyboard macro decides what runs",
                "rebind": "re-reading the init file changes what keys do (re-read-init-file)"}

# The class of readline (bash 5.2) default bindings that finish a line or run code, from
# readline's emacs_keymap.c and vi_keymap.c and bash's bashline.c, and what the tracker does
# with each: (readline function, keys, editing mode, what the gate does). Keys a user binds
# (inputrc, `bind`) are out of sight: the backstop (`take_unjudged`) sees the lines they end.
READLINE_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("accept-line", "C-m, C-j", "emacs, vi", "judged: accept"),
    ("operate-and-get-next", "C-o", "emacs",
     "judged: accept (vi's insert mode inserts ^O: judged there too once either mode may read)"),
    ("insert-comment", "M-# (Esc #)", "emacs, vi", "judged: comment (as if uncommented)"),
    ("insert-comment", "#", "vi command", "judged: comment"),
    ("edit-and-execute-command", "C-x C-e", "emacs", "judged: edit (policy's unknown)"),
    ("vi-edit-and-execute-command", "v, Esc v", "vi command", "judged: edit (unknown)"),
    ("shell-expand-line", "M-C-e (Esc C-e)", "emacs", "judged: expand (runs $( ) now)"),
    ("call-last-kbd-macro", "C-x e", "emacs", "judged: macro (unknown)"),
    ("posix-edit-macros", "@x (alias _x)", "vi command", "judged: macro (unknown)"),
    ("emacs-editing-mode", "C-e", "vi command (bash unbinds)",
     "sent: either mode may read on after it (attack H, finding 4)"),
    ("vi-editing-mode", "M-C-j, M-C-m", "emacs (bash unbinds)",
     "judged: accept, a conditional credit (unbound: readline rings its bell)"),
    ("delete-char / vi-eof-maybe", "C-d on an empty line", "emacs, vi",
     "not judged at the primary prompt: EOF, no line runs; the backstop expects its end"),
    ("delete-char / vi-eof-maybe", "C-d on an empty continuation line", "emacs, vi",
     "judged: eof (the statement as bash runs it at EOF)"),
    ("(terminal driver VEOF, no line editor)", "C-d on a non-empty line", "sh, dash",
     "judged: flush (the driver hands the line over unended; a second C-d is EOF and runs it)"),
    ("convert-meta (C locale)", "a byte >= 0x80 read as Esc + (byte & 0x7f)", "emacs, vi",
     "judged where that is a judge point (0x85, 0xA3, 0xF6; vi: 0xC0, 0x8D, 0x8A)"),
    ("re-read-init-file", "C-x C-r", "emacs", "judged: rebind (unknown: it loads bindings)"),
    ("history-expand-line, tilde-expand, glob-expand-word, spell-correct-word, "
     "alias-expand-line, magic-space (unbound)", "M-^, M-&, C-x *, C-x s", "emacs",
     "not judged: they change text only; the line is read from the screen"),
    ("complete and its variants", "Tab, M-/, M-!, M-$, M-~, M-@, C-x /, ...", "emacs, vi",
     "not judged: programmable completion may run code (complete -C/-F: the policy's)"),
)
_INTERRUPTS = frozenset({"\x03", "\x1a", "\x1c"})  # Ctrl-C, Ctrl-Z, Ctrl-\\ (signals from the tty)
# Ctrl-Z and Ctrl-\\ send SIGTSTP and SIGQUIT, which interactive bash ignores at its prompt:
# readline keeps its line. Only Ctrl-C (readline's SIGINT handler) drops it there.
_IGNORED_AT_PROMPT = frozenset({"\x1a", "\x1c"})
# Keys the terminal driver may take before readline sees them: the ignored signals above, and
# Ctrl-S / Ctrl-Q while flow control (IXON) is on. They never complete a prefix readline holds.
_MAYBE_UNSEEN = frozenset({"\x1a", "\x1c", "\x13", "\x11"})
# 8-bit meta: in a C/POSIX locale readline (convert-meta on) reads a byte >= 0x80 as Esc and
# the byte & 0x7f. The bastion cannot know the target's locale, so each such byte whose meta
# key is a judge point is judged before it is sent (in a UTF-8 locale it is part of a character:
# the line so far is judged, and the line goes on). Esc CR is accept-line in vi mode only
# (bash unbinds M-C-m in emacs mode); 0xF6 (Esc v) and 0xC0 (Esc @) are never in UTF-8 text.
_META_EMACS = {0x85: "expand", 0xA3: "comment", 0xF6: "edit"}
_META_VI = {**_META_EMACS, 0xC0: "macro", 0x8D: "accept", 0x8A: "accept"}
_META_EMACS_RE = re.compile(rb"[\x85\xa3\xf6]")
_META_VI_RE = re.compile(rb"[\x85\xa3\xf6\xc0\x8d\x8a]")
# What shell-expand-line can run code through: command and process substitution, and
# arithmetic or parameter expansion (array subscripts); a line without them runs nothing.
_EXPANDS_CODE = re.compile(r"[$`]|[<>]\(")
_HEREDOC_WORD = re.compile(r"<<-?[ \t]*(['\"]?)([A-Za-z0-9_.-]+)\1")
_MAX_STARTS = 16  # readings of an unfinished statement followed at once; beyond, uncertain
# Keys the terminal driver (a shell without readline: sh, dash, bash --noediting or with
# TERM=dumb, where no line editor announced itself) acts on; any other control key is data in
# the line, which a raw echo (stty -echoctl) can hide: such a line is never certain.
_TTY_DATA = "a control key the terminal driver keeps in the line as data (no line editor seen)"
_TTY_SIGNAL = "Ctrl-Z or Ctrl-\\ may have dropped the line (no line editor seen)"
_TTY_FLUSHED = ("Ctrl-D handed the line to the shell unended (no line editor seen): the shell "
                "holds it, and the keys typed next are edited apart from it")
_TTY_WERASE = "Ctrl-W over a character the terminal driver may class otherwise (no line editor seen)"
_VI_MOTIONS = frozenset(" hl^$0ftFT;,%wbeWBE|")  # readline's vi motions (rl_vi_domove)
_VI_JUDGED: dict[str, How] = {"#": "comment", "v": "edit", "@": "macro"}
_VI_INSERT = frozenset("iaIAsSCR")  # vi commands that leave command mode for text
_VI_OPERATORS = frozenset("cdy")  # vi commands that take a motion (`c` then inserts)
_VI_TAKES_CHAR = frozenset("rfFtT")  # vi commands whose next key is a character, not a command
_SEARCH_PROMPT = re.compile(r"\((?:failed )?(?:reverse-)?i-search\)`.*?': ")
_ARG_PROMPT = re.compile(r"\(arg: -?\d+\) ")
_READLINE_PROMPT = re.compile(f"{_SEARCH_PROMPT.pattern}|{_ARG_PROMPT.pattern}")
_PREFIXES = frozenset({"\x18", "\x1b"})  # Ctrl-X and a lone Esc (emacs): the next key completes them
_CONTINUATION = ("unfinished statement: the shell waits for more lines; "
                 "the whole statement is judged at its last line")

# Marks a row whose last cell wrapped onto the next one. It rides on pyte's row object, so
# scrolling and line insertion carry it, and erasing the row's end drops it.
_WRAP = Char(" ")


@dataclass(frozen=True)
class Forward:
    """Client bytes to pass to the target now."""

    data: bytes


How = Literal["accept", "comment", "edit", "expand", "macro", "rebind", "eof", "flush"]
# From the mildest to the strictest: what a key read in two ways is taken for (None: no judge
# point); code decided only at run time (an editor, a macro, new bindings) last.
_HOW_STRICTNESS: tuple[How | None, ...] = (None, "accept", "flush", "eof", "comment", "expand",
                                           "macro", "edit", "rebind")


@dataclass(frozen=True)
class Submit:
    """A key that may make the shell run something. `key` reaches the target only if the verdict
    on `reconstruct()` allows it; `rest` is client input after it, not yet looked at (feed it
    after `resolve(sent=True)`). `how` is what readline does with the line (see READLINE_KEYS)."""

    key: bytes
    rest: bytes
    how: How = "accept"
    meta: bool = False  # an 8-bit byte read as its meta key (see _META_EMACS)


@dataclass(frozen=True)
class Pause:
    """Forwarded up to a key the line model does not follow (Tab, Up, Ctrl-R, ...): `rest` is
    client input after it, to feed once the target has answered, as if typed slowly."""

    rest: bytes


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


# -- the screen model -------------------------------------------------------------------------

class _Screen(pyte.Screen):
    """A pyte screen that also keeps soft-wrap flags, a scroll count and the primary screen."""

    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self.scrolled = 0  # rows scrolled off the top so far, to keep positions across scrolls
        self._drawing = False
        self._primary: tuple[dict, pyte.screens.Cursor | None] | None = None

    def draw(self, data: str) -> None:
        self._drawing = True
        try:
            super().draw(data)
        finally:
            self._drawing = False

    def linefeed(self) -> None:
        if self._drawing:  # pyte wraps by calling carriage_return() and linefeed() from draw()
            self.buffer[self.cursor.y][-1] = _WRAP
        super().linefeed()

    def index(self) -> None:
        bottom = self.margins.bottom if self.margins else self.lines - 1
        if self.cursor.y == bottom:
            self.scrolled += 1
        super().index()

    def reverse_index(self) -> None:
        top = self.margins.top if self.margins else 0
        if self.cursor.y == top:
            self.scrolled -= 1
        super().reverse_index()

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        super().erase_in_line(how, private)
        if how in (0, 2):
            self.buffer[self.cursor.y].pop(-1, None)

    def scroll_out(self) -> None:
        """What a screenful of CR LF does: every row scrolled away, the cursor at the start of
        the bottom row (of the scroll region it is in)."""
        top, bottom = self.margins or (0, self.lines - 1)
        if not top <= self.cursor.y <= bottom:
            top, bottom = 0, self.lines - 1
        for y in range(top, bottom + 1):
            self.buffer.pop(y, None)
        self.cursor.x, self.cursor.y = 0, bottom
        self.scrolled += self.lines

    def wrapped(self, y: int) -> bool:
        line = self.buffer.get(y)
        return line is not None and dict.get(line, -1) is _WRAP

    def forget_wraps(self) -> None:
        for line in self.buffer.values():
            if dict.get(line, -1) is _WRAP:
                del line[-1]

    def text(self, y: int, start: int = 0, end: int | None = None) -> str:
        """The characters of row `y` in cells [start, end); blank cells are spaces."""
        end = self.columns if end is None else min(end, self.columns)
        line = self.buffer.get(y)
        if line is None:
            return " " * max(0, end - start)
        return "".join(line[x].data for x in range(start, end))

    def enter_alternate(self, restore_cursor: bool) -> None:
        if self._primary is None:
            rows = {y: _copy_row(line) for y, line in self.buffer.items()}
            self._primary = (rows, copy.copy(self.cursor) if restore_cursor else None)
        self.buffer.clear()

    def leave_alternate(self) -> None:
        if self._primary is None:
            return
        rows, cursor = self._primary
        self._primary = None
        self.buffer.clear()
        self.buffer.update(rows)
        if cursor is not None:
            self.cursor = cursor

    def forget_alternate(self) -> None:
        self._primary = None


def _lenient(handler: Callable[..., None]) -> Callable[..., None]:
    """pyte hands a CSI sequence's parameters straight to its handler: one with too many
    parameters, or a stray '?', raises inside pyte's parser. Output must never break the
    model, so such a sequence is ignored."""
    @functools.wraps(handler)
    def call(self: _Screen, *params: int, private: bool = False) -> None:
        try:
            if private:
                handler(self, *params, private=True)
            else:
                handler(self, *params)
        except (TypeError, ValueError, IndexError, KeyError):
            pass
    return call


for _event in set(pyte.Stream.csi.values()):
    setattr(_Screen, _event, _lenient(getattr(_Screen, _event)))


def _copy_row(line: StaticDefaultDict) -> StaticDefaultDict:
    row = StaticDefaultDict(line.default)
    row.update(line)
    return row


def _mode_replay(data: bytearray, end: int) -> str:
    """The DEC private modes (autowrap, origin, ...) output up to `end` leaves set, as escape
    sequences. Scroll margins and ANSI modes are not replayed: a screen model that misses
    them reads a line that does not match the keystrokes, which is uncertain, not wrong."""
    modes: dict[bytes, bytes] = {}
    for m in _PRIVATE_MODE.finditer(data, 0, end):
        params, final = m.groups()
        for param in params.split(b";"):
            modes[param] = final
    return "".join(f"\x1b[?{param.decode()}{final.decode()}" for param, final in modes.items())


def _display(text: str, col: int, cols: int) -> str:
    """How readline shows `text` starting at screen column `col`."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t":
            n = 8 - (col % cols) % 8
            out.append(" " * n)
            col += n
        elif ch < " " or ch == "\x7f":
            out.append("^" + chr(ord(ch) ^ 0x40))
            col += 2
        else:
            out.append(ch)
            col += max(wcwidth(ch), 1)
    return "".join(out)


def _cells(text: str) -> int:
    return sum(max(wcwidth(ch), 0) for ch in text)


# -- keystrokes -------------------------------------------------------------------------------

_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
_CSI_START = re.compile(rb"\x1b\[[0-?]*[ -/]*")
_TEXT_RUN = re.compile(rb"[\x20-\x7e\x80-\xff]+")
_C1 = re.compile(r"([\x80-\x9f])")


class _KeyReader:
    """Splits client bytes into keys, as bytes: runs of printable text, control characters, and
    escape sequences. An escape sequence or a UTF-8 character cut by the end of a chunk is kept
    for the next one (its bytes have been forwarded; only the reading waits)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, data: bytes) -> list[bytes]:
        buf = self.pending + data
        self.pending = b""
        keys = []
        pos, n = 0, len(buf)
        while pos < n:
            byte = buf[pos]
            if byte == 0x1B:
                end = self._escape_end(buf, pos)
                if end is None:
                    self.pending = buf[pos:]
                    break
            elif byte < 0x20 or byte == 0x7F:
                end = pos + 1
            else:
                end = _TEXT_RUN.match(buf, pos).end()
                if end == n:
                    cut = _utf8_complete(buf, pos)
                    if cut < n:
                        if cut > pos:
                            keys.append(buf[pos:cut])
                        self.pending = buf[cut:]
                        break
            keys.append(buf[pos:end])
            pos = end
        return keys

    @staticmethod
    def _escape_end(buf: bytes, pos: int) -> int | None:
        n = len(buf)
        if pos + 1 == n:
            return None
        nxt = buf[pos + 1]
        if nxt == 0x5B:  # [
            m = _CSI.match(buf, pos)
            if m:
                return m.end()
            start = _CSI_START.match(buf, pos).end()
            if start == n and start - pos < _MAX_KEY_ESCAPE:
                return None  # cut short by the end of the chunk
            return start  # broken by another character, or too long to be a key
        if nxt == 0x4F:  # O
            if pos + 2 == n:
                return None
            return pos + 3 if 0x20 <= buf[pos + 2] <= 0x7E else pos + 2
        if nxt < 0x20 or nxt == 0x7F:
            return pos + 1  # a lone Esc
        if nxt >= 0xC0:  # Alt + a character of several bytes
            end = pos + 1 + _utf8_len(nxt)
            return None if end > n else end
        return pos + 2  # Alt + key

    def flush(self) -> list[bytes]:
        """Whatever is held back, as a key (at the end of the channel)."""
        rest, self.pending = self.pending, b""
        return [rest] if rest else []


def _utf8_len(lead: int) -> int:
    return 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1


def _utf8_complete(buf: bytes, start: int) -> int:
    """Where the complete UTF-8 characters of buf[start:] end: an unfinished character at the
    end (its lead byte within the last 3 bytes) is left out."""
    n = len(buf)
    for back in range(1, min(4, n - start + 1)):
        byte = buf[n - back]
        if byte >= 0xC0:
            return n - back if back < _utf8_len(byte) else n
        if byte < 0x80:
            return n
    return n


def _key_text(key: bytes, errors: str = "replace") -> list[str]:
    """A key as the line model takes it: a run of text (split at C1 controls, which are keys of
    their own), a control character or an escape sequence. Bytes that are not UTF-8 are U+FFFD,
    or with errors="surrogateescape" a lone surrogate each, from which the byte comes back."""
    text = key.decode("utf-8", errors)
    if (key[0] < 0x20 or key[0] == 0x7F) or not _C1.search(text):
        return [text]
    return [part for part in _C1.split(text) if part]


class _LineModel:
    """The line as readline would hold it after the keys seen, while every key is understood."""

    def __init__(self, text: str = "", cursor: int = 0, suspect: str = "") -> None:
        self.text = text
        self.cursor = cursor
        self.reliable = True
        self.anchor: str | None = None  # the text before the first key not understood
        self.relearn = False  # that key may have redrawn the line elsewhere (listing, Ctrl-L)
        self.suspect = suspect  # why the line cannot be certain even when the screen agrees
        # Keys applied while not reliable since the target last answered: the screen shows
        # the line only once it has answered all of them, not just the first.
        self.batch: list[str] = []

    def apply(self, key: str) -> None:
        if len(self.text) > _MAX_MODEL_LINE:
            self.suspect = _TOO_LONG
            return
        edit = _EDITS.get(key)
        if self.reliable:
            if edit is not None:
                edit(self)
            elif _is_text(key):
                self.insert(key)
            else:
                self.reliable = False
                self.anchor = self.text
                self.relearn = key in _REDRAW_KEYS
                self.batch = [key]
            return
        if edit is None and not _is_text(key):
            # a second key not understood: what the line held before is unknown
            self.anchor = None
            self.relearn = False
        self.batch.append(key)

    def insert(self, text: str) -> None:
        if len(self.text) > _MAX_MODEL_LINE:
            self.suspect = _TOO_LONG
            return
        self.text = self.text[:self.cursor] + text + self.text[self.cursor:]
        self.cursor += len(text)


def _backspace(m: _LineModel) -> None:
    if m.cursor:
        m.text = m.text[:m.cursor - 1] + m.text[m.cursor:]
        m.cursor -= 1


def _delete(m: _LineModel) -> None:
    m.text = m.text[:m.cursor] + m.text[m.cursor + 1:]


def _home(m: _LineModel) -> None:
    m.cursor = 0


def _end(m: _LineModel) -> None:
    m.cursor = len(m.text)


def _left(m: _LineModel) -> None:
    m.cursor = max(0, m.cursor - 1)


def _right(m: _LineModel) -> None:
    m.cursor = min(len(m.text), m.cursor + 1)


def _kill_to_start(m: _LineModel) -> None:
    m.text = m.text[m.cursor:]
    m.cursor = 0


def _kill_to_end(m: _LineModel) -> None:
    m.text = m.text[:m.cursor]


def _tty_werase(m: _LineModel) -> None:
    """VWERASE as Linux's terminal driver does it (BSD's ALTWERASE): it erases back over
    anything until it has seen a letter, digit or `_`, then up to the next other character
    (`rm /tmp/x` leaves `rm /tmp/`; readline's Ctrl-W would leave `rm `). Past a non-ASCII
    character the driver's classing (Latin-1 ctype, UTF-8 or not) is unknown: suspect."""
    i = m.cursor
    seen = False
    while i:
        c = m.text[i - 1]
        if not c.isascii():
            m.suspect = _TTY_WERASE
        if c.isalnum() or c == "_":
            seen = True
        elif seen:
            break
        i -= 1
    m.text = m.text[:i] + m.text[m.cursor:]
    m.cursor = i


# -- the terminal driver's line, in every reading (attack H) ---------------------------------
# Without a line editor the tty's line discipline edits the line, with settings the bastion
# cannot see: a nested pty (pty.spawn, docker exec -t, systemd-run -t) has the kernel's
# defaults, the client's IUTF8 may be either, and a program may have moved or disabled the
# special characters (inline termios code, which no policy can read). So the bytes typed are
# read in each plausible setting, every reading is judged, and the strictest verdict stands.
_CTRL_U, _CTRL_W, _CTRL_V = 0x15, 0x17, 0x16
_TTY_DROPPED = b"\x11\x12\x13"  # VSTART, VREPRINT, VSTOP: the driver stores none of them
_TTY_SIGNALS = b"\x03\x1a\x1c"  # VINTR, VSUSP, VQUIT: the driver flushes the line
_TTY_OPEN = "in another reading of the tty's settings the statement is unfinished"
_TTY_OTHER = "a statement in another reading of the tty's settings"
_MAX_MOVED = 8  # distinct control characters read as moved special characters; beyond: unknown
_MAX_EDITS = 1024  # control keys in one line read in every setting (each costs a step in each)
_TTY_MOVED = "too many control characters to read in every setting of the tty"


@dataclass(frozen=True)
class _TtySettings:
    """The special characters of one reading (empty: none), and IUTF8."""

    erase: bytes = b""
    kill: bytes = b""
    werase: bytes = b""
    lnext: bytes = b""
    dropped: bytes = b""
    signals: bytes = b""
    iutf8: bool = False
    moved: bool = False  # a special character moved to another key (by inline termios code)


def _latin1_alnum(c: int) -> bool:
    """isalnum() of the kernel's ctype (Latin-1), which VWERASE classes bytes by."""
    return (c < 0x80 and (chr(c).isalnum() or c == 0x5F)) or (c >= 0xC0 and c not in (0xD7, 0xF7))


def _tty_erase(buf: bytearray, iutf8: bool, kind: str) -> None:
    """n_tty.c's eraser(): one character ("erase"), a word ("werase") or all ("kill"). With
    IUTF8 a character is the continuation bytes at the end and the one byte before them,
    whatever it is (`#` 0x80 DEL erases the `#`); continuation bytes at the very start of the
    line are never erased. Without IUTF8 each byte is a character."""
    if kind == "kill":
        keep = 0
        while iutf8 and keep < len(buf) and buf[keep] & 0xC0 == 0x80:
            keep += 1
        del buf[keep:]
        return
    seen = False
    while buf:
        head = len(buf) - 1
        while head and iutf8 and buf[head] & 0xC0 == 0x80:
            head -= 1
        c = buf[head]
        if iutf8 and c & 0xC0 == 0x80:
            return
        if kind == "werase":
            if _latin1_alnum(c):
                seen = True
            elif seen:
                return
        del buf[head:]
        if kind == "erase":
            return


@functools.lru_cache(maxsize=256)
def _special_bytes(special: bytes) -> re.Pattern[bytes]:
    return re.compile(b"[" + b"".join(b"\\x%02x" % c for c in special) + b"]")


def _tty_line(parts: list[bytes], s: _TtySettings) -> bytes:
    """What the line discipline hands the shell for these keys (each part after the first
    follows a VEOF that handed the line over: no erase reaches back into it). With no special
    character at all the VEOF is data too. Text between special characters is copied whole."""
    special = s.erase + s.kill + s.werase + s.lnext + s.dropped + s.signals
    if not (s.erase or s.kill or s.werase or s.signals):
        return b"\x04".join(parts)
    find = _special_bytes(special).search
    out = b""
    for part in parts:
        buf = bytearray()
        pos = 0
        while (m := find(part, pos)) is not None:
            at = m.start()
            buf += part[pos:at]
            c, pos = part[at], at + 1
            if c in s.signals:
                buf.clear()
            elif c in s.erase or c in s.kill or c in s.werase:
                _tty_erase(buf, s.iutf8, "erase" if c in s.erase else "kill" if c in s.kill
                           else "werase")
            elif c in s.lnext:
                buf += part[pos:pos + 1]
                pos += 1
        buf += part[pos:]
        out += bytes(buf)
    return out


def _tty_settings(erase: int, raw: bytes) -> list[_TtySettings] | None:
    """The readings of a line typed with these bytes: the client's erase, DEL and ^H (a nested
    pty, `reset` to the terminal's kbs), each with IUTF8 on and off, the kernel's other
    defaults; every control character as data; and each control character typed as the only
    erase, kill or word erase (moved by a program). None when too many control characters
    were typed to read each as moved."""
    readings = [_TtySettings(bytes([e]), bytes([_CTRL_U]), bytes([_CTRL_W]), bytes([_CTRL_V]),
                             _TTY_DROPPED, _TTY_SIGNALS, iutf8)
                for e in dict.fromkeys((erase, 0x7F, 0x08)) for iutf8 in (True, False)]
    readings.append(_TtySettings())
    controls = [c for c in range(0x20) if bytes([c]) in raw] + ([0x7F] if b"\x7f" in raw else [])
    if len(controls) > _MAX_MOVED or sum(raw.count(c) for c in controls) > _MAX_EDITS:
        return None
    for c in controls:
        one = bytes([c])
        readings += [_TtySettings(erase=one, iutf8=True, moved=True),
                     _TtySettings(erase=one, moved=True), _TtySettings(kill=one, moved=True),
                     _TtySettings(werase=one, moved=True)]
    return readings


def _tty_readings(parts: list[bytes], erase: int) -> dict[str, bool] | None:
    """The distinct lines the shell may get for these keys (see _tty_settings), as text, each
    with whether only a moved special character reads it so."""
    settings = _tty_settings(erase, b"".join(parts))
    if settings is None:
        return None
    readings: dict[str, bool] = {}
    for s in settings:
        text = _tty_line(parts, s).decode("utf-8", "replace")
        readings[text] = readings.get(text, True) and s.moved
    return readings


def _rubout_word(m: _LineModel) -> None:
    i = m.cursor
    while i and m.text[i - 1].isspace():
        i -= 1
    while i and not m.text[i - 1].isspace():
        i -= 1
    m.text = m.text[:i] + m.text[m.cursor:]
    m.cursor = i


_EDITS: dict[str, Callable[[_LineModel], None]] = {
    "\x7f": _backspace, "\x08": _backspace,
    "\x04": _delete, "\x1b[3~": _delete,
    "\x01": _home, "\x1b[H": _home, "\x1bOH": _home, "\x1b[1~": _home, "\x1b[7~": _home,
    "\x05": _end, "\x1b[F": _end, "\x1bOF": _end, "\x1b[4~": _end, "\x1b[8~": _end,
    "\x02": _left, "\x1b[D": _left, "\x1bOD": _left,
    "\x06": _right, "\x1b[C": _right, "\x1bOC": _right,
    "\x15": _kill_to_start, "\x0b": _kill_to_end, "\x17": _rubout_word,
}


# -- the tracker ------------------------------------------------------------------------------

@dataclass
class _Boundary:
    abs_row: int  # row + the screen's scroll count when learned
    col: int
    prompt: str  # the row's text left of the boundary
    rprompt: str = ""  # the row's text right of it when that was a right-hand prompt (zsh)


@dataclass
class _Region:
    text: str  # from the boundary: wrapped rows joined, rows broken by the shell as lines
    cursor: int | None  # where the cursor sits in `text`; None when it is outside
    chain_end: int  # the last row joined to the boundary's row by soft wraps
    below: bool  # text on rows under the region


@dataclass
class _Line:
    model: _LineModel = field(default_factory=_LineModel)
    boundary: _Boundary | None = None
    active: bool = False
    first_key_seq: int = 0
    last_key_seq: int = 0
    began_in_paste: bool = False
    paste_from: int | None = None  # where in the model an honoured paste began in this line
    start: tuple[int, int] = (0, 0)  # the cursor at the first key (absolute row, column)
    prompt: str | None = None  # the prompt the line began at
    searched: bool = False  # Ctrl-R / Ctrl-S: readline shows a search prompt instead
    while_running: bool = False  # begun while bash ran a command: the shell may read it later
    redrawn: bool = False  # resized: the line must be found again
    # Readline started reading (?2004h) after keys of this line: (absolute row, column where
    # it began, how many model characters were typed before, None if the model lost them).
    restart: tuple[int, int, int | None] | None = None
    macro: bool = False  # a macro was let through: readline may have accepted the line
    keyed: bool = False  # a key other than the submit was typed in this line
    # The bytes typed while no line editor read (the terminal driver edits them), split where
    # a VEOF handed the line over: read in every reading of the tty's settings (_tty_readings).
    raw: list[bytearray] = field(default_factory=lambda: [bytearray()])


@dataclass
class _Reading:
    text: str
    certain: bool
    reason: str
    kind: Kind
    settled: bool
    prompt: str = ""
    hidden: str = field(default="", repr=False)


class CommandLineTracker:
    """Screen model + keystroke model of one interactive channel. See the module docstring."""

    def __init__(self, cols: int = 80, rows: int = 24, *,
                 is_complete: Callable[[str], bool] = policy.is_complete, erase: int = 0x7F) -> None:
        self._screen = _Screen(*_window(cols, rows))
        self._stream = pyte.Stream(self._screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._backlog = bytearray()  # output not drawn yet
        self._carry = b""  # an escape sequence cut by the end of a chunk
        self._is_complete = is_complete
        self._alt = False
        self._alt_evidence = False
        self._alt_rows = 0  # linefeeds written to the alternate screen, while without evidence
        self._bracketed = False
        self._out_seq = 0  # counts output chunks, to order output against keystrokes
        self._epoch_seq = 0  # _out_seq when the current line's turn began (submit, Ctrl-C)
        self._running = False  # bash said a command runs (?2004l) and has not read a line since
        self._readline_seq = -1  # _out_seq of the last ?2004h
        self._readline_followed = False  # output came after it (its prompt)
        self._chunk_cursor: tuple[int, int] | None = None  # the cursor before the last chunk
        self._chunk_tail: int | None = None  # that chunk's bytes at the end of the backlog
        self._keys = _KeyReader()
        self._line = _Line()
        self._next_in_paste = False
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
        self._vi = False  # readline is believed to be in vi mode (`set -o vi` was run)
        # ... or may be in either: the keys of both modes are judged (see `_note_mode`).
        self._emacs_too = False
        self._switched = False  # the editing mode was switched (or vi found) in this channel
        self._nested = False  # a line may have started another shell or left this one
        self._esc_probe: tuple[int, tuple[int, int]] | None = None  # a lone Esc just sent
        self._vi_command = False  # ... and in its command mode
        self._vi_argument = False  # ... where the next key is a character argument
        # The backstop (see unjudged_line): readline is reading a line the bastion watches.
        self._armed = False
        self._credits = 0  # judged submits sent while readline read the current line
        self._ahead = 0  # judged submits sent while nothing read (typed ahead of the shell)
        self._keys_since_arm = 0
        self._ender: str | None = None  # "interrupt" or "eof": a key that may end a line
        self._ender_text = ""  # output since that key, escape sequences left out
        self._end_check = False  # a chunk ended with ?2004l: is readline's CR next?
        self._unjudged: str | None = None

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

    def readline_ready_since(self, count: int) -> bool:
        """Readline began a new line (?2004h) after output chunk `count`, and no line typed
        ahead of it is still due: the shell waits for keys at a prompt."""
        return (self._readline_seq > count and self._bracketed and not self._ahead
                and self._readline_followed and not self._alt)  # vim turns it on too

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

    # -- output ---------------------------------------------------------------------------

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
                # Readline draws its prompt right after: until output follows, it is not there.
                self._readline_followed = m.end() < len(data)
                self._draw_up_to(data, start, m.end())
                start = m.end()
                self._readline_began()
            else:
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

    def _readline_ended(self, data: bytes, start: int, at: int) -> None:
        """Readline finished a line (?2004l CR): the backstop checks the bastion let it."""
        armed, self._armed = self._armed, False
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
        for byte in data:
            if byte == 0x0D:
                self._credit()
            elif byte == 0x03:
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

    # -- input ----------------------------------------------------------------------------

    def feed_input(self, data: bytes) -> list[Forward | Submit | Pause]:
        """Take a chunk from the client: what to forward now, then at most one `Submit` (a key
        to judge first) or `Pause` (forwarded up to a key the model does not follow), last."""
        if self._submit is not None:
            raise RuntimeError("feed_input() while a submit awaits resolve()")
        self._probe_vi()
        carried = len(self._keys.pending)  # bytes of the first key that came (and went) earlier
        end = -carried
        keys = deque(self._keys.feed(data))
        while keys:
            key = keys.popleft()
            if self._vi and len(key) > 1 and _is_text(key[:1].decode("latin-1")) \
                    and self._vi_command_now():
                # In vi's command mode each character is a command (`x`, then `v`): one at a time.
                n = 1 if key[0] < 0x80 else _utf8_len(key[0])
                keys.appendleft(key[n:])
                key = key[:n]
            start, end = end, end + len(key)
            self._maybe = None  # a conditional credit explains only the line end right after it
            meta = self._meta_point(key, max(0, -start))
            if meta is not None:
                return self._meta_submit(data, key, start, *meta)
            how = self._judge_point_either(key) if self._emacs_too else self._judge_point(key)
            if how is not None:
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
        if self._keys.pending == b"\x1b" and not self._vi:
            self._esc_probe = (self._out_seq, self.cursor_position())
        return [Forward(data)] if data else []

    def _meta_point(self, key: bytes, skip: int) -> tuple[int, How] | None:
        """The first byte of a text key, from `skip` on, whose meta key is a judge point."""
        if key[0] < 0x20 or key[0] == 0x7F or self._in_paste or (
                self._vi and self._vi_argument and not self._emacs_too):
            return None
        m = (_META_VI_RE if self._vi else _META_EMACS_RE).search(key, skip)
        if m is None:
            return None
        return m.start(), (_META_VI if self._vi else _META_EMACS)[key[m.start()]]

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
        if texts and (not rec.certain or any(policy.changes_shell(text) for text in texts)):
            self._note_mode(nested=True)
        if any(policy.switches_mode(text) and (not rec.certain or policy.editing_mode(text) is None)
               for text in texts):
            # A switch the tracker does not follow, let through (a supervisor confirmed it):
            # the mode it left is unknown.
            self._either_mode()
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

        READLINE_KEYS lists the class. Keys in a bracketed paste are text, except line ends.
        """
        key = raw.decode("utf-8", "replace")
        if self._in_paste:
            return "accept" if key in ("\r", "\n") else None
        # A prefix (Esc, Ctrl-X) waits in readline until the next key, whatever output, redraw
        # or resize comes between: only the next key, Ctrl-C or a new line ends it.
        prev = self._last_prefix
        if key in ("\r", "\n"):
            return "accept"
        if key == "\x04" and self._pending and self._eof_possible():
            return "eof"  # EOF on a continuation line: bash runs (or drops) the statement
        if key == "\x04" and self._tty_rules() and not self._line_empty_for_eof():
            # The terminal driver's VEOF hands the partial line to the shell (attack F,
            # finding 2): a second Ctrl-D, or the Enter of the next line, runs it.
            return "flush"
        if key == "\x0f":
            return None if self._vi and not prev else "accept"  # vi's insert mode inserts ^O
        if key == "\x05" and prev == "\x1b":
            return "expand"
        if prev == "\x18" and key in ("\x05", "e", "\x12"):
            return {"\x05": "edit", "e": "macro", "\x12": "rebind"}[key]
        if key == "\x1b#":
            return "comment"
        if key == "\x1bv":
            return "edit"
        if self._vi and len(key) == 2 and key[0] == "\x1b":
            return _VI_JUDGED.get(key[1])  # Esc, then a command key
        if (self._vi and (self._vi_command_now() or self._vi_meta_at is not None)
                and not self._vi_argument and not self._vi_operator):
            return _VI_JUDGED.get(key)  # (unanswered 8-bit text may have left insert mode)
        return None

    def _on_key(self, raw: bytes) -> bool:
        """Apply a key that is not a judge point; False when the model does not follow it and
        the target's answer must be awaited before the next key (see `Pause`)."""
        followed = True
        tty = self._tty_rules() and not self._in_paste
        before = self._line.raw
        for key in _key_text(raw):
            followed = self._apply_key(key) and followed
        if tty and self._line.raw is not before:
            # Ctrl-C began a new line, as VINTR does; where inline code moved or disabled it,
            # the tty kept the line and the Ctrl-C as data: that reading goes on until a
            # submit (the signal's own reading flushes the line, as the model did).
            self._line.raw = [*before[:-1], before[-1] + raw]
        elif tty:
            self._line.raw[-1] += raw
        return followed

    def _apply_key(self, key: str) -> bool:
        line = self._line
        self._note_key(key)
        if not line.active:
            self._begin_line()
        elif self._out_seq > line.last_key_seq:
            self._resume_after_restart()
        model = line.model
        line.keyed = True
        followed = True
        if self._in_paste:
            if key == _PASTE_END:
                self._in_paste = False
            else:
                if not key.isprintable() and key != "\t":
                    model.suspect = "the paste holds control characters"
                model.insert(key)
        elif key == _CTRL_C:
            self._pending.clear()
            self._starts.clear()
            self._new_line()
            return True
        elif key in _IGNORED_AT_PROMPT and self.readline_reading:
            line.last_key_seq = self._out_seq
            return True  # bash ignores the signal; readline never sees the key
        else:
            if self._tty_rules() and self._tty_keeps(key, model):
                model.suspect = _TTY_SIGNAL if key in _IGNORED_AT_PROMPT else _TTY_DATA
            if not model.reliable and self._out_seq > line.last_key_seq:
                self._rebase()
                model = line.model
                model.batch = []
            if key == _PASTE_START and self._bracketed:
                self._in_paste = True
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
                if key == "\x17" and self._tty_rules() and model.reliable:
                    _tty_werase(model)  # the driver's word erase, not readline's
                else:
                    model.apply("\x00" + key if vi_command else prefix + key)
                # Ctrl-D on an empty line ends the shell: what follows is for the next one.
                # While the model is lost (a search, a listing), every key waits its answer.
                followed = (model.reliable and (key in _EDITS or _is_text(key))
                            and not vi_command and not eof)
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

    def _vi_command_now(self) -> bool:
        """Whether vi's command mode is on: a change (`c` and a motion) that readline answered
        with its bell failed and left it there."""
        if self._vi_meta_at is not None and self._out_seq > self._vi_meta_at:
            self._vi_meta_at = None
            if not self._echo_shows_model():
                self._vi_command = True
        if self._vi_change_at is not None:
            if self._bell_seq > self._vi_change_at:
                self._vi_command = True
                self._vi_change_at = None
            elif self._out_seq > self._vi_change_at:
                self._vi_change_at = None  # answered without a bell: it inserts
        return self._vi_command

    def _echo_shows_model(self) -> bool:
        """The screen shows the line as the keystroke model holds it (and perhaps the echo of
        a character whose bytes the model takes only with the next key)."""
        model = self._line.model
        if not model.reliable or not self._line.active:
            return False
        self._sync()
        text, cursor = self._expected(model.text, model.cursor)
        b = self._line.boundary
        if b is None or not self._still_there(b):
            return False
        region = self._region(b.abs_row - self._screen.scrolled, b.col)
        return region.text.startswith(text.rstrip()) and (region.cursor or 0) >= cursor

    def _track_vi(self, key: str) -> None:
        """Follow vi's command mode (after Esc, until a key that inserts), when in vi mode."""
        if not self._vi:
            return
        if key.startswith("\x1b"):
            self._vi_command, self._vi_argument, self._vi_operator = True, False, ""
            self._vi_change_at = self._vi_meta_at = None
            key = key[1:]
            if not key:
                return
        elif not self._vi_command_now():
            return
        if self._vi_argument:
            self._vi_argument = False  # the character after r, f, F, t, T
            if self._vi_operator:
                self._vi_motion_done(valid=True)
        elif self._vi_operator:
            if key.isdigit():
                return  # a count before the motion
            if key in "fFtT":
                self._vi_argument = True
                return
            self._vi_motion_done(valid=key in _VI_MOTIONS or key == self._vi_operator)
        elif key in _VI_INSERT:
            self._vi_command = False
        elif key in _VI_OPERATORS:
            self._vi_operator = key
        elif key in _VI_TAKES_CHAR:
            self._vi_argument = True

    def _vi_motion_done(self, valid: bool) -> None:
        """An operator's motion came: `c` with a motion inserts, unless readline rings its bell
        (a key that is no motion, or one that cannot move: it stays in command mode)."""
        op, self._vi_operator = self._vi_operator, ""
        if op == "c" and valid:
            self._vi_command = False
            self._vi_change_at = self._out_seq

    def _note_key(self, key: str) -> None:
        """Backstop bookkeeping for a key going to the target (see `unjudged_line`)."""
        self._prev_key = key
        if self._vi and "\x05" in key:
            self._either_mode()  # vi's command-mode Ctrl-E: emacs-editing-mode (_after_sent)
        if key not in _MAYBE_UNSEEN:
            self._last_prefix = (key if key in _PREFIXES and not self._last_prefix
                                 and not self.full_screen else "")
        if key in _INTERRUPTS and not (key in _IGNORED_AT_PROMPT and self.readline_reading):
            self._ahead = 0  # the terminal driver drops what it had not passed on
            self._ender = "interrupt"
            self._ender_text = ""
        elif key == "\x04" and self._line_empty_for_eof():
            self._ender = "eof"
            self._ender_text = ""
            self._note_mode(nested=True)  # EOF ends this shell: its parent reads on
        else:
            self._ender = None
        if self._armed:
            self._keys_since_arm += 1
            self._ahead = 0

    def _eof_possible(self) -> bool:
        """Ctrl-D may be EOF for the shell: the line is empty (or the model cannot say), and
        bash has not said a program reads the terminal (sh and dash say nothing either way)."""
        model = self._line.model
        empty = not self._line.active or not model.reliable or not model.text
        return empty and not self._running  # bash said a program reads the terminal: its EOF

    def _line_empty_for_eof(self) -> bool:
        model = self._line.model
        return not self._line.active or (model.reliable and not model.text)

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
                line.raw = [bytearray(extra.encode())]
                break

    def _rprompt(self, y: int, x: int) -> str:
        right = self._screen.text(y, x)
        if right.strip() and x + len(right.rstrip()) >= self._screen.columns - 2:
            return right.rstrip()
        return ""

    def _new_line(self) -> None:
        self._prefix = self._last_prefix = ""
        self._held_prefix = False
        self._line = _Line()
        self._epoch_seq = self._out_seq
        self._running = False
        self._vi_command = self._vi_argument = False  # readline starts a line inserting
        self._vi_operator, self._vi_change_at, self._vi_meta_at = "", None, None

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

    def _rebase(self) -> None:
        """The target answered keys the model does not know: restart the model from the
        screen, so that the keys after them are checked again."""
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

    # -- reading the line -----------------------------------------------------------------

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
                                 hidden=r.hidden)
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
            readings = [(s, st) for s, st in readings if st.strip()]
            if how == "eof":
                readings = [(s, _close_heredocs(st, self._complete)) for s, st in readings]
            certain, reason = r.certain, r.reason
            if len(starts) > _MAX_STARTS:
                certain, reason = False, "too many ways to read the unfinished statement"
            done = [self._complete(st) for _, st in readings]
            open_starts = sorted({s for (s, _), ok in zip(readings, done, strict=True) if not ok})
            if how == "accept":
                complete = [st for (_, st), ok in zip(readings, done, strict=True) if ok]
                if certain and not readings:
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
                if how == "expand" and certain and not any(map(_EXPANDS_CODE.search, judged)):
                    rec = Reconstruction(judged[0], True, "shell-expand-line runs nothing here",
                                         "not-a-command")
                else:
                    rec = Reconstruction(judged[0], certain, reason, "command",
                                         _UNKNOWN_HOW.get(how, ""), also=tuple(judged[1:]))
        if self._tty_rules() and self._line.active and any(self._line.raw):
            rec = self._with_tty_readings(rec, r.text)
        if self._submit is not None:
            self._last = (rec, r.text, open_starts)
        return rec

    def _with_tty_readings(self, rec: Reconstruction, text: str) -> Reconstruction:
        """The line as the terminal driver may hand it over in each reading of its settings
        (_tty_readings), added to what is judged: with the pending lines, as `also`; at a
        hidden prompt, as `hidden_also`. An empty or unfinished line (as the model reads it)
        that is a statement in another reading is judged as one."""
        line = self._line
        readings = _tty_readings([bytes(part) for part in line.raw], ord(self._erase))
        if rec.hidden:
            if readings is None:
                return Reconstruction("", False, f"{_TYPED_HIDDEN}: {_TTY_MOVED}", "blind")
            return dataclasses.replace(
                rec, hidden_also=tuple(r for r in readings if r != rec.hidden))
        if rec.kind == "blind":
            return rec
        if readings is None:
            return Reconstruction(rec.text, False, _TTY_MOVED, "command", rec.unknown, rec.also)
        known = {rec.text, *rec.also}
        moved: dict[str, bool] = {}
        for start in self._statement_starts():
            for reading, by_moved in readings.items():
                st = "\n".join([*self._pending[start:], reading])
                if reading != text and st.strip() and st not in known:
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
        return Reconstruction(done[0], rec.certain, _TTY_OTHER, "command", also=tuple(done[1:]))

    def _statement_starts(self) -> list[int]:
        """Where in the pending lines (and this one) the statement the shell runs may begin."""
        if not self._pending:
            return [0]
        starts = list(self._starts) or [0]
        if not self._continues():
            starts.append(len(self._pending))  # the shell may have dropped the earlier lines
        return starts

    def _continues(self) -> bool:
        """The shell reads this line as the next of the pending statement: readline read the
        last pending line and began again since (bash's PS2), at a prompt that is not the
        primary one; or both lines are of one bracketed paste."""
        line, b = self._line, self._line.boundary
        if line.began_in_paste and self._pending_paste:
            return True
        return (self._pending_placed and self._readline_seq > self._pending_seq
                and self.readline_reading and b is not None and bool(b.prompt.strip())
                and b.prompt not in self._known_prompts and not line.while_running)

    def _complete(self, statement: str) -> bool:
        try:
            return bool(self._is_complete(statement))
        except Exception:  # a faulty checker must not turn a statement into a continuation
            return True

    def _read(self) -> _Reading:
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
        """Read the pending line again once the target's output has paused: a full-screen
        program's line (the keys before the submit may end the program), or one with keys
        typed before readline began (the rest of them may still be on their way)."""
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
            # Nothing typed since the last submit: nothing to wait for.
            return _Reading("", True, FULL_SCREEN, "not-a-command", answered or not line.keyed)
        if expected is not None and model.text.strip():
            prompt = self._at_password_prompt(model.text)
            # At a prompt of other words the keys may just not be echoed yet: the line settles
            # only when the gate's wait for the echo runs out.
            settled = prompt is not None
            if prompt is None:
                prompt = self._hidden_prompt()
            if prompt is not None and model.suspect:
                # The keys hold one that the model may read otherwise than what edits them
                # (the terminal driver keeps Ctrl-H or Ctrl-A as data: attack F, finding 1):
                # what the program gets is unknown, so it cannot pass as a secret.
                return _Reading("", False, f"{_TYPED_HIDDEN}: {model.suspect}", "blind", True)
            if prompt is not None:
                return _Reading("", True, _TYPED_HIDDEN, "not-a-command", settled, prompt=prompt,
                                hidden=model.text)
            if self._silent():
                return _Reading("", False, "the typed keys were not echoed", "blind", False)
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
        text = region.text.strip()
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
        if self._bracketed and not self._alt:
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
        if not (self._tty_rules() and self._silent()):
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
        if b is not None and not line.redrawn and self._still_there(b):
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

    def _still_there(self, b: _Boundary) -> bool:
        scr = self._screen
        row = b.abs_row - scr.scrolled
        if not 0 <= row < scr.lines or scr.text(row, 0, b.col) != b.prompt:
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

    # -- after the verdict ----------------------------------------------------------------

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
        self._held_prefix = False
        self._after_sent(submit, rec)
        if how == "eof":
            # Bash ends the statement at EOF: it runs (a here-document) or is dropped (an open
            # quote); either way the next line starts a new one. Readline's end is the EOF's.
            self._pending.clear()
            self._starts.clear()
            self._new_line()
            self._ender, self._ender_text = "eof", ""
            return
        if how == "flush" or (self._tty_rules() and not submit.meta
                              and submit.key not in (b"\r", b"\n")):
            # Without a line editor the driver hands the line over unended (Ctrl-D), or keeps
            # the key as data (Ctrl-O, Esc #, Ctrl-X Ctrl-E in dash): the line goes on, and
            # after a flush the driver's erase keys no longer reach the part handed over.
            # Never certain again, nor a secret (a meta byte is text: read again, below).
            line.model.suspect = _TTY_FLUSHED if how == "flush" else _TTY_DATA
            if how == "flush":
                line.raw.append(bytearray())
            else:
                line.raw[-1] += submit.key  # data to the driver
            return
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
            if shells and self._armed and how not in ("expand", "rebind"):
                self._maybe = after
            if submit.meta:
                self._keys.pending = carry  # read again with the bytes that follow it
            elif how == "macro":
                line.model.apply("\x00macro")
                line.model.anchor, line.model.relearn = None, False
            return
        if shells and how not in ("expand", "rebind"):
            self._credit()
        if how in ("expand", "rebind"):
            # The line stays, changed by readline as the screen will show.
            line.model.apply("\x00" + how)
            line.model.anchor, line.model.relearn = None, False
            return
        previous, continued = bool(self._pending), self._continues()
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
        if not in_paste:
            self._paste_reading = self._paste_boundary = None
        self._new_line()
        self._next_in_paste = in_paste

    def cancel_bytes(self) -> bytes:
        """What to send upstream to drop the held line (before `resolve(sent=False)`).

        A prefix key readline already has (the Ctrl-X of Ctrl-X Ctrl-E, the Esc of Esc #)
        is aborted first with Ctrl-G: Ctrl-E would otherwise complete it."""
        prefix = _PASTE_END.encode() if self._in_paste else b""
        if self._prefix or self._held_prefix:
            prefix += b"\x07"
        return prefix + (b"\x03" if self._cancels_by_interrupt() else _CANCEL_LINE)

    def line_is_empty(self) -> bool:
        """After a cancel: the target answered and the line on the screen holds nothing."""
        self._sync()
        if self._out_seq == self._cancel_seq:
            return False
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


def _close_heredocs(statement: str, complete: Callable[[str], bool]) -> str:
    """The statement as bash runs it at EOF: here-documents still open end there."""
    words = [m.group(2) for m in _HEREDOC_WORD.finditer(statement)]
    if not words or complete(statement):
        return statement
    closed = "\n".join([statement, *words])
    return closed if complete(closed) else statement


def _visible_output(data: bytes) -> str:
    """Printable output, without escape sequences, control characters or CRs."""
    return _OUTPUT_NOISE.sub("", data.decode("utf-8", "replace")).replace("\r", "")


def _window(cols: int, rows: int) -> tuple[int, int]:
    return min(max(cols, 1), _MAX_COLS), min(max(rows, 1), _MAX_ROWS)


def _same(region: _Region, text: str, cursor: int) -> bool:
    return region.cursor == cursor and region.text.rstrip() == text.rstrip()


def _without_rprompt(region: _Region, b: _Boundary) -> _Region:
    """The region without the right-hand prompt seen when the line began, if it still sits
    where it was, alone at the right of a one-row line (zsh's RPROMPT)."""
    rprompt = b.rprompt
    start = len(rprompt) - len(rprompt.lstrip())
    if (not rprompt or "\n" in region.text or len(region.text) != len(rprompt)
            or region.text[start:] != rprompt[start:] or (region.cursor or 0) > start):
        return region
    return _Region(region.text[:start], region.cursor, region.chain_end, region.below)


# -- redaction --------------------------------------------------------------------------------

_OUTPUT_NOISE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[()#%]?[ -~]?"
    r"|[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
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


def _is_text(key: str) -> bool:
    """A run of printable characters, as opposed to a control key or an escape sequence."""
    return key[0] >= " " and key[0] != "\x7f" and not "\x80" <= key[0] <= "\x9f"


def _merged(items: list[bytes | str]) -> list[bytes | str]:
    out: list[bytes | str] = []
    for item in items:
        if out and isinstance(item, bytes) and isinstance(out[-1], bytes):
            out[-1] += item
        else:
            out.append(item)
    return out
