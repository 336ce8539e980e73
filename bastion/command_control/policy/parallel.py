"""GNU parallel's options, read as its Getopt::Long reads them (bundling, require_order, any
unambiguous start of a long name), from the table of every option parallel 20221122 knows
(its `options_completion_hash`). An option the table does not know, an ambiguous start, or
an option whose value is Perl code or names more options makes the line unknown. What the
others mean to the policy: code parallel runs (`--ssh`, `--compress-program`, `--limit`),
files it writes (`--joblog`, `--results`, `--tmpl`, `--tmpdir`, `--wd`, `--return`), other
separators for its input sources (`--arg-sep`, `--arg-file-sep`), inputs it reshapes."""

from __future__ import annotations

import re
from typing import NamedTuple

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

# Every option: its names (the first is the one `ParallelOptions.found` uses) and what follows
# it: "" none, "=" a value (attached, or the next word), ":s" an optional value (attached, or
# the next word unless it starts with `-`: `parallel -i cp ...` takes `cp` for the
# replacement string), ":f" an optional number (attached, or the next word if a number).
_SPECS = """
debug|D= xargs m X v sql= sql-master|sqlmaster= sql-worker|sqlworker=
sql-and-worker|sqlandworker= joblog|jl= results|result|res= resume resume-failed|resumefailed
retry-failed|retryfailed silent keep-order|keeporder|k no-keep-order|nokeeporder|nok|no-k group g
ungroup|u latest-line|latestline|ll line-buffer|line-buffered|linebuffer|linebuffered|lb tmux
tmux-pane|tmuxpane null|0 quote|q parens= rpl= plus I= extensionreplace|er= U=
basenamereplace|bnr= dirnamereplace|dnr= basenameextensionreplace|bner= seqreplace= slotreplace=
jobs|j= delay= ssh-delay|sshdelay= load= noswap max-line-length-allowed|maxlinelengthallowed
number-of-cpus|numberofcpus number-of-sockets|numberofsockets number-of-cores|numberofcores
number-of-threads|numberofthreads use-sockets-instead-of-threads|usesocketsinsteadofthreads
use-cores-instead-of-threads|usecoresinsteadofthreads
use-cpus-instead-of-cores|usecpusinsteadofcores shell-quote|shellquote|shell_quote nice= tag
tag-string|tagstring= ctag ctag-string|ctagstring= color|colour
color-failed|colour-failed|colorfailed|colourfailed|color-fail|colour-fail|colorfail|colourfail|cf
onall nonall filter-hosts|filterhosts|filter-host sshlogin|S= sshloginfile|slf= controlmaster|M
ssh= transfer-file|transferfile|transfer-files|transferfiles|tf= return= trc= transfer cleanup
basefile|bf= template|tmpl= B= ctrl-c|ctrlc no-ctrl-c|no-ctrlc|noctrlc work-dir|workdir|wd= W=
rsync-opts|rsyncopts= tmpdir|tempdir=
use-compress-program|compress-program|usecompressprogram|compressprogram=
use-decompress-program|decompress-program|usedecompressprogram|decompressprogram= compress
open-tty|o tty T H= dry-run|dryrun|dr progress eta bar total-jobs|totaljobs|total= shuf
arg-sep|argsep= arg-file-sep|argfilesep= trim= env= recordenv|record-env session plain
profile|J= tollef gnu link|xapply linkinputsource|xapplyinputsource=
will-cite|willcite|nn|nonotice|no-notice halt-on-error|haltonerror|halt= limit= memfree=
memsuspend= retries= timeout= term-seq|termseq= max-procs|maxprocs|P= delimiter|d=
max-chars|maxchars|s= arg-file|argfile|a= no-run-if-empty|norunifempty|r replace|i:s E=
eof|e:s process-slot-var|processslotvar= max-args|maxargs|n= max-replace-args|maxreplaceargs|N=
col-sep|colsep|C= csv help|h L= max-lines|maxlines|l:f interactive|p verbose|t version|V
min-version|minversion= show-limits|showlimits exit|x semaphore
semaphore-timeout|semaphoretimeout|st= semaphore-name|semaphorename|id= fg bg wait
shebang|hashbang _pipe-means-argfiles Y skip-first-line|skipfirstline bug pipe|spreadstdin
round-robin|roundrobin|round recstart= recend= regexp|regex remove-rec-sep|removerecsep|rrs
output-as-files|outputasfiles|files block-size|blocksize|block= block-timeout|blocktimeout|bt=
header= cat fifo pipe-part|pipepart tee shard= bin= group-by|groupby= hgrp|hostgrp|hostgroup|hostgroups
embed filter= _parset= shell-completion|shellcompletion= _test=
"""


def _table() -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}  # any name -> the option's first name
    takes: dict[str, str] = {}  # first name -> "", "=", ":s" or ":f"
    for spec in _SPECS.split():
        match = re.fullmatch(r"([^=:]+)(=|:s|:f)?", spec)
        assert match is not None, spec
        aliases = match.group(1).split("|")
        takes[aliases[0]] = match.group(2) or ""
        names.update({alias: aliases[0] for alias in aliases})
    return names, takes


_NAMES, _TAKES = _table()
_LONG = tuple(sorted(_NAMES))

# Options whose value is Perl code, or names options read from elsewhere, or a program given
# by a file (`--shebang`: parallel reads its arguments from the script): unknown.
UNKNOWN = frozenset({"rpl", "parens", "filter", "profile", "shebang", "sql", "sql-master",
                     "sql-worker", "sql-and-worker", "rsync-opts", "_parset", "_test",
                     "_pipe-means-argfiles", "shard", "bin", "group-by",
                     "sshloginfile"})  # its lines may be ssh commands (attack a36f, 15)
