"""Programs that run code named in their own options or settings: git's settings and
subcommand options whose value is a command (`_GIT_CODE`, `_GIT_SUBCOMMAND_CODE`), gdb's command
options and settings, ssh's command options (`_connection_code`), su's shell and login
(`_su_shell`, `_su_login`), and the directory a wrapper runs its command in
(`_wrapper_directory`)."""

from __future__ import annotations

import re
import shlex
from typing import Any

from bastion.command_control.policy.options import _long_option
from bastion.command_control.policy.paths import PathArg, _place
from bastion.command_control.policy.splitters import posix_words, rsync_words, split_reading
from bastion.command_control.policy.words import _at, _Word
from bastion.command_control.policy.wrappers import _CHANGES_DIRECTORY, _KEEP, _RUNUSER

# A pattern character pathname expansion reads (an option value that may name another).
_GLOBBED = re.compile(r"[*?[]")
# git settings (lower case) whose value git runs as a shell command (aliases and credential
# helpers only when they start with "!").
_GIT_CODE = re.compile(
    r"alias\..+|credential\.(.+\.)?helper|core\.(sshcommand|pager|editor|askpass|fsmonitor"
    r"|gitproxy)|sequence\.editor|diff\.external|diff\..+\.(command|textconv)|merge\..+\.driver"
    r"|filter\..+\.(clean|smudge|process)|gpg\.(.+\.)?program|pager\..+|web\.browser"
    r"|(difftool|mergetool|browser)\..+\.cmd|interactive\.difffilter|uploadpack\.packobjectshook"
    r"|remote\..+\.(uploadpack|receivepack)|imap\.tunnel|ssh\.variant"
)


# found after outside attack O (finding 4): the git settings a line may set (`-c`, --config-env,
# `git config KEY VALUE`, `clone -c`) without being judged, lower case: each holds a name, a
# colour, a number or a switch, never a command, a program, or a file git reads settings, hooks
# or code from. Any other key is unknown; those in _GIT_CODE are judged as code. An allowlist:
# git grows settings that run commands (`trailer.*.command`, `gpg.ssh.defaultKeyCommand`,
# `core.alternateRefsCommand`, `man.*.cmd`...) faster than a list of them can follow.
_GIT_PLAIN_SETTINGS = re.compile(
    r"(user|author|committer)\.(name|email)|color\..+|advice\..+|init\.defaultbranch|safe\.directory"
    r"|core\.(quotepath|autocrlf|safecrlf|eol|filemode|ignorecase|precomposeunicode|abbrev"
    r"|untrackedcache|preloadindex|logallrefupdates|compression|loosecompression|bigfilethreshold"
    r"|whitespace|checkstat|trustctime|symlinks|commentchar|sparsecheckout)"
    r"|pull\.(rebase|ff)|push\.(default|autosetupremote|followtags)|fetch\.(prune|prunetags|parallel)"
    r"|rebase\.(autostash|autosquash|updaterefs|stat)|merge\.(ff|conflictstyle|log|stat|renames)"
    r"|diff\.(renames|algorithm|colormoved|noprefix|mnemonicprefix|relative|context|indentheuristic)"
    r"|log\.(decorate|abbrevcommit|date|follow|showroot)|status\.(short|branch|showuntrackedfiles"
    r"|showstash|relativepaths|aheadbehind|renames)|branch\.(autosetupmerge|autosetuprebase|sort)"
    r"|tag\.sort|column\.(ui|branch|status|tag)|gc\.(auto|autodetach)|http\.(sslverify|postbuffer"
    r"|version)|i18n\.(commitencoding|logoutputencoding)|feature\.(manyfiles|experimental)"
    r"|protocol\.version|(transfer|fetch|receive)\.fsckobjects|index\.(version|threads)|pack\.threads"
    r"|grep\.(linenumber|patterntype|extendedregexp|fullname|column)|blame\.date|commit\.(verbose"
    r"|cleanup)"
)

