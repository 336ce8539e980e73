"""The collector's handlers for launchers: programs whose arguments hold a command they run or a
file they write in a grammar of their own (attack O, findings 5 and 9).

Methods of `_Collector` (collect.py): `cmake -E` (env, time, chdir run a command; copy, rename,
touch... write files), launchers whose options the policy reads only from a table and holds
as unknown past it (mpirun, srun, hwloc-bind: `_STRICT`), pueue's queue, terminal recorders
(asciinema, ttyrec), mispipe, ansible's ad-hoc modules, socat's addresses and netcat's -e/-c.
A launcher that runs a command is judged as that command; one whose words the policy cannot
read is unknown."""

from __future__ import annotations

import re
from typing import NamedTuple

from bastion.command_control.policy.options import _last_argument, _options, _permuted, _scan_options
from bastion.command_control.policy.words import _at, _Site, _Word


def _word(value: str) -> _Word:
    return _Word(value, value)


# `cmake -E COMMAND`: the commands that write files, as the program that does the same (judged
# as that program, under the wrapper cmake), and those that only read or print.
_CMAKE_AS = {
    "copy": ("cp",), "copy_if_different": ("cp",), "copy_if_newer": ("cp",),
    "copy_directory": ("cp", "-r"), "copy_directory_if_different": ("cp", "-r"),
    "copy_directory_if_newer": ("cp", "-r"), "rename": ("mv",), "rm": ("rm",),
    "remove": ("rm",), "remove_directory": ("rm", "-r"), "make_directory": ("mkdir", "-p"),
    "touch": ("touch",), "touch_nocreate": ("touch", "-c"), "create_symlink": ("ln", "-s"),
    "create_hardlink": ("ln",), "tar": ("tar",), "cat": ("cat",),
}  # fmt: skip
_CMAKE_READS = frozenset({
    "echo", "echo_append", "compare_files", "capabilities", "environment", "help", "sleep",
    "true", "false", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum",
})  # fmt: skip


class _Strict(NamedTuple):
    """A launcher's options, every one the policy reads: those that take an argument (short
    letters, and words: `--host`, `-np`, `-hostfile`: Open MPI's long options take one dash),
    the flags, those whose argument is the working directory or a file written. Any other
    option makes the command unknown: its argument could be taken for the command."""

    short: str
    flags: str
    long: frozenset[str]
    long_flags: frozenset[str]
    chdir: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    two: frozenset[str] = frozenset()  # options that take two arguments (`-mca NAME VALUE`)
    locations: bool = False  # hwloc-bind: locations (`core:0`) before the command


