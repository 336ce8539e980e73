"""The collector's handlers for more launchers (found after outside attack W, finding 2):
programs that run a command, shell code or a program given in their words, which the policy
judged as plain programs, so that the command ran unjudged (`niceload tee F`, `fd -x rm`).

Methods of `_Collector` (collect.py): launchers read from a `_Strict` table (collect_launchers.py:
an option the table does not hold makes the line unknown): niceload, env-cmd, reflex,
saml2aws, rr record, gdbserver, infisical run, chamber exec, envchain; and launchers with a
grammar of their own: fd's `-x`/`-X` (the command run for each file found), rg's `--pre` and
`--hostname-bin`, hyperfine's and concurrently's commands, `scl enable`, `asdf env`,
cross-env, nodemon's `--exec`, `sops exec-env`, `bpftrace -c`, and cargo's `--config` settings
that name a program."""

from __future__ import annotations

import re
import shlex

from bastion.command_control.policy.collect_launchers import _runs, _Strict
from bastion.command_control.policy.process_managers import Plan, pm2_plan, rr_replay_plan
from bastion.command_control.policy.programs import _SSH_CODE_OPTIONS, _ssh_tokens, ssh_setting
from bastion.command_control.policy.python_tools import PY_TOOLS, read_py_tool
from bastion.command_control.policy.splitters import fuse_options, sshfs_words
from bastion.command_control.policy.variables import _hook_kind
from bastion.command_control.policy.words import _at, _dynamic, _Site, _Word
from bastion.text import one_line

# Launchers whose every option the policy reads (`_strict`): the command follows the options.
# The launchers with a handler of their own here, by the collector method that reads each.
STARTER_METHODS = {
    "fd": "_fd", "fdfind": "_fd", "rg": "_rg", "hyperfine": "_hyperfine", "scl": "_scl",
    "asdf": "_asdf", "cross-env": "_cross_env", "cross-env-shell": "_cross_env",
    "nodemon": "_nodemon", "cargo": "_cargo", "concurrently": "_concurrently", "sops": "_sops",
    "bpftrace": "_bpftrace", "sshfs": "_sshfs",
    **dict.fromkeys(PY_TOOLS, "_py_tool"), "pm2": "_pm2",
}
_STARTERS: dict[str, _Strict] = {
    # GNU parallel's niceload (Getopt::Long with bundling and require_order); --sensor is shell
    # code, -p/--pid names a running process (then nothing is run).
    "niceload": _runs(
        "", "fIlLMnpstN",
        ("--factor", "--sensor", "--si", "--sio", "--startio", "--start-io", "--ri", "--rio",
         "--runio", "--run-io", "--io", "--sl", "--startload", "--start-load", "--rl",
         "--runload", "--run-load", "--load", "--sm", "--startmem", "--start-mem", "--rm",
         "--runmem", "--run-mem", "--mem", "--nethops", "--nice", "--program", "--prg",
         "--process", "--pid", "--suspend", "--recheck"),
        "DHSBqhvVN",
        ("--debug", "--hard", "--soft", "--sn", "--startnoswap", "--start-noswap",
         "--start-no-swap", "--rn", "--runnoswap", "--run-noswap", "--run-no-swap", "--noswap",
         "--battery", "--net", "--baseline", "--quote", "--help", "--version"),
        code=("--sensor",)),
    # (--use-shell, which runs the words as shell code, is not in the table: unknown.)
    "env-cmd": _runs("", "fre", ("--file", "--rc-file", "--environments"), "hv",
                     ("--fallback", "--no-override", "--silent", "--expand-envs", "--recursive",
                      "--version")),
    # (-c/--config, a file of commands, is not in the table: unknown.)
    "reflex": _runs("", "rRgGd", ("--regex", "--inverse-regex", "--glob", "--inverse-glob",
                                  "--decoration"), "sve",
                    ("--start-service", "--all", "--only-files", "--only-dirs", "--sequential",
                     "--help")),
    "saml2aws": _runs("exec", "ap", ("--idp-account", "--idp-provider", "--mfa", "--url",
                                     "--username", "--password", "--mfa-token", "--role",
                                     "--aws-urn", "--session-duration", "--profile",
                                     "--region", "--config", "--exec-profile",
                                     "--credentials-file", "--cache-file"),
                      "s", ("--skip-verify", "--disable-keychain", "--cache-saml", "--skip-prompt"),
                      writes=("--credentials-file",)),
    "rr": _runs("record", "bchnpuvw", ("--bind-to-cpu", "--chaos", "--num-cpu-ticks",
                                         "--env", "--output-trace-dir", "--print-trace-dir",
                                         "--syscall-buffer-size", "--syscall-buffer-sig",
                                         "--tracee-dir"), "MnhqSi",
                ("--no-syscall-buffer", "--no-read-cloning", "--no-file-cloning",
                 "--wait", "--asan", "--tsan", "--disable-avx-512", "--nested", "--ignore-nested",
                 "--stdio-marks", "--setuid-sudo", "--quiet"), writes=("--output-trace-dir",)),
    # the class: a debugger's server starts PROGRAM ARGS through /bin/sh (its default
    # --startup-with-shell), so the words are shell code; --wrapper (a program), --attach
    # PID (a running process given to whoever connects) and --multi (whoever connects runs
    # any program) are unknown
    "gdbserver": _runs("", "", (), "", ("--once", "--debug", "--remote-debug",
                                         "--disable-randomization", "--no-disable-randomization",
                                         "--startup-with-shell", "--no-startup-with-shell"),
                       operands=1, joined=True),
    # secret injectors, as op run and doppler run: the command after their words
    "infisical": _runs("run", "", ("--env", "--path", "--projectId", "--token", "--domain",
                                   "--tags"), "", ("--expand", "--include-imports",
                                                   "--silent", "--recursive")),
    "chamber": _runs("exec", "", ("--backend", "--kms-key-alias", "--retries", "--region"), "",
                     ("--pristine", "--strict"), operands=1),
    "envchain": _runs("", "", (), "", (), operands=1),
}  # fmt: skip
# rr's subcommands that run no new program (replay only replays a trace, under gdb).
_RR_OTHER = frozenset({"replay", "rerun", "ps", "dump", "sources", "traceinfo", "buildid",
                       "cpufeatures", "help", "pack", "explain", "mark", "ls", "rm"})
