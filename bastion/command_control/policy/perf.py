"""perf's words read as its parse-options reads them (6.1): the command it runs, the shell code
of its hooks, the programs it runs for disassembly, the files it writes (found after outside
attack X, finding 5: `perf stat --pre 'cp X /etc/sudoers.d/zz' true`, `perf record -o FILE`,
`perf report --objdump=CMD`; finding 4: `perf stat --pre bash true` reading stdin).

parse-options takes any unambiguous start of a long option (`--pr` is --pre), a short option's
value attached (`-oFILE`) or next, and clusters of flags (`-aB`). For the subcommands that run
a command the options decide where the command starts, so an option the tables do not know
makes the line unknown."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.readers import _code_in_cluster
from bastion.command_control.policy.words import _at, _Word


class Perf(NamedTuple):
    """What one perf line does: `command` the index of the command it runs (None: none),
    `codes` shell code it runs, `writes` the files it writes, `unknown` why it cannot be read
    (None if it can)."""

    command: int | None
    codes: list[_Word]
    writes: list[PathArg]
    unknown: str | None = None


class _Table(NamedTuple):
    short: str  # short options that take a value
    flags: str  # short options that take none
    long: frozenset[str]  # long options that take a value (next word or `=`)
    optional: frozenset[str]  # long options whose value is attached only (`--aio=N`)
    long_flags: frozenset[str]


def _table(short: str, flags: str, long: str, optional: str, long_flags: str) -> _Table:
    return _Table(short, flags, frozenset(f"--{n}" for n in long.split()),
                  frozenset(f"--{n}" for n in optional.split()),
                  frozenset(f"--{n}" for n in long_flags.split()))


# From `perf SUBCOMMAND -h` (6.1): the subcommands that run a command after their options.
_STAT = _table(
    "CDeGIMoprtx", "aABdgijnSTvhq",
    "cpu delay event cgroup interval-print metrics output pid repeat tid field-separator control "
    "cputype filter for-each-cgroup interval-count log-fd post pre td-level timeout",
    "iostat",
    "all-cpus no-aggr big-num detailed group no-inherit json-output null sync transaction verbose "
    "all-kernel all-user append hybrid-merge interval-clear metric-no-group metric-no-merge "
    "metric-only no-csv-summary no-merge per-core per-die per-node per-socket per-thread per-cache "
    "percore-show-thread quiet scale smi-cost summary table topdown help")
_RECORD = _table(
    "cCDeFGjkmoprtu", "abBdiNnqRsTvWhg",
    "count cpu delay event freq cgroup branch-filter clockid mmap-pages output period pid realtime "
    "tid uid affinity call-graph clang-opt clang-path control filter max-size mmap-flush "
    "num-thread-synthesize proc-map-timeout switch-max-files switch-output-event synth vmlinux",
    "intr-regs snapshot compression-level aio aux-sample debuginfod switch-output threads user-regs",
    "all-cpus branch-any no-buildid data no-inherit no-buildid-cache no-samples quiet raw-samples "
    "stat timestamp verbose weight all-cgroups all-kernel all-user buildid-all buildid-mmap "
    "code-page-size data-page-size dry-run exclude-perf group kcore kernel-callchains namespaces "
    "no-bpf-event no-buffering off-cpu overwrite per-thread phys-data running-time sample-cpu "
    "sample-identifier strict-freq switch-events tail-synthesize timestamp-boundary "
    "timestamp-filename transaction user-callchains help")
_TRACE = _table(
    "CDeFGimoptu", "afsSTvh",
    "cpu delay event pf cgroup input mmap-pages output pid tid uid call-graph duration expr filter "
    "filter-pids map-dump max-events max-stack min-stack proc-map-timeout switch-off switch-on",
    "",
    "all-cpus force summary with-summary time verbose comm errno-summary failure "
    "kernel-syscall-graph libtraceevent no-inherit print-sample sched show-on-off-events "
    "sort-events syscalls tool help")
_FTRACE = _table(
    "DFGgmNTt", "aCpvh",
    "delay funcs graph-funcs nograph-funcs buffer-size notrace-funcs trace-funcs tracer func-opts "
    "graph-opts cpu pid tid",
    "",
    "all-cpus verbose inherit help")
_RUNS = {"stat": _STAT, "record": _RECORD, "trace": _TRACE, "ftrace": _FTRACE}
# Subcommands whose own `record` (or `stat`) runs a command with record's options.
_RECORDING = frozenset({"mem", "c2c", "lock", "sched", "kmem", "kwork", "timechart", "kvm"})
# Options, of any subcommand, naming what perf runs, writes or loads: stat's hooks are shell
# code, and so is the disassembler's path, which perf pastes into a command line it hands to
# /bin/sh (`--objdump='cp X Y;'`); addr2line's and clang's paths are read the same way.
_CODE = frozenset({"--pre", "--post", "--objdump", "--addr2line", "--clang-path"})
_OUTPUTS = frozenset({"--output", "--to-json", "--to-ctf"})  # ctf: a folder
_HELD = {"--dlfilter": "a shared object perf script loads", "--script": "a script perf runs",
         "--gen-script": "a script perf writes", "--control": "control files perf opens",
         "--exec-path": "where perf finds the programs it runs",
         "--buildid-dir": "a folder perf writes its cache into"}
_DANGEROUS = _CODE | _OUTPUTS | frozenset(_HELD)
# Subcommands whose -o names the file they write.
_WRITERS = frozenset({"inject", "timechart", "kvm"})
# perf's own options before the subcommand.
_GLOBAL = frozenset({"--version", "--help", "--no-pager", "--debug", "--list-cmds", "--list-opts",
                     "-v", "-vv", "-h"})


def _long(head: str, names: frozenset[str]) -> str | None:
    """The option `head` names among `names`: itself or the one it starts; None for none or
    several (perf refuses an ambiguous start)."""
    if head in names:
        return head
    starts = [n for n in names if n.startswith(head)]
    return starts[0] if len(starts) == 1 else None


def _record(option: str, value: _Word, found: Perf) -> None:
    if option in _CODE:
        found.codes.append(value)
    elif option in _OUTPUTS:
        path = _path_arg(value)
        found.writes.append(path if option != "--to-ctf" or path.kind == "unknown" else
                            path._replace(text=f"{path.text.rstrip('/')}/**", kind="pattern"))


def _scan(words: list[_Word], start: int, table: _Table, found: Perf) -> tuple[int, str | None]:
    """The options of a subcommand that runs a command: the index of the command, or why the
    words cannot be read."""
    index = start
    while index < len(words):
        value = words[index].value
        if value is None:
            return index, "options of perf known only at run time"
        if value == "--":
            return index + 1, None
        if not value.startswith("-") or value == "-":
            return index, None
        index += 1
        if value.startswith("--"):
            head, has_value, attached = value.partition("=")
            names = table.long | table.optional | table.long_flags
            option = _long(head, names) or (head if head.startswith("--no-") and _long(
                f"--{head[5:]}", names) else None)
            if option is None:
                return index, f"a perf option the policy does not know: {value}"
            if option in table.long_flags or option.startswith("--no-") or (
                    option in table.optional and not has_value):
                continue
            argument = _Word(attached, attached) if has_value else _at(words, index)
            if argument is None:
                return index, None
            index += 0 if has_value else 1
            if option in _HELD and argument.value != "":
                return index, f"{_HELD[option]}: {option}"
            _record(option, argument, found)
            continue
        for offset, letter in enumerate(value[1:], start=2):
            if letter in table.short:
                attached = value[offset:]
                argument = _Word(attached, attached) if attached else _at(words, index)
                if argument is None:
                    return index, None
                index += 0 if attached else 1
                if letter == "o":
                    found.writes.append(_path_arg(argument))
                break
            if letter not in table.flags:
                return index, f"a perf option the policy does not know: -{letter}"
    return index, None


def perf_words(words: list[_Word]) -> Perf:
    """`perf [GLOBAL] SUBCOMMAND [OPTIONS] [--] [COMMAND]` (module docstring)."""
    found = Perf(None, [], [])
    index = 1
    while index < len(words) and (words[index].value or "-").startswith("-"):
        value = words[index].value
        if value is None or value.partition("=")[0] not in _GLOBAL:
            return found._replace(unknown=f"a perf option the policy does not read: {words[index].text}")
        index += 1
    sub = _at(words, index)
    if sub is None:
        return found
    if sub.value is None:
        return found._replace(unknown="a perf subcommand known only at run time")
    table = _RUNS.get(sub.value)
    nested = _at(words, index + 1)
    nested_value = nested.value if nested is not None else ""
    if sub.value == "script" and nested_value in ("record", "report"):
        return found._replace(unknown=f"perf script {nested_value} runs a script")
    if sub.value in ("stat", "trace") and nested_value in ("record", "report"):
        # `perf stat record -o F CMD`, `perf trace record CMD`: the command after the options.
        table = (_STAT if sub.value == "stat" else _RECORD) if nested_value == "record" else None
        index += 1
    elif sub.value in _RECORDING and "record" in [w.value for w in words[index + 1:]]:
        # `perf sched record CMD`: record's options and command; options before `record`
        # (`perf kvm --guest record`) are not read.
        at = [w.value for w in words].index("record", index + 1)
        if at != index + 1:
            return found._replace(unknown=f"options of perf {sub.value}, which the policy does not read")
        table, index = _RECORD, at
    if table is not None:
        command, unknown = _scan(words, index + 1, table, found)
        return found._replace(command=command if command < len(words) else None, unknown=unknown)
    # Subcommands that run no command: the options anywhere that run, write or load.
    for position in range(index + 1, len(words)):
        value = words[position].value
        if value is None:
            return found._replace(unknown="a word of perf known only at run time")
        if not value.startswith("--"):
            # in a cluster too (`-Ds x.py`, `-ao F`: attack j19f, finding 1's class)
            if sub.value == "script" and _code_in_cluster(value, ("-s", "-g"), "ikFSCc") \
                    is not None:
                return found._replace(unknown=f"a script perf script runs or writes: {value}")
            written = _code_in_cluster(value, ("-o",), "") if sub.value in _WRITERS else None
            if written is not None:
                argument = _Word(written, written) if written else _at(words, position + 1)
                if argument is None:
                    continue
                found.writes.append(_path_arg(argument))
            continue
        head, has_value, attached = value.partition("=")
        starts = [n for n in _DANGEROUS if n.startswith(head)]
        if not starts:
            continue
        if len(starts) > 1 and head not in starts:
            return found._replace(unknown=f"a start of perf options that run or write: {value}")
        option = head if head in starts else starts[0]
        argument = _Word(attached, attached) if has_value else _at(words, position + 1)
        if option in _HELD or argument is None:
            return found._replace(unknown=f"{_HELD.get(option, 'an option given no value')}: {option}")
        _record(option, argument, found)
    return found