_MPI = _Strict(
    "nNcHfx", "qv",
    frozenset({"-np", "-n", "--n", "-c", "-N", "-H", "-host", "--host", "-hostfile", "--hostfile",
               "-machinefile", "--machinefile", "-f", "-npernode", "--npernode", "-ppn",
               "-x", "--map-by", "-map-by", "--bind-to", "-bind-to", "--rank-by", "-rank-by",
               "--prefix", "-prefix", "-wdir", "--wdir", "-wd", "--wd", "-configfile",
               "--output-filename", "-output-filename", "--np", "--mca", "-mca", "-genv",
               "-env", "--display", "--with-ft", "--timeout", "-timeout", "-iface",
               "-launcher", "-bootstrap", "-errfile-pattern", "-outfile-pattern"}),
    frozenset({"--oversubscribe", "-oversubscribe", "--allow-run-as-root", "--verbose",
               "--report-bindings", "-report-bindings", "--tag-output", "-tag-output",
               "--timestamp-output", "--display-map", "-display-map", "--use-hwthread-cpus",
               "-use-hwthread-cpus", "--quiet", "-q", "-v", "-l", "-prepend-rank",
               "-print-all-exitcodes", "-genvall", "-genvnone", "--noprefix"}),
    chdir=frozenset({"-wdir", "--wdir", "-wd", "--wd"}),
    writes=frozenset({"--output-filename", "-output-filename", "-errfile-pattern",
                      "-outfile-pattern"}),
    two=frozenset({"--mca", "-mca", "-genv", "-env"}),
)
_SLURM = _Strict(
    "AbcdDeiJLmnNoOpqtwxCGSTWrBMk", "lvhQuEHIKsXZ",
    frozenset({"--account", "--begin", "--cpus-per-task", "--dependency", "--chdir", "--error",
               "--input", "--job-name", "--licenses", "--distribution", "--ntasks", "--nodes",
               "--output", "--partition", "--qos", "--time", "--nodelist", "--exclude",
               "--constraint", "--gpus", "--core-spec", "--threads", "--wait", "--relative",
               "--extra-node-info", "--clusters", "--mem", "--mem-per-cpu", "--gres",
               "--ntasks-per-node", "--cpu-bind", "--mpi", "--export", "--reservation",
               "--signal", "--comment", "--mail-type", "--mail-user", "--time-min",
               "--uid", "--gid", "--nice"}),
    frozenset({"--label", "--verbose", "--quiet", "--unbuffered", "--exclusive", "--pty",
               "--overlap", "--immediate", "--kill-on-bad-exit", "--no-kill", "--hold",
               "--oversubscribe", "--x11"}),
    chdir=frozenset({"-D", "--chdir"}),
    writes=frozenset({"-o", "--output", "-e", "--error"}),
)
_HWLOC = _Strict(
    "", "lpfqve",
    frozenset({"--mempolicy", "--pid", "--tid", "--restrict", "--best-memattr",
               "--restrict-flags"}),
    frozenset({"--logical", "--physical", "--single", "--strict", "--get", "--cpubind",
               "--membind", "--taskset", "--disallowed", "--hbm", "--no-hbm", "--force",
               "--quiet", "--verbose", "--no-smt", "--nodeset"}),
    locations=True,
)
_STRICT = {"mpirun": _MPI, "mpiexec": _MPI, "mpiexec.hydra": _MPI, "orterun": _MPI,
           "prun": _MPI, "srun": _SLURM, "salloc": _SLURM, "hwloc-bind": _HWLOC}
# hwloc-bind's locations: `core:0`, `L2Cache:1`, `node:1.pu:2`, `os=eth0`, `0x3`, `all`,
# `~pu:0`. Taken broadly: a word taken for a location that hwloc-bind runs as the command
# leaves the words after it judged as a command all the same.
_LOCATION = re.compile(r"[~x^]?(all|root|0x[0-9a-fA-F,]+|[A-Za-z0-9_]*[:=].*|[0-9][0-9,.:-]*)")

_PUEUE_ADD = _options("wdgaol", ("--working-directory", "--delay", "--group", "--after",
                                 "--priority", "--label"))  # fmt: skip
_ASCIINEMA = _options("ctieyf", ("--command", "--title", "--idle-time-limit", "--env",
                                 "--cols", "--rows", "--format", "--window-size",
                                 "--output-format", "--capture-env", "--log-file"))  # fmt: skip
_TTYREC = _options("e")
# Ansible's ad-hoc modules whose argument is a command line run on the target (perhaps this
# host), and those that only gather facts or check the connection.
_ANSIBLE_CODE = frozenset({"shell", "command", "raw"})
_ANSIBLE_READS = frozenset({"ping", "setup", "gather_facts", "debug", "service_facts",
                            "package_facts", "stat"})
_ANSIBLE = _options("maiuecflMtTBP", ("--module-name", "--args", "--inventory", "--user",
                                        "--extra-vars", "--connection", "--forks", "--limit",
                                        "--module-path", "--tree", "--timeout",
                                        "--become-user", "--become-method", "--private-key",
                                        "--vault-password-file", "--vault-id",
                                        "--ssh-common-args", "--ssh-extra-args",
                                        "--scp-extra-args", "--sftp-extra-args",
                                        "--background", "--poll", "--playbook-dir"))
# socat: its options that take an argument, those whose argument is a file written; the address
# types that run a command (the params: shell code) and those that open a file to write.
_SOCAT_ARGUMENT = frozenset({"-b", "-t", "-T", "-L", "-W", "-lf", "-lp", "-r", "-R", "-S"})
_SOCAT_WRITES = frozenset({"-lf", "-r", "-R", "-L", "-W"})
_SOCAT_CODE = frozenset({"EXEC", "SYSTEM", "SHELL"})
_SOCAT_FILES = frozenset({"OPEN", "CREATE", "CREAT", "GOPEN", "PIPE", "UNIX-LISTEN", "UNIX-L",
                          "UNIX-CONNECT", "UNIX-SENDTO", "UNIX-RECVFROM", "UNIX-RECV",
                          "UNIX-CLIENT", "ABSTRACT-LISTEN"})
