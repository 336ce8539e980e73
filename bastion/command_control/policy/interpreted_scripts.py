"""A program's own script given to an interpreter, read as each interpreter's own parser reads
its options (outside attack a36f, findings 1, 2, 6, 16 and 20; z35f finding 19 read the plain
spellings: `python3 /usr/sbin/ufw disable`, `ruby -S irb`):

- the options before the script by the collector's tables (shells.py: `interpreter_cluster`),
  not a table of their own: perl's `-x -l -0 -i -C -d -D -F` and ruby's `-x -W -T -0 -K` take
  an attached value only (`perl -x /usr/sbin/update-rc.d ...` runs update-rc.d), node's `-C`
  takes the next word; an option none of the tables holds is read both ways (taking the next
  word, and not);
- the script by another path (`/proc/self/root/usr/sbin/ufw`, `/proc/1/root/...`: paths'
  `through_proc`, in script_spellings' `program_script`) or fed on stdin (`python3 - disable <
  /usr/sbin/ufw`, `/dev/stdin`, `/dev/fd/3 ... 3< F`), and by python's and ruby's other
  implementations (pypy3, graalpy, jruby, truffleruby), lua, Rscript, tclsh, bun;
- python's runner modules that run a script or a module given after them (`-m pdb [-c CMD]`,
  `-m cProfile`, `-m profile`, `-m trace`, `-m IPython`, `-m idlelib -r`; pdb3 and ipython3 by
  their commands) read for what they run, and `python3 -m coverage|pyinstrument|memray|
  viztracer|scalene ...` as that tool's command (python_tools.py reads those);
- a pattern in `-m`'s module name (`python3 -m pi? config ...`): each module the tables read
  that it may match, and unknown;
- perl's ExtUtils::Command (`perl -MExtUtils::Command -e rm_rf /etc`), the twin of ruby's un.rb:
  the coreutils command it runs (its words' `*` and `?` are globbed by the module itself).

Outside attack b37f (findings 1, 8, 9, 13): ruby's `-C DIR`/`-X DIR`/`-xDIR` and bun's `--cwd`
move the folder the relative script is read in; more runner modules (memory_profiler, kernprof,
pudb, pydevd...) and `bpython`/`ptpython FILE` are read for the script they run; perl's `'` is
`::` in ExtUtils'Command; a script through /proc/self/cwd or `/dev/fd/N/NAME` with `N<DIR` is
read as its plain path (script_spellings' `own_spelling`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bastion.command_control.policy.collect_modules import _AS_PROGRAM, _MODULE_WRITES
from bastion.command_control.policy.python_names import ALIASES, canonical_module, package_of_script
from bastion.command_control.policy.python_runners import run_by
from bastion.command_control.policy.python_tools import PY_TOOLS
from bastion.command_control.policy.script_spellings import (
    _PROC_ROOTS,
    GLOB,
    PROGRAM_DIRS,
    descriptor_script,
    own_spelling,
    program_script,
)
from bastion.command_control.policy.shells import (
    _ATTACHED_VALUE,
    _INLINE_CODE,
    _REPL_MODULES,
    _SCRIPT_MODULES,
    interpreter_cluster,
    long_option_kind,
    may_take_next,
)
from bastion.command_control.policy.verb_patterns import may_match
from bastion.command_control.policy.words import _Word

_INTERPRETER = re.compile(
    r"(?P<python>(?:python|pypy|graalpy|jython)[0-9.]*(?:-dbg|d|m|dm)?)|(?P<perl>perl[0-9.]*)"
    r"|(?P<ruby>(?:ruby|jruby|truffleruby)[0-9.]*)|(?P<node>node|nodejs|bun)"
    r"|(?P<php>php[0-9.]*(?:-cli)?)|(?P<lua>lua(?:jit)?[0-9.]*)|(?P<r>Rscript)"
    r"|(?P<tcl>tclsh[0-9.]*|wish[0-9.]*)|(?P<pdb>i?pdb[0-9.]*)|(?P<ipython>ipython[0-9.]*)"
    r"|(?P<rdbg>rdbg|byebug)|(?P<runner>(?:bpython|ptpython|ptipython)[0-9.]*(?:-curses|-urwid|-gtk)?)")
# python's modules (and REPL programs) that run the script or module given after their options
# (outside attack b37f, finding 8): read for each script they may run, options both ways
_RUNNER_MODULES = frozenset({"memory_profiler", "kernprof", "line_profiler", "yappi", "pudb",
                             "pudb.run", "pydevd", "trepan3k", "trepan.__main__", "web_pdb",
                             "pdbr", "snoop", "wdb", "ptvsd", "bpython", "ptpython", "ptipython",
                             "bpdb", "pyinstrument.__main__", "heartrate", "birdseye"})
_SEARCH = frozenset({"perl", "ruby"})  # `-S`: the script found in PATH
# long options whose value is code on the line (nothing is a script then)
_LONG_CODE = frozenset({"--eval", "--print", "--command", "--run", "--process-begin",
                        "--process-code", "--process-end"})
# the modules the tables read by name, for a pattern in `-m`'s name (finding 16)
_KNOWN_MODULES = frozenset(_AS_PROGRAM) | frozenset(_MODULE_WRITES) | _REPL_MODULES | \
    _SCRIPT_MODULES | frozenset(PY_TOOLS) | _RUNNER_MODULES | \
    frozenset({"zipfile", "tarfile", "pip3", "pdb3", "idlelib.idle", "idlelib.pyshell"}) | ALIASES
_PACKAGES = frozenset(_AS_PROGRAM) | frozenset(_MODULE_WRITES) | _REPL_MODULES


def interpreted_programs(name: str, strings: list[str], globs: set[int], dirs: list[str],
                         files: dict[int, str]) -> list[tuple[str, ...]]:
    """The commands an interpreter's line runs as a program's own script or a module given to
    a runner (`python3 -m cProfile /usr/sbin/ufw disable`: `/usr/sbin/ufw disable`), in every
    reading of its options; [] for none. `globs`: the indexes of pattern words; `files`: the
    files the command's descriptors read (`< F`, `3< F`)."""
    match = _INTERPRETER.fullmatch(name)
    if match is None:
        return []
    kind = match.lastgroup or ""
    if kind == "pdb":
        return _pdb(name, strings[1:], dirs, files)
    if kind == "ipython":
        return _ipython(name, strings[1:], dirs, files)
    if kind == "rdbg":
        return _ruby_debugger(name, strings[1:], dirs, files)
    if kind == "runner":
        return _runner(name, strings[1:], dirs, files)
    if kind == "tcl":
        at = 3 if strings[1:2] == ["-encoding"] else 1  # Tcl_Main's reading (collector's `_tclsh`)
        if at < len(strings) and not strings[at].startswith("-"):
            return _script(kind, name, strings[at], strings[at + 1:], dirs, files, False)
        return []
    found: list[tuple[str, ...]] = []
    states, seen = [(1 if name != "bun" or strings[1:2] != ["run"] else 2, False, "")], set()
    while states:  # each (word, -S) state once: at most twice the words
        at, search, moved = states.pop()  # moved: the folder -C DIR went to (b37f, 1)
        if (at, search, moved) in seen:
            continue
        seen.add((at, search, moved))
        if at >= len(strings) or strings[at] == "-":
            found += _script(kind, name, "-", strings[at + 1:], dirs, files, search)
            continue
        word = _in(moved, strings[at])
        if word == "--":
            if at + 1 < len(strings) and strings[at + 1] != "-":
                found += _script(kind, name, _in(moved, strings[at + 1]), strings[at + 2:], dirs,
                                 files, search)
            else:
                found += _script(kind, name, "-", strings[at + 2:], dirs, files, search)
            continue
        if not word.startswith("-"):
            found += _script(kind, name, word, strings[at + 1:], dirs, files, search)
            continue
        if word.startswith("--"):
            head, has_value, _ = word.partition("=")
            head = "--" + head[2:].replace("_", "-") if kind == "node" else head
            if head in _LONG_CODE:
                continue
            if name == "bun" and head == "--cwd":  # bun's own chdir (b37f, 1)
                folder = word.partition("=")[2] if has_value else (
                    strings[at + 1] if at + 1 < len(strings) else "")
                states.append((at + (1 if has_value else 2), search, _in(moved, folder)))
                continue
            if kind == "r":
                states.append((at + 1, search, moved))  # Rscript's options are `--NAME[=VALUE]`
                continue
            taken = "flag" if has_value else long_option_kind(kind, head)
            states += [(at + step, search, moved) for step in
                       ((1,) if taken == "flag" else (2,) if taken == "value" else (1, 2))]
            continue
        if kind == "ruby" and (moves := _ruby_chdir(name, word, strings[at + 1:at + 2])):
            states += [(at + step, search, _in(moved, folder)) for folder, step in moves if step]
            if all(step for _, step in moves):
                continue  # ruby's -C DIR, -X DIR, -xDIR: the script is read in DIR (b37f, 1)
        letters, taker, attached = interpreter_cluster(kind, word)
        search = search or (kind in _SEARCH and "S" in letters)
        if kind == "python" and taker == "m":
            module = attached or (strings[at + 1] if at + 1 < len(strings) else "")
            rest = strings[at + (1 if attached else 2):]
            pattern = not attached and at + 1 in globs
            found += _module(name, module, rest, pattern, dirs, files)
            continue
        if taker is not None and taker in _INLINE_CODE.get(kind, ""):
            continue  # code on the line: no script (interpreters' own code is not read)
        following = taker is not None and not attached and taker not in _ATTACHED_VALUE.get(kind, "")
        if following:
            states.append((at + 2, search, moved))
        elif taker is None and may_take_next(kind, letters):
            states += [(at + 1, search, moved), (at + 2, search, moved)]  # a letter no table holds: both
        else:
            states.append((at + 1, search, moved))
    return list(dict.fromkeys(found))