# fd's options that run a command for each file found, and those that take a value (which is
# then no command).
_FD_EXEC = frozenset({"-x", "--exec", "-X", "--exec-batch"})
# rg's options whose value is a program rg runs (for each file, or once).
_RG_PROGRAM = frozenset({"--pre", "--hostname-bin"})
# hyperfine's options whose value is shell code, and those whose value is a file it writes.
_HYPERFINE_CODE = frozenset({"-s", "--setup", "-p", "--prepare", "-c", "--cleanup",
                             "--conclude", "--reference"})
_HYPERFINE_WRITES = frozenset({"--export-asciidoc", "--export-csv", "--export-json",
                               "--export-markdown", "--export-orgmode"})
_HYPERFINE_VALUE = frozenset({"-w", "--warmup", "-m", "--min-runs", "-M", "--max-runs", "-r",
                              "--runs", "-D", "--parameter-step-size", "-S", "--shell",
                              "--style", "--sort", "-u", "--time-unit", "--output", "--input",
                              "-n", "--command-name"}) | _HYPERFINE_CODE | _HYPERFINE_WRITES
_HYPERFINE_FLAGS = frozenset({"-i", "--ignore-failure", "-N", "--show-output", "-h", "--help",
                              "-V", "--version"})
# concurrently's options that take a value, and its flags: every operand is shell code.
_CONCURRENTLY_VALUE = frozenset({
    "-n", "--names", "--name-separator", "-s", "--success", "-c", "--prefix-colors", "-p",
    "--prefix", "-l", "--prefix-length", "-t", "--timestamp-format", "--restart-tries",
    "--restart-after", "--default-input-target", "-m", "--max-processes", "--hide",
    "--kill-signal", "--teardown", "--cwd"})
_CONCURRENTLY_FLAGS = frozenset({
    "-r", "--raw", "--no-color", "-k", "--kill-others", "--kill-others-on-fail", "-i",
    "--handle-input", "--group", "--pad-prefix", "--timings", "-P", "--passthrough-arguments",
    "-h", "--help", "-v", "-V", "--version"})
