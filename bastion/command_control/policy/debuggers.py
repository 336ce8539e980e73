"""The pids a debugger stops by attaching to them (outside attack v31f, finding 21): `gdb -p
$(pidof auditd)` stops the daemon with ptrace for as long as gdb sits at its prompt (and from
there gdb may `kill` it or write its memory), as `kill -STOP $(pidof auditd)` does. Each pid is
judged by kills.attached_kills as a kill of it: held for a pid known only at run time, refused
for a security daemon by name (`lldb -n auditd`), allowed for a plain number (not PID 1).

Read: gdb and its other names (getopt_long_only: `-p`, `-pid`, `--pid=`, any unique start of a
long option, `-c`/`-core` with a number, `gdb PROGRAM PID`), lldb (`-p`, `--attach-pid`,
`-n`/`--attach-name`), gcore (every operand), dlv `attach PID` and `trace -p PID` with its flags
anywhere, as Cobra reads them (attack x33f, finding 10), ltrace `-p`, and the tools that attach
to run code in a process: frida (`-p`, `-n`), radare2 `-d PID`, scanmem, pyrasite. A debugger in batch
mode with no init file (`gdb -batch -nx`, `lldb -b -x`: without them gdb runs ~/.gdbinit and
./.gdbinit, lldb ~/.lldbinit, on the attached process: attack z35f, finding 7) runs its
commands and detaches: not read here where each of those
commands only shows (bt, info, thread apply all bt, echo, set pagination...); a command that
may wait or act on the process while it is stopped (`shell sleep 1000`, `kill`, `signal`, a
command file) makes the attach read as above. A word known only at run time where an option may
stand (an unquoted `$x`, `-p$(...)`) may be the attach: read as an unknown pid (held)."""

from __future__ import annotations

import re

from bastion.command_control.policy.words import _Word

_GDB_NAMES = re.compile(r"gdb|gdbtui|gdb-multiarch|cgdb|pwndbg|\S+-gdb")
_LLDB_NAMES = re.compile(r"lldb(-[0-9.]+)?")
# gdb's long options (gdb --help) that take a value, and its flags; a short letter with a value
_GDB_VALUED = ("pid", "core", "exec", "symbols", "se", "command", "eval-command", "init-command",
               "init-eval-command", "directory", "cd", "tty", "interpreter", "data-directory",
               "ex", "iex", "ix", "x", "d", "b", "l", "eiex", "early-init-eval-command", "eix",
               "early-init-command")
_GDB_FLAGS = ("batch", "batch-silent", "quiet", "silent", "q", "nx", "nh", "readnow", "readnever",
              "write", "statistics", "tui", "version", "help", "configuration",
              "return-child-result", "dbx", "fullname", "nw", "w", "args", "n", "f")
_GDB_SHORT_VALUED = "pcesxdbltiD"
_LLDB_VALUED = frozenset({"-a", "--arch", "-c", "--core", "-f", "--file", "-l", "--script-language",
                          "-o", "--one-line", "-O", "--one-line-before-file", "-k",
                          "--one-line-on-crash", "-K", "--source-on-crash", "-s", "--source",
                          "-S", "--source-before-file", "-p", "--attach-pid", "-attach-pid",
                          "-n", "--attach-name", "-attach-name", "--capture-path"})
_LLDB_COMMANDS = frozenset({"-o", "--one-line", "-O", "--one-line-before-file", "-k",
                            "--one-line-on-crash", "-K", "--source-on-crash", "-s", "--source",
                            "-S", "--source-before-file"})
_LLDB_ATTACH = frozenset({"-p", "--attach-pid", "-attach-pid", "-n", "--attach-name", "-attach-name"})
_NUMBER = re.compile(r"\s*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)\s*")  # gdb: strtoul base 0 (c38f 17)
# gdb's and lldb's commands that only show (in batch mode the debugger then detaches at once)
_GDB_SHOWS = frozenset({"bt", "backtrace", "where", "info", "i", "echo", "show", "list", "l",
                        "x", "gcore", "generate-core-file", "detach", "quit", "q", "up", "down",
                        "frame", "f", "disassemble", "output", "printf", "p", "print"})
_GDB_SETS = re.compile(r"set\s+(pagination|print|width|height|confirm|verbose|style|"
                       r"logging\s+(on|off|enabled))\b")
_GDB_APPLY = re.compile(r"(thread|frame)\s+apply\s+((all|level|-\S+|[0-9.\-]+)\s+)*"
                        r"|taas\s+|faas\s+|tfaas\s+")
_LLDB_SHOWS = re.compile(r"(bt|image\s+list|register\s+read|detach|quit|thread\s+(backtrace|list|info)|"
                         r"frame\s+(info|variable))(\s|$)")