_RUBY_FLAGS = frozenset("acdlnpsvwyhUS")  # ruby's letters that take no value
# ruby's letters whose value is optional and short, after which the cluster reads on (ruby.c
# proc_options `goto reswitch`; outside attack c38f, finding 1): `-W` + one octal digit, `-0` +
# up to 4, `-T` + up to 2 (old rubies), `-K` + one kcode letter
_RUBY_SHORT = {"W": ("01234567", 1), "0": ("01234567", 4), "T": ("01234567", 2), "K": (None, 1)}


def _ruby_chdir(name: str, word: str, following: list[str]) -> list[tuple[str, int]]:
    """The folders ruby's `-C DIR`/`-X DIR` (attached or the next word) and `-xDIR` go to
    while the options are read, before the script is opened (outside attack b37f, finding 1),
    each with the words it takes; a reading with step 0 also keeps the ordinary one (jruby's
    `-X` is its extended options). The cluster is read as ruby reads it: `-WC DIR`, `-KuC DIR`,
    `-00X DIR`, `-Wx/DIR` (c38f, 1). [] for any other word."""
    if name.startswith("jruby") and word.startswith("-J-Duser.dir="):
        return [(word.partition("=")[2], 1)]  # the JVM's current folder: JRuby's cwd (c38f, 1)
    if word.startswith("--") or not word.startswith("-"):
        return []
    offset = 1
    while offset < len(word):
        letter = word[offset]
        offset += 1
        rest = word[offset:]
        if letter in "CX":
            moves = [(rest, 1)] if rest else [(following[0], 2)] if following else []
            return [*moves, ("", 0)] if letter == "X" and name.startswith("jruby") else moves
        if letter == "x":
            return [(rest, 1)] if rest else []
        if letter == "W" and rest.startswith(":"):
            return []  # `-W:no-deprecated`: a category, the rest of the word
        if letter in _RUBY_SHORT:
            allowed, most = _RUBY_SHORT[letter]
            taken = 0
            while taken < most and offset + taken < len(word) and (
                    allowed is None or word[offset + taken] in allowed):
                taken += 1
            offset += taken
            continue
        if letter not in _RUBY_FLAGS:
            return []
    return []


