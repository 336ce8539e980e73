"""The collector's handlers for the shell's builtins that run code or change how it reads lines.

Methods of `_Collector` (collect.py): eval, source, trap, alias, the remote end of scp, fc and
`r`, the builtins that assign variables (printf -v, read, mapfile, getopts, wait -p), let,
complete, bind and bindkey, stty, hash, enable, and set/shopt options (`_options`)."""

from __future__ import annotations

import re
from dataclasses import replace

from bastion.command_control.policy.builtins import (
    _BIND,
    _COMMENTS_OFF,
    _COMPLETE,
    _EDITING_OFF,
    _ENABLE,
    _HASH,
    _MAPFILE,
    _PRINTF,
    _READ,
    _SCP,
    _STTY_SHOWN,
    _STTY_SIZE,
    _TSET_ARGUMENT,
    _TSET_SETS,
    _WAIT,
    _binding,
    _binding_changes,
    _binding_runs,
    _unquote,
)
from bastion.command_control.policy.options import _last_argument, _scan_options
from bastion.command_control.policy.programs import _bindkey_lists
from bastion.command_control.policy.reruns import (
    CD_GUESSES,
    ZSH_CD_LETTERS,
    fc_lists,
    history_fills,
    option_name,
)
from bastion.command_control.policy.variables import _DECLARED, _SET_LETTERS, _aliased, _printed
from bastion.command_control.policy.words import SimpleCommand, _at, _Site, _Word
from bastion.text import digits

_COMMENT_START = re.compile(r"(?:^|[\s;&|(){}])#")  # where bash reads `#` as a comment

# zsh's builtins that assign a variable named on the line, read by `_zsh_assigner` after the
# command is collected (attack e14f, finding 10).
ZSH_ASSIGNERS = frozenset({"print", "zstyle", "strftime", "sysread", "zparseopts", "vared",
                           "zstat", "zselect", "zsystem", "pcre_match", "zformat", "zregexparse",
                           "sysopen"})