_GDB_COMMANDS = frozenset({"eval-command", "ex", "init-eval-command", "iex", "eiex",
                           "early-init-eval-command"})
_GDB_FILES = frozenset({"command", "x", "init-command", "ix", "eix", "early-init-command"})
_UNKNOWN = _Word(None, "")
# Delve (a Cobra program, attack x33f, finding 10): its flags that take a value (the global
# ones, which may stand before the verb, and attach's and trace's), and its flags; the verbs
# that attach to a running process (`attach PID`, `trace -p PID`).
_DLV_VALUED = frozenset({"--api-version", "--backend", "--build-flags", "--init", "--listen",
                         "-l", "--log-dest", "--log-output", "--redirect", "-r", "--wd",
                         "--waitfor", "--waitfor-duration", "--waitfor-interval", "--pid", "-p",
                         "--output", "-o", "--stack", "-s", "--exec", "-e", "--follow-calls",
                         "--tags", "--dlv-config"})
_DLV_FLAGS = frozenset({"--accept-multiclient", "--allow-non-terminal-interactive",
                        "--check-go-version", "--disable-aslr", "--headless", "--log",
                        "--only-same-user", "--continue", "--help", "-h", "--version", "--ebpf",
                        "--test", "-t", "--timestamp", "--follow-exec"})
# Tools that attach to a process by pid or name to run code in it (frida injects a script,
# radare2's -d debugs it): the options naming it.
_INJECTORS = {name: frozenset({"-p", "--attach-pid", "-n", "--attach-name", "-N",
                               "--attach-identifier"})
              for name in ("frida", "frida-trace", "frida-discover")}
_INJECTORS.update({"r2": frozenset({"-d"}), "radare2": frozenset({"-d"})})


def debugger_stops(name: str, words: list[_Word]) -> list[_Word]:
    """The pids (or process names) a debugger attaches to and stops; [] for others."""
    if _GDB_NAMES.fullmatch(name):
        return _gdb(words)
    if _LLDB_NAMES.fullmatch(name):
        return _lldb(words)
    if name == "gcore":
        return _operands(words, frozenset({"-o", "-d", "--data-directory"}))
    if name == "dlv":
        return _dlv(words)
    if name in _INJECTORS:
        return [w for o, w in _pairs(words, _INJECTORS[name]) if o in _INJECTORS[name]
                and (o != "-d" or w.value is None or _NUMBER.fullmatch(w.value))]
    if name in ("scanmem", "pyrasite", "pyrasite-shell"):
        pids = [w for o, w in _pairs(words, frozenset({"-p", "--pid"})) if o in ("-p", "--pid")]
        return pids or _operands(words, frozenset({"-c", "--command", "-e", "--errexit"}))[:1]
    if name == "ltrace":
        return [w for o, w in _pairs(words, frozenset({"-p"})) if o == "-p"]
    return []


def _dlv(words: list[_Word]) -> list[_Word]:
    """The pids (or the process name of `--waitfor NAME`) Delve attaches to, its flags read as
    Cobra reads them: before the verb, between it and the pid, `--flag=value`, a shorthand's
    attached value (`-l:2345`). A flag not in the tables, or a word known only at run time
    that may be one, may take the next word: the attach's pid is then unknown (held)."""
    operands: list[_Word] = []
    found: list[_Word] = []
    doubt = False
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None:
            (operands if not _may_split(word) else found).append(word)
            doubt = doubt or _may_split(word)
            continue
        if value == "--":
            operands.extend(words[index:])
            break
        if not value.startswith("-") or value == "-":
            operands.append(word)
            continue
        option, has, attached = value.partition("=")
        if not option.startswith("--") and len(option) > 2 and option[:2] in _DLV_VALUED:
            option, has, attached = option[:2], True, value[2:]
        if option in _DLV_VALUED:
            taken = _Word(attached, attached) if has else (
                words[index] if index < len(words) else _UNKNOWN)
            index += 0 if has else 1
            if option in ("--pid", "-p", "--waitfor"):
                found.append(taken)
        elif option not in _DLV_FLAGS:
            doubt = True
    verb = operands[0].value if operands else None
    if verb == "attach":
        found += operands[1:2]
    elif verb != "trace":
        found = [w for w in found if w.value is None]  # only words that may be the pid
    attaching = verb in ("attach", "trace") or (operands and verb is None) or any(
        w.value == "attach" for w in words[1:])
    if not attaching:
        return []
    return [*found, _UNKNOWN] if doubt else found


def _may_split(word: _Word) -> bool:
    """A word known only at run time that may be (or split into) an option."""
    return word.value is None and not word.text.startswith(('"', "'"))