def _in(moved: str, path: str) -> str:
    """`path` read from the folder an interpreter's option went to (`moved`, "" for none); a
    path through the process's own cwd (`/proc/self/cwd/service`) is in that folder too (c38f, 1)."""
    if moved and path.startswith("/"):
        own = own_spelling(path, {})
        path = own if not own.startswith("/") else path
    if not moved or path.startswith(("/", "~", "-")):
        return path
    return f"{moved.rstrip('/')}/{path}"


def _script(kind: str, name: str, script: str, rest: list[str], dirs: list[str],
            files: dict[int, str], search: bool) -> list[tuple[str, ...]]:
    """The program a script operand is (`-`, /dev/stdin, /dev/fd/N: the file fed there)."""
    if script == "-":
        script = files.get(0, "")
    elif (fed := descriptor_script(script, files)) is not None:
        script = fed
    script = own_spelling(script, files)  # `/proc/self/cwd/...`, `/dev/fd/3/ufw 3<DIR` (b37f, 13)
    if not script:
        return []
    if search and "/" not in script:
        return [(script, *rest)]
    if GLOB.search(script):
        return pattern_programs(script, rest, dirs)
    ran = program_script(script, rest, dirs)
    if ran is not None:
        return [ran]
    if kind in ("python", "pdb", "ipython") and "/" in script:  # a bare name: a script file
        package = package_of_script(script, _PACKAGES)
        if package is not None:
            return [(_python(name), "-m", package, *rest)]
    return []


