"""What an exec command makes of scp's server side: `scp -t DIR` (upload) or `scp -f PATHS`
(download), behind which wrappers, in which directory, with which paths (command_control.scp
follows the stream itself; it re-exports these names).

A stream is followed only where its records' paths are judged where they land: one scp and
nothing else, in the login's home, behind wrappers that leave its stdin, files and code alone,
its stdin not redirected (`exec_stdin`). Otherwise the exec command is still a file-transfer
server (`may_serve`, ssh.judge.runs_file_server) and gets the policy's `unknown` action.
See docs/ARCHITECTURE.md (command control).
"""
from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, replace

from bastion.command_control import policy
from bastion.command_control.exec_stdin import stdin_replaced

_OPTIONS_WITH_VALUE = frozenset("cDFiJlMoPSX")
_FLAGS = frozenset("1234678ABCdfOpqRrsTtv")
_GLOB = re.compile(r"[*?\[]")
# How a word known only at run time starts, as the policy shows it (`$x`, `"$x"`, `` `cmd` ``).
_MAY_EXPAND = ("$", "`", '"')
# Wrappers that run their command in the directory they started in, whatever their options.
# Wrappers that leave the server's stdin, files and code alone: none gives it a pty (unbuffer),
# traces it (strace's inject) or preloads a library (fakeroot): attack p25o, findings 2, 3.
_KEEP_DIRECTORY = frozenset({
    "command", "builtin", "exec", "nohup", "nice", "ionice", "time", "timeout", "chrt", "taskset",
    "setsid", "noglob", "nocorrect", "gosu", "su-exec", "setuidgid", "cgexec", "setpriv", "doas",
})
# Wrappers that keep it unless an option changes it: those options' letters and long names
# (GNU getopt takes any unambiguous start of a long name, `env --ch=/etc`).
_CHDIR_OPTIONS = {
    "sudo": ("DiR", ("--chdir", "--login", "--chroot")),
    "env": ("C", ("--chdir",)),
    "runuser": ("l", ("--login",)),
}
# An SFTP server's option that starts it in another directory (OpenSSH: `-d DIR`).
_SFTP_CHDIR = "d"
# A tilde prefix the policy expands: `~`, `~user`, bash's `~+`, `~-`, `~N` (attack o24o, 1).
_TILDE = re.compile(r"~(?:[+-]?[0-9]+|[+-]|[A-Za-z0-9._-]*)")



@dataclass(frozen=True)
class ServerMode:
    """The scp server side an exec command runs: `direction` "upload" (`-t`: the client sends)
    or "download" (`-f`); `paths` the target (`-t`, one) or the sources (`-f`), as the policy
    reads them (a word known only at run time as written); `raw` whether they may be expanded on
    the target (so they are judged unquoted)."""

    direction: str
    paths: tuple[str, ...]
    recursive: bool
    directory: bool  # -d: the target must be a directory
    raw: bool


def _server_args(argv: tuple[str, ...]) -> tuple[set[str], list[str]] | None:
    """The flags and operands of an scp command line, or None when it is not one scp reads.
    OpenSSH's scp reads options only up to the first operand (its own BSD getopt, no
    permutation: `scp evil -t -l DIR` is a local copy into DIR, attack s28o, finding 1)."""
    flags: set[str] = set()
    operands: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word == "--" or not word.startswith("-") or word == "-":
            operands.extend(([] if word == "--" else [word]) + list(words))
            break
        for position, letter in enumerate(word[1:], start=1):
            if letter in _OPTIONS_WITH_VALUE:
                if position == len(word) - 1 and next(words, None) is None:
                    return None
                break
            if letter not in _FLAGS:
                return None
            flags.add(letter)
    return flags, operands


def _scp_argv(command: policy.SimpleCommand) -> tuple[str, ...] | None:
    """The argv of the scp `command` is or stands for: the policy judges `scp -t PATH` as the
    file operation `> PATH` and keeps scp's own argv in `via`."""
    if command.name == "scp":
        return command.argv
    if command.via and command.via[0].rsplit("/", 1)[-1] == "scp":
        return command.via
    return None


def runs_in_home(command: policy.SimpleCommand) -> bool:
    """Whether `command`, a file-transfer server an exec command runs, certainly runs in the
    directory the command started in (the login's home, where its relative names are judged):
    every wrapper keeps the directory and no option of one, or of an SFTP server, changes it."""
    if any(w not in _KEEP_DIRECTORY and w not in _CHDIR_OPTIONS for w in command.wrappers):
        return False
    inner = command.via or command.argv
    words = _wrapper_words(command, inner)
    if words is None:
        return False
    letters = "".join(_CHDIR_OPTIONS[w][0] for w in command.wrappers if w in _CHDIR_OPTIONS)
    longs = [name for w in command.wrappers if w in _CHDIR_OPTIONS for name in _CHDIR_OPTIONS[w][1]]
    if _scp_argv(command) is None:  # an SFTP server: its own options count too
        words += [w for w in inner[1:] if w.startswith("-")]
        letters += _SFTP_CHDIR
    for word in words:
        if word == "-" or (word.startswith("-") and not word.startswith("--")
                           and any(letter in letters for letter in word[1:])):
            return False
        name = word[2:].split("=", 1)[0] if word.startswith("--") else ""
        if name and any(long.startswith(f"--{name}") for long in longs):
            return False
    return True


