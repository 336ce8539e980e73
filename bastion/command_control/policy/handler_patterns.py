"""A pattern where an option may stand, for programs the collector has a handler for (attack
k20f, findings 4 and 6): each handler reads its program's options in literal words only, so
`compgen ?C CMD`, `jobs ?x CMD`, `declare ?n r=PROMPT_COMMAND`, `fd ?x rm -rf /` or `nc ?c CMD
h 1` (after `touch ./-C`...) were read as operands. One rule for all of them: a word pathname
expansion may make an option, among the program's own words, leaves its options known only at
run time (`pattern_option`'s rule for programs with no handler).

A program's own words are those before the command it runs: the words the handler gave to
`_inner` or `_joined_code` (`sudo ls *`, `xargs grep x *`, `setarch x86_64 ls *`, `watch ls
*`, `ssh host ls *`) are that command's, judged by its own reading. Shells, interpreters,
`source`, `eval` and `let` read their own option region for patterns, or have none (a
script's words are not theirs: `bash script.sh *.log`, `python3 tool.py *.csv`). Programs
in PATTERN_SAFE keep their exemption."""

from __future__ import annotations

from bastion.command_control.policy.builtins import _SCP
from bastion.command_control.policy.options import PATTERN_SAFE, _scan_options
from bastion.command_control.policy.words import _Word, may_be_option

# Handlers that read their own option region for patterns and pass the rest on as code or as a
# script's words (checked by name; shells and interpreters by the caller).
OWN_READING = frozenset({"source", ".", "eval", "let"})


def handler_pattern(name: str, words: list[_Word], ran: list[list[_Word]]) -> _Word | None:
    """The first of `words` (a handled program's) before `--`, and before the words of a
    command the handler ran (`ran`: those it gave `_inner` or `_joined_code`, when they are the
    last of `words`), that pathname expansion may make an option; None when there is none, or
    the program reads its own. Words a handler ran that are not the last of `words` (code in an
    option's value) end nothing: options may follow them."""
    if name in PATTERN_SAFE or name in OWN_READING or (name == "scp" and _scp_source(words)):
        return None
    end = len(words)
    for command in ran:
        start = len(words) - len(command)
        if command and start > 0 and all(a is b or a == b for a, b in zip(words[start:], command,
                                                                           strict=True)):
            end = min(end, start)
    for word in words[1:end]:
        if word.value == "--":
            return None
        if may_be_option(word):
            return word
    return None


def _scp_source(words: list[_Word]) -> bool:
    """Whether scp's literal options, before any pattern, hold `-f` (the source side of a legacy
    scp, `scp -f *.log` for `scp -O host:'*.log' .`): scp then sends the files its operands
    name, whatever else a pattern adds (OpenSSH's scp acts on -f before -t, and ssh's options
    mean nothing there); the bastion follows the stream and judges each file it sends."""
    scanned = _scan_options(words, 1, _SCP)
    return scanned is not None and not any(w.glob for w in words[1:scanned[0]]) and any(
        option == "-f" for option, _ in scanned[1])
