"""Who may read the terminal: a mixin of CommandLineTracker (tracker.py).

After each command line the tracker notes whether a shell that announces no line editor (dash,
ash, bash without readline) may read the next keys, with the echo a killed program left off
(attack L, finding 3), and whether bash's ?2004h can still be taken as readline's word (a shell
without a line editor can print it: attacks P and R). The gate asks `hidden_keys_may_run`
before it lets keys typed without echo pass as a secret, and the key reader and the reading of
the line ask `_driver_may_read` whether the terminal driver's own editing applies too.
"""

from __future__ import annotations

from bastion.command_control import policy


class _FollowsReader:
    """The reader state: `_blind_reader`, `_editor_doubt`, `_doubt_pending` (tracker.py)."""

    def _note_reader(self, facts: list[policy.LineFacts], *, certain: bool,
                     editor: bool | None = None) -> None:
        """Who may read the terminal once a command line went to the target (attack L, finding
        3: a stock program killed at its password prompt leaves the echo off, and a shell
        without a line editor then reads keys nothing shows). Readline says it reads (?2004h),
        and bash restores the terminal after a job a signal ended; a line typed where no
        line editor announced itself (dash, ash, bash without readline), one that may start a
        shell after another program, one that switches the editing mode, or one not read for
        certain leaves a reader that may be such a shell. Nothing on the screen tells a
        program's password prompt from such a shell's (attack P: a prompt drawn after output a
        line left on the row, a program asking for a secret killed at its prompt), so no line
        vouches for the prompt after it. Once a shell without a line editor may have read a
        line in the channel, readline's ?2004h is not taken as its word: that shell can print it
        (`printf '\\e[?2004h'`), and the state stays for the rest of the channel."""
        if editor is None:
            editor = self._bracketed and not self._alt
        after_another = any(f.starts_reader_after_another for f in facts)
        self._blind_reader = (not editor or not certain or after_another
                              or any(f.switches_mode for f in facts))
        # A shell without a line editor may print bash's ?2004h itself (`printf`, its PS1, a
        # job in the background): once one may have read a line in this channel, or a line
        # may have started one (attack R: before its first line), bash's word is not taken for
        # the rest of it.
        # A line that starts one makes the doubt pending: it counts for Ctrl-D at once, and for
        # keys typed without echo from the next command line on (the password `su -` or
        # `ssh HOST` asks for first is the program's).
        self._editor_doubt = (self._editor_doubt or not editor or not certain or after_another
                              or self._doubt_pending)
        self._doubt_pending = any(f.starts_reader for f in facts)
        self._any_line = True
        if self._alt and self._blind_reader:
            # A line sent on the alternate screen may start a shell without a line editor
            # there (`exec sh`): its lines are judged from now on (attack Z, finding 1).
            self._alt_blind = True


    def started_with(self, command: str) -> None:
        """The channel's exec command runs before anything is typed (`ssh -t HOST CMD`): it is
        the first line, typed where no line editor reads."""
        self._note_reader([policy.line_facts(command)], certain=True, editor=False)


    def hidden_keys_may_run(self) -> bool:
        """Whether keys typed without echo may be read by a shell, so that a line only the
        policy's `unknown` default would hold must not pass as a secret (see `_note_reader`),
        unless the reading says the rules alone judge them (`Reconstruction.rules_only`). No
        prompt's words decide: a shell draws whatever it likes."""
        return self._blind_reader or self._editor_doubt


    def _driver_may_read(self) -> bool:
        """The terminal driver may be the one editing the line (attack a10i): no line editor
        announced itself on the primary screen, or one did but a shell without a line editor
        may have printed the announcement (`_editor_doubt`: attacks R and T), or the alternate
        screen opened where such a shell read (`_alt_blind`). Output the target prints may add
        this doubt, never take it away: the alternate screen and a ?2004h only ever show what
        the screen looks like. Where it holds, the driver's readings of the keys (raw bytes,
        `_tty_readings`) are judged in addition to the keystroke model's, a line any reading
        holds text in is not empty (Ctrl-D on it is the driver's VEOF), and the bastion never
        ends a refused line with an Enter. Honest cost (SECURITY.md, attack a10i): in bash
        after a line that may have started a shell, keys readline acts on are judged as the
        driver would keep them too."""
        if self._alt:
            return self._alt_blind
        return not self._bracketed or self._marker_doubted()

    def _marker_doubted(self) -> bool:
        """Bash's ?2004h is not readline's word: a shell without a line editor may have read a
        line in this channel (it can print the marker itself, and so can anything it runs), or
        the last line may have started one. The marker is printed by the target, so no output
        can take the doubt back (the ?2004l of an accept is as easy to print); it stays for the
        rest of the channel."""
        return self._editor_doubt or self._doubt_pending
