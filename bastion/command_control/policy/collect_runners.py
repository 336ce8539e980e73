"""The collector's handlers for programs that run code: git, busybox, shells and interpreters.

Methods of `_Collector` (collect.py): git (`-C`, `-c`, the commands its subcommands run, `ext::`
transports), busybox, a shell started with its options, script or code (`_shell`), a program
read from a file, `at`, a program an option names (`_program_option`), the user's shell started
with no command, and a program read from standard input (`_stdin_code`); interpreters are
collect_interpreters.py's."""

from __future__ import annotations

import itertools
import re
import shlex

from bastion.command_control.policy.builtins import _EDITING_OFF, _TERMINAL_AWAY
from bastion.command_control.policy.git_options import _git_short_code, ext_argv, git_strategy
from bastion.command_control.policy.git_places import git_code_places
from bastion.command_control.policy.options import _long_option, _opens_unknown, _scan_options
from bastion.command_control.policy.paths import PathArg, _descriptor_file
from bastion.command_control.policy.program_writes import _git_config_setting
from bastion.command_control.policy.programs import (
    _GIT_CODE,
    _GIT_COMMANDS,
    _GIT_PLAIN_SETTINGS,
    _GIT_SUBCOMMAND_CODE,
)
from bastion.command_control.policy.readers import _cluster_letter, _code_in_cluster, _reads_input
from bastion.command_control.policy.reruns import CD_GUESSES, ZSH_CD_LETTERS, option_name
from bastion.command_control.policy.shells import (
    _BASH_GRAMMAR,
    _BASH_LONG_SHELLS,
    _CODE_LETTERS,
    _ELVISH_VALUES,
    _NO_NOEXEC_LETTER,
    _PROGRAM_FAMILY,
    _PROGRAM_OPTIONS,
    BASH_LONG_OPTIONS,
    shell_name,
)
from bastion.command_control.policy.variables import _SET_LETTERS
from bastion.command_control.policy.words import SimpleCommand, _at, _Site, _Streams, _Word, may_be_option
from bastion.command_control.policy.wrappers import _AT, _KEEP, _SHELL_ARGUMENTS, _SHELL_LONG_ARGUMENTS

_RUN_TIME_OPTION = "a word known only at run time where the shell may take an option (-c, -s)"
# Variables naming the folders git reads its user's settings from (GIT_CONFIG_GLOBAL and the
# rest of git's own are unknown wherever they are set: `_HOOKS`).
_GIT_HOMES = ("HOME", "XDG_CONFIG_HOME")
# Programs the shipped policy alerts on by name when they start a shell (alert-su,
# alert-sudo-shell...): the nested shell is theirs to name.
_OWN_SHELL_RULES = frozenset({"su", "runuser", "sudo", "doas", "pkexec", "sg", "newgrp"})
_PATTERN_OPTION = "a pattern where an option may stand: pathname expansion may make it one"
# credential helpers git ships, run as git-credential-NAME: `store` writes ~/.git-credentials.
_GIT_PLAIN_HELPER = re.compile(r"|store|cache|cache --timeout=[0-9]+")


def _plain_credential(key: str, value: str, from_environment: bool) -> bool:
    """Whether a credential.* setting (lower case) names no program: anything but a helper, or
    a helper git ships (`store --file=F` writes F, any other name runs a program)."""
    if not key.startswith("credential."):
        return False
    if key != "credential.helper" and not key.endswith(".helper"):
        return True
    return not from_environment and _GIT_PLAIN_HELPER.fullmatch(value) is not None


