"""The collector's handlers for launchers: programs whose arguments hold a command they run or a
file they write in a grammar of their own (attack O, findings 5 and 9).

Methods of `_Collector` (collect.py): `cmake -E` (env, time, chdir run a command; copy, rename,
touch... write files), launchers whose options the policy reads only from a table and holds
as unknown past it (mpirun, srun, hwloc-bind: `_STRICT`), pueue's queue, terminal recorders
(asciinema, ttyrec), mispipe, ansible's ad-hoc modules, socat's addresses and netcat's -e/-c.
A launcher that runs a command is judged as that command; one whose words the policy cannot
read is unknown. Over about 600 lines: the launchers' option tables are data, one
launcher a few lines, and splitting them from their one reader would scatter the grammar."""

from __future__ import annotations

import re
from typing import NamedTuple

from bastion.command_control.policy.options import _last_argument, _options, _permuted, _scan_options
from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.readers import _cluster_letter
from bastion.command_control.policy.splitters import posix_words, space_words
from bastion.command_control.policy.words import _at, _Site, _Word


def _word(value: str) -> _Word:
    return _Word(value, value)


# `cmake -E COMMAND`: the commands that write files, as the program that does the same (judged
# as that program, under the wrapper cmake), and those that only read or print.
# found after outside attack S (finding 6): copy_directory copies each SRC's contents into DEST
# itself, as `cp -rT` does (DEST/**), not SRC into DEST (DEST/SRC/**).
_CMAKE_AS = {
    "copy": ("cp",), "copy_if_different": ("cp",), "copy_if_newer": ("cp",),
    "copy_directory": ("cp", "-rT"), "copy_directory_if_different": ("cp", "-rT"),
    "copy_directory_if_newer": ("cp", "-rT"), "rename": ("mv",), "rm": ("rm",),
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
    verbs: frozenset[str] = frozenset()  # the subcommand that runs a command (`uv run`)
    operands: int = 0  # words before the command (`aws-vault exec PROFILE`)
    code: frozenset[str] = frozenset()  # options whose argument is shell code (`--wrap`)
    command: frozenset[str] = frozenset()  # options the command follows (`nix develop -c`)
    # Words that are not options are operands (a script, a package), not the command.
    installables: bool = False
    no_command: str = ""  # given no command: "shell" starts the user's, "stdin" reads one
    joined: bool = False  # the command's words are joined and run by a shell (watchexec)


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
# Launchers whose command may be a script they run with an interpreter (`uv run x.py`), and so
# `-` or a descriptor a program read from stdin.
_SCRIPT_RUNNERS = frozenset({"uv"})
_QUIET = frozenset({"--quiet", "--verbose", "--debug", "--help", "--silent"})


def _runs(verbs: str, short: str = "", long: tuple[str, ...] = (), flags: str = "",
          long_flags: tuple[str, ...] = (), **fields: object) -> _Strict:
    """The table of a launcher that runs the command after `verbs` (space separated)."""
    spec = _Strict(short, flags, frozenset(long), frozenset(long_flags) | _QUIET,
                   verbs=frozenset(verbs.split()))
    return spec._replace(**{k: frozenset(v) if isinstance(v, tuple) else v  # type: ignore[misc]
                            for k, v in fields.items()})


# found after outside attack O (finding 5): environment and tool managers, secret injectors,
# sandboxes, watchers and batch systems that run the command after their own words.
_NPX = _runs("", "pw", ("--package", "--workspace"), "y",
             ("--yes", "--no", "--workspaces", "--include-workspace-root"), code=("-c", "--call"))
_CONDA = _runs("run", "np", ("--name", "--prefix", "--cwd"), "v",
               ("--no-capture-output", "--live-stream", "--dev"), chdir=("--cwd",))
_SBATCH = _SLURM._replace(code=frozenset({"--wrap"}), installables=True, no_command="stdin")
_STRICT = {
    "mpirun": _MPI, "mpiexec": _MPI, "mpiexec.hydra": _MPI, "orterun": _MPI, "prun": _MPI,
    "srun": _SLURM, "salloc": _SLURM._replace(no_command="shell"), "sbatch": _SBATCH,
    "hwloc-bind": _HWLOC,
    "uv": _runs("run", "pfw", ("--with", "--with-editable", "--with-requirements", "--python",
                               "--directory", "--project", "--package", "--extra", "--group",
                               "--only-group", "--no-group", "--env-file", "--index",
                               "--index-url", "--default-index", "--extra-index-url",
                               "--find-links", "--cache-dir", "--config-file", "--color"),
                "qvnm", ("--no-sync", "--frozen", "--locked", "--isolated", "--no-project",
                         "--all-extras", "--all-groups", "--no-dev", "--dev", "--script",
                         "--offline", "--active", "--no-cache", "--exact", "--no-env-file",
                         "--no-editable", "--module", "--no-config", "--all-packages"),
                chdir=("--directory",)),
    "poetry": _runs("run", "CP", ("--directory", "--project"), "qvn",
                    ("--no-interaction", "--no-ansi", "--ansi", "--no-plugins", "--no-cache"),
                    chdir=("-C", "--directory")),
    "pipenv": _runs("run", "", ("--python", "--pypi-mirror"), "qv", ("--system", "--clear")),
    "bundle": _runs("exec", "", ("--gemfile",), "", ("--keep-file-descriptors",)),
    "conda": _CONDA, "mamba": _CONDA, "micromamba": _CONDA,
    "pyenv": _runs("exec"), "rbenv": _runs("exec"), "nodenv": _runs("exec"),
    "goenv": _runs("exec"), "asdf": _runs("exec"),
    "mise": _runs("exec x", "Cj", ("--cd", "--jobs"), "", ("--raw",), chdir=("-C", "--cd"),
                  code=("-c", "--command"), installables=True),
    "npx": _NPX, "npm": _NPX._replace(verbs=frozenset({"exec", "x"})),
    "pnpm": _NPX._replace(verbs=frozenset({"exec", "dlx"}), short="pwC",
                          long=_NPX.long | {"--dir"}, chdir=frozenset({"-C", "--dir"})),
    "op": _runs("run", "", ("--env-file", "--account", "--config", "--cache", "--session",
                            "--encoding"), "", ("--no-masking", "--no-color")),
    "doppler": _runs("run", "pc", ("--project", "--config", "--token", "--scope", "--mount",
                                   "--mount-format", "--mount-template", "--name-transformer",
                                   "--fallback", "--api-host", "--dashboard-host"), "",
                     ("--preserve-env", "--forward-signals", "--no-fallback",
                      "--fallback-readonly", "--no-read-env", "--watch"), code=("--command",)),
    "aws-vault": _runs("exec", "d", ("--duration", "--mfa-token", "--region", "--backend",
                                     "--prompt", "--keychain", "--pass-dir", "--pass-cmd",
                                     "--pass-prefix", "--file-dir"), "",
                       ("--no-session", "--server", "--ec2-server", "--ecs-server", "--lazy",
                        "--json", "--stdout"), operands=1),
    "direnv": _runs("exec", operands=1),
    "meson": _runs("devenv", "Cw", ("--workdir", "--dump", "--dump-format"),
                   chdir=("-C", "-w", "--workdir")),
    "toolbox": _runs("run", "cdr", ("--container", "--distro", "--release")),
    "distrobox": _runs("enter", "ne", ("--name", "--additional-flags"), "rT",
                       ("--root", "--no-tty", "--no-workdir", "--clean-path"),
                       installables=True, command=("--",), no_command="shell"),
    "flatpak-spawn": _runs("", "", ("--env", "--directory", "--forward-fd", "--sandbox-expose",
                                    "--sandbox-expose-ro", "--sandbox-flag", "--unset-env"), "",
                           ("--host", "--watch-bus", "--clear-env", "--latest-version",
                            "--no-network", "--sandbox", "--expose-pids", "--share-pids"),
                           chdir=("--directory",)),
    "nix": _runs("develop shell", "fIk", ("--profile", "--file", "--expr", "--unset", "--keep",
                                          "--phase", "--include", "--update-input",
                                          "--extra-experimental-features"), "iLv",
                 ("--impure", "--ignore-environment", "--build", "--configure", "--install",
                  "--installcheck", "--unpack", "--print-build-logs", "--offline", "--refresh",
                  "--no-write-lock-file"),
                 two=("--arg", "--argstr", "--override-input", "--option", "--redirect"),
                 command=("-c", "--command"), installables=True, no_command="shell"),
    "nix-shell": _runs("", "IAkp", ("--attr", "--keep", "--include", "--packages"), "",
                       ("--pure", "--impure"), two=("--arg", "--argstr", "--option"),
                       code=("--run", "--command"), installables=True, no_command="shell"),
    "watchexec": _runs("", "ewifsdEW", ("--exts", "--watch", "--ignore", "--filter", "--signal",
                                        "--debounce", "--env", "--shell", "--on-busy-update",
                                        "--delay-run", "--poll", "--project-origin",
                                        "--workdir", "--emit-events-to", "--filter-file",
                                        "--ignore-file", "--stop-signal", "--stop-timeout"),
                       "rcnpNoq", ("--restart", "--clear", "--postpone", "--notify",
                                   "--no-vcs-ignore", "--no-project-ignore",
                                   "--no-global-ignore", "--no-default-ignore"),
                       chdir=("--workdir",), joined=True),
    # sandboxes whose options are many: the command after `--`, none without it (unknown)
    "nsjail": _runs("", command=("--",), installables=True),
    "minijail0": _runs("", command=("--",), installables=True),
}  # fmt: skip
# hwloc-bind's locations: `core:0`, `L2Cache:1`, `node:1.pu:2`, `os=eth0`, `0x3`, `all`,
# `~pu:0`. Taken broadly: a word taken for a location that hwloc-bind runs as the command
# leaves the words after it judged as a command all the same.
_LOCATION = re.compile(r"[~x^]?(all|root|0x[0-9a-fA-F,]+|[A-Za-z0-9_]*[:=].*|[0-9][0-9,.:-]*)")

_PUEUE_ADD = _options("wdgaol", ("--working-directory", "--delay", "--group", "--after",
                                 "--priority", "--label"))  # fmt: skip
_PUEUE_GLOBAL_ARGUMENT = frozenset({"-c", "--config", "-p", "--profile", "--color"})
_PUEUE_GLOBAL = _PUEUE_GLOBAL_ARGUMENT | {"-v", "-vv", "-vvv", "--verbose"}
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
# found after outside attack S (finding 12): FILE is OPEN, FIFO is PIPE, UNIX and LOCAL
# are UNIX-CLIENT.
_SOCAT_FILES = frozenset({"OPEN", "FILE", "CREATE", "CREAT", "GOPEN", "PIPE", "FIFO", "UNIX",
                          "LOCAL", "UNIX-LISTEN", "UNIX-L",
                          "UNIX-CONNECT", "UNIX-SENDTO", "UNIX-RECVFROM", "UNIX-RECV",
                          "UNIX-CLIENT", "ABSTRACT-LISTEN", "NAMEDPIPE"})
# found after outside attack U: address options naming a file socat writes (readline's history,
# a lock file, a symbolic link to a pty), and those running the address's command as another
# user or under another root, where its paths name other files: unknown.
_SOCAT_OPTION_WRITES = frozenset({"link", "symbolic-link", "history", "history-file", "lockfile",
                                  "waitlock"})
_SOCAT_OPTION_ELSEWHERE = frozenset({"chroot", "chroot-early", "su", "su-d", "substuser",
                                     "substuser-delayed", "substuser-early", "setuid",
                                     "setuid-early", "setgid", "setgid-early"})
_SOCAT_STDIN = frozenset({"-", "STDIO", "STDIN", "FD:0"})
# netcat's options (any of nc's flavours, ncat) that take an argument; those that run code
# (`-c CMD`, `--sh-exec`: a shell's; `-e PROG ARGS`: a program run with its words split); those
# that write a file.
_NC_ARGUMENT = "IiMmOPpqsTVwXxecog"
_NC_CODE_LONG = {"--sh-exec": "-c", "--exec": "-e", "--lua-exec": "--lua-exec",
                 "--output": "-o", "--hex-dump": "-x"}


_VERBS = {**{name: spec.verbs for name, spec in _STRICT.items() if spec.verbs},
          "pueue": frozenset({"add"}), "asciinema": frozenset({"rec", "record", "stream", "session"})}


def _other_verb(name: str, words: list[_Word]) -> bool:
    """Whether a launcher with subcommands is given, on the line, one that runs no command
    (`xargs npm install`: the words xargs appends are its operands, not a command)."""
    verbs = _VERBS.get(name)
    verb = _at(words, 1)
    return verbs is not None and verb is not None and verb.value is not None and \
        not verb.value.startswith("-") and verb.value not in verbs


class _Launchers:
    """Part of `_Collector` (collect.py): its handlers for launchers (module docstring)."""

    def _verb_unknown(self, name: str, words: list[_Word], site: _Site) -> bool:
        """True (and the line unknown) when the word that chooses what a launcher does (its
        subcommand, cmake's `-E`) is known only at run time: it may be the one that runs a
        command (`uv $x rm -rf /`)."""
        verb = _at(words, 1)
        if verb is None or (verb.value is not None and not verb.splits) or (
                not verb.splits and len(words) == 2):  # `cmake "$dir"`: nothing to run
            return False
        self._unknown(site, words, f"what {name} is asked to do is known only at run time")
        return True

    def _cmake(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`cmake -E COMMAND ARGS`: env, time and chdir run the command after them; copy,
        rename, touch, create_symlink, tar... are judged as cp, mv, touch, ln, tar are; a
        command the policy does not know is unknown. Anything else: a build (`_program_option`
        for `-P /dev/stdin`)."""
        if self._verb_unknown(name, words, site):
            return True
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

    def _strict(self, name: str, words: list[_Word], site: _Site, table: _Strict | None = None
                ) -> bool:
        """A launcher whose words `_STRICT` lists (mpirun, srun, uv run, nix develop...): the
        command after its options (and its subcommand, operands, `--`), run in the directory
        an option names, with the files options write and the code options give; an option
        not in its table (perhaps one whose argument would be taken for the command) makes the
        line unknown. mpirun's `:` starts another program with options of its own. `table`
        replaces the program's own (a subcommand spelled otherwise: launcher_spellings.py)."""
        spec = table or _STRICT[name]
        index = 1
        # found after outside attack S (finding 7): options before the subcommand (`uv -q run`,
        # `poetry -C /etc run`) are read with the same table as those after it; one it does not
        # hold makes the line unknown when the subcommand may follow.
        pending = bool(spec.verbs) and (_at(words, 1) is not None and words[1].value is not None
                                        and words[1].value.startswith("-") and words[1].value != "--")
        if pending and not any(w.value is None or w.value in spec.verbs for w in words[2:]):
            return False  # no subcommand that runs a command
        if spec.verbs and not pending:
            if self._verb_unknown(name, words, site):
                return True
            if _at(words, 1) is None or words[1].value not in spec.verbs:
                return False
            index = 2
        values = [w.value for w in words]
        if "--" in spec.command and "--" in values[index:]:
            at = values.index("--", index)  # sandboxes: whatever the options, the command
            self._plain(name, words[:at], site)
            return self._inner(words[at + 1:], site, name) or True
        operands, installed, given = spec.operands, False, False
        moved, folder = False, None  # moved: in the directory `folder` (None: unknown)
        codes: list[_Word | None] = []
        while index < len(words):
            value = words[index].value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--" and pending:
                self._unknown(site, words, f"{name} given `--` before its subcommand")
                return True
            if value == "--":
                index += 1
                given = True
                break
            if pending and (not value.startswith("-") or value == "-"):
                if value not in spec.verbs:
                    self._plain(name, words, site)
                    return True  # another subcommand: it runs no command
                pending = False
                index += 1
                continue
            if not value.startswith("-") or value == "-":
                if (spec.locations and _LOCATION.fullmatch(value)) or spec.installables or \
                        operands:
                    operands -= 0 if spec.installables or spec.locations else 1
                    installed = True
                    index += 1
                    continue
                given = True
                break
            option, has_value, attached = value.partition("=")
            if option in spec.command:
                index += 1
                given = True
                break
            taken = 0
            if option in spec.two:
                taken = 2
            elif option in spec.long or option in spec.code or (
                    len(option) == 2 and option[1] in spec.short):
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
            if option in spec.code:
                codes.append(argument)
            index += 1 + taken
        self._plain(name, words[:index], site)
        rest = words[index:] if given else []
        colon = next((i for i, w in enumerate(rest) if w.value == ":"), None)
        command, more = (rest, []) if colon is None else (rest[:colon], rest[colon + 1:])

        def judge() -> bool:
            for code in codes:
                self._code(code, site, name)
            if command and spec.joined:
                self._joined_code(command, site, name)
            elif command and name in _SCRIPT_RUNNERS and command[0].value is not None and (
                    command[0].value == "-" or _descriptor_file(command[0].value) is not None):
                # `uv run -`, `uv run --script /dev/stdin`: a python program read from stdin
                # (attack S, finding 9), not a command named `-`.
                if command[0].value == "-":
                    self._stdin_code(name, words, site, "an interpreter")
                else:
                    self._program_file(name, command[0], words, site, "an interpreter")
            elif command:
                self._inner(command, site, name)
            elif not codes and spec.no_command == "shell":
                self._user_shell(name, words, site)  # `salloc`, `nix develop`: a shell
            elif not codes and spec.no_command == "stdin" and not installed:
                self._stdin_code(name, words, site, "a shell")  # `sbatch`: a script on stdin
            if more:
                self._strict(name, [words[0], *more], site, table)
            return True

        return self._elsewhere(folder, judge) if moved else judge()

    def _make(self, name: str, words: list[_Word], site: _Site) -> bool:
        """make: `--eval=TEXT` (`-E TEXT`) is makefile text, whose `$(shell ...)` and recipes
        run commands the policy does not read: unknown. Else as `_program_option`."""
        for word in words[1:]:
            value = word.value
            if value is None or value == "--":
                break
            head = value.partition("=")[0]
            if (len(head) >= 4 and "--eval".startswith(head)) or \
                    _cluster_letter(value, ("-E",), "CfIoW")[0] is not None:
                self._unknown(site, words, "make --eval: makefile text, whose $(shell) and "
                                           "recipes run commands")
                return True
        self._make_variables(name, words, site)  # type: ignore[attr-defined]
        return self._program_option(name, words, site)

    def _ctest(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`ctest --build-and-test ... --test-command COMMAND ARGS`: the command after it."""
        values = [w.value for w in words]
        if "--test-command" not in values:
            return False
        at = values.index("--test-command")
        self._plain(name, words[:at], site)
        return self._inner(words[at + 1:], site, name) or True

    def _pueue(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`pueue add [options] [--] COMMAND`: the words joined, run by a shell later, in the
        directory -w names (else this one)."""
        if self._verb_unknown(name, words, site):
            return True
        # found after outside attack S (finding 7): its global options before `add`.
        start = 1
        while start < len(words) and words[start].value in _PUEUE_GLOBAL:
            start += 1 + (words[start].value in _PUEUE_GLOBAL_ARGUMENT)
        if start < len(words) and words[start].value is not None and \
                words[start].value.startswith("-") and words[start].value != "--":
            self._unknown(site, words, f"pueue's option {words[start].value}, which the policy "
                                       "does not read, may take the word after it")
            return True
        if _at(words, start) is None or words[start].value != "add":
            return False
        scanned = _scan_options(words, start + 1, _PUEUE_ADD, patterns=True)
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
            if self._verb_unknown(name, words, site):
                return True
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
            text = arguments[1].value if arguments[1] is not None else None
            if text is not None and (re.search(r"\{\{|\{%|^\s*\{", text) or re.search(
                    r"(^|\s)(chdir|creates|removes|executable|stdin|argv|cmd|expand_argument_vars"
                    r"|strip_empty_ends|stdin_add_newline|warn)=", text)):
                # ansible templates the text (jinja2) and takes its own key=value words out of
                # it (`chdir=/ rm -rf etc`): what runs is not the text (attack j19f, 7)
                self._unknown(site, words, "ansible's module arguments with templates or its "
                                           "own parameters")
                return True
            if text is not None and chosen == "command":
                # the command module splits the text with shlex, no shell (`#` no comment)
                self._split_code(text, posix_words, words, site, name)  # type: ignore[attr-defined]
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
            # found after outside attack S (finding 12): the argument attached (`-lf/x`,
            # `-L/x`, `-W/x`), the longest option first.
            attached = next((o for o in sorted(_SOCAT_ARGUMENT, key=len, reverse=True)
                             if value.startswith(o) and value != o), None)
            if attached is not None:
                if attached in _SOCAT_WRITES:
                    self.commands.append(self._file_operation(
                        ">", _word(value[len(attached):]), site.text, site))
            elif value in _SOCAT_ARGUMENT:
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
            if kind == "EXEC":  # its words split on whitespace, no shell (attack j19f, 7)
                self._split_code(rest.split(",", 1)[0], space_words, words, fed, "socat")  # type: ignore[attr-defined]
            rest = rest.partition(",")[2]
        elif kind in _SOCAT_FILES:
            path, _, rest = rest.partition(",")
            self.commands.append(self._file_operation(">", _word(path), site.text, site))
        for option in rest.split(",") if kind in _SOCAT_CODE | _SOCAT_FILES else \
                address.split(",")[1:]:
            key, equals, value = option.partition("=")
            if key.strip().lower() in _SOCAT_OPTION_WRITES and equals:
                self.commands.append(self._file_operation(">", _word(value), site.text, site))
            elif key.strip().lower() in _SOCAT_OPTION_ELSEWHERE:
                self._unknown(site, words, f"a socat address run as another user or root ({key})")

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
                # found after outside attack S (finding 12): ncat (getopt_long) takes any
                # start of a long option; one that starts several is taken for each of ours.
                option = _NC_CODE_LONG.get(head, "")
                starts = {o for long, o in _NC_CODE_LONG.items() if long.startswith(head)}
                if not option and len(head) > 2 and starts:
                    if len(starts) > 1:
                        self._unknown(site, words, f"{name}'s option {head} may be any of several")
                        return True
                    option = starts.pop()
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
                if argument.value is not None:  # ncat splits it on whitespace (j19f, 7)
                    self._split_code(argument.value, space_words, words, fed, name)  # type: ignore[attr-defined]
                if words[index:]:
                    self._inner([argument, *words[index:]], fed, name)
            elif option == "--lua-exec":
                self._unknown(site, words, f"{name} runs a Lua script")
            elif option == "-o" or (option == "-x" and name == "ncat"):
                self.commands.append(self._file_operation(">", argument, site.text, site))
        return True
