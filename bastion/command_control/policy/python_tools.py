"""Third-party Python runners and profilers (issue 12, fix-open): `coverage run [-m] X`,
`pyinstrument [-m] X`, `scalene X`, `memray run [-m] X`, `viztracer X` run a script or module
as `python3 X` would; `py-spy record -- CMD` and `austin CMD` run a whole command. Before, no
table read them: the catch-all took `coverage run -m code` (a prompt on the exec channel's
stdin) or `austin bash -c CODE` for a program with operands.

Each runner's options come from its --help (coverage 7, pyinstrument 4, scalene 1.5, memray 1,
py-spy 0.3, austin 3, viztracer 0.16); an option the table does not hold makes the line
unknown (it may take the word after it, shifting what is run), as an option known only at run
time does. The files their output options name are writes."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.options import _long_option
from bastion.command_control.policy.words import _Word


class PyTool(NamedTuple):
    """A runner's table. `verbs`: the subcommands that run something (others are read as an
    unread program's); `kind`: "python" (a script or module run as python3 runs it) or
    "command" (a whole command line)."""

    kind: str
    verbs: frozenset[str] = frozenset()
    values: str = ""  # short options that take a value
    flags: str = ""  # short options that take none
    long_values: frozenset[str] = frozenset()
    long_flags: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()  # options naming a file (or folder) written
    module: frozenset[str] = frozenset()  # flags after which the operand is a module
    module_value: frozenset[str] = frozenset()  # options whose value is a module (rest: its args)
    code_value: frozenset[str] = frozenset()  # options whose value is Python code (rest: argv)
    runs_nothing: frozenset[str] = frozenset()  # options after which nothing is run
    abbreviations: bool = True  # argparse/optparse take a start of a long name; clap does not
    separator: str = ""  # a word between the program and its arguments, dropped (scalene ---)
    # option -> the values it may take; any other value is code (pyinstrument's renderer may
    # be an import path of a class)
    choices: dict[str, frozenset[str]] = {}


def _long(*names: str) -> frozenset[str]:
    return frozenset(f"--{name}" for name in names)


_RENDERERS = frozenset({"text", "html", "json", "speedscope", "session", "pstats"})
PY_TOOLS: dict[str, PyTool] = {
    "coverage": PyTool(
        "python", frozenset({"run"}), "", "amLph",
        _long("concurrency", "context", "data-file", "include", "omit", "source", "debug",
              "rcfile", "save-signal"),
        _long("append", "branch", "module", "pylib", "parallel-mode", "timid", "help"),
        _long("data-file"), frozenset({"-m", "--module"})),
    "pyinstrument": PyTool(
        "python", frozenset(), "mcorpi", "th",
        _long("load", "load-prev", "outfile", "renderer", "render-option", "interval", "show",
              "show-regex", "hide", "hide-regex"),
        _long("html", "show-all", "unicode", "no-unicode", "color", "no-color", "flat",
              "from-path", "timeline", "version", "help"),
        frozenset({"-o", "--outfile"}), frozenset(), frozenset({"-m"}), frozenset({"-c"}),
        frozenset({"--load", "--load-prev", "--version", "-h", "--help"}),
        choices={"-r": _RENDERERS, "--renderer": _RENDERERS}),
    "scalene": PyTool(
        "python", frozenset(), "", "h",
        _long("outfile", "profile-interval", "cpu-percent-threshold", "cpu-sampling-rate",
              "malloc-threshold", "profile-only", "profile-exclude", "program-path",
              "column-width", "allocation-sampling-window"),
        _long("html", "json", "cli", "web", "no-browser", "reduced-profile", "cpu", "gpu",
              "memory", "profile-all", "use-virtual-time", "stacks", "memory-leak-detector",
              "off", "version", "help"),
        _long("outfile"), runs_nothing=frozenset({"--version", "-h", "--help"}),
        separator="---"),
    "memray": PyTool(
        "python", frozenset({"run"}), "opmc", "fqh",
        _long("output", "live-port"),
        _long("force", "quiet", "live", "live-remote", "native", "follow-fork",
              "trace-python-allocators", "aggregate", "compress-on-exit", "no-compress", "help"),
        frozenset({"-o", "--output"}), frozenset(), frozenset({"-m"}), frozenset({"-c"}),
        frozenset({"-h", "--help"})),
    "py-spy": PyTool(
        "command", frozenset({"record", "top"}), "ofdrp", "sFgtinh",
        _long("output", "format", "duration", "rate", "pid"),
        _long("subprocesses", "function", "gil", "threads", "idle", "native", "nonblocking",
              "full-filenames", "nolineno", "hideprogress", "help"),
        frozenset({"-o", "--output"}), runs_nothing=frozenset({"-p", "--pid", "-h", "--help"}),
        abbreviations=False),
    "austin": PyTool(
        "command", frozenset(), "iotxwp", "CfmsbPghV",
        _long("interval", "output", "timeout", "exposure", "where", "pid"),
        _long("children", "full", "memory", "sleepless", "binary", "pipe", "gc", "help", "usage",
              "version"),
        frozenset({"-o", "--output"}),
        runs_nothing=frozenset({"-p", "--pid", "-w", "--where", "-h", "--help", "--usage", "-V",
                                "--version"})),
    "viztracer": PyTool(
        "python", frozenset(), "o", "h",
        _long("output_file", "output_dir", "tracer_entries", "max_stack_depth"),
        _long("quiet", "ignore_c_function", "ignore_frozen", "log_sparse", "log_async",
              "log_gc", "log_print", "minimize_memory", "version", "help"),
        frozenset({"-o", "--output_file", "--output_dir"}),
        runs_nothing=frozenset({"--version", "-h", "--help"})),
}  # fmt: skip


class PyRun(NamedTuple):
    """What a runner's words say: the options with their values, where its program starts, and
    whether that program is a module, Python code, or nothing."""

    found: list[tuple[str, _Word | None]]
    start: int  # index of the first word of what is run (len(words): none)
    mode: str  # "script", "module", "code" (the value of -c), "command", or "none"
    value: _Word | None = None  # the module or code given in an option's value
    unread: str = ""  # the first option the table does not hold, as written; "?": dynamic


def read_py_tool(tool: PyTool, words: list[_Word], index: int) -> PyRun:
    """Read a runner's options from `words[index]` on, as its parser does: stopping at the first
    operand (the program), `--`, or an option whose value is the program."""
    found: list[tuple[str, _Word | None]] = []
    mode = "command" if tool.kind == "command" else "script"
    names = tool.long_values | tool.long_flags
    while index < len(words):
        value = words[index].value
        if value is None:
            return PyRun(found, index, "none", None, "?")
        if value == "--":
            return PyRun(found, index + 1, mode)
        if not value.startswith("-") or value == "-":
            return PyRun(found, index, mode)
        following = words[index + 1] if index + 1 < len(words) else None
        if value.startswith("--"):
            head, has_value, attached = value.partition("=")
            option = _long_option(head, names) if tool.abbreviations else head
            if option in tool.long_values:
                found.append((option, _Word(attached, attached) if has_value else following))
                index += 1 if has_value else 2
            elif option in tool.long_flags and not has_value:
                found.append((option, None))
                index += 1
            else:
                return PyRun(found, index, "none", None, head)
        else:
            index += 1
            for offset, letter in enumerate(value[1:], start=2):
                rest = value[offset:]
                if letter in tool.values:
                    found.append((f"-{letter}", _Word(rest, rest) if rest else following))
                    index += 0 if rest else 1
                    break
                if letter not in tool.flags:
                    return PyRun(found, index, "none", None, f"-{letter}")
                found.append((f"-{letter}", None))
        option, given = found[-1]
        if option in tool.module:
            mode = "module"
        if mode != "none" and (option in tool.module_value or option in tool.code_value):
            return PyRun(found, index, "module" if option in tool.module_value else "code", given)
        if option in tool.runs_nothing:
            mode = "none"  # its other options are still read (`--pid N -o FILE`)
    return PyRun(found, index, mode)