def pattern_programs(script: str, rest: list[str], dirs: list[str]) -> list[tuple[str, ...]]:
    """A pattern script that may be a program's own (`/usr/sbi?/ufw`, `/proc/*/root/usr/sbin/ufw`,
    `uf?` after `cd /usr/sbin`): the program of each folder of programs it may match (a literal
    name), and the pattern itself, a command word the policy cannot name (unknown)."""
    bases = [script] if script.startswith("/") else [
        f"{d.rstrip('/')}/{script}" for d in dirs if d.startswith("/")]
    found: list[tuple[str, ...]] = []
    for path in bases:
        *folder, last = [p for p in path.split("/") if p not in ("", ".")] or [""]
        for root in _PROC_ROOTS:
            for place in PROGRAM_DIRS:
                want = [p for p in f"{root}{place}".split("/") if p]
                if len(want) == len(folder) and all(
                        may_match(p, w) if GLOB.search(p) else p == w
                        for p, w in zip(folder, want, strict=True)):
                    found.append((f"{place}/{last}", *rest) if not GLOB.search(last) else (script, *rest))
    if found:
        found.append((script, *rest))
    return list(dict.fromkeys(found))


def _python(name: str) -> str:
    """The python an IPython or pdb line runs its module with."""
    match = _INTERPRETER.fullmatch(name)
    return name if match is not None and match.lastgroup == "python" else "python3"


def _module(name: str, module: str, rest: list[str], pattern: bool, dirs: list[str],
            files: dict[int, str]) -> list[tuple[str, ...]]:
    """`python3 -m MODULE REST`: what a runner module runs (one step: the collector reads the
    command given back in turn), a tool's command, or a pattern's modules."""
    if not module:
        return []
    if pattern:  # `python3 -m pi? config ...` (finding 16): each module it may match, unknown
        return [*((name, "-m", known, *rest) for known in sorted(_KNOWN_MODULES)
                  if may_match(module, known)), (module, *rest)]
    module = canonical_module(module)
    if module in PY_TOOLS and PY_TOOLS[module].kind == "python":
        return [(module, *rest)]  # `python3 -m coverage run X` is `coverage run X`
    if module in ("pdb", "ipdb"):
        return _pdb(name, rest, dirs, files)
    if module == "IPython":
        return _ipython(name, rest, dirs, files)
    if module in _RUNNER_MODULES:
        return _runner(name, rest, dirs, files)
    if module in ("idlelib", "idlelib.idle", "idlelib.pyshell"):
        return _idle(name, rest, dirs, files)
    if module in ("cProfile", "profile", "trace", "runpy"):
        ran = run_by(module, [_Word(v, v) for v in rest])
        if ran is None or ran.unknown is not None:
            return []  # the collector holds what it cannot read (python_runners.py)
        words = [w.value or "" for w in ran.rest]
        if ran.module is not None:  # `-m cProfile -m pdb ...`: the module, read in turn
            return [(name, "-m", ran.module, *words)]
        if not words:
            return []
        return _script("python", name, words[0], words[1:], dirs, files, False)
    return []


def _pdb(name: str, words: list[str], dirs: list[str], files: dict[int, str]) -> list[tuple[str, ...]]:
    """pdb's `[-c COMMAND]... [-m MODULE | PYFILE] ARGS` (getopt `mhc:`, `--command`; 3.14's
    `-p PID` attaches): the program it runs, an option it does not know read both ways. pdb's
    commands (`-c`) are python code on the line, not read, as `python3 -c` is."""
    found: list[tuple[str, ...]] = []
    states, seen = [(0, False)], set()
    while states:  # each (word, -m) state once
        at, as_module = states.pop()
        if (at, as_module) in seen or at >= len(words):
            continue
        seen.add((at, as_module))
        word = words[at]
        if word == "--" or not word.startswith("-") or word == "-":
            at += word == "--"
            if at < len(words):
                found += [(_python(name), "-m", words[at], *words[at + 1:])] if as_module else \
                    _script("python", _python(name), words[at], words[at + 1:], dirs, files, False)
            continue
        if word.startswith("--"):
            head, has_value, _ = word.partition("=")
            if len(head) > 2 and "--command".startswith(head):
                states.append((at + (1 if has_value else 2), as_module))
            elif not (len(head) > 2 and ("--help".startswith(head) or "--pid".startswith(head))):
                states += [(at + 1, as_module), (at + 2, as_module)]  # not known: both
            continue
        step, stop = 1, False
        for offset, letter in enumerate(word[1:], start=2):
            if letter == "c":
                step += 0 if word[offset:] else 1
                break
            as_module = as_module or letter == "m"
            stop = stop or letter in "hp"
        if not stop:
            states.append((at + step, as_module))
    return list(dict.fromkeys(found))


