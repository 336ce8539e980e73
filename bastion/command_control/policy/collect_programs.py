"""The collector's handlers for other programs that run a command given in their words.

Methods of `_Collector` (collect.py): setarch, runcon, bwrap, start-stop-daemon, machinectl,
tmux, screen, capsh, gdb, lldb, perf, ip netns/vrf exec, ssh (its remote command is shell code),
dtach and abduco, pee, mosh-server and sched."""

from __future__ import annotations

import re
import shlex

from bastion.command_control.policy.iproute import read_ip
from bastion.command_control.policy.options import _last_argument, _options, _scan_options
from bastion.command_control.policy.paths import PathArg
from bastion.command_control.policy.perf import perf_words
from bastion.command_control.policy.programs import (
    _CONNECTION_VALUES,
    _GDB_ARGUMENT_OPTIONS,
    _GDB_COMMAND_OPTIONS,
    _GDB_FILE_OPTIONS,
    _GDB_FILE_WRITERS,
    _GDB_FRAME_SELECT,
    _GDB_QUIET,
    _GDB_SETTINGS,
    _LLDB_ARGUMENT_OPTIONS,
    _LLDB_COMMAND_OPTIONS,
    _LLDB_FILE_OPTIONS,
    _LLDB_QUIET,
    _connection_code,
    _gdb_directory,
    lldb_option,
)
from bastion.command_control.policy.words import SimpleCommand, _at, _Site, _Word
from bastion.command_control.policy.wrappers import (
    _BWRAP_ONE,
    _BWRAP_TWO,
    _KEEP,
    _MACHINECTL,
    _START_STOP,
    _TMUX_SHELL_COMMANDS,
    _TMUX_UNKNOWN,
)
from bastion.text import one_line

# sshd's (OpenSSH getopt: "C:E:b:c:f:g:h:k:o:p:u:46DGQRTdeiqrtV") and dropbear's options that
# take a value.
_SSHD = _options("CEbcfghkopu")
_DROPBEAR = _options("bcrpPWKITG")

# bwrap's options that give a folder a second name (when source and destination differ),
# those whose effect the policy does not read (arguments from a descriptor, a file written or a
# mode changed inside the sandbox), and those that take no argument.
_BWRAP_RENAMES = frozenset({"--bind", "--bind-try", "--dev-bind", "--dev-bind-try", "--symlink"})
_BWRAP_UNREAD = frozenset({"--args", "--file", "--chmod"})
_BWRAP_FLAGS = frozenset({
    "--unshare-all", "--share-net", "--unshare-user", "--unshare-user-try", "--unshare-ipc",
    "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup", "--unshare-cgroup-try",
    "--clearenv", "--new-session", "--die-with-parent", "--as-pid-1", "--disable-userns",
    "--assert-userns-disabled", "--level-prefix", "--help", "--version",
})  # fmt: skip