# The commands git ships (`git --list-cmds=main,nohelpers` of 2.39, and those added since or
# packaged apart): any other word where git expects one may be an alias stored in a settings
# file the policy does not see (`git config --global alias.co checkout`), or a git-NAME program
# on the PATH. git runs a command it ships before an alias of the same name.
_GIT_COMMANDS = frozenset("""
add am annotate apply archimport archive backfill bisect blame branch bugreport bundle cat-file
check-attr check-ignore check-mailmap check-ref-format checkout checkout-index cherry cherry-pick
citool clean clone column commit commit-graph commit-tree config count-objects credential
credential-cache credential-store cvsexportcommit cvsimport cvsserver daemon describe diagnose diff
diff-files diff-index diff-pairs diff-tree difftool fast-export fast-import fetch fetch-pack
filter-branch fmt-merge-msg for-each-ref for-each-repo format-patch fsck fsck-objects
fsmonitor--daemon gc get-tar-commit-id grep gui hash-object help hook http-backend http-fetch
http-push imap-send index-pack init init-db instaweb interpret-trailers last-modified log ls-files
ls-remote ls-tree mailinfo mailsplit maintenance merge merge-base merge-file merge-index
merge-octopus merge-one-file merge-ours merge-recursive merge-recursive-ours merge-recursive-theirs
merge-resolve merge-subtree merge-tree mergetool mktag mktree multi-pack-index mv name-rev notes
p4 pack-objects pack-redundant pack-refs patch-id pickaxe prune prune-packed pull push
quiltimport range-diff read-tree rebase receive-pack reflog refs remote remote-ext remote-fd
remote-ftp remote-ftps remote-http remote-https repack replace replay repo request-pull rerere
reset restore rev-list rev-parse revert rm send-email send-pack shell shortlog show show-branch
show-index show-ref sparse-checkout stage stash status stripspace submodule subtree svn switch
symbolic-ref tag unpack-file unpack-objects update-index update-ref update-server-info
upload-archive upload-pack var verify-commit verify-pack verify-tag version whatchanged worktree
write-tree
""".split())


# git subcommands' options whose value git runs (long names, short ones), and whether the
# subcommand takes `-c NAME=VALUE` settings of its own (clone): attack G, finding 4.
_GIT_TRANSPORT = ("--upload-pack", "--receive-pack", "--exec")
_GIT_SUBCOMMAND_CODE: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "clone": (_GIT_TRANSPORT, ("-u",), True), "ls-remote": (_GIT_TRANSPORT, ("-u",), False),
    "fetch": (_GIT_TRANSPORT, (), False), "pull": (_GIT_TRANSPORT, (), False),
    "push": (_GIT_TRANSPORT, (), False), "archive": (_GIT_TRANSPORT, (), False),
    "fetch-pack": (_GIT_TRANSPORT, (), False), "send-pack": (_GIT_TRANSPORT, (), False),
    "remote": (_GIT_TRANSPORT, (), False), "submodule": (_GIT_TRANSPORT, (), False),
    "grep": (("--open-files-in-pager",), ("-O",), False),
    "rebase": (("--exec",), ("-x",), False),
    "difftool": (("--extcmd",), ("-x",), False),
    "filter-branch": (("--setup", "--env-filter", "--tree-filter", "--index-filter", "--parent-filter",
                       "--msg-filter", "--commit-filter", "--tag-name-filter"), (), False),
    "send-email": (("--sendmail-cmd", "--smtp-server", "--to-cmd", "--cc-cmd", "--header-cmd"),
                   (), False),
    "instaweb": (("--httpd", "--browser"), ("-d", "-b"), False),
    "daemon": (("--access-hook",), (), False),  # attack W, finding 8
}  # fmt: skip


# gdb's options (one dash or two) that take a gdb command, a file of them, or another argument;
# the commands that only show, wait or stop; the settings `set` may change in them.
# (`-eiex`/`-early-init-eval-command` and `-eix`/`-early-init-command` run before the init
# files: attack a36f, finding 11.)
_GDB_COMMAND_OPTIONS = frozenset({"-ex", "-eval-command", "-iex", "-init-eval-command", "-eiex",
                                  "-early-init-eval-command"})
_GDB_FILE_OPTIONS = frozenset({"-x", "-command", "-ix", "-init-command", "-eix",
                               "-early-init-command"})
_GDB_ARGUMENT_OPTIONS = frozenset({"-p", "-pid", "-c", "-core", "-cd", "-d", "-directory", "-s",
                                   "-symbols", "-e", "-exec", "-se", "-tty", "-b", "-l", "-D",
                                   "-data-directory"})
_GDB_QUIET = frozenset({"bt", "backtrace", "where", "info", "i", "thread", "quit", "q", "set",
                        "show", "continue", "c", "detach", "kill", "generate-core-file", "gcore",
                        "frame", "f", "up", "down", "list", "l", "disassemble", "break", "b",
                        "tbreak", "delete", "d", "handle", "echo", "run", "r", "start"})