# ruby's debuggers' options that take a value (rdbg's and byebug's OptionParser tables)
_RDBG_VALUES = frozenset({"-e", "-x", "--init-script", "--sock-path", "--port", "--port-range",
                          "--host", "--cookie", "--session-name", "--util", "-I", "--include",
                          "-r", "--require", "-R", "--remote"})
_RDBG_FLAGS = frozenset({"-n", "--nonstop", "--no-rc", "--no-color", "--no-sigint-hook", "-O",
                         "--open", "--stop-at-load", "-d", "--debug", "-m", "--post-mortem",
                         "--no-post-mortem", "-q", "--quit", "--no-quit", "--rc", "-s", "--stop",
                         "--no-stop", "-t", "--trace", "--no-trace"})


def _each_reading(words: list[str], step: Callable[[int, str], list[int]]) -> None:
    """Words read in every way a program's options may be read: `step(at, word)` gives the
    places the next option may start (an option taking the next word or not, both); each place
    is read once, so the work is linear in the words."""
    states, seen = [0], set()
    while states:
        at = states.pop()
        if at in seen or at >= len(words):
            continue
        seen.add(at)
        states += step(at, words[at])


def _runner(name: str, words: list[str], dirs: list[str], files: dict[int, str]) -> list[tuple[str, ...]]:
    """A runner's `[OPTIONS] SCRIPT ARGS` or `[OPTIONS] -m MODULE ARGS` (memory_profiler,
    kernprof, pudb, pydevd's `--file SCRIPT`, bpython FILE...): each option read both ways
    (taking the next word, and not), each script it may run read as interpreters' are."""
    found: list[tuple[str, ...]] = []

    def step(at: int, word: str) -> list[int]:
        nonlocal found
        if word in ("-m", "--module") and at + 1 < len(words):
            found.append((_python(name), "-m", words[at + 1], *words[at + 2:]))
        elif word == "--" and at + 1 < len(words):
            found += _script("python", _python(name), words[at + 1], words[at + 2:], dirs, files, False)
        elif not word.startswith("-") or word == "-":
            found += _script("python", _python(name), word, words[at + 1:], dirs, files, False)
        else:
            return [at + 1] if "=" in word else [at + 1, at + 2]
        return []

    _each_reading(words, step)
    return list(dict.fromkeys(found))


def _ruby_debugger(name: str, words: list[str], dirs: list[str],
                   files: dict[int, str]) -> list[tuple[str, ...]]:
    """rdbg's and byebug's `[OPTIONS] SCRIPT [--] ARGS` (rdbg `-c`: a command found in PATH,
    `-A`: attaches), an option not known read both ways."""
    found: list[tuple[str, ...]] = []
    states, seen, command = [0], set(), False
    while states:
        at = states.pop()
        if at in seen:
            continue
        seen.add(at)
        word = words[at] if at < len(words) else None
        if word is None or word in ("-A", "--attach", "-h", "--help", "-v", "--version"):
            continue
        if word == "--" or not word.startswith("-"):
            at += word == "--"
            rest = [w for w in words[at + 1:] if w != "--"]
            if at < len(words):
                found += [(words[at], *rest)] if command else \
                    _script("ruby", name, words[at], rest, dirs, files, False)
            continue
        head = word.partition("=")[0]
        if head in ("-c", "--command"):
            command = True
        if head in _RDBG_VALUES and "=" not in word and len(word) == len(head):
            states.append(at + 2)
        elif head in _RDBG_VALUES or head in _RDBG_FLAGS or head in ("-c", "--command"):
            states.append(at + 1)
        else:
            states += [at + 1, at + 2]
    return list(dict.fromkeys(found))


