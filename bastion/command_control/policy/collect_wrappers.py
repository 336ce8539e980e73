"""The collector's handlers for wrappers: programs that run the command after their options.

Methods of `_Collector` (collect.py): the generic wrapper (`_wrapper`, `_WRAPPERS`) with its
leading assignments, and the wrappers with their own grammar: env, su, sg, flock, script, watch,
xargs, find (`-exec`, `-delete`) and parallel."""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import replace

from bastion.command_control.policy.options import _code_option, _last_argument, _scan_options, _skip_options
from bastion.command_control.policy.parallel import CODE, RESHAPE, STOP, UNKNOWN, read_options, written
from bastion.command_control.policy.parallel_quote import quoted_codes
from bastion.command_control.policy.paths import PathArg
from bastion.command_control.policy.programs import _env_clears_term, _su_login, _su_shell, _wrapper_directory
from bastion.command_control.policy.shells import shell_name
from bastion.command_control.policy.variables import _found
from bastion.command_control.policy.words import _GLOB_CHARS, SimpleCommand, _at, _dynamic, _Site, _Word
from bastion.command_control.policy.wrapper_flags import _unread_option
from bastion.command_control.policy.wrappers import (
    _ASSIGNMENT_WORD,
    _ASSIGNMENTS_FIRST,
    _ENV,
    _ENV_SPLIT_WORD,
    _FLOCK,
    _NO_TERM,
    _RUNUSER,
    _SHELL_WITHOUT_COMMAND,
    _WATCH,
    _WRAPPERS,
    _XARGS,
    env_split,
    sudo_escaped,
)
from bastion.text import digits

# GNU parallel's replacement strings ({}, {.}, {/}, {//}, {/.}, {#}, {%}, {1}, {2/}...).
_PARALLEL_REPLACEMENT = re.compile(r"\{[0-9]*(?:[./#%]|//|/\.|\.\.)?\}")

# GNU find's tests and options that take a value (the word after them is no start point and no
# action, whatever it holds).
_FIND_VALUE = re.compile(
    r"-(?:amin|anewer|atime|cmin|cnewer|context|ctime|fls|fprint0?|fprintf|gid|group|ilname|iname"
    r"|inum|ipath|iregex|iwholename|links|lname|maxdepth|mindepth|mmin|mtime|name|newer|path|perm"
    r"|printf|regex|regextype|samefile|size|type|uid|used|user|wholename|xtype|files0-from"
    r"|newer[aBcm][aBcmt])")

# A word of `find -exec` naming a path with {} in it: an option's or `key=`'s value.
_FOUND_PATH = re.compile(r"(?:-{1,2}[A-Za-z][\w-]*=?|[A-Za-z_]\w*=)?\{\}[^{}'\"\s;|&$`<>()*?\[]+"
                         r"|(?:-{1,2}[A-Za-z][\w-]*=?|[A-Za-z_]\w*=)\{\}")


def _filled(path: PathArg, each: PathArg) -> list[PathArg]:
    """`path` (a file a command under `find -exec` names, with `{}` in it) for one file found.
    found after outside attack S (finding 5): the stronger kind of the two is kept, so the
    `{}/**` a recursive copy derives stays a pattern under an exact start point; a tree
    under a pattern is the pattern and everything below what it matches."""
    text = path.text.replace("{}", each.text)
    own = path.kind
    if own == "unknown":
        # {} itself is what made `path` unknown; what a command derived from it (`{}/**`,
        # recursive copies) is a pattern.
        own = "pattern" if re.search(r"[*?\[]", path.text.replace("{}", "")) else "exact"
    kinds = {own, each.kind}
    if kinds == {"tree", "pattern"}:
        return [PathArg(text, "pattern", each.tilde), PathArg(f"{text.rstrip('/')}/**", "pattern",
                                                              each.tilde)]
    kind = next((k for k in ("pattern", "tree") if k in kinds), "exact")
    return [PathArg(text, kind, each.tilde)]


def _in_its_folder(each: PathArg) -> PathArg:
    """What `find -execdir` puts for {}: `./NAME`, the found file's name in its folder."""
    name = each.text.rstrip("/").rsplit("/", 1)[-1] or "/"
    if each.tilde and "/" not in each.text.rstrip("/"):
        name = "*"  # the home's own name, known only at run time
    name = "*" if name == "**" else name
    if name == "/":
        return PathArg("/", "exact")
    return PathArg(f"./{name}", "pattern" if _GLOB_CHARS.search(name) else "exact")