# What `frame`/`f` may take and stay quiet: a frame's number, or `level N`, `function NAME`,
# `address ADDR` (every other subcommand, `apply` above all, is unknown: attack j19f).
_GDB_FRAME_SELECT = re.compile(r"([0-9]+|(level|function|address)\s+[\w.:]+)?")
# found after outside attack S (finding 3): no setting that names a file gdb writes (`logging`,
# `history filename`, `trace-file`) or that turns on code (`auto-load`, `python`,
# `extension-language`, `debug-file-directory`, `data-directory`, `debuginfod` which fetches
# files): those are unknown. The settings kept only change what gdb shows and when it asks.
_GDB_SETTINGS = frozenset({"pagination", "confirm", "print", "height", "width", "style",
                           "verbose", "non-stop"})
# The quiet commands that write the file their argument names (a core dump: `gcore FILE`).
_GDB_FILE_WRITERS = frozenset({"generate-core-file", "gcore"})

# lldb's options (one dash or two) that take an lldb command or a file of them; its batch mode;
# the commands that only show, wait or stop (lldb's `platform shell`, `script`, `command
# source`, `expression` and the like may run code).
_LLDB_COMMAND_OPTIONS = frozenset({"-o", "--one-line", "-O", "--one-line-before-file", "-k",
                                   "--one-line-on-crash"})
_LLDB_FILE_OPTIONS = frozenset({"-s", "--source", "-S", "--source-before-file", "-K",
                                "--source-on-crash", "--source-quietly"})
_LLDB_ARGUMENT_OPTIONS = frozenset({"-p", "--attach-pid", "-n", "--attach-name", "-c", "--core",
                                    "-a", "--arch", "-l", "--script-language", "-f", "--file"})
_LLDB_BATCH = frozenset({"-b", "--batch"})
# (`breakpoint command add` and `target stop-hook add` attach commands, so neither is here.)
_LLDB_QUIET = re.compile(r"(bt|quit|q|continue|c|detach|process detach|version|thread (backtrace|list)"
                         r"|frame (variable|info)|register read|image list)(\s+[\w -]*)?")


def lldb_option(option: str) -> str:
    """An lldb option as its long spelling with two dashes: LLVM's OptTable reads every long
    option with one dash too (`-one-line CMD`, `-source F`: attack a36f, finding 11)."""
    return "-" + option if option[:1] == "-" and option[1:2] not in ("-", "") and len(option) > 2 \
        else option


def _debugger_batch(name: str, words: list[_Word]) -> bool:
    """Whether gdb or lldb runs in batch mode with commands given on the line (-ex, -x; -o, -s):
    it runs them and exits, reading no commands from its stdin. gdb 13 in batch mode reads none
    even with no commands given; that form runs nothing, so it counts as a reader (fail closed:
    a gdb that read them would run `shell` commands from a pipe, attack M finding 11)."""
    batch = commands = False
    for word in words[1:]:
        value = word.value or ""
        if value == "--" or (name == "gdb" and value == "--args"):
            break
        option = value.partition("=")[0]
        if name == "gdb":
            option = "-" + option.lstrip("-") if option.startswith("-") else option
            batch = batch or option in ("-batch", "-batch-silent")
            commands = commands or option in _GDB_COMMAND_OPTIONS | _GDB_FILE_OPTIONS
        else:
            option = lldb_option(option)
            batch = batch or option in _LLDB_BATCH
            commands = commands or option in _LLDB_COMMAND_OPTIONS | _LLDB_FILE_OPTIONS
    return batch and commands


def _gdb_directory(words: list[_Word]) -> Any:
    """The directory `gdb --cd=DIR` (`-cd DIR`, any number of dashes) runs in: a word, None
    when known only at run time, _KEEP without one."""
    folder: Any = _KEEP
    for index, word in enumerate(words[1:], start=1):
        value = word.value or ""
        option, has_value, attached = value.partition("=")
        if option.startswith("-") and option.lstrip("-") == "cd":
            argument = _Word(attached, word.text) if has_value else _at(words, index + 1)
            folder = argument if argument is not None and argument.value is not None else None
    return folder


