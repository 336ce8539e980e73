"""Reading a program's options the way getopt and its kin do: tables of the options that take
an argument (`_Options`, `_options`), and where the operands start (`_scan_options`,
`_skip_options`, `_after_options`), permuted or not, with code given in an option."""

from __future__ import annotations

import itertools
from typing import NamedTuple

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.pattern_risk import GIT_RISKS, RISKS, Risk, risky_pattern
from bastion.command_control.policy.words import _at, _Word, may_be_option

# Programs whose options run nothing and write nothing but their operands, or whose options
# that do are known (`pattern_risk.RISKS`: `cp -t`, `chmod -R`, `test -v`): a pattern may stand
# among their options (`ls *`, `du -sh *`, `grep -r x *`, `rm *.log`, `chmod 644 *`) unless it
# may expand to one of those (`cp ?t DIR evil` after `touch ./-t`: attack k20f, finding 1). Any
# other program given a pattern before `--` has options known only at run time
# (`pattern_option`). uniq (IN OUT), xxd (-r) and printf (-v) are not among them.
PATTERN_SAFE = frozenset({
    "ls", "dir", "vdir", "du", "df", "wc", "cat", "tac", "nl", "head", "tail", "grep", "egrep",
    "fgrep", "file", "stat", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum",
    "sha512sum", "b2sum", "cksum", "sum", "cmp", "echo", "basename", "dirname", "realpath",
    "readlink", "touch", "mkdir", "rmdir", "rm", "unlink", "chmod", "chown", "chgrp", "test",
    "[", "true", "false", "tree", "strings", "od", "hexdump",
    "cut", "paste", "fold", "fmt", "expand", "unexpand", "comm", "join", "shred", "cp", "mv",
    "ln", "gzip", "gunzip", "zcat", "bzip2", "bunzip2", "bzcat", "xz", "unxz", "xzcat",
})
# Programs the collector has a handler for that run no command from their operands: their own
# options are read for all words, as a plain program's are (`find * -name x`, `git grep x *`).
PATTERN_HANDLED = frozenset({
    "find", "make", "gmake", "bmake", "pmake", "ninja", "ip", "gdb", "lldb", "at", "batch",
    "cmake", "ctest", "sed", "crontab", "git", "pip", "pip3", "perf",
})
# Builtins with a handler whose options a pattern may spell: `printf ?v 'a[$(CMD)]' x`,
# `test ?v 'a[$(CMD)]'` (arithmetic in a subscript runs code: attack k20f, finding 2).
PATTERN_BUILTINS = frozenset({"printf", "test", "["})
# Handled programs whose options run code or write: a word known only at run time where an
# option may stand is one (attack k20f, finding 11).
DYNAMIC_HANDLED = frozenset({"gdb", "lldb", "make", "gmake", "bmake", "pmake", "git", "wget", "ninja",
                             "nodemon", "bpftrace"})
# Programs that read options after `--` (find's expression; Info-ZIP's unzip takes `-d DIR`
# anywhere: attack k20f, finding 19).
_OPTIONS_AFTER_DASHES = frozenset({"find", "unzip", "zipinfo"})


class _Options(NamedTuple):
    short: str = ""  # short options that take an argument
    long: frozenset[str] = frozenset()  # long options that take an argument
    operands: int = 0  # words between the options and the command (timeout's DURATION)
    stop: frozenset[str] = frozenset()  # options after which nothing is run (sudo -l)
    code: frozenset[str] = frozenset()  # options after which the rest runs in a shell (sudo -s)
    attached: str = ""  # short options whose argument, if any, is attached only (xargs -i)
    lone_dash: bool = False  # "-" alone is an option (env), not the first operand
    # Long options without an argument whose name starts another's (`--start`, `--startas`):
    # an exact name is not taken for the longer one (`_long_option`).
    flags: frozenset[str] = frozenset()


