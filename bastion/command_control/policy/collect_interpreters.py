"""The collector's handlers for interpreters: the options that say where their program is (a
file, the line, stdin), read as each interpreter's own parser reads them.

Methods of `_Collector` (collect.py): interpreters (`_interpreter`), pwsh's parameters, the
programs that load files then read a prompt (`_repl`)."""

from __future__ import annotations

import itertools

from bastion.command_control.policy.collect_modules import _AS_PROGRAM, _MODULE_WRITES
from bastion.command_control.policy.packaged import PHP_FILES, code_stream, on_include_path
from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.python_names import canonical_module, package_of_script
from bastion.command_control.policy.python_runners import RUNNERS as _RUNNERS
from bastion.command_control.policy.python_runners import module_chain
from bastion.command_control.policy.shells import (
    _ATTACHED_VALUE,
    _INLINE_CODE,
    _INTERACTIVE,
    _INTERACTIVE_LONG,
    _LONG_LOADS,
    _REPL_ENDS,
    _REPL_MODULES,
    _RUNNER_SUBCOMMANDS,
    _SCRIPT_MODULES,
    _SCRIPT_OPTIONS,
    _WORD_OPTIONS,
    INTERPRETERS,
    WORD_STYLE,
    interpreter_cluster,
    long_option_kind,
    may_take_next,
    pwsh_parameter,
)
from bastion.command_control.policy.words import _at, _Site, _Word, may_be_option

# python packages read by name (a folder or its __main__.py given as the script: z35f 5).
_PACKAGES = frozenset(_AS_PROGRAM) | frozenset(_MODULE_WRITES) | _REPL_MODULES