def _stand_in(value: str, each: PathArg) -> _Word:
    """The word `value` (with {} in it) as find runs it for the file (or files) `each`."""
    text = value.replace("{}", each.text)
    shown = text if each.tilde or not text.startswith("~") else f"'{text}'"
    return _Word(text, shown, glob=each.kind != "exact")


def _filled_actions(raw: list[_Word], action: list[_Word], found: tuple[PathArg, ...],
                    option: str, batch: bool) -> list[list[_Word]] | None:
    """The commands `find -exec` runs, {} filled in where it stands in an operand (`{}`,
    `.{}`, `{}.bak`, `file://{}`, `/backup/{}`): one command for each of `found` (a path, or
    a pattern of paths), or with `-exec ... {} +` one with every one of them in place of {}
    (the last may be a destination). `-execdir` and `-okdir` fill in `./NAME`. Words that start
    with `-` are as `action` has them. None when no operand holds {}, or one cannot be filled
    in (a glob or a brace around it, a `..` after it, {} elsewhere than last with `+`)."""
    positions = []
    for position, word in enumerate(raw[1:], start=1):
        value = word.value if word.value is not None else "{}" if word.text == "{}" else None
        if value is None or "{}" not in value or value.startswith("-"):
            continue
        if word.glob or word.brace or word.splits or ".." in value.partition("{}")[2]:
            return None
        positions.append((position, value))
    if not positions:
        return None
    each_file = [_in_its_folder(each) if option in ("-execdir", "-okdir") else each
                 for each in found]
    if batch:
        # GNU find takes `+` as the end only after a lone {}, and refuses {} anywhere else.
        if positions != [(len(raw) - 1, "{}")]:
            return None
        return [[*action[:-1], *(_stand_in("{}", each) for each in each_file)]]
    filled = dict(positions)
    return [[_stand_in(filled[p], each) if p in filled else word for p, word in enumerate(action)]
            for each in each_file]


def _merged(same: list[SimpleCommand]) -> SimpleCommand:
    """One command standing for `same` (one program run once for each file find found): the
    first's words with every other run's words where they differ, every run's paths."""
    argv: list[str] = []
    for position, words in enumerate(itertools.zip_longest(*(c.argv for c in same))):
        argv.extend(dict.fromkeys(w for w in words if w is not None) if position else words[:1])
    return replace(same[0], argv=tuple(argv),
                   paths=tuple(dict.fromkeys(p for c in same for p in c.paths)),
                   dynamic_args=any(c.dynamic_args for c in same),
                   unknown=next((c.unknown for c in same if c.unknown), ""),
                   reads_stdin=next((c.reads_stdin for c in same if c.reads_stdin), ""),
                   reads_input=any(c.reads_input for c in same))

# su's long options that take the next word (its -c is read apart).
_SU_ARGUMENTS = tuple(sorted(_RUNUSER.long - {"--command"}))
# script's (util-linux) long options that take the next word, even `--`.
_SCRIPT_ARGUMENTS = ("--echo", "--log-in", "--log-io", "--log-out", "--log-timing", "--logging-format",
                     "--output-limit")