# ssh's options whose value is a command: run locally by the user's shell (ProxyCommand,
# LocalCommand, KnownHostsCommand) or by the remote one (RemoteCommand). `none` runs nothing.
_SSH_CODE_OPTIONS = frozenset({"proxycommand", "localcommand", "remotecommand",
                               "knownhostscommand"})
_SSH_WHITESPACE = " \t\r\n"


def _ssh_delim(text: str) -> tuple[str, str] | None:
    """OpenSSH's `strdelim` (misc.c): the next word of a configuration line and the rest. The
    word ends at whitespace, a quote or `=`; a double quote there is removed and the word runs
    to the next one (`"ProxyCommand"`, `Proxy"Command"`); one `=` and the whitespace around it
    are skipped. None where ssh finds no matching quote."""
    end = next((i for i, c in enumerate(text) if c in _SSH_WHITESPACE + '"='), None)
    if end is None:
        return text, ""
    if text[end] == '"':
        text = text[:end] + text[end + 1:]
        close = text.find('"', end)
        if close < 0:
            return None
        rest = text[close + 1:]
        return text[:close], rest.lstrip(_SSH_WHITESPACE)
    word, equals, rest = text[:end], text[end] == "=", text[end + 1:].lstrip(_SSH_WHITESPACE)
    if not equals and rest.startswith("="):
        rest = rest[1:].lstrip(_SSH_WHITESPACE)
    return word, rest


def ssh_setting(text: str) -> tuple[str, str] | None:
    """The keyword (lower case) and value of a `-o` value read as OpenSSH reads a configuration
    line (readconf.c `process_config_line`: an empty first word, a leading separator, is
    skipped; a command's value starts after any whitespace and `=`): `"ProxyCommand" CMD`,
    `ProxyCommand=CMD`, ` =proxycommand  = CMD` (attack j19f, finding 4). None where ssh
    reads no keyword (it then ignores the line or refuses it)."""
    first = _ssh_delim(text)
    if first is not None and first[0] == "":
        first = _ssh_delim(first[1])
    if first is None or not first[0] or first[0].startswith("#"):
        return None
    keyword, rest = first
    return keyword.lower(), rest.lstrip(_SSH_WHITESPACE + "=")


def _ssh_tokens(code: str) -> str | None:
    """A command option's code as ssh runs it (attack s28f, finding 22): ssh expands its TOKENS
    (ssh_config(5): `%h` the host, `%n` the original one, `%r` the remote user, `%p`, `%u`,
    `%d`...; an unknown letter is an error) before `/bin/sh -c`, `%%` being `%`. Each token is a
    value the user chooses on the same line (`ssh -o ProxyCommand='rm -rf /%h' etc`): read as
    a command substitution, a value known only at run time; None (unknown) where a quote or a
    backslash may keep the substitution literal."""
    if "%" not in code:
        return code
    out: list[str] = []
    tokens = False
    index = 0
    while index < len(code):
        pair = code[index:index + 2]
        if pair == "%%":
            out.append("%")
        elif len(pair) == 2 and pair[0] == "%" and pair[1].isalpha():
            out.append("$(:)")
            tokens = True
        else:
            out.append(code[index])
            index += 1
            continue
        index += 2
    if tokens and ("'" in code or "\\" in code):
        return None
    return "".join(out)


# The short options of ssh, scp and sftp that take a value (OpenSSH 9; sftp's getopt string
# "1246AafhNpqrvCc:D:i:l:o:s:S:b:B:F:J:P:R:X:": `-s SUBSYSTEM` too, attack v31f, finding 7).
_CONNECTION_VALUES = {"ssh": "BbcDEeFIiJLlmOoPpQRSWw", "scp": "cDFiJloPSX", "sftp": "BbcDFiJloPRSsX"}


# rsync's short options that take a value: a letter after one of them in a cluster is part of
# that value, not an option.
_RSYNC_VALUE_LETTERS = "eBfTM@"


def _rsync_shell(code: str | None) -> list[str | None]:
    """rsync's remote shell (`-e CMD`), which rsync splits into words itself (no shell: `#` is
    no comment; attack j19f, finding 7): the text as shell code and, where they differ, the
    words rsync runs (None, unknown, where it cannot split them)."""
    if code is None:
        return [None]
    reading = split_reading(code, rsync_words)
    return [code] if reading == code else [code, reading]


