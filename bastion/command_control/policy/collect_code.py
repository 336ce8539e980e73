"""The collector's judging of code a command is given as text or reads from its stdin.

Methods of `_Collector` (collect.py): programs of a command language fed their commands
(`_commands_fed`, `_commands_in`), code in the options of common programs (`_option_code`,
apt's `-o` hooks, an editor's ex commands), whether a command may read the line's own stdin
(`_reads_line_stdin`), and a string the shell will parse again as code (`_code`)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from bastion.command_control.policy.builtins import _MAPFILE, _READ
from bastion.command_control.policy.db_shells import commands_given
from bastion.command_control.policy.editors import _VIM_LIKE, _vim_parts
from bastion.command_control.policy.options import _last_argument, _long_option, _options, _scan_options
from bastion.command_control.policy.paths import (
    _LATER_PASSES,
    _LATER_VALUES,
    PathArg,
    _bounded,
    _descriptor_file,
    _path_arg,
)
from bastion.command_control.policy.program_writes import _sqlite_dot, sqlite_sql_writes
from bastion.command_control.policy.readers import (
    _APT_SAFE,
    _CLIENT_COMMAND,
    _COMMAND_ARGUMENTS,
    _COMMANDS_GIVEN,
    _EDITORS,
    _LESS_QUIET,
    _OPTION_ARGUMENTS,
    _OPTION_CODE,
    _PAGERS,
    _READ_OPTIONS,
    _READS_ALWAYS,
    _READS_FILES,
    _READS_PROGRAM,
    MYSQL_PLUGINS,
    _cluster_letter,
    _code_in_cluster,
    _reads_input,
)
from bastion.command_control.policy.shells import _BASH_GRAMMAR, _foreign, shell_name
from bastion.command_control.policy.splitters import posix_words, split_reading
from bastion.command_control.policy.variables import _SAME_SHELL, _SOURCE
from bastion.command_control.policy.words import SimpleCommand, _at, _Site, _Streams, _Word
from bastion.text import digits, one_line

# What vim (ex, view, nvim) fills in in a `:!` command: `%`, `#` (`#2`, `##`, `%:h`), `!` (the
# previous command), and `<cfile>`-style words (`:help cmdline-special`).
_VIM_EXPANDS = re.compile(r"[%#!]|<(cword|cWORD|cexpr|cfile|afile|abuf|amatch|sfile|slnum|sflnum"
                          r"|stack|script|client)>")


class _Code:
    """Part of `_Collector` (collect.py): its judging of code a command is given as text or reads from
    its stdin."""

    def _later(self) -> None:
        """Code stored to run later (trap strings for any signal or pseudo-signal, aliases,
        hooks such as PROMPT_COMMAND, function bodies) judged in every state the line reaches
        (attack I, finding 2): in each directory the shell may be in at any point of it, with
        each value of HOME and CDPATH it may hold then (as inherited included), the stack
        unknown. Code run later that moves the shell adds directories (`trap 'cd /etc' DEBUG`):
        walked again until no more are reached, and past _LATER_PASSES, with a directory known
        only at run time among them."""
        if not self._deferred and not self._functions:
            return
        self._lose()  # the stored code may run at any time, from any state
        unknown = PathArg("(a directory known only at run time)", "unknown")
        for attempt in range(_LATER_PASSES + 1):
            reached = (list(self._reached_dirs), str(self._reached_values))
            if attempt == _LATER_PASSES:
                self._reached_dirs[:] = _bounded([*self._reached_dirs, unknown])
            homes, cdpaths = ({"", *self._reached_values.get(name, ())} for name in
                              ("HOME", "CDPATH"))
            for home in homes if len(homes) <= _LATER_VALUES else {None}:
                for cdpath in cdpaths if len(cdpaths) <= _LATER_VALUES else {None}:
                    with self._apart():
                        self._dirs, self._stack = list(self._reached_dirs), []
                        for name, value in (("HOME", home), ("CDPATH", cdpath)):
                            if value == "":
                                self._values.pop(name, None)
                            else:
                                self._values[name] = value
                        if self._cdable_vars:  # `cd NAME` may go to any value NAME took
                            self._values = {k: None for k in self._values}
                        self._later_pass()
            if (list(self._reached_dirs), str(self._reached_values)) == reached:
                return

    def _later_pass(self) -> None:
        """One walk of every stored code and function body, from the present state."""
        for key in list(self._deferred):
            start = len(self.commands)
            with self._apart():
                self.parse(*key)
            self._drop_repeats(start, key)
        for function in list(self._functions):
            if function not in self._calling:
                with self._apart():
                    self._call(function, _Site(text=function))

    def _call(self, function: str, site: _Site) -> None:
        """A call of a function the line defined: each body defined under that name so far is
        walked again from the state at the call, in the shell itself (it may return early:
        afterwards the state is what either may be), with the call's streams (attack I,
        finding 2: `cd /tmp; f() { rm x; }; cd /etc; f` removes /etc/x). A recursive call is
        not walked again (`_movers` covers a body that moves on each pass)."""
        self._calling.add(function)
        self._in_function += 1
        saved = self._src, self._heredocs
        start = len(self.commands)
        try:
            for src, node, heredocs, defined in list(self._functions[function]):
                self._src, self._heredocs = src, heredocs
                inner = defined._replace(stdin=site.stdin, here=site.here, fds=site.fds,
                                         depth=max(defined.depth, site.depth))
                with self._apart(certain=False):
                    for child in node.named_children:
                        self._statement(child, inner, 1)
        finally:
            self._src, self._heredocs = saved
            self._in_function -= 1
            self._calling.discard(function)
            self._drop_repeats(start, function)

    def _drop_repeats(self, start: int, key: Any) -> None:
        """Leave out the commands from `start` on that an earlier walk of the same code (`key`)
        found: they are on the list already, and give no new verdict."""
        seen = self._walked.setdefault(key, set())
        fresh = []
        for command in self.commands[start:]:
            if command not in seen:
                seen.add(command)
                fresh.append(command)
        self.commands[start:] = fresh

    def _commands_fed(self, name: str, words: list[_Word], site: _Site) -> str:
        """A program of _COMMAND_LANGUAGES reading its commands from its stdin (attack G,
        finding 2): on the line's own stdin it reads its program there ("interpreter": an exec
        channel's stdin is held, a script's is read by it); text piped in is `|` (the program
        fed) and unknown; a here-document or here-string is judged where the policy reads the
        language (sqlite3's dot commands, gdb's commands, psql's and mysql's without a client
        command), unknown otherwise."""
        origin = site.stdin
        if origin in ("tty", "unknown"):
            return "interpreter"
        if origin == "pipe":
            self._unknown(site, words, f"text piped into {name}, which may run shell commands "
                                       "from it")
            self.commands.append(SimpleCommand(name="|", argv=("|", name), text=site.text,
                                               wrappers=site.wrappers))
        elif origin in ("procsub", "opaque"):
            self._unknown(site, words, f"{name} reads commands from a file known only at run "
                                       "time, which may be text fed to the line")
        elif origin == "here":
            self._commands_in(name, site.here, words, site)
        return ""

    def _option_code(self, name: str, words: list[_Word], site: _Site) -> None:
        """Code in the options of common programs (attack G, finding 6): a program they run
        (`sort --compress-program`, `dpkg --pre-invoke`, `man -P`, `zip -TT`), apt's hooks
        set with `-o`, an editor's commands (`vim -c '!cmd'`, `less '+!cmd'`), a database
        client's commands (`psql -c '\\! cmd'`)."""
        values = [w.value for w in words]
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None:
                continue
            following = _at(words, index + 1)
            head, has_value, attached = value.partition("=")
            given = _Word(attached, attached) if has_value else following
            if name in _OPTION_CODE:
                longs, shorts = _OPTION_CODE[name]
                if head.startswith("--") and len(head) > 2 and any(n.startswith(head) for n in longs):
                    # any start, one letter too (attack j19f, finding 9): an ambiguous one
                    # makes the program refuse the line, so reading it costs nothing
                    self._option_command(name, given, words, site)
                elif (found := _code_in_cluster(value, shorts, _OPTION_ARGUMENTS.get(name, ""))) \
                        is not None:
                    # the option anywhere in a cluster of flags (`man -aP CMD`, `zip -qTT CMD`:
                    # attack j19f, finding 1), its value the rest of the word or the next one
                    self._option_command(name, _Word(found, found) if found else following,
                                         words, site)
            if name == "psql" and "%`" in value:
                # a prompt's %`CMD` runs CMD each time psql prompts (`-v PROMPT1=...`)
                self._unknown(site, words, "a psql prompt that runs a shell command")
            if name in ("mysql", "mariadb") and len(head) > 2 and any(
                    n.startswith(head) for n in MYSQL_PLUGINS):
                self._unknown(site, words, f"{name} loads a client plugin (a library)")
            # apt reads clusters (`-yo KEY=VALUE`, `-qyc FILE`: attack j19f, finding 1's class)
            letter, rest = _cluster_letter(value, ("-o", "-c"), "ta") if name in (
                "apt", "apt-get", "aptitude") else (None, "")
            if letter is not None:
                self._apt_setting(f"-{letter}", _Word(rest, rest) if rest else following, words,
                                  site)
            elif name in ("apt", "apt-get", "aptitude") and (
                    value in ("--option", "--config-file") or value.startswith(
                        ("--option=", "--config-file="))):
                setting = following if value in ("--option", "--config-file") else \
                    _Word(attached, value)
                self._apt_setting(value, setting, words, site)
            if name in _EDITORS and name not in _VIM_LIKE and (value in ("-c", "--cmd") or (
                    value.startswith("+") and name != "less")):
                command = following if value in ("-c", "--cmd") else _Word(value[1:], value)
                self._editor_command(name, command, words, site)
            # tftp's `-c get REMOTE LOCAL` is read as its writes (the unread program's words)
            if name in _COMMANDS_GIVEN and name not in ("gdb", "sftp", "tftp", "atftp"):
                letter, rest = _cluster_letter(value, _COMMANDS_GIVEN[name],
                                               _COMMAND_ARGUMENTS.get(name, ""))
                longs = frozenset(o for o in _COMMANDS_GIVEN[name] if o.startswith("--"))
                if head.startswith("--") and len(head) > 2 and _long_option(head, longs) in longs:
                    # any start of the name (getopt_long, my_getopt): `--comm`, `--exec`
                    # (attack b11f, finding 8)
                    letter, text = _long_option(head, longs), given
                else:
                    text = _Word(rest, rest) if rest else following
                if letter is None or letter in ("f", "l", "L", "i", "--file", "--list",
                                                "--input-file"):
                    continue  # a file of commands: a script file, any program's peer (README)
                self._commands_in(name, text.value if text is not None else None, words, site)
        if name in _VIM_LIKE:
            self._vim_options(name, words, site)
        if name in ("less", "pager") and any(_less_key_file(v) for v in values[1:] if v is not None):
            # a key file's #env section sets LESSOPEN, which runs a command (attack s28f, 25),
            # as the LESSKEY variables do
            self._unknown(site, words, "less reads key bindings and variables (LESSOPEN) from a "
                                       "key file the line names")
        if name in _PAGERS:
            for value in values[1:]:
                if value is not None and value.startswith("+") and not _LESS_QUIET.fullmatch(
                        value.lstrip("+")):
                    self._unknown(site, words, f"a {name} command given on the line: "
                                               f"{one_line(value, 40)}")

    def _option_command(self, name: str, command: _Word | None, words: list[_Word],
                        site: _Site) -> None:
        """A command an option gives: read as shell code and, for man (man-db splits its
        pager itself, `#` no comment: attack j19f, finding 7), as the words it splits."""
        self._code(command, site, name)
        if name == "man" and command is not None and command.value is not None:
            self._split_code(command.value, posix_words, words, site, name)

    def _split_code(self, text: str, splitter: Callable[[str], list[str] | None],
                    words: list[_Word], site: _Site, name: str) -> None:
        """Judge `text` as the words a program splits it into without a shell (`splitters`),
        unless that is how bash reads it too; unknown where the split is not known."""
        reading = split_reading(text, splitter)
        if reading is None:
            self._unknown(site, words, f"a command line {name} splits into words itself, "
                                       "which the policy cannot split")
        elif reading != text:
            self._code(reading, site, name)

    def _vim_options(self, name: str, words: list[_Word], site: _Site) -> None:
        """vim's command line (`_vim_parts`): its ex commands judged (`_editor_command`), the
        files its options write counted as `>`, a file of commands or keys it sources that may
        be text fed to the line, or an option the policy does not read: unknown."""
        for part in _vim_parts(words):
            if part.kind == "command":
                self._editor_command(name, part.word, words, site)
            elif part.kind == "unknown":
                self._unknown(site, words, part.reason)
            elif part.word is None or part.word.value is None or (
                    part.kind == "source" and _descriptor_file(part.word.value) is not None):
                self._unknown(site, words, f"a file {name} reads commands from or writes, known "
                                           "only at run time")
            elif part.kind == "write":
                path = _path_arg(part.word)
                self.commands.append(SimpleCommand(">", (">", path.text), site.text, "", False,
                                                   site.wrappers, self._in_dirs((path,))))

    def _apt_setting(self, option: str, setting: _Word | None, words: list[_Word],
                     site: _Site) -> None:
        """apt's `-o NAME=VALUE`: hooks (`APT::Update::Pre-Invoke`, `DPkg::Post-Invoke`...) and
        programs it runs, or dpkg's options (`Dpkg::Options::=--pre-invoke=CMD`), are code;
        `-c FILE` reads settings from a file the policy does not read."""
        text = setting.value if setting is not None else None
        if text is None or option.startswith(("-c", "--config-file")):
            self._unknown(site, words, "apt settings the policy does not read")
            return
        key, _, value = text.partition("=")
        if re.fullmatch(r"(?i)dpkg::options:*", key.strip()):
            if re.match(r"--(pre|post)-invoke|--status-logger", value):
                self._code(value.partition("=")[2], site, "apt")
            elif not re.fullmatch(r"--force-[\w-]+(=\S*)?", value):
                self._unknown(site, words, f"a dpkg option set through apt: {one_line(value, 40)}")
        elif not _APT_SAFE.fullmatch(key.strip()):
            self._unknown(site, words, f"an apt setting that may run a program: {one_line(key, 40)}")

    def _editor_command(self, name: str, command: _Word | None, words: list[_Word],
                        site: _Site) -> None:
        """An ex command given on the line (`vim -c CMD`, `vim +CMD`): `!cmd` is shell code, a
        line number or a search runs nothing, anything else may (`:r !cmd`, `:w FILE`,
        `:call system()`): unknown."""
        text = command.value if command is not None else None
        if text is None:
            self._unknown(site, words, f"{name} commands known only at run time")
            return
        text = text.lstrip(": ")
        if text.startswith("!") and _VIM_EXPANDS.search(text[1:]):
            # vim replaces `%`, `#` (with :h, :p, :r... modifiers), `<cfile>` and its kin with
            # file names, and `!` with the previous command, before the shell reads the line
            # (`!rm -rf %:h` on /etc/x: attack j19f, finding 8): what runs is known only then.
            self._unknown(site, words, f"an {name} shell command holding file names or a previous "
                                       f"command {name} fills in: {one_line(text, 40)}")
        elif text.startswith("!"):
            self._code(text[1:], site, name)
        elif not re.fullmatch(r"[0-9]*|/[^|!]*|\?[^|!]*|(set|se)\s+[\w=]+|(syntax|syn)\s+\w+", text):
            self._unknown(site, words, f"an {name} command given on the line: {one_line(text, 40)}")

    def _db_shell(self, name: str, words: list[_Word], site: _Site) -> None:
        """A database shell's commands given on the line (policy/db_shells.py: attack y34f,
        finding 2): shell escapes judged as code, the files its commands write as `>`, any
        other client command unknown."""
        given = commands_given(name, words, _sqlite_dot)
        for path in given.written:
            self.commands.append(SimpleCommand(">", (">", path.text), site.text, "", False,
                                               site.wrappers, self._in_dirs((path,))))
        for code in given.codes:
            self._code(code, site, name)
        if given.unknown:
            self._unknown(site, words, given.unknown)

    def _commands_in(self, name: str, text: str | None, words: list[_Word], site: _Site) -> None:
        """Commands of `name`'s language given as text (a here-document, -e, -c)."""
        if text is None:
            self._unknown(site, words, f"{name} commands known only at run time")
        elif name == "sqlite3":
            # SQL that writes a file, fed on stdin as on the line (`<<< "VACUUM INTO '/x'"`)
            for path in sqlite_sql_writes(text):
                self.commands.append(SimpleCommand(">", (">", path.text), site.text, "", False,
                                                   site.wrappers, self._in_dirs((path,))))
            for line in text.splitlines():
                written, codes, reads = _sqlite_dot(line)
                for path in written:
                    self.commands.append(SimpleCommand(">", (">", path.text), site.text, "", False,
                                                       site.wrappers, self._in_dirs((path,))))
                for code in codes + [None for r in reads if _descriptor_file(r) is not None]:
                    self._code(code, site, name)
        elif name == "gdb":
            for line in text.splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    self._gdb_command(_Word(line, line), None, words, site)
        elif name in ("psql", "mysql", "mariadb") and not _CLIENT_COMMAND.search(text):
            return
        else:
            self._unknown(site, words, f"{name} commands, which may run shell commands or "
                                       "write files the policy does not read")

    def _reads_line_stdin(self, name: str, words: list[_Word], site: _Site,
                          reads_stdin: str) -> bool:
        """Whether the command may read the line's own stdin (`stdin_reader`): its stdin, as
        a reader of its stdin (`_reads_input`); the descriptor `read -u N` and `mapfile -u N`
        read, followed to its origin (`read -u 3 x 3<&0`; a descriptor the line did not open
        is known only at run time); or a name of a descriptor given as a file (`head -c 2
        /dev/stdin`, `dd if=/dev/fd/0`, `sed 1q /proc/self/fd/0`, `0` after `cd /dev/fd`)."""
        mine = ("tty", "unknown", "opaque")
        if name in ("read", "mapfile", "readarray"):
            scanned = _scan_options(words, 1, _READ if name == "read" else _MAPFILE)
            chosen = _last_argument(scanned[1], {"-u"}) if scanned is not None else ("-u", None)
            if chosen is not None:
                fd = chosen[1].value if chosen[1] is not None else None
                if fd is None or not digits(fd):
                    return True  # `read -u "$fd"`: perhaps 0
                return _Streams(site, {}).origin(int(fd))[0] in mine
            if site.stdin in mine:
                return True
        elif site.stdin in mine and (
                reads_stdin == "interpreter" or (reads_stdin == "shell" and shell_name(name) not in
                                                 _BASH_GRAMMAR) or _reads_input(name, words)):
            return True
        elif (name in _READS_FILES or name in _READS_PROGRAM or name in _READS_ALWAYS) and any(
                digits(w.value or "") or (w.value or "").startswith("if=") for w in words):
            # A file named only by digits (`head -c 2 0`) is a descriptor where an earlier
            # line's `cd /dev/fd` left the shell: a line on a shell's stdin cannot know.
            scanned = _scan_options(words, 1, _options(_READ_OPTIONS.get(name, "")))
            operands = [w.value or "" for w in words[scanned[0]:]] if scanned is not None else []
            if name in _READS_PROGRAM:
                operands = operands[1:]  # `jq -n 1`, `grep 1 f`: the program or pattern
            if any(digits(v) or (v.startswith("if=") and digits(v[3:])) for v in operands):
                return True
        named = [w.value for w in words[1:] if w.value and (
            self._dirs or "/dev" in w.value or "/proc" in w.value)]
        # (Most words name no descriptor, and no `cd` on the line makes a relative one.)
        if not named:
            return False
        streams = _Streams(site, {})
        return any(self._names_line_stdin(value, streams) for value in named)

    def _names_line_stdin(self, value: str, streams: _Streams) -> bool:
        """Whether a word names a descriptor that reads the line's own stdin, as a file
        operand, an option's value (`if=/dev/stdin`, `--file=/dev/fd/0`, `-f/dev/stdin`).
        stdout and stderr (`tee /dev/stdout`) are taken to be written, not read."""
        candidates = {value}
        if "=" in value:
            candidates.add(value.split("=", 1)[1])
        if value.startswith("-") and "/" in value:
            candidates.add(value[value.index("/"):])
        for candidate in candidates:
            fd = self._descriptor_named(candidate) if candidate else None
            if fd == "unknown" or (isinstance(fd, int) and fd not in (1, 2) and
                                   streams.origin(fd)[0] in ("tty", "unknown", "opaque")):
                return True
        return False

    def _code(self, code: _Word | str | None, site: _Site, name: str) -> bool:
        """Judge a string the shell will parse again as code (`sh -c`, `eval`, `su -c`)."""
        value = code.value if isinstance(code, _Word) else code
        if value is None:
            shown = [code] if isinstance(code, _Word) else []
            self._unknown(site, shown, "shell code known only at run time")
            return True
        if "{}" in value and "find" in site.wrappers:
            # attack U: find fills {} in anywhere (`tar --to-command={}`, `sort
            # --compress-program={}`): code holding a file's name is known only at run time.
            self._unknown(site._replace(text=value), [], "shell code holding a file find names")
            return True
        shell = shell_name(name)
        foreign = _foreign(shell, value) if shell is not None else None
        if foreign is not None:
            self._unknown(site._replace(text=value), [], foreign)
        # `bash -c` reads bash; eval, source, trap, alias and the hooks the shell that reads the
        # line; any other program that takes code starts a shell that may be sh (dash).
        in_shell = name in _SAME_SHELL or name in _SOURCE
        grammar = "bash" if shell in ("bash", "rbash") else \
            site.grammar if in_shell else "any"
        # eval runs its code in the shell now; a trap, alias or hook in the shell later, any
        # number of times, or never; any other program in a shell of its own (`bash -c 'cd
        # /tmp'` moves nothing here).
        # A sourced here-string runs in the shell now, as eval does, and may `return` early.
        moves = self._moves()
        # (a file on stdin keeps its name: `sh -c 'sh -s stop' < F`, attack a36f, finding 24)
        inner = site._replace(depth=site.depth + 1, wrappers=(*site.wrappers, name),
                              here=site.here if site.stdin == "file" else None, grammar=grammar)
        later = name in _SAME_SHELL and name != "eval"
        if later:  # walked again at the end of the line in every state it reaches (`finish`)
            self._deferred[value, inner] = None
        start = len(self.commands)
        with contextlib.ExitStack() as stack:
            if name != "eval":
                stack.enter_context(self._apart(certain=not in_shell))
            self.parse(value, inner)
            # A trap or hook that moves may run before any later command (`trap 'cd /etc'
            # DEBUG; cd /tmp; rm x` removes /etc/x): every later directory is unknown.
            self._hook_moves |= later and self._moves() != moves
        if later:
            self._walked.setdefault((value, inner), set()).update(self.commands[start:])
        return True

    def _joined_code(self, words: list[_Word], site: _Site, name: str) -> bool:
        if not words:
            return False
        self._ran_words.append(words)  # the command's words, not the program's options
        if any(w.value is None for w in words) or site.dynamic:
            # (`xargs ssh host echo`: the words xargs appends are code too.)
            self._unknown(site, words, "shell code known only at run time")
            return True
        return self._code(" ".join(w.value or "" for w in words), site, name)


_LESSKEY_LONG = ("--lesskey-src", "--lesskey-file", "--lesskey-content")


def _less_key_file(value: str) -> bool:
    """Whether a word of less's gives it a key file or key text: `-k FILE` (in a cluster before
    a letter whose value it is), `--lesskey-src`, `--lesskey-file`, `--lesskey-content` (any
    start of their names past `--les`)."""
    if value.startswith("--"):
        option = value.partition("=")[0]
        return len(option) > 4 and any(long.startswith(option) or option.startswith(long)
                                       for long in _LESSKEY_LONG)
    if not value.startswith("-") or value == "-":
        return False
    for letter in value[1:]:
        if letter == "k":
            return True
        if letter in "bhjoOpPtTxyz#":
            return False
    return False
