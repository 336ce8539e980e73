"""git subcommands' options read as git's parse-options reads them (found after outside attack W,
finding 8): short options in clusters (`rebase -qx CMD`, `grep -iOCMD`, `clone -qc KEY=VALUE`),
a letter's value as the rest of the word or the next word, an optional value attached only
(`-O[PAGER]`, `-S[KEYID]`), long options by any start of their name, `--no-` forms; and where
the operands of clone, init and `worktree add` are once the options that take a value are
skipped (`clone -b B SRC DEST`)."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.words import _Word


class _GitOptions(NamedTuple):
    """A subcommand's options: short letters that take a value (`values`), that take one
    attached only (`optional`), that take none (`flags`); long names that take a value, take
    an optional one attached with `=`, or take none."""

    values: str
    optional: str = ""
    flags: str = ""
    long_values: frozenset[str] = frozenset()
    long_optional: frozenset[str] = frozenset()
    long_flags: frozenset[str] = frozenset()


# git 2.39 to 2.47 (`git CMD -h`). Short letters only for the subcommands whose code letters
# are judged (`_git_short_code`); all options for those whose operands name a destination.
_GIT_OPTIONS = {
    "rebase": _GitOptions("CsXx", "Sr"),
    "difftool": _GitOptions("tx"),
    "grep": _GitOptions("efABCm", "O"),
    "clone": _GitOptions(
        "jobuc", "", "vqnls46",
        frozenset({"--jobs", "--template", "--reference", "--reference-if-able", "--origin",
                   "--branch", "--upload-pack", "--depth", "--shallow-since", "--shallow-exclude",
                   "--separate-git-dir", "--config", "--server-option", "--filter", "--bundle-uri",
                   "--ref-format"}),
        frozenset({"--recurse-submodules", "--recursive"}),
        frozenset({"--verbose", "--quiet", "--progress", "--reject-shallow", "--no-checkout",
                   "--bare", "--mirror", "--local", "--no-hardlinks", "--shared", "--dissociate",
                   "--single-branch", "--no-tags", "--shallow-submodules", "--ipv4", "--ipv6",
                   "--also-filter-submodules", "--remote-submodules", "--sparse", "--checkout",
                   "--hardlinks", "--tags"})),
    "init": _GitOptions(
        "b", "", "q",
        frozenset({"--template", "--separate-git-dir", "--initial-branch", "--object-format",
                   "--ref-format"}),
        frozenset({"--shared"}), frozenset({"--bare", "--quiet"})),
    "bundle create": _GitOptions(
        "", "", "q", frozenset({"--version"}), frozenset(),
        frozenset({"--quiet", "--progress", "--all-progress", "--all-progress-implied"})),
    "worktree add": _GitOptions(
        "bB", "", "fdq", frozenset({"--reason"}), frozenset(),
        frozenset({"--force", "--detach", "--checkout", "--lock", "--quiet", "--track",
                   "--guess-remote", "--orphan", "--relative-paths"})),
}  # fmt: skip
# The letters whose value git runs as a command, or sets as a setting (`clone -c`).
_GIT_CODE_LETTERS = {"rebase": "x", "difftool": "x", "grep": "O", "clone": "u"}
_GIT_SETTING_LETTERS = {"clone": "c"}


def _git_short_code(verb: str, value: str, following: _Word | None
                    ) -> tuple[str, _Word | None, int] | None:
    """The code or setting a cluster of short options gives `verb` (`-qx CMD`: ("code", CMD,
    1)): its kind ("code", "setting"), its value (None: the next word is missing), and the
    words it took after the cluster. None when the cluster gives none. A letter the table does
    not know, or one whose value is optional (`rebase -rx CMD`: `-r` takes "x" for its mode and
    git refuses it), is read as a flag: judging what git would not run only holds more."""
    options = _GIT_OPTIONS.get(verb)
    if options is None or not value.startswith("-") or value.startswith("--"):
        return None
    code, setting = _GIT_CODE_LETTERS.get(verb, ""), _GIT_SETTING_LETTERS.get(verb, "")
    for offset, letter in enumerate(value[1:], start=2):
        rest = value[offset:]
        if letter in code or letter in setting:
            kind = "code" if letter in code else "setting"
            if rest:
                return kind, _Word(rest, rest), 0
            if letter in options.optional:
                return None  # `grep -O`: the configured pager
            return kind, following, 1
        if letter in options.values:
            return None
    return None


def _git_long(head: str, options: _GitOptions) -> str | None:
    """The long option `head` names (any start of one name, `--no-NAME` of a flag or a value
    option); None when the table knows none."""
    names = options.long_values | options.long_optional | options.long_flags
    negated = f"--{head[5:]}" if head.startswith("--no-") else None
    for candidate in (head, negated):
        if candidate is None:
            continue
        if candidate in names:
            return candidate if candidate == head else "--no"
        matches = [n for n in names if n.startswith(candidate)]
        if len(matches) == 1:
            return matches[0] if candidate == head else "--no"
    return None


def _git_operands(verb: str, sub: list[_Word]) -> list[_Word] | None:
    """The operands of `sub` (the words from the subcommand on, `worktree add` and `bundle
    create` as one verb taking `sub[2:]`), the options and their values skipped as git skips
    them; None when an option is one the table does not know (a value it may take would shift
    the operands). `bundle create` stops at its file: rev-list's options follow it."""
    options = _GIT_OPTIONS[verb]
    operands: list[_Word] = []
    index = 2 if " " in verb else 1
    while index < len(sub):
        value = sub[index].value
        index += 1
        if value is None or value == "-" or not value.startswith("-"):
            operands.append(sub[index - 1])
            if verb == "bundle create":
                return operands + sub[index:]
            continue
        if value == "--":
            return operands + sub[index:]
        if value.startswith("--"):
            head, has_value, _ = value.partition("=")
            name = _git_long(head, options)
            if name is None:
                return None
            if name in options.long_values and not has_value:
                index += 1
            continue
        for offset, letter in enumerate(value[1:], start=2):
            if letter in options.values:
                index += 0 if value[offset:] else 1
                break
            if letter in options.optional:
                break
            if letter not in options.flags:
                return None
    return operands