def _connection_code(name: str, words: list[_Word]) -> list[str | None]:
    """Code in the options of ssh, scp, sftp and rsync (attack E, finding 4): `-o
    ProxyCommand=CMD` and its kin (also `-oKEY=VALUE`, `-o 'KEY VALUE'`); a configuration file
    (-F FILE, other than /dev/null or none) may hold them: unknown; scp's and sftp's -S
    PROGRAM (run in place of ssh) and sftp's -D SERVER (run locally); rsync's -e/--rsh command
    and --rsync-path (run by the remote shell). None for code known only at run time."""
    codes: list[str | None] = []
    index = 1
    while index < len(words):
        value = words[index].value
        index += 1
        if value is None:
            continue
        if name == "rsync":
            if (value.startswith("-") and not value.startswith(("--", "-e")) and "e" in value
                    and not set(value[1:value.index("e")]) & set(_RSYNC_VALUE_LETTERS)):
                # a cluster that ends its flags with -e (`-avze ssh`, `-ae'CMD'`): popt reads
                # the rest of the word, or the next word, as the command (attack U)
                rest = value[value.index("e") + 1:]
                if rest:
                    codes += _rsync_shell(rest[1:] if rest.startswith("=") else rest)
                else:
                    following = _at(words, index)
                    codes += _rsync_shell(following.value if following is not None else None)
                    index += 1
                continue
            option, has_value, attached = value.partition("=")
            if option in ("-e", "--rsh", "--rsync-path") or (value.startswith("-e") and
                                                             not value.startswith("--")):
                # the remote shell rsync splits itself; --rsync-path the remote shell reads
                shell = _rsync_shell if option != "--rsync-path" else (lambda code: [code])
                if has_value:
                    codes += shell(attached)
                elif option in ("-e", "--rsh", "--rsync-path"):
                    following = _at(words, index)
                    codes += shell(following.value if following is not None else None)
                    index += 1
                else:
                    codes += shell(value[2:])
            continue
        if not value.startswith("-") or value.startswith("--") or len(value) < 2:
            continue
        # found after fix-xb (attack X's class): getopt reads clusters, so the option is the
        # first letter that takes a value, after any flags (`ssh -vo ProxyCommand=CMD h`).
        takes = _CONNECTION_VALUES.get(name, "oFSD")
        position = next((i for i, c in enumerate(value[1:], start=1) if c in takes), 1)
        letter, attached = value[position], value[position + 1:]
        if letter not in "oFSD" or (letter == "D" and name != "sftp") or (
                letter == "S" and name == "ssh"):
            continue
        argument: str | None
        if attached:
            argument = attached if not _GLOBBED.search(attached) or not words[index - 1].glob \
                else None
        else:
            following = _at(words, index)
            argument = following.value if following is not None else ""
            index += 1
            if following is not None and following.glob:
                # `ssh -o P*` after `touch 'ProxyCommand=CMD'`: a setting (or a file, a
                # program) pathname expansion names (attack k20f, finding 13)
                argument = None
        if argument is None:
            codes.append(None)
        elif letter == "o":
            setting = ssh_setting(argument)
            if setting is not None and setting[0] in _SSH_CODE_OPTIONS and \
                    setting[1].strip().lower() != "none":
                code = _ssh_tokens(setting[1])
                codes.append(code)
                if code != setting[1] and setting[0] == "knownhostscommand":
                    codes.append(None)
                elif setting[0] == "knownhostscommand":
                    # run with no shell, its words split by argv_split (`#` no comment):
                    # also those words (attack j19f, finding 7)
                    codes.append(split_reading(setting[1], posix_words))
        elif letter == "D":
            # sftp -D SERVER: OpenSSH splits it (argv_split, `#` a comment) and runs the words
            # with no shell (attack j19f, finding 7's class); one word before OpenSSH 8.7
            try:
                server = shlex.split(argument, comments=True)
            except ValueError:
                server = None
            codes += [f'{shlex.quote(argument)} "$@"', shlex.join(server) if server else None]
        elif letter == "F":
            if argument not in ("/dev/null", "none"):
                codes.append(None)  # a configuration file the policy does not read
        else:
            codes.append(f'{shlex.quote(argument)} "$@"')
    return codes