def _scan_options(words: list[_Word], start: int, spec: _Options, patterns: bool = False
                  ) -> tuple[int, list[tuple[str, _Word | None]]] | None:
    """Index of the first word after the options, and each option in order with its argument
    (None when it takes none, or its argument is missing); None if an option is dynamic, or
    with `patterns` (a program that runs a command after its options) may be a pattern that
    expands to one (`touch ./-S; env -* CMD`: attack i18f, finding 4)."""
    index, found = start, []
    while index < len(words):
        value = words[index].value
        if value is None or (patterns and may_be_option(words[index])):
            return None
        if value == "--":
            return index + 1, found
        if value == "-" and spec.lone_dash:
            found.append(("-", None))
            index += 1
            continue
        if value.startswith("--") and len(value) > 2:
            option, has_value, rest = value.partition("=")
            option = _long_option(option, spec.long | spec.code | spec.stop | spec.flags)
            if has_value:
                found.append((option, _Word(rest, rest, words[index].glob)))  # k20f, 12
            elif option in spec.long:
                found.append((option, _at(words, index + 1)))
                index += 1
            else:
                found.append((option, None))
            index += 1
            continue
        if value.startswith("-") and len(value) > 1:
            for offset, letter in enumerate(value[1:], start=2):
                attached = value[offset:]
                argument = _Word(attached, attached, words[index].glob) if attached else None
                if letter in spec.short:
                    found.append((f"-{letter}", argument or _at(words, index + 1)))
                    index += 0 if attached else 1
                    break
                found.append((f"-{letter}", argument if letter in spec.attached else None))
                if letter in spec.attached:
                    break
            index += 1
            continue
        return index, found
    return index, found


def _long_option(option: str, names: frozenset[str]) -> str:
    """The long option `option` names among `names`: GNU getopt takes any start of a name that
    no other name shares (`timeout --sig KILL`, `env --ch /etc`, `sudo --us root`, `sudo --sh`).
    Only some of a program's options are known here: a start of one of them is taken for it
    (were it also the start of another, the program would refuse the line and run nothing)."""
    if option in names:
        return option
    matches = [name for name in names if name.startswith(option)]
    return min(matches) if matches else option


def _skip_options(words: list[_Word], start: int, spec: _Options, patterns: bool = False
                  ) -> tuple[int, set[str]] | None:
    """Index of the first word after the options, and the options seen; None if one is dynamic
    (or, with `patterns`, may be a pattern that expands to one)."""
    scanned = _scan_options(words, start, spec, patterns)
    if scanned is None:
        return None
    index, found = scanned
    return index, {option for option, _ in found}


def _permuted(words: list[_Word], start: int, spec: _Options
              ) -> tuple[list[tuple[str, _Word | None]], list[_Word]] | None:
    """Options and operands as GNU getopt permutes them (options after operands too; all after
    `--` are operands): `split IN -- PREFIX`, `sed s/a/b/ -i f`. None if an option is dynamic."""
    found: list[tuple[str, _Word | None]] = []
    operands: list[_Word] = []
    index = start
    while index < len(words):
        scanned = _scan_options(words, index, spec)
        if scanned is None:
            return None
        following, more = scanned
        found += more
        if following > index and words[following - 1].value == "--" and (
                not more or more[-1][1] is not words[following - 1]):
            operands += words[following:]
            break
        if following < len(words):
            operands.append(words[following])
        index = following + 1
    return found, operands


def _last_argument(found: list[tuple[str, _Word | None]], names: set[str]
                   ) -> tuple[str, _Word | None] | None:
    """The last of the options `names` in `found`, with its argument; None if none was given."""
    return next(((o, a) for o, a in reversed(found) if o in names), None)


def _code_option(words: list[_Word], takes_argument: str,
                 long_arguments: tuple[str, ...] = ()) -> _Word | None:
    """The argument of -c / --command (or su's --session-command) among the options: GNU getopt
    permutes (and takes a start of a long name: `--comm`), so options may follow operands, but
    none follow `--` (attack h17f, finding 1: `runuser -u root -- systemctl stop auditd -- -c`
    is no `-c`). Letters of `takes_argument` and the long options `long_arguments` take the
    next word when nothing is attached, so an argument `--` ends nothing."""
    index, found = 1, None
    while index < len(words):
        value = words[index].value
        index += 1
        if value == "--":
            return found
        if value is None or may_be_option(words[index - 1]):
            # a word known only at run time, or a pattern, may be -c itself (`touch ./-c; su
            # root -* CMD`: attack i18f, finding 4): the code is known only at run time
            return _Word(None, words[index - 1].text)
        if not value.startswith("-") or len(value) < 2:
            continue
        option, has_value, attached = value.partition("=")
        if (len(option) > 2 and "--command".startswith(option)) or (
                len(option) > 3 and "--session-command".startswith(option)):
            # getopt keeps the last one given (attack i18f, finding 1: `su root -c ls -c CMD`)
            if has_value:
                found = _Word(attached, words[index - 1].text)
            else:
                found, index = _at(words, index) or _Word("", ""), index + 1
            continue
        if value.startswith("--"):
            if not has_value and _long_option(option, frozenset(long_arguments)) in long_arguments:
                index += 1
            continue
        for offset, letter in enumerate(value[1:], start=2):
            if letter in takes_argument:
                attached = value[offset:]
                if letter == "c" and attached:
                    found = _Word(attached, words[index - 1].text)
                elif letter == "c":
                    found = _at(words, index) or _Word("", "")
                if not attached:
                    index += 1
                break
    return found