class _Wrappers:
    """Part of `_Collector` (collect.py): its handlers for wrappers: programs that run the command after
    their options."""

    # -- handlers: wrappers, shells, interpreters ----------------------------------------
    # Each returns True when it judged the command, False to judge it as a plain command.

    def _wrapper(self, name: str, words: list[_Word], site: _Site) -> bool:
        spec = _WRAPPERS[name]
        scanned = _scan_options(words, 1, spec, patterns=True)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        index, found = scanned
        seen = {option for option, _ in found}
        if seen & spec.stop:
            return False
        self._writes(name, words, site)  # `strace -o FILE`, `time -o FILE`: its own files
        unread = _unread_option(name, spec, found, words[1:index])
        if unread is not None:
            # Held; the words are still judged as if it took none, so that a refusal among
            # them stays one (`sudo -X tee /etc/sudoers.d/x`).
            self._unknown(site, words, f"{name}'s option {unread}, which the policy does not "
                                       "read, may take the word after it: what it runs cannot "
                                       "be told")
        if name == "sudo" and seen & {"-S", "--stdin"} and site.stdin in ("tty", "unknown",
                                                                          "opaque"):
            # sudo -S reads the password from the line's stdin (see `stdin_reader`).
            self.commands.append(SimpleCommand(name, ("sudo", "-S"), site.text,
                                               wrappers=site.wrappers, reads_input=True))
        if name == "exec":
            self._cleared_term("-c" in seen, [], site, words)  # exec -c: an empty environment
        if name == "systemd-socket-activate":  # it serves the command to whoever connects:
            self.commands.append(SimpleCommand(name, (name,), site.text, wrappers=site.wrappers))
        operands = words[index: index + spec.operands]
        index += spec.operands
        if name in _ASSIGNMENTS_FIRST:
            index = self._leading_assignments(name, words, index, site)
        rest = words[index:]

        def judge() -> bool:
            if seen & spec.code or (name in _SHELL_WITHOUT_COMMAND and not rest):
                if not rest:
                    return self._user_shell(name, words, site)
                if name == "sudo" and (escaped := sudo_escaped(rest)) is not None:
                    self._code(escaped, site, name)  # each word stays one (attack m22f, 7)
                return self._joined_code(rest, site, name)
            if name == "coproc":
                # The shell talks to a coprocess through a pipe (`echo ls >&${COPROC[1]}`).
                return self._inner(rest, site, name, stdin="pipe")
            if name == "entr" and any("s" in o[1:] for o in seen if not o.startswith("--")):
                return self._joined_code(rest, site, name)  # entr -s runs it in $SHELL
            return self._inner(rest, site, name)

        moved = _wrapper_directory(name, found, operands)
        return judge() if moved is None else self._elsewhere(moved[0], judge, moved[1])

    def _leading_assignments(self, name: str, words: list[_Word], index: int,
                             site: _Site) -> int:
        """`time a=b rm`, `coproc a=b rm` (bash keywords: assignment words as written, before a
        simple command) and `sudo A=b rm` (VAR=value arguments): the assignments are judged and
        the command after them is the one run. The index of that command."""
        while index < len(words):
            word = words[index]
            # For the keywords the word as written (`'a=b'` is a command name); for sudo
            # the argument it receives.
            written = word.text if name in ("time", "coproc") else (word.value or word.text)
            match = _ASSIGNMENT_WORD.match(written)
            if match is None:
                break
            variable = match.group(1)
            value = word.value.split("=", 1)[1] if word.value is not None and "=" in word.value \
                else None
            self._assigned(variable + ("+" if match.group(0).endswith("+=") else ""),
                           _Word(value, written[match.end():]), word.text, site)
            index += 1
        return index

    def _env(self, name: str, words: list[_Word], site: _Site) -> bool:
        index, found = 1, []
        assignments: list[_Word] = []
        while True:  # options and NAME=VALUE words, in any order; `--` ends only the options
            scanned = _scan_options(words, index, _ENV, patterns=True)
            if scanned is None:
                self._unknown(site, words, "options of env known only at run time")
                return True
            index, found = scanned[0], found + scanned[1]
            word = _at(words, index)
            # env takes every word with "=" before the command as an assignment, whatever the
            # name holds (BASH_FUNC_f%%=... defines a function in a child bash).
            if word is None or not word.value or "=" not in word.value.lstrip("="):
                break
            assignments.append(word)
            index += 1
        last = _last_argument(found, {"-S", "--split-string"})
        split = last[1] if last else None
        if split is None and not words[index:]:
            return False  # `env A=b` prints the environment
        first = len(self.commands)
        for word in assignments:  # first: the command runs with them
            variable, _, value = (word.value or "").partition("=")
            self._assigned(variable, _Word(value, value), word.text, site)
        assigned = self.commands[first:]
        del self.commands[first:]

        def judge() -> bool:
            if split is None:
                return self._inner(words[index:], site, name)
            if split.value is None or any(w.value is None for w in words[index:]):
                return self._code(None, site, name)
            # env splits the text itself (not as bash: `\_`, `\c`...) and reads the words it
            # gives, then the words after the option, as its own line again (attack j19f, 5)
            split_words = env_split(split.value)
            if split_words is None or sum(o in ("-S", "--split-string") for o, _ in found) > 1:
                return self._code(None, site, name)
            after = next((i + 1 for i in range(index - 1, 0, -1) if words[i] is split
                          or _ENV_SPLIT_WORD.match(words[i].value or "")), index)
            rest = " ".join(shlex.quote(w.value or "") for w in words[after:])
            return self._code(" ".join(["env", *split_words, rest]), site, name)

        chdir = _last_argument(found, {"-C", "--chdir"})  # `env -C DIR`: the command runs there
        if chdir is None:
            judge()
        else:
            self._elsewhere(chdir[1], judge)
        self.commands.extend(assigned)
        self._cleared_term(_env_clears_term(found, split), assignments, site, words)
        return True

    def _cleared_term(self, cleared: bool, assignments: list[_Word], site: _Site,
                      words: list[_Word]) -> None:
        """A program started with TERM taken away (`env -i`, `env -u TERM`, `exec -c`) and not
        given again: a shell it is, or starts, reads keys on a dumb terminal, as after `unset
        TERM` (attack H, finding 5). A TERM given back is judged as an assignment."""
        if cleared and not any((w.value or "").partition("=")[0] == "TERM" for w in assignments):
            self._unknown(site, words, _NO_TERM, terminal=True)

    def _su(self, name: str, words: list[_Word], site: _Site) -> bool:
        def judge() -> bool:
            shell = _su_shell(words)
            if shell is not None:
                program, arguments = shell
                if program is None or program.value is None:
                    self._unknown(site, words, f"the program {name} -s runs is known only at "
                                               "run time")
                    return True
                if shell_name(program.value) is None:
                    # `su -s /usr/bin/touch root F` runs `touch F`: the "shell" is any program,
                    # given -c CODE (as two words) and the words after the user.
                    return self._inner([program, *arguments], site, name)
            # GNU getopt permutes: -c may follow the user, but not `--`.
            code = _code_option(words, "csgGwu", _SU_ARGUMENTS)
            if code is not None:
                return self._code(code, site, name)
            if name == "runuser":
                skipped = _skip_options(words, 1, _RUNUSER, patterns=True)
                if skipped is not None and skipped[1] & {"-u", "--user"}:
                    return self._inner(words[skipped[0]:], site, name) if words[skipped[0]:] \
                        else self._user_shell(name, words, site)
            # su hands the words after the user to the shell, which reads them as its own
            # arguments (`su root -- -norc -c CODE`: attack h17f, finding 1). The user's login
            # shell is read as sh (which may be bash) unless -s names one.
            program, arguments = _su_shell([words[0], _Word("-s", "-s"), _Word("sh", "sh"), *words[1:]]) \
                or (None, [])
            if program is not None and program.value is not None and arguments:
                return self._shell(program.value, [program, *arguments],
                                   site._replace(depth=site.depth + 1, wrappers=(*site.wrappers, name)))
            return self._user_shell(name, words, site)

        login, user = _su_login(words)
        if not login:
            return judge()
        # `su -`, `su -l USER`: a login shell, which starts in the user's home.
        return self._elsewhere(None if user is None else PathArg(f"~{user}", tilde=True), judge)

    def _sg(self, name: str, words: list[_Word], site: _Site) -> bool:
        rest = words[1:]
        if rest and rest[0].value == "-":
            rest = rest[1:]
        rest = rest[1:]  # the group
        if rest and rest[0].value == "-c":
            rest = rest[1:]
        if not rest:
            # `sg GROUP` starts the user's shell, which reads the line's stdin (attack W,
            # finding 3).
            return self._user_shell(name, words, site)
        return self._joined_code(rest, site, name)

    def _flock(self, name: str, words: list[_Word], site: _Site) -> bool:
        skipped = _skip_options(words, 1, _FLOCK, patterns=True)
        if skipped is None:
            self._unknown(site, words, "options of flock known only at run time")
            return True
        index = skipped[0] + 1  # the lock file or descriptor
        lock = _at(words, index - 1)
        if lock is not None and not digits(lock.value or ""):  # flock makes it (attack G, 5)
            self.commands.append(self._file_operation(">", lock, site.text, site))
        if index < len(words) and words[index].value in ("-c", "--command"):
            return self._code(_at(words, index + 1) or _Word("", ""), site, name)
        return self._inner(words[index:], site, name)

    def _script(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._writes(name, words, site)  # its typescript file
        code = _code_option(words, "cBEIOTmo", _SCRIPT_ARGUMENTS)
        return self._code(code, site, name) if code is not None else self._user_shell(
            name, words, site)

    def _watch(self, name: str, words: list[_Word], site: _Site) -> bool:
        skipped = _skip_options(words, 1, _WATCH, patterns=True)
        if skipped is None:
            self._unknown(site, words, "options of watch known only at run time")
            return True
        index, seen = skipped
        if seen & {"-x", "--exec"}:
            return self._inner(words[index:], site, name)
        return self._joined_code(words[index:], site, name)

    def _xargs(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _XARGS, patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of xargs known only at run time")
            return True
        index, found = scanned
        replace = None
        last = _last_argument(found, {"-I", "-i", "--replace"})
        if last is not None:
            option, argument = last
            if option == "--replace" and argument is not None:
                replace = argument.value  # --replace=R, even empty
            else:
                replace = (argument.value if argument else None) or "{}"
        inner = words[index:]
        if replace is not None:
            inner = [_dynamic(w) if w.value and replace in w.value else w for w in inner]
        if not inner:
            return False  # `xargs` alone runs echo: judged as itself
        if site.stdin in ("tty", "unknown", "opaque") and not any(
                option in ("-a", "--arg-file") for option, _ in found):
            # xargs reads its arguments from the line's stdin (see `stdin_reader`).
            self.commands.append(SimpleCommand(
                name, tuple(w.value if w.value is not None else w.text for w in words[:index]),
                site.text, wrappers=site.wrappers, reads_input=True))
        return self._inner(inner, site, name, stdin="null", dynamic=site.dynamic or not replace)

    def _find(self, name: str, words: list[_Word], site: _Site) -> bool:
        """find: its own words; `-delete`, an `rm` of every file found; `-exec` and its kin,
        the command they run, `{}` being each file found (`_found`)."""
        index = 1
        while index < len(words) and (words[index].value in ("-H", "-L", "-P", "-D")
                                      or (words[index].value or "").startswith("-O")):
            index += 2 if words[index].value in ("-D", "-O") else 1
        if index < len(words) and words[index].value == "--":
            index += 1  # GNU find's end of options: the start points follow (attack U)
        own: list[_Word] = list(words[:index])
        starts: list[str] = []
        actions: list[tuple[str, list[_Word], list[_Word], bool]] = []
        tests: list[str | None] = []  # the expression's words, actions left out
        delete = False
        expression = False
        while index < len(words):
            word = words[index]
            if word.splits:
                # An unquoted expansion may add `-exec anything ;` to the expression.
                self._unknown(site, words, "find expression known only at run time")
                return True
            if word.value is None and not _FIND_VALUE.fullmatch(words[index - 1].value or "") \
                    and (index < 2 or words[index - 2].value != "-fprintf"):
                # attack U: a quoted expansion that is no test's value may be a start point
                # (`find "$d" -delete`) or an action (`find /srv "$x"`, x=-delete)
                self._unknown(site, words, "find start point or action known only at run time")
                return True
            expression = expression or word.value is None or word.value.startswith(
                ("-", "(", "!", ","))
            if word.value in ("-exec", "-execdir", "-ok", "-okdir"):
                option, action, raw = word.value, [], []
                index += 1
                while index < len(words) and words[index].value not in (";", "+"):
                    argument = words[index]
                    raw.append(argument)
                    # {} alone is each file found (`_found_in`). found after outside attack S
                    # (finding 4): GNU find fills it in inside a word too, so a path there
                    # (`of={}/x`, `-t{}`, `--output={}/x`) is each file found as well. Any
                    # other word with {} (shell code: `sh -c 'echo {}'`, a `..` climbing out
                    # of a pattern), or the command, is a text known only at run time.
                    value = argument.value
                    if value is not None and "{}" in value and (
                            not action or not _FOUND_PATH.fullmatch(value)
                            or ".." in value.partition("{}")[2]):
                        argument = _Word(None, value)
                    action.append(argument)
                    index += 1
                actions.append((option, action, raw,
                                index < len(words) and words[index].value == "+"))
            else:
                own.append(word)
                if not expression and word.value is not None:
                    starts.append(word.value)
                elif expression:
                    tests.append(word.value)
                    delete = delete or word.value == "-delete"
            index += 1
        if "-files0-from" in tests and (actions or delete):
            # found after outside attack X (finding 2): the start points are the names a file
            # (or stdin) holds at run time, so {} and -delete may be any file, as with a start
            # point known only at run time (`find "$d" -delete`). Listing them only reads; the
            # known parts are still judged (a deny among them stays one).
            self._unknown(site, words, "find start points read at run time (-files0-from)")
        self._plain(name, own, site)
        found = _found(starts or ["."], tests)
        if delete:
            self.commands.append(SimpleCommand(
                "rm", ("rm", "-r", *(f.text for f in found)), site.text,
                wrappers=(*site.wrappers, name), paths=self._in_dirs(found)))
        for option, action, raw, batch in actions:
            first = len(self.commands)
            # attack U: a program that reads its operands only as files gets the files found
            # in the words themselves (`.{}`, `file://{}`, `{}.bak`, `cp {} /backup/`), so
            # that its own grammar reads them; any other keeps {} known only at run time.
            filled = _filled_actions(raw, action, found, option, batch) \
                if self._reads_operands_as_files(raw[0].value if raw else None) else None
            runs = filled or [action]
            if option in ("-execdir", "-okdir"):
                # Run in the directory of each file found: a start's parent, the start, or a
                # folder below it.
                folders = [PathArg(f"{start.rstrip('/') or '/'}/..") for start in starts or ["."]]
                folders += [PathArg(start) for start in starts or ["."]]
                folders += [PathArg(f"{start.rstrip('/')}/**", "pattern")
                            for start in starts or ["."]]
                self._elsewhere(folders, lambda runs=runs: self._inner_all(runs, site, name))
            else:
                self._inner_all(runs, site, name)
            # {} in an argument is each file found, which `_found_in` puts in its place; as the
            # command it stays a text known only at run time.
            each = all(w.value is not None or w.text == "{}" for w in runs[0][1:]) and bool(
                action) and action[0].value is not None
            self._found_in(first, found, known=each)
        return True

    def _inner_all(self, runs: list[list[_Word]], site: _Site, name: str) -> bool:
        """Each command of `runs` as the one a wrapper runs (`_inner`). Runs that gave the same
        commands (the same program for each file found) are kept as one command each, with
        every run's words and paths, as `_found_in` keeps a command of find's."""
        first = len(self.commands)
        ends = []
        for words in runs:
            self._inner(words, site, name)
            ends.append(len(self.commands))
        starts = [first, *ends[:-1]]
        made = [self.commands[start:end] for start, end in zip(starts, ends, strict=True)]
        if len(made) > 1 and all([c.name for c in each] == [c.name for c in made[0]]
                                 for each in made):
            self.commands[first:] = [_merged(list(same)) for same in zip(*made, strict=True)]
        return True

    def _found_in(self, first: int, found: tuple[PathArg, ...], known: bool) -> None:
        """The commands of `find -exec` from `first` on, with `{}` made the files found:
        `find / -exec rm -rf {} ;` also removes /, `find . -name '*.pyc' -exec rm {} +`
        removes only such files. `known`: no other argument is known only at run time."""
        for position in range(first, len(self.commands)):
            command = self.commands[position]
            if command.name is None or not any("{}" in arg for arg in command.argv[1:]):
                continue
            argv = [command.argv[0]]
            for arg in command.argv[1:]:
                argv.extend([arg.replace("{}", each.text) for each in found] if "{}" in arg
                            else [arg])
            paths: list[PathArg] = []
            for path in command.paths:
                paths.extend([filled for each in found for filled in _filled(path, each)]
                             if "{}" in path.text else [path])
            self.commands[position] = replace(command, argv=tuple(argv), paths=tuple(paths),
                                              dynamic_args=command.dynamic_args and not known)

    def _parallel(self, name: str, words: list[_Word], site: _Site) -> bool:
        # GNU parallel joins the command words, puts each input (quoted) in place of {} or at
        # the end, and runs the result in a shell. Inputs follow `:::` or come from stdin.
        # attack U: its options are read from the table of all it knows (`parallel.py`).
        options = read_options(words)
        if options.unknown:
            self._unknown(site, words, f"{name}: {options.unknown}")
            return True
        found = options.found
        given = {option for option, _ in found}
        if given & STOP:
            return True
        if given & UNKNOWN or any(a is not None and a.value is not None and "{=" in a.value
                                  for _, a in found):
            self._unknown(site, words, f"{name}'s options hold Perl code or options read "
                                       "from a file")
            return True
        for option, argument in found:
            if option in CODE:
                self._code(argument, site, name)
            elif option == "sshlogin" and argument is not None and (
                    argument.value is None or re.search(r"\s", argument.value)):
                # `-S 'CMD host'`: the sshlogin names the command that logs in
                self._unknown(site, words, f"{name}'s --sshlogin with its own command")
        for path in written(found):
            self.commands.append(SimpleCommand(
                ">", (">", path.text), site.text, "", path.kind == "unknown",
                (*site.wrappers, name), self._in_dirs((path,))))
        rest = words[options.index:]
        self._ran_words.append(rest)  # the command and its inputs: none is parallel's option
        # --workdir DIR (--wd): the jobs run there; `...` and `.` are directories of its own.
        workdir = _last_argument(found, {"work-dir"})
        # --arg-sep and --arg-file-sep replace `:::` and `::::` (and their `+` forms).
        arg_sep = _last_argument(found, {"arg-sep"})
        file_sep = _last_argument(found, {"arg-file-sep"})
        if (arg_sep and (arg_sep[1] is None or arg_sep[1].value is None)) or (
                file_sep and (file_sep[1] is None or file_sep[1].value is None)):
            self._unknown(site, words, f"{name}'s input separators known only at run time")
            return True
        inline = arg_sep[1].value if arg_sep and arg_sep[1] else ":::"
        from_file = file_sep[1].value if file_sep and file_sep[1] else "::::"
        marks = (inline, f"{inline}+", from_file, f"{from_file}+")
        separators = [i for i, w in enumerate(rest) if w.value in marks]
        command = rest[: separators[0]] if separators else rest
        if not command:
            # found after outside attack K (suspicions): with no command each input is a
            # command line: those after `:::` are judged, stdin's (or a `::::` file's) are
            # read as a shell reads its script.
            listed = rest[separators[0] + 1:] if separators else []
            if separators and rest[separators[0]].value in (inline, f"{inline}+") and listed:
                for word in listed:
                    if word.value in marks:
                        continue
                    if word.value is None:
                        self._unknown(site, words, "shell code known only at run time")
                    else:
                        self._code(word.value, site, name)
                return True
            return self._stdin_code(name, words, site, "a shell")
        if any(w.value is None for w in command):
            self._unknown(site, words, "shell code known only at run time")
            return True
        # sem (parallel --semaphore) runs the command as it is; parallel appends each input.
        code = " ".join(w.value or "" for w in command)  # -q (--quote): quoted_codes
        # found after outside attack S (finding 13): `{= perl =}` is code the policy does not
        # read; every other replacement string (`{.}`, `{//}`, `{1}`, `{2/}`, `{#}`), and
        # options that change them or split inputs into several, give values known only at
        # run time; so do several input sources, whose values are all appended.
        if "{=" in code:
            self._unknown(site, words, f"{name}'s perl replacement string {{= =}}: code")
            return True
        inputs: list[str | None] = [None]
        appended = max(1, len(separators))
        reshaped = bool(given & RESHAPE)
        if name == "sem" or "semaphore" in given:
            inputs = [""]
        elif len(separators) == 1 and rest[separators[0]].value == inline and not reshaped:
            listed = rest[separators[0] + 1:]
            if listed and all(w.value is not None for w in listed):
                inputs = [w.value for w in listed]
        runtime, given_inputs = '"${PARALLEL_INPUT}"', inputs
        if reshaped or _PARALLEL_REPLACEMENT.search(code.replace("{}", "")):
            before = code
            code = _PARALLEL_REPLACEMENT.sub(runtime, code)
            for option, argument in found:
                if option in ("I", "replace") and argument is not None and argument.value:
                    code = code.replace(argument.value, runtime)
            inputs = [""] if code != before else [None]

        def judge() -> bool:
            for filled in quoted_codes(command, given_inputs, appended, found, reshaped, given):
                self._code(filled, site, name)  # -q: each word quoted, its input in it (c38f 7)
            for value in inputs if "quote" not in given else []:
                argument = " ".join([runtime] * appended) if value is None else shlex.quote(value)
                filled = code if value == "" else code.replace("{}", argument) if "{}" in code \
                    else f"{code} {argument}"
                self._code(filled, site, name)
            return True

        if workdir is None:
            return judge()
        folder = workdir[1]
        return self._elsewhere(None if folder is None or folder.value in ("...", ".") else folder,
                               judge)
