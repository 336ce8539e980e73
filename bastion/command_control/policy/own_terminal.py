"""A program that puts what reads an exec channel's stdin on a terminal, or a shell that edits
its stdin itself (attacks p25o, finding 4, and q26o, findings 1, 4, 5, 7).

Without an SSH pty, an exec command whose shell reads its commands from stdin gets the stdin
gate (ssh.stdin_gate), which judges each statement as the bytes say. That is what a shell
reading a pipe runs; a shell on a pseudo-terminal runs what the terminal's line discipline and
readline make of those bytes (`echo safe ^U touch x` runs `touch x`), and so does `bash -i`,
whose readline edits even a pipe. And a pty maker feeds the channel's stdin to whatever reads
its terminal, also a shell that reads `/dev/tty` (`script -qc 'bash </dev/tty' /dev/null`),
which the policy reads as a file: no gate at all.

`terminal_maker` names the first such program in a line, wherever it stands and whatever the
policy reads its command to read, for the exec command (or the stdin statement) to be refused
with a way out: ask for a pty, and the interactive gate reads the keys as the terminal does.
Its readings fail closed: the wrappers and programs below whatever their options, su and
runuser with `P` anywhere in a short cluster's start or `--pt...`, ssh, systemd-run and the
container tools with `t` in a cluster's start or `--tty`/`--pty`/RequestTTY, ssh and its kin
reading a login shell from the stdin (their configuration on the target may ask for a pty), a
shell given `-i` (in any cluster) reading the stdin, and the consoles, attaches and other
clients' logins of policy/elsewhere.py (`virsh console`, `docker attach`, `picocom`).
See docs/ARCHITECTURE.md (command control).
"""
from __future__ import annotations

import re

from bastion.command_control.policy.commands import commands_either_way
from bastion.command_control.policy.elsewhere import SERIAL_DEVICE, console
from bastion.command_control.policy.known import KnownValues
from bastion.command_control.policy.programs import _CONNECTION_VALUES
from bastion.command_control.policy.shells import SHELLS, shell_name

# Programs that run what they start on a pseudo-terminal they make, or log in elsewhere on one.
_TERMINAL_MAKERS = frozenset({
    "script", "unbuffer", "sshpass", "socat", "expect", "empty", "ptyrun", "dtach", "abduco",
    "tmux", "screen", "faketty", "rlwrap", "ttyrec", "asciinema", "termrec", "machinectl",
    "telnet", "rlogin", "mosh", "zpty", "conspy", "pty", "luit", "ptybandage", "kermit",
    "reptyr", "run0", "systemd-nspawn",
})
# Options that ask for a pty: `-P`/`--pty` (su, runuser), `-t`/`--pty`/`--tty` (ssh, systemd-run,
# docker, podman, kubectl...), anywhere in a cluster's start (`-Ps/bin/bash`, `-4ttp22`).
_PTY_LETTER = {"su": "P", "runuser": "P", "ssh": "t", "slogin": "t", "autossh": "t",
               "dbclient": "t", "systemd-run": "tS", "docker": "t", "podman": "t",
               "nerdctl": "t", "kubectl": "t", "oc": "t", "lxc-attach": "", "lxc": "t",
               "incus": "t", "crictl": "t", "toolbox": "", "distrobox": "", "ctr": "t",
               "runc": "t", "crun": "t"}
_LONG_PTY = re.compile(r"(?:^|\s)--(?:pt|tt|tty|pty|shell)|requesttty", re.IGNORECASE)
_REMOTE_LOGINS = frozenset({"ssh", "slogin", "autossh", "dbclient", "rsh", "remsh",
                            # other clients' logins (attack v31o, finding 3)
                            "lsh", "lshc", "krsh", "krlogin", "xxh", "rexec"})
_SHELLS = SHELLS | {"busybox"}  # the policy's own list of shells, and busybox's sh
_INTERACTIVE = re.compile(r"(?:^|\s)-[A-Za-z]*i[A-Za-z]*")


