"""A shell that reads an exec channel's stdin through a terminal of its own (attack p25o,
finding 4).

Without an SSH pty, an exec command whose shell reads its commands from stdin gets the stdin
gate (ssh.stdin_gate), which judges each statement as the bytes say. That is what a shell
reading a pipe runs; a shell on a pseudo-terminal runs what the terminal's line discipline and
readline make of those bytes: `echo safe ^U touch x` runs `touch x`, `# DEL touch x` uncomments
it. `script -qc bash /dev/null` (and `script` alone: `$SHELL` on its pty), `su --pty`,
`runuser -P`, `unbuffer -p bash`, `sshpass ...`, `socat ... EXEC:bash,pty`, `ssh -tt HOST`
each put the shell on a terminal. `shell_on_own_terminal` names the program that does, for the
exec command to be refused with a way out (ask for a pty: the interactive gate reads the keys
as the terminal does). Fail-closed readings: any socat, any ssh word holding `t` as a flag, any
`-P`/`--pt...` word of su or runuser. See docs/ARCHITECTURE.md (command control).
"""
from __future__ import annotations

import re

from bastion.command_control.policy.commands import parse_commands

# Wrappers that run their command on a pseudo-terminal they make.
_TERMINAL_WRAPPERS = frozenset({"script", "unbuffer", "sshpass", "socat", "empty", "ptyrun",
                                "expect", "dtach", "abduco", "tmux", "screen", "faketty"})
# su's and runuser's --pty (-P), in a cluster or as a start of the long name.
_PTY_OPTION = re.compile(r"(?:^|\s)(?:--pt(?:y)?|-[A-Za-z]*P[A-Za-z]*)(?=\s|$)")
# ssh's -t in a cluster of flags (`-tt`, `-qt`), stricter than ssh reads it.
_SSH_TTY = re.compile(r"(?:^|\s)-[A-Za-z]*t[A-Za-z]*(?=\s|$)")


def shell_on_own_terminal(line: str) -> str | None:
    """The program that gives a shell of `line`, reading the line's stdin, a terminal of its
    own; None when none does."""
    for command in parse_commands(line):
        if command.reads_stdin != "shell":
            continue
        wrapped = [w for w in command.wrappers if w in _TERMINAL_WRAPPERS]
        if wrapped:
            return wrapped[0]
        if command.name == "script":
            return "script"
        if command.name == "ssh" and _SSH_TTY.search(command.text):
            return "ssh -t"
        if ({command.name, *command.wrappers} & {"su", "runuser"}
                and _PTY_OPTION.search(command.text)):
            return "su --pty" if "su" in {command.name, *command.wrappers} else "runuser --pty"
    return None