def pattern_option(name: str, words: list[_Word], dynamic: bool = False) -> _Word | None:
    """The first word after the program's name and before `--` that pathname expansion may make
    an option: GNU getopt permutes, so any of them may be one (after `touch ./-o`, `sort *
    /etc/sudoers` writes the file; after a file `--checkpoint-action=exec=sh x`, `tar cf a.tar *`
    runs `sh x`; attack i18f, finding 4); with `dynamic`, a word known only at run time too
    (`man "$x" ls` is `man -P CMD ls` when x is `-PCMD`). For a program of `PATTERN_SAFE`, only a
    word that may become one of its risky options (`pattern_risk.RISKS`), a word known only at
    run time included (`x=-t; cp $x DIR evil`: attack k20f, finding 1)."""
    if name in ("test", "["):
        return risky_pattern(RISKS[name], words[1:]) or _test_operator(
            words[1:-1] if name == "[" and words[-1].value == "]" else words[1:])
    if name in PATTERN_SAFE:  # a word known only at run time may be a target (`x=-t; cp $x D`)
        risk = RISKS.get(name, Risk())
        return _risky(risk, words, 1, dynamic or bool(
            risk.targets or any(kind != "flag" for _, kind in risk.longs)))
    if name == "printf":  # options only before the format: `printf ?v 'a[$(CMD)]' x` (k20f, 2)
        first = _at(words, 1)
        return first if first is not None and (may_be_option(first) or (
            first.value is None and _opens_unknown(first.text))) else None
    index = len(words)
    if name == "git":
        verb = next((w for w in words[1:] if not (w.value or "-").startswith("-")), None)
        if verb is not None and verb.value in GIT_RISKS:
            index = words.index(verb)
    for before, word in itertools.pairwise(words[:index]):
        if word.value == "--" and name not in _OPTIONS_AFTER_DASHES:
            return None
        if may_be_option(word):
            return word
        if dynamic and word.value is None and _opens_unknown(word.text) and not _takes_it(
                before, _VALUE_OPTIONS.get(name)):
            return word
    if index < len(words):  # git's own options, then the verb's read by their table (k20f, finding 10)
        return _risky(GIT_RISKS[words[index].value or ""], words, index + 1, dynamic)
    return None


_TEST_BINARY = frozenset({"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
                          "-nt", "-ot", "-ef", "=~"})


def _test_operator(args: list[_Word]) -> _Word | None:
    """A word known only at run time that test may read as its unary operator (`-v NAME`, `-R`
    evaluate a subscript: `a=-v; [ "$a" 'x[$(CMD)]' ]`): first of two, after `!`, or opening a
    term (`-a`, `-o`, `(`) not followed by a binary operator (bash's test.c reads a binary
    operator first). An unquoted one that splits into `-v NAME` is the residual of arithmetic
    on a value known only at run time (`$((i+1))`)."""
    for index, word in enumerate(args):
        if word.value is not None or not _opens_unknown(word.text):
            continue
        following = args[index + 1].value if index + 1 < len(args) else None
        opens = index == 0 or args[index - 1].value in ("!", "-a", "-o", "(")
        if opens and index + 1 < len(args) and following not in _TEST_BINARY:
            return word
    return None


# What GNU parallel appends, read as the words xargs appends are (its own unknown where they
# may run a command; an option among them is the residual SECURITY.md names for xargs).
_PARALLEL_INPUT = '"${PARALLEL_INPUT}"'


def _risky(risk: Risk, words: list[_Word], start: int, dynamic: bool) -> _Word | None:
    """`risky_pattern` over words[start:], a word known only at run time read as `*` (any
    option) unless the option before it may take it (`chmod -R "$mode"`)."""
    stand = [_Word("*", w.text, True) if dynamic and w.value is None and not w.fresh
             and _opens_unknown(w.text) and w.text != _PARALLEL_INPUT and not _takes_it(b)
             else w for b, w in zip(words[start - 1:], words[start:], strict=False)]
    found = risky_pattern(risk, stand)
    return None if found is None else words[start + next(i for i, w in enumerate(stand)
                                                         if w is found)]