class _Programs:
    """Part of `_Collector` (collect.py): its handlers for other programs that run a command given in
    their words."""

    # -- programs that run a command given in their own way (outside attack B, finding 14) --

    def _setarch(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`setarch ARCH [options] [program [args]]`: options may come before and after ARCH;
        no program starts the user's shell."""
        index = 1
        # util-linux takes ARCH only as the first word, and only if it is no option: `setarch
        # -R CMD` runs CMD (attack E, finding 2). Options (none takes an argument) end at the
        # first word that is none.
        if index < len(words) and not (words[index].value or "-").startswith("-"):
            index += 1  # ARCH
        while index < len(words) and (words[index].value or "").startswith("-") \
                and words[index].value != "--":
            if words[index].value in ("--list", "-h", "--help", "-V", "--version"):
                return False
            index += 1
        if index < len(words) and words[index].value == "--":
            index += 1
        if index > len(words) or any(w.value is None for w in words[1:index]):
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        return self._inner(words[index:], site, name) or self._user_shell(name, words, site)

    def _runcon(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`runcon CONTEXT COMMAND`, or `runcon [-c] [-u U] [-r R] [-t T] [-l L] COMMAND`."""
        spec = _options("urtl", ("--user", "--role", "--type", "--range"), flags=("--compute",))
        scanned = _scan_options(words, 1, spec, patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of runcon known only at run time")
            return True
        index, found = scanned
        # coreutils takes a CONTEXT only when no option at all is given: `-c` is one, so
        # `runcon -c rm -rf /` runs rm (attack m22f, finding 5).
        if not found:
            index += 1  # the CONTEXT
        return self._inner(words[index:], site, name)

    def _bwrap(self, name: str, words: list[_Word], site: _Site) -> bool:
        """bubblewrap: options take none, one or two arguments, then the command (run in
        `--chdir DIR`)."""
        index, folder, root = 1, _KEEP, None
        while index < len(words):
            value = words[index].value
            if value is None:
                self._unknown(site, words, "options of bwrap known only at run time")
                return True
            if value == "--":
                index += 1
                break
            if not value.startswith("--"):
                break
            if value == "--chdir":
                folder = _at(words, index + 1)
            pair = [w.value for w in words[index + 1:index + 3]]
            # found after outside attack U: a file written or changed inside the sandbox (maybe
            # in a host folder bound there), an option whose count of arguments is not known
            # here; a folder given another name (`--bind /etc /tmp/e`): the command's paths.
            if value in _BWRAP_UNREAD or value not in _BWRAP_TWO | _BWRAP_ONE | _BWRAP_FLAGS:
                self._unknown(site, words, f"bwrap's option {value}, which the policy does not read")
                return True
            if value in _BWRAP_RENAMES and (None in pair or len(set(pair)) > 1):
                root = PathArg("(a folder bwrap shows under another name)", "unknown")
            index += 3 if value in _BWRAP_TWO else 2 if value in _BWRAP_ONE else 1
        if folder is _KEEP and root is None:
            return self._inner(words[index:], site, name)
        return self._elsewhere(root if folder is _KEEP else folder,
                               lambda: self._inner(words[index:], site, name), root)

    def _start_stop_daemon(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`start-stop-daemon --start --exec PATH -- ARGS` runs PATH (or --startas PATH)."""
        scanned = _scan_options(words, 1, _START_STOP, patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of start-stop-daemon known only at run time")
            return True
        index, found = scanned
        if not {o for o, _ in found} & {"-S", "--start"}:
            return False
        program = _last_argument(found, {"-a", "--startas"}) or _last_argument(
            found, {"-x", "--exec"})
        if program is None or program[1] is None:
            return False
        command = program[1]
        self._writes(name, words, site)  # its pidfile and output file (attack X, finding 12)
        chdir = _last_argument(found, {"-d", "--chdir"})
        chroot = _last_argument(found, {"-r", "--chroot"})
        # found after outside attack m22f (finding 6): without -d it runs the command in /
        # (the root's, with -r).
        return self._elsewhere(
            chdir[1] if chdir is not None else PathArg("/") if chroot is None else chroot[1],
            lambda: self._inner([command, *words[index:]], site, name),
            None if chroot is None else chroot[1])

    def _machinectl(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`machinectl shell [[USER@]NAME [PATH [ARGS]]]` runs PATH (or the user's shell)."""
        scanned = _scan_options(words, 1, _MACHINECTL, patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of machinectl known only at run time")
            return True
        index = scanned[0]
        if _at(words, index) is None or words[index].value != "shell":
            return False
        rest = words[index + 1:]
        while rest and (rest[0].value or "").startswith("-"):
            rest = rest[1:]
        self._plain(name, words, site)
        if len(rest) >= 2:
            return self._inner(rest[1:], site, name)
        return self._user_shell(name, words, site)

    def _tmux(self, name: str, words: list[_Word], site: _Site) -> bool:
        """tmux runs shell commands given to new-session, new-window, split-window,
        respawn-pane, respawn-window, display-popup, run-shell, pipe-pane and if-shell (and
        `tmux -c`); keys sent to a pane, key bindings, hooks and command files run what only
        the pane or tmux sees: unknown. Commands are separated by `;` words."""
        self._plain(name, words, site)
        index = 1
        while index < len(words) and (words[index].value or "").startswith("-"):
            value = words[index].value or ""
            if value == "-c":
                return self._code(_at(words, index + 1), site, name)
            index += 2 if value[-1:] in "LSfT" and len(value) == 2 else 1
        command: list[_Word] = []
        for word in [*words[index:], _Word(";", ";")]:
            if word.value is None and word.text.endswith(";"):
                self._unknown(site, words, "tmux commands known only at run time")
                return True
            if word.value not in (";", "\\;"):
                command.append(word)
                continue
            if command:
                self._tmux_command(command, words, site)
            command = []
        return True

    def _tmux_command(self, command: list[_Word], words: list[_Word], site: _Site) -> None:
        verb = command[0].value
        if verb is None or verb in _TMUX_UNKNOWN:
            self._unknown(site, words, f"tmux {verb or 'command'} runs what tmux or a pane "
                                       "reads later")
            return
        takes = _TMUX_SHELL_COMMANDS.get(verb)
        if takes is None:
            return
        scanned = _scan_options(command, 1, _options(takes), patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of tmux known only at run time")
            return
        rest = command[scanned[0]:]
        if not rest:
            return
        # -c DIR (display-popup -d DIR): the start directory.
        start = _last_argument(scanned[1], {"-d" if verb in ("display-popup", "popup") else "-c"})

        def judge() -> bool:
            if len(rest) == 1 or verb in ("run-shell", "run", "pipe-pane", "pipep", "if-shell",
                                          "if"):
                self._code(rest[0], site, "tmux")
                if verb in ("if-shell", "if"):
                    self._unknown(site, words, "tmux if-shell runs tmux commands")
                return True
            return self._inner(rest, site, "tmux")

        if start is None:
            judge()
        else:
            self._elsewhere(start[1], judge)

    def _screen(self, name: str, words: list[_Word], site: _Site) -> bool:
        """screen runs the command after its options (or the user's shell, in a terminal of
        its own); `-X` sends a command to a running session: unknown."""
        self._plain(name, words, site)
        if any(w.value in ("-ls", "-list", "-wipe", "-v", "-version", "-help", "-r", "-x", "-R",
                           "-RR") for w in words[1:2]):
            return True  # lists or attaches: runs no command of its own
        scanned = _scan_options(words, 1, _options("cehpsStTX", ("-Logfile",)), patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of screen known only at run time")
            return True
        index, found = scanned
        options = {o for o, _ in found}
        if "-X" in options or "-s" in options:
            self._unknown(site, words, "screen -X and -s run what a session reads later")
            return True
        if options & {"-r", "-R", "-x", "-ls", "-list", "-wipe", "-v"}:
            return True
        if words[index:]:
            self._inner(words[index:], site, name)
        return True

    def _capsh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`capsh [options] -- ARGS` runs `bash ARGS` (or the --shell=PROGRAM given)."""
        shell, root = "/bin/bash", None
        for index, word in enumerate(words[1:], start=1):
            if word.value is None:
                self._unknown(site, words, "options of capsh known only at run time")
                return True
            if word.value.startswith("--shell="):
                shell = word.value.partition("=")[2]
            elif word.value.startswith("--chroot="):  # chroot, then chdir("/") (attack m22f, 6)
                root = _Word(word.value.partition("=")[2], word.text)
            elif word.value in ("==", "--", "=+", "-+"):  # `=+`/`-+`: cap_launch twins (m22f, 3)
                ran = [_Word("capsh", "capsh") if word.value in ("==", "=+") else _Word(shell, shell),
                       *words[index + 1:]]
                if root is None:
                    return self._inner(ran, site, name)
                return self._elsewhere(root, lambda ran=ran: self._inner(ran, site, name), root)
        return False

    def _gdb(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`gdb --args PROGRAM ARGS` (with `-ex run`, or a `run` typed later) runs PROGRAM.
        gdb commands given with -ex (and -iex, --eval-command...) run too: `shell CMD` and
        `!CMD` are shell code, `run ARGS` hands ARGS to a shell with the program, those that
        only show or stop (`_GDB_QUIET`) run nothing, and any other may call into a program
        (`call system(...)`, `python ...`): unknown; so is a file of commands (-x)."""
        program: str | None = None
        inner: list[_Word] = []
        commands: list[_Word | None] = []
        index = 1
        while index < len(words):
            word = words[index]
            value = word.value
            if value == "--args":
                inner = words[index + 1:]
                break
            if value is None:
                index += 1
                continue
            option, has_value, attached = value.partition("=")
            option = "-" + option.lstrip("-") if option.startswith("-") else option
            if option in _GDB_COMMAND_OPTIONS:
                commands.append(_Word(attached, attached) if has_value else _at(words, index + 1))
                index += 1 if has_value else 2
            elif option in _GDB_FILE_OPTIONS:
                self._unknown(site, words, "gdb commands read from a file")
                index += 1 if has_value else 2
            elif option in ("-D", "-data-directory"):
                # gdb runs the python it finds there at start (attack S, finding 3's class).
                self._unknown(site, words, "gdb's own python code read from a folder the line names")
                index += 1 if has_value else 2
            elif option in _GDB_ARGUMENT_OPTIONS and not has_value:
                index += 2
            elif len(option) > 1 and option.startswith("-") and any(
                    known.startswith(option) for known in _GDB_COMMAND_OPTIONS | _GDB_FILE_OPTIONS):
                # gdb reads its options with getopt_long_only: any unambiguous start of a long
                # option is that option (`-ev`, `-eval=`, `-init-e`, `-comm=F`: attack U)
                self._unknown(site, words, f"gdb's {option} may be a shortened -eval-command or "
                                           "-command")
                index += 1
            else:
                if not value.startswith("-") and program is None:
                    program = value
                index += 1
        if inner and inner[0].value is not None:
            program = inner[0].value
        if not inner and not commands:
            return False
        folder = _gdb_directory(words[:len(words) - len(inner)] if inner else words)

        def judge() -> bool:
            self._plain(name, words[:len(words) - len(inner)] if inner else words, site)
            if inner:
                self._inner(inner, site, name)
            for command in commands:
                self._gdb_command(command, program, words, site)
            return True

        # `gdb --cd=DIR`: the program and the shell commands run in DIR (attack E, finding 4).
        return judge() if folder is _KEEP else self._elsewhere(folder, judge)

    def _gdb_command(self, command: _Word | None, program: str | None, words: list[_Word],
                     site: _Site) -> None:
        text = (command.value or "").strip() if command is not None else None
        if text is None or command is None or command.value is None:
            self._unknown(site, words, "gdb commands known only at run time")
            return
        verb = re.match(r"[\w-]*", text).group()  # type: ignore[union-attr]
        rest = text[len(verb):].strip()
        if text.startswith("!") or verb == "shell":
            code = text[1:] if text.startswith("!") else rest
            if not code.strip():
                # `-ex shell`, `-ex '!'`: an interactive shell on gdb's stdin, the line's
                # (attack W, finding 3).
                self._user_shell("gdb", words, site)
                return
            self._code(code, site, "gdb")
        elif verb in ("run", "r", "ru", "start", "star", "starti"):
            # Without arguments too (attack b11f, finding 9): the program runs with gdb's
            # stdin, the line's, so `gdb -batch -ex run /bin/bash` is a shell reading it.
            if rest.strip() or program is not None:
                shown = shlex.quote(program) if program is not None else "program"
                self._code(f"exec {shown} {rest}".rstrip(), site, "gdb")
        elif verb in _GDB_FILE_WRITERS and not rest:
            # `gcore` with no name writes core.PID (the process's memory) in gdb's working
            # folder: a write there, as the gcore program's (attack x33f, finding 9)
            core = PathArg("core.*", "pattern")
            self.commands.append(SimpleCommand(">", (">", core.text), site.text, "", False,
                                               site.wrappers, self._in_dirs((core,))))  # type: ignore[attr-defined]
        elif verb not in _GDB_QUIET or (verb == "set" and rest.split(" ", 1)[0] not in
                                        _GDB_SETTINGS) or (verb == "thread" and not re.fullmatch(
                                            r"apply\s+all\s+(bt|backtrace)(\s+full)?", rest)) or (
                # `frame apply all -q shell CMD` (and `f apply`) runs a gdb command for each
                # frame (attack j19f, finding 3): frame is quiet only selecting a frame.
                verb in ("frame", "f") and not _GDB_FRAME_SELECT.fullmatch(rest)) or (
                # An expression in a quiet command's arguments may call a function (`set width
                # $_shell("id")`, `info symbol system("id")` in an attached process: attack S).
                verb != "echo" and "(" in rest) or (verb in _GDB_FILE_WRITERS and rest):
            self._unknown(site, words, f"a gdb command that may run code: {one_line(text, 40)}")

    def _lldb(self, name: str, words: list[_Word], site: _Site) -> bool:
        """lldb's commands given on the line (-o, -O, -k and their long names) run as gdb's do:
        `platform shell`, `script`, `command source`, `expression` may run code, so only those
        that show, wait or stop (`_LLDB_QUIET`) are known; a file of commands (-s, -S, -K) is
        unknown; the program after `--` (with its arguments) runs at `run`."""
        commands: list[_Word | None] = []
        index = 1
        while index < len(words):
            value = words[index].value
            if value == "--":
                if index + 1 < len(words):
                    self._inner(words[index + 1:], site, name)
                break
            option, has_value, attached = (value or "").partition("=")
            option = lldb_option(option)
            if option in _LLDB_COMMAND_OPTIONS:
                commands.append(_Word(attached, attached) if has_value else _at(words, index + 1))
            elif option in _LLDB_FILE_OPTIONS:
                self._unknown(site, words, "lldb commands read from a file")
            index += 2 if not has_value and option in (
                _LLDB_COMMAND_OPTIONS | _LLDB_FILE_OPTIONS | _LLDB_ARGUMENT_OPTIONS) else 1
        self._plain(name, words, site)
        for command in commands:
            text = (command.value or "").strip() if command is not None else None
            if text is None:
                self._unknown(site, words, "lldb commands known only at run time")
            elif not _LLDB_QUIET.fullmatch(text):
                self._unknown(site, words, f"an lldb command that may run code: {one_line(text, 40)}")
        return True

    def _perf(self, name: str, words: list[_Word], site: _Site) -> bool:
        """perf (policy/perf.py): the command it runs, the shell code of its hooks (`stat
        --pre`) and of the programs it runs (`--objdump=CMD`), the files it writes (`-o F`)."""
        found = perf_words(words)
        end = found.command if found.command is not None else len(words)
        self._plain(name, words[:end], site)
        if found.unknown is not None:
            self._unknown(site, words, found.unknown)
            return True
        for code in found.codes:
            self._code(code, site, name)
        self._touched(">", found.writes, site)
        if found.command is not None:
            self._inner(words[found.command:], site, name)
        return True

    def _ip(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`ip [-n NS] netns exec NAME COMMAND`, `ip vrf exec NAME COMMAND`, `ip -all netns
        exec COMMAND`, every word by any start of its name (iproute.py); `ip -b FILE` and
        `tc -b FILE` read command lines from a file or stdin: unknown."""
        reading = read_ip(name, [w.value for w in words])
        if reading.unknown or reading.batch:
            self._unknown(site, words, f"{name} reads its commands from a batch or at run time")
            return True
        if reading.command is None:
            return False
        self._plain(name, words[:reading.command], site)
        return self._inner(words[reading.command:], site, name) or True

    def _autossh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """autossh: its own -M PORT, -f and -V taken out, the rest is ssh's command line
        (ProxyCommand and the other code options judged as ssh's; attack s28f, finding 22)."""
        rest: list[_Word] = []
        index = 1
        while index < len(words):
            value = words[index].value
            if value == "-M":
                index += 2
                continue
            if value in ("-f", "-V") or (value is not None and value.startswith("-M")):
                index += 1
                continue
            rest = words[index:]
            break
        return self._inner([_Word("ssh", "ssh"), *rest], site, name)

    def _ssh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """ssh: the remote command is shell code, run by the remote login shell (perhaps this
        very host: `ssh localhost rm -rf /`); with none (and no -N, -W, -O) the remote shell
        reads the line's stdin."""
        spec = _options(_CONNECTION_VALUES["ssh"])
        scanned = _scan_options(words, 1, spec, patterns=True)
        if scanned is None:
            self._unknown(site, words, "options of ssh known only at run time")
            return True
        for code in _connection_code(name, words):
            self._code(code, site, name)
        index, found = scanned
        # found after outside attack W (finding 14): OpenSSH reads options after the
        # destination too, up to a `--` (`ssh host -p 22 -- CMD` runs CMD).
        after = _scan_options(words, index + 1, spec, patterns=True) if index < len(words) else None
        rest = index + 1
        if after is not None:
            rest, more = after
            found = [*found, *more]
        command = words[rest:]
        if not command and index < len(words) and not {o for o, _ in found} & {
                "-N", "-W", "-O", "-Q", "-G", "-V", "-s", "-n", "-f"}:
            return self._stdin_code(name, words, site, "a shell", fed="sh")
        self._plain(name, words, site)
        if command:
            self._joined_code(command, site, name)
        return True

    def _detached(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`dtach -c SOCKET [options] COMMAND`, `abduco [options] -c NAME COMMAND` (also -n,
        -A, -N): the command runs in a session of its own; -a (attach) runs none."""
        takes = "er" if name == "dtach" else "e"
        index, session = 1, False
        while index < len(words):
            value = words[index].value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--":
                index += 1
                break
            if not value.startswith("-") or len(value) == 1:
                if not session:
                    return False  # no command: attaches, or lists sessions
                break
            letters = value[1:]
            if set(letters) & {"c", "n", "A", "N"}:
                session = True
                index += 2  # the socket or the session's name
                continue
            index += 2 if letters[-1:] in takes else 1
        self._plain(name, words[:index], site)
        return self._inner(words[index:], site, name) or True

    def _pee(self, name: str, words: list[_Word], site: _Site) -> bool:
        """moreutils' pee: each argument is a shell command, fed the same input."""
        self._plain(name, words, site)
        for word in words[1:]:
            if word.value not in ("--ignore-sigpipe", "--no-ignore-sigpipe",
                                  "--ignore-write-errors", "--no-ignore-write-errors"):
                self._code(word, site._replace(stdin="pipe"), name)
        return True

    def _mosh_server(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`mosh-server new [options] -- COMMAND` runs COMMAND; without one, a login shell
        that a client reaches over UDP, not through the bastion: unknown. So is its old
        syntax, `mosh-server [IP [PORT]]` (attack k20f, finding 17), and a first word known only
        at run time; `--version`, `--help` and the like start nothing."""
        values = [w.value for w in words]
        if _at(words, 1) is None or values[1] != "new":
            legacy = len(words) <= 3 and not any(
                v is not None and v.startswith("-") for v in values[1:])
            if not legacy and values[1] is not None:
                return False
            self._plain(name, words, site)
            self._unknown(site, words, "mosh-server starts a shell that is reached over UDP, not "
                                       "through the bastion")
            return True
        self._plain(name, words, site)
        if "--" in values[2:]:
            command = words[values.index("--", 2) + 1:]
            if command:
                return self._inner(command, site, name)
        self._unknown(site, words, "mosh-server starts a shell that is reached over UDP, not "
                                   "through the bastion")
        return True

    def _ssh_server(self, name: str, words: list[_Word], site: _Site) -> bool:
        """sshd and dropbear take logins under their own options, around the bastion
        (confirm-other-ssh-server). sshd's test modes (-t, -T, -G, -V) start none, but only
        as options it reads: the rule's pattern sees the words joined, so a value holding one
        (`-oAuthorizedKeysFile=/tmp/k`, `-o 'AuthorizedKeysFile /tmp/k -t'`) or dropbear's
        -T/-G (which take values) passed for one (attack k20f, finding 14). A server start is
        added as `NAME (server)`, which the rule holds."""
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _SSHD if name == "sshd" else _DROPBEAR, patterns=True)
        if scanned is not None and scanned[0] == len(words):
            seen = {option for option, _ in scanned[1]}
            if seen & ({"-t", "-T", "-G", "-V"} if name == "sshd" else {"-V", "-h", "--help"}):
                return True
        self.commands.append(SimpleCommand(name, (name, "(server)"), site.text, "",
                                           wrappers=site.wrappers))
        return True

    def _sched(self, name: str, words: list[_Word], site: _Site) -> bool:
        if len(words) < 3 or (words[1].value or "").startswith("-"):
            return False
        return self._joined_code(words[2:], site, name)