_SOCAT_STDIN = frozenset({"-", "STDIO", "STDIN", "FD:0"})
# netcat's options (any of nc's flavours, ncat) that take an argument; those that run code
# (`-c CMD`, `--sh-exec`: a shell's; `-e PROG ARGS`: a program run with its words split); those
# that write a file.
_NC_ARGUMENT = "IiMmOPpqsTVwXxecog"
_NC_CODE_LONG = {"--sh-exec": "-c", "--exec": "-e", "--lua-exec": "--lua-exec",
                 "--output": "-o", "--hex-dump": "-x"}


class _Launchers:
    """Part of `_Collector` (collect.py): its handlers for launchers (module docstring)."""

    def _cmake(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`cmake -E COMMAND ARGS`: env, time and chdir run the command after them; copy,
        rename, touch, create_symlink, tar... are judged as cp, mv, touch, ln, tar are; a
        command the policy does not know is unknown. Anything else: a build (`_program_option`
        for `-P /dev/stdin`)."""
        if _at(words, 1) is None or words[1].value != "-E":
            return self._program_option(name, words, site)
        command = _at(words, 2)
        rest = words[3:]
        if command is None:
            return False
        if command.value is None:
            self._unknown(site, words, "cmake -E command known only at run time")
            return True
        self._plain(name, words[:3], site)
        if command.value == "env":
            # `cmake -E env [--unset=NAME]... [NAME=VALUE]... COMMAND`: as env's grammar.
            return self._env(name, [_word("env"), *rest], site)
        if command.value == "time":
            return self._inner(rest, site, name) or True
        if command.value == "chdir":
            if not rest:
                return True
            return self._elsewhere(rest[0] if rest[0].value is not None else None,
                                   lambda: self._inner(rest[1:], site, name) or True)
        same = _CMAKE_AS.get(command.value)
        if same is not None:
            return self._inner([_word(w) for w in same] + rest, site, name)
        if command.value not in _CMAKE_READS:
            self._unknown(site, words, f"cmake -E {command.value}, which the policy does not "
                                       "read, may run a command or write files")
        return True

    def _strict(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A launcher whose options `_STRICT` lists (mpirun, srun, hwloc-bind): the command after
        them, run in the directory an option names, with the files options write; an option
        not in its table (perhaps one whose argument would be taken for the command) makes the
        line unknown. mpirun's `:` starts another program with options of its own."""
        spec = _STRICT[name]
        index = 1
        moved, folder = False, None  # moved: in the directory `folder` (None: unknown)
        while index < len(words):
            value = words[index].value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--":
                index += 1
                break
            if not value.startswith("-") or value == "-":
                if spec.locations and _LOCATION.fullmatch(value):
                    index += 1
                    continue
                break
            option, has_value, attached = value.partition("=")
            taken = 0
            if option in spec.two:
                taken = 2
            elif option in spec.long or (len(option) == 2 and option[1] in spec.short):
                taken = 0 if has_value else 1
            elif option in spec.long_flags or (not option.startswith("--")
                                               and set(option[1:]) <= set(spec.flags)):
                pass
            elif len(option) > 2 and not option.startswith("--") and option[1] in spec.short:
                attached = option[2:]  # `-n4`, `-Dfolder`: the argument attached
                option = option[:2]
                has_value = "="
            else:
                self._unknown(site, words, f"{name}'s option {value}, which the policy does "
                                           "not read, may take the word after it: what it runs "
                                           "cannot be told")
                return True
            argument = _Word(attached, attached) if has_value else _at(words, index + 1)
            if option in spec.chdir:
                moved = True
                folder = argument if argument is not None and argument.value is not None else None
            if option in spec.writes and argument is not None:
                self.commands.append(self._file_operation(">", argument, site.text, site))
            index += 1 + taken
        self._plain(name, words[:index], site)
        rest = words[index:]
        colon = next((i for i, w in enumerate(rest) if w.value == ":"), None)
        command, more = (rest, []) if colon is None else (rest[:colon], rest[colon + 1:])

        if not command and not more and name == "salloc":
            return self._user_shell(name, words, site)  # salloc with no command: a shell

        def judge() -> bool:
            self._inner(command, site, name)
            if more:
                self._strict(name, [words[0], *more], site)
            return True

        return self._elsewhere(folder, judge) if moved else judge()

    def _pueue(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`pueue add [options] [--] COMMAND`: the words joined, run by a shell later, in the
        directory -w names (else this one)."""
        if _at(words, 1) is None or words[1].value != "add":
            return False
        scanned = _scan_options(words, 2, _PUEUE_ADD)
        if scanned is None:
            self._unknown(site, words, "options of pueue known only at run time")
            return True
        index, found = scanned
        self._plain(name, words[:index], site)
        folder = _last_argument(found, {"-w", "--working-directory"})
        if folder is None:
            return self._joined_code(words[index:], site, name) or True
        return self._elsewhere(folder[1], lambda: self._joined_code(words[index:], site, name))

    def _recorder(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A terminal recorder: `asciinema rec [-c CMD] [FILE]`, `ttyrec [-e CMD] [FILE]` run
        CMD in a shell, or the user's shell given none, and write FILE."""
        start = 1
        if name == "asciinema":
            if _at(words, 1) is None or words[1].value not in ("rec", "record", "stream",
                                                               "session"):
                return False
            start = 2
        # Options after the file too (argparse, GNU getopt): `asciinema rec f.cast -c CMD`.
        permuted = _permuted(words, start, _ASCIINEMA if name == "asciinema" else _TTYREC)
        if permuted is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        found, operands = permuted
        self._plain(name, words, site)
        for operand in operands[:1]:
            self.commands.append(self._file_operation(">", operand, site.text, site))
        code = _last_argument(found, {"-c", "--command"} if name == "asciinema" else {"-e"})
        if code is None:
            return self._user_shell(name, words, site)
        return self._code(code[1], site, name)

    def _mispipe(self, name: str, words: list[_Word], site: _Site) -> bool:
        """moreutils' mispipe: `mispipe CMD1 CMD2` runs both in a shell, CMD1 piped to CMD2."""
        self._plain(name, words, site)
        for position, word in enumerate(words[1:3]):
            self._code(word, site if position == 0 else site._replace(stdin="pipe"), name)
        return True

    def _ansible(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`ansible HOSTS -m MODULE -a ARGS`: the shell, command and raw modules run ARGS as a
        command line on the hosts (perhaps this one; `command`, the default): judged as code.
        Modules that only gather facts run nothing; any other (copy, file, script, cron...)
        changes the hosts in ways the policy does not read: unknown. So do variables given on
        the line (`-e ansible_python_interpreter=CMD` runs CMD) and modules from a folder."""
        permuted = _permuted(words, 1, _ANSIBLE)  # options before and after the host pattern
        if permuted is None:
            self._unknown(site, words, "options of ansible known only at run time")
            return True
        found = permuted[0]
        self._plain(name, words, site)
        if _last_argument(found, {"-e", "--extra-vars", "-M", "--module-path"}) is not None:
            self._unknown(site, words, "ansible given variables or modules on the line, which "
                                       "may name a program it runs")
            return True
        module = _last_argument(found, {"-m", "--module-name"})
        chosen = "command" if module is None else module[1].value if module[1] else None
        if chosen is not None:
            chosen = chosen.rpartition(".")[2]  # ansible.builtin.shell, ansible.legacy.raw
        if chosen in _ANSIBLE_READS:
            return True
        arguments = _last_argument(found, {"-a", "--args"})
        if chosen in _ANSIBLE_CODE and arguments is not None:
            return self._code(arguments[1], site, name)
        self._unknown(site, words, f"ansible's module {chosen or '(known only at run time)'} "
                                   "acts on the hosts in ways the policy does not read")
        return True

    def _socat(self, name: str, words: list[_Word], site: _Site) -> bool:
        """socat's two addresses: EXEC, SYSTEM and SHELL run their command (fed by the other
        address: the line's stdin when it is `-` or STDIO), OPEN, CREATE, GOPEN, a bare path
        and the `link=` option name a file written; its options -lf, -r, -R write theirs."""
        self._plain(name, words, site)
        index = 1
        while index < len(words):
            value = words[index].value
            if value is None:
                self._unknown(site, words, "socat's addresses known only at run time")
                return True
            if not value.startswith("-") or value == "-":
                break
            if value in _SOCAT_ARGUMENT:
                argument = _at(words, index + 1)
                if value in _SOCAT_WRITES and argument is not None:
                    self.commands.append(self._file_operation(">", argument, site.text, site))
                index += 1
            index += 1
        # Every word left is taken for an address (an option the policy does not know may
        # have taken one for its argument).
        if any(w.value is None for w in words[index:]):
            self._unknown(site, words, "socat's addresses known only at run time")
            return True
        texts = [w.value or "" for w in words[index:]]
        for position, address in enumerate(texts):
            others = [t for i, t in enumerate(texts) if i != position] or ["-"]
            fed = site if any(t.upper() in _SOCAT_STDIN for t in others) else \
                site._replace(stdin="pipe")
            # A dual (`!!`) or chained (`|`) address is judged whole and as its parts: a `|`
            # may as well be inside a command.
            parts = re.split(r"!!|\|", address)
            for part in [address, *parts] if len(parts) > 1 else parts:
                self._socat_address(part, words, site, fed)
        return True

    def _socat_address(self, address: str, words: list[_Word], site: _Site, fed: _Site) -> None:
        kind, colon, rest = address.partition(":")
        kind = kind.split(",", 1)[0].upper()
        if not colon and "/" in kind:
            kind, rest = "GOPEN", address  # a bare path is a GOPEN address
        if kind in _SOCAT_CODE:
            if re.search(r"['\"\\]", rest):
                # socat reads quotes and escapes in addresses: where the command ends is not
                # told here.
                self._unknown(site, words, "a socat command address with quotes or escapes")
                return
            self._code(rest.split(",", 1)[0], fed, "socat")
            rest = rest.partition(",")[2]
        elif kind in _SOCAT_FILES:
            path, _, rest = rest.partition(",")
            self.commands.append(self._file_operation(">", _word(path), site.text, site))
        for option in rest.split(",") if kind in _SOCAT_CODE | _SOCAT_FILES else \
                address.split(",")[1:]:
            key, equals, value = option.partition("=")
            if key.strip().lower() in ("link", "symbolic-link") and equals:
                self.commands.append(self._file_operation(">", _word(value), site.text, site))

    def _netcat(self, name: str, words: list[_Word], site: _Site) -> bool:
        """netcat: `-c CMD` (`--sh-exec`) runs CMD in a shell, `-e PROG` (`--exec`) runs PROG
        (its words split; busybox's -e takes the words after it as PROG's arguments), both
        fed from the connection; ncat's `--lua-exec FILE` runs a Lua script (unknown); -o and
        ncat's -x write a file."""
        self._plain(name, words, site)
        fed = site._replace(stdin="pipe")
        index = 1
        while index < len(words):
            value = words[index].value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--":
                break
            option, argument = "", None
            if value.startswith("--"):
                head, has_value, attached = value.partition("=")
                option = _NC_CODE_LONG.get(head, "")
                argument = _Word(attached, attached) if has_value else _at(words, index + 1)
                index += 0 if has_value or not option else 1
            elif value.startswith("-"):
                for offset, letter in enumerate(value[1:], start=2):
                    if letter in _NC_ARGUMENT:
                        option = f"-{letter}"
                        attached = value[offset:]
                        argument = _Word(attached, attached) if attached else _at(words, index + 1)
                        index += 0 if attached else 1
                        break
            index += 1
            if argument is None or not option:
                continue
            if option == "-c":
                self._code(argument, fed, name)
            elif option == "-e":
                self._code(argument, fed, name)
                if words[index:]:
                    self._inner([argument, *words[index:]], fed, name)
            elif option == "--lua-exec":
                self._unknown(site, words, f"{name} runs a Lua script")
            elif option == "-o" or (option == "-x" and name == "ncat"):
                self.commands.append(self._file_operation(">", argument, site.text, site))
        return True