def _takes_it(before: _Word, table: frozenset[str] | None = None) -> bool:
    """Whether the word before one known only at run time is an option that may take it as its
    value (`curl -T "$F"`): with no table of the options that take one, any may (SECURITY.md: a
    flag that takes none, `sort -r "$x"`, is the residual); gdb's and lldb's are known
    (`gdb -batch $(printf -- -ex) 'shell CMD'`: attack k20f, finding 11)."""
    value = before.value or ""
    if table is not None:
        return value.lstrip("-") in table and value.startswith("-")
    return value.startswith("-") and value != "--" and "=" not in value and len(value) > 1


# gdb's options that take a value (one dash or two), and lldb's.
_VALUE_OPTIONS = {
    "gdb": frozenset({"ex", "eval-command", "x", "command", "iex", "init-eval-command", "ix",
                      "init-command", "eiex", "early-init-eval-command", "eix",
                      "early-init-command", "p", "pid", "cd", "d", "directory", "s", "symbols", "e",
                      "exec", "se", "c", "core", "b", "l", "tty", "t", "D", "data-directory",
                      "i", "interpreter", "ex-file"}),
    "lldb": frozenset({"o", "one-line", "O", "one-line-before-file", "s", "source", "S",
                       "source-before-file", "k", "one-line-on-crash", "K", "source-on-crash",
                       "a", "arch", "f", "file", "c", "core", "p", "attach-pid", "n",
                       "attach-name", "l", "script-language", "r", "repl-language"}),
}


def _opens_unknown(text: str) -> bool:
    """Whether a word known only at run time may start with `-` or `+`: its first character
    comes from an expansion (`$x`, `"$x"`, `$(cmd)`, a backquote), not from the line
    (`-j$(nproc)` is an option whatever follows; `<(cmd)` is a /dev/fd name)."""
    return text.lstrip('"')[:1] in ("$", "`") and not text.startswith("$'")


def _options(
    short: str = "",
    long: tuple[str, ...] = (),
    operands: int = 0,
    stop: tuple[str, ...] = (),
    code: tuple[str, ...] = (),
    attached: str = "",
    lone_dash: bool = False,
    flags: tuple[str, ...] = (),
) -> _Options:
    return _Options(short, frozenset(long), operands, frozenset(stop), frozenset(code), attached,
                    lone_dash, frozenset(flags))


def _after_options(words: list[_Word], options: frozenset[str]) -> list[PathArg]:
    """The files named by `options`, in every form getopt reads: `-o FILE`, `-oFILE`, a
    cluster (`-uo FILE`, `-uoFILE`), `--output FILE`, `--output=FILE` and any start of a long
    name (`--out`). Every word is looked at, options after operands (GNU getopt permutes) and
    after `--` too: a word taken for an option that is not one only adds a file.

    Options of one dash and several letters among `options` (`-out`, `-fprint`, `-MF`) name
    programs that read no clusters: for them a word is the option itself (`-out FILE`,
    `-out=FILE`, `-oFILE`), never flags followed by one (gcc's `-fno-omit-frame-pointer`)."""
    short = {option[1] for option in options if len(option) == 2}
    clusters = not any(len(o) > 2 and not o.startswith("--") for o in options)
    found: list[PathArg] = []
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None or not value.startswith("-") or len(value) < 2:
            continue
        head, has_value, rest = value.partition("=")
        following = _at(words, index + 1)
        if head.startswith("--") and len(head) > 2 and head not in options:
            # GNU getopt takes any start of a long name (`sort --out F`: attack G, finding 5).
            head = _long_option(head, frozenset(o for o in options if o.startswith("--")))
            value = head if not has_value else value
        if value in options:
            if following is not None:
                found.append(_path_arg(following))
        elif has_value and head in options:
            found.append(_path_arg(word, rest, False))
        elif not value.startswith("--"):
            # `-uo F`, `-uoF`, `-oF`: the first letter that takes a value takes the rest of the
            # word, or the next word (attack O, finding 1). Letters before it are taken for
            # flags; were one of them an option with a value, the file is only one more.
            letters = value[1:] if clusters else value[1]
            letter = next((i for i, c in enumerate(letters, start=1) if c in short), None)
            if letter is None or (letter > 1 and not value[1:letter].isalnum()):
                continue
            if letter == len(value) - 1:
                if following is not None:
                    found.append(_path_arg(following))
            else:
                found.append(_path_arg(word, value[letter + 1:], False))
    return found