class _Interpreters:
    """Part of `_Collector` (collect.py): its handlers for interpreters (`_program_file`,
    `_program_option` and `_stdin_code` are `_Runners`')."""

    def _interpreter(self, name: str, words: list[_Word], site: _Site) -> bool:
        family = INTERPRETERS.fullmatch(name)
        kind = family.lastgroup or "" if family else ""
        inline = _INLINE_CODE.get(kind, "")
        if kind == "awk" and self._program_option(name, words, site):
            return True  # `awk -f - FILE`, `gawk --file=/dev/stdin`
        if kind == "repl":
            return self._repl(name, words, site)
        if kind == "pwsh":
            return self._pwsh(name, words, site)
        if kind == "tcl" and name.startswith(("tclsh", "wish")):
            return self._tclsh(name, words, site)
        if name == "jshell":
            # A prompt: it runs its load files (`jshell x.jsh`, `jshell PRINTING`), then reads
            # more code from stdin (attack e14f, finding 4), as groovysh does.
            if len(words) == 2 and words[1].value in _INFO_ONLY:
                return False
            return self._stdin_code(name, words, site, "an interpreter")
        if name == "R":
            return self._r_front(name, words, site)
        if kind == "julia" and len(words) > 1 and words[1].value in ("--lisp", None):
            # julia's first word `--lisp` starts the flisp prompt on stdin, whatever follows
            # (attack f15f, suspicion)
            return self._stdin_code(name, words, site, "an interpreter")
        skip = False
        inline_seen = False
        subcommand = name in ("deno", "bun")
        for position, word in enumerate(words[1:], start=1):
            value = word.value
            if skip:
                skip = False
                continue
            if not inline_seen and may_be_option(word):
                self._unknown(site, words, "a pattern where an option may stand: pathname "
                                           "expansion may make it one")
                return True
            if subcommand and value is not None and not value.startswith("-"):
                subcommand = False
                if _RUNNER_SUBCOMMANDS.get(value) == "stdin":
                    break  # `deno repl`: a prompt on stdin
                if _RUNNER_SUBCOMMANDS.get(value) == "file":
                    continue  # `deno run -`, `bun run /dev/stdin`: the file after it
            if inline_seen and (value is None or value == "-" or not value.startswith("-")):
                return False  # the arguments of the code given on the line
            if value == "-":
                break  # `python3 - ARGS`: the program is stdin, ARGS its arguments
            if value == "--":
                # The options end: the next word is the program, or an argument of the code.
                program = _at(words, position + 1)
                if inline_seen:
                    return False
                if program is None or program.value == "-":
                    break
                return self._program_file(name, program, words, site, "an interpreter")
            if value is None or not value.startswith("-") or _descriptor_file(value) is not None:
                package = package_of_script(value, _PACKAGES) if kind == "python" and value else None
                if package is not None:
                    # a known package's folder or its __main__.py: run as `-m PACKAGE` (z35f 5)
                    return self._interpreter(name, [words[0], _Word("-m", "-m"), _Word(package, package),
                                                    *words[position + 1:]], site)
                return self._program_file(name, word, words, site, "an interpreter")
            if value.startswith("--") or (kind in WORD_STYLE and len(value) > 2 and value != "-e"):
                head, has_value, given = value.partition("=")
                if kind == "node":
                    head = "--" + head[2:].replace("_", "-")  # `--inspect_port` (e14f, finding 3)
                if head in ("--eval", "--print", "--command"):
                    if kind == "python" or has_value:
                        return False
                    inline_seen, skip = True, True
                    continue
                if value in _INTERACTIVE_LONG.get(kind, ()):
                    break  # `node --interactive`: a prompt on stdin
                if head in _LONG_LOADS.get(kind, ()):
                    # `node --require /dev/stdin`: a file of code loaded first (attack S).
                    loaded = _Word(given, given) if has_value else _at(words, position + 1)
                    if loaded is not None and self._loads_descriptor(
                            name, loaded, words, site, loading=head != "--define"):
                        return True
                    skip = not has_value
                    continue
                if not has_value:
                    taken = long_option_kind(kind, head)
                    skip = _takes_next(taken, words, position)
                    if skip and taken == "unknown" and self._unknown_value_is_program(
                            name, words, site, position):
                        return True
                continue
            if value in _WORD_OPTIONS.get(kind, {}):
                skip = _WORD_OPTIONS[kind][value]  # `tclsh -encoding utf-8`
                continue
            letters, taker, attached = interpreter_cluster(kind, value)
            prompts = _INTERACTIVE.get(kind, "")
            if set(letters) & set(prompts):
                # `python3 -i script`, `perl -de0`, `php -a`, `julia -e 1 -i`: after (or
                # instead of) its program the interpreter reads more code from stdin (attack I,
                # finding 3; attack S, finding 8).
                break
            if kind == "python" and taker == "m":
                # `-m MOD` ends python's options, clustered too (`-Im asyncio`: attack O).
                module = attached or (_at(words, position + 1) or _Word("", "")).value
                module = canonical_module(module) if module is not None else None  # z35f 5
                rest = words[position + (1 if attached else 2):]
                for _ in range(2):
                    if module in _SCRIPT_MODULES:
                        # `python3 -m cProfile /dev/stdin`: the module runs the script a later
                        # word names, read from stdin when it is a descriptor (attack O).
                        for later in rest:
                            if later.value is None or _descriptor_file(later.value) is not None:
                                return self._program_file(name, later, words, site, "an interpreter")
                    if module not in _RUNNERS:
                        break
                    # `-m cProfile -o F -m code`: the module a runner runs, as if given to -m
                    # (outside attack X, findings 3 and 4); the files its options write.
                    module, rest, written, unreadable = module_chain(module, rest)
                    if written or unreadable:
                        self._plain(name, words, site)
                        self._touched(">", written, site)
                    if unreadable:
                        self._unknown(site, words, unreadable)
                        return True
                    if module is None:
                        return bool(written)  # a script file, a program's peer (README)
                if module in _REPL_MODULES:
                    break  # `python3 -m pdb script`, `python3 -m code`: a prompt on stdin
                if module is not None and module.partition(".")[0] in _AS_PROGRAM and "." in module:
                    # a part of a program the tables read (`-m jupyterlab.labapp`): unknown (z35f 5)
                    self._plain(name, words, site)
                    self._unknown(site, words, f"python's module {module}, a part of "
                                               f"{module.partition('.')[0]} the policy does not read")
                    return True
                # found after outside attack U: modules that write, serve or copy a program.
                return module is not None and self._python_module(name, module, rest, words, site)
            following = taker is not None and not attached and taker not in _ATTACHED_VALUE.get(kind, "")
            if taker is not None and taker in inline:
                # Code on the command line: a command named for the interpreter. python's
                # options end there; the others' go on (`julia -e 1 -i`, `perl -e 1 -d`).
                if kind == "python":
                    return False
                inline_seen, skip = True, following
                continue
            if taker is not None:
                # An option's value: a file of code it loads (`julia -L /dev/stdin`, `ruby
                # -r/dev/stdin`, `php -d auto_prepend_file=/dev/stdin`) is a program read there.
                loaded = _Word(attached, attached) if attached else _at(words, position + 1) \
                    if following else None
                if loaded is not None and self._loads_descriptor(
                        name, loaded, words, site, loading=taker in _LOADING_LETTERS.get(kind, "")):
                    return True
            # `python3 -W ignore`: "ignore" is the option's, not a script file; `julia -O 3`:
            # a letter no table knows may take "3" too (attack d13f, finding 1).
            skip = following or (taker is None and may_take_next(kind, letters)
                                 and _takes_next("unknown", words, position))
            if skip and not following and self._unknown_value_is_program(
                    name, words, site, position):
                return True
        else:
            if inline_seen:
                return False  # no prompt after the code given on the line
        return self._stdin_code(name, words, site, "an interpreter")

    def _tclsh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """tclsh and wish (Tcl_Main, Tk_MainEx) take their first word as the script only when
        it does not start with `-`, or the third after `-encoding NAME` (wish: the second after
        `-file` or a start of it); any other line reads the program from stdin (attack e14f,
        finding 2: `tclsh -n x.tcl`, `tclsh -- x.tcl`, `wish -- x`)."""
        values = [w.value for w in words]
        script: _Word | None = _at(words, 1)
        if len(words) > 3 and values[1] == "-encoding":
            script = words[3]
        elif len(words) > 2 and name.startswith("wish") and values[1] is not None and \
                len(values[1]) > 1 and "-file".startswith(values[1]):
            script = words[2]
        if script is not None and (script.value is None or not script.value.startswith("-")):
            return self._program_file(name, script, words, site, "an interpreter")
        return self._stdin_code(name, words, site, "an interpreter")

    def _r_front(self, name: str, words: list[_Word], site: _Site) -> bool:
        """R (not Rscript) reads its program from a file only through `-f FILE`/`--file=FILE`;
        any other operand is ignored and the program is read from stdin (attack e14f, finding
        5: `R --vanilla x.R`). `-e EXPR` is code on the line, `R CMD TOOL` runs a tool; a
        debugger (`-d gdb`) reads its own prompt from stdin."""
        if _at(words, 1) is not None and words[1].value == "CMD":
            return False
        index = 1
        while index < len(words):
            value = words[index].value
            if value is None or value == "--args" or value.startswith(("-d", "--debugger")):
                break  # a word known only at run time may be anything
            head, has_value, attached = value.partition("=")
            if head == "--file" and not has_value:
                index += 1  # R takes --file only as `--file=F`: an unknown option, ignored
                continue
            if head in ("-f", "--file"):
                script = _Word(attached, attached) if has_value else _at(words, index + 1)
                if script is None or script.value == "-":
                    break
                return self._program_file(name, script, words, site, "an interpreter")
            if value in ("-e", "--help", "-h", "--version"):
                return False
            index += 2 if value in ("-g", "--gui") else 1
        return self._stdin_code(name, words, site, "an interpreter")

    def _pwsh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """pwsh: `-Command CODE` and `-EncodedCommand` are code on the line, `-Command -` and
        `-File -` (or a descriptor) a program read from stdin (attack S, finding 9), a first
        word that is no parameter a script file; -NoExit, no program, or a parameter the policy
        does not read leaves it reading stdin."""
        index, inline = 1, False
        while index < len(words):
            value = words[index].value
            following = _at(words, index + 1)
            parameter = pwsh_parameter(value) if value is not None else "unknown"
            if value is not None and not value.startswith("-"):
                return inline or self._program_file(name, words[index], words, site, "an interpreter")
            if parameter in ("code", "file"):
                if following is None or following.value == "-":
                    break
                if parameter == "file":
                    return self._program_file(name, following, words, site, "an interpreter")
                inline, index = True, index + 2
                if following.value is None:
                    break  # code known only at run time: perhaps `-`
                continue
            if parameter == "inline":
                inline, index = True, index + 2
                continue
            if parameter in (None, "unknown", "prompt"):
                break
            index += 2 if parameter == "value" else 1
        else:
            if inline:
                return False
        return self._stdin_code(name, words, site, "an interpreter")

    def _unknown_value_is_program(self, name: str, words: list[_Word], site: _Site,
                                  position: int) -> bool:
        """The other reading of an unknown option taken to own the next word: that word as
        the script. True (judged) when it is one of the line's descriptors or known only at
        run time, where the script would be read from stdin."""
        nxt = words[position + 1]
        if nxt.value is not None and _descriptor_file(nxt.value) is None:
            return False
        return self._program_file(name, nxt, words, site, "an interpreter")

    def _loads_descriptor(self, name: str, value: _Word, words: list[_Word], site: _Site,
                          loading: bool = True) -> bool:
        """Whether an option's value (or its part after `=`) names one of the line's descriptors,
        judged as the program read from there; a value known only at run time is not judged
        (README: script files). A relative name is read in the folders the line moved to
        (`cd /dev; php -d auto_prepend_file=stdin`) or along php's include_path (attack k20f,
        finding 7); in a folder known only at run time only for an option that `loading` a
        file of code (`-r`, `auto_prepend_file=`), not for any value (`python3 -W 0`)."""
        if value.value is None:
            return False
        text = value.value.rsplit("=", 1)[-1]
        text = next((c for c in on_include_path(value.value, words)
                     if self._descriptor_named(c) is not None), text)
        loading = loading or value.value.partition("=")[0].strip() in PHP_FILES
        if self._descriptor_named(text) == "unknown" and not loading:
            return False
        if self._descriptor_named(text) is None and code_stream(value.value):
            # `php -d auto_prepend_file=php://stdin x.php`, `...=data:,<?php ...` (attack i18f,
            # finding 5): code from a stream the line does not show
            self._unknown(site, words, "an option's value loads code from a stream (php://, "
                                       "data:)")
            return True
        if self._descriptor_named(text) is None:
            return False
        return self._program_file(name, _Word(text, text), words, site, "an interpreter")

    def _repl(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A program that loads the files it is given, then reads more code from stdin (sbcl,
        ghci, swipl, erl, iex, groovysh...: attack M, finding 11) unless an option of
        `_REPL_ENDS` makes it stop first; a program file that is one of the line's descriptors
        (`sbcl --script /dev/stdin`) is read from there either way."""
        values = [w.value for w in words[1:]]
        for word in words[1:]:
            if word.value is None or word.value == "-" or _descriptor_file(word.value) is not None:
                return self._program_file(name, word, words, site, "an interpreter") if \
                    word.value != "-" else self._stdin_code(name, words, site, "an interpreter")
        ends = _REPL_ENDS.get(name, ())
        if name in ("clojure", "clj") and values and (values[-1] or "").startswith("-M"):
            # `clojure -M` with nothing after it (or an alias's `-M:dev`, whose main options
            # the line does not show) is clojure.main's prompt on stdin (attack f15f, suspicion)
            return self._stdin_code(name, words, site, "an interpreter")
        if values and values[-1] in ends and values[-1] in _SCRIPT_OPTIONS:
            # `sbcl --script` with no file after it reads the script from stdin (attack S).
            return self._stdin_code(name, words, site, "an interpreter")
        if any(v in ends or f"{v} {n}" in ends for v, n in itertools.pairwise([*values, None])):
            return False  # files run and the program exits: script files (README)
        if set(values) & (_REPL_INFORMS.get(name, frozenset({"--version", "--help"}))):
            return False
        return self._stdin_code(name, words, site, "an interpreter")


# Each interpreter's options whose value is a file of code it loads (ruby -r, node -r, julia
# -L, php -c and -z, perl -M/-m, lua -l): read in a folder known only at run time too.
_LOADING_LETTERS = {"ruby": "r", "node": "r", "julia": "L", "php": "cz", "perl": "Mm", "lua": "l"}


# Each prompt's own words that print and exit (`--version` and `--help` for the others): `-v`
# is ghci's verbosity and `erl -version` prints and starts the shell (found after outside attack
# f15f, finding 4: `-V` is not help everywhere).
_REPL_INFORMS = {
    "swipl": frozenset({"--version", "--help", "-v", "-h"}),
    "iex": frozenset({"--version", "--help", "-v", "-h"}),
    "clojure": frozenset({"--version", "--help", "-h"}), "clj": frozenset({"--version", "--help", "-h"}),
    "bb": frozenset({"--version", "--help", "-h"}), "csi": frozenset({"-version", "-help", "-h"}),
    "gosh": frozenset({"-V", "-h"}), "groovysh": frozenset({"--version", "--help", "-V", "-h"}),
    "erl": frozenset(),
}
# Words that make a prompt print and exit, given alone.
_INFO_ONLY = frozenset({"--help", "-h", "--version", "-version", "-help", "--help-extra", "-X"})


def _takes_next(taken: str, words: list[_Word], position: int) -> bool:
    """Whether the option at `position`, "value" or "unknown" (may take a value) or "flag"
    (`long_option_kind`), takes the next word as its value: then no script file follows, and
    the program is read from stdin unless a later word names it. An unknown one is read as
    taking any next word that is no option (the stricter reading: attack d13f, finding 1), even
    when a later word could be a script: that word may be `-` or another option's value
    (attack e14f, finding 3: `node --dns-result-order ipv4first -`); the other reading, the next
    word as the script, is judged by `_unknown_value_is_program`."""
    if taken != "unknown":
        return taken == "value"
    nxt = _at(words, position + 1)
    return nxt is not None and (nxt.value is None or not nxt.value.startswith("-"))