# Options whose value is a command parallel runs in a shell.
CODE = frozenset({"ssh", "use-compress-program", "use-decompress-program", "limit"})
# Options after which parallel runs nothing (it prints and exits).
STOP = frozenset({"version", "help", "show-limits", "number-of-cpus", "number-of-sockets",
                  "number-of-cores", "number-of-threads", "bibtex", "embed", "shell-completion",
                  "max-line-length-allowed", "min-version", "shell-quote"})
# Options that change what an input is or where it goes in the command: its values are known
# only at run time (a file's name with --cat/--fifo, a block of stdin with --pipe).
RESHAPE = frozenset({"I", "replace", "col-sep", "N", "max-args", "max-replace-args", "L",
                     "max-lines", "X", "m", "xargs", "plus", "extensionreplace",
                     "basenamereplace", "dirnamereplace", "basenameextensionreplace",
                     "seqreplace", "slotreplace", "E", "eof", "delimiter", "null", "csv",
                     "trim", "header", "pipe", "pipe-part", "round-robin", "tee", "cat", "fifo",
                     "recstart", "recend", "regexp", "remove-rec-sep", "link", "linkinputsource",
                     "skip-first-line"})
_REPLACEMENT = re.compile(r"\{[^{}\s]*\}")


class ParallelOptions(NamedTuple):
    """parallel's options: the index of the command's first word, each option by its first
    name with its value (None: none), or why the line is unknown ("" when it is not)."""

    index: int
    found: list[tuple[str, _Word | None]]
    unknown: str = ""


def read_options(words: list[_Word]) -> ParallelOptions:
    """parallel's (or sem's) options from words[1] on, up to the command or `--`."""
    found: list[tuple[str, _Word | None]] = []
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        if value is None:
            return ParallelOptions(index, found, "options known only at run time")
        if value == "--":
            return ParallelOptions(index + 1, found)
        if not value.startswith("-") or value == "-":
            return ParallelOptions(index, found)
        following = words[index + 1] if index + 1 < len(words) else None
        if value.startswith("--"):
            head, has_value, rest = value[2:].partition("=")
            name = _NAMES.get(head)
            if name is None:
                starts = {_NAMES[n] for n in _LONG if n.startswith(head)} if head else set()
                if len(starts) != 1:
                    return ParallelOptions(index, found, f"an option parallel does not know "
                                                         f"or cannot tell apart: --{head}")
                name = starts.pop()
            takes = _TAKES[name]
            if has_value:
                if not takes:
                    return ParallelOptions(index, found, f"--{head} takes no value")
                found.append((name, _Word(rest, rest)))
            elif _next_is_value(takes, following):
                found.append((name, following))
                index += 1
            elif takes == "=":
                return ParallelOptions(index, found, f"--{head} without its value")
            else:
                found.append((name, None))
            index += 1
            continue
        for offset, letter in enumerate(value[1:], start=2):
            name = _NAMES.get(letter)
            if name is None:
                return ParallelOptions(index, found, f"an option parallel does not know: -{letter}")
            takes = _TAKES[name]
            attached = value[offset:]
            if takes and attached and (takes != ":f" or _number(attached)):
                found.append((name, _Word(attached, attached)))
                break
            if takes and _next_is_value(takes, following) and offset == len(value):
                found.append((name, following))
                index += 1
                break
            if takes == "=":
                return ParallelOptions(index, found, f"-{letter} without its value")
            found.append((name, None))
        index += 1
    return ParallelOptions(index, found)


def _number(text: str) -> bool:
    return re.fullmatch(r"[0-9]*\.?[0-9]+", text) is not None


def _next_is_value(takes: str, following: _Word | None) -> bool:
    if following is None or not takes:
        return False
    if takes == "=":
        return True
    if following.value is None:
        return takes == ":s"  # taken, whatever it turns out to be
    if takes == ":f":
        return _number(following.value)
    return not following.value.startswith("-") or following.value == "-"


def written(found: list[tuple[str, _Word | None]]) -> list[PathArg]:
    """The files parallel's options make it write: --joblog F (`+F` appends), --results NAME
    (NAME, and the tree of folders under it), --tmpl FILE=REPL (REPL, once for each job),
    --tmpdir and --wd DIR (DIR/**), --return and --trc F (fetched back for each job). A name
    holding a replacement string (`{}`, `{#}`) is a pattern."""
    paths: list[PathArg] = []
    for name, argument in found:
        if argument is None:
            continue
        if argument.value is None:
            if name in ("joblog", "results", "template", "tmpdir", "work-dir", "return", "trc"):
                paths.append(_path_arg(argument))
            continue
        value = argument.value
        if name == "joblog":
            paths.append(_named(argument, value.removeprefix("+")))
        elif name == "results":
            paths += [_named(argument, value), _named(argument, f"{value.rstrip('/')}/**")]
        elif name == "template":
            paths.append(_named(argument, value.partition("=")[2] or value))
        elif name in ("tmpdir", "work-dir") and value not in ("...", "."):
            paths.append(_named(argument, f"{value.rstrip('/')}/**"))
        elif name in ("return", "trc"):
            paths.append(_named(argument, value))
    return paths


def _named(word: _Word, text: str) -> PathArg:
    pattern = _REPLACEMENT.sub("*", text)
    # a `~` of the word's own only while the text still starts with it (`--template A=B`)
    tilde = word.text.startswith("~") and text.startswith("~")
    if pattern != text or "**" in text or word.glob:
        return PathArg(pattern, "pattern", tilde)
    return _path_arg(word, text, tilde)