def _ipython(name: str, words: list[str], dirs: list[str], files: dict[int, str]) -> list[tuple[str, ...]]:
    """IPython's `[OPTIONS] [FILE ARGS]`: `-m MODULE`, `-c CODE` (code on the line), traitlets'
    `--NAME=VALUE`; an option of its own without `=` read both ways."""
    found: list[tuple[str, ...]] = []

    def step(at: int, word: str) -> list[int]:
        nonlocal found
        if word == "-m" and at + 1 < len(words):
            found.append((_python(name), "-m", words[at + 1], *words[at + 2:]))
        elif not word.startswith("-"):
            found += _script("python", _python(name), word, words[at + 1:], dirs, files, False)
        elif word != "-c":
            return [at + 1, at + 2] if word.startswith("--") and "=" not in word else [at + 1]
        return []

    _each_reading(words, step)
    return list(dict.fromkeys(found))


def _idle(name: str, words: list[str], dirs: list[str], files: dict[int, str]) -> list[tuple[str, ...]]:
    """idle's `-r FILE ARGS` runs FILE (getopt `c:deihnr:st:`)."""
    at = 0
    while at < len(words) and words[at].startswith("-") and words[at] != "-":
        word = words[at]
        at += 1
        for offset, letter in enumerate(word[1:], start=2):
            if letter in "crt":
                value = word[offset:] or (words[at] if at < len(words) else "")
                at += 0 if word[offset:] else 1
                if letter == "r" and value:
                    return _script("python", _python(name), value, words[at:], dirs, files, False)
                break
    return []


# perl's ExtUtils::Command (finding 20): its functions read @ARGV, each as a coreutils command.
_EU_VERBS = {"rm_rf": ("rm", "-rf", "--"), "rm_f": ("rm", "-f", "--"), "touch": ("touch", "--"),
             "mv": ("mv", "--"), "cp": ("cp", "--"), "chmod": ("chmod",), "mkpath": ("mkdir", "-p", "--"),
             "eqtime": ("touch", "-r"), "cat": ("cat", "--"), "dos2unix": ("dos2unix", "--")}
_EU_READS = frozenset({"test_f", "test_d"})
_EU_MODULE = re.compile(r"-?ExtUtils::Command(?P<mm>::MM)?(?:[=\s].*)?", re.S)
_EU_CALL = re.compile(r"\s*&?\s*(?:ExtUtils::Command::)?(?P<verb>\w+)\s*(?:\(\s*\))?\s*;?\s*")


def perl_command(name: str, words: list[_Word]) -> tuple[list[_Word], str]:
    """What `perl -MExtUtils::Command -e VERB ARGS` runs: the coreutils command, or a reason it
    is unknown (a verb not read, ExtUtils::Command::MM's, code calling more than the one
    verb, a word known only at run time); ([], "") for any other line."""
    match = _INTERPRETER.fullmatch(name)
    if match is None or match.lastgroup != "perl":
        return [], ""
    loaded, code, at = None, [], 1
    while at < len(words):
        value = words[at].value
        if value is None:
            return ([], "perl's words known only at run time beside ExtUtils::Command") \
                if loaded else ([], "")
        if value == "--":
            at += 1
            break
        if not value.startswith("-") or value == "-":
            break
        _, taker, attached = interpreter_cluster("perl", value)
        given = attached
        if taker is not None and not attached and taker in "eEI":
            following = words[at + 1].value if at + 1 < len(words) else ""
            given, at = following or "", at + 1
        at += 1
        # perl reads the old package separator `'` as `::` (`-MExtUtils'Command`: b37f, 9)
        given = given.replace("'", "::") if taker in ("M", "m", "e", "E") else given
        if taker in ("M", "m") and (found := _EU_MODULE.fullmatch(given)) and not given.startswith("-"):
            loaded = "MM" if found.group("mm") else "Command"
        elif taker in ("e", "E"):
            code.append(given)
    if loaded is None or not code:
        return [], ""
    if loaded == "MM":
        return [], "perl -MExtUtils::Command::MM: its commands (uninstall, cp_nonempty...) are not read"
    call = _EU_CALL.fullmatch("\n".join(code))
    verb = call.group("verb") if call else ""
    rest = words[at:]
    if verb in _EU_READS:
        return [], ""
    if verb not in _EU_VERBS or any(w.value is None for w in rest):
        return [], f"perl -MExtUtils::Command -e {' '.join(code)!r}: code the policy does not read"
    # the module globs its words itself (`expand_wildcards`: a `*` or `?` in a word)
    args = [w._replace(glob=True) if re.search(r"[*?]", w.value or "") else w for w in rest]
    return [*(_Word(v, v) for v in _EU_VERBS[verb]), *args], ""