def _su_shell(words: list[_Word]) -> tuple[_Word | None, list[_Word]] | None:
    """The program `su -s PROGRAM` / `--shell=PROGRAM` (also runuser's) runs, and the words it
    is given: `-c CODE` if given, then the words after the user (GNU getopt permutes, so options
    may follow the user until `--`). None without -s; (None, ...) when which program is not
    known (`-s "$x"`, options known only at run time)."""
    program: _Word | None = None
    given = False
    code: list[_Word] = []
    operands: list[_Word] = []
    user_option = False
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None:
            if given:
                operands.append(word)
                continue
            return None if not any(w.value and w.value.startswith("-s") for w in words) else (
                None, [])
        if value == "--":
            operands.extend(words[index:])
            break
        if value.startswith("--") and len(value) > 2:
            option, has_value, attached = value.partition("=")
            option = _long_option(option, _RUNUSER.long | {"--login", "--session-command",
                                                           "--preserve-environment", "--pty",
                                                           "--fast"})
            argument = _Word(attached, word.text) if has_value else None
            if option in _RUNUSER.long or option == "--session-command":
                if argument is None:
                    argument = _at(words, index)
                    index += 1
                if option == "--shell":
                    program, given = argument, True
                elif option in ("--command", "--session-command") and argument is not None:
                    code = [_Word("-c", "-c"), argument]
                elif option == "--user":
                    user_option = True
            continue
        if value.startswith("-") and len(value) > 1:
            for offset, letter in enumerate(value[1:], start=2):
                if letter in _RUNUSER.short:
                    attached = value[offset:]
                    argument = _Word(attached, attached) if attached else _at(words, index)
                    if not attached:
                        index += 1
                    if letter == "s":
                        program, given = argument, True
                    elif letter == "c" and argument is not None:
                        code = [_Word("-c", "-c"), argument]
                    elif letter == "u":
                        user_option = True
                    break
            continue
        operands.append(word)
    if not given:
        return None
    if operands and operands[0].value == "-":
        operands = operands[1:]  # `su - USER`: a login shell, not the user
    # runuser -u USER takes no user operand: the words are the command's.
    return program, code + (operands if user_option else operands[1:])


def _su_login(words: list[_Word]) -> tuple[bool, str | None]:
    """Whether `su` (or `runuser`) starts a login shell (`-`, `-l`, `--login`), and the user
    it runs as: the first operand, or runuser's `-u USER`; root unless named; None when known
    only at run time."""
    login, user, named = False, "root", False
    index = 1
    while index < len(words):
        value = words[index].value
        index += 1
        if value is None:
            user, named = (None, True) if not named else (user, named)
        elif value == "-":
            login = True
        elif value.startswith("--"):
            option = _long_option(value.partition("=")[0], _RUNUSER.long)
            if len(option) > 2 and "--login".startswith(option):
                login = True
            elif option in _RUNUSER.long and "=" not in value:
                argument = words[index].value if index < len(words) else None
                if option == "--user" and not named:
                    user, named = argument, True
                index += 1
        elif value.startswith("-") and len(value) > 1:
            for offset, letter in enumerate(value[1:], start=2):
                if letter == "l":
                    login = True
                elif letter in _RUNUSER.short:
                    argument: str | None = value[offset:]
                    if not argument:
                        argument = words[index].value if index < len(words) else None
                        index += 1
                    if letter == "u" and not named:
                        user, named = argument, True
                    break
        elif not named:
            user, named = value, True
    return login, user


def _bindkey_lists(args: list[_Word]) -> bool:
    """bindkey's arguments only list keymaps or bindings: none, `-l`, `-L` (with `-M MAP`),
    or one key sequence looked up."""
    values = [w.value or "" for w in args]
    if values[:1] == ["-M"]:
        values = values[2:]
    options = [v for v in values if v.startswith("-")]
    return all(v in ("-l", "-L", "-lL", "-Ll") for v in options) and len(values) - len(options) <= 1


def _env_clears_term(found: list[tuple[str, _Word | None]], split: _Word | None) -> bool:
    """env's options take TERM away from the command: -i, `-`, --ignore-environment (any start
    of it), -u/--unset TERM or a name known only at run time, or a -S string that may hold
    options of its own."""
    for option, argument in found:
        if option in ("-i", "-", "--ignore-environment"):
            return True
        if option in ("-u", "--unset") and (argument is None or argument.value in (None, "TERM")):
            return True
    return split is not None and (split.value is None or split.value.lstrip().startswith("-"))