def _zsh_interactive(argv: tuple[str, ...]) -> bool:
    """zsh takes its options by name too (`-o interactive`, `--interactive`, `+o
    nointeractive`; case and `_` ignored): any option word naming INTERACTIVE (attack t29f,
    finding 10)."""
    return any("interactive" in w.lower().replace("_", "") and (w[:1] in "-+" or prev in ("-o", "+o"))
               for prev, w in zip(("", *argv[1:]), argv[1:], strict=False))


_SSH_CLIENTS = frozenset({"ssh", "slogin"})
# OpenSSH's options that take a value (programs._CONNECTION_VALUES), but -Q: read as a flag
# here, fail closed (`-Qt` taken as asking for a pty)
_SSH_VALUES = _CONNECTION_VALUES["ssh"].replace("Q", "")


def _ssh_asks_pty(argv: tuple[str, ...], dynamic: bool) -> bool:
    """Whether ssh's own options ask for a pty: `-t` in any cluster, RequestTTY other than no,
    or a word known only at run time (`dynamic`) among them. They stand before the host and, as ssh.c
    reads them again once it has the host, right after it (`ssh h -t`); from the first
    operand after the host on, the words are the remote command's (`ssh h 'ls -t'`)."""
    words = iter(argv[1:])
    host = False
    for word in words:
        head = word.lstrip("\"'")[:1]
        if dynamic and (head in ("$", "`", "*", "?", "[", "{", "\\") or (
                head == "-" and word[:1] in ("'", '"'))):
            return True  # a word known only at run time where an option may stand
        if word == "--" or (host and (not word.startswith("-") or word == "-")):
            return False
        if not word.startswith("-") or word == "-":
            host = True
            continue
        for offset, letter in enumerate(word[1:], start=2):
            if letter == "t":
                return True
            if letter in _SSH_VALUES:
                value = word[offset:] or next(words, "")
                if letter == "o" and _LONG_PTY.search(value) and not re.search(
                        r"(?i)requesttty\s*[= ]\s*no\s*$", value):
                    return True
                break
    return False


def terminal_maker(line: str, known: KnownValues | None = None) -> str | None:
    """The program of `line` that gives what reads its stdin a terminal (or edits it as one);
    None when none does (see the module's docstring). Read with and without `known` (a fresh
    shell's when None): `x=-tt; ssh $x h` asks for one (attack t29f, finding 8)."""
    commands = commands_either_way(line, known)
    clients = {c.name for c in commands if c.name in _SSH_CLIENTS}
    for command in commands:
        # an ssh client that is a command of its own is read by its own options (below)
        names = [name for name in (*command.wrappers, command.name)
                 if name and not (name in clients and name != command.name)]
        made = next((name for name in names if name in _TERMINAL_MAKERS), None)
        if made is not None:
            return made
        if command.name and (elsewhere := console(command.name, command.argv)) is not None:
            return elsewhere  # a console, an attach, a login by another client (r27f, 7)
        if command.name == ">" and any(SERIAL_DEVICE.match(p.text) for p in command.paths):
            return "a serial console"  # `cat > /dev/ttyS0` (t29f, 4)
        for name in names:
            letters = _PTY_LETTER.get(name)
            if letters is None:
                continue
            if name in _SSH_CLIENTS and name == command.name:
                if _ssh_asks_pty(command.argv, command.dynamic_args):  # its own options, before the host
                    return f"{name} with a terminal"
                continue
            # The whole line: a wrapper's own words are not in its command's text (`su --pty
            # root -c CODE` shows only CODE).
            if not letters or _LONG_PTY.search(line) or re.search(
                    rf"(?:^|\s|['\"])-[A-Za-z0-9]*[{letters}]", line):
                return f"{name} with a terminal"
        if command.reads_stdin == "shell":
            remote = [name for name in command.wrappers if name in _REMOTE_LOGINS]
            if command.name in _REMOTE_LOGINS or remote:
                return command.name if command.name in _REMOTE_LOGINS else remote[0]
            if command.name in _SHELLS and (_INTERACTIVE.search(command.text) or any(
                    _INTERACTIVE.fullmatch(w) for w in command.argv[1:])):
                return f"{command.name} -i"
            if shell_name(command.name or "") == "zsh" and _zsh_interactive(command.argv):
                return f"{command.name} -o interactive"
    return None