# sops exec-env/exec-file: options that take a value, and flags; then FILE and COMMAND (code).
_SOPS_VALUE = frozenset({"--user", "--filename", "--input-type", "--output-type", "--config"})
_SOPS_FLAGS = frozenset({"--background", "--no-fifo", "--same-process", "--pristine",
                         "--ignore-mac", "--verbose"})
# bpftrace: letters of its options that take a value, and whether -c (a command it runs) or
# --unsafe (its program may call system()) is given.
_BPFTRACE_VALUE = "BfoepIckK"
# cargo settings whose value is a program cargo runs (the runner of built programs, compiler
# wrappers, linkers, credential providers, the browser of `cargo doc --open`).
_CARGO_PROGRAM = re.compile(
    r"\s*(target\.[^=]*|host\.[^=]*|build\.(rustc|rustc-wrapper|rustc-workspace-wrapper|rustdoc"
    r"|rustflags|rustdocflags)|(registry|registries\.[^=]*)\."
    r"credential-provider|credential-alias\.[^=]*|doc\.browser|alias\.[^=]*|env\.[^=]*)\s*=",
    re.I)


class _Starters:
    """Part of `_Collector` (collect.py): its handlers for the launchers of attack W, finding 2
    (module docstring)."""

    def _starter(self, name: str, words: list[_Word], site: _Site) -> bool:
        if name == "rr":
            verb = _at(words, 1)
            if verb is not None and verb.value == "replay":
                return self._planned(name, words, site, rr_replay_plan(words))
            if verb is not None and verb.value in _RR_OTHER:
                return self._as_unread(name, words, site)
            if verb is not None and verb.value != "record" and not (verb.value or "-").startswith("-"):
                # `rr PROGRAM`: rr records PROGRAM, as `rr record PROGRAM` does.
                words = [words[0], _Word("record", "record"), *words[1:]]
        if name == "envchain" and _at(words, 1) is not None and (words[1].value or "").startswith("-"):
            return False  # `envchain --set NS VAR`, `--list`: it runs nothing
        start = len(self.commands)  # type: ignore[attr-defined]
        if self._strict(name, words, site, _STARTERS[name]):  # type: ignore[attr-defined]
            return True
        return self._as_unread(name, words, site, start)

    def _pm2(self, name: str, words: list[_Word], site: _Site) -> bool:
        """pm2 (policy/process_managers.py): `pm2 start`'s app judged as the command it runs;
        the verbs that write, install or run what the line does not show are unknown; the
        others are read as an unread program's."""
        plan = pm2_plan(words)
        if plan is None:
            return self._as_unread(name, words, site)
        return self._planned(name, words, site, plan)

    def _planned(self, name: str, words: list[_Word], site: _Site, plan: Plan) -> bool:
        """Judge a reader's plan: the program's own words, its writes, what it runs."""
        self._plain(name, words, site)  # type: ignore[attr-defined]
        for written in plan.writes:
            self.commands.append(self._file_operation(  # type: ignore[attr-defined]
                ">", written, site.text, site))
        if plan.unknown:
            self._unknown(site, words, plan.unknown)  # type: ignore[attr-defined]
        elif plan.command is not None:
            self._inner(plan.command, site, name)  # type: ignore[attr-defined]
        return True

    def _py_tool(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A Python runner or profiler (policy/python_tools.py): what it runs is judged as
        `python3 [-m] X` (or as the command it is given), its output options as writes; an
        option its table does not hold is unknown. Its other subcommands are read as an unread
        program's (`coverage html -d DIR`)."""
        tool = PY_TOOLS[name]
        index = 1
        if tool.verbs:
            verb = _at(words, 1)
            if verb is not None and verb.value is None:
                self._unknown(site, words, f"a {name} subcommand known only at run time")
                return True
            if verb is None or verb.value not in tool.verbs:
                return self._as_unread(name, words, site)
            index = 2
        run = read_py_tool(tool, words, index)
        if run.unread:
            self._unknown(site, words, f"{name}'s option {run.unread}, which the policy does not "
                                       "read, may take the word after it: what it runs cannot "
                                       "be told" if run.unread != "?" else
                                       f"options of {name} known only at run time")
            return True
        self._plain(name, words[:run.start], site)  # type: ignore[attr-defined]
        for option, given in run.found:
            if option in tool.writes and given is not None:
                self.commands.append(self._file_operation(  # type: ignore[attr-defined]
                    ">", given, site.text, site))
            allowed = tool.choices.get(option)
            if allowed is not None and (given is None or given.value not in allowed):
                self._unknown(site, words, f"{name}'s {option} may name a class it imports "
                                           "(Python code)")
        rest = words[run.start:]
        if tool.separator:
            rest = [w for w in rest if w.value != tool.separator]
        if run.mode == "none":
            return True
        if run.mode == "command":
            return self._inner(rest, site, name) or True  # type: ignore[attr-defined]
        python = [_Word("python3", "python3")]
        if run.mode in ("module", "code"):
            flag = "-m" if run.mode == "module" else "-c"
            python += [_Word(flag, flag), *([run.value] if run.value is not None else [])]
        if len(python) == 1 and not rest:
            return True
        return self._inner([*python, *rest], site, name) or True  # type: ignore[attr-defined]

    def _as_unread(self, name: str, words: list[_Word], site: _Site, start: int | None = None
                   ) -> bool:
        """Judge what a launcher does when it runs no command (`saml2aws login
        --credentials-file F`, `cargo build --target-dir D`, `sops -i F`) as a program the
        policy does not read (policy/unread.py): the files it names are writes it may make, as
        before it had a handler. The commands collected from `start` are dropped first."""
        if start is not None:
            del self.commands[start:]  # type: ignore[attr-defined]
        first = len(self.commands)  # type: ignore[attr-defined]
        self._plain(name, words, site)  # type: ignore[attr-defined]
        self._unread(first, words)  # type: ignore[attr-defined]
        return True

    def _fd(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`fd PATTERN PATH -x CMD ARGS` (`--exec`, `-X`, `--exec-batch`): CMD runs for each
        file found (`{}`, `{/}`, `{.}`... are its name), up to a `;` word."""
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--":
                return False  # the rest are patterns and paths
            option, has_value, _ = value.partition("=")
            if option in _FD_EXEC or (value.startswith("-") and not value.startswith("--")
                                      and set(value[1:]) & {"x", "X"}):
                if option not in _FD_EXEC or has_value:
                    self._unknown(site, words, f"{name}'s {value}: a command run for each file "
                                               "found, in a spelling the policy does not read")
                    return True
                command = []
                for later in words[index + 1:]:
                    if later.value in (";", "\\;"):
                        break
                    command.append(_dynamic(later) if later.value and "{" in later.value
                                   else later)
                self._plain(name, words[:index], site)  # type: ignore[attr-defined]
                return self._inner(command, site, name, dynamic=True) or True  # type: ignore[attr-defined]
        return False

    def _rg(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`rg --pre PROGRAM`: PROGRAM (a program, not shell code) runs for each file searched,
        given its path; `--hostname-bin PROGRAM` runs once."""
        # (rg takes no shortened long names)
        programs = [v for option, v in _long_values(words) if option in _RG_PROGRAM]
        if not programs:
            return False
        self._plain(name, words, site)  # type: ignore[attr-defined]
        for program in programs:
            if program is None or program.value is None:
                self._unknown(site, words, f"the program {name} runs is known only at run time")
            elif program.value:
                self._inner([program, _Word(None, "FILE")], site, name)  # type: ignore[attr-defined]
        return True

    def _hyperfine(self, name: str, words: list[_Word], site: _Site) -> bool:
        """hyperfine: each operand is shell code it runs (a command to time), as are the values
        of --setup, --prepare, --cleanup, --conclude and --reference; --export-* write files.
        An option it does not know makes the line unknown."""
        codes: list[_Word | None] = []
        shell: _Word | None = None
        index = 1
        given = False
        while index < len(words):
            word = words[index]
            value = word.value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--" and not given:
                given = True
                index += 1
                continue
            if given or not value.startswith("-") or value == "-":
                codes.append(word)
                index += 1
                continue
            option, has_value, attached = value.partition("=")
            taken: _Word | None = _Word(attached, attached) if has_value else _at(words, index + 1)
            if option in ("-P", "--parameter-scan"):
                self._unknown(site, words, f"{name} {option}: commands with parameters filled in")
                return True
            if option in ("-L", "--parameter-list"):
                self._unknown(site, words, f"{name} {option}: commands with parameters filled in")
                return True
            if option in _HYPERFINE_VALUE or (len(option) > 2 and not option.startswith("--")
                                             and option[:2] in _HYPERFINE_VALUE):
                if len(option) > 2 and not option.startswith("--"):
                    taken, has_value = _Word(option[2:], option[2:]), "="
                    option = option[:2]
                if option in _HYPERFINE_CODE:
                    codes.append(taken)
                if option in ("-S", "--shell"):
                    shell = taken  # the program each command runs through (attack j19f, 10)
                if (option in _HYPERFINE_WRITES or (option == "--output" and (
                        taken is None or taken.value not in ("null", "pipe", "inherit")))) \
                        and taken is not None:
                    self.commands.append(self._file_operation(  # type: ignore[attr-defined]
                        ">", taken, site.text, site))
                index += 1 if has_value else 2
                continue
            if option in _HYPERFINE_FLAGS or (not option.startswith("--") and set(option[1:]) <= set("iNhV")):
                index += 1
                continue
            self._unknown(site, words, f"{name}'s option {value}, which the policy does not read, "
                                       "may take the word after it")
            return True
        self._plain(name, words, site)  # type: ignore[attr-defined]
        for code in codes:
            self._code(code, site, name)  # type: ignore[attr-defined]
        if shell is not None:
            self._shell_program(shell, ["", *(c.value if c is not None else None for c in codes)],
                                words, site, name)
        return True

    def _shell_program(self, shell: _Word | None, commands: list[str | None],
                       words: list[_Word], site: _Site, name: str) -> None:
        """A runner's "shell", a command line it splits into words and runs as `WORDS -c
        COMMAND` for each command (hyperfine -S/--shell, also with an empty command to time the
        shell's start; make's SHELL=): each judged as the command it is (attack j19f, finding
        10). `none` runs no shell; one the policy cannot split: unknown."""
        if shell is not None and shell.value == "none" and name == "hyperfine":
            return
        try:
            parts = shlex.split(shell.value) if shell is not None and shell.value else None
        except ValueError:
            parts = None
        if not parts or any(c is None for c in commands):
            self._unknown(site, words, f"the shell {name} runs commands through is known only "  # type: ignore[attr-defined]
                                       "at run time")
            return
        for command in commands:
            self._code(shlex.join([*parts, "-c", command or ""]), site, name)  # type: ignore[attr-defined]

    def _sshfs(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`sshfs [-o OPTS] HOST:DIR MOUNTPOINT`: `-o ssh_command=CMD` runs CMD's words (split by
        sshfs) in place of ssh, ssh's own command options pass through (ProxyCommand...), `-F`
        names an ssh configuration; the mount over MOUNTPOINT is judged as `mount` (attack
        j19f, findings 4 and 10's class)."""
        operands: list[_Word] = []
        index = 1
        while index < len(words):
            value = words[index].value
            following = _at(words, index + 1)
            if value is None or (value in ("-o", "-F") and (following is None
                                                            or following.value is None)):
                self._unknown(site, words, f"options of {name} known only at run time")  # type: ignore[attr-defined]
                return True
            if value.startswith("-o"):
                text = value[2:] or following.value  # type: ignore[union-attr]
                index += 1 if value[2:] else 2
                for option in fuse_options(text):
                    key, _, setting = option.partition("=")
                    read = ssh_setting(option)
                    if key == "ssh_command":
                        self._code(shlex.join(sshfs_words(setting)), site, name)  # type: ignore[attr-defined]
                    elif read is not None and read[0] in _SSH_CODE_OPTIONS:
                        # ssh's %-tokens (attack s28f, finding 22)
                        code = _ssh_tokens(read[1])
                        if code is None:
                            self._unknown(site, words, "ssh's %-tokens in quoted code")  # type: ignore[attr-defined]
                        else:
                            self._code(code, site, name)  # type: ignore[attr-defined]
                continue
            if value == "-F" and following is not None and following.value != "/dev/null":
                self._unknown(site, words, "an ssh configuration file the policy does not read")  # type: ignore[attr-defined]
            if value == "--":
                operands += words[index + 1:]
                break
            if value in ("-p", "-F"):
                index += 1
            elif not value.startswith("-"):
                operands.append(words[index])
            index += 1
        self._plain(name, words, site)  # type: ignore[attr-defined]
        if len(operands) >= 2:
            self._inner([_Word("mount", "mount"), _Word("-t", "-t"),
                         _Word("fuse.sshfs", "fuse.sshfs"), *operands[-2:]], site, name)  # type: ignore[attr-defined]
        return True

    def _make_variables(self, name: str, words: list[_Word], site: _Site) -> None:
        """make's variables given on its line, which it reads as makefile text (attack j19f,
        finding 10's class, checked with GNU make 4.3): `X!=CMD` runs CMD through the shell
        when read, `$(shell CMD)` (any `$(`/`${` function) when expanded: unknown;
        `SHELL=WORDS` is the command line each recipe runs through (`_shell_program`);
        `.SHELLFLAGS=` the words before each recipe: unknown."""
        for word in words[1:]:
            value = word.value
            if value is None or value.startswith("-") or "=" not in value:
                continue
            head = value.partition("=")[0]
            variable = head.rstrip(":?+!").strip()
            if head.endswith("!"):
                self._code(value.partition("=")[2], site, name)  # type: ignore[attr-defined]
            if "$(" in value or "${" in value or variable == ".SHELLFLAGS":
                self._unknown(site, words, f"a {name} variable whose value runs commands "  # type: ignore[attr-defined]
                                           f"({one_line(variable, 30)})")
            elif variable == "SHELL":
                given = value.partition("=")[2]
                given = f"/bin/sh {given}" if head.endswith("+") else given
                self._shell_program(_Word(given, value), [""], words, site, name)
            elif _hook_kind(variable) in ("make program", "make flags", "unknown"):
                # CC, CFLAGS... run by the built-in rules through /bin/sh (attack m22f)
                given = value.partition("=")[2]
                self._hook(variable, _Word(given, value), site)  # type: ignore[attr-defined]

    def _scl(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`scl enable COLLECTION... 'COMMAND'` (also `run`, and the old `scl COLLECTION...
        COMMAND`): the last word is shell code, `-` reads it from stdin; after `--` the words
        are a command."""
        values = [w.value for w in words]
        verb = values[1] if len(values) > 1 else None
        if verb is None or verb.startswith("-") or verb in ("list-collections", "list-packages",
                                                            "load", "unload", "register",
                                                            "deregister", "man"):
            return False
        self._plain(name, words, site)  # type: ignore[attr-defined]
        if "--" in values:
            return self._inner(words[values.index("--") + 1:], site, name) or True  # type: ignore[attr-defined]
        last = words[-1]
        if len(words) < 3 or last is words[1]:
            return True
        if last.value == "-":
            return self._stdin_code(name, words, site, "a shell")  # type: ignore[attr-defined]
        return self._code(last, site, name)  # type: ignore[attr-defined]

    def _asdf(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`asdf env COMMAND [UTIL ARGS]` runs UTIL in COMMAND's environment; `asdf exec` is
        `_STRICT`'s."""
        verb = _at(words, 1)
        if verb is not None and verb.value == "env":
            self._plain(name, words[:3], site)  # type: ignore[attr-defined]
            return self._inner(words[3:], site, name) or True  # type: ignore[attr-defined]
        return self._strict(name, words, site)  # type: ignore[attr-defined]

    def _cross_env(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`cross-env A=1 B=2 COMMAND ARGS`: the assignments, then the command (cross-env-shell:
        the words joined and run by a shell)."""
        index = 1
        while index < len(words) and (words[index].value is None or "=" in (
                words[index].value or "").lstrip("=")):
            word = words[index]
            if word.value is None:
                self._unknown(site, words, f"words of {name} known only at run time")
                return True
            variable, _, value = word.value.partition("=")
            self._assigned(variable, _Word(value, value), word.text, site)  # type: ignore[attr-defined]
            index += 1
        if name == "cross-env-shell":
            return self._joined_code(words[index:], site, name) or True  # type: ignore[attr-defined]
        return self._inner(words[index:], site, name) or True  # type: ignore[attr-defined]

    def _nodemon(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`nodemon --exec 'CMD' SCRIPT` (`-x`): CMD runs (given the script) in a shell; a
        configuration file given (`--config`) may hold one too: unknown."""
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None:
                continue
            option, has_value, attached = value.partition("=")
            if option in ("-x", "--exec"):
                code = _Word(attached, attached) if has_value else _at(words, index + 1)
                self._plain(name, words, site)  # type: ignore[attr-defined]
                return self._code(code, site, name) or True  # type: ignore[attr-defined]
            if option == "--config":
                self._unknown(site, words, "nodemon's configuration file may name the command")
                return True
        return False

    def _cargo(self, name: str, words: list[_Word], site: _Site) -> bool:
        """cargo's `--config KEY=VALUE` (anywhere among its words) naming a program cargo runs
        (`target.*.runner`, `build.rustc-wrapper`, linkers...), or a file of settings: unknown."""
        for option, setting in _long_values(words):
            if option != "--config":
                continue
            text = setting.value if setting is not None else None
            if text is None or "=" not in text or _CARGO_PROGRAM.match(text):
                self._unknown(site, words, "cargo --config: a setting (or a file of them) that "
                                           "may name a program cargo runs")
                return True
        return self._as_unread(name, words, site)

    def _concurrently(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`concurrently [options] 'CMD' 'CMD'...`: each operand is shell code; an option not in
        its table is unknown."""
        codes: list[_Word] = []
        index = 1
        while index < len(words):
            word = words[index]
            value = word.value
            option = (value or "").partition("=")[0]
            if value is None or (value.startswith("-") and option not in _CONCURRENTLY_VALUE
                                 and option not in _CONCURRENTLY_FLAGS and value != "--"):
                self._unknown(site, words, f"{name}'s word {word.text}, which the policy does "
                                           "not read, may take the word after it")
                return True
            if value == "--":
                codes += words[index + 1:]
                break
            if option in _CONCURRENTLY_VALUE and "=" not in value:
                index += 2
                continue
            if not value.startswith("-"):
                codes.append(word)
            index += 1
        self._plain(name, words, site)  # type: ignore[attr-defined]
        for code in codes:
            self._code(code, site, name)  # type: ignore[attr-defined]
        return True

    def _sops(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`sops exec-env FILE 'CMD'` (`exec-file`): CMD is shell code, run with the secrets."""
        verb = _at(words, 1)
        if verb is None or verb.value not in ("exec-env", "exec-file"):
            return self._as_unread(name, words, site)  # `sops -i F`, `--output F`: writes
        operands: list[_Word] = []
        index = 2
        while index < len(words):
            value = words[index].value
            option = (value or "").partition("=")[0]
            if value is not None and value.startswith("-") and value != "-":
                if option in _SOPS_VALUE:
                    index += 1 if "=" in value else 2
                    continue
                if option not in _SOPS_FLAGS:
                    self._unknown(site, words, f"sops's option {value}, which the policy does "
                                               "not read, may take the word after it")
                    return True
                index += 1
                continue
            operands.append(words[index])
            index += 1
        self._plain(name, words, site)  # type: ignore[attr-defined]
        if len(operands) >= 2:
            self._code(operands[1], site, name)  # type: ignore[attr-defined]
        return True

    def _bpftrace(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`bpftrace -c 'CMD'` runs CMD (its words split); with `--unsafe` the program may call
        system(): unknown."""
        commands: list[_Word | None] = []
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None or value == "--":
                break
            if value.partition("=")[0] == "--unsafe":
                self._unknown(site, words, "bpftrace --unsafe: its program may run commands")
                return True
            if value.startswith("-") and not value.startswith("--"):
                for offset, letter in enumerate(value[1:], start=2):
                    if letter in _BPFTRACE_VALUE:
                        if letter == "c":
                            rest = value[offset:]
                            commands.append(_Word(rest, rest) if rest else _at(words, index + 1))
                        break
        self._as_unread(name, words, site)  # `-o FILE`: its output
        for command in commands:
            self._code(command, site, name)  # type: ignore[attr-defined]
        return True


def _long_values(words: list[_Word]) -> list[tuple[str, _Word | None]]:
    """Each word before `--` read as a long option with its value: attached after `=`, else
    the next word (None past the end); words known only at run time are skipped."""
    found: list[tuple[str, _Word | None]] = []
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value == "--":
            break
        if value is None:
            continue
        option, has_value, attached = value.partition("=")
        found.append((option, _Word(attached, attached) if has_value else _at(words, index + 1)))
    return found