def _wrapper_words(command: policy.SimpleCommand, inner: tuple[str, ...]) -> list[str] | None:
    """The words before the unwrapped command, as the policy reads them; None when they cannot
    be seen (a wrapper took the command as code: `sudo -i`, `su -c`, `sh -c`) or are known only
    at run time."""
    if not command.wrappers:
        return []
    # The simple command's words, read by the policy's own grammar as a command's arguments.
    shown = policy.parse_commands(f"echo {command.text}")
    if len(shown) != 1 or shown[0].name != "echo" or shown[0].dynamic_args:
        return None
    words = list(shown[0].argv[1:])
    if len(words) <= len(inner) or tuple(words[-len(inner):]) != inner:
        return None
    words = words[:-len(inner)]
    if posixpath.basename(words[0]) != command.wrappers[0]:
        return None
    return words


def mode_of(command: policy.SimpleCommand) -> ServerMode | None:
    """The server mode `command` runs scp in, or None when it is not `scp -t` or `scp -f`."""
    argv = _scp_argv(command)
    if argv is None:
        return None
    parsed = _server_args(argv)
    if parsed is None:
        return None
    flags, operands = parsed
    # OpenSSH's scp acts on -f before -t: with both it sends (attack n23o, finding 2).
    if not flags & {"t", "f"} or not operands:
        return None
    if "f" not in flags and len(operands) != 1:
        return None
    return ServerMode("download" if "f" in flags else "upload", tuple(operands), "r" in flags,
                      "d" in flags, command.dynamic_args or _patterned(flags, operands))


def _patterned(flags: set[str], operands: list[str]) -> bool:
    """Whether the target's shell may expand a pattern no record's name stands for (in an
    upload's target, a download source's folders): then judged as written, with the `unknown`
    action (`scp -t /e?c`, record `sudoers`: /etc/sudoers; attack o24o, finding 1)."""
    if "f" not in flags:
        return any(_GLOB.search(word) for word in operands)
    return any(_GLOB.search(posixpath.dirname(word.rstrip("/"))) for word in operands)


def may_serve(command: policy.SimpleCommand) -> bool:
    """Whether `command` is an scp that may run as a file-transfer server though its words do
    not say so literally: a word before `--` that pathname expansion or the shell at run time
    may make an option (`scp ?t DEST` after `touch ./-t`, `scp -[t] DEST`, `x=-t; scp $x DEST`,
    `scp -t ?f X`: attack k20f, finding 5). Its stream cannot be followed (`mode_of` is None),
    so the exec command gets the policy's `unknown` action (`judge.runs_file_server`)."""
    argv = _scp_argv(command)
    if argv is None or mode_of(command) is not None:
        return False
    parsed = _server_args(argv)
    if parsed is None or parsed[0] & {"t", "f"}:
        # server flags whose stream cannot be followed (`find D -exec scp -t {} \;`: {} may be
        # several paths; an option scp's table does not read): attack n23o, finding 1
        return True
    for word in argv[1:]:
        if word == "--":
            return False
        if word[:1] in _MAY_EXPAND or (_GLOB.search(word) and word[:1] in "-+*?["):
            return True
    return False


def server_mode(line: str) -> ServerMode | None:
    """The server mode of an exec command that is exactly one `scp -t` or `scp -f` (behind
    wrappers such as sudo) running in the login's home (`runs_in_home`); None otherwise, also
    when other commands run with it or its stdin is redirected (`exec_stdin`)."""
    commands = policy.parse_commands(line)
    if not commands or stdin_replaced(line):
        return None
    mode = mode_of(commands[0])
    # One scp and nothing else: the policy gives one file operation per operand of one scp.
    if mode is None or len(commands) != max(1, len(mode.paths)) or any(
            c.via != commands[0].via or c.text != commands[0].text or c.name is None
            for c in commands):
        return None
    if not runs_in_home(commands[0]):
        return None
    return replace(mode, raw=mode.raw or any(c.dynamic_args for c in commands))


def shell_path(path: str, *, raw: bool = False) -> str:
    """`path` as a shell word that means that path: quoted, but for a leading `~user` (which the
    policy expands); `raw` keeps it as written (a word known only at run time)."""
    if raw:
        return path
    tilde = _TILDE.match(path)
    if tilde is not None and tilde.end() == len(path):
        return path
    if tilde is not None and path[tilde.end()] == "/":
        # The slash stays unquoted: bash expands a tilde only up to an unquoted slash.
        rest = path[tilde.end() + 1:]
        return f"{tilde.group()}/" + (shlex.quote(rest) if rest else "")
    return shlex.quote(path)
