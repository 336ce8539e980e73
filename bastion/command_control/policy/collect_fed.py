"""The collector's reading of programs fed a program the policy does not see (found after
outside attack a10f, findings 10 and 11, and its suspicions): a program no table reads that
takes its program from stdin (`lli`, `php-cgi`, `jimsh`: packaged.py, `feeds_program`), tcc's
`-run -`, the database clients' options that run a command or load code (`mysql --pager=CMD`),
scriptlive (a shell fed a log's input); and what such programs write that no table names:
perl's and ruby's `-i` (the files after the program rewritten in place), `file -C` (NAME.mgc).
Methods of `_Collector` (collect.py)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import replace

from bastion.command_control.policy.dbus_names import (
    DBUS_CLIENTS,
    readings,
    systemctl_readings,
    undecodable,
)
from bastion.command_control.policy.elsewhere import console, stdin_elsewhere
from bastion.command_control.policy.names import _known
from bastion.command_control.policy.packaged import (
    CLIENTS,
    STDIN_INTERPRETERS,
    STDIN_NAMES,
    client_option_code,
    feeds_program,
    option_operand,
)
from bastion.command_control.policy.settings_commands import settings_code
from bastion.command_control.policy.settings_homes import moved_settings
from bastion.command_control.policy.settings_patterns import settings_argvs
from bastion.command_control.policy.shells import (
    _ATTACHED_VALUE,
    _INLINE_CODE,
    INTERPRETERS,
    interpreter_cluster,
)
from bastion.command_control.policy.toolchains import toolchain
from bastion.command_control.policy.verb_readers import verb_reader
from bastion.command_control.policy.words import SimpleCommand, _Site, _Word


class _Fed:
    """Part of `_Collector` (collect.py): programs whose program comes from where the line does
    not show it."""

    def _fed(self, name: str, words: list[_Word], site: _Site, read: bool, start: int) -> None:
        """Judge what `name` (collected from `start` on) runs that no handler judged: `read`
        says whether a handler or a table reads the program (`unread.is_read`); the files an
        unread program names were put on its commands (`_unread`) before."""
        if name in CLIENTS:
            for kind, word in client_option_code(name, words):
                if kind == "program":
                    # as MYSQL_PAGER is judged: a command line it runs later, not on this stdin
                    self._code(word.value, site._replace(stdin="null"), name)
                else:
                    self._unknown(site, [word], f"{name} {word.text}: a pager known only at run "
                                                "time, or a plugin or option file (which may name "
                                                "one) the line does not show")
        argv = tuple(w.value or w.text for w in words)
        if name in DBUS_CLIENTS:
            self._dbus_decoded(name, words, argv, site)
        settings: list[tuple[str, str]] = []
        for spelled in settings_argvs(name, words):  # `npm confi? set`: as each verb (a36f, 17)
            settings += [found for found in settings_code(name, spelled, self._values, any(
                w.value is None for w in words)) if found not in settings]
        for kind, text in settings:
            # `pip config set global.log F`: judged as PIP_LOG=F (attack u30f, finding 3)
            if kind == "code":
                self._code(text, site._replace(stdin="null"), name)
            else:
                self._unknown(site, words, text)
        if moved := moved_settings(name, self._values, argv):  # `HOME=/tmp/h gdb` (a36f, 26)
            self._unknown(site, words, moved)
        elsewhere = stdin_elsewhere(name, argv)
        if elsewhere == "shell":
            # `pct enter 101`: judged as `lxc-attach -n c`; fed a pipe or a here-string, that
            # text is its code (attack t29f, finding 12)
            self._user_shell(name, words, site)
        elif elsewhere == "program" and site.stdin in ("tty", "unknown"):
            self._fed_stdin(name, words, site, known=False)  # `docker run -i debian` (r27f, 7)
        elif elsewhere == "program" or (console(name, argv) is not None and site.stdin not in (
                "tty", "unknown", "null")):
            # text the line feeds a container's command or a console elsewhere (`| virsh
            # console vm`): typed there, unread here (t29f, 12)
            self._stdin_code(name, words, site, "a reader elsewhere")
        if name == "guestfish" and _guestfish_commands(words):
            # its commands on the line (`copy-out /etc /`, `!cmd`): they write files and run
            # shell commands the policy does not read (attack s28f, t29f)
            self._unknown(site, words, "guestfish commands on the line, which may run shell "
                                       "commands or write files the policy does not read")
        unread = not read and not _known(name, ()) and words[0].value not in self._functions
        operand = option_operand(name, words, self._descriptor_named) if unread else None
        prompt = verb_reader(name, argv, unread) if words[0].value not in self._functions else ""
        if prompt != "interpreter" and console(name, argv) is not None:
            prompt = ""  # a console elsewhere; Symfony's `bin/console psysh` a prompt (z35f 12)
        if prompt:
            # `crystal eval`, `python3 manage.py shell`, `node inspect F`: a prompt reading code
            # from stdin under a verb, a script or a module (attacks u30f 12, u30o 2)
            self._fed_stdin(name, words, site, known=prompt == "interpreter")
        elif unread and _CLIENT_NAME.search(name):
            # a database or cluster shell no table names (`foosql DB`, `bar-cli -h H`): with
            # operands too it may read commands from stdin that run or write on the target
            # (attack v31o, finding 5): on an exec channel its first data is held
            self._fed_stdin(name, words, site, known=False)
        elif unread and feeds_program(name, words, self._names_stdin):
            # (coreutils' `factor` reads numbers: only the exec channel's first data is held)
            self._fed_stdin(name, words, site, known=False if name == "factor" else None)
        elif operand is not None:
            # `lli -O 3`: the lone word is the option's value, the program stdin (attack d13f,
            # finding 1); after an option no table reads it only may be ("program": the
            # channel's first data is held).
            self._fed_stdin(name, words, site, known=operand == "value")
        elif toolchain(name) == "driver" and name.rsplit("-", 1)[0].endswith("tcc") and _runs_stdin(
                words, self._names_stdin):
            self._fed_stdin(name, words, site)
        elif name == "scriptlive":
            self._unknown(site, words, "scriptlive runs a shell and types into it the input a log "
                                       "recorded, which the line does not show")
        elif name == "file" and any(_letter("C", "--compile", w) for w in words[1:]):
            self._unknown(site, words, "file -C writes a compiled magic file (NAME.mgc) in the "
                                       "working folder")
        family = INTERPRETERS.fullmatch(name)
        if family is not None and family.lastgroup in ("perl", "ruby"):
            files = in_place_files(family.lastgroup, words)
            if files is None:
                self._unknown(site, words, f"options of {name} known only at run time may edit "
                                           "files in place (-i)")
            for word in files or ():
                self.commands.append(self._file_operation(">", word, site.text, site))
            if family.lastgroup == "perl" and magic_opens(words):
                self._unknown(site, words, f"{name} -n or -p opens a file named by a pattern or "
                                           "at run time, or holding | < >, with the two-argument "
                                           "open, which runs a name ending in |")

    def _dbus_decoded(self, name: str, words: list[_Word], argv: tuple[str, ...], site: _Site) -> None:
        """A D-Bus client's words decoded as systemd decodes an object path and gdbus its
        GVariant text (`dbus_names`): each reading judged as the words are (attack u30f, 1)."""
        dynamic = any(w.value is None for w in words)
        for reading in readings(argv):
            self.commands.append(SimpleCommand(name, reading, site.text, dynamic_args=dynamic,
                                               wrappers=site.wrappers))
        for spelling in [argv, *readings(argv)]:
            # `busctl call ... Manager SetDefaultTarget sb rescue.target true`: judged as
            # `systemctl set-default rescue.target true` (attack x33f, finding 4)
            said, strange = systemctl_readings(name, spelling)
            for command in said:
                self._code(shlex.join(command), site._replace(stdin="null"), name)
            if strange is not None:
                self._unknown(site, words, f"{name} {strange}")
        broken = undecodable(argv)
        if broken is not None:
            self._unknown(site, words, f"{name} {broken}: an escape the bastion cannot decode as "
                                       "the client does")

    def _names_stdin(self, value: str) -> bool:
        """`value` names the line's stdin in any spelling (`-`, `/dev/./stdin`,
        `/proc/thread-self/fd/0`: `_descriptor_named`), or a descriptor known only at run time."""
        return value in STDIN_NAMES or self._descriptor_named(value) in (0, "unknown")

    def _fed_stdin(self, name: str, words: list[_Word], site: _Site, known: bool | None = None) -> None:
        """`name`, already collected, reads its program from its stdin (`known` True), or only
        may (False; None: a known interpreter's, or one naming stdin, is): on the line's own
        stdin its command is marked as an interpreter's (`reads_stdin`), so the gate holds an
        exec channel's, or "program" (its first data held); piped or fed text is unknown
        (`_stdin_code`)."""
        if site.stdin not in ("tty", "unknown"):
            if known is not False:  # a piped file may well be data for a program file
                self._stdin_code(name, words, site, "an interpreter")
            return
        if known is None:
            known = name in STDIN_INTERPRETERS or any(
                w.value is not None and self._names_stdin(w.value) for w in words[1:])
        for index in range(len(self.commands) - 1, -1, -1):
            command = self.commands[index]
            if command.name == name and command.text == site.text and not command.reads_stdin:
                # a known interpreter's program is the channel's data (held up front); any other
                # program only may read one there ("program": its first data is held)
                self.commands[index] = replace(command, reads_stdin="interpreter" if known else "program",
                                               reads_input=known or command.reads_input)
                return


# Names that usually mean a database or cluster shell (a client reading its commands).
_CLIENT_NAME = re.compile(r"(?:sql|sqlsh|-cli|-shell|-console|-repl)\Z")


def _letter(letter: str, long: str, word: _Word) -> bool:
    """`word` is the short option `letter` (alone or in a cluster) or the long one, or an
    option known only at run time (`"-$x"`)."""
    value = word.value
    if value is None:
        return word.text.lstrip("'\"").startswith("-")
    if value.startswith("--"):
        return len(value) > 2 and long.startswith(value.partition("=")[0])
    return value.startswith("-") and letter in value[1:]


def in_place_files(kind: str, words: list[_Word]) -> list[_Word] | None:
    """The files perl or ruby (`kind`) rewrites in place: with -i (`-pi -e CODE F`, `-i.bak`,
    `-pi`), the operands after the program (the words after a `-e` code, else after the script
    file). [] without -i; None when a word known only at run time, perhaps -i, comes before a
    file the line names."""
    read = _program_operands(kind, words)
    if read is None:
        return None
    letters, operands = read
    return operands if "i" in letters else []


def magic_opens(words: list[_Word]) -> bool:
    """Whether `perl -n` or `-p` (without -i) may open an operand the way perl's two-argument
    open does, where a name ending in `|` runs a command: an operand that is a pattern (`perl
    -ne print *` after a file `touch x|`), known only at run time, or holding `|`, `<` or `>`
    (attack i18f, checked with perl 5.36)."""
    read = _program_operands("perl", words)
    if read is None:
        return True
    letters, operands = read
    if not letters & {"n", "p"} or "i" in letters:
        return False
    return any(w.glob or w.value is None or "|" in w.value or w.value.lstrip()[:1] in ("<", ">", "+")
               for w in operands)


def _program_operands(kind: str, words: list[_Word]) -> tuple[set[str], list[_Word]] | None:
    """The option letters perl or ruby (`kind`) is given, and the operands after its program (the
    words after a `-e` code, else after the script file); None when a word known only at run
    time, perhaps an option, comes before a word the line names."""
    inline, attached_only = _INLINE_CODE[kind], _ATTACHED_VALUE[kind]
    index, code = 1, False
    seen: set[str] = set()
    while index < len(words):
        value = words[index].value
        if value is None:
            return None if any(w.value is not None for w in words[index + 1:]) else (seen, [])
        index += 1
        if value == "--":
            break
        if not value.startswith("-") or value == "-":
            index -= 1
            break
        if value.startswith("--"):
            continue  # ruby's long options take `=VALUE`
        letters, taker, rest = interpreter_cluster(kind, value)
        seen |= set(letters)
        code = code or (taker is not None and taker in inline)
        if taker is not None and not rest and taker not in attached_only:
            index += 1  # its value is the next word
    return seen, words[index:] if code else words[index + 1:]


def _runs_stdin(words: list[_Word], names_stdin: Callable[[str], bool]) -> bool:
    """tcc's `-run` with its program file read from stdin (`tcc -run -`, `tcc -run
    /dev/stdin`), or with no file named (a word known only at run time may be `-`)."""
    values = [w.value for w in words[1:]]
    if "-run" not in values:
        return False
    after = [v for v in values[values.index("-run") + 1:] if v is None or not v.startswith("-") or v == "-"]
    return not after or after[0] is None or names_stdin(after[0])


_GUESTFISH_VALUES = frozenset({"-a", "--add", "-c", "--connect", "-d", "--domain", "-f", "--file",
                               "-m", "--mount", "-N", "--new", "--format", "--key", "-w",
                               "--blocksize", "--pipe-error", "--echo-keys"})


def _guestfish_commands(words: list[_Word]) -> bool:
    """Whether guestfish is given commands on its line: a word that is no option nor an
    option's value (or one known only at run time)."""
    skip = False
    for word in words[1:]:
        value = word.value
        if value is None:
            return True
        if skip:
            skip = False
        elif value.startswith("-"):
            skip = value in _GUESTFISH_VALUES
        else:
            return True
    return False
