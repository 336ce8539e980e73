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
  are unknown), to be judged and kept the same way. `rules_only` says the policy's rules alone
  judge them (a full-screen program showed them as typed); otherwise the policy's defaults
  count too wherever `hidden_keys_may_run()` says a shell may read them.
  `typed` (after keys the model does not follow) holds the line as the keys alone make it, in
  typed order: judge it by the policy's rules alone, a rule's refusal or hold standing (a
  writer to the pty may draw another line: attack b11i).
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
  Ctrl-D on an empty line; one that is not ran unjudged (`take_unjudged`). A ?2004l with no
  such key since the ?2004h is not readline's (attack b11i, finding 2: a job prints it and a
  fake `PIN: `): bash still reads, keys the screen does not show are blind, never a secret,
  and the backstop stays armed.
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
  began at a known primary prompt, readline read the pending line and began again once at
  bash's PS2 (the one learned at the first continuation; before one is learned, a prompt that
  cannot be a primary one seen: attack a36i), or both are in one paste. Otherwise (an
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
  The same holds wherever the driver may be the reader (attack a10i): on an alternate screen
  opened where no line editor read, and where readline seems to read but a shell without one
  may have printed its ?2004h (`_driver_may_read`). The target's output (the alternate screen,
  ?2004h, a paste start) may add doubt, never turn these readings off: the driver's readings
  are judged in addition to the model's, a line any reading holds text in is not empty (Ctrl-D
  there is a judged flush, inside a paste too), and a judged key the driver keeps as data
  (Ctrl-O) stays in the next line's readings.
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
  in vim, whose first key chose the mode) is "not-a-command": a full-screen program's, unless
  the program began where a shell without a line editor may read once it dies (a line no line
  editor read, or bash's ?2004h doubted: any shell can print it), where its keys are judged as
  keys typed without echo are (`hidden`).
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
The policy holds what changes the keys and settings this package reads by their defaults
(`bind`, `stty`, `set +o emacs`, TERM, a shell's stderr away from the terminal: policy.py).

`KeystrokeRedactor` is the echo rule for the recorder, the command log and live watchers: it
releases typed keys once echoed in the cell the cursor stood at (as bytes) and what was never
echoed as a `Redacted` marker (a str that carries the keys, for a sealed copy).

The package, by concern (each module says what it holds): keys.py (the key reader, readline's
keys, the segments `feed_input` returns), screen.py (the pyte screen model), line.py (the
keystroke model of the line and its place on the screen), tracker.py (`CommandLineTracker`,
with its mixins output.py, input.py and reading.py) and redact.py (`KeystrokeRedactor`).
"""

from __future__ import annotations

from bastion.command_control.terminal.keys import Forward, Pause, Submit
from bastion.command_control.terminal.reading import CONTINUATION, Reconstruction
from bastion.command_control.terminal.redact import KeystrokeRedactor, Redacted
from bastion.command_control.terminal.tracker import LEFT_OVER_UNREAD, CommandLineTracker

__all__ = ["CONTINUATION", "LEFT_OVER_UNREAD", "CommandLineTracker", "Forward", "KeystrokeRedactor", "Pause",
           "Reconstruction", "Redacted", "Submit"]
