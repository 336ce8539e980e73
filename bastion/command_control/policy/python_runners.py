"""python's `-m MODULE` read as python reads it (the option clustered: `-Im`, `-OOm`, `-Esm`),
and the modules that run another module or script (cProfile, profile, trace, runpy), read by
their own parsers, so that the module at the end of the chain is judged as if run by
`python3 -m MODULE ARGS` (found after outside attack X, findings 3 and 4: `python3 -m cProfile
-m zipfile -e A /etc/sudoers.d`, `-m runpy code` reading stdin) and the files the runners' own
options write are seen (`-m cProfile -o FILE`)."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.python_names import canonical_module
from bastion.command_control.policy.shells import interpreter_cluster
from bastion.command_control.policy.words import _at, _Word

# The modules `run_by` reads.
RUNNERS = frozenset({"cProfile", "profile", "trace", "runpy"})
# python's long options that take the next word as their value.
_PYTHON_LONG_VALUED = frozenset({"--check-hash-based-pycs"})


class Ran(NamedTuple):
    """What a runner module runs: `module` and its words `rest` (module None: a script file,
    `rest[0]` when there is one), the files its options write, and why the policy cannot read
    its words (None when it can)."""

    module: str | None
    rest: list[_Word]
    writes: list[PathArg]
    unknown: str | None = None


def python_module(words: list[_Word]) -> tuple[_Word, list[_Word]] | None:
    """`python [OPTIONS] -m MODULE ARGS`: the module's word and the words after it, as python's
    getopt reads its clustered options (`-Im zipfile`, `-mzipfile`, `-W x -m M`); None when the
    program is a script, code on the line (-c), stdin, or no -m is given."""
    index = 1
    while index < len(words):
        value = words[index].value
        if value is None or value in ("-", "--") or not value.startswith("-"):
            return None
        if value.startswith("--"):
            index += 2 if value in _PYTHON_LONG_VALUED else 1
            continue
        _, taker, attached = interpreter_cluster("python", value)
        if taker == "m":
            module = _Word(attached, attached) if attached else _at(words, index + 1)
            if module is not None and module.value is not None:
                module = module._replace(value=canonical_module(module.value))  # z35f 5
            return (module, words[index + (1 if attached else 2):]) if module is not None else None
        if taker == "c":
            return None
        index += 2 if taker is not None and not attached else 1
    return None


# cProfile's and profile's optparse options: those taking a value, and its flags.
_PROFILE_VALUED = {"o": "--outfile", "s": "--sort"}
_PROFILE_LONG = ("--outfile", "--sort", "--help")
# trace's argparse options taking a value (short and long), and its long flags.
_TRACE_VALUED = {"f": "--file", "C": "--coverdir"}
_TRACE_LONG_VALUED = ("--file", "--coverdir", "--ignore-module", "--ignore-dir")
_TRACE_LONG_FLAGS = ("--count", "--trace", "--listfuncs", "--trackcalls", "--report",
                     "--no-report", "--missing", "--summary", "--timing", "--module", "--help",
                     "--version")
_TRACE_FLAGS = frozenset("ctlTrRmsgh")


def _long(head: str, names: tuple[str, ...]) -> str | None:
    """The long option `head` names: itself or the one option it starts (the parsers take
    unambiguous abbreviations); None for none or more than one."""
    if head in names:
        return head
    starts = [n for n in names if n.startswith(head) and len(head) > 2]
    return starts[0] if len(starts) == 1 else None


def _options(rest: list[_Word], short: dict[str, str], flags: frozenset[str],
             long_valued: tuple[str, ...], long_flags: tuple[str, ...]
             ) -> tuple[list[tuple[str, _Word]], int] | str:
    """A runner's options up to its first operand (neither parser reads options after it):
    the valued ones with their values and the index of the operand, or why it cannot be read."""
    found: list[tuple[str, _Word]] = []
    index = 0
    while index < len(rest):
        value = rest[index].value
        if value is None:
            return "a runner module's words known only at run time"
        if value == "--":
            return found, index + 1
        if not value.startswith("-") or value == "-":
            return found, index
        index += 1
        if value.startswith("--"):
            head, has_value, attached = value.partition("=")
            option = _long(head, long_valued + long_flags)
            if option is None:
                return f"an option python's runner modules do not know: {value}"
            if option in long_flags:
                found.append((option, _Word("", "")))
                continue
            argument = _Word(attached, attached) if has_value else _at(rest, index)
            if argument is None:
                return f"{option} given no value"
            index += 0 if has_value else 1
            found.append((option, argument))
            continue
        for offset, letter in enumerate(value[1:], start=2):
            if letter in short:
                attached = value[offset:]
                argument = _Word(attached, attached) if attached else _at(rest, index)
                if argument is None:
                    return f"-{letter} given no value"
                index += 0 if attached else 1
                found.append((short[letter], argument))
                break
            if letter not in flags:
                return f"an option python's runner modules do not know: -{letter}"
            found.append((f"-{letter}", _Word("", "")))
    return found, index


def run_by(module: str, rest: list[_Word]) -> Ran | None:
    """What the runner `module` runs, given its words `rest`; None when `module` is no runner.
    cProfile and profile: `[-o FILE] [-s KEY] [-m] (MODULE | SCRIPT) ARGS`, -o writes FILE;
    trace: `[OPTIONS] [--module] (MODULE | SCRIPT) ARGS` (its -m is --missing), -f FILE writes
    FILE and -C DIR fills DIR; runpy: `MODULE ARGS`."""
    if module == "runpy":
        first = _at(rest, 0)
        if first is None:
            return Ran(None, [], [])
        if first.value is None:
            return Ran(None, rest, [], "the module runpy runs, known only at run time")
        return Ran(canonical_module(first.value), rest[1:], [])
    if module in ("cProfile", "profile"):
        parsed = _options(rest, _PROFILE_VALUED, frozenset("mh"), _PROFILE_LONG[:2], _PROFILE_LONG[2:])
        as_module = "-m"
        writes_option, folder_option = "--outfile", ""
    elif module == "trace":
        parsed = _options(rest, _TRACE_VALUED, _TRACE_FLAGS, _TRACE_LONG_VALUED, _TRACE_LONG_FLAGS)
        as_module = "--module"
        writes_option, folder_option = "--file", "--coverdir"
    else:
        return None
    if isinstance(parsed, str):
        return Ran(None, rest, [], parsed)
    found, index = parsed
    writes: list[PathArg] = []
    for option, argument in found:
        if option in (writes_option, folder_option):
            path = _path_arg(argument)
            writes.append(path if option == writes_option or path.kind == "unknown" else
                          path._replace(text=f"{path.text.rstrip('/')}/**", kind="pattern"))
    target = _at(rest, index)
    if not any(option == as_module for option, _ in found) or target is None:
        return Ran(None, rest[index:], writes)
    if target.value is None:
        return Ran(None, rest[index:], writes, f"the module {module} runs, known only at run time")
    return Ran(canonical_module(target.value), rest[index + 1:], writes)


def module_chain(module: str, rest: list[_Word]) -> tuple[str | None, list[_Word], list[PathArg], str | None]:
    """The module at the end of a chain of runners (`-m cProfile -m trace --module zipfile`:
    zipfile) with its words, the files the runners write, and why a runner's words cannot be
    read (None when they can). The module is None when the chain ends in a script file (the
    first of the words) or runs nothing."""
    writes: list[PathArg] = []
    current: str | None = module
    for _ in range(16):
        ran = run_by(current, rest) if current is not None else None
        if ran is None:
            return current, rest, writes, None
        writes += ran.writes
        if ran.unknown is not None:
            return None, ran.rest, writes, ran.unknown
        current, rest = ran.module, ran.rest
    return None, rest, writes, "runner modules nested too deep to read"
