"""Known values: the variables a script on a shell's stdin set to literal strings itself.

A statement such as `cp -a f "/srv/app/releases/$i/f"` names a path known only at run time,
unless an earlier statement of the same script, or an earlier part of the same line, ran
`i=3`. The policy reads `$i` and `${i}` as that value only while nothing may have changed it
since; anything that may is a reason to forget it (docs/ARCHITECTURE.md, "Where each thing
lives"; SECURITY.md, issue 12, 13). The rules, all conservative:

- set: a plain assignment statement `NAME=VALUE` in the shell itself (not before a command,
  not in `declare`, not in a condition, a loop or a function body), of a literal VALUE
  (expansions only of values known) made only of characters that nothing splits or matches
  (`_SAFE_VALUE`), to a NAME the shell does not set itself (`_SHELL_SET`) nor read as code;
- forgotten, the one name: any other assignment to it (`i+=x`, `i=$x`, `for i in`, `i=1 cmd`,
  `${i:=x}`, a subshell's or a branch's that may or may not run);
- forgotten, every name: a builtin that may assign (`read`, `mapfile`, `printf -v`, `unset`,
  `getopts`, `let`, `wait`, `export`, `command`, `builtin`, `exec` ...; any builtin not in
  `_KEEPS`), a call of a function, arithmetic (which may assign), and a line holding `((`,
  `$[`, `${...=...}`, `${NAME[`, `{NAME}>` or `coproc` (`_ASSIGNING`): known nowhere on it;
- lost for the rest of the script: a statement the policy finds unknown, `trap`, `alias`,
  `eval`, `source`, `declare` and its kin, `shopt`, `enable`, a `set` of anything but the
  plain options (`_SET_OPTIONS`), a function definition, a hook variable (`PS4`...).

Unquoted `$i` is read as its value only while IFS may not have changed (`split_default`):
a value of `_SAFE_VALUE` has no character the default IFS splits at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A value read in place of `$NAME`: nothing in it is split (default IFS), globbed or braced.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9._/+:@%,=-]*")

# Variables the shell sets itself, or whose value changes how it reads words: never known.
_SHELL_SET = frozenset({
    "PWD", "OLDPWD", "DIRSTACK", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "HISTCMD", "FUNCNAME",
    "PIPESTATUS", "OPTIND", "OPTARG", "OPTERR", "REPLY", "MAPFILE", "COLUMNS", "LINES",
    "EPOCHSECONDS", "EPOCHREALTIME", "BASHPID", "PPID", "UID", "EUID", "GROUPS", "HOSTNAME",
    "HOSTTYPE", "MACHTYPE", "OSTYPE", "SHELLOPTS", "BASHOPTS", "SHLVL", "IFS", "HOME", "CDPATH",
    "PATH", "_", "COPROC", "GLOBIGNORE", "POSIXLY_CORRECT", "TMOUT",
})  # fmt: skip
_SHELL_PREFIXES = ("BASH", "COMP_", "READLINE_", "HIST")

# A line with any of these may assign while its words are expanded (`$((i=5))`, `${i:=x}`,
# `${a[i=5]}`, `(( i++ ))`, `{i}>f`, `coproc i { :; }`): nothing is known on it.
_ASSIGNING = re.compile(r"\(\(|\$\[|\$\{[^}]*(?:=|\+\+|--)|\$\{[#!]?\w+\[|\{\w+\}\s*[<>]|\bcoproc\b")

# Builtins that change no variable of the shell (besides those in _SHELL_SET): known values
# stay. `printf` and `set` only with the arguments `_keeps` allows.
_KEEPS = frozenset({
    ":", "[", "test", "true", "false", "echo", "printf", "pwd", "cd", "pushd", "popd", "dirs",
    "exit", "return", "break", "continue", "shift", "times", "umask", "ulimit", "kill",
    "bg", "fg", "disown", "type", "help", "hash", "history", "logout", "suspend", "caller",
    "set",
})  # fmt: skip
# Builtins after which nothing is known for the rest of the script: they store code the shell
# runs later or elsewhere (traps, aliases, functions, sourced files), or change attributes
# (namerefs, integers, readonly) that make a later assignment do something else.
_LOSES = frozenset({
    "trap", "alias", "unalias", "eval", "source", ".", "declare", "typeset", "local",
    "readonly", "shopt", "enable", "fc", "bind", "complete", "compgen", "compopt",
})  # fmt: skip
# Every builtin of bash and dash: a name that is none of these (and no function) runs a
# program, in a child.
BUILTINS = _KEEPS | _LOSES | frozenset({
    "read", "mapfile", "readarray", "getopts", "let", "wait", "unset", "export", "command",
    "builtin", "exec", "chdir", "jobs",  # `jobs -x CMD` runs CMD in the shell
})  # fmt: skip
# `set` options that change no variable and nothing the policy reads: set -e, -u, -x,
# -o pipefail and the like.
_SET_LETTERS = frozenset("abefhmnpuvxBCEHP")
_SET_OPTIONS = frozenset({
    "errexit", "nounset", "pipefail", "xtrace", "verbose", "noclobber", "noglob", "allexport",
    "errtrace", "notify", "noexec", "hashall", "physical", "monitor", "braceexpand", "histexpand",
})  # fmt: skip


@dataclass(frozen=True)
class KnownValues:
    """What the policy knows of a shell's variables between the statements of one script.

    `values`: (name, value) pairs, sorted, for variables the script set to a literal string
    and nothing may have changed since; `split_default`: IFS may not have changed (an
    unquoted `$NAME` is one word); `lost`: something stored code or attributes that may
    change any variable at any time (a trap, a function, an alias): nothing is known again.
    The empty state `KnownValues()` is a shell just started. Values are never guessed: a name
    that is not listed is known only at run time."""

    values: tuple[tuple[str, str], ...] = ()
    split_default: bool = True
    lost: bool = False

    def get(self, name: str) -> str | None:
        """The value of `name`, or None when it is not known."""
        return dict(self.values).get(name)

    def lose(self) -> KnownValues:
        """The state after a statement that may have done anything: nothing known, ever."""
        return KnownValues((), False, True)


def knowable(name: str, value: str) -> bool:
    """Whether `name` may hold a known `value` (see the module's docstring)."""
    return bool(_SAFE_VALUE.fullmatch(value)) and name not in _SHELL_SET \
        and not name.startswith(_SHELL_PREFIXES)


def _keeps(name: str, argv: list[str | None]) -> bool:
    """Whether builtin `name` with arguments `argv` (None: known only at run time) leaves
    every variable not in _SHELL_SET as it was."""
    if name not in _KEEPS:
        return False
    if name == "printf":  # `printf -v NAME`; a first word known only at run time may be -v
        return not argv or (argv[0] is not None and (not argv[0].startswith("-") or argv[0] == "--"))
    if name != "set":
        return True
    if any(a is None for a in argv):
        return False
    position = 0
    while position < len(argv):
        word = argv[position] or ""
        if word in ("-", "--") or word[:1] not in ("-", "+"):
            return True  # the positional parameters
        letters = word[1:]
        if "o" in letters:
            position += 1
            if position >= len(argv) or argv[position] not in _SET_OPTIONS:
                return False
            letters = letters.replace("o", "", 1)
        if not set(letters) <= _SET_LETTERS:
            return False
        position += 1
    return True