class _Builtins:
    """Part of `_Collector` (collect.py): its handlers for the shell's builtins that run code or change
    how it reads lines."""

    def _eval(self, name: str, words: list[_Word], site: _Site) -> bool:
        return self._joined_code(words[1:], site, name)

    def _source(self, name: str, words: list[_Word], site: _Site) -> bool:
        script = _at(words, 1)
        if script is not None and script.value == "--":
            script = _at(words, 2)
        return self._program_file(name, script, words, site, "a shell") if script is not None else False

    def _trap(self, name: str, words: list[_Word], site: _Site) -> bool:
        operands = [w for w in words[1:] if w.value not in ("--", "-p", "-l")]
        self._plain(name, words, site)
        if len(operands) >= 2 and operands[0].value not in ("", "-"):
            self._code(operands[0], site, name)
        return True

    def _alias(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        for word in words[1:]:
            if word.value is None or word.glob:
                # `alias l*` after `touch 'ls=CMD'` defines ls (attack k20f, finding 13's class)
                self._code(None, site, name)
            elif "=" in word.value:
                alias, _, value = word.value.partition("=")
                self._alias_value(alias, value, site, name)
        return True

    def _alias_value(self, alias: str, value: str, site: _Site, name: str) -> None:
        """The code of an alias (`alias NAME=VALUE`, `BASH_ALIASES[NAME]=VALUE`)."""
        self._code(_aliased(alias, value), site, name)
        if _COMMENT_START.search(value):
            # A comment in it comments out the rest of each line the alias begins, which the
            # gate and the shells it asks (`bash -n`, no aliases) read on: `alias A='#'`, then
            # `X; A "` runs X where the line looks unfinished (attack z35i, finding 1).
            self._unknown(site._replace(text=f"{alias}={value}"), [],
                          "an alias holding a comment, which hides the rest of the line it begins")
        shape = _alias_shape(value)
        if shape is not None:
            # bash reads an alias's value as the start of the line, where `bash -n` and the
            # scanner (no aliases) read a plain word: `alias F=fi`, then `if X; then Y; F` runs
            # Y where the line looks unfinished (attack a36i, finding 2).
            self._unknown(site._replace(text=f"{alias}={value}"), [],
                          f"an alias holding {shape}, which may end or open a statement "
                          "where the shells asked see a plain word")
        if value[-1:] in (" ", "\t"):
            # bash then expands the next word as an alias too, one a later line may name after
            # defining it elsewhere: `alias rm='rm ' H='-rf /'`, then `rm H` runs `rm -rf /`.
            self._unknown(site._replace(text=f"{alias}={value}"), [],
                          "an alias ending in a blank, which makes the word after it an alias")

    def _scp(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`scp -t PATH` and `scp -f PATH` are the remote end of a legacy scp (`scp -O`): a
        write to PATH (`>`) and a read of it (`<`), not a copy from this host elsewhere. When
        PATH is a directory, the names the scp stream gives are judged there, not here."""
        scanned = _scan_options(words, 1, _SCP)
        if scanned is None:
            return False
        index, found = scanned
        modes = {option for option, _ in found} & {"-t", "-f"}
        if len(modes) != 1:
            return False
        op = ">" if modes == {"-t"} else "<"
        via = tuple(w.value if w.value is not None else w.text for w in words)
        for word in words[index:] or [_Word(None, "(no path)")]:
            self.commands.append(replace(self._file_operation(op, word, site.text, site), via=via))
        return True

    # -- builtins that run earlier lines, or store code the shell runs later (_HOOKS) -----

    def _fc(self, name: str, words: list[_Word], site: _Site) -> bool:
        if fc_lists(words):
            return False  # fc -l lists history; it runs nothing (unless -s or -e: attack a10f)
        self._unknown(site, words, "history re-execution: fc runs an earlier line, edited")
        return True

    def _setopt(self, name: str, words: list[_Word], site: _Site) -> bool:
        """zsh's setopt and unsetopt: an option under which cd goes where the line does not say
        (`setopt auto_cd`, `unsetopt NO_CORRECT`) is unknown (attack a10f, finding 5). A flag
        word sets in its sign's sense, turned round by unsetopt (`setopt +o noautocd` sets
        autocd), and `-o` takes its name attached or as the next word (attack h17f, finding 5)."""
        index = 1
        while index < len(words):
            word = words[index]
            index += 1
            value = word.value
            if value is None:
                self._unknown(site, [word], f"options of {name} known only at run time")
                return False
            if value[:1] in ("-", "+") and len(value) > 1 and value != "--":
                on = (value[0] == "-") != (name == "unsetopt")
                option: str | None = None
                for position, letter in enumerate(value[1:], start=2):
                    if letter == "o":
                        option = value[position:] or (words[index].value if index < len(words) else "")
                        index += 0 if value[position:] else 1
                        break
                    if letter in ZSH_CD_LETTERS or letter == "m":
                        # by letter (`setopt -J`), either sense, or every option a pattern matches
                        option = None
                        break
                else:
                    continue
                if option is None or (option_name(option) in CD_GUESSES and on != _negated(option)):
                    self._unknown(site, [word], f"{name} {value}: cd (or a directory's bare name) "
                                                "may go to a directory other than the one the line names")
                continue
            if option_name(value) in CD_GUESSES and (name == "setopt") != _negated(value):
                self._unknown(site, [word], f"{name} {value}: cd (or a directory's bare name) "
                                            "may go to a directory other than the one the line names")
        return False

    def _history(self, name: str, words: list[_Word], site: _Site) -> bool:
        if history_fills(words):
            self._unknown(site, words, "history -s puts a line the bastion did not judge into the "
                                       "history that fc or r runs")
        return False  # judged as well as a command (`history -w FILE` writes FILE)

    def _rerun(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._unknown(site, words, "history re-execution: r (ksh, zsh) runs an earlier line")
        return True

    def _set_by(self, variable: _Word | None, value: _Word, site: _Site) -> None:
        """A variable a builtin assigns (printf -v, read, mapfile, getopts, wait -p)."""
        if variable is None:
            return
        if variable.value is None:
            self._unknown(site, [variable], "a variable name known only at run time")
            return
        match = _DECLARED.fullmatch(variable.value)
        if variable.glob or (match is None and any(c in variable.value for c in "*?[")):
            # `read P*`, `wait -n -p P*` after `touch PROMPT_COMMAND` (attack k20f, finding 13's
            # class); an attached `-pP*` has lost its mark: a pattern that is no name is one
            self._unknown(site, [variable], "a variable name pathname expansion may choose")
            return
        if match is None or match.group(3) is not None:
            return  # not a name: bash refuses it
        if match.group(2) is not None:
            self._subscript(match.group(1), match.group(2), site, site.text)
        self._assigned(match.group(1), value, site.text, site)

    def _printf(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        if self._zsh_assigner(name, words, site):
            return True
        scanned = _scan_options(words, 1, _PRINTF)
        if scanned is None:
            self._unknown(site, words, "options of printf known only at run time")
            return True
        index, found = scanned
        target = _last_argument(found, {"-v"})
        if target is not None:
            self._set_by(target[1], _printed(words[index:]), site)
        return True

    def _zsh_assigner(self, name: str, words: list[_Word], site: _Site) -> bool:
        """zsh's builtins that assign a variable they are given the name of (`print -v`,
        `read -A`, `zstyle -s`, `strftime -s`, `sysread`...): given zsh's `options` array, they
        set its options, auto_cd among them, as `setopt` does (attack e14f, finding 10). Which
        option they set is known only at run time: unknown. The name may be attached to its
        option (`print -voptions[autocd] on`: attack f15f, finding 8)."""
        if name in ("print", "printf") and not any(
                w.value is not None and w.value[:1] == "-" and "v" in w.value for w in words[1:]):
            return False  # `print options` prints the word
        for word in words[1:]:
            if word.value is not None and _OPTIONS_ARRAY.fullmatch(word.value):
                self._unknown(site, [word], f"{name} assigns zsh's options array: cd (or a "
                                            "directory's bare name) may go to a directory other "
                                            "than the one the line names")
                return True
        return False

    def _read(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        if self._zsh_assigner(name, words, site):
            return True
        scanned = _scan_options(words, 1, _READ)
        if scanned is None:
            self._unknown(site, words, "options of read known only at run time")
            return True
        index, found = scanned
        array = _last_argument(found, {"-a"})
        names = [array[1]] if array is not None else words[index:] or [_Word("REPLY", "REPLY")]
        for variable in names:
            self._set_by(variable, _Word(None, "(the line read)"), site)
        return True

    def _mapfile(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _MAPFILE)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        index, found = scanned
        callback = _last_argument(found, {"-C"})
        if callback is not None:
            code = callback[1].value if callback[1] is not None else ""
            # bash evaluates "CALLBACK INDEX 'LINE'" every -c lines.
            self._code(None if code is None else f'{code} 0 "$MAPFILE_LINE"', site, name)
        self._set_by(_at(words, index) or _Word("MAPFILE", "MAPFILE"),
                     _Word(None, "(the lines read)"), site)
        return True

    def _getopts(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        self._set_by(_at(words, 2), _Word(None, "(an option letter)"), site)
        return True

    def _jobs(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`jobs -x CMD ARGS` runs CMD (job specs in ARGS replaced by process groups)."""
        self._plain(name, words, site)
        if any(w.value is None or (w.value.startswith("-") and "x" in w.value and w.value != "--")
               for w in words[1:2]):
            self._unknown(site, words, "jobs -x runs a command")
        return True

    def _wait(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _WAIT)
        if scanned is not None:
            variable = _last_argument(scanned[1], {"-p"})
            if variable is not None:
                self._set_by(variable[1], _Word(None, "(a process id)"), site)
        return True

    def _let(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        for word in words[1:]:
            if word.value is None:
                self._unknown(site, [word], "arithmetic known only at run time")
                continue
            self._arithmetic_text(word.value, site, site.text)
        return True

    def _complete(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _COMPLETE)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        for option, argument in scanned[1]:
            if option == "-C":
                # The command runs (on Tab for complete) with the word being completed.
                code = argument.value if argument is not None else ""
                self._code(None if code is None else f'{code} "$COMP_WORD"', site, name)
            elif option == "-W":
                # Each word of the list is expanded when completing: $(...) runs then.
                code = argument.value if argument is not None else ""
                self._code(None if code is None else f": {code}", site, name)
        return True

    def _bind(self, name: str, words: list[_Word], site: _Site) -> bool:
        """The tracker follows readline's default keys and settings (bastion/command_control/terminal): a
        binding or a readline variable that changes what a key does, or how a line is drawn or
        read, is unknown (attack D, finding 3: `bind 'set comment-begin "echo "'` made
        insert-comment run the line's rest). Listing options and the display-only variables of
        `_READLINE_DISPLAY` are allowed."""
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _BIND)
        if scanned is None:
            self._unknown(site, words, "options of bind known only at run time")
            return True
        index, found = scanned
        for option, argument in found:
            if option == "-x":
                command = argument.value if argument is not None else ""
                if command is None:
                    self._unknown(site, words, "a key binding known only at run time")
                else:
                    self._code(_unquote(_binding(command)[1]), site, name)
                self._unknown(site, words, "bind -x runs code on a key without finishing a line",
                              terminal=True)
            elif option == "-f":
                self._unknown(site, words, "bind -f reads key bindings from a file")
            elif option in ("-r", "-u"):
                self._unknown(site, words, f"bind {option} takes a key from the function "
                                           "the bastion expects it to do", terminal=True)
        for word in words[index:]:
            why = _binding_changes(word.value)
            if why is not None:
                # What ran or submitted a line before attack D's findings stays unknown anywhere.
                self._unknown(site, [word], why, terminal=not _binding_runs(word.value))
        return True

    def _bindkey(self, name: str, words: list[_Word], site: _Site) -> bool:
        """zsh's bindkey: `-s` binds a key to typed text (judged even without a terminal); any
        other use but listing (`bindkey`, `-l`, `-L`, a key looked up) binds a key or selects
        a keymap (`bindkey -v`: vi mode, `-A viins main`), which the tracker does not follow
        (attack H, finding 4: an editing mode the gate does not know)."""
        self._plain(name, words, site)
        if any(w.value is None or (w.value.startswith("-") and "s" in w.value) for w in words[1:]):
            self._unknown(site, words, "bindkey -s binds a key to typed text")
        elif not _bindkey_lists(words[1:]):
            self._unknown(site, words, "zsh's bindkey changes what keys do or the editing mode "
                                       "(vi, emacs), which the bastion does not follow",
                          terminal=True)
        return True

    def _stty(self, name: str, words: list[_Word], site: _Site) -> bool:
        """stty that only shows the settings, resets them (`sane`), sets the window size or turns
        echo off and on (`_STTY_SHOWN`) is allowed; any other setting changes which keys the
        terminal driver edits, signals or how it echoes them (erase, kill, werase, lnext, eol,
        -echoctl, -icanon), which the tracker reads by their defaults: unknown (attack D,
        finding 3)."""
        self._plain(name, words, site)
        index = 1
        while index < len(words):
            value = words[index].value
            if value in _STTY_SIZE:
                size = _at(words, index + 1)
                if size is None or size.value is None or not digits(size.value):
                    break
                index += 2
            elif value is not None and (value in _STTY_SHOWN or digits(value)):
                index += 1
            else:
                break
        if index < len(words):
            self._unknown(site, words[index:index + 1], "stty changes keys or echo the terminal "
                                                        "driver handles, which the bastion reads "
                                                        "by their defaults", terminal=True)
        return True

    def _tset(self, name: str, words: list[_Word], site: _Site) -> bool:
        """tset and reset (ncurses) with -e, -i or -k set the tty's erase, interrupt or kill
        character to any key, as `stty erase` does: unknown (attack H, finding 1). Bare, they
        reset the characters to the defaults and the erase to the terminal's backspace (DEL or
        ^H): the tracker reads a line the driver edits with either erase (SECURITY.md)."""
        self._plain(name, words, site)
        index = 1
        while index < len(words):
            value = words[index].value
            if value is None:
                break
            if value.startswith("-") and len(value) > 1:
                letters = value[1:]
                if any(c in _TSET_SETS for c in letters):
                    break
                taking = next((i for i, c in enumerate(letters) if c in _TSET_ARGUMENT), None)
                index += 2 if taking is not None and taking == len(letters) - 1 else 1
            else:
                index += 1
        if index < len(words):
            self._unknown(site, words[index:index + 1], f"{name} sets the tty's special characters "
                          "(erase, interrupt, kill), which the bastion reads by their defaults",
                          terminal=True)
        return True

    def _hash(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _HASH)
        if scanned is None:
            self._unknown(site, words, "options of hash known only at run time")
            return True
        index, found = scanned
        program = _last_argument(found, {"-p"})
        if program is not None:
            path = program[1].value if program[1] is not None else None
            for word in words[index:]:
                if path is None or word.value is None or path.rsplit("/", 1)[-1] != word.value:
                    self._unknown(site, words, "hash -p makes a command name run another program")
                    return True
        return False

    def _enable(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _ENABLE)
        if scanned is None or any(option == "-f" for option, _ in scanned[1]):
            self._unknown(site, words, "enable -f loads a shared object into the shell")
            return True
        return False

    def _set(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        changes: list[tuple[str, bool, str]] = []
        if name == "shopt":
            flags, names = "", []
            for word in words[1:]:
                if word.value is None:
                    self._unknown(site, [word], "options of shopt known only at run time")
                    return True
                if word.value.startswith("-") and not names:
                    flags += word.value[1:]
                else:
                    names.append(word.value)
            if "s" in flags or "u" in flags:
                kind = "set" if "o" in flags else "shopt"
                changes = [(kind, "s" in flags, option) for option in names]
        else:
            index = 1
            while index < len(words):
                value = words[index].value
                if value is None:
                    self._unknown(site, [words[index]], "options of set known only at run time")
                    return True
                if value in ("--", "-") or value[:1] not in ("-", "+") or len(value) < 2:
                    break
                index += 1
                array = _at(words, index)
                if "A" in value[1:] and array is not None and array.value in (None, "options") and any(
                        w.value is None or option_name(w.value) in CD_GUESSES for w in words[index + 1:]):
                    # zsh's `set -A options autocd on` fills its options array (attack d13f)
                    self._unknown(site, words, "set -A options: cd (or a directory's bare name) may go "
                                               "to a directory other than the one the line names")
                    return True
                for position, letter in enumerate(value[1:], start=2):
                    if letter == "o" and value[position:]:
                        # zsh takes the name attached (`set -oautocd`: attack h17f, finding 5)
                        changes.append(("set", value[0] == "-", value[position:]))
                        break
                    if letter != "o":
                        if letter in _SET_LETTERS:
                            changes.append(("set", value[0] == "-", _SET_LETTERS[letter]))
                        if letter in ZSH_CD_LETTERS:
                            # zsh's set, whichever shell reads the line: `set -T` is bash's
                            # functrace and zsh's cdable_vars (attack e14f, finding 10)
                            changes.append(("set", value[0] == "-", ZSH_CD_LETTERS[letter]))
                        continue
                    argument = _at(words, index)
                    if argument is None:
                        continue  # `set -o` lists the options
                    if argument.value is None:
                        self._unknown(site, [argument], "options of set known only at run time")
                        return True
                    changes.append(("set", value[0] == "-", argument.value))
                    index += 1
        self._options(changes, site)
        return True

    def _options(self, changes: list[tuple[str, bool, str]], site: _Site) -> None:
        """Options a command turns on or off, ("set" or "shopt", on, long name), however they
        were spelled (`set +eo history`, `shopt -uo history`, `bash +o history`). Each is also
        judged as one `set -o NAME` / `set +o NAME` or `shopt -s NAME` / `shopt -u NAME`, so a
        rule names it in one spelling. Those that change how later text is read are unknown."""
        for kind, on, option in changes:
            flag = ("-o" if on else "+o") if kind == "set" else ("-s" if on else "-u")
            self.commands.append(SimpleCommand(kind, (kind, flag, option), site.text,
                                               wrappers=site.wrappers))
            if on and kind == "set" and option == "keyword":
                self._unknown(site, [], "set -k makes words after a command assignments (set -o "
                                        "keyword)")
            elif not on and option in ("interactive-comments", "interactive_comments"):
                self._unknown(site, [], _COMMENTS_OFF)
            elif not on and kind == "set" and option in ("emacs", "vi"):
                self._unknown(site, [], _EDITING_OFF, terminal=True)
            elif on and kind == "set" and option == "histexpand":
                self._histexpand = True  # `!` in code read later on the line (`finish`)
            elif on and kind == "shopt" and option == "cdable_vars":
                self._cdable_vars = True
            elif on != _negated(option) and option_name(option) in CD_GUESSES:
                self._unknown(site, [], f"{kind} {flag} {option}: cd (or a directory's bare name) "
                                        "may go to a directory other than the one the line names")


# zsh's options array named as a builtin's operand, or attached to its option (`-voptions`).
_OPTIONS_ARRAY = re.compile(r"(-[A-Za-z]*)?options(\[.*)?", re.S)


def _negated(option: str) -> bool:
    """zsh's `no` spelling of an option turns it off when set and on when unset
    (`set +o noautocd` is `set -o autocd`: attack f15f, finding 8)."""
    name = option.lower().replace("_", "")
    return name.startswith("no") and name[2:] in CD_GUESSES


# found after outside attack a36i (finding 2): an alias whose value is not plain words of a
# simple command (a reserved word, an operator, a redirection) ends or opens a statement the
# gate and the shells it asks read otherwise.
_RESERVED = frozenset({"if", "then", "else", "elif", "fi", "case", "esac", "for", "select",
                       "while", "until", "do", "done", "in", "function", "time", "coproc",
                       "{", "}", "[[", "]]", "!"})
_OPERATOR_CHARS = frozenset(";&|()<>\n")


def _alias_shape(value: str) -> str | None:
    """What in an alias's value is not a plain word of a simple command (an unquoted
    operator character, a first word that is a reserved word: bash reads none after it, as
    in `alias x='echo fi'`); None for plain words."""
    word, plain, quote, i, first = "", True, "", 0, True
    while i <= len(value):
        c = value[i] if i < len(value) else " "
        if quote:
            if c == quote or i == len(value):
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
            i += 1
            continue
        if c in " \t" or c in _OPERATOR_CHARS:
            if first and plain and word in _RESERVED:
                return f"the reserved word {word}"
            if c in _OPERATOR_CHARS:
                return "an operator" if c != "\n" else "a newline"
            first = first and not (word or not plain)
            word, plain = "", True
        elif c in "'\"":
            quote, plain = c, False
        elif c == "\\":
            if i + 1 == len(value):  # it escapes what bash reads after the alias (attack c38i 1)
                return "a backslash at its end, which joins the next line or character to it"
            plain = False
            i += 1
        else:
            word += c
        i += 1
    return None