def _gdb_option(word: str) -> tuple[str, str | None]:
    """The option a gdb word names and its attached value (getopt_long_only)."""
    body, has, value = word.lstrip("-").partition("=")
    names = _GDB_VALUED + _GDB_FLAGS
    if body in names:
        return body, value if has else None
    starts = [n for n in names if n.startswith(body)]
    if starts and (len(set(starts)) == 1 or body.startswith("ba")):
        return min(starts), value if has else None
    if not word.startswith("--") and body[:1] in _GDB_SHORT_VALUED:
        return {"p": "pid", "c": "core"}.get(body[0], body[0]), body[1:] or None
    return body, value if has else None


def _gdb(words: list[_Word]) -> list[_Word]:
    found: list[_Word] = []
    operands: list[_Word] = []
    batch, shows, index = False, True, 1
    no_init = False  # -nx: no init file runs (~/.gdbinit, ./.gdbinit: attack z35f, finding 7)
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None:
            (found if _may_split(word) else operands).append(word)
        elif value == "--args":
            break
        elif value == "--":
            operands.extend(words[index:])
            break
        elif value.startswith("-") and len(value) > 1:
            option, attached = _gdb_option(value)
            batch |= option.startswith("batch")
            no_init |= option in ("nx", "n")
            if option in _GDB_VALUED or (len(option) == 1 and option in _GDB_SHORT_VALUED):
                taken = _Word(attached, attached) if attached is not None else (
                    words[index] if index < len(words) else _UNKNOWN)
                index += 0 if attached is not None else 1
                if option in _GDB_FILES or (option in _GDB_COMMANDS and not _gdb_shows(taken.value)) \
                        or option in ("data-directory", "D"):  # its system-gdbinit, python (z35f 7)
                    shows = False
                if option == "pid" or (option == "core" and (
                        taken.value is None or _NUMBER.fullmatch(taken.value))):
                    found.append(taken)
        else:
            operands.append(word)
    # `gdb PROGRAM PID`: the second operand is a core file or a pid
    if len(operands) > 1 and (operands[1].value is None or _NUMBER.fullmatch(operands[1].value)):
        found.append(operands[1])
    return [] if batch and shows and no_init else found


def _gdb_shows(command: str | None) -> bool:
    """A gdb command that only shows (no wait, no change to the stopped process)."""
    if command is None:
        return False
    command = command.strip()
    applied = _GDB_APPLY.match(command)  # `thread apply all CMD`: CMD
    command = command[applied.end():] if applied else command
    first = command.split(None, 1)[0] if command.split() else ""
    if first in ("p", "print", "output", "printf", "x"):
        return "(" not in command and "=" not in command.replace("==", "")
    return first in _GDB_SHOWS or bool(_GDB_SETS.match(command))


def _lldb_long(value: str | None) -> str | None:
    """lldb reads each long option with one dash too (`-one-line`, `-attach-pid`: a36f, 11)."""
    if value is None or value[:1] != "-" or value[1:2] in ("-", "") or len(value.partition("=")[0]) < 3:
        return value
    return "-" + value


def _lldb(words: list[_Word]) -> list[_Word]:
    words = [words[0], *(w._replace(value=_lldb_long(w.value)) for w in words[1:])]
    commands = [w for o, w in _pairs(words, _LLDB_VALUED) if o in _LLDB_COMMANDS]
    values = [w.value for w in words[1:]]
    if any(v in ("-b", "--batch", "-batch") for v in values) and any(
            v in ("-x", "--no-lldbinit", "-no-lldbinit") for v in values) and all(
            w.value is not None and _LLDB_SHOWS.match(w.value.strip()) for w in commands):
        return []
    return [word for option, word in _pairs(words, _LLDB_VALUED) if option in _LLDB_ATTACH]


def _pairs(words: list[_Word], valued: frozenset[str]) -> list[tuple[str, _Word]]:
    """Each option of `valued` with its value (the next word, or after `=`)."""
    pairs: list[tuple[str, _Word]] = []
    index = 1
    while index < len(words):
        value = words[index].value or ""
        option, has, rest = value.partition("=")
        if option in valued:
            if has:
                pairs.append((option, _Word(rest, rest)))
            else:
                pairs.append((option, words[index + 1] if index + 1 < len(words) else _UNKNOWN))
                index += 1
        elif value.startswith("-p") and "-p" in valued and len(value) > 2:
            pairs.append(("-p", _Word(value[2:], value[2:])))
        elif words[index].value is None and _may_split(words[index]):
            pairs.append(("-p", words[index]))
        index += 1
    return pairs


def _operands(words: list[_Word], valued: frozenset[str]) -> list[_Word]:
    found: list[_Word] = []
    index = 1
    while index < len(words):
        value = words[index].value
        if value in valued:
            index += 1
        elif value is None or not value.startswith("-"):
            found.append(words[index])
        index += 1
    return found