class _Runners:
    """Part of `_Collector` (collect.py): its handlers for programs that run code: git, busybox, shells
    and interpreters."""

    _git_places: list[PathArg] | None = None  # where git's configured code runs (c38f, 18)

    def _git(self, name: str, words: list[_Word], site: _Site) -> bool:
        """git: `-C DIR` (each relative to the one before) runs it in DIR, where its paths are
        judged from; `-c NAME=VALUE` sets a variable git may run as a shell command (`_GIT_CODE`:
        `alias.x=!cmd`, core.sshCommand, core.pager...): its value is judged as code, and
        core.hooksPath (hooks from a folder) and any setting outside `_GIT_PLAIN_SETTINGS` are
        unknown. The same through --config-env, whose value is an environment variable's:
        unknown. A command git does not ship is an alias: one set on the line is judged as
        what it expands to (`_git_alias`), any other is unknown."""
        index, folder = 1, _KEEP
        aliases: dict[str, tuple[str | None, list[int]]] = {}
        saved, self._git_places = self._git_places, git_code_places(  # (c38f, 18)
            [w.value for w in words], self._values, self._dirs)
        try:
            return self._git_read(name, words, site, index, folder, aliases)
        finally:
            self._git_places = saved

    def _git_read(self, name: str, words: list[_Word], site: _Site, index: int, folder: object,
                  aliases: dict[str, tuple[str | None, list[int]]]) -> bool:
        while index < len(words):
            value = words[index].value
            argument = _at(words, index + 1)
            if value in ("-C", "-c") and argument is None:
                break
            if value == "-C":
                assert argument is not None
                if folder is _KEEP or (argument.value or "").startswith("/") or \
                        argument.value is None or folder is None:
                    folder = argument if argument.value is not None else None
                else:
                    folder = _Word(f"{folder.value}/{argument.value}", argument.text)
                index += 2
            elif value == "-c" or (value or "").startswith("--config-env="):
                setting = argument if value == "-c" else words[index]
                self._git_setting(setting, value != "-c", words, site)
                width = 2 if value == "-c" else 1
                self._git_alias_set(aliases, setting, value != "-c", range(index, index + width))
                index += width
            elif value == "--config-env":
                # `--config-env NAME=ENV` (attack G, finding 4): the space form of the above.
                self._git_setting(None if argument is None or argument.value is None else _Word(
                    f"--config-env={argument.value}", argument.text), True, words, site)
                self._git_alias_set(aliases, argument, True, range(index, index + 2))
                index += 2
            elif value in ("--git-dir", "--work-tree", "--namespace"):
                if value == "--git-dir":
                    self._unknown(site, words, "a git repository named on the line: its hooks and "
                                  "settings run unseen")
                index += 2
            elif value is not None and value.startswith(("--git-dir=", "--exec-path=")):
                # GIT_DIR's and GIT_EXEC_PATH's option forms (attack O, finding 11): another
                # repository's hooks and settings, or git's helper programs from a folder.
                self._unknown(site, words, "git hooks, settings or programs from a folder")
                index += 1
            elif value is not None and value.startswith("-"):
                index += 1
            else:
                break
        moved = [v for v in _GIT_HOMES if v in self._values]
        if moved:
            # `HOME=/tmp/h git status` reads /tmp/h/.gitconfig: settings, code among them.
            self._unknown(site, words, f"git settings read from a file under {moved[0]}")
        verb = words[index].value if index < len(words) else None
        if verb is not None and verb not in _GIT_COMMANDS:
            # git runs a command it ships before an alias of that name (attack O, finding 3).
            self._git_alias(aliases.get(verb.lower()), words, index, site)
            return True
        if verb == "for-each-repo":
            # It runs `git ARGS` in each folder a setting lists: folders the line does not name.
            self._unknown(site, words, "a git command run in folders a setting names")
        stored = _git_config_setting(words[index:])
        if stored is not None:
            # `git config alias.z '!cmd' && git z`: a setting git runs later, perhaps on this
            # very line, is judged as `-c` judges it (attack E); an alias to a git command line
            # as that line (`-c core.pager=cmd log` runs cmd).
            key, _, value = (stored.value or "").partition("=")
            if key.lower().startswith("alias.") and stored.value is not None and \
                    not value.startswith("!"):
                self._git_alias((value, []), words[:1], 1, site)
            else:
                self._git_setting(stored, False, words, site)
        if folder is _KEEP:
            self._git_code(words[index:], words, site)
            return False
        tops = [p for p in self._git_places or () if p.kind != "unknown" and p.text != "/"] or None
        self._elsewhere(tops, lambda: self._git_code(words[index:], words, site))  # (c38f, 18)
        return self._elsewhere(folder, lambda: self._plain(name, words, site) or True)

    def _git_dashed(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`/usr/lib/git-core/git-log ARGS` is `git log ARGS` (attack O): judged as that."""
        return self._inner([_Word("git", words[0].text), _Word(name[4:], name[4:]), *words[1:]],
                           site, name)

    @staticmethod
    def _git_alias_set(aliases: dict[str, tuple[str | None, list[int]]], setting: _Word | None,
                       from_environment: bool, place: range) -> None:
        """Note an alias `-c alias.NAME=VALUE` (or --config-env's, whose value is unknown) set
        by the words at `place`: the last one given wins, as in git."""
        if setting is None or setting.value is None:
            return
        text = setting.value.removeprefix("--config-env=")
        key, _, value = text.partition("=")
        section, _, alias = key.partition(".")
        if section.lower() == "alias" and alias:
            places = aliases.get(alias.lower(), (None, []))[1]
            aliases[alias.lower()] = (None if from_environment else value, [*places, *place])

    def _git_alias(self, alias: tuple[str | None, list[int]] | None, words: list[_Word], index: int,
                   site: _Site) -> None:
        """Judge `git [options] ALIAS ARGS` as what git runs for it: `!CMD` runs `CMD ARGS` in a
        shell; any other value is split as git splits it and run as `git [options] VALUE ARGS`,
        without that alias (git stops at a loop). No alias set on the line: unknown, since one
        stored in a settings file the policy cannot read may be anything."""
        if alias is None:
            self._unknown(site, words, "a git command git does not ship: an alias stored elsewhere "
                          "or a program on the PATH")
            return
        value, places = alias
        rest = words[index + 1:]
        if value is None or any(w.value is None for w in rest):
            self._unknown(site, words, "a git alias known only at run time")
        elif value.startswith("!"):
            code = " ".join([value[1:], *(shlex.quote(w.value or "") for w in rest)])
            self._elsewhere(self._git_places, lambda: self._code(code, site, "git"))  # (`_git_setting`)
        else:
            try:
                expansion = [_Word(part, shlex.quote(part)) for part in shlex.split(value)]
            except ValueError:
                self._unknown(site, words, "a git alias git cannot split")
                return
            kept = [w for i, w in enumerate(words[:index]) if i not in places]
            self._inner([*kept, *expansion, *rest], site, "git")

    def _git_code(self, sub: list[_Word], words: list[_Word], site: _Site) -> None:
        """Commands a git subcommand runs from its own words (attack G, finding 4): the
        transport's program (`--upload-pack`, `--receive-pack`, `--exec`, `clone -u`), an
        `ext::CMD` remote, `grep -O CMD`, `rebase -x CMD`, `difftool -x CMD`, `bisect run CMD`,
        `submodule foreach CMD`, filter-branch's filters, send-email's commands, `clone -c`
        settings. git takes any start of a long option's name (`--upload-p`)."""
        if not sub:
            return
        verb = sub[0].value
        for word in sub[1:]:
            if word.value is not None and "ext::" in word.value and verb not in (
                    "commit", "log", "grep", "show", "tag", "notes"):
                self._git_ext(word.value, words, site)
        if verb is None:
            self._unknown(site, words, "a git subcommand known only at run time")
            return
        if verb == "remote-ext":
            if not self._joined_code(sub[2:3], site, "git"):
                self._unknown(site, words, "git remote-ext runs a command")
            return
        if verb == "bisect" and _at(sub, 1) is not None and sub[1].value == "run":
            self._inner(sub[2:], site, "git")
            return
        if verb == "submodule":
            rest = [w for w in sub[1:] if w.value not in ("--quiet", "-q")]
            if rest and rest[0].value == "foreach":
                code = [w for w in rest[1:] if w.value != "--recursive"]
                if code:
                    self._joined_code(code, site, "git")
            return
        strategy = git_strategy(sub)
        if strategy is not None:
            self._unknown(site, words, f"git {verb}'s merge strategy "
                                       f"{strategy!r} (a program unless a built-in) may be the "
                                       "program git-merge-NAME from PATH")
        options = _GIT_SUBCOMMAND_CODE.get(verb)
        if options is None:
            return
        long_names, short_names, settings = options
        index = 1
        while index < len(sub):
            value = sub[index].value
            following = _at(sub, index + 1)
            if value is None or value == "--":
                break
            head, has_value, attached = value.partition("=")
            if head.startswith("--") and len(head) > 2 and any(n.startswith(head)
                                                                 for n in long_names):
                code = _Word(attached, attached) if has_value else following
                self._code(code, site, "git")
                index += 1 if has_value else 2
                continue
            found = _git_short_code(verb, value, following)
            if found is not None:  # `rebase -qx CMD`, `clone -qc KEY=VALUE` (attack W)
                kind, given, taken = found
                if kind == "code":
                    self._code(given, site, "git")
                else:
                    self._git_setting(given, False, words, site)
                index += 1 + taken
                continue
            # a code letter anywhere in a cluster (`instaweb -ld CMD`: attack j19f, F1's class)
            in_cluster = _code_in_cluster(value, short_names, "pmo") if short_names else None
            if in_cluster is not None:
                if in_cluster:
                    self._code(in_cluster, site, "git")
                elif not value.endswith("O"):  # grep -O alone: the configured pager
                    self._code(following, site, "git")
                    index += 1
            elif settings and len(head) > 2 and "--config".startswith(head):
                self._git_setting(_Word(attached, attached) if has_value else following, False,
                                  words, site)
                index += 0 if has_value else 1
            elif settings and len(head) > 2 and "--template".startswith(head):
                self._unknown(site, words, "git hooks from a template folder")
            index += 1

    def _git_ext(self, value: str, words: list[_Word], site: _Site) -> None:
        """`ext::CMD ARGS`: git runs CMD with protocol.ext.allow, its words split as
        git-remote-ext splits them (`ext_argv`): judged as that argv."""
        argvs = ext_argv(value[value.index("ext::") + 5:])
        if argvs is None:
            self._unknown(site, words, "a git ext:: remote with % escapes git does not pass on")
            return
        for argv in argvs:
            if argv:
                self._code(shlex.join(argv), site, "git")

    def _git_setting(self, setting: _Word | None, from_environment: bool, words: list[_Word],
                     site: _Site) -> None:
        text = (setting.value or "") if setting is not None else ""
        if from_environment:
            text = text.partition("=")[2]
        key, _, value = text.partition("=")
        key = key.lower()
        if setting is None or setting.value is None:
            self._unknown(site, words, "a git setting known only at run time")
        elif "ext::" in key:
            self._unknown(site, words, "a git url rewritten to an ext:: remote, which runs a command")
        elif "ext::" in value and not from_environment:
            self._git_ext(value, words, site)
        elif key == "core.worktree":
            self._unknown(site, words, "a git work tree set elsewhere: later checkouts write there")
        elif key == "safe.directory" and (from_environment or "*" in value):
            # found after outside attack U: trusting every owner's repositories (`*`, `/srv/*`)
            # re-opens settings another user wrote there, whose hooks and fsmonitor run code.
            self._unknown(site, words, "git told to trust repositories whatever their owner")
        elif key == "core.hookspath":
            self._unknown(site, words, "git hooks from a folder, whose scripts run unseen")
        elif key == "include.path" or (key.startswith("includeif.") and key.endswith(".path")):
            # More settings from a file, code among them (attack M, finding 10).
            self._unknown(site, words, "git settings read from a file, which may set code")
        elif _GIT_CODE.fullmatch(key) and (value.startswith("!") or not key.startswith(
                ("alias.", "credential."))):
            if from_environment:
                self._unknown(site, words, f"git runs {key} from an environment variable")
            else:
                # git runs it in the repository's top folder, some folder above the line's
                # (`cd /etc/ssh && git -c core.pager='tee sudoers.d/x' log` in etckeeper's
                # /etc writes /etc/sudoers.d/x): its relative paths are known only at run time.
                self._elsewhere(self._git_places, lambda: self._code(value[1:] if value.startswith("!")
                                                         else value, site, "git"))
        elif key.startswith("alias.") and key.count(".") == 1:
            pass  # a git command line, judged where it is used (`_git_alias`) or stored
        elif not _GIT_PLAIN_SETTINGS.fullmatch(key) and not _plain_credential(key, value,
                                                                             from_environment):
            self._unknown(site, words, "a git setting not known to be free of commands and files")

    def _run_parts(self, name: str, words: list[_Word], site: _Site) -> bool:
        """run-parts runs every program in a directory whose name its --regex takes: what runs
        is named by the directory's contents, not the line (`run-parts --regex '^tmux$'
        /usr/bin`: attack N, finding 4). `--test` and `--list` only print the names."""
        self._plain(name, words, site)
        if not any(w.value in ("--test", "--list") for w in words[1:]):
            self._unknown(site, words, f"{name} runs the programs a directory holds, named only "
                                       "at run time")
        return True

    def _busybox(self, name: str, words: list[_Word], site: _Site) -> bool:
        applet = _at(words, 1)
        if applet is None or (applet.value or "").startswith("-"):
            return False
        return self._inner(words[1:], site, name)

    def _shell(self, name: str, words: list[_Word], site: _Site) -> bool:
        shell = shell_name(name) or name
        if shell == "elvish":
            return self._elvish(name, words, site)
        index, code_flag, stdin_flag, noexec, interactive = 1, False, False, False, False
        changes: list[tuple[str, bool, str]] = []
        init: list[_Word] = []  # fish -C / --init-command: code run before anything else
        scripts: list[_Word] = []  # --rcfile FILE: a file read as code before anything else
        short_seen = False
        while index < len(words):
            value = words[index].value
            if may_be_option(words[index]):
                self._unknown(site, words, _PATTERN_OPTION)
                return True
            if value is None:
                if not code_flag and _opens_unknown(words[index].text):
                    # `bash $(printf -- -c) CMD`, `bash ${x:--c} CMD`, `bash "$@"`: -c itself
                    # (k20f, 16); still read as a script file too (it may be /dev/stdin)
                    self._unknown(site, words, _RUN_TIME_OPTION)
                break
            if value in ("-", "--"):
                stdin_flag = stdin_flag or value == "-"
                index += 1
                break
            if shell in _BASH_LONG_SHELLS and not short_seen and value[1:] in BASH_LONG_OPTIONS \
                    and value[:1] == "-":
                # bash takes each of its long options with one dash too (`bash -norc`, read as
                # `-n -o rc...` it looked like a syntax check: attack f15f, finding 1), but only
                # before its first short option; sh may be bash.
                value = "-" + value
            if value.startswith("--"):
                option, has_value, attached = value.partition("=")
                argument = _Word(attached, attached) if has_value else _at(words, index + 1)
                if option in ("--command", "--init-command", "--commands", "--execute") and \
                        argument is not None:
                    init.append(argument)
                elif option in ("--rcfile", "--init-file", "--config", "--env-config", "--rc") \
                        and argument is not None:
                    scripts.append(argument)
                noexec = noexec or option == "--no-execute"
                if shell == "zsh" and option_name(option[2:].replace("-", "")) in CD_GUESSES:
                    # `zsh --auto-cd` (attack c12f, finding 8)
                    changes.append(("set", True, option_name(option[2:].replace("-", ""))))
                if option == "--noediting":
                    self._unknown(site, words, _EDITING_OFF, terminal=True)
                if shell in _BASH_LONG_SHELLS and option == "--wordexp":
                    code_flag = True  # the operand is expanded: its command substitutions run
                takes = option in _SHELL_LONG_ARGUMENTS and not has_value
                index += 2 if takes else 1
                continue
            if value[:1] in ("-", "+"):
                short_seen = True
                # A lone `+` is an empty option word, not the script file: bash and dash read
                # stdin after it (`bash +`, `sh + -`: attack e14f, finding 1).
                letters = value[1:]
                on = value[0] == "-"
                # bash and dash take `c` in either sign (`bash +c CODE`: attack i18f, finding 2)
                code_flag = code_flag or ("c" in letters and shell not in _CODE_LETTERS)
                stdin_flag = stdin_flag or "s" in letters
                takes = _SHELL_ARGUMENTS.get(shell, "oO")
                if on:
                    argument = _at(words, index + 1)
                    noexec = noexec or ("n" in letters and shell not in _NO_NOEXEC_LETTER) or (
                        "o" in letters and argument is not None and argument.value == "noexec")
                    interactive = interactive or "i" in letters
                if on and set(letters) & set(_CODE_LETTERS.get(shell, "")):
                    if (argument := _at(words, index + 1)) is not None:
                        init.append(argument)
                taken = 0
                for letter in letters:
                    if letter in takes:
                        taken += 1
                        argument = _at(words, index + taken)
                        if shell in _BASH_GRAMMAR and letter in "oO" and argument is not None \
                                and argument.value is not None:
                            changes.append(("set" if letter == "o" else "shopt", on,
                                            argument.value))
                        elif shell == "zsh" and letter == "o" and argument is not None and (
                                argument.value is None or option_name(argument.value) in CD_GUESSES):
                            changes.append(("set", on, argument.value or "autocd"))
                    elif shell in _BASH_GRAMMAR and letter in _SET_LETTERS:
                        changes.append(("set", on, _SET_LETTERS[letter]))
                    elif shell == "zsh" and letter in ZSH_CD_LETTERS:  # `zsh -J` (c12f, finding 8)
                        changes.append(("set", on, ZSH_CD_LETTERS[letter]))
                index += 1 + taken
                continue
            break
        # `bash +o history`: the shell starts with the options set as `set` would set them.
        self._options(changes, site)
        rest = words[index:]
        if noexec and not interactive and (code_flag or rest or site.stdin != "tty"):
            # `bash -n` reads code and runs none of it (a syntax check); an interactive shell
            # (-i, or a terminal on stdin with nothing else to read) ignores -n.
            self._plain(name, words, site)
            return True
        for script in scripts:
            self._program_file(name, script, words, site, "a shell")
        for code in init:
            self._code(code, site, name)
        if code_flag:
            if rest:
                return self._code(rest[0], site, name)
            return self._code(None, site, name) if site.dynamic else bool(scripts)
        if init:
            return True
        if rest and not stdin_flag:
            return self._program_file(name, rest[0], words, site, "a shell") or bool(scripts)
        return self._stdin_code(name, words, site, "a shell")

    def _elvish(self, name: str, words: list[_Word], site: _Site) -> bool:
        """elvish's flags are Go's (attack M, finding 11: `elvish -norc` is one flag, not `-n`):
        `-c` takes its first operand as code (not read: another grammar), `-compileonly` runs
        nothing, `-rc FILE` is read as code; with no operand (or `-`) it reads its program from
        stdin."""
        code_flag = False
        index = 1
        while index < len(words):
            value = words[index].value
            if may_be_option(words[index]):  # `elvish ?c CMD` (attack k20f, finding 6)
                self._unknown(site, words, _PATTERN_OPTION)
                return True
            if value is None and not code_flag and _opens_unknown(words[index].text):
                self._unknown(site, words, _RUN_TIME_OPTION)  # `elvish $x CODE` (k20f, 15)
            if value is None or value == "-" or not value.startswith("-"):
                break
            index += 1
            if value == "--":
                break
            flag, has_value, attached = value.lstrip("-").partition("=")
            argument = _Word(attached, attached) if has_value else _at(words, index)
            if flag in _ELVISH_VALUES and not has_value:
                index += 1
            if flag in ("compileonly", "version", "help", "buildinfo") and attached in ("", "true"):
                self._plain(name, words, site)
                return True
            if flag == "rc" and argument is not None:
                self._program_file(name, argument, words, site, "a shell")
            code_flag = code_flag or (flag == "c" and attached in ("", "true"))
        rest = words[index:]
        if code_flag:
            return self._code(rest[0] if rest else None, site, name)
        if rest and rest[0].value != "-":
            return self._program_file(name, rest[0], words, site, "a shell")
        return self._stdin_code(name, words, site, "a shell")

    def _program_file(self, name: str, script: _Word, words: list[_Word], site: _Site,
                      what: str) -> bool:
        """A program read from the file `script` names. An ordinary file is not judged (README:
        scripts written then run): False. A file that is one of the line's descriptors
        (`/dev/stdin`, `/dev/fd/3` after `3<&0`, `/proc/self/fd/0`, `/dev/fd/$n`: known only
        at run time) is judged as what that descriptor reads (`_stdin_code`)."""
        origin, here = self._file_origin(script, _Streams(site, {}))
        if origin in ("file", "null"):
            return False
        return self._stdin_code(name, words, site._replace(stdin=origin, here=here), what)

    def _at_job(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _AT, patterns=True)
        found = {option: argument for option, argument in scanned[1]} if scanned is not None else {}
        if "-f" in found:
            # found after outside attack K (finding 6): `at -f /dev/stdin` (`/dev/fd/0`, `-`)
            # reads the job from stdin as `at` alone does; `at -f FILE` reads a script from a
            # file, not judged as `sh FILE` is not (README: scripts written then run).
            script = found["-f"]
            if script is None:
                return self._stdin_code(name, words, site, "a shell")
            if script.value == "-":
                return self._stdin_code(name, words, site, "a shell")
            return self._program_file(name, script, words, site, "a shell")
        if found.keys() & {"-l", "-r", "-d", "-c"}:
            return False
        return self._stdin_code(name, words, site, "a shell")

    def _crontab(self, name: str, words: list[_Word], site: _Site) -> bool:
        """crontab installs the table it reads, whose jobs cron runs later, never judged: a
        table read from stdin (`crontab -`, `crontab` with no file, `crontab /dev/stdin`) is a
        program read from stdin (attack M, finding 11), as `at`'s job is; one from a file is a
        script file (README)."""
        if _reads_input(name, words):
            return self._stdin_code(name, words, site, "an interpreter")
        # The table's file: an operand (not the user of `-u USER`) that opens a descriptor.
        table = [word for before, word in itertools.pairwise(words)
                 if before.value != "-u" and (word.value is None or (
                     not word.value.startswith("-") and _descriptor_file(word.value) is not None))]
        return self._program_file(name, table[-1], words, site, "an interpreter") if table else False

    def _program_option(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A program whose program (a sed or awk script, a makefile) an option names:
        `sed -f -`, `sed -nf-`, `--file=/dev/stdin`, `make -f -`, `gawk -E /dev/fd/0` read it
        from stdin (attack I, finding 3), judged as an interpreter reading its program there
        (`_stdin_code`); the command itself is judged as well (`sed -i`'s files). False when
        every program named is an ordinary file."""
        shorts, longs, others = _PROGRAM_OPTIONS[_PROGRAM_FAMILY.get(name, name)]
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None or value == "--":
                break  # a word known only at run time: judged as the command's (unknown)
            following = _at(words, index + 1)
            program: _Word | None = None
            if value.startswith("--") and len(value) > 2:
                head, has_value, rest = value.partition("=")
                if _long_option(head, longs) in longs:
                    program = _Word(rest, rest) if has_value else following
            elif value.startswith("-") and len(value) > 1:
                letter, rest = _cluster_letter(value, tuple(f"-{c}" for c in shorts), others)
                if letter is not None:
                    program = _Word(rest, rest) if rest else following
            if program is None:
                continue
            if program.value == "-":
                origin, here = site.stdin, site.here
            else:
                origin, here = self._file_origin(program, _Streams(site, {}))
                if origin in ("file", "null"):
                    continue
            self._stdin_code(name, words, site._replace(stdin=origin, here=here), "an interpreter")
            if origin not in ("tty", "unknown"):
                self._plain(name, words, site)  # `| sed -f - -i /etc/shadow` writes shadow
            return True
        return False

    def _user_shell(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`su`, `sudo -s`, `script`, `chroot DIR` with no command start the user's shell,
        which reads its commands from the line's stdin. On a terminal it is a nested shell, as
        `bash` is (`chroot /` with no alert: attack i18f): judged as `sh` too."""
        if site.stdin in ("tty", "unknown") and name not in _OWN_SHELL_RULES:
            self.commands.append(SimpleCommand("sh", ("sh",), site.text,
                                               wrappers=(*site.wrappers, name)))
        return self._stdin_code(name, words, site, "a shell", fed="sh")

    def _stdin_code(self, name: str, words: list[_Word], site: _Site, what: str,
                    fed: str | None = None, label: str | None = None) -> bool:
        """A shell or interpreter reading its program from standard input, whose origin is
        `site.stdin`. On the line's own stdin the command is marked `reads_stdin` (named
        `label` rather than `name` when given), so that an exec channel's stdin is gated."""
        origin = site.stdin
        if origin == "pipe":
            self._unknown(site, words, f"piped into {what} {name}")
            # The pseudo-command "|" (argument: the program fed) lets a rule name this case,
            # a shell by its family (bash5.2 is "bash"; the user's shell started by su is "sh").
            fed = fed or shell_name(name) or name
            self.commands.append(SimpleCommand(name="|", argv=("|", fed), text=site.text,
                                               wrappers=site.wrappers))
        elif origin == "procsub":
            self._unknown(site, words, f"{name} reads a process substitution")
        elif origin == "opaque":
            self._unknown(site, words, f"{name} reads a file known only at run time, which may "
                                       "be text fed to the line")
        elif origin == "here" and what == "a shell":
            return self._code(site.here, site, name)
        elif origin == "here":
            # `python3 <<< 'code'` (attack G, finding 2): text fed to an interpreter, as `|` is.
            self._unknown(site, words, f"a here-document fed to {what} {name}")
            self.commands.append(SimpleCommand(name="|", argv=("|", fed or name), text=site.text,
                                               wrappers=site.wrappers))
        elif origin in ("tty", "unknown"):
            reads = "shell" if what == "a shell" else "interpreter"
            stderr = next((o for fd, o, _ in site.fds if fd == 2), "tty")
            if what == "a shell" and stderr != "tty":
                # `bash 2>/dev/null`: an interactive shell drawing its line where nobody sees it
                # (or, with no terminal on stderr, a shell reading typed lines as a script).
                self._unknown(site, words, _TERMINAL_AWAY, terminal=True)
            if label is None:
                self._plain(name, words, site, reads_stdin=reads)
            else:
                argv = tuple(w.value if w.value is not None else w.text for w in words)
                self.commands.append(SimpleCommand(label, argv, site.text, wrappers=site.wrappers,
                                                   reads_stdin=reads))
        else:
            return False
        return True