def _wrapper_directory(name: str, found: list[tuple[str, _Word | None]], operands: list[_Word]
                       ) -> tuple[_Word | PathArg | list[PathArg] | None, _Word | PathArg | None] | None:
    """(working directory, root directory) a wrapper runs its command in, None for either
    being known only at run time; None when it keeps the line's (see `_Collector._elsewhere`).
    `sudo -D DIR`, `sudo -R DIR`, `sudo -i` (the target user's home), `run0 -D`, `nsenter -w`
    and `-r` (with no DIR: the target process's, unknown), `unshare -w` and `-R`, `chroot DIR`
    (the root, and / in it), `systemd-run` (a service starts in /, or --working-directory,
    `-p WorkingDirectory=`; `--scope` and `-d` keep it, or that: several), `firejail
    --private-cwd[=DIR]`, `--chroot=DIR`, `--bind=`, `schroot -d`, `proot -w` and `-r`,
    `daemonize -c`; a folder `proot -b HOST:GUEST` shows elsewhere: a root known only at run
    time."""
    options = {option: argument for option, argument in found}
    folder = root = _KEEP
    if name == "chroot":
        if not operands:
            return None
        root = operands[0]
        folder = _KEEP if "--skip-chdir" in options else root
    elif name == "systemd-run":
        places: list[PathArg] = []
        for option, argument in found:
            if option in ("-p", "--property") and argument is not None and (
                    argument.value or "").startswith("WorkingDirectory="):
                value = (argument.value or "").partition("=")[2].lstrip("-!")
                places.append(_place(_Word(value, value)) if value != "~" else PathArg("~", tilde=True))
            elif option == "--working-directory":
                places.append(_place(argument) if argument is not None else PathArg("/"))
        if options.keys() & {"--scope", "-d", "--same-dir"}:
            # (attack a10f: the last of -d and --working-directory wins; either may be last)
            if not places:
                return None
            places.append(PathArg("."))
        return (places or [PathArg("/")]), None
    elif name == "firejail":
        return _firejail_directory(found)
    else:
        for option, argument in found:
            kind = _CHANGES_DIRECTORY.get((name, option))
            if kind == "home":
                user = options.get("-u", options.get("--user", _Word("root", "root")))
                value = user.value if user is not None else None
                folder = None if value is None else PathArg(f"~{value}", tilde=True)
            elif kind == "cwd":
                folder = argument
            elif kind == "root":
                root = argument
            elif kind == "over":  # a folder shown over the home or /tmp (`sandbox -H DIR`)
                root = PathArg("(a folder bound at another path)", "unknown")
            elif kind == "bind" and (argument is None or argument.value is None or len(
                    set(argument.value.split(":", 1))) > 1):
                root = PathArg("(a folder bound at another path)", "unknown")
    # found after outside attack m22f (finding 6): entering a mount namespace sets the
    # directory to its root; daemonize runs its command in / unless -c
    entered = name == "nsenter" and any(o in ("--all", "--mount") or (
        o[:2] != "--" and re.match(r"-[^tSGWrw]*[ma]", o)) for o in options)
    if folder is _KEEP and (entered or name == "daemonize"):
        folder = PathArg("/") if root is _KEEP else root
    if folder is _KEEP and root is _KEEP:
        return None
    if folder is _KEEP:
        folder = root  # `chroot`-like: the root, and / in it
    return folder, (None if root is _KEEP else root)


def _firejail_directory(found: list[tuple[str, _Word | None]]
                        ) -> tuple[list[PathArg], PathArg | None] | None:
    """(working directories, root) of `firejail` (found after outside attack a10f):
    `--private-cwd=DIR` is DIR, `--private-cwd` the home (`--private=DIR` makes DIR the home),
    failing that /; `--chroot=DIR` a root; `--bind=A,B` shows A at B: a root known only at
    run time. None when it keeps the line's."""
    places: list[PathArg] = []
    root: PathArg | None = None
    homes = [_place(a) for o, a in found if o == "--private" and a is not None] or \
        [PathArg("~", tilde=True)]
    for option, argument in found:
        if option == "--private-cwd":
            places += [_place(argument)] if argument is not None else [*homes, PathArg("/")]
        elif option == "--chroot":
            root = _place(argument)
        elif option == "--bind" or (option == "--private" and argument is not None):
            # (attack r27f, finding 6's class: `--private=/etc` mounts /etc over the home, so
            # that `/root/sudoers` is /etc/sudoers)
            root = PathArg("(a folder bound at another path)", "unknown")
    if not places and root is None:
        return None
    return (places or [root or PathArg("/")]), root