# Issue 12 (fix-open): `-s NAME`/`--strategy NAME` runs git's built-in strategy, or any other
# name as the program `git-merge-NAME` found on PATH (`git merge -s evil` runs git-merge-evil).
_GIT_STRATEGIES = frozenset({"ort", "recursive", "resolve", "octopus", "ours", "subtree"})
# subcommand -> its short letters that take a value, those that take one attached only (so a
# cluster's strategy letter after them is none), and its strategy letter (cherry-pick's and
# revert's `-s` is --signoff): git 2.39's `git CMD -h`.
_STRATEGY_VERBS = {"merge": ("mFsX", "S", "s"), "pull": ("sX", "Srj", "s"),
                   "rebase": ("CsXx", "Sr", "s"), "cherry-pick": ("mX", "S", ""),
                   "revert": ("mX", "S", "")}


def git_strategy(sub: list[_Word]) -> str | None:
    """The first merge strategy `sub` (the subcommand and its words) names that is not one of
    git's built-ins, as written, "" for one known only at run time; None when it names none
    or only built-ins (or the subcommand takes no strategy). Words after `--` are operands."""
    verbs = _STRATEGY_VERBS.get(sub[0].value or "") if sub else None
    if verbs is None:
        return None
    values, optional, letter_s = verbs
    index = 1
    while index < len(sub):
        value, following = sub[index].value, (sub[index + 1] if index + 1 < len(sub) else None)
        index += 1
        named: _Word | bool | None = False
        if value is None or value == "--":
            break
        if value == "--strategy" or value.startswith("--strategy="):
            named = _Word(value[11:], value[11:]) if "=" in value else following
        elif value.startswith("-") and not value.startswith("--"):
            for offset, letter in enumerate(value[1:], start=2):
                rest = value[offset:]
                if letter == letter_s:
                    named = _Word(rest, rest) if rest else following
                    break
                if letter in values or letter in optional:
                    index += 0 if rest or letter in optional else 1
                    break
        if named is False:
            continue
        if named is None or named.value is None:
            return "" if named is not None else None
        if named.value not in _GIT_STRATEGIES:
            return named.value
    return None


def _ext_argument(text: str, service: str) -> tuple[str | None, str]:
    """One argument of a git-remote-ext command as remote-ext.c's `strip_escapes` reads it, and
    the rest: it ends at a space not escaped by `%`; `% ` and `%%` are that character, `%s`
    and `%S` the service (`upload-pack`, `git-upload-pack`); None for the argument where git
    reads it differently (`%G`/`%V` specials, which git takes out of the argv, and a bad or
    incomplete `%`)."""
    out: list[str] = []
    index = 0
    while index < len(text) and text[index] != " ":
        if text[index] != "%":
            out.append(text[index])
            index += 1
            continue
        letter = text[index + 1:index + 2]
        if letter in (" ", "%"):
            out.append(letter)
        elif letter in ("s", "S"):
            out.append(service if letter == "S" else service.removeprefix("git-"))
        else:
            return None, ""
        index += 2
    return "".join(out), text[index + 1:]


def ext_argv(command: str) -> list[list[str]] | None:
    """The argv git runs for an `ext::COMMAND` remote (git-remote-ext(1); attack s28f, finding
    7): `ext::sh -c rm% -rf% /etc` is `[sh, -c, "rm -rf /etc"]`, not the shell words of the
    text. One argv per service the remote may be run for (fetch, push, archive), since `%s`
    names it; None where git would read the text differently (`%G`, `%V`, a bad `%`)."""
    argvs: list[list[str]] = []
    for service in ("git-upload-pack", "git-receive-pack", "git-upload-archive"):
        argv: list[str] = []
        rest = command
        while rest:
            argument, rest = _ext_argument(rest, service)
            if argument is None:
                return None
            argv.append(argument)
        if argv not in argvs:
            argvs.append(argv)
        if "%s" not in command and "%S" not in command:
            break
    return argvs
