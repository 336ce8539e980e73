"""Command policy: judge a shell command line before it reaches a target.

A line is parsed as bash (tree-sitter-bash) into the *simple commands* it would run: those in
sequences, pipelines, `&&`/`||`, subshells, groups, loops, conditionals, function bodies,
command and process substitutions, the code strings of `sh -c`, `eval`, `su -c`, `watch`,
`trap`, `alias`, here-documents fed to a shell, and the commands behind wrappers such as `sudo`,
`env`, `nice`, `xargs`, `parallel` and `find -exec`. Quotes and escapes are removed from every
word and a command path is reduced to its name, so `/bin/r\\m`, `'r'm` and `$'\\x72m'` are all
`rm`.

Each simple command is judged on its own. Rules are tried in file order and the first that
matches decides; a command no rule matches gets `[defaults].unmatched`; a command whose name is
only known at run time gets `[defaults].unknown`. Across the commands of a line the strictest
action wins: deny > confirm > alert > allow; on a tie the first command decides.

"Known only at run time" (a SimpleCommand with name None, `unknown` saying why) covers: a
command word made by expansion (`$c`, `$(...)`, globs, braces); text piped into a shell or an
interpreter (`curl ... | sh`, `| python3`, `bash <(curl ...)`); shell code built at run time
(`eval "$x"`, `sh -c "$x"`); wrappers nested more than MAX_NESTING deep; history re-execution
(`!!`, `^a^b`, `fc` but `fc -l`, ksh's and zsh's `r`: the shell runs earlier text, edited, in
place of what is seen); code for another shell holding constructs bash lacks (zsh's glob
qualifiers `*(e:'cmd':)`, `=(cmd)`, `${(e)x}`; ksh's `${ cmd;}`; anything for fish or csh);
and a line that does not parse. The last is a deliberate choice: tree-sitter's error recovery
may hide a command, so a parse error never passes as allow; the commands that could be read are
judged as well. More generally the policy judges no parse it cannot check (`_trusted_tree`
lists each way tree-sitter-bash and bash disagree, and what is done): a newline glued into a
word, digits against a redirection read as a command (`0<&- reboot`), a newline dropped from a
double-quoted string, `[ a || cmd ]` read as one test (`[` is a command: read again as one);
where here-documents are (the scanner, `_scan`, decides: every here-document is cut out and its
body judged apart, `_flatten`); a line the shell would not finish read as a whole one.
tests/test_policy_bash.py runs a corpus of such lines in bash and in dash against a canary.

Two grammars. The policy cannot know the shell that runs a line: a target login's shell runs
exec commands, its stdin shell the stdin gate's statements, and on Debian that is /bin/sh,
dash, for a login made with useradd's defaults. So a line (and the code of `sh -c`, `su -c`,
`ssh`, `watch`...: anything but `bash -c`, `_Site.grammar`) is judged as bash reads it and as
POSIX sh (dash) reads it, and the strictest verdict of both stands. Where the two part in a way
that changes what runs, either the sh reading is judged too (`_sh_reading`: `[[` and `((` are
commands to sh, `&>` a `&` and a `>`, `$[` no arithmetic, `for ((` a syntax error), or the
line is unknown: a `$'...'` holding `\\'` (dash ends it at that quote), a here-document word or
end the two read apart (`heredoc_word`, `_heredoc_end`: `<<$'EOF'` ends at EOF in bash and at
$EOF in dash). `is_complete` answers for both: a line either shell would run now is complete.
Code the line's own shell runs (`eval`, `trap`, an alias, a hook) keeps its grammar. A login
shell that is neither (zsh, fish, csh) reads lines otherwise (`repeat 1 cmd` runs cmd in zsh):
SECURITY.md says so, and there is no per-target shell setting.

The stdin a line was given (`_Site.stdin`, and each descriptor in `_Site.fds`): a pipe, a
here-document, a process substitution, a file, the line's own stdin (`tty`). Every name of a
descriptor is followed (`/dev/stdin`, `/dev/fd/3` after `3<&0` or `exec 3<&0`,
`/proc/self/fd/0`, `/proc/self/root/dev/stdin`, a relative `0` after `cd /dev/fd`,
`BASH_ENV=/dev/stdin`), so a shell reading its program from one of them is judged as reading
that stdin: text piped in is `|` and unknown, the line's own stdin is `reads_stdin` (the stdin
gate judges it), a name known only at run time is unknown when text is fed to the line. A
command that may read the line's own stdin as data is `reads_input` (`stdin_reader`): the stdin
gate holds such statements (`script_doubt`). Members found after outside attack E (finding 6):
`read -u N` and `mapfile -u N` read descriptor N, followed to its origin (`read -u 3 x 3<&0`;
one the line did not open may be a copy of stdin made by an earlier line: `exec 3<&0`); a name
of a descriptor given to any program as a file or an option's value (`head -c 2 /dev/stdin`,
`sed 1q /dev/fd/0`, `dd if=/proc/self/fd/0`, `-f/dev/stdin`; `0` after `cd /dev/fd`, and a
file named only by digits given to a reader, which an earlier line's `cd /dev/fd` may make
one); stdout and stderr (`tee /dev/stdout`) are taken to be written. And (finding 8) an `exec`
with no command that gives the shell another stdin (`exec 0<<<'cmd'`, `exec < <(echo cmd)`,
`exec <<E`, `exec 0</tmp/x`, also behind `command` and `builtin`): the shell reads on from
there, so the stdin gate holds it (`script_doubt` says so). `<>` (open for reading and
writing), which tree-sitter-bash lacks, is read as a read and a write (`echo x 1<>f` writes f).

Code the shell runs later, or that changes what a name runs. Each member of the class and what
is done with it (`judged`: the code is parsed and its commands judged like the line's own;
`unknown`: [defaults].unknown applies):
- PROMPT_COMMAND, BASH_ALIASES[name], alias, trap, bind -x, complete/compgen -C, mapfile -C,
  zsh's sched: the code is judged (run with arguments known only then, where bash adds them).
  An alias that names another command gets the words a later line types after it, known only
  then: `alias x=eval` and `alias s=sudo` are unknown, `alias ll='ls -la'` is not.
- PS0, PS1, PS2, PS4 (and zsh's PROMPT, RPROMPT, SPROMPT...): the prompt escapes are decoded
  (`\\044` is `$`, `\\140` a backquote), then the string is judged as a double-quoted word:
  commands in `$(...)` and backquotes are judged; arithmetic is judged as below. PS3 is not
  expanded. BASH_ENV, ENV (expanded before naming the file sourced), MAIL and MAILPATH
  (expanded when mail is checked), complete/compgen -W (each word expanded): judged the same
  way, without prompt escapes.
- However they are set: NAME=, export/declare/local/readonly/typeset (also a quoted
  `'PS1=...'` word), `${NAME:=...}`, `for NAME in ...`, env NAME=..., printf -v (computed
  for %s formats), read, mapfile/readarray, getopts, wait -p. A value known only at run time
  (`PS1="$x"`, anything read) makes them unknown; the hook's own earlier value (`PS1="$PS1> "`)
  was judged when it was set. `declare -n` to or from a hook, or with no target yet: unknown.
- BASH_FUNC_NAME%% given to env (a function a child bash imports): its body is judged. Functions
  defined on the line, including command_not_found_handle and ones named like builtins (`cd`):
  their bodies are judged where they are defined, so calling them later needs no judgement.
- hash -p PATH NAME (unless PATH is NAME's own program), BASH_CMDS[NAME]=PATH, enable -f
  (loads a shared object), INPUTRC (key bindings read again on C-x C-r), declare -i (later
  assignments become arithmetic): unknown. PATH itself is allowed: a program under an allowed name
  runs unjudged either way (README, what this does not stop).
- What the interactive gate reads the line by (bastion/command_control/terminal follows readline's default
  keys and settings, the terminal driver's default keys, and readline drawing on the shell's
  stderr; attack D, findings 3 and 5): a key bound to anything but a function that moves,
  lists or fetches text (`_BINDING_SAFE`: macros, accept-line, insert-comment, self-insert...),
  `bind -x`, `bind -f FILE`, `bind -r`/`-u`, a readline variable not in `_READLINE_DISPLAY`
  (`set comment-begin`, convert-meta, input-meta, keyseq-timeout..., bracketed paste off),
  line editing off (`set +o emacs`, `set +o vi`, `bash --noediting`), `stty` setting anything
  but the window size or `sane`, TERM set to a terminal type not in `_TERMINALS` or unset,
  INPUTRC, and an `exec` or an interactive shell whose stdin or stderr is not the terminal
  (`exec 2>/dev/null`, `exec 2>&-`, `exec 0<f`, `exec {fd}>&2-`, `bash 2>/dev/null`): unknown.
  `set -o vi`/`emacs` and `bind 'set editing-mode ...'` alone on a line are followed by the
  tracker: allowed; any other line that may switch the editing mode (`set -Co vi`, `shopt -os
  vi`, `set -o vi -o emacs`, `ls; set -o vi`, `bash -o vi`: `editing_mode`) is unknown.
  These unknowns are `terminal` ones: left out by `evaluate(interactive=False)` (an exec
  command without a pty, a script on stdin), where no terminal is read. What ran or submitted
  a line before (accept-line and macro bindings, `bind -f`, bracketed paste off) is not.
  zsh's `bindkey -s`: unknown.
- set -k / set -o keyword (later words become assignments), interactive comments turned off
  (`#` stops hiding text): unknown. Other options (`set -euo pipefail`, `shopt -s extglob`)
  change no command that runs.
- Arithmetic evaluates a variable's value as an expression, and an expression may index an
  array with a command substitution (`x='a[$(cmd)]'; echo $((x))` runs cmd). So arithmetic
  (`$((...))`, `((...))`, `for ((...))`, `let`, `declare -i`, subscripts, `${s:off:len}`,
  `[[ -eq ]]` and its kin, names with subscripts given to printf -v, read, declare, `[[ -v ]]`)
  that reads a variable is unknown unless the line set it to a number first (a literal, or
  arithmetic's result) and never to anything else; one that reads a command's output is
  unknown; one on literal numbers and the parameters bash keeps numbers (`$?`, `$$`, RANDOM,
  SECONDS, OPTIND..., see _SAFE_ARITH) runs nothing. Also arithmetic: `test -v`, `unset
  'a[x]'`, `${*:x}`, `a=([x]=1)`, `declare -a 'b=(...)'` (its elements expanded), and
  assignments to RANDOM, SRANDOM, HISTCMD, OPTIND. An associative array declared on the line
  has string subscripts. Indirect expansion (`${!x}`) and prompt expansion (`${x@P}`):
  unknown.
- Under xargs (`_Site.dynamic`: words appended at run time), a program that runs a command,
  code or a script (a wrapper, a shell, an interpreter, su, ssh, git with no subcommand, find,
  eval...: every handler but the data builtins, `_DATA_PROGRAMS`) and is given none on the line
  takes it from the appended words (`echo rm -rf / | xargs env`, `xargs nice --`, `xargs -a F
  env`, `xargs xargs`, `xargs bash`, `xargs ssh host`): unknown; appended words joined into code
  (`xargs ssh host echo`, `xargs sudo -s cmd`) are code known only at run time (attack E,
  finding 1).
- `su -s PROGRAM` / `--shell=PROGRAM` (runuser too) runs PROGRAM with `-c CODE` and the words
  after the user: a program that is no shell is judged as the command (`su -s /usr/bin/env root
  -- rm -rf /`); setarch takes ARCH only as a first word that is no option (`setarch -R cmd`);
  `gpg-agent --daemon cmd` (attack E, finding 2).
- Code in options (attack E, finding 4): ssh's, scp's and sftp's `-o ProxyCommand=`,
  LocalCommand, RemoteCommand, KnownHostsCommand (any spelling: `-oKey=v`, `-o 'Key v'`, `none`
  runs nothing), scp's and sftp's `-S PROGRAM`, sftp's `-D SERVER`, rsync's `-e`/`--rsh` and
  `--rsync-path`, strace's `-o '|cmd'`, sed's `e` command, tar's `-I`, `--to-command` and
  `--checkpoint-action=exec=`, split's `--filter`, tcpdump's `-z`, sqlite3's `.shell`,
  `.system` and `.once '|cmd'`: judged as code (`_connection_code`, `_more_writes`); ssh's `-F
  FILE` (a file of options), sed's `s///e` and a bare `e`, sqlite3's load_extension() and
  edit(): unknown. gdb `--cd=DIR` runs in DIR. `git config KEY VALUE` for a key git runs
  (`alias.z '!cmd'`, core.pager...) is judged as `git -c` judges it: a stored alias used later
  on the line (`&& git z`) was judged when it was stored; an alias to a git command line is
  judged as `git VALUE`.
- exec, command, builtin, coproc (its stdin is a pipe: `coproc bash` is a shell fed text),
  zsh's noglob and nocorrect: wrappers, the command behind them judged. So are the programs in
  _WRAPPERS and the handlers after `_setarch` (setarch, numactl, runcon, bwrap,
  start-stop-daemon, machinectl shell, tmux, screen, capsh, gdb --args, perf, ip netns exec,
  ssh's remote command, sem, dtach, abduco, mosh-server, pee...); `time`, `coproc` and `sudo`
  take NAME=VALUE words before it. Long options may be abbreviated as GNU getopt allows
  (`timeout --sig KILL`, `sudo --sh`: `_long_option`). gdb's -ex commands (`shell`, `!`,
  `run ARGS`) and git's -c settings that git runs (`alias.x=!cmd`, core.sshCommand...) are
  code; other gdb commands that may call into a program, and git's core.hooksPath, unknown.
- history: `histchars` (other history characters), `set -H` (history expansion in code read
  later on the line), an alias ending in a blank (the next word is an alias too): unknown.
- set and shopt options, however spelled (`set +eo history`, `shopt -uo history`, `bash +o
  history`): each is also judged as `set -o NAME` / `set +o NAME` (`shopt -s/-u NAME`).
- Brace expansion makes several words of one (`PS{4,}=x` declares PS4): expanded first.

Paths: a rule's `paths` are globs over the files a command touches (`SimpleCommand.paths`),
lexically normalised (`normalise_path`) with `~` and `~user` expanded (root's home is /root,
another user's /home/USER; `~` without a login is some /home/*; a HOME the line sets), and
through /proc's magic links (`through_proc`: /proc/PID/root is /, /proc/self/cwd the working
directory; another process's cwd, an open file's fd/N, exe and map_files are unknown). A
relative path is matched as written, the working directory being unknown, and in each directory
a `cd`, `pushd` or `popd` earlier on the line may have chosen (CDPATH and cdable_vars set on the
line followed; `~+` and `~0` are that directory, `~-` and `~1` unknown), or a wrapper runs its
command in (`env -C DIR`, `sudo -D DIR`, `sudo -i` and `su -l` (the home), `chroot DIR` and
`sudo -R`, `nsenter -w`/`-r`, `unshare --wd`/`--root`, `systemd-run` (/ unless `--scope`),
`bwrap --chdir`, `start-stop-daemon --chdir`, `find -execdir`, `parallel --wd`, `tmux -c`,
`git -C`: `_wrapper_directory`, `_Collector._elsewhere`); under a new root directory absolute
paths are judged inside it as well as as written. A glob in the line or
a path known only at run time that could match makes the rule's action no stricter than
[defaults].unknown; a path mktemp made on the line (`"$tmp"`) matches nothing. deny,
confirm and alert rules match when one path matches; allow rules only when all do. `find
-delete` is an `rm` of what find may reach (START, START/**, START/**/NAME with -name), and
find's `{}` stands for the same; `rsync --delete` an `rm` of DEST/**.

Things a caller may rely on:
- `parse_commands`, `evaluate` and `is_complete` never raise, whatever the text.
- A command with an argument known only at run time (`rm -rf "$d"`, `xargs rm`, `find -exec rm {}`)
  is matched on what is known. When a rule with `flags` or `args` fails only for want of those
  arguments, the command gets the weaker of that rule's action and `[defaults].unknown`. An
  `allow` rule with `args` never matches such a command, so it cannot carve an exception blind.
- Besides real commands, pseudo-commands are judged so that rules can name them: a write to a
  file is a command named `>` whose one argument is the file (an output redirection:
  `echo x >> /etc/sudoers` yields `echo` and `>` with argument `/etc/sudoers`; each file tee
  writes; dd's of=; the destination of cp, mv, install, ln and rsync, and DEST/NAME for each
  source, DEST being perhaps a directory; `scp -t PATH`; and, found after outside attack E
  (finding 3), sed's `w`, `W` and `s///w` files, split's and csplit's outputs (the first one
  exact, PREFIXaa or PREFIX00, the rest a pattern), strace/ltrace/time `-o`, tar's archive when
  it creates one (`-c`, `-r`, `-u`, `-A`, also `tar cf F`) and its `-g`/index files, mktemp's
  file (a pattern), ssh-keygen `-f F` (F and F.pub, unless it only reads), sqlite3's database
  and the files of `.output`, `.once`, `.log`, `.backup`, `.save`, ATTACH, VACUUM INTO and
  writefile(), `git config -f F`/`--global`/`--system`, a compressor's file (replaced: `gzip
  /etc/shadow` removes it; a name known only at run time is not counted), touch, curl's
  `-c`/`-D`/`--trace`..., openssl `-keyout`, tcpdump `-w`, ssh `-E`, zip's archive, htpasswd's
  file, a compiler's `-o`: `_WRITES`, `_more_writes`), a read is a command named `<` (an
  input redirection, `scp -f PATH`), and a variable assignment is a command named `NAME=` whose
  one argument is the value (`HISTSIZE=0` is `HISTSIZE=` with `0`), whether it stands alone,
  follows `export`/`declare`/`local`/`readonly`/`typeset`, prefixes a command, is given to
  `env` or is made by a builtin (`read NAME`, with a value known only at run time).
- `judge_path` judges a file operation that did not come from a shell line (sftp, the records
  of an scp stream) exactly as `evaluate` judges the equivalent line (`: > PATH` for ">").
- `reads_script_from_stdin` says whether an exec command feeds a shell or an interpreter from
  its stdin, from the same list of shells (SHELLS) and interpreters (INTERPRETERS) as the rest;
  found after outside attack G (finding 2), programs whose command language runs shell commands
  or writes files (sqlite3, gdb, ed, vim, psql, mysql, ftp, sftp, dc: `_COMMAND_LANGUAGES`) read
  their program from stdin unless an option or operand gives it (`_reads_commands`): an
  "interpreter" there, a stdin reader in a script, `|` and unknown when text is piped in, their
  here-documents judged where the policy reads the language. Members of findings 3 to 6 (sqlite3's
  dot commands by any start of their name, git's subcommand code options and `ext::` remotes,
  writers' long options by any start of their name, programs that make files, code options of
  sort, dpkg, apt, man, zip, vim, less; programs run from GIT_SSH_COMMAND, PAGER, EDITOR...):
  `_sqlite_dot`, `_GIT_SUBCOMMAND_CODE`, `_after_options`, `_OPTION_CODE`, `_HOOKS`. Found
  after outside attack I (finding 3): a program reads its program from stdin whatever follows
  it: an interpreter given `-` (`python3 - ARGS`), one that reads more code after its script
  (`python3 -i`, `perl -d`), an option naming a sed or awk script or a makefile as stdin
  (`sed -f -`, `make -f /dev/stdin`: `_program_option`), m4; (finding 5) options programs read
  from the environment (`TAR_OPTIONS`...) are unknown unless known harmless (`_ENV_OPTIONS`).
- `args` are matched as written after quote removal: globs and `~` are not expanded there
  (`paths` is for files).
- Each line is judged alone: state from earlier lines (a `cd`, a variable, a script written to
  disk) is not known.

The work one line may cost is bounded (attack E, finding 10: judging `cd a;` 2,000 times took 8 s
on the shared event loop): at most _MAX_DIRS directories a line's `cd`s chose are followed (the
rest are one known only at run time), a second reading merges against its own commands, every
step is counted (`cost`), here-documents left open on one line are counted before tree-sitter
is asked (its own work grows with their square), and past MAX_WORK the rest of the line is not
judged: it is unknown ("too much to judge").

This module is pure: no I/O, no asyncio. The tree-sitter parser is built once at import and
shared (under a lock, so any thread may call in). Results for recent lines are cached.
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import functools
import re
import shlex
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from bastion.config import TomlReader, durations, read_toml
from bastion.text import one_line

ACTIONS = ("allow", "alert", "confirm", "deny")
_RANK = {action: rank for rank, action in enumerate(ACTIONS)}

# Wrappers and nested shells are unwrapped at most this many levels deep; past that the command
# is unknown (a chain that long is an evasion attempt, not operations work).
MAX_NESTING = 8
# Syntax nesting (substitution in substitution ...) past which the rest of a line is unknown.
_MAX_TREE_DEPTH = 100
# Directories a line's `cd`s may have chosen that relative paths are judged in; past this many
# the rest are one directory known only at run time. Each `cd a` adds one (`a` from wherever
# the line was), and every later path is judged in each: without a bound, judging `cd a;` n
# times cost n squared (attack E, finding 10).
_MAX_DIRS = 16
# Walks of the code a line stores for later (`_Collector._later`): passes before the directories
# it reaches are taken to be unknown, and values of HOME or CDPATH followed one by one.
_LATER_PASSES = 3
_LATER_VALUES = 4
# The work one line may cost (syntax nodes walked, commands resolved, paths made, code parsed
# again, state copied: `cost`); past it the rest of the line is not judged and the line is
# unknown. Judging runs on the bastion's shared event loop: this bounds how long one exec
# command may hold it (about a quarter of a second).
MAX_WORK = 500_000

_LANGUAGE = Language(tree_sitter_bash.language())
_PARSER = Parser(_LANGUAGE)
_PARSER_LOCK = threading.Lock()  # a tree-sitter Parser must not parse two texts at once


# --------------------------------------------------------------------------------------------
# The policy model


class PolicyError(ValueError):
    """A policy that cannot be used; `key` names the offending key (`rules[3].action`)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Rule:
    """One `[[rules]]` table. See the module docstring and README.md, "Command control"."""

    name: str
    action: str
    commands: tuple[str, ...]
    flags: tuple[str, ...] = ()
    args: str | None = None
    paths: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None
    targets: tuple[str, ...] | None = None
    message: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"rule {self.name!r}: action must be one of {', '.join(ACTIONS)}")
        if not self.commands:
            raise ValueError(f"rule {self.name!r}: commands must not be empty")


@dataclass(frozen=True)
class Defaults:
    """The `[defaults]` table: what applies when no rule decides."""

    unmatched: str = "allow"
    unknown: str = "confirm"
    uncertain: str = "deny"
    confirm_timeout: float = 120.0

    def __post_init__(self) -> None:
        for key in ("unmatched", "unknown", "uncertain"):
            if getattr(self, key) not in ACTIONS:
                raise ValueError(f"defaults.{key}: must be one of {', '.join(ACTIONS)}")
        if not self.confirm_timeout > 0:
            raise ValueError("defaults.confirm_timeout: must be positive")


@dataclass(frozen=True)
class Policy:
    """Defaults and rules, in file order. Rules are compiled once, when the Policy is made."""

    defaults: Defaults
    rules: tuple[Rule, ...]
    _compiled: _CompiledPolicy = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _CompiledPolicy(self))


_TOP_KEYS = {"defaults", "rules"}
_DEFAULT_KEYS = {"unmatched", "unknown", "uncertain", "confirm_timeout"}
_RULE_KEYS = {"name", "action", "commands", "flags", "args", "paths", "roles", "targets", "message"}
def _duration(value: Any, key: str) -> float:
    """Seconds in `value` (bastion.config.durations' grammar: "120s", "2m", "1h30m", or a number of
    seconds); PolicyError naming `key` otherwise."""
    try:
        return durations.parse_duration(value)
    except ValueError as exc:
        raise PolicyError(key, str(exc)) from None


def _action(value: Any, key: str) -> str:
    if value not in ACTIONS:
        raise PolicyError(key, f"must be one of {', '.join(ACTIONS)}")
    return value


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(key, "must be a string")
    if "\n" in value:
        raise PolicyError(key, "must be one line")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise PolicyError(key, "must be a non-empty list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{key}[{index}]", "must be a non-empty string")
    return tuple(value)


def _defaults_from(data: Any) -> Defaults:
    if not isinstance(data, dict):
        raise PolicyError("defaults", "must be a table")
    for key in data:
        if key not in _DEFAULT_KEYS:
            raise PolicyError(f"defaults.{key}", "unknown key")
    values: dict[str, Any] = {
        key: _action(data[key], f"defaults.{key}")
        for key in ("unmatched", "unknown", "uncertain")
        if key in data
    }
    if "confirm_timeout" in data:
        values["confirm_timeout"] = _duration(
            data["confirm_timeout"], "defaults.confirm_timeout"
        )
    return Defaults(**values)


def _rule_from(data: Any, key: str) -> Rule:
    if not isinstance(data, dict):
        raise PolicyError(key, "must be a table ([[rules]])")
    for name in data:
        if name not in _RULE_KEYS:
            raise PolicyError(f"{key}.{name}", "unknown key")
    for name in ("name", "action", "commands"):
        if name not in data:
            raise PolicyError(f"{key}.{name}", "is required")
    rule_name = _string(data["name"], f"{key}.name")
    if not rule_name.strip():
        raise PolicyError(f"{key}.name", "must not be empty")
    commands = _strings(data["commands"], f"{key}.commands")
    for index, pattern in enumerate(commands):
        if "/" in pattern:
            raise PolicyError(
                f"{key}.commands[{index}]", "names a path; rules match command names ('rm')"
            )
    flags = _strings(data["flags"], f"{key}.flags") if "flags" in data else ()
    for index, flag in enumerate(flags):
        single = re.fullmatch(r"-[^-]|--[^=\s]+", flag)
        if not single:
            raise PolicyError(
                f"{key}.flags[{index}]",
                f"{flag!r} is not one flag: write short flags apart (\"-r\", \"-f\") and long "
                "ones without a value (\"--force\")",
            )
    args = None
    if "args" in data:
        args = _string(data["args"], f"{key}.args")
        try:
            re.compile(args)
        except re.error as exc:
            raise PolicyError(f"{key}.args", f"invalid regular expression: {exc}") from None
        except (OverflowError, RecursionError):  # a{99999999999}, groups nested a thousand deep
            raise PolicyError(f"{key}.args", "invalid regular expression: beyond the regex "
                                             "compiler's limits") from None
    paths = _strings(data["paths"], f"{key}.paths") if "paths" in data else None
    for index, glob in enumerate(paths or ()):
        if "//" in glob or re.search(r"(^|/)\.\.?(/|$)", glob):
            raise PolicyError(f"{key}.paths[{index}]", f"{glob!r} is not normalised: paths are "
                              "matched after // . and .. are resolved, so write it that way")
        if glob.startswith("~"):
            raise PolicyError(f"{key}.paths[{index}]", f"{glob!r}: ~ is expanded in commands, "
                              "not in rules; write the absolute path, or a name without /")
        if "/" in glob and not glob.startswith(("/", "**/")):
            raise PolicyError(f"{key}.paths[{index}]", f"{glob!r} is relative: start it with / "
                              "(or **/ for any directory), or give a name without /")
    return Rule(
        name=rule_name,
        action=_action(data["action"], f"{key}.action"),
        commands=commands,
        flags=flags,
        args=args,
        paths=paths,
        roles=_strings(data["roles"], f"{key}.roles") if "roles" in data else None,
        targets=_strings(data["targets"], f"{key}.targets") if "targets" in data else None,
        message=_string(data.get("message", ""), f"{key}.message"),
    )


def load_policy(path: Path) -> Policy:
    """Load and validate policy.toml. Raises ConfigError (one line, with the key and its line
    in the file) for anything wrong."""
    data, text = read_toml(path)
    try:
        return policy_from_dict(data)
    except PolicyError as exc:
        raise TomlReader(path, text).fail(exc.key, exc.problem) from None


def policy_from_dict(data: dict) -> Policy:
    """Validate the parsed TOML of a policy file.

    Raises PolicyError naming the key (`defaults.unknown`, `rules[3].action`; rules count from 1,
    as they appear in the file) for unknown keys, wrong types, bad actions, bad regular
    expressions, bad durations, flags that are not single flags and duplicate rule names.
    """
    if not isinstance(data, dict):
        raise PolicyError("policy", "must be a table")
    for key in data:
        if key not in _TOP_KEYS:
            raise PolicyError(key, "unknown key")
    defaults = _defaults_from(data.get("defaults", {}))
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise PolicyError("rules", "must be an array of tables ([[rules]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules, start=1):
        rule = _rule_from(raw, f"rules[{index}]")
        if rule.name in seen:
            raise PolicyError(f"rules[{index}].name", f"duplicate rule name {rule.name!r}")
        seen.add(rule.name)
        rules.append(rule)
    return Policy(defaults=defaults, rules=tuple(rules))


# --------------------------------------------------------------------------------------------
# Parsing a line into simple commands


@dataclass(frozen=True)
class SimpleCommand:
    """One command the line would run.

    `name` is the command name after unwrapping and path reduction (or a pseudo-command: `>`,
    `NAME=`), None when it is only known at run time (then `unknown` says why). `argv` holds the
    words after quote removal, argv[0] as written (path kept), wrappers removed; a word known
    only at run time appears as written (`$HOME`). `dynamic_args` is true when some arguments
    are only known at run time. `wrappers` lists the wrappers removed, outermost first
    (`("sudo", "nice")`). `text` is the source of the simple command (of the innermost code
    string for `sh -c` and the like). `paths` are the words that may name files (operands,
    option values that look like paths, a redirection's target), for rules' `paths`.
    `reads_stdin` is "shell" or "interpreter" when the command reads its program from the
    standard input the line itself was given (`bash`, `sh -s`, `python3 -`), else "".
    `via` is, for a file operation that stands for a whole command (`>` for `scp -t PATH`),
    that command's argv (wrappers removed), so that callers who follow the command's own
    protocol (bastion.command_control.scp) still know what runs; else ().
    `reads_input` is true when the command may read the standard input the line was given
    (`read`, `head`, `cat` with no file, `dd` without if=...: see `stdin_reader`).
    `terminal` is true for an unknown that matters only where the bastion reads a terminal
    line by line (readline's keys and settings, the shell's stderr: `evaluate`'s `interactive`).
    """

    name: str | None
    argv: tuple[str, ...]
    text: str
    unknown: str = ""
    dynamic_args: bool = False
    wrappers: tuple[str, ...] = ()
    paths: tuple[PathArg, ...] = ()
    reads_stdin: str = ""
    via: tuple[str, ...] = ()
    reads_input: bool = False
    terminal: bool = False


class _Word(NamedTuple):
    value: str | None  # after quote removal; None when only known at run time
    text: str  # as written
    glob: bool = False  # unquoted * ? [ : pathname expansion may change it
    brace: bool = False  # unquoted brace expansion: the shell turns it into several words
    splits: bool = False  # unquoted expansion: may become several words, options included
    procsub: bool = False  # a process substitution: a file name known only at run time
    # For brace expansion: the value with quoted `{`, `,` and `}` hidden (_BRACE_HIDDEN).
    braced: str | None = None
    # Known only at run time, but a path mktemp just made (`"$tmp"`, `"$tmp/x"` after
    # `tmp=$(mktemp -d)` on the line): no file a rule protects.
    fresh: bool = False
    # Made by brace expansion: known, but still counted as arguments the shell changed (so the
    # command's `dynamic_args` stays what it was before braces were expanded).
    expanded: bool = False


class _Site(NamedTuple):
    """Where a simple command runs: enough context to judge what it reads and wraps."""

    text: str = ""
    depth: int = 0
    wrappers: tuple[str, ...] = ()
    # tty (the line's own stdin) | pipe | file | procsub | here | null | unknown (a file known
    # only at run time, perhaps the line's stdin) | opaque (the same, perhaps text fed to it)
    stdin: str = "tty"
    here: str | None = None  # here-document or here-string text when stdin is "here"
    dynamic: bool = False  # arguments are appended at run time (xargs)
    # Descriptors other than 0 that a redirection opened, as (fd, origin, here text): origins
    # as for stdin, so that `bash /dev/fd/3 3<&0` is known to read the line's own stdin.
    fds: tuple[tuple[int, str, str | None], ...] = ()
    # The shell that reads the code: "any" (bash or POSIX sh: the login shell, `sh -c`), "bash"
    # (`bash -c`), or "sh" (the code as sh reads it, in the second reading of `_sh_reading`).
    grammar: str = "any"


class _Streams:
    """What each file descriptor of one command reads, as its redirections leave it: an origin
    (the vocabulary of `_Site.stdin`) and, for "here", the text."""

    __slots__ = ("fds", "glued", "here", "stdin")

    def __init__(self, site: _Site, line: dict[int, tuple[str, str | None]],
                 glued: dict[int, int] | None = None) -> None:
        self.stdin, self.here = site.stdin, site.here
        if self.stdin == "tty" and 0 in line:
            # "tty" is the line's own stdin, which an `exec 0<...` earlier on the line replaced.
            self.stdin, self.here = line[0]
        self.fds = {fd: origin for fd, origin in line.items() if fd != 0}
        self.fds.update({fd: (origin, here) for fd, origin, here in site.fds})
        # Digits written against a redirection (`0<&-`) name its descriptor: by its offset.
        self.glued = glued or {}

    def origin(self, fd: int) -> tuple[str, str | None]:
        if fd == 0:
            return self.stdin, self.here
        if fd in self.fds:
            return self.fds[fd]
        # stdout and stderr may share a socket with stdin (sshd without pipes); any other
        # descriptor was opened outside the line, by whatever ran it.
        return ("tty", None) if fd in (1, 2) else ("unknown", None)

    def carries_text(self) -> bool:
        """Whether some descriptor reads text the line feeds it (a pipe, a here-document, a
        process substitution): a descriptor known only at run time may be that one."""
        origins = [self.stdin, *(origin for origin, _ in self.fds.values())]
        return any(origin in ("pipe", "here", "procsub", "opaque") for origin in origins)

    def set(self, fd: int, origin: str, here: str | None = None) -> None:
        if fd == 0:
            self.stdin, self.here = origin, here
        else:
            self.fds[fd] = (origin, here)

    def site(self, site: _Site, **changes: Any) -> _Site:
        fds = tuple((fd, origin, here) for fd, (origin, here) in sorted(self.fds.items()))
        return site._replace(stdin=self.stdin, here=self.here, fds=fds, **changes)


class _Heredoc(NamedTuple):
    delimiter: str
    quoted: bool  # a quoted delimiter: the body is taken literally
    strip: bool  # <<- : leading tabs are removed from the body
    operator: tuple[int, int]  # `<<EOF` in the source
    body: tuple[int, int]  # the body, up to the delimiter line
    end: int  # just after the delimiter line
    sure: bool = True  # bash and dash read the delimiter alike and end the body alike

    def text(self, src: str) -> str:
        body = src[self.body[0]: self.body[1]]
        return re.sub(r"(?m)^\t+", "", body) if self.strip else body


class _Scan(NamedTuple):
    open: bool  # the shell would wait for more input
    heredocs: tuple[_Heredoc, ...]  # finished here-documents, in order
    continuations: tuple[int, ...]  # offsets of backslash-newline pairs the shell removes
    # Why what follows a point of the text cannot be read with confidence (a here-document
    # word or end that the shells read differently), or None. The scan stops there.
    unsure: str | None = None


def _parse_tree(code: str) -> Node:
    """The syntax tree of `code`. Node offsets are character offsets into `code`.

    tree-sitter-bash 0.25 can crash the process on some non-ASCII characters (U+E0000 and up,
    some unassigned code points). bash takes every non-ASCII character as part of a word, so the
    parser reads an ASCII copy with one letter per character, and text is read from `code`.
    """
    data = code if code.isascii() else _NON_ASCII.sub("a", code)
    with _PARSER_LOCK:
        return _PARSER.parse(data.encode("ascii")).root_node


def _trusted_tree(code: str) -> tuple[str, Node, str | None]:
    """`code` (perhaps repaired), its syntax tree, and why the policy does not trust that tree
    (None when it does). A tree it does not trust is still walked, and the line is also
    unknown: tree-sitter's error recovery and its few misreadings may hide a command.

    Members of the class, each a place where the parser's reading and bash's differ, and what
    is done: a syntax error or a MISSING node (unknown: "parse error"); text the tree leaves
    out (unknown, `_dropped_text`); a newline glued into a word, `true<LF>\\rm x` read as `true`
    with the argument `<LF>\\rm` (repaired by a blank after that newline, which bash ignores,
    then unknown if any remains); a newline dropped between the parts of a double-quoted
    string (read from the source in `_decode`); digits against a redirection read as a word,
    `0<&- reboot` as a command `0` (`_glued_descriptors`); a word after `<&-` or `>&-` read as
    its target (given back to the command in `_Collector._redirect`); `[ -d / ] && x` read as
    arithmetic (retried with `\\[`); here-documents misread (`_flatten`); backslash-newline
    (joined before parsing). tests/test_policy_bash.py runs a corpus of such lines in bash."""
    root = _parse_tree(code)
    newline_checked = False
    if "\n" in code:
        glued = _glued_newlines(code, root)
        newline_checked = not glued
        if glued:
            code = _unglue(code, glued)
            root = _parse_tree(code)
    if root.has_error and _CLOSED_GLUED.search(code):
        # `0<&- rm -rf /`: after `0<&-` tree-sitter wants a target and stumbles on the words
        # that follow. `0<&0` (a copy of itself, where bash closes it) parses, and only makes
        # the descriptor read more than it does.
        repaired = _CLOSED_GLUED.sub(r"\1\2&\1 ", code)
        repaired_root = _parse_tree(repaired)
        if not repaired_root.has_error:
            code, root, newline_checked = repaired, repaired_root, False
    return code, root, _distrust(code, root, newline_checked)


_CLOSED_GLUED = re.compile(r"([0-9]+)([<>])&-")


def _distrust(src: str, root: Node, newline_checked: bool = False) -> str | None:
    """Why the tree of `src` is not a reading the policy may judge alone, or None
    (`newline_checked`: no word of this tree holds a newline, as the caller saw)."""
    if root.has_error:
        return "parse error"
    if _MAY_DROP.search(src) is not None and _dropped_text(src, root):
        return "parse error"
    if not newline_checked and "\n" in src and _glued_newlines(src, root):
        return "a newline the parser read as part of a word"
    return None


# Leaves whose text bash never lets hold an unquoted newline.
_WORD_LEAVES = frozenset({"word", "number", "variable_name", "special_variable_name",
                          "file_descriptor", "extglob_pattern", "test_operator"})


def _glued_newlines(src: str, root: Node) -> list[int]:
    """Offsets of unescaped newlines inside word-like leaves: bash ends a word at a newline."""
    found: list[int] = []
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.type in _WORD_LEAVES and node.end_byte - node.start_byte > 1:
            text = _text(src, node)
            index = text.find("\n")
            while index >= 0:
                backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
                if backslashes % 2 == 0:
                    found.append(node.start_byte + index)
                index = text.find("\n", index + 1)
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return found


def _unglue(src: str, newlines: list[int]) -> str:
    """`src` with a blank after each of those newlines: the same code to bash."""
    pieces, start = [], 0
    for offset in sorted(newlines):
        pieces.append(src[start: offset + 1])
        pieces.append(" ")
        start = offset + 1
    pieces.append(src[start:])
    return "".join(pieces)


# tree-sitter-bash silently drops some tokens: the `-` of `- a=b` vanishes, and `a=b` reads as
# an assignment where bash runs a command named `-`. Fuzzing 200,000 random shell-like lines
# found no other case outside `${...}` (dynamic anyway) and backslash-newline (joined before
# parsing), so the full check runs only where a lone `-` appears.
_MAY_DROP = re.compile(r"(?:^|\s)-(?:\s|$)")


def _dropped_text(src: str, root: Node) -> bool:
    """True when the tree leaves out source text that is not blank."""
    cursor = root.walk()
    position = 0
    while True:
        if cursor.goto_first_child():
            continue
        node = cursor.node
        start = node.start_byte
        if start > position and not src[position:start].isspace():
            # Text between the parts of an unquoted here-document body is not in any leaf.
            if root.descendant_for_byte_range(position, start).type != "heredoc_body":
                return True
        position = max(position, node.end_byte)
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return bool(src[position:].strip())


def _text(src: str, node: Node) -> str:
    return src[node.start_byte: node.end_byte]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BARE_ESCAPE = re.compile(r"\\(.)", re.S)
_DQ_ESCAPE = re.compile(r'\\([$`"\\\n])')
_ANSI_ESCAPE = re.compile(
    r"\\(?:([abeEfnrtv\\'\"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})"
    r"|U([0-9a-fA-F]{1,8})|c(.)|(.))",
    re.S,
)
_ANSI_SIMPLE = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip
_GLOB_CHARS = re.compile(r"[*?\[]")
_PATTERN_CHARS = re.compile(r"[*?\[{]")
_BRACE = re.compile(r"\{[^{}\s]*(?:,|\.\.)[^{}\s]*\}")
_ESCAPED_PAIR = re.compile(r"\\.", re.S)
_EXPANSIONS = frozenset(
    {"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion"}
)


def _unescape_bare(raw: str) -> str:
    return _BARE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), raw)


def _unescape_dq(raw: str) -> str:
    return _DQ_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), raw)


def _ansi_c(body: str) -> str:
    def decode(m: re.Match[str]) -> str:
        simple, octal, hex2, hex4, hex8, control, other = m.groups()
        if simple:
            return _ANSI_SIMPLE[simple]
        if octal:
            return chr(int(octal, 8) & 0xFF)
        if hex2:
            return chr(int(hex2, 16))
        if hex4 or hex8:
            code = int(hex4 or hex8, 16)
            return chr(code) if code <= 0x10FFFF else "\ufffd"
        if control is not None:
            return chr(ord(control) & 0x1F)
        return "\\" + other

    # bash ends the string at a NUL: $'rm\0junk' is "rm".
    return _ANSI_ESCAPE.sub(decode, body).split("\0", 1)[0]


def _decode(src: str, node: Node, itself: tuple[str, str] | None = None
            ) -> tuple[str | None, str, bool]:
    """(value or None, unquoted shape for glob/brace checks, contains an unquoted expansion).
    `itself` (NAME, TEXT): `$NAME` and `${NAME}` read as TEXT (a hook's own earlier value,
    `PS1="$PS1> "`, which was judged when it was set)."""
    kind = node.type
    if itself is not None and kind in ("simple_expansion", "expansion") and _text(src, node) in (
        f"${itself[0]}", f"${{{itself[0]}}}"
    ):
        return itself[1], "_", False
    if kind == "word":
        raw = _text(src, node)
        if "\\" not in raw:
            return raw, raw, False
        return _unescape_bare(raw), _ESCAPED_PAIR.sub("_", raw), False
    if kind in ("number", "variable_name"):
        raw = _text(src, node)
        return raw, raw, False
    if kind == "raw_string":
        return _text(src, node)[1:-1], "_", False
    if kind == "ansi_c_string":
        return _ansi_c(_text(src, node)[2:-1]), "_", False
    if kind == "string":
        # The text is read from the source between the quotes, not joined from the children:
        # tree-sitter-bash splits the content at each newline and puts the newline in no child
        # (`"true<LF>rm"` has children `true` and `rm`), so joining them glued two lines.
        children = node.children
        closed = len(children) > 1 and children[-1].type == '"' and not children[-1].is_missing
        end = children[-1].start_byte if closed else node.end_byte
        parts = []
        position = node.start_byte + 1
        for child in node.named_children:
            if child.type == "string_content":
                continue
            if itself is not None and child.type in ("simple_expansion", "expansion"):
                value, _, _ = _decode(src, child, itself)
                if value is not None:
                    parts.append(_unescape_dq(src[position: child.start_byte]) + value)
                    position = child.end_byte
                    continue
            # "$@" and "${a[@]}" become several words even inside quotes.
            return None, "_", "@" in _text(src, node)
        parts.append(_unescape_dq(src[position:end]))
        return "".join(parts), "_", False
    if kind == "translated_string":
        inner = node.named_children
        return _decode(src, inner[0]) if inner else ("", "_", False)
    if kind == "concatenation":
        values: list[str] = []
        shapes: list[str] = []
        dynamic = splits = False
        for child in node.named_children:
            value, shape, child_splits = _decode(src, child, itself)
            splits = splits or child_splits or child.type in _EXPANSIONS
            dynamic = dynamic or value is None
            values.append(value or "")
            shapes.append(shape)
        return (None if dynamic else "".join(values)), "".join(shapes), splits
    return None, "_", kind in _EXPANSIONS


def _word(src: str, node: Node, itself: tuple[str, str] | None = None) -> _Word:
    value, shape, splits = _decode(src, node, itself)
    text = value if node.type == "word" and value == shape else _text(src, node)
    if not _PATTERN_CHARS.search(shape):
        return _Word(value, text, False, False, splits, node.type == "process_substitution")
    brace = bool(_BRACE.search(shape))
    return _Word(value, text, bool(_GLOB_CHARS.search(shape)), brace, splits, False,
                 _braced(src, node) if brace and value is not None else None)


# Quoted or escaped `{`, `,` and `}` take no part in brace expansion: hidden while it runs.
_BRACE_HIDDEN = str.maketrans({"{": "\ue000", ",": "\ue001", "}": "\ue002"})
_BRACE_SHOWN = str.maketrans({"\ue000": "{", "\ue001": ",", "\ue002": "}"})


def _braced(src: str, node: Node) -> str | None:
    """The value of a word as brace expansion sees it: quoted parts with `{,}` hidden."""
    kind = node.type
    if kind == "concatenation":
        parts = [_braced(src, child) for child in node.named_children]
        return None if any(p is None for p in parts) else "".join(parts)  # type: ignore[arg-type]
    if kind == "word":
        return _BARE_ESCAPE.sub(lambda m: "" if m.group(1) == "\n" else
                                m.group(1).translate(_BRACE_HIDDEN), _text(src, node))
    value = _decode(src, node)[0]
    return None if value is None else value.translate(_BRACE_HIDDEN)


def _dynamic(word: _Word) -> _Word:
    return word._replace(value=None)


def _expanded_braces(words: list[_Word]) -> list[_Word]:
    """Words after brace expansion (`{rm,-rf,/}` is `rm -rf /`, `PS{4,}=x` is `PS4=x PS=x`).
    A word quoted in part, or with a sequence (`{1..9}`), is left whole, as a pattern; one
    expanding to too many words is known only at run time."""
    expanded: list[_Word] = []
    for word in words:
        if not word.brace or word.braced is None:
            expanded.append(word)
            continue
        choices = _expand_braces(word.braced)
        if choices is None:
            expanded.append(word if _BRACE_RANGE.search(word.braced) else _dynamic(word))
            continue
        for choice in choices:
            value = choice.translate(_BRACE_SHOWN)
            # Whether a glob in it is quoted is not kept: taken as a pattern (stricter).
            expanded.append(_Word(value, value, bool(_GLOB_CHARS.search(value)), expanded=True))
    return expanded


def _glued_descriptors(src: str, command: Node, redirects: list[Node] | tuple[()]
                       ) -> dict[int, int]:
    """Digits that tree-sitter-bash reads as a word but bash as the descriptor of the
    redirection written against them: `0<&- reboot` is a command named `0` to the parser and
    `reboot` with stdin closed to bash; `echo 0<&- x` is `echo x`. By the redirection's
    offset."""
    children = command.named_children
    starts = {r.start_byte for r in (*children, *redirects) if r.type in _REDIRECTS and not any(
        c.type == "file_descriptor" for c in r.named_children)}
    if not starts:
        return {}
    return {c.end_byte: int(_text(src, c)) for c in children
            if c.end_byte in starts and c.type in ("command_name", "number", "word")
            and _text(src, c).isascii() and _text(src, c).isdigit()}  # not `¹`: bash's are ASCII


def _descriptor(src: str, redirect: Node, glued: dict[int, int]) -> int | None:
    """The descriptor a redirection names (`3<&0` is 3), or None for its default."""
    for child in redirect.named_children:
        if child.type == "file_descriptor":
            text = _text(src, child)
            return int(text) if text.isdigit() else None
    return glued.get(redirect.start_byte)


_DESCRIPTOR_FILE = re.compile(r"/dev/(?:std(in|out|err)|fd/(.*))|/proc/[^/]+/(?:task/[^/]+/)?fd/(.*)")
_DESCRIPTOR_NAME = re.compile(r"[0-9]+|std(?:in|out|err)")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._+,@%=:-]+")
_STANDARD = {"in": 0, "out": 1, "err": 2}


def _descriptor_file(value: str) -> int | str | None:
    """The descriptor a file name opens (`/dev/fd/3` is 3, `/dev//stdin` 0, also through
    /proc/self/root), "unknown" for one that cannot be told (`/dev/fd/$n`, `/dev/fd/?`), None
    for a name that opens no descriptor."""
    path = through_proc(value, descriptors=True)[1]
    match = _DESCRIPTOR_FILE.fullmatch(path)
    if match is None:
        return None
    standard, number = match.group(1), match.group(2) or match.group(3)
    if standard is not None:
        return _STANDARD[standard]
    return int(number) if number.isdigit() else "unknown"


_TRANSPARENT = frozenset({
    "program", "list", "subshell", "compound_statement", "if_statement", "elif_clause",
    "else_clause", "while_statement", "for_statement", "c_style_for_statement", "do_group",
    "case_statement", "case_item", "function_definition", "negated_command", "ERROR",
})  # fmt: skip
_STATEMENTS = _TRANSPARENT | {
    "command", "redirected_statement", "pipeline", "declaration_command", "unset_command",
}
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_HEREDOC_PARTS = frozenset({"heredoc_start", "heredoc_body", "heredoc_end", "file_descriptor"})


class _Collector:
    """Walks one parse tree (and the code nested in it) and collects simple commands."""

    def __init__(self) -> None:
        self.commands: list[SimpleCommand] = []
        # Units of work spent on the line (`cost`), bounded by MAX_WORK (`_spend`).
        self.work = 0
        # Variables this line set to a number: arithmetic on them runs nothing, provided the
        # line never sets them to anything else (a loop or a function may read them after):
        # the reads relied on (`_assumed`) are checked against `_tainted` at the end.
        self._numbers: set[str] = set()
        self._assumed: list[tuple[str, _Site]] = []
        self._tainted: set[str] = set()
        # Associative arrays declared on the line: their subscripts are strings, not arithmetic.
        self._assoc: set[str] = {"BASH_ALIASES", "BASH_CMDS"}
        # History expansion turned on (`set -H`) and the code strings it may apply to; and
        # `shopt -s cdable_vars` (`cd NAME` may go to $NAME).
        self._histexpand = False
        self._codes: list[tuple[str, _Site]] = []
        self._cdable_vars = False
        # Functions the line defined whose body moves the directory; and whether code the
        # shell may run before any later command (`trap '...' DEBUG`) moves it.
        self._movers: set[str] = set()
        self._hook_moves = False
        # Code the shell stores to run later, judged where it may run (attack I, finding 2):
        # each function's bodies by name (the code, its tree and here-documents, its site), walked
        # again at each call and at the end; trap strings, aliases and hooks, at the end in
        # every state the line reaches (`_reached_dirs`, `_reached_values`, shared with forks).
        # `_calling`: functions being walked (a recursive call is not walked again);
        # `_in_function`: how deep in function bodies the walk is (`local` acts only there).
        self._functions: dict[str, list[tuple[str, Node, dict, _Site]]] = {}
        self._deferred: dict[tuple[str, _Site], None] = {}  # in order, without repeats
        self._reached_dirs: list[PathArg] = []
        self._reached_values: dict[str, set[str | None]] = {}
        self._calling: set[str] = set()
        self._in_function = 0
        # The commands each walk of a function's body or of a stored string found, by function
        # name or (code, site): a later walk adds only those it finds anew.
        self._walked: dict[Any, set[SimpleCommand]] = {}
        # Values the line assigned (None: known only at run time), for CDPATH, HOME and
        # cdable_vars; and the directories `pushd` saved.
        self._values: dict[str, str | None] = {}
        self._stack: list[list[PathArg]] = []
        # Variables that hold a path mktemp made, relied on as long as the line never sets them
        # otherwise (`_stale`, checked in `finish` as numbers are).
        self._fresh: set[str] = set()
        self._fresh_used: list[tuple[str, str]] = []
        self._stale: set[str] = set()
        # Directories an earlier `cd` on this line may have moved to: relative paths after it
        # are judged in each of them as well as as written. And the root directories a
        # wrapper chose (`chroot DIR`): absolute paths are judged inside each too.
        self.__dirs: list[PathArg] = []
        self._roots: list[PathArg] = []
        # The code being walked, and its here-documents turned into here-strings (see `parse`)
        # by the offset of the `<<<`.
        self._src = ""
        self._heredocs: dict[int, tuple[_Heredoc, str, int | None]] = {}
        # The shell's own descriptors after an `exec 3<&0` on the line (0 included).
        self._line_fds: dict[int, tuple[str, str | None]] = {}
        # Redirections tree-sitter hung on a pipeline or list, for its last command (by range).
        self._attached: dict[tuple[int, int], list[Node]] = {}
        # Code in which `<>` was read as `>|` (tree-sitter-bash lacks it): the offsets.
        self._read_write: dict[str, frozenset[int]] = {}

    @property
    def _dirs(self) -> list[PathArg]:
        return self.__dirs

    @_dirs.setter
    def _dirs(self, dirs: list[PathArg]) -> None:
        # Every directory the shell may be in at some point of the line, for the code it runs
        # later (a trap on DEBUG, EXIT: `finish`).
        self.__dirs = dirs
        if not set(dirs) <= set(self._reached_dirs):
            self._reached_dirs[:] = _bounded(self._reached_dirs + dirs)

    def _text(self, node: Node) -> str:
        return _text(self._src, node)

    def _spend(self, units: int) -> None:
        """Count work; past MAX_WORK judging stops (`_TooMuchWork`), the line is unknown."""
        if self.work + units > MAX_WORK:
            self.work = MAX_WORK + 1
            raise _TooMuchWork
        self.work += units

    def _word(self, node: Node) -> _Word:
        word = _word(self._src, node)
        if word.value is None and self._fresh and "$" in word.text:
            match = _FRESH_WORD.fullmatch(word.text)
            name = match and (match.group(1) or match.group(2))
            if name in self._fresh and ".." not in match.group(3).split("/"):
                self._fresh_used.append((name, word.text))
                return word._replace(fresh=True)
        return word

    # -- entry points --------------------------------------------------------------------

    def parse(self, code: str, site: _Site) -> None:
        if site.depth > MAX_NESTING:
            self._unknown(site._replace(text=code), (), "nested too deeply")
            return
        # Parsed (and scanned) again at each level of nesting. tree-sitter-bash's own work grows
        # with the here-documents a line leaves open times the text after them (16,000 `<<E`
        # on one line took it 30 s): counted before it is asked.
        self._spend(1 + len(code) // 8 + (_open_heredocs(code) * len(code) // 16
                                          if "<<" in code else 0))
        if site.depth == 0 and ("!" in code or "^" in code) and _history_expansion(code):
            # Interactive bash replaces `!!`, `!-2`, `!rm`, `^a^b` with earlier input before
            # parsing: the line that runs is not the line we see.
            self._unknown(site._replace(text=code), (), "history expansion")
        elif site.depth > 0 and ("!" in code or "^" in code):
            self._codes.append((code, site))  # `bash -c 'set -H; ...; !!'`: see `finish`
        if "$'" in code and site.grammar != "bash" and _DASH_QUOTE.search(code):
            # dash, and sh on many systems, has no $'...': `$'\' ; cmd ; # '` is one string to
            # bash and `cmd` to dash. The policy cannot tell which shell reads the line.
            self._unknown(site._replace(text=code), (), "a $'...' string holding \\', which sh "
                                                        "(dash) ends at that quote")
        if "coproc" in code:
            code = _COPROC_COMPOUND.sub(_piped_compound, code)
        simple = _simple_commands(code)
        if simple is not None:
            for words, piped, text, where in simple:
                inner = site._replace(text=text, stdin="pipe", here=None) if piped else \
                    site._replace(text=text)
                if self._line_fds:
                    inner = _Streams(inner, self._line_fds).site(inner)
                if where is None:
                    self._resolve(words, inner)
                else:
                    with self._apart(certain=where):
                        self._resolve(words, inner)
            return
        scan = None
        if "\\\n" in code:
            scan = _scan(code)
            if scan.continuations:
                code = _join_continuations(code, scan.continuations)
                scan = None
        read, root, why = _trusted_tree(code)
        if read != code:
            code, scan = read, None
        if why is not None and "<>" in code and "<<" not in code:
            # tree-sitter-bash has no `<>` (open for reading and writing: `echo x 1<>f` writes
            # f): read as `>|`, of the same length, and known by its offset (`_redirect`).
            swapped = code.replace("<>", ">|")
            swapped_read, swapped_root, swapped_why = _trusted_tree(swapped)
            if swapped_why is None and swapped_read == swapped:
                self._read_write[swapped] = frozenset(m.start() for m in re.finditer("<>", code))
                code, root, why, scan = swapped, swapped_root, None, None
        if why is not None and "[" in code:
            # tree-sitter-bash reads `[ -d / ] && rm x` as arithmetic (`/` divides) and swallows
            # the rest; `\[` is the same command to bash and parses as a plain command.
            retry, retry_root, retry_why = _trusted_tree(_TEST_BRACKET.sub(r"\1\\[", code))
            if retry_why is None:
                code, root, why, scan = retry, retry_root, None, None
        heredocs: dict[int, tuple[_Heredoc, str, int | None]] = {}
        unsure = None
        written = code  # as written, for the messages (the code walked may be flattened)
        if "<<" in code:
            # tree-sitter-bash misreads some here-documents (`cat <<EOF; rm x` hides `rm x` in
            # the heredoc; it ends bodies and reads delimiters its own way). The scanner decides
            # where each body is: the line is parsed again with every here-document replaced by
            # a here-string and its body kept aside.
            scan = scan or _scan(code)
            unsure = scan.unsure
            if scan.open and why is None:
                # The shell would wait for more (and run what came before at the end of its
                # input), where tree-sitter-bash read a whole line: it read something else.
                why = "a line the shell would not finish: an open quote, substitution or " \
                      "here-document"
            if not scan.open and scan.heredocs:
                flat, flat_docs = _flatten(code, scan.heredocs)
                # Not repaired: `heredocs` holds offsets into this very text.
                flat_root = _parse_tree(flat)
                flat_why = _distrust(flat, flat_root)
                if not (flat_why is not None and why is None and unsure is None
                        and _tree_reads_heredocs_as(code, root, scan.heredocs)):
                    code, heredocs, root, why = flat, flat_docs, flat_root, flat_why
                # else: tree-sitter-bash reads no here-string after a file redirection (`cat >
                # f <<'EOF'` flattened is `cat > f <<<''`, an error to it), and here it read
                # every here-document where the scanner did: its own tree is kept.
        sh = None
        if site.grammar != "bash" and _SH_MAY_DIFFER.search(code):
            sh = _sh_reading(code, root, heredocs)
            if sh is not None and site.grammar == "sh":
                # Code the sh reading runs in its own shell (`eval '[[ x || cmd ]]'`): read as
                # sh reads it alone, bash's reading being judged already.
                code, heredocs = sh[0], sh[1]
                root = _parse_tree(code)
                why, sh = why or _distrust(code, root), None
        walked = len(self.commands)
        self._walk(code, root, heredocs, site)
        if why is not None:
            self._unknown(site._replace(text=code), (), why)
        if unsure is not None:
            self._unknown(site._replace(text=written), (), unsure)
        if sh is not None:
            # The same code as POSIX sh (dash) reads it: what it runs there is judged too.
            fork = self._fork()
            sh_root = _parse_tree(sh[0])
            fork._walk(sh[0], sh_root, sh[1], site._replace(grammar="sh"))
            sh_why = _distrust(sh[0], sh_root)
            if sh_why is not None:
                fork._unknown(site._replace(text=code), (), f"{sh_why} (as sh reads it)")
            self._merge(fork, walked)

    def _walk(self, code: str, root: Node, heredocs: dict[int, tuple[_Heredoc, str, int | None]],
              site: _Site) -> None:
        saved = self._src, self._heredocs
        self._src, self._heredocs = code, heredocs
        try:
            self._statement(root, site, 0)
        finally:
            self._src, self._heredocs = saved

    def _fork(self) -> _Collector:
        """A collector that goes on from this one's state without changing it."""
        self._spend(len(self._assumed) + len(self._codes) + len(self._numbers) + len(self._values)
                    + len(self._fresh_used) + len(self._tainted) + len(self._stack) + 1)
        fork = copy.copy(self)
        fork.commands = []
        for name in ("_numbers", "_tainted", "_assoc", "_fresh", "_stale", "_movers"):
            setattr(fork, name, set(getattr(self, name)))
        for name in ("_assumed", "_codes", "_fresh_used", "_dirs", "_roots"):
            setattr(fork, name, list(getattr(self, name)))
        fork._stack = [list(level) for level in self._stack]
        fork._values, fork._line_fds = dict(self._values), dict(self._line_fds)
        fork._attached = dict(self._attached)
        return fork

    def _merge(self, fork: _Collector, walked: int) -> None:
        """Take in what a second reading of the same code (`fork`) found: its other commands
        (those of the first reading are `self.commands[walked:]`), and the state it left, as
        what either reading may have done (the directories of both, a value the two set apart
        unknown, a number only if both keep it one)."""
        self.work = fork.work
        seen = set(self.commands[walked:])
        for command in fork.commands:
            if command not in seen:
                seen.add(command)
                self.commands.append(command)
        for name in ("_assumed", "_codes", "_fresh_used"):
            mine = getattr(self, name)
            mine.extend(getattr(fork, name)[len(mine):])
        self._tainted |= fork._tainted
        self._stale |= fork._stale
        self._numbers &= fork._numbers
        self._fresh &= fork._fresh
        self._dirs = _bounded(self._dirs + fork._dirs)
        for name in set(self._values) | set(fork._values):
            if self._values.get(name, "") != fork._values.get(name, ""):
                self._values[name] = None
        if fork._stack != self._stack:
            self._stack.clear()  # directories pushed apart: `popd` goes somewhere unknown
        for fd in set(self._line_fds) | set(fork._line_fds):
            if self._line_fds.get(fd) != fork._line_fds.get(fd):
                self._line_fds[fd] = ("unknown", None)
        self._histexpand |= fork._histexpand
        self._cdable_vars |= fork._cdable_vars
        self._movers |= fork._movers
        self._hook_moves |= fork._hook_moves

    @contextlib.contextmanager
    def _apart(self, certain: bool = True) -> Iterator[None]:
        """Code walked inside runs in a child of the shell (a subshell, a substitution, an
        element of a pipeline, a `&` job, a program such as `bash -c` or `env`): the shell state
        the line model carries (the directories a `cd` chose, the directory stack, the values
        HOME and CDPATH take, numbers, associative arrays, mktemp paths, descriptors) is as it
        was before it afterwards, whatever the child did. With `certain` False the code may run
        in the shell itself or in a child (the last element of a pipeline under `shopt -s
        lastpipe`, a function body that may run later or never): afterwards the state is what
        either may have left (both directories, a value set apart unknown). Flags that only
        widen what is judged (`_tainted`, `_stale`, `_histexpand`, `_cdable_vars`) and what
        `finish` checks are kept from the child."""
        saved = self._snapshot()
        try:
            yield
        finally:
            self._rejoin(saved, certain)

    def _moves(self) -> tuple[Any, ...]:
        """What a `cd` or `pushd` in code walked again would find changed: the directories,
        the stack, HOME and CDPATH (every value, with `cdable_vars`)."""
        values = self._values if self._cdable_vars else \
            (self._values.get("HOME", ""), self._values.get("CDPATH", ""))
        return tuple(self._dirs), str(self._stack), str(values)

    def _again(self, walk: Callable[[], None]) -> None:
        """Code that may run any number of times (a loop's body and condition): walked once;
        if that pass moved the directories (or the stack, HOME, CDPATH), walked again from
        what either the start or the end of a pass may be; a pass that still moves them
        (`cd ..`) leaves a directory known only at run time among them."""
        before, moves = self._snapshot(), self._moves()
        walk()
        if self._moves() == moves:
            return
        self._rejoin(before, certain=False)
        widened, moves = self._snapshot(), self._moves()
        walk()
        if not set(self._dirs) <= set(widened[0]) or self._moves()[1] != moves[1]:
            self._dirs = _bounded([*self._dirs, PathArg("(a directory known only at run time)",
                                                        "unknown")])
            self._stack = []
        self._rejoin(widened, certain=False)

    def _snapshot(self) -> tuple[Any, ...]:
        """A copy of the shell state `_apart` keeps apart."""
        self._spend(len(self._dirs) + len(self._values) + len(self._numbers) + len(self._assoc)
                    + len(self._fresh) + len(self._line_fds) + len(self._stack) + 1)
        return (list(self._dirs), list(self._roots), [list(level) for level in self._stack],
                dict(self._values), set(self._numbers), set(self._assoc), set(self._fresh),
                dict(self._line_fds))

    def _rejoin(self, saved: tuple[Any, ...], certain: bool) -> None:
        """The state `saved` again (`certain`), or what either it or the present may be."""
        dirs, roots, stack, values, numbers, assoc, fresh, fds = saved
        if certain:
            self._dirs, self._roots, self._stack = dirs, roots, stack
            self._values, self._numbers, self._assoc = values, numbers, assoc
            self._fresh, self._line_fds = fresh, fds
        else:
            self._dirs = _bounded(dirs + self._dirs)
            self._roots = _bounded(roots + self._roots)
            if stack != self._stack:
                self._stack = []  # pushed apart: `popd` goes somewhere unknown
            for name in set(values) | set(self._values):
                if values.get(name, "") != self._values.get(name, ""):
                    self._values[name] = None
            self._numbers &= numbers
            self._assoc &= assoc
            self._fresh &= fresh
            for fd in set(fds) | set(self._line_fds):
                if fds.get(fd) != self._line_fds.get(fd):
                    self._line_fds[fd] = ("unknown", None)

    # -- statements ----------------------------------------------------------------------

    def _statement(self, node: Node, site: _Site, level: int) -> None:
        self._spend(10)
        if level > _MAX_TREE_DEPTH:
            self._unknown(site._replace(text=self._text(node)), (), "nested too deeply")
            return
        kind = node.type
        if kind == "command":
            self._command(node, site, level)
        elif kind == "redirected_statement":
            self._redirected(node, site, level)
        elif kind == "pipeline":
            # Each element of a pipeline runs in a child, the last one perhaps in the shell
            # itself (`shopt -s lastpipe`): `cd /tmp | true` moves nothing.
            piped = False
            last = node.named_children[-1] if node.named_children else None
            for child in node.children:
                if not child.is_named:
                    piped = piped or child.type in ("|", "|&")
                elif piped and child.type == "list":
                    # tree-sitter-bash nests `a | b && c` as `a | (b && c)`; bash reads
                    # `(a | b) && c`, so only the list's first part reads the pipe.
                    self._piped_list(child, site, level + 1)
                else:
                    inner = site._replace(stdin="pipe") if piped else site
                    with self._apart(certain=child is not last):
                        self._statement(child, inner, level + 1)
        elif kind in ("variable_assignment", "variable_assignments"):
            for child in ([node] if kind == "variable_assignment" else node.named_children):
                if child.type == "variable_assignment":
                    self._assignment(child, site)
            self._nested(node, site, level)
        elif kind == "declaration_command":
            self._declaration(node, site, level)
        elif kind == "unset_command":
            words = [_Word("unset", "unset"), *self._adjacent_words(node.named_children)]
            self._unset(words, site._replace(text=self._text(node)))
            self._nested(node, site, level)
        elif kind in _TRANSPARENT:
            if kind == "compound_statement" and node.children and node.children[0].type == "((":
                self._arithmetic(node, site)
            elif kind == "c_style_for_statement":
                self._arithmetic(node, site, text=self._text(node).split("))", 1)[0] + "))")
            elif kind == "for_statement":
                self._loop_variable(node, site)
                if node.children and node.children[0].type == "select" and site.stdin in (
                        "tty", "unknown", "opaque"):
                    self.commands.append(SimpleCommand("select", ("select",), self._text(node),
                                                       wrappers=site.wrappers, reads_input=True))
            if kind == "subshell" or kind == "function_definition":
                # `( ... )` runs in a child; a function body runs later, any number of times,
                # or never: either state may hold after it, and after each call of a function
                # whose body moves (`_resolve`) the directory is known only at run time.
                moves = self._moves()
                name = node.child_by_field_name("name")
                function = self._text(name) if kind == "function_definition" and name is not None \
                    else None
                if function is not None:
                    # Its body runs at each call, from the state there, and is walked there
                    # and at the end of the line (`_call`, `finish`); here it runs nothing.
                    self._functions.setdefault(function, []).append(
                        (self._src, node, self._heredocs, site))
                    self._in_function += 1
                start = len(self.commands)
                try:
                    with self._apart():
                        for child in node.named_children:
                            self._statement(child, site, level + 1)
                        moved = self._moves() != moves
                finally:
                    if function is not None:
                        self._in_function -= 1
                        self._walked.setdefault(function, set()).update(self.commands[start:])
                if function is not None and moved:
                    self._movers.add(function)
                return
            if kind in ("for_statement", "while_statement", "c_style_for_statement"):
                def walk() -> None:
                    for child in node.named_children:
                        self._statement(child, site, level + 1)
                self._again(walk)
                return
            for child in node.named_children:
                if _backgrounded(child):  # `cd /tmp & wait`: a `&` job is a child
                    with self._apart():
                        self._statement(child, site, level + 1)
                else:
                    self._statement(child, site, level + 1)
        elif kind == "test_command":
            if node.children and node.children[0].type == "[":
                # `[` is a command, whatever tree-sitter-bash makes of it: `[ a || cmd ]` runs
                # `[ a` then `cmd ]`, `[ -f x > f ]` writes f. Read again as one.
                self.parse("\\" + self._text(node), site._replace(depth=site.depth + 1))
                return
            self._test(node, site)
            self._nested(node, site, level)
        elif kind != "comment":
            self._nested(node, site, level)

    def _adjacent_words(self, nodes: list[Node]) -> list[_Word]:
        """Words from nodes, those written without a blank between them joined into one
        (tree-sitter-bash reads `unset a[x]` as `a` and `[x]`)."""
        words: list[_Word] = []
        end = -1
        for node in nodes:
            word = self._word(node)
            if words and node.start_byte == end:
                last = words[-1]
                value = None if last.value is None or word.value is None else \
                    last.value + word.value
                shown = [w.braced if w.braced is not None else (w.value or "").translate(
                    _BRACE_HIDDEN) for w in (last, word)]
                brace = bool(_BRACE.search("".join(shown)))
                words[-1] = _Word(value, last.text + word.text, last.glob or word.glob,
                                  brace, last.splits or word.splits, False,
                                  "".join(shown) if brace and value is not None else None)
            else:
                words.append(word)
            end = node.end_byte
        return words

    def _unset(self, words: list[_Word], site: _Site) -> None:
        """`unset NAME[SUB]` evaluates SUB (arithmetic for an indexed array)."""
        self._plain("unset", words, site)
        functions = False
        for word in words[1:]:
            value = word.value
            if value is None:
                self._unknown(site, [word], "unset of a name known only at run time")
                continue
            if value.startswith("-"):
                functions = functions or "f" in value
                continue
            match = _DECLARED.fullmatch(value)
            if functions or match is None:
                continue
            name, subscript = match.group(1), match.group(2)
            if subscript is not None:
                self._subscript(name, subscript, site, site.text)
            else:
                self._assoc.discard(name)
                if name == "TERM":
                    self._unknown(site, [word], _NO_TERM, terminal=True)

    def _test_builtin(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`test -v NAME[SUB]` and `[ -v ... ]` evaluate SUB, as `[[ -v ]]` does."""
        self._plain(name, words, site)
        for index, word in enumerate(words[1:-1], start=1):
            if word.value in ("-v", "-R"):
                target = words[index + 1]
                if target.value is None:
                    self._unknown(site, [target], "a variable name known only at run time")
                elif (match := _DECLARED.fullmatch(target.value)) and match.group(2) is not None:
                    self._subscript(match.group(1), match.group(2), site, site.text)
        return True

    def _loop_variable(self, node: Node, site: _Site) -> None:
        """`for NAME in WORDS`: NAME is assigned each word (and keeps the last one)."""
        variable = node.child_by_field_name("variable")
        if variable is None:
            return
        values = [self._word(c) for c in node.children_by_field_name("value")]
        if values and all(v.value is not None and not v.glob and not v.brace for v in values):
            for value in values:
                self._assigned(self._text(variable), value, self._text(node), site)
        else:  # `for x; do` takes the positional parameters
            self._assigned(self._text(variable), _Word(None, "(each word of the list)"),
                           self._text(node), site)

    def _test(self, node: Node, site: _Site) -> None:
        """[[ ... ]]: -eq and its kin evaluate both sides as arithmetic; -v and -R take a
        variable name whose subscript is evaluated."""
        stack = [node]
        while stack:
            current = stack.pop()
            operators = [c for c in current.children if c.type == "test_operator"]
            if current.type == "binary_expression" and operators and (
                self._text(operators[0]) in _ARITHMETIC_TESTS
            ):
                for operand in current.named_children:
                    if operand.type != "test_operator":
                        self._arithmetic(operand, site, text=self._text(current))
            elif current.type == "unary_expression" and operators and (
                self._text(operators[0]) in ("-v", "-R")
            ):
                for operand in current.named_children:
                    if operand.type != "test_operator":
                        word = self._word(operand)
                        if word.value is None:
                            self._unknown(site._replace(text=self._text(current)), [word],
                                          "a variable name known only at run time")
                        elif (match := _DECLARED.fullmatch(word.value)) and match.group(2):
                            self._subscript(match.group(1), match.group(2), site,
                                            self._text(current))
            elif current.type not in ("command_substitution", "process_substitution"):
                stack.extend(current.named_children)

    def _piped_list(self, node: Node, site: _Site, level: int) -> None:
        first = True
        for child in node.children:
            if not child.is_named:
                first = first and child.type not in ("&&", "||", ";", "&", "\n")
            elif first and child.type == "list":
                self._piped_list(child, site, level + 1)
            elif first or _backgrounded(child):
                with self._apart(certain=not first or _backgrounded(child)):
                    self._statement(child, site._replace(stdin="pipe") if first else site,
                                    level + 1)
            else:
                self._statement(child, site, level + 1)

    def _nested(self, node: Node, site: _Site, level: int) -> None:
        """Commands inside a node that is not itself a statement: substitutions, mostly."""
        stack = [node]
        self._spend(2)
        while stack:
            current = stack.pop()
            self.work += 2  # counted here, checked at the next `_spend`: this loop is hot
            kind = current.type
            if kind in ("command_substitution", "process_substitution"):
                text = self._text(current)
                if text.startswith("$((") and text.endswith("))"):
                    # In a here-document body tree-sitter-bash reads $((x)) as $( (x) ): bash
                    # evaluates it as arithmetic (and, failing that, as commands: judged below).
                    self._arithmetic_text(text[3:-2], site, text)
                # `tee >(sh)` feeds the substitution from a pipe; `$(...)` inherits stdin.
                writes = kind == "process_substitution" and text.startswith(">")
                inner = site._replace(stdin="pipe") if writes else site
                with self._apart():  # a substitution runs in a child: `$(cd /tmp)`
                    for child in current.named_children:
                        self._statement(child, inner, level + 1)
            elif kind in _STATEMENTS and current is not node:
                self._statement(current, site, level + 1)
            else:
                if kind == "arithmetic_expansion":
                    self._arithmetic(current, site)
                elif kind == "expansion":
                    self._expansion(current, site)
                stack.extend(reversed(current.children))

    def _redirected(self, node: Node, site: _Site, level: int) -> None:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.named_children if c.type in _REDIRECTS]
        if body is not None and body.type == "command":
            self._command(node, site, level, body=body, redirects=redirects)
        else:
            last = body
            while last is not None and last.type in ("pipeline", "list") and last.named_children:
                last = last.named_children[-1]
            if last is not None and last is not body and last.type == "command":
                # `a | bash /dev/fd/3 3<&0`: tree-sitter hangs the redirections on the pipeline
                # or list, bash on its last command (whose stdin is the pipe).
                self._attached[last.start_byte, last.end_byte] = redirects
                self._statement(body, site, level + 1)
            else:
                self._redirected_compound(node, body, redirects, site, level)
        for redirect in redirects:
            self._nested(redirect, site, level)

    def _redirected_compound(self, node: Node, body: Node | None, redirects: list[Node],
                             site: _Site, level: int) -> None:
        """Redirections of a compound command (`{ ...; } 3<&0`) apply to all of it."""
        extras: list[_Word] = []
        later: list[SimpleCommand] = []
        # Which command of a pipeline they belong to is not clear here: a copy of its stdin
        # may be the pipe.
        outer = site._replace(stdin="opaque") if body is not None and body.type == "pipeline" \
            else site
        streams = _Streams(outer, self._line_fds)
        for redirect in redirects:
            self._redirect(redirect, extras, later, site, streams)
        if extras:
            # Words after a redirection of a compound command: bash rejects the line.
            self._unknown(site._replace(text=self._text(node)), (), "parse error")
        if body is not None:
            # A compound command fed a here-document or process substitution: a shell inside
            # reads text we do not follow, as with a pipe.
            inner = streams.site(site)
            if inner.stdin in ("here", "procsub"):
                inner = inner._replace(stdin="pipe", here=None)
            self._statement(body, inner, level + 1)
        # After the commands of the body: a `cd` in it comes first.
        self.commands.extend(replace(c, paths=self._in_dirs(c.paths)) for c in later)

    def _command(
        self,
        node: Node,
        site: _Site,
        level: int,
        body: Node | None = None,
        redirects: list[Node] | None = None,
    ) -> None:
        command = body if body is not None else node
        words: list[_Word] = []
        later: list[SimpleCommand] = []
        assignments: list[Node] = []
        expanding: list[Node] = []  # children that may hold substitutions
        redirects = [*(redirects or ()),
                     *self._attached.pop((command.start_byte, command.end_byte), ())]
        glued = _glued_descriptors(self._src, command, redirects)
        streams = _Streams(site, self._line_fds, glued)
        for child in command.named_children:
            kind = child.type
            if child.end_byte in glued and kind in ("command_name", "number", "word"):
                continue  # `0<&- reboot`: the digits are the redirection's descriptor
            if kind == "command_name":
                inner = child.named_children
                word = self._word(inner[0]) if inner else _Word(None, self._text(child))
                words.append(word)
                if word.value is None:
                    expanding.append(child)
            elif kind in _REDIRECTS:
                self._redirect(child, words, later, site, streams)
                expanding.append(child)
            elif kind == "variable_assignment":
                assignments.append(child)
                expanding.append(child)
            elif kind == "variable_assignments":
                assignments.extend(child.named_children)
                expanding.append(child)
            elif kind != "comment":
                word = self._word(child)
                words.append(word)
                if word.value is None:
                    expanding.append(child)
        own = len(words)
        for redirect in redirects:
            self._redirect(redirect, words, later, site, streams)
        # `sudo >/dev/null rm -rf /`: tree-sitter files `rm -rf /` under the redirection.
        text = self._text(node) if len(words) > own else self._text(command)
        here = streams.site(site, text=text)
        # `HISTFILE=/dev/null bash`, `LD_PRELOAD=x.so ls`: the assignments are judged too, in
        # the command's place (`BASH_ENV=/dev/stdin bash` reads what that command reads), and
        # first: the command runs with them (`HOME=/etc bash -c 'cd; ...'`).
        first = len(self.commands)
        kept = self._kept(assignments) if words else None
        for assignment in assignments:
            if assignment.type == "variable_assignment":
                self._assignment(assignment, here if words else site)
        assigned = self.commands[first:]
        del self.commands[first:]
        if words:
            self._resolve(words, here)
            # Bash keeps a prefix assignment only after a special builtin (in POSIX mode, as sh
            # does) or a function (POSIX mode): `HOME=/tmp true` leaves HOME as it was.
            name = words[0].value
            self._restore(kept, certain=name not in _SPECIAL_BUILTINS
                          and name not in self._functions)
            rest = [w for w in words if w.value not in ("command", "builtin")]
            if rest and rest[0].value == "exec" and all(_FD_VARIABLE.fullmatch(w.text)
                                                         for w in rest[1:]):
                # `exec 3<&0` changes the shell's own descriptors for the rest of the line.
                before = _Streams(site, self._line_fds).origin(0)
                if before[0] in ("tty", "unknown", "opaque") and (here.stdin, here.here) != before:
                    # `exec 0<<<'cmd'`, `exec < <(echo cmd)`, `exec <<E`: a shell reading its
                    # script from stdin reads on from there, code the gate never saw.
                    self.commands.append(SimpleCommand(
                        "exec", ("exec",), text,
                        wrappers=site.wrappers, reads_input=True))
                # A redirection may fail (`exec 0</nonexistent` in an interactive shell or
                # bash -c goes on with stdin as it was; attack I, finding 1): a descriptor it
                # points at a file holds what it held before, when that is judged more closely.
                old = _Streams(site, self._line_fds)
                new = {0: (here.stdin, here.here), **streams.fds}
                self._line_fds = {fd: old.origin(fd) if origin[0] in _PLAIN_FILES
                                  and old.origin(fd)[0] not in _PLAIN_FILES else origin
                                  for fd, origin in new.items()}
                texts = [self._text(r) for r in redirects] + [
                    self._text(c) for c in command.named_children if c.type in _REDIRECTS]
                self._own_terminal(streams, texts, here, words)
        self.commands.extend(later)
        self.commands.extend(assigned)  # listed after the command, as written before it
        for child in expanding:
            self._nested(child, site, level + 1)

    def _kept(self, nodes: list[Node]) -> tuple[dict[str, str | None], set[str], set[str], set[str]]:
        """The state of the variables `nodes` (assignments) set, as `_restore` takes it."""
        names = {self._text(n).split("=", 1)[0].split("[", 1)[0].rstrip("+") for n in nodes}
        return ({n: self._values[n] for n in names if n in self._values}, names,
                names & self._numbers, names & self._fresh)

    def _restore(self, kept: tuple[dict[str, str | None], set[str], set[str], set[str]] | None,
                 certain: bool) -> None:
        """Assignments bash does not keep (attack I, finding 1): the variables `kept` saved
        are as they were (`certain`), or either as they were or as set (a value set apart
        unknown, a number or mktemp path only if both)."""
        if kept is None:
            return
        values, names, numbers, fresh = kept
        for name in names:
            if certain:
                if name in values:
                    self._values[name] = values[name]
                else:
                    self._values.pop(name, None)
                self._numbers = (self._numbers - {name}) | (numbers & {name})
                self._fresh = (self._fresh - {name}) | (fresh & {name})
            else:
                if values.get(name, "") != self._values.get(name, ""):
                    self._values[name] = None
                self._numbers -= {name} - numbers
                self._fresh -= {name} - fresh

    def _own_terminal(self, streams: _Streams, redirects: list[str], site: _Site,
                      words: list[_Word]) -> None:
        """`exec` that points the interactive shell's stdin or stderr away from the terminal
        (`exec 2>/dev/null`, `exec 2>&-`, `exec 0<f`, `exec {fd}>&2-`): readline reads keys
        from the one and draws the line, its echo and ?2004h/l on the other, so the bastion
        would see no prompt, no echo and no line end, and take every line for a password
        (attack D, finding 5). Unknown."""
        moved = any(_MOVES_STANDARD.search(text) for text in redirects)
        if moved or streams.origin(0)[0] != "tty" or streams.origin(2)[0] != "tty":
            self._unknown(site, words, _TERMINAL_AWAY, terminal=True)

    def _redirect(
        self,
        node: Node,
        words: list[_Word],
        later: list[SimpleCommand],
        site: _Site,
        streams: _Streams,
    ) -> None:
        """What a redirection feeds the command, recorded in `streams`. Words it swallowed go
        back to `words`; an output redirection becomes a `>` pseudo-command in `later`."""
        self._spend(10)
        kind = node.type
        fd = _descriptor(self._src, node, streams.glued)
        if kind == "herestring_redirect":
            flattened = self._heredocs.get(node.start_byte)
            if flattened is not None:
                heredoc, body, written = flattened
                first = len(self.commands)
                streams.set(written if written is not None else fd or 0, "here",
                            self._heredoc_value(heredoc, body, site))
                # Commands in the body run before the command, but are listed after it.
                later.extend(self.commands[first:])
                del self.commands[first:]
                return
            inner = [c for c in node.named_children if c.type != "file_descriptor"]
            streams.set(fd or 0, "here", self._word(inner[-1]).value if inner else "")
            return
        if kind == "heredoc_redirect":
            body_text: str | None = ""
            quoted = False
            for child in node.named_children:
                if child.type == "heredoc_start":
                    quoted = any(c in self._text(child) for c in "'\"\\")
                elif child.type == "heredoc_body":
                    raw = self._text(child)
                    expands = any(c.type != "heredoc_content" for c in child.named_children)
                    if not quoted and "`" in raw:
                        expands = self._backticks(raw, site) or True
                    if expands and not quoted:
                        body_text = None
                    else:
                        body_text = raw if quoted else _unescape_heredoc(raw)
                elif child.type not in _HEREDOC_PARTS and child.type not in _STATEMENTS:
                    if child.type in _REDIRECTS:
                        self._redirect(child, words, later, site, streams)
                    elif child.type not in ("ERROR", "comment") and child.is_named:
                        words.append(self._word(child))
            streams.set(fd or 0, "here", body_text)
            return
        # file_redirect: the first operand is the file, any later word an argument of the command.
        token = next((c for c in node.children if not c.is_named), None)
        operator = token.type if token is not None else ""
        if operator == ">|" and token is not None and token.start_byte in self._read_write.get(
                self._src, ()):
            operator = "<>"
        operands = [c for c in node.named_children if c.type != "file_descriptor"]
        reads = operator.startswith("<")
        if fd is None:
            fd = 0 if reads else 1
        if operator in ("<&-", ">&-"):
            # bash takes no word after these: what tree-sitter gives them is the command's.
            words.extend(self._word(c) for c in operands)
            streams.set(fd, "null")
            return
        if not operands:
            return
        target = self._word(operands[0])
        words.extend(self._word(c) for c in operands[1:])
        duplicates = operator in (">&", "<&") and (
            operands[0].type == "number" or target.value == "-"
        )
        # `> >(sh)` writes to a pipe, not a file: the substitution is judged on its own.
        if not duplicates and not target.procsub:
            for pseudo in (("<",) if operator == "<" else (">",) if ">" in operator else ()) + (
                ("<",) if operator == "<>" else ()
            ):
                later.append(self._file_operation(pseudo, target, self._text(node), site))
        if duplicates:
            # A copy of another descriptor, whichever way it points (`3>&0` reads stdin too).
            value = target.value or ""
            streams.set(fd, *(streams.origin(int(value)) if value.isdigit() else ("null", None)))
        elif operator in (">&", "<&") and target.value is None:
            streams.set(fd, "unknown")  # `<&$n`: a descriptor known only at run time
        elif reads:
            streams.set(fd, *self._file_origin(target, streams))
        else:
            streams.set(fd, "file")
            if operator in ("&>", "&>>", ">&"):
                streams.set(2, "file")

    def _file_origin(self, target: _Word, streams: _Streams) -> tuple[str, str | None]:
        """What reading the file `target` names reads: a descriptor's origin for the names of
        descriptors (`/dev/stdin`, `/dev/fd/3`, `/proc/self/fd/0`, also from a directory a `cd`
        chose), "procsub", "unknown" for a name known only at run time, else "file"."""
        if target.procsub:
            return "procsub", None
        if target.value is None:
            # `"$HOME/run.sh"` ends in a name, which no descriptor has; `$f`, `$d/0` may.
            tail = target.text.rsplit("/", 1)[-1].strip("\"'") if "/" in target.text else ""
            if _PLAIN_NAME.fullmatch(tail) and not _DESCRIPTOR_NAME.fullmatch(tail):
                return "file", None
            return ("opaque" if streams.carries_text() else "unknown"), None
        fd = self._descriptor_named(target.value)
        if fd is None:
            return "file", None
        if fd == "unknown":
            return ("opaque" if streams.carries_text() else "unknown"), None
        return streams.origin(fd)

    def _descriptor_named(self, value: str) -> int | str | None:
        """The descriptor a file name opens (`_descriptor_file`), also for a relative name in
        a directory a `cd` on the line chose (`cd /dev/fd; cat 0`)."""
        fd = _descriptor_file(value)
        if fd is None and not value.startswith("/"):
            for folder in self._dirs:
                if folder.kind == "unknown":
                    # A directory known only at run time may be /dev/fd.
                    fd = "unknown" if _DESCRIPTOR_NAME.fullmatch(
                        normalise_path(value).rsplit("/", 1)[-1]) else None
                else:
                    base = folder.text
                    if folder.tilde:  # `cd ~root/../../dev/fd`
                        user, slash, rest = base[1:].partition("/")
                        base = _home(user, None) + slash + rest
                    fd = _descriptor_file(f"{base}/{value}")
                if fd is not None:
                    break
        return fd

    def _file_operation(self, op: str, target: _Word, text: str, site: _Site) -> SimpleCommand:
        """The pseudo-command `>` (a write) or `<` (a read) of one file."""
        return SimpleCommand(
            name=op,
            argv=(op, target.value if target.value is not None else target.text),
            text=text,
            dynamic_args=target.value is None or target.brace or target.expanded,
            wrappers=site.wrappers,
            paths=self._in_dirs((_path_arg(target),)),
        )

    def _heredoc_value(self, heredoc: _Heredoc, body: str, site: _Site) -> str | None:
        """The text a flattened here-document feeds; None when it has expansions. Commands in
        its substitutions are collected."""
        if heredoc.quoted:
            return body
        if not any(c in body for c in "$`"):
            return _unescape_heredoc(body)
        delimiter = "BASTION_HEREDOC"
        while delimiter in body:
            delimiter += "_"
        synthetic = f": <<{delimiter}\n{body}\n{delimiter}\n"
        root = _parse_tree(synthetic)
        why = _distrust(synthetic, root)
        if why is not None:
            self._unknown(site._replace(text=body), [], why)
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "heredoc_body":
                saved, self._src = self._src, synthetic
                try:
                    self._nested(node, site, 0)
                finally:
                    self._src = saved
                if "`" in body:
                    self._backticks(body, site)
                    return None
                if any(c.type != "heredoc_content" for c in node.named_children):
                    return None
                return _unescape_heredoc(body)
            stack.extend(node.children)
        return None

    def _backticks(self, body: str, site: _Site) -> None:
        """The `...` substitutions of an unquoted here-document body, which tree-sitter-bash
        leaves as text."""
        position = 0
        while (start := _unescaped(body, "`", position)) >= 0:
            end = _unescaped(body, "`", start + 1)
            if end < 0:
                self._unknown(site._replace(text=body), [], "parse error")
                return
            with self._apart():
                self.parse(_unescape_heredoc(body[start + 1: end]),
                           site._replace(depth=site.depth + 1, here=None))
            position = end + 1

    def _assignment(self, node: Node, site: _Site, integer: bool = False) -> None:
        self._spend(20)
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        text = self._text(node)
        name = self._text(name_node) if name_node is not None else text.split("=", 1)[0]
        if name_node is not None and name_node.type == "subscript":
            base = name_node.child_by_field_name("name")
            name = self._text(base) if base is not None else name.split("[", 1)[0]
            index = name_node.child_by_field_name("index")
            if index is not None:
                self._subscript(name, index, site, text)
        hook = _hook_kind(name.rstrip("+"))
        if value_node is None:
            word = _Word("", "")
        elif value_node.type == "array":
            if hook in ("code", "prompt"):
                # PROMPT_COMMAND=(a b): each element is run, or shown as a prompt.
                for element in value_node.named_children:
                    self._hook(name, self._word(element), site)
            for element in value_node.named_children:
                # `a=([x]=1)`: an indexed array's subscripts are arithmetic.
                subscript = _element_subscript(self._text(element))
                if subscript is not None:
                    self._subscript(name.rstrip("+"), subscript, site, text)
            word = _Word(None, self._text(value_node))
        elif hook is not None:
            # `PS1="$PS1> "`: the hook's own earlier value was judged when it was set.
            itself = (name.rstrip("+"), ":" if hook == "code" else "")
            word = _word(self._src, value_node, itself)
        else:
            word = self._word(value_node)
        if integer and value_node is not None:
            self._arithmetic(value_node, site, text=self._text(value_node))
        # `n=$((n + 1))` holds the number the expression gave.
        numeric = value_node is not None and (value_node.type == "arithmetic_expansion" or (
            value_node.type == "string" and len(value_node.named_children) == 1
            and value_node.named_children[0].type == "arithmetic_expansion"
            and _text(self._src, value_node)[1:-1] == self._text(value_node.named_children[0])))
        self._assigned(name, word, text, site, judged=value_node is not None
                       and value_node.type == "array" and hook in ("code", "prompt"),
                       numeric=numeric and not integer,
                       fresh=value_node is not None and self._mktemp(value_node))

    def _mktemp(self, node: Node) -> bool:
        """Whether a value is the output of one mktemp (`$(mktemp)`, `"$(mktemp -d)"`): a path
        it has just made, new, whatever its options."""
        if node.type == "string" and len(node.named_children) == 1 and \
                self._text(node)[1:-1] == self._text(node.named_children[0]):
            node = node.named_children[0]
        if node.type != "command_substitution" or not self._text(node).startswith("$("):
            return False
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1 or inner[0].type != "command":
            return False
        name = inner[0].child_by_field_name("name")
        return name is not None and self._text(name).rsplit("/", 1)[-1] == "mktemp"

    def _assigned(self, name: str, value: _Word, text: str, site: _Site,
                  judged: bool = False, numeric: bool = False, fresh: bool = False) -> None:
        """The `NAME=` pseudo-command for one variable assignment, and the code it stores."""
        append = name.endswith("+")
        name = name.rstrip("+")
        if fresh and not append:
            self._fresh.add(name)
        else:
            self._fresh.discard(name)
            self._stale.add(name)
        label = f"{name}="
        self.commands.append(
            SimpleCommand(
                name=label,
                argv=(label, value.value if value.value is not None else value.text),
                text=text,
                dynamic_args=value.value is None,
                wrappers=site.wrappers,
                # The value as a file (`HISTFILE=/dev//null`), for rules' paths.
                paths=self._in_dirs((_path_arg(value),)),
            )
        )
        if name in _SAFE_ARITH:
            # What arithmetic later reads in RANDOM, OPTIND, SECONDS... (see _SAFE_ARITH).
            if value.value is None:
                self._unknown(site, [value], f"{name}, read as a number, set to a value known "
                                             "only at run time")
            else:
                self._arithmetic_text(value.value, site, text)
        self._values[name] = None if append else value.value
        if name in ("HOME", "CDPATH"):
            self._reached_values.setdefault(name, set()).add(self._values[name])
        if numeric or (not append and value.value is not None and _INTEGER.fullmatch(value.value)):
            self._numbers.add(name)
        else:
            self._numbers.discard(name)
            self._tainted.add(name)
        if not judged:
            self._hook(name, value, site)

    def _hook(self, name: str, value: _Word, site: _Site) -> None:
        """Judge what the shell will later run from a variable it treats as code (see
        _HOOKS)."""
        kind = _hook_kind(name)
        if kind is None:
            return
        code = value.value
        if code is None:
            self._unknown(site, [value], f"{name} set to a value known only at run time")
        elif kind == "code" and name == "BASH_ALIASES":
            # BASH_ALIASES[NAME]=VALUE is an alias (its NAME not at hand: taken to differ).
            self._alias_value("", code, site, name)
        elif kind == "code":
            self._code(code, site, name)
        elif kind == "program":
            # A command another program runs later, not with the line's stdin.
            self._code(code, site._replace(stdin="null"), name)
        elif kind == "prompt":
            self._expanded(_decode_prompt(code), site, name)
        elif kind == "expanded":
            self._expanded(code, site, name)
            if name in ("BASH_ENV", "ENV"):
                # The file a starting shell sources: `BASH_ENV=/dev/stdin bash -c :` runs its
                # stdin as a script, as `bash /dev/stdin` does.
                origin, here = self._file_origin(_Word(code, code), _Streams(site, {}))
                if origin not in ("file", "null"):
                    self._stdin_code(name, [_Word(f"{name}={code}", f"{name}={code}")],
                                     site._replace(stdin=origin, here=here), "a shell",
                                     fed="bash" if name == "BASH_ENV" else "sh", label=f"{name}=")
        elif kind == "unknown":
            self._unknown(site, [value], f"{name} {_HOOK_UNKNOWN[name]}")
        elif kind == "options":
            doubt = _env_options_doubt(name, code)
            if doubt is not None:
                self._unknown(site, [value], doubt)
        elif kind == "terminal":
            if code not in _TERMINALS:
                self._unknown(site, [value], f"TERM={code} makes readline draw and read keys in "
                                             "a way the bastion does not follow", terminal=True)
        elif code.startswith("()"):  # BASH_FUNC_f%%='() { ...; }' defines f in a child bash
            self._code("_" + code, site, name)

    def _expanded(self, text: str, site: _Site, name: str) -> None:
        """Judge `text` as the shell expands it in a double-quoted word ($(...), `...`,
        $((...)), ${...}), with `"` a plain character: as the body of a here-document. A prompt
        or hook is expanded later: walked again at the end of the line (`finish`)."""
        delimiter = "BASTION_EXPANDED"
        while delimiter in text:
            delimiter += "_"
        code = f": <<{delimiter}\n{text}\n{delimiter}\n"
        inner = site._replace(depth=site.depth + 1, wrappers=(*site.wrappers, name), here=None)
        self._deferred[code, inner] = None
        start = len(self.commands)
        self.parse(code, inner)
        self._walked.setdefault((code, inner), set()).update(self.commands[start:])

    def _declaration(self, node: Node, site: _Site, level: int) -> None:
        keyword = next((c.type for c in node.children if not c.is_named), "declare")
        words = [_Word(keyword, keyword)]
        assignments = []
        attributes = ""
        shown = site._replace(text=self._text(node))
        # `local` outside a function is an error that assigns nothing (attack I, finding 1).
        outside = (dict(self._values), set(self._numbers), set(self._fresh)) \
            if keyword == "local" and not self._in_function else None
        # Words written without a blank between them are one (tree-sitter-bash reads
        # `PS{4,}='x'` as `PS` and `{4,}='x'`).
        items: list[Node | list[Node]] = []
        for child in node.named_children:
            if child.type == "variable_assignment" or child.type == "comment":
                items.append(child)
            elif items and isinstance(items[-1], list) and items[-1][-1].end_byte == \
                    child.start_byte:
                items[-1].append(child)
            else:
                items.append([child])
        for item in items:
            if not isinstance(item, list):
                if item.type == "comment":
                    continue
                child = item
                assignments.append(child)
                value = child.child_by_field_name("value")
                decoded = self._word(value).value if value is not None else ""
                name = self._text(child).split("=", 1)[0]
                value_text = None if decoded is None else f"{name}={decoded}"
                words.append(_Word(value_text, self._text(child)))
                continue
            word = self._adjacent_words(item)[0]
            words.append(word)
            if word.value is None:
                # `export $x` may assign anything, PROMPT_COMMAND included.
                self._unknown(shown, [word], f"{keyword} of a name known only at run time")
            elif word.value[:1] in ("-", "+") and len(word.value) > 1:
                attributes += word.value[1:] if word.value[0] == "-" else ""
            else:
                # A quoted `'PS1=$(cmd)'` or `'a[$(cmd)]'` is still a name (and value) to declare,
                # and `PS{4,}='$(cmd)'` declares PS4 (and PS).
                for each in _expanded_braces([word]) if word.brace else [word]:
                    if each.value is None:
                        self._unknown(shown, [each], f"{keyword} of a name known only at run "
                                                     "time")
                    else:
                        self._declared(each.value, keyword, attributes, shown)
        self._plain(keyword, words, shown)
        if "i" in attributes:
            # The attribute stays: a later line's `x='a[$(cmd)]'` would run cmd.
            self._unknown(shown, [], f"{keyword} -i: later assignments are evaluated as "
                                     "arithmetic")
        for child in assignments:
            name = self._text(child).split("=", 1)[0].split("[", 1)[0].rstrip("+")
            self._declared_name(name, attributes)
            self._assignment(child, site, integer="i" in attributes)
            value = child.child_by_field_name("value")
            if "n" in attributes:
                self._nameref(name, self._word(value) if value is not None else None, shown)
            elif value is not None and value.type != "array":
                decoded = self._word(value).value
                if _compound(keyword, decoded):
                    # `declare -a b='($(cmd))'` assigns the elements, expanded, as `b=(...)`.
                    self.parse(f"{name}={decoded}", shown._replace(depth=site.depth + 1))
        if outside is not None:
            self._values, self._numbers, self._fresh = outside
        self._nested(node, site, level)

    def _declared(self, text: str, keyword: str, attributes: str, site: _Site) -> None:
        """A NAME, NAME[SUB] or NAME=VALUE word given to declare and its kin as a string."""
        match = _DECLARED.fullmatch(text)
        if match is None:
            return  # not a name: bash refuses it
        name, subscript, assigned = match.group(1), match.group(2), match.group(3)
        self._declared_name(name, attributes)
        if subscript is not None:
            self._subscript(name, subscript, site, site.text)
        if assigned is not None:
            word = _Word(assigned, assigned)
            if "i" in attributes:
                self._arithmetic_text(assigned, site, site.text)
            if _compound(keyword, assigned):
                # `declare -a 'b=($(cmd))'`: the elements are expanded as in `b=(...)`.
                self.parse(f"{name}={assigned}", site._replace(depth=site.depth + 1))
            else:
                self._assigned(name, word, site.text, site)
            if "n" in attributes:
                self._nameref(name, word, site)
        elif "n" in attributes:
            # The next assignment to NAME chooses what it refers to (`r=PROMPT_COMMAND`).
            self._unknown(site, [], f"a name reference {name} whose target a later line sets")

    def _declared_name(self, name: str, attributes: str) -> None:
        """What declaring NAME changes beyond its value: an associative array's subscripts
        are strings."""
        if "A" in attributes:
            self._assoc.add(name)

    def _nameref(self, name: str, target: _Word | None, site: _Site) -> None:
        """`declare -n NAME=TARGET`: an assignment to NAME later sets TARGET, and expanding
        NAME reads TARGET (its subscript evaluated then)."""
        if target is not None and target.value is None:
            self._unknown(site, [target], "a name reference to a name known only at run time")
            return
        match = _DECLARED.fullmatch(target.value) if target is not None and target.value else None
        if match is not None and match.group(2) is not None:
            self._subscript(match.group(1), match.group(2), site, target.value or "")
        for variable in (name, match.group(1) if match is not None else None):
            if variable is not None:
                # Whatever is later assigned through the reference is known only then.
                self._assigned(variable, _Word(None, f"(through the name reference {name})"),
                               site.text, site)

    # -- arithmetic: bash evaluates a variable's value as an expression, and an expression
    # may index an array with a command substitution (`x='a[$(cmd)]'; echo $((x))` runs cmd).

    def _arithmetic(self, node: Node, site: _Site, text: str | None = None) -> None:
        """Fail closed on arithmetic that reads a variable not set to a number on this line, or
        evaluates a command's output."""
        unsafe, assumed, runs = _arithmetic_reads(self._src, node, self._numbers)
        self._checked(unsafe, assumed, runs, site._replace(text=text or self._text(node)))

    def _arithmetic_text(self, text: str, site: _Site, shown: str) -> None:
        """`_arithmetic` for an expression given as a string (let, declare -i, a subscript)."""
        assigned = _ASSIGNED_TO.match(text)
        plain = _NUMBER_LITERALS.sub(" ", text[assigned.end():] if assigned else text)
        names = [n for n in _IDENTIFIER.findall(plain) if n not in _SAFE_ARITH]
        self._checked([n for n in names if n not in self._numbers],
                      [n for n in names if n in self._numbers],
                      "$(" in text or "`" in text, site._replace(text=shown))
        if assigned is not None:
            self._numbers.add(assigned.group(1))  # `let n=n+1`: a number, whatever n held

    def _checked(self, unsafe: list[str], assumed: list[str], runs: bool, shown: _Site) -> None:
        if runs:
            self._unknown(shown, [], "arithmetic on a command's output, which is evaluated as code")
        elif unsafe:
            self._unknown(shown, [], f"arithmetic on {unsafe[0]}, whose value (set elsewhere) "
                                     "is evaluated as code")
        else:
            self._assumed.extend((name, shown) for name in assumed)

    def _subscript(self, array: str, index: Node | str, site: _Site, shown: str) -> None:
        """An array subscript (a node, or text from a string): arithmetic for an indexed array;
        for an associative one declared on the line a string, whose substitutions are judged
        where they stand (or, in a string expanded later, make it unknown)."""
        if array not in self._assoc:
            if isinstance(index, str):
                self._arithmetic_text(index, site, shown)
            elif self._text(index) not in ("@", "*"):
                self._arithmetic(index, site, text=shown)
        elif isinstance(index, str) and ("$" in index or "`" in index):
            self._unknown(site._replace(text=shown), [], "a subscript expanded when it is used")

    def finish(self) -> None:
        """What needs the whole line: arithmetic that relied on a variable holding a number is
        unknown when the line also sets it to something else (`y=1; f() { : $((y)); }; y=$x;
        f` reads y after it changed); and once the line turns history expansion on, a `!` in
        any code string it runs is (`bash -c 'set -H; set -o history; ...; !!'`)."""
        self._later()
        for name, shown in self._assumed:
            if name in self._tainted:
                self._unknown(shown, [], f"arithmetic on {name}, which the line also sets to a "
                                         "value that is not a number")
        for name, text in self._fresh_used:
            if name in self._stale:
                self._unknown(_Site(text=text), [], f"{name} holds a path mktemp made, but the "
                                                    "line also sets it to something else")
        if self._histexpand:
            # Non-interactive shells expand history once `set -H` (and `set -o history`) ran.
            for code, site in self._codes:
                if _history_expansion(code):
                    self._unknown(site._replace(text=code), (), "history expansion, turned on "
                                                                 "by set -H")

    def _later(self) -> None:
        """Code stored to run later (trap strings for any signal or pseudo-signal, aliases,
        hooks such as PROMPT_COMMAND, function bodies) judged in every state the line reaches
        (attack I, finding 2): in each directory the shell may be in at any point of it, with
        each value of HOME and CDPATH it may hold then (as inherited included), the stack
        unknown. Code run later that moves the shell adds directories (`trap 'cd /etc' DEBUG`):
        walked again until no more are reached, and past _LATER_PASSES, with a directory known
        only at run time among them."""
        if not self._deferred and not self._functions:
            return
        unknown = PathArg("(a directory known only at run time)", "unknown")
        for attempt in range(_LATER_PASSES + 1):
            reached = (list(self._reached_dirs), str(self._reached_values))
            if attempt == _LATER_PASSES:
                self._reached_dirs[:] = _bounded([*self._reached_dirs, unknown])
            homes, cdpaths = ({"", *self._reached_values.get(name, ())} for name in
                              ("HOME", "CDPATH"))
            for home in homes if len(homes) <= _LATER_VALUES else {None}:
                for cdpath in cdpaths if len(cdpaths) <= _LATER_VALUES else {None}:
                    with self._apart():
                        self._dirs, self._stack = list(self._reached_dirs), []
                        for name, value in (("HOME", home), ("CDPATH", cdpath)):
                            if value == "":
                                self._values.pop(name, None)
                            else:
                                self._values[name] = value
                        if self._cdable_vars:  # `cd NAME` may go to any value NAME took
                            self._values = {k: None for k in self._values}
                        self._later_pass()
            if (list(self._reached_dirs), str(self._reached_values)) == reached:
                return

    def _later_pass(self) -> None:
        """One walk of every stored code and function body, from the present state."""
        for key in list(self._deferred):
            start = len(self.commands)
            with self._apart():
                self.parse(*key)
            self._drop_repeats(start, key)
        for function in list(self._functions):
            if function not in self._calling:
                with self._apart():
                    self._call(function, _Site(text=function))

    def _expansion(self, node: Node, site: _Site) -> None:
        """${...} forms that run code or set variables: indirection (`${!x}`), prompt
        expansion (`${x@P}`), assignment (`${x:=v}`), subscripts and offsets (arithmetic)."""
        text = self._text(node)
        if text.startswith("${!") and not _SAFE_INDIRECT.fullmatch(text):
            self._unknown(site._replace(text=text), [], "indirect expansion: a value names what "
                                                        "is read, subscripts evaluated")
            return
        if text.endswith("@P}"):
            self._unknown(site._replace(text=text), [], "prompt expansion of a value known only "
                                                        "at run time")
            return
        children = node.children
        for position, child in enumerate(children):
            kind = child.type
            if kind == "subscript":
                index = child.child_by_field_name("index")
                base = child.child_by_field_name("name")
                if index is not None:
                    self._subscript(self._text(base) if base is not None else "", index, site,
                                    text)
            elif kind in (":=", "=") and position >= 2 and children[position - 1].type == (
                "variable_name"
            ):
                after = children[position + 1] if position + 1 < len(children) else None
                value = (self._word(after) if after is not None and after.type != "}"
                         else _Word("", ""))
                self._assigned(self._text(children[position - 1]), value, text, site)
            elif kind == ":" and position >= 2 and children[position - 1].type in (
                "variable_name", "subscript", "special_variable_name"
            ):
                for operand in children[position + 1:]:
                    if operand.is_named:
                        self._arithmetic(operand, site)
                break

    # -- resolving one simple command ----------------------------------------------------

    def _resolve(self, words: list[_Word], site: _Site) -> None:
        if any(word.brace for word in words):
            words = _expanded_braces(words)
        self._spend(20 + 5 * len(words))
        first = words[0]
        if first.value is None:
            self._unknown(site, words, "command word known only at run time")
            return
        if first.glob or first.brace:
            self._unknown(site, words, "command word changed by pathname or brace expansion")
            return
        if first.value in self._functions and first.value not in self._calling:
            self._call(first.value, site)
        if first.value in self._movers:
            self._dirs = _bounded([*self._dirs, PathArg("(a directory known only at run time)",
                                                        "unknown")])
            self._stack = []
        if site.depth > MAX_NESTING:
            self._unknown(site, words, "wrappers nested too deeply")
            return
        name = first.value.rsplit("/", 1)[-1] or first.value
        handler = _HANDLERS.get(name)
        if handler is None:
            if shell_name(name) is not None:
                handler = _Collector._shell
            elif INTERPRETERS.fullmatch(name):
                handler = _Collector._interpreter
        start = len(self.commands)
        if handler is None or not handler(self, name, words, site):
            self._plain(name, words, site)
        if site.dynamic and handler is not None and name not in _DATA_PROGRAMS and not (
                name == "git" and _git_subcommand(words)):
            # `echo touch x | xargs env`: a program that runs a command (or code, or a script)
            # given none on the line takes it from the words xargs appends.
            depth = len(site.wrappers)
            if not any(len(c.wrappers) > depth and c.wrappers[depth] == name
                       for c in self.commands[start:]):
                self._unknown(site, words, f"{name} runs a command or code that xargs appends "
                                           "at run time")

    def _call(self, function: str, site: _Site) -> None:
        """A call of a function the line defined: each body defined under that name so far is
        walked again from the state at the call, in the shell itself (it may return early:
        afterwards the state is what either may be), with the call's streams (attack I,
        finding 2: `cd /tmp; f() { rm x; }; cd /etc; f` removes /etc/x). A recursive call is
        not walked again (`_movers` covers a body that moves on each pass)."""
        self._calling.add(function)
        self._in_function += 1
        saved = self._src, self._heredocs
        start = len(self.commands)
        try:
            for src, node, heredocs, defined in list(self._functions[function]):
                self._src, self._heredocs = src, heredocs
                inner = defined._replace(stdin=site.stdin, here=site.here, fds=site.fds,
                                         depth=max(defined.depth, site.depth))
                with self._apart(certain=False):
                    for child in node.named_children:
                        self._statement(child, inner, 1)
        finally:
            self._src, self._heredocs = saved
            self._in_function -= 1
            self._calling.discard(function)
            self._drop_repeats(start, function)

    def _drop_repeats(self, start: int, key: Any) -> None:
        """Leave out the commands from `start` on that an earlier walk of the same code (`key`)
        found: they are on the list already, and give no new verdict."""
        seen = self._walked.setdefault(key, set())
        fresh = []
        for command in self.commands[start:]:
            if command not in seen:
                seen.add(command)
                fresh.append(command)
        self.commands[start:] = fresh

    def _plain(self, name: str, words: list[_Word], site: _Site, reads_stdin: str = "") -> None:
        argv = [w.value for w in words]
        dynamic = site.dynamic
        for index, word in enumerate(words):
            if word.value is None:
                argv[index] = word.text
                dynamic = dynamic or not word.fresh
            elif word.brace or word.expanded:
                dynamic = True
        paths = _operand_paths(words)
        if name in _TREE_CHANGERS and (name == "mount" or _recursive_change(words)):
            paths += tuple(PathArg(f"{p.text.rstrip('/')}/**", "pattern", p.tilde)
                           for p in paths if p.kind != "unknown")
        if site.dynamic:  # xargs appends words known only at run time
            paths += (PathArg("(appended at run time)", "unknown"),)
        if not reads_stdin and name in _COMMAND_LANGUAGES and _reads_commands(name, words):
            reads_stdin = self._commands_fed(name, words, site)
        reads = self._reads_line_stdin(name, words, site, reads_stdin)
        command = SimpleCommand(name, tuple(argv), site.text, "", dynamic, site.wrappers,
                                self._in_dirs(paths), reads_stdin, reads_input=reads)
        self.commands.append(command)
        if name != "script":  # judged by its handler, with or without a command
            self._writes(name, words, site)
        if name in _CODE_IN_OPTIONS:
            self._option_code(name, words, site)
        if name == "rsync":
            removed = _rsync_removes(words)
            if removed:
                self.commands.append(SimpleCommand(
                    "rm", ("rm", "-r", *(p.text for p in removed)), site.text, "",
                    any(p.kind == "unknown" for p in removed), (*site.wrappers, name),
                    self._in_dirs(removed)))
        if name in ("cd", "pushd", "popd"):
            self._moved(name, words)

    def _commands_fed(self, name: str, words: list[_Word], site: _Site) -> str:
        """A program of _COMMAND_LANGUAGES reading its commands from its stdin (attack G,
        finding 2): on the line's own stdin it reads its program there ("interpreter": an exec
        channel's stdin is held, a script's is read by it); text piped in is `|` (the program
        fed) and unknown; a here-document or here-string is judged where the policy reads the
        language (sqlite3's dot commands, gdb's commands, psql's and mysql's without a client
        command), unknown otherwise."""
        origin = site.stdin
        if origin in ("tty", "unknown"):
            return "interpreter"
        if origin == "pipe":
            self._unknown(site, words, f"text piped into {name}, which may run shell commands "
                                       "from it")
            self.commands.append(SimpleCommand(name="|", argv=("|", name), text=site.text,
                                               wrappers=site.wrappers))
        elif origin in ("procsub", "opaque"):
            self._unknown(site, words, f"{name} reads commands from a file known only at run "
                                       "time, which may be text fed to the line")
        elif origin == "here":
            self._commands_in(name, site.here, words, site)
        return ""

    def _option_code(self, name: str, words: list[_Word], site: _Site) -> None:
        """Code in the options of common programs (attack G, finding 6): a program they run
        (`sort --compress-program`, `dpkg --pre-invoke`, `man -P`, `zip -TT`), apt's hooks
        set with `-o`, an editor's commands (`vim -c '!cmd'`, `less '+!cmd'`), a database
        client's commands (`psql -c '\\! cmd'`)."""
        values = [w.value for w in words]
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None:
                continue
            following = _at(words, index + 1)
            head, has_value, attached = value.partition("=")
            given = _Word(attached, attached) if has_value else following
            if name in _OPTION_CODE:
                longs, shorts = _OPTION_CODE[name]
                if head.startswith("--") and len(head) > 3 and any(n.startswith(head) for n in longs):
                    self._code(given, site, name)
                elif value in shorts:
                    self._code(following, site, name)
                elif not value.startswith("--") and value[:2] in shorts and len(value) > 2:
                    self._code(value[2:], site, name)
            if name in ("apt", "apt-get", "aptitude") and (
                    value in ("-o", "--option", "-c", "--config-file") or value.startswith(
                        ("-o", "--option=", "-c", "--config-file="))):
                setting = following if value in ("-o", "--option", "-c", "--config-file") else \
                    _Word(attached if value.startswith("--") else value[2:], value)
                self._apt_setting(value, setting, words, site)
            if name in _EDITORS and (value in ("-c", "--cmd") or (
                    value.startswith("+") and name != "less")):
                command = following if value in ("-c", "--cmd") else _Word(value[1:], value)
                self._editor_command(name, command, words, site)
            if name in _COMMANDS_GIVEN and name not in ("gdb", "sftp"):
                letter, rest = _cluster_letter(value, _COMMANDS_GIVEN[name],
                                               _COMMAND_ARGUMENTS.get(name, ""))
                if head.startswith("--") and head in _COMMANDS_GIVEN[name]:
                    letter, text = head, given
                else:
                    text = _Word(rest, rest) if rest else following
                if letter is None or letter in ("f", "l", "--file", "--list"):
                    continue  # a file of commands: a script file, any program's peer (README)
                self._commands_in(name, text.value if text is not None else None, words, site)
        if name == "less":
            for value in values[1:]:
                if value is not None and value.startswith("+") and not _LESS_QUIET.fullmatch(
                        value.lstrip("+")):
                    self._unknown(site, words, f"a less command given on the line: "
                                               f"{one_line(value, 40)}")

    def _apt_setting(self, option: str, setting: _Word | None, words: list[_Word],
                     site: _Site) -> None:
        """apt's `-o NAME=VALUE`: hooks (`APT::Update::Pre-Invoke`, `DPkg::Post-Invoke`...) and
        programs it runs, or dpkg's options (`Dpkg::Options::=--pre-invoke=CMD`), are code;
        `-c FILE` reads settings from a file the policy does not read."""
        text = setting.value if setting is not None else None
        if text is None or option.startswith(("-c", "--config-file")):
            self._unknown(site, words, "apt settings the policy does not read")
            return
        key, _, value = text.partition("=")
        if re.fullmatch(r"(?i)dpkg::options:*", key.strip()):
            if re.match(r"--(pre|post)-invoke|--status-logger", value):
                self._code(value.partition("=")[2], site, "apt")
            elif not re.fullmatch(r"--force-[\w-]+(=\S*)?", value):
                self._unknown(site, words, f"a dpkg option set through apt: {one_line(value, 40)}")
        elif not _APT_SAFE.fullmatch(key.strip()):
            self._unknown(site, words, f"an apt setting that may run a program: {one_line(key, 40)}")

    def _editor_command(self, name: str, command: _Word | None, words: list[_Word],
                        site: _Site) -> None:
        """An ex command given on the line (`vim -c CMD`, `vim +CMD`): `!cmd` is shell code, a
        line number or a search runs nothing, anything else may (`:r !cmd`, `:w FILE`,
        `:call system()`): unknown."""
        text = command.value if command is not None else None
        if text is None:
            self._unknown(site, words, f"{name} commands known only at run time")
            return
        text = text.lstrip(": ")
        if text.startswith("!"):
            self._code(text[1:], site, name)
        elif not re.fullmatch(r"[0-9]*|/[^|!]*|\?[^|!]*|(set|se)\s+[\w=]+|(syntax|syn)\s+\w+", text):
            self._unknown(site, words, f"an {name} command given on the line: {one_line(text, 40)}")

    def _commands_in(self, name: str, text: str | None, words: list[_Word], site: _Site) -> None:
        """Commands of `name`'s language given as text (a here-document, -e, -c)."""
        if text is None:
            self._unknown(site, words, f"{name} commands known only at run time")
        elif name == "sqlite3":
            for line in text.splitlines():
                written, codes, reads = _sqlite_dot(line)
                for path in written:
                    self.commands.append(SimpleCommand(">", (">", path.text), site.text, "", False,
                                                       site.wrappers, self._in_dirs((path,))))
                for code in codes + [None for r in reads if _descriptor_file(r) is not None]:
                    self._code(code, site, name)
        elif name == "gdb":
            for line in text.splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    self._gdb_command(_Word(line, line), None, words, site)
        elif name in ("psql", "mysql", "mariadb") and not _CLIENT_COMMAND.search(text):
            return
        else:
            self._unknown(site, words, f"{name} commands, which may run shell commands or "
                                       "write files the policy does not read")

    def _reads_line_stdin(self, name: str, words: list[_Word], site: _Site,
                          reads_stdin: str) -> bool:
        """Whether the command may read the line's own stdin (`stdin_reader`): its stdin, as
        a reader of its stdin (`_reads_input`); the descriptor `read -u N` and `mapfile -u N`
        read, followed to its origin (`read -u 3 x 3<&0`; a descriptor the line did not open
        is known only at run time); or a name of a descriptor given as a file (`head -c 2
        /dev/stdin`, `dd if=/dev/fd/0`, `sed 1q /proc/self/fd/0`, `0` after `cd /dev/fd`)."""
        mine = ("tty", "unknown", "opaque")
        if name in ("read", "mapfile", "readarray"):
            scanned = _scan_options(words, 1, _READ if name == "read" else _MAPFILE)
            chosen = _last_argument(scanned[1], {"-u"}) if scanned is not None else ("-u", None)
            if chosen is not None:
                fd = chosen[1].value if chosen[1] is not None else None
                if fd is None or not fd.isdigit():
                    return True  # `read -u "$fd"`: perhaps 0
                return _Streams(site, {}).origin(int(fd))[0] in mine
            if site.stdin in mine:
                return True
        elif site.stdin in mine and (
                reads_stdin == "interpreter" or (reads_stdin == "shell" and shell_name(name) not in
                                                 _BASH_GRAMMAR) or _reads_input(name, words)):
            return True
        elif (name in _READS_FILES or name in _READS_PROGRAM or name in _READS_ALWAYS) and any(
                (w.value or "").isdigit() or (w.value or "").startswith("if=") for w in words):
            # A file named only by digits (`head -c 2 0`) is a descriptor where an earlier
            # line's `cd /dev/fd` left the shell: a line on a shell's stdin cannot know.
            scanned = _scan_options(words, 1, _options(_READ_OPTIONS.get(name, "")))
            operands = [w.value or "" for w in words[scanned[0]:]] if scanned is not None else []
            if name in _READS_PROGRAM:
                operands = operands[1:]  # `jq -n 1`, `grep 1 f`: the program or pattern
            if any(v.isdigit() or (v.startswith("if=") and v[3:].isdigit()) for v in operands):
                return True
        named = [w.value for w in words[1:] if w.value and (
            self._dirs or "/dev" in w.value or "/proc" in w.value)]
        # (Most words name no descriptor, and no `cd` on the line makes a relative one.)
        if not named:
            return False
        streams = _Streams(site, {})
        return any(self._names_line_stdin(value, streams) for value in named)

    def _names_line_stdin(self, value: str, streams: _Streams) -> bool:
        """Whether a word names a descriptor that reads the line's own stdin, as a file
        operand, an option's value (`if=/dev/stdin`, `--file=/dev/fd/0`, `-f/dev/stdin`).
        stdout and stderr (`tee /dev/stdout`) are taken to be written, not read."""
        candidates = {value}
        if "=" in value:
            candidates.add(value.split("=", 1)[1])
        if value.startswith("-") and "/" in value:
            candidates.add(value[value.index("/"):])
        for candidate in candidates:
            fd = self._descriptor_named(candidate) if candidate else None
            if fd == "unknown" or (isinstance(fd, int) and fd not in (1, 2) and
                                   streams.origin(fd)[0] in ("tty", "unknown", "opaque")):
                return True
        return False

    def _writes(self, name: str, words: list[_Word], site: _Site) -> None:
        """The `>` pseudo-commands of a command that writes files (_WRITES, `_more_writes`),
        and the code some run (`sed 'e cmd'`, `strace -o '|cmd'`, `tar --to-command`)."""
        writes = _WRITES.get(name)
        paths = _written(words, writes) if writes is not None else []
        more, codes = _more_writes(name, words, self._values)
        for path in paths + more:
            self.commands.append(SimpleCommand(
                ">", (">", path.text), site.text, "", path.kind == "unknown", site.wrappers,
                self._in_dirs((path,))))
        for code in codes:
            self._code(code, site, name)

    def _moved(self, name: str, words: list[_Word]) -> None:
        """`cd DIR`, `pushd DIR`, `popd`: the directories that relative paths after it are
        judged in (`cd` alone: home; `cd -`, `pushd +1`, a `popd` or a bare `pushd` with
        nothing pushed on the line: a directory known only at run time). CDPATH and
        `shopt -s cdable_vars` set on the line are followed (`cd log` may be $CDPATH/log,
        `cd e` may be $e); set on an earlier line they are not known (README).

        Added to the directories before it, never replacing them (attack I, finding 1): any
        of them may fail and leave the shell where it was (no such directory, not one, too
        many operands, a bad option, `enable -n cd`, a function named cd, a branch not taken),
        and the line model cannot prove one ran and succeeded. Because the set only grows, a
        level of the stack holds every level pushed before it: a `pushd` that failed (the
        stack one shorter) makes a later `popd` go to a directory among those it pops."""
        unknown = PathArg("(a directory known only at run time)", "unknown")
        options, operands = [], []
        for word in words[1:]:
            if not operands and word.value is not None and word.value.startswith("-") \
                    and word.value not in ("-", "--") and not word.value[1:].isdigit():
                options.append(word.value)
            elif word.value != "--" or operands:
                operands.append(word)
        target = operands[0] if operands else None
        if name == "popd" or (name == "pushd" and (target is None or _DIRSTACK.fullmatch(
                target.value or ""))):
            if "-n" in options:
                self._stack.clear()  # the stack below the top changed: unknown from here
                return
            if name == "popd" and target is None and self._stack:
                self._dirs = _bounded(self._dirs + self._stack.pop())
            elif name == "pushd" and target is None and self._stack:
                self._dirs = _bounded(self._dirs + self._stack[-1])
                self._stack[-1] = list(self._dirs)
            else:
                self._dirs = _bounded([*self._dirs, unknown])
                self._stack.clear()
            return
        if name == "pushd":
            if "-n" in options:
                self._stack.clear()
                return
            self._stack.append(list(self._dirs))
        if target is None:
            candidates = [PathArg("~", "exact", True)]
        elif target.value == "-":
            candidates = [PathArg("(the previous directory)", "unknown")]
        else:
            candidates = list(_operand_paths([words[0], target]))
            value = target.value
            if value is not None and not value.startswith("/") and not target.text.startswith(
                    "~") and value.split("/", 1)[0] not in (".", ".."):
                cdpath = self._values.get("CDPATH", "")
                if cdpath is None:
                    candidates.append(unknown)
                else:
                    candidates += [PathArg(f"{entry.rstrip('/') or '/'}/{value}", "exact",
                                           entry.startswith("~")) for entry in cdpath.split(":")
                                   if entry]
                if self._cdable_vars and _IDENTIFIER.fullmatch(value):
                    found = self._values.get(value)
                    candidates.append(unknown if found is None else PathArg(found))
        self._dirs = _bounded(self._dirs + list(self._in_dirs(tuple(candidates))))

    def _in_dirs(self, paths: tuple[PathArg, ...]) -> tuple[PathArg, ...]:
        """`paths`, and each relative one also in each directory a `cd` may have chosen. A
        `~` is the HOME the line set, if it set one; `~+` and `~0` are the working directory
        (a path relative to it), other directory-stack forms (`~-`, `~1`) are unknown."""
        if any(path.tilde for path in paths):
            paths = tuple(self._tilde(path) for path in paths)
        if self._roots:
            paths += tuple(_rooted(root, path) for path in paths if path.text.startswith("/")
                           and path.kind != "unknown" for root in self._roots)
        dirs = self._dirs
        if self._hook_moves:  # a trap may have moved the shell before this command
            dirs = _bounded([*dirs, PathArg("(a directory known only at run time)", "unknown")])
        if not dirs:
            return paths
        more: list[PathArg] = []
        for path in paths:
            if path.kind == "unknown" or path.tilde:
                continue
            if path.text.startswith("/"):
                # /proc/self/cwd/x is x in the working directory.
                if "/proc/" not in path.text or (relative := through_proc(path.text))[0] != \
                        "exact" or relative[1].startswith("/"):
                    continue
                path = path._replace(text=relative[1])
            for folder in dirs:
                if folder.kind == "fresh" and ".." not in path.text.split("/"):
                    more.append(PathArg(f"{folder.text}/{path.text}", "fresh"))
                elif folder.kind in ("unknown", "fresh"):
                    more.append(PathArg(f"{folder.text}/{path.text}", "unknown"))
                else:
                    kind = "pattern" if "pattern" in (folder.kind, path.kind) else "exact"
                    more.append(PathArg(f"{folder.text.rstrip('/')}/{path.text}", kind,
                                        folder.tilde))
        self._spend(2 * (len(paths) + len(more)))
        return paths + tuple(more)

    def _tilde(self, path: PathArg) -> PathArg:
        if not path.tilde:
            return path
        user, slash, rest = path.text[1:].partition("/")
        if user in ("+", "0", "+0"):
            return PathArg(rest or ".", path.kind)
        if user == "-" or _DIRSTACK.fullmatch(user):
            return PathArg(path.text, "unknown")
        if user == "" and "HOME" in self._values:
            home = self._values["HOME"]
            if home is None:
                return PathArg(path.text, "unknown")
            return PathArg(home + slash + rest, path.kind)
        return path

    def _unknown(self, site: _Site, words: list[_Word] | tuple[()], reason: str,
                 terminal: bool = False) -> None:
        self.commands.append(
            SimpleCommand(
                name=None,
                argv=tuple(w.text for w in words),
                text=site.text,
                unknown=reason,
                wrappers=site.wrappers,
                terminal=terminal,
            )
        )

    def _inner(self, words: list[_Word], site: _Site, name: str, **changes: Any) -> bool:
        """Judge the command a wrapper runs."""
        if not words:
            return False
        # A program that runs a command runs it in a child (`env cd /tmp`, `xargs cd`); the
        # shell's own `command`, `builtin` and `exec` in the shell itself; `time` is bash's
        # keyword (the shell) or /usr/bin/time (a child).
        with contextlib.ExitStack() as stack:
            if name not in _IN_THE_SHELL:
                stack.enter_context(self._apart(certain=name != "time"))
            self._resolve(
                words,
                site._replace(depth=site.depth + 1, wrappers=(*site.wrappers, name), **changes)
            )
        return True

    def _elsewhere(self, folder: _Word | PathArg | list[PathArg] | None,
                   judge: Callable[[], bool], root: _Word | PathArg | None = None) -> bool:
        """`judge()` (a wrapper's command) with relative paths judged from `folder` too, as a
        `cd` there would make them (`env -C DIR`, `sudo -D DIR`, `su -l`: the home; several:
        `find -execdir`); None being a directory known only at run time. With `root`, the
        command's root directory is that one (`chroot DIR`): absolute paths are judged inside
        it too. The line's own directories are as they were afterwards."""
        saved = self._dirs, self._roots
        try:
            if root is not None:
                self._roots = _bounded(list(self._in_dirs((_place(root),))))
            places = tuple(folder) if isinstance(folder, list) else (_place(folder),)
            self._dirs = _bounded(list(self._in_dirs(places)))
            return judge()
        finally:
            self._dirs, self._roots = saved

    def _code(self, code: _Word | str | None, site: _Site, name: str) -> bool:
        """Judge a string the shell will parse again as code (`sh -c`, `eval`, `su -c`)."""
        value = code.value if isinstance(code, _Word) else code
        if value is None:
            shown = [code] if isinstance(code, _Word) else []
            self._unknown(site, shown, "shell code known only at run time")
            return True
        shell = shell_name(name)
        foreign = _foreign(shell, value) if shell is not None else None
        if foreign is not None:
            self._unknown(site._replace(text=value), [], foreign)
        # `bash -c` reads bash; eval, source, trap, alias and the hooks the shell that reads the
        # line; any other program that takes code starts a shell that may be sh (dash).
        in_shell = name in _SAME_SHELL or name in _SOURCE
        grammar = "bash" if shell in ("bash", "rbash") else \
            site.grammar if in_shell else "any"
        # eval runs its code in the shell now; a trap, alias or hook in the shell later, any
        # number of times, or never; any other program in a shell of its own (`bash -c 'cd
        # /tmp'` moves nothing here).
        # A sourced here-string runs in the shell now, as eval does, and may `return` early.
        moves = self._moves()
        inner = site._replace(depth=site.depth + 1, wrappers=(*site.wrappers, name), here=None,
                              grammar=grammar)
        later = name in _SAME_SHELL and name != "eval"
        if later:  # walked again at the end of the line in every state it reaches (`finish`)
            self._deferred[value, inner] = None
        start = len(self.commands)
        with contextlib.ExitStack() as stack:
            if name != "eval":
                stack.enter_context(self._apart(certain=not in_shell))
            self.parse(value, inner)
            # A trap or hook that moves may run before any later command (`trap 'cd /etc'
            # DEBUG; cd /tmp; rm x` removes /etc/x): every later directory is unknown.
            self._hook_moves |= later and self._moves() != moves
        if later:
            self._walked.setdefault((value, inner), set()).update(self.commands[start:])
        return True

    def _joined_code(self, words: list[_Word], site: _Site, name: str) -> bool:
        if not words:
            return False
        if any(w.value is None for w in words) or site.dynamic:
            # (`xargs ssh host echo`: the words xargs appends are code too.)
            self._unknown(site, words, "shell code known only at run time")
            return True
        return self._code(" ".join(w.value or "" for w in words), site, name)

    # -- handlers: wrappers, shells, interpreters ----------------------------------------
    # Each returns True when it judged the command, False to judge it as a plain command.

    def _wrapper(self, name: str, words: list[_Word], site: _Site) -> bool:
        spec = _WRAPPERS[name]
        scanned = _scan_options(words, 1, spec)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        index, found = scanned
        seen = {option for option, _ in found}
        if seen & spec.stop:
            return False
        self._writes(name, words, site)  # `strace -o FILE`, `time -o FILE`: its own files
        if name == "sudo" and seen & {"-S", "--stdin"} and site.stdin in ("tty", "unknown",
                                                                          "opaque"):
            # sudo -S reads the password from the line's stdin (see `stdin_reader`).
            self.commands.append(SimpleCommand(name, ("sudo", "-S"), site.text,
                                               wrappers=site.wrappers, reads_input=True))
        if name == "exec":
            self._cleared_term("-c" in seen, [], site, words)  # exec -c: an empty environment
        operands = words[index: index + spec.operands]
        index += spec.operands
        if name in _ASSIGNMENTS_FIRST:
            index = self._leading_assignments(name, words, index, site)
        rest = words[index:]

        def judge() -> bool:
            if seen & spec.code or (name in _SHELL_WITHOUT_COMMAND and not rest):
                if not rest:
                    return self._user_shell(name, words, site)
                return self._joined_code(rest, site, name)
            if name == "coproc":
                # The shell talks to a coprocess through a pipe (`echo ls >&${COPROC[1]}`).
                return self._inner(rest, site, name, stdin="pipe")
            if name == "entr" and any("s" in o[1:] for o in seen if not o.startswith("--")):
                return self._joined_code(rest, site, name)  # entr -s runs it in $SHELL
            return self._inner(rest, site, name)

        moved = _wrapper_directory(name, found, operands)
        return judge() if moved is None else self._elsewhere(moved[0], judge, moved[1])

    def _leading_assignments(self, name: str, words: list[_Word], index: int,
                             site: _Site) -> int:
        """`time a=b rm`, `coproc a=b rm` (bash keywords: assignment words as written, before a
        simple command) and `sudo A=b rm` (VAR=value arguments): the assignments are judged and
        the command after them is the one run. The index of that command."""
        while index < len(words):
            word = words[index]
            # For the keywords the word as written (`'a=b'` is a command name); for sudo
            # the argument it receives.
            written = word.text if name in ("time", "coproc") else (word.value or word.text)
            match = _ASSIGNMENT_WORD.match(written)
            if match is None:
                break
            variable = match.group(1)
            value = word.value.split("=", 1)[1] if word.value is not None and "=" in word.value \
                else None
            self._assigned(variable + ("+" if match.group(0).endswith("+=") else ""),
                           _Word(value, written[match.end():]), word.text, site)
            index += 1
        return index

    def _env(self, name: str, words: list[_Word], site: _Site) -> bool:
        index, found = 1, []
        assignments: list[_Word] = []
        while True:  # options and NAME=VALUE words, in any order; `--` ends only the options
            scanned = _scan_options(words, index, _ENV)
            if scanned is None:
                self._unknown(site, words, "options of env known only at run time")
                return True
            index, found = scanned[0], found + scanned[1]
            word = _at(words, index)
            # env takes every word with "=" before the command as an assignment, whatever the
            # name holds (BASH_FUNC_f%%=... defines a function in a child bash).
            if word is None or not word.value or "=" not in word.value.lstrip("="):
                break
            assignments.append(word)
            index += 1
        last = _last_argument(found, {"-S", "--split-string"})
        split = last[1] if last else None
        if split is None and not words[index:]:
            return False  # `env A=b` prints the environment
        first = len(self.commands)
        for word in assignments:  # first: the command runs with them
            variable, _, value = (word.value or "").partition("=")
            self._assigned(variable, _Word(value, value), word.text, site)
        assigned = self.commands[first:]
        del self.commands[first:]

        def judge() -> bool:
            if split is None:
                return self._inner(words[index:], site, name)
            if split.value is None or any(w.value is None for w in words[index:]):
                return self._code(None, site, name)
            rest = " ".join(shlex.quote(w.value or "") for w in words[index:])
            return self._code(f"{split.value} {rest}", site, name)

        chdir = _last_argument(found, {"-C", "--chdir"})  # `env -C DIR`: the command runs there
        if chdir is None:
            judge()
        else:
            self._elsewhere(chdir[1], judge)
        self.commands.extend(assigned)
        self._cleared_term(_env_clears_term(found, split), assignments, site, words)
        return True

    def _cleared_term(self, cleared: bool, assignments: list[_Word], site: _Site,
                      words: list[_Word]) -> None:
        """A program started with TERM taken away (`env -i`, `env -u TERM`, `exec -c`) and not
        given again: a shell it is, or starts, reads keys on a dumb terminal, as after `unset
        TERM` (attack H, finding 5). A TERM given back is judged as an assignment."""
        if cleared and not any((w.value or "").partition("=")[0] == "TERM" for w in assignments):
            self._unknown(site, words, _NO_TERM, terminal=True)

    def _su(self, name: str, words: list[_Word], site: _Site) -> bool:
        def judge() -> bool:
            shell = _su_shell(words)
            if shell is not None:
                program, arguments = shell
                if program is None or program.value is None:
                    self._unknown(site, words, f"the program {name} -s runs is known only at "
                                               "run time")
                    return True
                if shell_name(program.value) is None:
                    # `su -s /usr/bin/touch root F` runs `touch F`: the "shell" is any program,
                    # given -c CODE (as two words) and the words after the user.
                    return self._inner([program, *arguments], site, name)
            # su passes the words after the user to the login shell, so -c may come anywhere.
            code = _code_option(words, "csgGw")
            if code is not None:
                return self._code(code, site, name)
            if name == "runuser":
                skipped = _skip_options(words, 1, _RUNUSER)
                if skipped is not None and skipped[1] & {"-u", "--user"} and words[skipped[0]:]:
                    return self._inner(words[skipped[0]:], site, name)
            return self._user_shell(name, words, site)

        login, user = _su_login(words)
        if not login:
            return judge()
        # `su -`, `su -l USER`: a login shell, which starts in the user's home.
        return self._elsewhere(None if user is None else PathArg(f"~{user}", tilde=True), judge)

    def _sg(self, name: str, words: list[_Word], site: _Site) -> bool:
        rest = words[1:]
        if rest and rest[0].value == "-":
            rest = rest[1:]
        rest = rest[1:]  # the group
        if rest and rest[0].value == "-c":
            rest = rest[1:]
        return self._joined_code(rest, site, name)

    def _flock(self, name: str, words: list[_Word], site: _Site) -> bool:
        skipped = _skip_options(words, 1, _FLOCK)
        if skipped is None:
            self._unknown(site, words, "options of flock known only at run time")
            return True
        index = skipped[0] + 1  # the lock file or descriptor
        lock = _at(words, index - 1)
        if lock is not None and not (lock.value or "").isdigit():
            # flock makes its lock file (attack G, finding 5).
            self.commands.append(self._file_operation(">", lock, site.text, site))
        if index < len(words) and words[index].value in ("-c", "--command"):
            return self._code(_at(words, index + 1) or _Word("", ""), site, name)
        return self._inner(words[index:], site, name)

    def _script(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._writes(name, words, site)  # its typescript file
        code = _code_option(words, "cBEIOTmo")
        return self._code(code, site, name) if code is not None else self._user_shell(
            name, words, site)

    def _watch(self, name: str, words: list[_Word], site: _Site) -> bool:
        skipped = _skip_options(words, 1, _WATCH)
        if skipped is None:
            self._unknown(site, words, "options of watch known only at run time")
            return True
        index, seen = skipped
        if seen & {"-x", "--exec"}:
            return self._inner(words[index:], site, name)
        return self._joined_code(words[index:], site, name)

    def _xargs(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _XARGS)
        if scanned is None:
            self._unknown(site, words, "options of xargs known only at run time")
            return True
        index, found = scanned
        replace = None
        last = _last_argument(found, {"-I", "-i", "--replace"})
        if last is not None:
            option, argument = last
            if option == "--replace" and argument is not None:
                replace = argument.value  # --replace=R, even empty
            else:
                replace = (argument.value if argument else None) or "{}"
        inner = words[index:]
        if replace is not None:
            inner = [_dynamic(w) if w.value and replace in w.value else w for w in inner]
        if not inner:
            return False  # `xargs` alone runs echo: judged as itself
        if site.stdin in ("tty", "unknown", "opaque") and not any(
                option in ("-a", "--arg-file") for option, _ in found):
            # xargs reads its arguments from the line's stdin (see `stdin_reader`).
            self.commands.append(SimpleCommand(
                name, tuple(w.value if w.value is not None else w.text for w in words[:index]),
                site.text, wrappers=site.wrappers, reads_input=True))
        return self._inner(inner, site, name, stdin="null", dynamic=site.dynamic or not replace)

    def _find(self, name: str, words: list[_Word], site: _Site) -> bool:
        """find: its own words; `-delete`, an `rm` of every file found; `-exec` and its kin,
        the command they run, `{}` being each file found (`_found`)."""
        index = 1
        while index < len(words) and (words[index].value in ("-H", "-L", "-P", "-D")
                                      or (words[index].value or "").startswith("-O")):
            index += 2 if words[index].value in ("-D", "-O") else 1
        own: list[_Word] = list(words[:index])
        starts: list[str] = []
        actions: list[tuple[str, list[_Word]]] = []
        tests: list[str | None] = []  # the expression's words, actions left out
        delete = False
        expression = False
        while index < len(words):
            word = words[index]
            if word.splits:
                # An unquoted expansion may add `-exec anything ;` to the expression.
                self._unknown(site, words, "find expression known only at run time")
                return True
            expression = expression or word.value is None or word.value.startswith(
                ("-", "(", "!", ","))
            if word.value in ("-exec", "-execdir", "-ok", "-okdir"):
                option, action = word.value, []
                index += 1
                while index < len(words) and words[index].value not in (";", "+"):
                    argument = words[index]
                    # {} alone is each file found (`_found_in`); inside a word, or as the
                    # command, a text known only at run time.
                    value = argument.value
                    if value is not None and "{}" in value:
                        argument = _Word(None, value)
                    action.append(argument)
                    index += 1
                actions.append((option, action))
            else:
                own.append(word)
                if not expression and word.value is not None:
                    starts.append(word.value)
                elif expression:
                    tests.append(word.value)
                    delete = delete or word.value == "-delete"
            index += 1
        self._plain(name, own, site)
        found = _found(starts or ["."], tests)
        if delete:
            self.commands.append(SimpleCommand(
                "rm", ("rm", "-r", *(f.text for f in found)), site.text,
                wrappers=(*site.wrappers, name), paths=self._in_dirs(found)))
        for option, action in actions:
            first = len(self.commands)
            if option in ("-execdir", "-okdir"):
                # Run in the directory of each file found: a start's parent, the start, or a
                # folder below it.
                folders = [PathArg(f"{start.rstrip('/') or '/'}/..") for start in starts or ["."]]
                folders += [PathArg(start) for start in starts or ["."]]
                folders += [PathArg(f"{start.rstrip('/')}/**", "pattern")
                            for start in starts or ["."]]
                self._elsewhere(folders,
                                lambda action=action: self._inner(action, site, name))
            else:
                self._inner(action, site, name)
            # {} alone as an argument is each file found, which `_found_in` puts in its place;
            # inside a word, or as the command, it stays a text known only at run time.
            each = all(w.value is not None or w.text == "{}" for w in action[1:]) and bool(
                action) and action[0].value is not None
            self._found_in(first, found, known=each)
        return True

    def _found_in(self, first: int, found: tuple[PathArg, ...], known: bool) -> None:
        """The commands of `find -exec` from `first` on, with `{}` made the files found:
        `find / -exec rm -rf {} ;` also removes /, `find . -name '*.pyc' -exec rm {} +`
        removes only such files. `known`: no other argument is known only at run time."""
        for position in range(first, len(self.commands)):
            command = self.commands[position]
            if command.name is None or not any("{}" in arg for arg in command.argv[1:]):
                continue
            argv = [command.argv[0]]
            for arg in command.argv[1:]:
                argv.extend([arg.replace("{}", each.text) for each in found] if "{}" in arg
                            else [arg])
            paths: list[PathArg] = []
            for path in command.paths:
                paths.extend([PathArg(path.text.replace("{}", each.text), each.kind, each.tilde)
                              for each in found] if "{}" in path.text else [path])
            self.commands[position] = replace(command, argv=tuple(argv), paths=tuple(paths),
                                              dynamic_args=command.dynamic_args and not known)

    def _parallel(self, name: str, words: list[_Word], site: _Site) -> bool:
        # GNU parallel joins the command words, puts each input (quoted) in place of {} or at
        # the end, and runs the result in a shell. Inputs follow `:::` or come from stdin.
        scanned = _scan_options(words, 1, _PARALLEL)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        rest = words[scanned[0]:]
        # --workdir DIR (--wd): the jobs run there; `...` and `.` are directories of its own.
        workdir = _last_argument(scanned[1], {"--workdir", "--wd"})
        separators = [i for i, w in enumerate(rest) if w.value in (":::", "::::", ":::+")]
        command = rest[: separators[0]] if separators else rest
        if not command:
            return False
        if any(w.value is None for w in command):
            self._unknown(site, words, "shell code known only at run time")
            return True
        # sem (parallel --semaphore) runs the command as it is; parallel appends each input.
        inputs: list[str | None] = [None]
        if name == "sem" or any(o == "--semaphore" for o, _ in scanned[1]):
            inputs = [""]
        elif separators and rest[separators[0]].value != "::::":
            listed = rest[separators[0] + 1:]
            if listed and all(w.value is not None for w in listed):
                inputs = [w.value for w in listed]
        code = " ".join(w.value or "" for w in command)

        def judge() -> bool:
            for value in inputs:
                argument = '"${PARALLEL_INPUT}"' if value is None else shlex.quote(value)
                filled = code if value == "" else code.replace("{}", argument) if "{}" in code \
                    else f"{code} {argument}"
                self._code(filled, site, name)
            return True

        if workdir is None:
            return judge()
        folder = workdir[1]
        return self._elsewhere(None if folder is None or folder.value in ("...", ".") else folder,
                               judge)

    def _git(self, name: str, words: list[_Word], site: _Site) -> bool:
        """git: `-C DIR` (each relative to the one before) runs it in DIR, where its paths are
        judged from; `-c NAME=VALUE` sets a variable git may run as a shell command (`_GIT_CODE`:
        `alias.x=!cmd`, core.sshCommand, core.pager...): its value is judged as code, and
        core.hooksPath (hooks from a folder) is unknown. The same through --config-env, whose
        value is an environment variable's: unknown."""
        index, folder = 1, _KEEP
        while index < len(words):
            value = words[index].value
            argument = _at(words, index + 1)
            if value in ("-C", "-c") and argument is None:
                break
            if value == "-C":
                assert argument is not None
                if folder is _KEEP or (argument.value or "").startswith("/") or \
                        argument.value is None or folder is None:
                    folder = argument if argument.value is not None else None
                else:
                    folder = _Word(f"{folder.value}/{argument.value}", argument.text)
                index += 2
            elif value == "-c" or (value or "").startswith("--config-env="):
                setting = argument if value == "-c" else words[index]
                self._git_setting(setting, value != "-c", words, site)
                index += 2 if value == "-c" else 1
            elif value == "--config-env":
                # `--config-env NAME=ENV` (attack G, finding 4): the space form of the above.
                self._git_setting(None if argument is None or argument.value is None else _Word(
                    f"--config-env={argument.value}", argument.text), True, words, site)
                index += 2
            elif value in ("--git-dir", "--work-tree", "--namespace"):
                index += 2
            elif value is not None and value.startswith("-"):
                index += 1
            else:
                break
        stored = _git_config_setting(words[index:])
        if stored is not None:
            # `git config alias.z '!cmd' && git z`: a setting git runs later, perhaps on this
            # very line, is judged as `-c` judges it (attack E); an alias to a git command line
            # as that line (`-c core.pager=cmd log` runs cmd).
            key, _, value = (stored.value or "").partition("=")
            if key.lower().startswith("alias.") and stored.value is not None and \
                    not value.startswith("!"):
                self._code(f"git {value}", site, name)
            else:
                self._git_setting(stored, False, words, site)
        if folder is _KEEP:
            self._git_code(words[index:], words, site)
            return False
        return self._elsewhere(folder, lambda: self._git_code(words[index:], words, site)
                               or self._plain(name, words, site) or True)

    def _git_code(self, sub: list[_Word], words: list[_Word], site: _Site) -> None:
        """Commands a git subcommand runs from its own words (attack G, finding 4): the
        transport's program (`--upload-pack`, `--receive-pack`, `--exec`, `clone -u`), an
        `ext::CMD` remote, `grep -O CMD`, `rebase -x CMD`, `difftool -x CMD`, `bisect run CMD`,
        `submodule foreach CMD`, filter-branch's filters, send-email's commands, `clone -c`
        settings. git takes any start of a long option's name (`--upload-p`)."""
        if not sub:
            return
        verb = sub[0].value
        for word in sub[1:]:
            if word.value is not None and "ext::" in word.value and verb not in (
                    "commit", "log", "grep", "show", "tag", "notes"):
                self._git_ext(word.value, words, site)
        if verb is None:
            self._unknown(site, words, "a git subcommand known only at run time")
            return
        if verb == "remote-ext":
            if not self._joined_code(sub[2:3], site, "git"):
                self._unknown(site, words, "git remote-ext runs a command")
            return
        if verb == "bisect" and _at(sub, 1) is not None and sub[1].value == "run":
            self._inner(sub[2:], site, "git")
            return
        if verb == "submodule":
            rest = [w for w in sub[1:] if w.value not in ("--quiet", "-q")]
            if rest and rest[0].value == "foreach":
                code = [w for w in rest[1:] if w.value != "--recursive"]
                if code:
                    self._joined_code(code, site, "git")
            return
        options = _GIT_SUBCOMMAND_CODE.get(verb)
        if options is None:
            return
        long_names, short_names, settings = options
        index = 1
        while index < len(sub):
            value = sub[index].value
            following = _at(sub, index + 1)
            if value is None or value == "--":
                break
            head, has_value, attached = value.partition("=")
            if head.startswith("--") and len(head) > 3 and any(n.startswith(head)
                                                                 for n in long_names):
                code = _Word(attached, attached) if has_value else following
                self._code(code, site, "git")
                index += 1 if has_value else 2
                continue
            if not head.startswith("--") and value[:2] in short_names:
                if len(value) > 2:
                    self._code(value[2:], site, "git")
                elif value[:2] != "-O":  # grep -O alone: the configured pager
                    self._code(following, site, "git")
                    index += 1
            elif settings and value in ("-c", "--config") and following is not None:
                self._git_setting(following, False, words, site)
                index += 1
            elif settings and value.startswith("--template"):
                self._unknown(site, words, "git hooks from a template folder")
            elif settings and value.startswith("--config="):
                self._git_setting(_Word(attached, attached), False, words, site)
            index += 1

    def _git_ext(self, value: str, words: list[_Word], site: _Site) -> None:
        """`ext::CMD ARGS`: git runs CMD (`%` escapes aside) with protocol.ext.allow."""
        command = value[value.index("ext::") + 5:]
        if "%" in command.replace("% ", "").replace("%%", ""):
            self._unknown(site, words, "a git ext:: remote with % escapes")
        else:
            self._code(command.replace("% ", " ").replace("%%", "%"), site, "git")

    def _git_setting(self, setting: _Word | None, from_environment: bool, words: list[_Word],
                     site: _Site) -> None:
        text = (setting.value or "") if setting is not None else ""
        if from_environment:
            text = text.partition("=")[2]
        key, _, value = text.partition("=")
        key = key.lower()
        if setting is None or setting.value is None:
            self._unknown(site, words, "a git setting known only at run time")
        elif "ext::" in key:
            self._unknown(site, words, "a git url rewritten to an ext:: remote, which runs a command")
        elif "ext::" in value and not from_environment:
            self._git_ext(value, words, site)
        elif key == "core.hookspath":
            self._unknown(site, words, "git hooks from a folder, whose scripts run unseen")
        elif _GIT_CODE.fullmatch(key) and (value.startswith("!") or not key.startswith(
                ("alias.", "credential."))):
            if from_environment:
                self._unknown(site, words, f"git runs {key} from an environment variable")
            else:
                self._code(value[1:] if value.startswith("!") else value, site, "git")

    def _busybox(self, name: str, words: list[_Word], site: _Site) -> bool:
        applet = _at(words, 1)
        if applet is None or (applet.value or "").startswith("-"):
            return False
        return self._inner(words[1:], site, name)

    def _shell(self, name: str, words: list[_Word], site: _Site) -> bool:
        shell = shell_name(name) or name
        index, code_flag, stdin_flag, noexec, interactive = 1, False, False, False, False
        changes: list[tuple[str, bool, str]] = []
        init: list[_Word] = []  # fish -C / --init-command: code run before anything else
        scripts: list[_Word] = []  # --rcfile FILE: a file read as code before anything else
        while index < len(words):
            value = words[index].value
            if value is None:
                break
            if value in ("-", "--"):
                stdin_flag = stdin_flag or value == "-"
                index += 1
                break
            if value.startswith("--"):
                option, has_value, attached = value.partition("=")
                argument = _Word(attached, attached) if has_value else _at(words, index + 1)
                if option in ("--command", "--init-command") and argument is not None:
                    init.append(argument)
                elif option in ("--rcfile", "--init-file") and argument is not None:
                    scripts.append(argument)
                noexec = noexec or option == "--no-execute"
                if option == "--noediting":
                    self._unknown(site, words, _EDITING_OFF, terminal=True)
                takes = option in _SHELL_LONG_ARGUMENTS and not has_value
                index += 2 if takes else 1
                continue
            if len(value) > 1 and value[0] in "-+":
                letters = value[1:]
                on = value[0] == "-"
                code_flag = code_flag or (on and "c" in letters and shell != "fish")
                stdin_flag = stdin_flag or "s" in letters
                takes = _SHELL_ARGUMENTS.get(shell, "oO")
                if on:
                    argument = _at(words, index + 1)
                    noexec = noexec or "n" in letters or (
                        "o" in letters and argument is not None and argument.value == "noexec")
                    interactive = interactive or "i" in letters
                if shell == "fish" and on and ("c" in letters or "C" in letters):
                    if (argument := _at(words, index + 1)) is not None:
                        init.append(argument)
                taken = 0
                for letter in letters:
                    if letter in takes:
                        taken += 1
                        argument = _at(words, index + taken)
                        if shell in _BASH_GRAMMAR and letter in "oO" and argument is not None \
                                and argument.value is not None:
                            changes.append(("set" if letter == "o" else "shopt", on,
                                            argument.value))
                    elif shell in _BASH_GRAMMAR and letter in _SET_LETTERS:
                        changes.append(("set", on, _SET_LETTERS[letter]))
                index += 1 + taken
                continue
            break
        # `bash +o history`: the shell starts with the options set as `set` would set them.
        self._options(changes, site)
        rest = words[index:]
        if noexec and not interactive and (code_flag or rest or site.stdin != "tty"):
            # `bash -n` reads code and runs none of it (a syntax check); an interactive shell
            # (-i, or a terminal on stdin with nothing else to read) ignores -n.
            self._plain(name, words, site)
            return True
        for script in scripts:
            self._program_file(name, script, words, site, "a shell")
        for code in init:
            self._code(code, site, name)
        if code_flag:
            if rest:
                return self._code(rest[0], site, name)
            return self._code(None, site, name) if site.dynamic else bool(scripts)
        if init:
            return True
        if rest and not stdin_flag:
            return self._program_file(name, rest[0], words, site, "a shell") or bool(scripts)
        return self._stdin_code(name, words, site, "a shell")

    def _program_file(self, name: str, script: _Word, words: list[_Word], site: _Site,
                      what: str) -> bool:
        """A program read from the file `script` names. An ordinary file is not judged (README:
        scripts written then run): False. A file that is one of the line's descriptors
        (`/dev/stdin`, `/dev/fd/3` after `3<&0`, `/proc/self/fd/0`, `/dev/fd/$n`: known only
        at run time) is judged as what that descriptor reads (`_stdin_code`)."""
        origin, here = self._file_origin(script, _Streams(site, {}))
        if origin in ("file", "null"):
            return False
        return self._stdin_code(name, words, site._replace(stdin=origin, here=here), what)

    def _at_job(self, name: str, words: list[_Word], site: _Site) -> bool:
        skipped = _skip_options(words, 1, _AT)
        if skipped is not None and skipped[1] & {"-f", "-l", "-r", "-d", "-c"}:
            return False
        return self._stdin_code(name, words, site, "a shell")

    def _interpreter(self, name: str, words: list[_Word], site: _Site) -> bool:
        family = INTERPRETERS.fullmatch(name)
        kind = family.lastgroup or "" if family else ""
        inline = _INLINE_CODE.get(kind, "")
        takes = _TAKES_ARGUMENT.get(kind, "")
        if kind == "awk" and self._program_option(name, words, site):
            return True  # `awk -f - FILE`, `gawk --file=/dev/stdin`
        skip = False
        for word in words[1:]:
            value = word.value
            if skip:
                skip = False
                continue
            if value == "-":
                break  # `python3 - ARGS`: the program is stdin, ARGS its arguments
            if value is None or not value.startswith("-") or _descriptor_file(value) is not None:
                return self._program_file(name, word, words, site, "an interpreter")
            if value.startswith("--"):
                if value.split("=", 1)[0] in ("--eval", "--print", "--command"):
                    return False
                if value in _INTERACTIVE_LONG.get(kind, ()):
                    break  # `node --interactive`: a prompt on stdin
                continue
            prompts = tuple(f"-{c}" for c in _INTERACTIVE.get(kind, ""))
            if _cluster_letter(value, prompts, takes + inline)[0] is not None:
                # `python3 -i script`, `perl -de0`, `php -a`: after (or instead of) its
                # program the interpreter reads more code from stdin (attack I, finding 3).
                break
            module = value[2:] or (_at(words, words.index(word) + 1) or _Word("", "")).value
            if kind == "python" and value[1:2] == "m" and module in _REPL_MODULES:
                break  # `python3 -m pdb script`, `python3 -m code`: a prompt on stdin
            if set(value[1:]) & set(inline):
                return False  # code on the command line: a command named for the interpreter
            # `python3 -W ignore`: "ignore" is the option's, not a script file.
            skip = len(value) == 2 and value[1] in takes
        return self._stdin_code(name, words, site, "an interpreter")

    def _program_option(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A program whose program (a sed or awk script, a makefile) an option names:
        `sed -f -`, `sed -nf-`, `--file=/dev/stdin`, `make -f -`, `gawk -E /dev/fd/0` read it
        from stdin (attack I, finding 3), judged as an interpreter reading its program there
        (`_stdin_code`); the command itself is judged as well (`sed -i`'s files). False when
        every program named is an ordinary file."""
        shorts, longs, others = _PROGRAM_OPTIONS[_PROGRAM_FAMILY.get(name, name)]
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None or value == "--":
                break  # a word known only at run time: judged as the command's (unknown)
            following = _at(words, index + 1)
            program: _Word | None = None
            if value.startswith("--") and len(value) > 2:
                head, has_value, rest = value.partition("=")
                if _long_option(head, longs) in longs:
                    program = _Word(rest, rest) if has_value else following
            elif value.startswith("-") and len(value) > 1:
                letter, rest = _cluster_letter(value, tuple(f"-{c}" for c in shorts), others)
                if letter is not None:
                    program = _Word(rest, rest) if rest else following
            if program is None:
                continue
            if program.value == "-":
                origin, here = site.stdin, site.here
            else:
                origin, here = self._file_origin(program, _Streams(site, {}))
                if origin in ("file", "null"):
                    continue
            self._stdin_code(name, words, site._replace(stdin=origin, here=here), "an interpreter")
            if origin not in ("tty", "unknown"):
                self._plain(name, words, site)  # `| sed -f - -i /etc/shadow` writes shadow
            return True
        return False

    def _user_shell(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`su`, `sudo -s`, `script`, `chroot DIR` with no command start the user's shell,
        which reads its commands from the line's stdin."""
        return self._stdin_code(name, words, site, "a shell", fed="sh")

    def _stdin_code(self, name: str, words: list[_Word], site: _Site, what: str,
                    fed: str | None = None, label: str | None = None) -> bool:
        """A shell or interpreter reading its program from standard input, whose origin is
        `site.stdin`. On the line's own stdin the command is marked `reads_stdin` (named
        `label` rather than `name` when given), so that an exec channel's stdin is gated."""
        origin = site.stdin
        if origin == "pipe":
            self._unknown(site, words, f"piped into {what} {name}")
            # The pseudo-command "|" (argument: the program fed) lets a rule name this case,
            # a shell by its family (bash5.2 is "bash"; the user's shell started by su is "sh").
            fed = fed or shell_name(name) or name
            self.commands.append(SimpleCommand(name="|", argv=("|", fed), text=site.text,
                                               wrappers=site.wrappers))
        elif origin == "procsub":
            self._unknown(site, words, f"{name} reads a process substitution")
        elif origin == "opaque":
            self._unknown(site, words, f"{name} reads a file known only at run time, which may "
                                       "be text fed to the line")
        elif origin == "here" and what == "a shell":
            return self._code(site.here, site, name)
        elif origin == "here":
            # `python3 <<< 'code'` (attack G, finding 2): text fed to an interpreter, as `|` is.
            self._unknown(site, words, f"a here-document fed to {what} {name}")
            self.commands.append(SimpleCommand(name="|", argv=("|", fed or name), text=site.text,
                                               wrappers=site.wrappers))
        elif origin in ("tty", "unknown"):
            reads = "shell" if what == "a shell" else "interpreter"
            stderr = next((o for fd, o, _ in site.fds if fd == 2), "tty")
            if what == "a shell" and stderr != "tty":
                # `bash 2>/dev/null`: an interactive shell drawing its line where nobody sees it
                # (or, with no terminal on stderr, a shell reading typed lines as a script).
                self._unknown(site, words, _TERMINAL_AWAY, terminal=True)
            if label is None:
                self._plain(name, words, site, reads_stdin=reads)
            else:
                argv = tuple(w.value if w.value is not None else w.text for w in words)
                self.commands.append(SimpleCommand(label, argv, site.text, wrappers=site.wrappers,
                                                   reads_stdin=reads))
        else:
            return False
        return True

    def _eval(self, name: str, words: list[_Word], site: _Site) -> bool:
        return self._joined_code(words[1:], site, name)

    def _source(self, name: str, words: list[_Word], site: _Site) -> bool:
        script = _at(words, 1)
        if script is not None and script.value == "--":
            script = _at(words, 2)
        return self._program_file(name, script, words, site, "a shell") if script is not None else False

    def _trap(self, name: str, words: list[_Word], site: _Site) -> bool:
        operands = [w for w in words[1:] if w.value not in ("--", "-p", "-l")]
        self._plain(name, words, site)
        if len(operands) >= 2 and operands[0].value not in ("", "-"):
            self._code(operands[0], site, name)
        return True

    def _alias(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        for word in words[1:]:
            if word.value is None:
                self._code(None, site, name)
            elif "=" in word.value:
                alias, _, value = word.value.partition("=")
                self._alias_value(alias, value, site, name)
        return True

    def _alias_value(self, alias: str, value: str, site: _Site, name: str) -> None:
        """The code of an alias (`alias NAME=VALUE`, `BASH_ALIASES[NAME]=VALUE`)."""
        self._code(_aliased(alias, value), site, name)
        if value[-1:] in (" ", "\t"):
            # bash then expands the next word as an alias too, one a later line may name after
            # defining it elsewhere: `alias rm='rm ' H='-rf /'`, then `rm H` runs `rm -rf /`.
            self._unknown(site._replace(text=f"{alias}={value}"), [],
                          "an alias ending in a blank, which makes the word after it an alias")

    def _scp(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`scp -t PATH` and `scp -f PATH` are the remote end of a legacy scp (`scp -O`): a
        write to PATH (`>`) and a read of it (`<`), not a copy from this host elsewhere. When
        PATH is a directory, the names the scp stream gives are judged there, not here."""
        scanned = _scan_options(words, 1, _SCP)
        if scanned is None:
            return False
        index, found = scanned
        modes = {option for option, _ in found} & {"-t", "-f"}
        if len(modes) != 1:
            return False
        op = ">" if modes == {"-t"} else "<"
        via = tuple(w.value if w.value is not None else w.text for w in words)
        for word in words[index:] or [_Word(None, "(no path)")]:
            self.commands.append(replace(self._file_operation(op, word, site.text, site), via=via))
        return True

    # -- builtins that run earlier lines, or store code the shell runs later (_HOOKS) -----

    def _fc(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _FC)
        if scanned is not None and any(option == "-l" for option, _ in scanned[1]):
            return False  # fc -l lists history; it runs nothing
        self._unknown(site, words, "history re-execution: fc runs an earlier line, edited")
        return True

    def _rerun(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._unknown(site, words, "history re-execution: r (ksh, zsh) runs an earlier line")
        return True

    def _set_by(self, variable: _Word | None, value: _Word, site: _Site) -> None:
        """A variable a builtin assigns (printf -v, read, mapfile, getopts, wait -p)."""
        if variable is None:
            return
        if variable.value is None:
            self._unknown(site, [variable], "a variable name known only at run time")
            return
        match = _DECLARED.fullmatch(variable.value)
        if match is None or match.group(3) is not None:
            return  # not a name: bash refuses it
        if match.group(2) is not None:
            self._subscript(match.group(1), match.group(2), site, site.text)
        self._assigned(match.group(1), value, site.text, site)

    def _printf(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _PRINTF)
        if scanned is None:
            self._unknown(site, words, "options of printf known only at run time")
            return True
        index, found = scanned
        target = _last_argument(found, {"-v"})
        if target is not None:
            self._set_by(target[1], _printed(words[index:]), site)
        return True

    def _read(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _READ)
        if scanned is None:
            self._unknown(site, words, "options of read known only at run time")
            return True
        index, found = scanned
        array = _last_argument(found, {"-a"})
        names = [array[1]] if array is not None else words[index:] or [_Word("REPLY", "REPLY")]
        for variable in names:
            self._set_by(variable, _Word(None, "(the line read)"), site)
        return True

    def _mapfile(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _MAPFILE)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        index, found = scanned
        callback = _last_argument(found, {"-C"})
        if callback is not None:
            code = callback[1].value if callback[1] is not None else ""
            # bash evaluates "CALLBACK INDEX 'LINE'" every -c lines.
            self._code(None if code is None else f'{code} 0 "$MAPFILE_LINE"', site, name)
        self._set_by(_at(words, index) or _Word("MAPFILE", "MAPFILE"),
                     _Word(None, "(the lines read)"), site)
        return True

    def _getopts(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        self._set_by(_at(words, 2), _Word(None, "(an option letter)"), site)
        return True

    def _wait(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _WAIT)
        if scanned is not None:
            variable = _last_argument(scanned[1], {"-p"})
            if variable is not None:
                self._set_by(variable[1], _Word(None, "(a process id)"), site)
        return True

    def _let(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        for word in words[1:]:
            if word.value is None:
                self._unknown(site, [word], "arithmetic known only at run time")
                continue
            self._arithmetic_text(word.value, site, site.text)
        return True

    def _complete(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _COMPLETE)
        if scanned is None:
            self._unknown(site, words, f"options of {name} known only at run time")
            return True
        for option, argument in scanned[1]:
            if option == "-C":
                # The command runs (on Tab for complete) with the word being completed.
                code = argument.value if argument is not None else ""
                self._code(None if code is None else f'{code} "$COMP_WORD"', site, name)
            elif option == "-W":
                # Each word of the list is expanded when completing: $(...) runs then.
                code = argument.value if argument is not None else ""
                self._code(None if code is None else f": {code}", site, name)
        return True

    def _bind(self, name: str, words: list[_Word], site: _Site) -> bool:
        """The tracker follows readline's default keys and settings (bastion/command_control/terminal): a
        binding or a readline variable that changes what a key does, or how a line is drawn or
        read, is unknown (attack D, finding 3: `bind 'set comment-begin "echo "'` made
        insert-comment run the line's rest). Listing options and the display-only variables of
        `_READLINE_DISPLAY` are allowed."""
        self._plain(name, words, site)
        scanned = _scan_options(words, 1, _BIND)
        if scanned is None:
            self._unknown(site, words, "options of bind known only at run time")
            return True
        index, found = scanned
        for option, argument in found:
            if option == "-x":
                command = argument.value if argument is not None else ""
                if command is None:
                    self._unknown(site, words, "a key binding known only at run time")
                else:
                    self._code(_unquote(_binding(command)[1]), site, name)
                self._unknown(site, words, "bind -x runs code on a key without finishing a line",
                              terminal=True)
            elif option == "-f":
                self._unknown(site, words, "bind -f reads key bindings from a file")
            elif option in ("-r", "-u"):
                self._unknown(site, words, f"bind {option} takes a key from the function "
                                           "the bastion expects it to do", terminal=True)
        for word in words[index:]:
            why = _binding_changes(word.value)
            if why is not None:
                # What ran or submitted a line before attack D's findings stays unknown anywhere.
                self._unknown(site, [word], why, terminal=not _binding_runs(word.value))
        return True

    def _bindkey(self, name: str, words: list[_Word], site: _Site) -> bool:
        """zsh's bindkey: `-s` binds a key to typed text (judged even without a terminal); any
        other use but listing (`bindkey`, `-l`, `-L`, a key looked up) binds a key or selects
        a keymap (`bindkey -v`: vi mode, `-A viins main`), which the tracker does not follow
        (attack H, finding 4: an editing mode the gate does not know)."""
        self._plain(name, words, site)
        if any(w.value is None or (w.value.startswith("-") and "s" in w.value) for w in words[1:]):
            self._unknown(site, words, "bindkey -s binds a key to typed text")
        elif not _bindkey_lists(words[1:]):
            self._unknown(site, words, "zsh's bindkey changes what keys do or the editing mode "
                                       "(vi, emacs), which the bastion does not follow",
                          terminal=True)
        return True

    def _stty(self, name: str, words: list[_Word], site: _Site) -> bool:
        """stty that only shows the settings, resets them (`sane`), sets the window size or turns
        echo off and on (`_STTY_SHOWN`) is allowed; any other setting changes which keys the
        terminal driver edits, signals or how it echoes them (erase, kill, werase, lnext, eol,
        -echoctl, -icanon), which the tracker reads by their defaults: unknown (attack D,
        finding 3)."""
        self._plain(name, words, site)
        index = 1
        while index < len(words):
            value = words[index].value
            if value in _STTY_SIZE:
                size = _at(words, index + 1)
                if size is None or size.value is None or not size.value.isdigit():
                    break
                index += 2
            elif value is not None and (value in _STTY_SHOWN or value.isdigit()):
                index += 1
            else:
                break
        if index < len(words):
            self._unknown(site, words[index:index + 1], "stty changes keys or echo the terminal "
                                                        "driver handles, which the bastion reads "
                                                        "by their defaults", terminal=True)
        return True

    def _tset(self, name: str, words: list[_Word], site: _Site) -> bool:
        """tset and reset (ncurses) with -e, -i or -k set the tty's erase, interrupt or kill
        character to any key, as `stty erase` does: unknown (attack H, finding 1). Bare, they
        reset the characters to the defaults and the erase to the terminal's backspace (DEL or
        ^H): the tracker reads a line the driver edits with either erase (SECURITY.md)."""
        self._plain(name, words, site)
        index = 1
        while index < len(words):
            value = words[index].value
            if value is None:
                break
            if value.startswith("-") and len(value) > 1:
                letters = value[1:]
                if any(c in _TSET_SETS for c in letters):
                    break
                taking = next((i for i, c in enumerate(letters) if c in _TSET_ARGUMENT), None)
                index += 2 if taking is not None and taking == len(letters) - 1 else 1
            else:
                index += 1
        if index < len(words):
            self._unknown(site, words[index:index + 1], f"{name} sets the tty's special characters "
                          "(erase, interrupt, kill), which the bastion reads by their defaults",
                          terminal=True)
        return True

    def _hash(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _HASH)
        if scanned is None:
            self._unknown(site, words, "options of hash known only at run time")
            return True
        index, found = scanned
        program = _last_argument(found, {"-p"})
        if program is not None:
            path = program[1].value if program[1] is not None else None
            for word in words[index:]:
                if path is None or word.value is None or path.rsplit("/", 1)[-1] != word.value:
                    self._unknown(site, words, "hash -p makes a command name run another program")
                    return True
        return False

    def _enable(self, name: str, words: list[_Word], site: _Site) -> bool:
        scanned = _scan_options(words, 1, _ENABLE)
        if scanned is None or any(option == "-f" for option, _ in scanned[1]):
            self._unknown(site, words, "enable -f loads a shared object into the shell")
            return True
        return False

    def _set(self, name: str, words: list[_Word], site: _Site) -> bool:
        self._plain(name, words, site)
        changes: list[tuple[str, bool, str]] = []
        if name == "shopt":
            flags, names = "", []
            for word in words[1:]:
                if word.value is None:
                    self._unknown(site, [word], "options of shopt known only at run time")
                    return True
                if word.value.startswith("-") and not names:
                    flags += word.value[1:]
                else:
                    names.append(word.value)
            if "s" in flags or "u" in flags:
                kind = "set" if "o" in flags else "shopt"
                changes = [(kind, "s" in flags, option) for option in names]
        else:
            index = 1
            while index < len(words):
                value = words[index].value
                if value is None:
                    self._unknown(site, [words[index]], "options of set known only at run time")
                    return True
                if value in ("--", "-") or value[:1] not in ("-", "+") or len(value) < 2:
                    break
                index += 1
                for letter in value[1:]:
                    if letter != "o":
                        if letter in _SET_LETTERS:
                            changes.append(("set", value[0] == "-", _SET_LETTERS[letter]))
                        continue
                    argument = _at(words, index)
                    if argument is None:
                        continue  # `set -o` lists the options
                    if argument.value is None:
                        self._unknown(site, [argument], "options of set known only at run time")
                        return True
                    changes.append(("set", value[0] == "-", argument.value))
                    index += 1
        self._options(changes, site)
        return True

    def _options(self, changes: list[tuple[str, bool, str]], site: _Site) -> None:
        """Options a command turns on or off, ("set" or "shopt", on, long name), however they
        were spelled (`set +eo history`, `shopt -uo history`, `bash +o history`). Each is also
        judged as one `set -o NAME` / `set +o NAME` or `shopt -s NAME` / `shopt -u NAME`, so a
        rule names it in one spelling. Those that change how later text is read are unknown."""
        for kind, on, option in changes:
            flag = ("-o" if on else "+o") if kind == "set" else ("-s" if on else "-u")
            self.commands.append(SimpleCommand(kind, (kind, flag, option), site.text,
                                               wrappers=site.wrappers))
            if on and kind == "set" and option == "keyword":
                self._unknown(site, [], "set -k makes words after a command assignments (set -o "
                                        "keyword)")
            elif not on and option in ("interactive-comments", "interactive_comments"):
                self._unknown(site, [], _COMMENTS_OFF)
            elif not on and kind == "set" and option in ("emacs", "vi"):
                self._unknown(site, [], _EDITING_OFF, terminal=True)
            elif on and kind == "set" and option == "histexpand":
                self._histexpand = True  # `!` in code read later on the line (`finish`)
            elif on and kind == "shopt" and option == "cdable_vars":
                self._cdable_vars = True

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
        scanned = _scan_options(words, 1, _options("urtl", ("--user", "--role", "--type",
                                                            "--range")))
        if scanned is None:
            self._unknown(site, words, "options of runcon known only at run time")
            return True
        index, found = scanned
        if not {o for o, _ in found} - {"-c", "--compute"}:
            index += 1  # the CONTEXT
        return self._inner(words[index:], site, name)

    def _bwrap(self, name: str, words: list[_Word], site: _Site) -> bool:
        """bubblewrap: options take none, one or two arguments, then the command (run in
        `--chdir DIR`)."""
        index, folder = 1, _KEEP
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
            index += 3 if value in _BWRAP_TWO else 2 if value in _BWRAP_ONE else 1
        if folder is _KEEP:
            return self._inner(words[index:], site, name)
        return self._elsewhere(folder, lambda: self._inner(words[index:], site, name))

    def _start_stop_daemon(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`start-stop-daemon --start --exec PATH -- ARGS` runs PATH (or --startas PATH)."""
        scanned = _scan_options(words, 1, _START_STOP)
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
        chdir = _last_argument(found, {"-d", "--chdir"})
        chroot = _last_argument(found, {"-r", "--chroot"})
        if chdir is None and chroot is None:
            return self._inner([command, *words[index:]], site, name)
        return self._elsewhere(
            chdir[1] if chdir is not None else None if chroot is None else chroot[1],
            lambda: self._inner([command, *words[index:]], site, name),
            None if chroot is None else chroot[1])

    def _machinectl(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`machinectl shell [[USER@]NAME [PATH [ARGS]]]` runs PATH (or the user's shell)."""
        scanned = _scan_options(words, 1, _MACHINECTL)
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
        scanned = _scan_options(command, 1, _options(takes))
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
        scanned = _scan_options(words, 1, _options("cehpsStTX", ("-Logfile",)))
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
        shell = "/bin/bash"
        for index, word in enumerate(words[1:], start=1):
            if word.value is None:
                self._unknown(site, words, "options of capsh known only at run time")
                return True
            if word.value.startswith("--shell="):
                shell = word.value.partition("=")[2]
            elif word.value == "==":
                return self._inner([_Word("capsh", "capsh"), *words[index + 1:]], site, name)
            elif word.value == "--":
                return self._inner([_Word(shell, shell), *words[index + 1:]], site, name)
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
            elif option in _GDB_ARGUMENT_OPTIONS and not has_value:
                index += 2
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
            self._code(text[1:] if text.startswith("!") else rest, site, "gdb")
        elif verb in ("run", "r", "start", "starti"):
            if rest.strip():
                shown = shlex.quote(program) if program is not None else "program"
                self._code(f"exec {shown} {rest}", site, "gdb")
        elif verb not in _GDB_QUIET or (verb == "set" and rest.split(" ", 1)[0] not in
                                        _GDB_SETTINGS) or (verb == "thread" and not re.fullmatch(
                                            r"apply\s+all\s+(bt|backtrace)(\s+full)?", rest)):
            self._unknown(site, words, f"a gdb command that may run code: {one_line(text, 40)}")

    def _perf(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`perf stat|record|trace ... [--] COMMAND`: the command after the options."""
        if _at(words, 1) is None or words[1].value not in ("stat", "record", "trace", "mem",
                                                           "c2c", "lock", "sched", "kvm"):
            return False
        scanned = _scan_options(words, 2, _options("eptoCGxIrFcmujdDLMSTz"))
        if scanned is None:
            self._unknown(site, words, "options of perf known only at run time")
            return True
        self._plain(name, words[:scanned[0]], site)
        return self._inner(words[scanned[0]:], site, name) or True

    def _ip(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`ip [-n NS] netns exec NAME COMMAND`, `ip vrf exec NAME COMMAND`."""
        values = [w.value for w in words]
        for index in range(1, len(values) - 2):
            if values[index] in ("netns", "vrf") and values[index + 1] == "exec":
                self._plain(name, words[:index + 3], site)
                return self._inner(words[index + 3:], site, name) or True
        return False

    def _ssh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """ssh: the remote command is shell code, run by the remote login shell (perhaps this
        very host: `ssh localhost rm -rf /`); with none (and no -N, -W, -O) the remote shell
        reads the line's stdin."""
        scanned = _scan_options(words, 1, _options("BbcDEeFIiJLlmOoPpQRSWw"))
        if scanned is None:
            self._unknown(site, words, "options of ssh known only at run time")
            return True
        for code in _connection_code(name, words):
            self._code(code, site, name)
        index, found = scanned
        command = words[index + 1:]
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
        that a client reaches over UDP, not through the bastion: unknown."""
        if _at(words, 1) is None or words[1].value != "new":
            return False
        values = [w.value for w in words]
        self._plain(name, words, site)
        if "--" in values[2:]:
            command = words[values.index("--", 2) + 1:]
            if command:
                return self._inner(command, site, name)
        self._unknown(site, words, "mosh-server starts a shell that is reached over UDP, not "
                                   "through the bastion")
        return True

    def _sched(self, name: str, words: list[_Word], site: _Site) -> bool:
        if len(words) < 3 or (words[1].value or "").startswith("-"):
            return False
        return self._joined_code(words[2:], site, name)


# Lines made only of plain words and ; & | && || need no parser: most typed lines are like
# that, and tree-sitter plus the tree walk cost several times more. Anything else (quotes,
# expansions, redirections, keywords, assignments, comments, history) takes the full path.
_SIMPLE_LINE = re.compile(r"[A-Za-z0-9_./:=@%+,~ \t;&|-]*")
_SIMPLE_TOKEN = re.compile(r"&&|\|\||[;&|]|[^\s;&|]+")
_SIMPLE_OPERATORS = frozenset({"&&", "||", "|", ";", "&"})
# Reserved words, and builtins tree-sitter parses as declarations, need the full path.
_RESERVED = frozenset({
    "if", "then", "elif", "else", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "function", "time", "in", "coproc", "export", "declare", "local", "readonly",
    "typeset", "unset", "unsetenv",
})  # fmt: skip


def _simple_commands(code: str) -> list[tuple[list[_Word], bool, str, bool | None]] | None:
    """The commands of a line of plain words, or None when the line needs the parser. Each
    with whether it reads a pipe, its text, and where it runs: None in the shell itself, True
    in a child (an element of a pipeline but the last, a `&` job), False perhaps in either
    (the last element of a pipeline, in the shell under `shopt -s lastpipe`)."""
    if not _SIMPLE_LINE.fullmatch(code):
        return None
    if not any(operator in code for operator in ";&|"):
        pieces = code.split()
        if not pieces:
            return []
        if "=" in pieces[0] or pieces[0] in _RESERVED:
            return None
        return [([_Word(piece, piece) for piece in pieces], False, code.strip(" \t"), None)]
    commands: list[tuple[list[_Word], bool, str]] = []
    after: list[str] = []  # the operator after each command
    words: list[_Word] = []
    start = end = 0
    piped = False  # the command being read follows a |
    operator = ""
    for match in _SIMPLE_TOKEN.finditer(code):
        piece = match.group()
        if piece in _SIMPLE_OPERATORS:
            if not words:
                return None  # an operator with no command before it: let the parser report it
            commands.append((words, piped, code[start:end]))
            after.append(piece)
            words, operator, piped = [], piece, piece == "|"
            continue
        if not words:
            if "=" in piece or piece in _RESERVED:
                return None
            start = match.start()
        end = match.end()
        words.append(_Word(piece, piece))
    if words:
        commands.append((words, piped, code[start:end]))
        after.append(";")
    elif operator in ("&&", "||", "|"):
        return None  # unfinished
    placed: list[tuple[list[_Word], bool, str, bool | None]] = []
    job = False  # the and-or list being read ends in `&`
    for index in range(len(commands) - 1, -1, -1):
        if after[index] in (";", "&"):
            job = after[index] == "&"
        words, piped, text = commands[index]
        where = True if job or after[index] == "|" else False if piped else None
        placed.append((words, piped, text, where))
    placed.reverse()
    return placed


# `coproc [NAME] { ...; }` and `coproc [NAME] ( ... )`: tree-sitter-bash reads the braces as
# words. The compound runs with a pipe from the shell as its stdin, so it is read as
# `: | { ...; }`, padded to keep every offset.
_COPROC_COMPOUND = re.compile(
    r"(?:(?<=^)|(?<=[;&|({}\n])|(?<=\bthen)|(?<=\bdo)|(?<=\belse))(\s*)coproc(\s+[A-Za-z_]\w*)?\s*(?=[{(])"
)


def _piped_compound(match: re.Match[str]) -> str:
    lead = match.group(1)
    width = len(match.group(0)) - len(lead)
    return lead + ":" + " " * (width - 2) + "|"


# `$tmp`, `"${tmp}"`, `"$tmp/x"`, `"$tmp"/x`: group 3 is what follows the variable.
_FRESH_WORD = re.compile(r'"?\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))"?((?:/[A-Za-z0-9._+,@%=:-]*)*)"?')
_DASH_QUOTE = re.compile(r"\$'(?:[^'\\]|\\[^'])*\\'")
# `[` where a command starts (the `test` command), for the retry in `_Collector.parse`.
_TEST_BRACKET = re.compile(
    r"(^[ \t]*|[;&|(){}!][ \t]*|\b(?:then|do|else|elif|if|while|until)[ \t]+)\[(?=[ \t])", re.M
)
_HISTORY = re.compile(r"(?<![\\$\[{])!(?=[^\s=(\"'])|^\s*\^")


def _history_expansion(code: str) -> bool:
    return bool(_HISTORY.search(re.sub(r"'[^']*'", "", code)))


def _at(words: list[_Word], index: int) -> _Word | None:
    return words[index] if 0 <= index < len(words) else None


def _unescaped(text: str, char: str, start: int) -> int:
    """The index of the first `char` at or after `start` that no backslash escapes, or -1."""
    index = text.find(char, start)
    while index >= 0:
        backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
        if backslashes % 2 == 0:
            return index
        index = text.find(char, index + 1)
    return -1


def _unescape_heredoc(raw: str) -> str:
    return re.sub(r"\\([$`\\\n])", lambda m: "" if m.group(1) == "\n" else m.group(1), raw)


class _Options(NamedTuple):
    short: str = ""  # short options that take an argument
    long: frozenset[str] = frozenset()  # long options that take an argument
    operands: int = 0  # words between the options and the command (timeout's DURATION)
    stop: frozenset[str] = frozenset()  # options after which nothing is run (sudo -l)
    code: frozenset[str] = frozenset()  # options after which the rest runs in a shell (sudo -s)
    attached: str = ""  # short options whose argument, if any, is attached only (xargs -i)
    lone_dash: bool = False  # "-" alone is an option (env), not the first operand
    # Long options without an argument whose name starts another's (`--start`, `--startas`):
    # an exact name is not taken for the longer one (`_long_option`).
    flags: frozenset[str] = frozenset()


def _scan_options(words: list[_Word], start: int, spec: _Options
                  ) -> tuple[int, list[tuple[str, _Word | None]]] | None:
    """Index of the first word after the options, and each option in order with its argument
    (None when it takes none, or its argument is missing); None if an option is dynamic."""
    index, found = start, []
    while index < len(words):
        value = words[index].value
        if value is None:
            return None
        if value == "--":
            return index + 1, found
        if value == "-" and spec.lone_dash:
            found.append(("-", None))
            index += 1
            continue
        if value.startswith("--") and len(value) > 2:
            option, has_value, rest = value.partition("=")
            option = _long_option(option, spec.long | spec.code | spec.stop | spec.flags)
            if has_value:
                found.append((option, _Word(rest, rest)))
            elif option in spec.long:
                found.append((option, _at(words, index + 1)))
                index += 1
            else:
                found.append((option, None))
            index += 1
            continue
        if value.startswith("-") and len(value) > 1:
            for offset, letter in enumerate(value[1:], start=2):
                attached = value[offset:]
                argument = _Word(attached, attached) if attached else None
                if letter in spec.short:
                    found.append((f"-{letter}", argument or _at(words, index + 1)))
                    index += 0 if attached else 1
                    break
                found.append((f"-{letter}", argument if letter in spec.attached else None))
                if letter in spec.attached:
                    break
            index += 1
            continue
        return index, found
    return index, found


def _long_option(option: str, names: frozenset[str]) -> str:
    """The long option `option` names among `names`: GNU getopt takes any start of a name that
    no other name shares (`timeout --sig KILL`, `env --ch /etc`, `sudo --us root`, `sudo --sh`).
    Only some of a program's options are known here: a start of one of them is taken for it
    (were it also the start of another, the program would refuse the line and run nothing)."""
    if option in names:
        return option
    matches = [name for name in names if name.startswith(option)]
    return min(matches) if matches else option


def _skip_options(words: list[_Word], start: int, spec: _Options) -> tuple[int, set[str]] | None:
    """Index of the first word after the options, and the options seen; None if one is dynamic."""
    scanned = _scan_options(words, start, spec)
    if scanned is None:
        return None
    index, found = scanned
    return index, {option for option, _ in found}


def _permuted(words: list[_Word], start: int, spec: _Options
              ) -> tuple[list[tuple[str, _Word | None]], list[_Word]] | None:
    """Options and operands as GNU getopt permutes them (options after operands too; all after
    `--` are operands): `split IN -- PREFIX`, `sed s/a/b/ -i f`. None if an option is dynamic."""
    found: list[tuple[str, _Word | None]] = []
    operands: list[_Word] = []
    index = start
    while index < len(words):
        scanned = _scan_options(words, index, spec)
        if scanned is None:
            return None
        following, more = scanned
        found += more
        if following > index and words[following - 1].value == "--" and (
                not more or more[-1][1] is not words[following - 1]):
            operands += words[following:]
            break
        if following < len(words):
            operands.append(words[following])
        index = following + 1
    return found, operands


def _last_argument(found: list[tuple[str, _Word | None]], names: set[str]
                   ) -> tuple[str, _Word | None] | None:
    """The last of the options `names` in `found`, with its argument; None if none was given."""
    return next(((o, a) for o, a in reversed(found) if o in names), None)


def _code_option(words: list[_Word], takes_argument: str) -> _Word | None:
    """The argument of -c / --command (or su's --session-command) anywhere among the words:
    GNU getopt permutes (and takes a start of a long name: `--comm`), and su hands the words
    after the user to the shell."""
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None or not value.startswith("-") or value == "--":
            continue
        option, has_value, attached = value.partition("=")
        if (len(option) > 2 and "--command".startswith(option)) or (
                len(option) > 3 and "--session-command".startswith(option)):
            if has_value:
                return _Word(attached, word.text)
            return _at(words, index + 1) or _Word("", "")
        if value.startswith("--"):
            continue
        for offset, letter in enumerate(value[1:], start=2):
            if letter in takes_argument:
                if letter != "c":
                    break
                attached = value[offset:]
                return _Word(attached, word.text) if attached else (
                    _at(words, index + 1) or _Word("", "")
                )
    return None


def _options(
    short: str = "",
    long: tuple[str, ...] = (),
    operands: int = 0,
    stop: tuple[str, ...] = (),
    code: tuple[str, ...] = (),
    attached: str = "",
    lone_dash: bool = False,
    flags: tuple[str, ...] = (),
) -> _Options:
    return _Options(short, frozenset(long), operands, frozenset(stop), frozenset(code), attached,
                    lone_dash, frozenset(flags))


# Wrappers run the command that follows their own options. Option tables list only the options
# that take an argument (so the argument is not mistaken for the command).
_WRAPPERS: dict[str, _Options] = {
    "sudo": _options(
        "aCcDgpRrTtUu",
        ("--auth-type", "--class", "--close-from", "--chdir", "--group", "--prompt", "--chroot",
         "--role", "--command-timeout", "--type", "--other-user", "--user"),
        stop=("-l", "--list", "-v", "--validate", "-K", "--remove-timestamp", "-V", "--version",
              "-e", "--edit", "-h", "--help"),
        code=("-i", "-s", "--login", "--shell"),
    ),
    "doas": _options("aCu", stop=("-L", "-C"), code=("-s",)),
    "pkexec": _options(long=("--user",)),
    "run0": _options("uDg", ("--user", "--group", "--chdir", "--unit", "--property",
                             "--description", "--slice", "--nice", "--setenv")),
    "command": _options(stop=("-v", "-V")),
    "builtin": _options(),
    "exec": _options("a"),
    "nohup": _options(),
    "nice": _options("n", ("--adjustment",)),
    "ionice": _options("cnpPu", ("--class", "--classdata", "--pid", "--pgid", "--uid"),
                       stop=("-p", "-P", "-u", "--pid", "--pgid", "--uid")),
    "time": _options("fo", ("--format", "--output")),
    "timeout": _options("sk", ("--signal", "--kill-after"), operands=1),
    "stdbuf": _options("ioe", ("--input", "--output", "--error")),
    "chrt": _options("TPD", ("--sched-runtime", "--sched-period", "--sched-deadline"),
                     operands=1, stop=("-p", "--pid", "-m", "--max")),
    "taskset": _options(operands=1, stop=("-p", "--pid")),
    "setsid": _options(),
    "unbuffer": _options(),
    "coproc": _options(),
    "noglob": _options(),
    "nocorrect": _options(),
    "eatmydata": _options(),
    "nocache": _options(),
    "catchsegv": _options(),
    "chroot": _options(long=("--userspec", "--groups"), operands=1),
    "gosu": _options(operands=1),
    "su-exec": _options(operands=1),
    "setuidgid": _options(operands=1),
    "nsenter": _options("tSG", ("--target", "--setuid", "--setgid"), attached="wr"),
    "unshare": _options("SGRw", ("--setuid", "--setgid", "--root", "--wd", "--map-user",
                                 "--map-group", "--propagation", "--setgroups")),
    "systemd-run": _options(
        "upEMH",
        ("--unit", "--property", "--setenv", "--machine", "--host", "--uid", "--gid", "--nice",
         "--working-directory", "--description", "--slice", "--on-active", "--on-boot",
         "--on-startup", "--on-unit-active", "--on-unit-inactive", "--on-calendar",
         "--timer-property", "--path-property", "--socket-property", "--service-type"),
    ),
    "strace": _options("abeEIoOpPsSuUX", stop=()),
    "ltrace": _options("aAeEFlnopsuwx"),
    "fakeroot": _options("lsi", ("--lib", "--faked")),
    "sshpass": _options("pfdP"),
    "cgexec": _options("g"),
    "proxychains": _options("f"),
    "proxychains4": _options("f"),
    "firejail": _options(),
    "setpriv": _options(long=("--reuid", "--regid", "--ruid", "--rgid", "--euid", "--egid",
                              "--groups", "--inh-caps", "--ambient-caps", "--bounding-set",
                              "--securebits", "--pdeathsig", "--selinux-label",
                              "--apparmor-profile")),
    "prlimit": _options(long=("--pid", "--output"), stop=("-p", "--pid")),
    # found after outside attack B (finding 14): programs that run the command after them
    "linux32": _options(), "linux64": _options(), "i386": _options(), "x86_64": _options(),
    "uname26": _options(),
    "numactl": _options("ipmCNPwab", ("--interleave", "--preferred", "--membind",
                                       "--physcpubind", "--cpunodebind", "--preferred-many",
                                       "--weighted-interleave", "--all", "--balancing"),
                        stop=("-s", "--show", "-H", "--hardware")),
    "chpst": _options("uUbe/CnlLmdopfcrt"),
    "rlwrap": _options("bCDefFgHlMOPqsStwz", ("--break-chars", "--command-name", "--history-no-dupes",
                                              "--extra-char-after-completion", "--file",
                                              "--history-format", "--forget-matching",
                                              "--history-filename", "--logfile",
                                              "--multi-line-ext", "--one-shot-rlwrap",
                                              "--pre-given", "--quote-characters",
                                              "--histsize", "--substitute-prompt",
                                              "--set-term-name", "--polling-interval",
                                              "--filter"),
                       attached="ampW"),
    "systemd-inhibit": _options(long=("--what", "--who", "--why", "--mode"), stop=("--list",)),
    "cpulimit": _options("lpe", ("--limit", "--pid", "--exe"), stop=("-p", "-e", "--pid", "--exe")),
    "trickle": _options("dutlwn"),
    "torsocks": _options("upaP", ("--user", "--pass", "--address", "--port")),
    "faketime": _options("p", operands=1),
    "valgrind": _options(),
    "dbus-launch": _options(long=("--config-file", "--autolaunch")),
    "dbus-run-session": _options(long=("--config-file", "--dbus-daemon")),
    "xvfb-run": _options("nsfepw", ("--server-num", "--server-args", "--auth-file", "--error-file",
                                    "--xauth-protocol", "--wait")),
    "daemonize": _options("ceEoplu"),
    "chronic": _options(),
    "lckdo": _options("W", operands=1),
    "setlock": _options(operands=1),
    "softlimit": _options("acdflmoprst"),
    "envuidgid": _options(operands=1),
    "envdir": _options(operands=1),
    "pgrphack": _options(),
    "ssh-agent": _options("aEtPO", stop=("-k", "-D", "-d", "-T")),
    "systemd-cat": _options("tp", ("--identifier", "--priority", "--stderr-priority",
                                   "--level-prefix")),
    "logsave": _options(operands=1),
    "aa-exec": _options("pn", ("--profile", "--namespace")),
    "fakechroot": _options("eclsd", ("--environment", "--config-dir", "--lib", "--use-system-libs")),
    "proot": _options("rbmwqkv", ("--rootfs", "--bind", "--mount", "--cwd", "--pwd", "--qemu",
                                  "--kernel-release", "--verbose")),
    "schroot": _options("cudnof", ("--chroot", "--user", "--directory", "--session-name",
                                   "--option", "--shell"),
                        stop=("-l", "--list", "-i", "--info", "--config", "--location", "-e",
                              "--end-session")),
    "lxc-attach": _options("nPesuvL", ("--name", "--lxcpath", "--arch", "--elevated-privileges",
                                       "--namespaces", "--uid", "--gid", "--context",
                                       "--set-var", "--logfile", "--logpriority", "--rcfile")),
    "entr": _options(),
    # found after outside attack E (finding 2): gpg-agent --daemon runs the command after it
    "gpg-agent": _options(long=("--homedir", "--options", "--log-file", "--debug-level",
                                "--debug", "--pinentry-program", "--scdaemon-program",
                                "--default-cache-ttl", "--max-cache-ttl", "--extra-socket",
                                "--browser-socket", "--min-passphrase-len", "--check-passphrase-pattern",
                                "--max-passphrase-days", "--ssh-fingerprint-digest",
                                "--pinentry-timeout", "--faked-system-time"),
                          flags=("--daemon", "--server", "--supervised")),
    # found after outside attack C (finding 12): more programs that run the command after them
    "torify": _options(), "tsocks": _options(), "ifne": _options(),
    "with-lock-ex": _options(operands=1),
    "sandbox": _options("lHTIWwit"),
    "systemd-nspawn": _options(
        "DiMuSpEZLxb",
        ("--directory", "--template", "--image", "--image-policy", "--oci-bundle", "--chdir",
         "--pivot-root", "--user", "--machine", "--hostname", "--uuid", "--slice", "--property",
         "--register", "--keep-unit", "--network-interface", "--network-macvlan",
         "--network-ipvlan", "--network-veth-extra", "--network-bridge", "--network-zone",
         "--network-namespace-path", "--port", "--bind", "--bind-ro", "--inaccessible",
         "--tmpfs", "--overlay", "--overlay-ro", "--setenv", "--capability",
         "--drop-capability", "--personality", "--selinux-context", "--selinux-apifs-context",
         "--link-journal", "--resolv-conf", "--timezone", "--console", "--kill-signal",
         "--notify-ready", "--root-hash", "--root-hash-sig", "--verity-data", "--private-users",
         "--system-call-filter", "--rlimit", "--oom-score-adjust", "--cpu-affinity",
         "--load-credential", "--set-credential", "--no-new-privileges", "--private-network",
         "--bind-user", "--suppress-sync")),
}  # fmt: skip
# Programs with a handler that run no command taken from their arguments: xargs may append
# words to them (`xargs printf '%s\n'`, `xargs test -f`) without running anything it names.
# The others, given no command on the line, run what xargs appends (`_resolve`).
_DATA_PROGRAMS = frozenset({
    "printf", "test", "[", "read", "mapfile", "readarray", "getopts", "wait", "let", "hash",
    "set", "shopt", "bind", "bindkey", "complete", "compgen", "enable", "alias", "fc", "r",
    # Their handler looks only for a program read from stdin, and xargs gives its commands
    # /dev/null for stdin: judged under xargs as before they had one.
    "sed", "make", "gmake", "bmake", "pmake",
})  # fmt: skip


def _git_verb_index(words: list[_Word]) -> int:
    """The index of git's first word after its global options (`-C DIR`, `-c K=V`, `--git-dir
    D`...): the subcommand, or a word known only at run time; len(words) when there is none."""
    index = 1
    while index < len(words):
        value = words[index].value
        if value in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"):
            index += 2
        elif value is not None and value.startswith("-"):
            index += 1
        else:
            return index
    return len(words)


def _git_subcommand(words: list[_Word]) -> bool:
    """Whether git is given a subcommand on the line (words xargs appends to `git add` are its
    operands; to a bare `git` they may be `-c alias.x=!cmd x`)."""
    index = _git_verb_index(words)
    return index < len(words) and words[index].value is not None


# git settings (lower case) whose value git runs as a shell command (aliases and credential
# helpers only when they start with "!").
_GIT_CODE = re.compile(
    r"alias\..+|credential\.(.+\.)?helper|core\.(sshcommand|pager|editor|askpass|fsmonitor"
    r"|gitproxy)|sequence\.editor|diff\.external|diff\..+\.(command|textconv)|merge\..+\.driver"
    r"|filter\..+\.(clean|smudge|process)|gpg\.(.+\.)?program|pager\..+|web\.browser"
    r"|(difftool|mergetool|browser)\..+\.cmd|interactive\.difffilter|uploadpack\.packobjectshook"
    r"|remote\..+\.(uploadpack|receivepack)|imap\.tunnel|ssh\.variant"
)


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
    "filter-branch": (("--env-filter", "--tree-filter", "--index-filter", "--parent-filter",
                       "--msg-filter", "--commit-filter", "--tag-name-filter"), (), False),
    "send-email": (("--sendmail-cmd", "--smtp-server", "--to-cmd", "--cc-cmd", "--header-cmd"),
                   (), False),
    "instaweb": (("--httpd", "--browser"), ("-d", "-b"), False),
}  # fmt: skip


# gdb's options (one dash or two) that take a gdb command, a file of them, or another argument;
# the commands that only show, wait or stop; the settings `set` may change in them.
_GDB_COMMAND_OPTIONS = frozenset({"-ex", "-eval-command", "-iex", "-init-eval-command"})
_GDB_FILE_OPTIONS = frozenset({"-x", "-command", "-ix", "-init-command"})
_GDB_ARGUMENT_OPTIONS = frozenset({"-p", "-pid", "-c", "-core", "-cd", "-d", "-directory", "-s",
                                   "-symbols", "-e", "-exec", "-se", "-tty", "-b", "-l", "-D",
                                   "-data-directory"})
_GDB_QUIET = frozenset({"bt", "backtrace", "where", "info", "i", "thread", "quit", "q", "set",
                        "show", "continue", "c", "detach", "kill", "generate-core-file", "gcore",
                        "frame", "f", "up", "down", "list", "l", "disassemble", "break", "b",
                        "tbreak", "delete", "d", "handle", "echo", "run", "r", "start"})
_GDB_SETTINGS = frozenset({"pagination", "confirm", "print", "height", "width", "logging",
                           "style", "verbose", "debuginfod", "non-stop", "auto-load"})


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
_SSH_OPTION = re.compile(r"\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)", re.S)


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
            option, has_value, attached = value.partition("=")
            if option in ("-e", "--rsh", "--rsync-path") or (value.startswith("-e") and
                                                             not value.startswith("--")):
                if has_value:
                    codes.append(attached)
                elif option in ("-e", "--rsh", "--rsync-path"):
                    following = _at(words, index)
                    codes.append(following.value if following is not None else None)
                    index += 1
                else:
                    codes.append(value[2:])
            continue
        if not value.startswith("-") or value.startswith("--") or len(value) < 2:
            continue
        letter, attached = value[1], value[2:]
        if letter not in "oFSD" or (letter == "D" and name != "sftp") or (
                letter == "S" and name == "ssh"):
            continue
        argument: str | None
        if attached:
            argument = attached
        else:
            following = _at(words, index)
            argument = following.value if following is not None else ""
            index += 1
        if argument is None:
            codes.append(None)
        elif letter == "o":
            match = _SSH_OPTION.fullmatch(argument)
            if match is not None and match.group(1).lower() in _SSH_CODE_OPTIONS and \
                    match.group(2).strip().lower() != "none":
                codes.append(match.group(2))
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
                       ) -> tuple[_Word | PathArg | None, _Word | PathArg | None] | None:
    """(working directory, root directory) a wrapper runs its command in, None for either
    being known only at run time; None when it keeps the line's (see `_Collector._elsewhere`).
    `sudo -D DIR`, `sudo -R DIR`, `sudo -i` (the target user's home), `run0 -D`, `nsenter -w`
    and `-r` (with no DIR: the target process's, unknown), `unshare -w` and `-R`, `chroot DIR`
    (the root, and / in it), `systemd-run` (a service starts in /, or --working-directory,
    `-p WorkingDirectory=`; `--scope` and `-d` keep it), `schroot -d`, `proot -w` and `-r`,
    `daemonize -c`."""
    options = {option: argument for option, argument in found}
    folder = root = _KEEP
    if name == "chroot":
        if not operands:
            return None
        root = operands[0]
        folder = _KEEP if "--skip-chdir" in options else root
    elif name == "systemd-run":
        if options.keys() & {"--scope", "-d", "--same-dir"}:
            return None
        folder = PathArg("/")
        for option, argument in found:
            if option in ("-p", "--property") and argument is not None and (
                    argument.value or "").startswith("WorkingDirectory="):
                value = (argument.value or "").partition("=")[2].lstrip("-!")
                folder = _Word(value, value) if value != "~" else PathArg("~", tilde=True)
            elif option == "--working-directory":
                folder = argument if argument is not None else PathArg("/")
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
    if folder is _KEEP and root is _KEEP:
        return None
    if folder is _KEEP:
        folder = root  # `chroot`-like: the root, and / in it
    return folder, (None if root is _KEEP else root)


_KEEP: Any = object()  # the line's own directory, unchanged
# (wrapper, option) -> what it changes: the working directory ("cwd", to the option's argument;
# an optional argument missing: unknown), the root ("root"), or the working directory to the
# target user's home ("home").
_CHANGES_DIRECTORY = {
    ("sudo", "-D"): "cwd", ("sudo", "--chdir"): "cwd", ("sudo", "-R"): "root",
    ("sudo", "--chroot"): "root", ("sudo", "-i"): "home", ("sudo", "--login"): "home",
    ("run0", "-D"): "cwd", ("run0", "--chdir"): "cwd",
    ("nsenter", "-w"): "cwd", ("nsenter", "--wd"): "cwd", ("nsenter", "-r"): "root",
    ("nsenter", "--root"): "root",
    ("unshare", "-w"): "cwd", ("unshare", "--wd"): "cwd", ("unshare", "-R"): "root",
    ("unshare", "--root"): "root",
    ("schroot", "-d"): "cwd", ("schroot", "--directory"): "cwd",
    ("proot", "-w"): "cwd", ("proot", "--cwd"): "cwd", ("proot", "--pwd"): "cwd",
    ("proot", "-r"): "root", ("proot", "--rootfs"): "root",
    ("daemonize", "-c"): "cwd",
    ("systemd-nspawn", "--chdir"): "cwd", ("systemd-nspawn", "-D"): "root",
    ("systemd-nspawn", "--directory"): "root",
}  # fmt: skip


# Wrappers before whose command bash (time, coproc) or the wrapper (sudo) takes NAME=VALUE
# words as assignments, not as the command.
_ASSIGNMENTS_FIRST = frozenset({"time", "coproc", "sudo"})
_ASSIGNMENT_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")
# Wrappers that start the user's shell when no command follows them.
_SHELL_WITHOUT_COMMAND = frozenset({"chroot", "nsenter", "unshare", "pkexec", "run0",
                                    "schroot", "lxc-attach"})
_BWRAP_TWO = frozenset({
    "--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try",
    "--symlink", "--setenv", "--chmod", "--file", "--bind-data", "--ro-bind-data",
})  # fmt: skip
_BWRAP_ONE = frozenset({
    "--dev", "--proc", "--tmpfs", "--mqueue", "--dir", "--remount-ro", "--chdir", "--unsetenv",
    "--uid", "--gid", "--hostname", "--lock-file", "--sync-fd", "--info-fd", "--json-status-fd",
    "--block-fd", "--userns-block-fd", "--userns", "--userns2", "--pidns", "--seccomp",
    "--add-seccomp-fd", "--exec-label", "--file-label", "--cap-add", "--cap-drop", "--perms",
    "--size", "--args", "--argv0", "--overlay-src", "--tmp-overlay", "--ro-overlay",
})  # fmt: skip
_START_STOP = _options(
    "xapnugcrdNPIkRsO",
    ("--exec", "--startas", "--pidfile", "--name", "--user", "--group", "--chuid", "--chroot",
     "--chdir", "--nicelevel", "--procsched", "--iosched", "--umask", "--retry", "--signal",
     "--output", "--ppid", "--notify-timeout"),
    flags=("--start",),
)  # fmt: skip
_MACHINECTL = _options("MHpsEon", ("--machine", "--host", "--property", "--signal", "--uid",
                                   "--setenv", "--kill-whom", "--format", "--output", "--lines",
                                   "--max-addresses"))  # fmt: skip
# tmux commands that take a shell command, and the letters of their options that take an
# argument; and the commands that run what is known only later.
_TMUX_SHELL_COMMANDS = {
    "new-session": "cefFnstxy", "new": "cefFnstxy", "new-window": "cefFnt", "neww": "cefFnt",
    "split-window": "cefFlpt", "splitw": "cefFlpt", "respawn-pane": "cet", "respawnp": "cet",
    "respawn-window": "cet", "respawnw": "cet", "display-popup": "bcdehsStTwxy",
    "popup": "bcdehsStTwxy", "run-shell": "cdt", "run": "cdt", "pipe-pane": "t",
    "pipep": "t", "if-shell": "t", "if": "t",
}  # fmt: skip
_TMUX_UNKNOWN = frozenset({
    "send-keys", "send", "bind-key", "bind", "set-hook", "source-file", "source",
    "command-prompt", "confirm-before", "confirm", "paste-buffer", "pasteb", "set-buffer",
    "setb", "load-buffer", "loadb",
})  # fmt: skip
_RUNUSER = _options("gGsuwc", ("--user", "--group", "--supp-group", "--shell",
                               "--whitelist-environment", "--command"))  # fmt: skip
_FLOCK = _options("wE", ("--wait", "--timeout", "--conflict-exit-code"))
_WATCH = _options("nq", ("--interval", "--equexit"))
_PARALLEL = _options(
    "jSaIdENnLC",
    ("--jobs", "--sshlogin", "--sshloginfile", "--arg-file", "--colsep", "--delimiter", "--delay",
     "--timeout", "--tmpdir", "--results", "--joblog", "--basefile", "--env", "--workdir", "--wd",
     "--tagstring", "--max-args", "--max-replace-args", "--max-lines", "--load", "--memfree",
     "--retries", "--halt", "--nice", "--id", "--semaphorename", "--semaphoretimeout", "--st"),
    flags=("--tag", "--semaphore"),
)  # fmt: skip
_AT = _options("qfmMtF")
_XARGS = _options(
    "IadELnPs",
    ("--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
     "--process-slot-var"),
    attached="iel",  # optional arguments, attached only
)  # fmt: skip
_ENV = _options("uCSPa", ("--unset", "--chdir", "--split-string", "--argv0"), lone_dash=True,
               flags=("--ignore-environment",))
_NO_TERM = ("without TERM readline takes a dumb terminal (no bracketed paste: no backstop), whose "
            "drawing the bastion does not follow")

# Short options of each shell that take an argument (`bash -o emacs`: "emacs" is no script),
# and long ones (bash --rcfile FILE, fish --debug-output FILE, zsh --emulate sh).
_SHELL_ARGUMENTS = {"bash": "oO", "rbash": "oO", "mksh": "oT", "lksh": "oT", "ksh": "oR",
                    "fish": "Cdco", "csh": "", "tcsh": ""}  # fmt: skip
_SHELL_LONG_ARGUMENTS = frozenset({"--rcfile", "--init-file", "--init-command", "--command",
                                   "--debug", "--debug-output", "--profile", "--features",
                                   "--emulate"})  # fmt: skip

_FC = _options("e")
_SCP = _options("cDFiJloPSX")
_PRINTF = _options("v")
_READ = _options("adinNptu")
_MAPFILE = _options("dnOsuCc")
_WAIT = _options("p")
_COMPLETE = _options("oAGWFCXPSDV")
_BIND = _options("mfqurx")
_HASH = _options("pdt")
_ENABLE = _options("f")
_COMMENTS_OFF = "with interactive comments off, `#` no longer hides what follows it"
_FD_VARIABLE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_MOVES_STANDARD = re.compile(r"[<>]&\s*[0-2]-")
_TERMINAL_AWAY = ("the shell's stdin or stderr no longer goes to the terminal: readline's "
                  "echo and line ends are out of the bastion's sight")
_STTY_SIZE = frozenset({"cols", "columns", "rows"})
_TSET_SETS = frozenset("eik")  # tset's -e, -i, -k: the erase, interrupt and kill characters
_TSET_ARGUMENT = frozenset("admp")  # its other options that take a value
# `echo`/`-echo` only: readline sets the terminal itself while it reads a line (and echoes it),
# so -echo hides what programs read (`stty -echo; cat > key`), which is secret by the echo rule
# and, at a prompt, read as a command line too (InputGate._judge_hidden). -echoctl (no `^C`,
# which the backstop reads), -echoe, -icanon and the special characters stay unknown.
_STTY_SHOWN = frozenset({"-a", "--all", "-g", "--save", "sane", "size", "speed", "echo", "-echo"})
_EDITING_OFF = ("line editing off: the terminal driver edits the line, with keys the bastion "
                "does not follow")
# set's one-letter options by their long names (`set -e` is `set -o errexit`).
_SET_LETTERS = {
    "a": "allexport", "b": "notify", "e": "errexit", "f": "noglob", "h": "hashall",
    "k": "keyword", "m": "monitor", "n": "noexec", "p": "privileged", "t": "onecmd",
    "u": "nounset", "v": "verbose", "x": "xtrace", "B": "braceexpand", "C": "noclobber",
    "E": "errtrace", "H": "histexpand", "P": "physical", "T": "functrace",
}  # fmt: skip

# Variables whose value the shell later runs, shows after expansion, or uses to find commands:
# "code" is run as a command line, "prompt" is decoded (`\044` is `$`) then expanded as a
# double-quoted word, "expanded" is expanded so ($(...) runs: BASH_ENV and ENV before naming
# the file sourced, MAIL and MAILPATH when mail is checked), "unknown" is held whatever its
# value (BASH_CMDS maps names to programs, INPUTRC names key bindings), "program" is a command
# line another program runs later (GIT_SSH_COMMAND, PAGER, EDITOR), not with the line's stdin.
# BASH_FUNC_NAME%% in a child's environment defines a function. zsh's prompts are here too.
_HOOKS = {
    "PROMPT_COMMAND": "code", "BASH_ALIASES": "code",
    "PS0": "prompt", "PS1": "prompt", "PS2": "prompt", "PS4": "prompt", "PROMPT": "prompt",
    "PROMPT2": "prompt", "PROMPT3": "prompt", "PROMPT4": "prompt", "RPROMPT": "prompt",
    "RPS1": "prompt", "RPS2": "prompt", "SPROMPT": "prompt",
    "BASH_ENV": "expanded", "ENV": "expanded", "MAIL": "expanded", "MAILPATH": "expanded",
    "BASH_CMDS": "unknown", "INPUTRC": "unknown", "histchars": "unknown",
    "TERM": "terminal",
    # found after outside attack G: programs git, man, less and their kin run from the environment
    "GIT_SSH_COMMAND": "program", "GIT_SSH": "program", "GIT_PROXY_COMMAND": "program",
    "GIT_EXTERNAL_DIFF": "program", "GIT_PAGER": "program", "GIT_EDITOR": "program",
    "GIT_SEQUENCE_EDITOR": "program", "GIT_ASKPASS": "program", "SSH_ASKPASS": "program", "PAGER": "program",
    "MANPAGER": "program", "EDITOR": "program", "VISUAL": "program",
    "GIT_CONFIG_PARAMETERS": "unknown", "GIT_CONFIG_COUNT": "unknown", "GIT_CONFIG_GLOBAL": "unknown",
    "GIT_CONFIG_SYSTEM": "unknown", "LESSOPEN": "unknown", "LESSCLOSE": "unknown",
    # found after outside attack I (finding 5): programs' options read from the environment
    # (`_ENV_OPTIONS`), and more programs and files run from it
    **{name: "options" for name in (
        "TAR_OPTIONS", "GZIP", "PIGZ", "BZIP2", "BZIP", "XZ_OPT", "XZ_DEFAULTS", "LESS",
        "MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS", "PERL5OPT", "RUBYOPT", "NODE_OPTIONS")},
    "RSYNC_RSH": "program", "RSYNC_CONNECT_PROG": "program",
    "LESSKEY": "unknown", "LESSKEYIN": "unknown", "LESSKEY_SYSTEM": "unknown",
    "LESSKEYIN_SYSTEM": "unknown", "LESSKEY_CONTENT": "unknown", "LESSEDIT": "unknown",
    "LESSHISTFILE": "unknown", "PERL5DB": "unknown", "PYTHONINSPECT": "unknown",
}  # fmt: skip
# Per variable: the program that reads its options from it, the options known harmless (no
# program, code or file they name, no operand: `XZ_OPT=/etc/shadow` compresses it), and those
# whose value is the next word, a number. Any other word is unknown: the policy judges no
# option list it does not read (attack I, finding 5: `TAR_OPTIONS='--to-command=CMD'`).
# GREP_OPTIONS is not read by grep since 2.21 (2014); make takes SHELL from a makefile, never
# from the environment.
_COMPRESSION = r"-[1-9]|--best|--fast|-[qvk]+|--quiet|--verbose|--keep"
_ENV_OPTIONS: dict[str, tuple[str, re.Pattern[str], frozenset[str]]] = {
    "TAR_OPTIONS": ("tar", re.compile(
        r"-v+|--verbose|--(no-)?same-(owner|permissions)|--numeric-owner|--warning=[\w-]+"
        r"|--format=\w+|--sort=\w+|--(owner|group|mode|mtime)=[\w:.,+-]+|--exclude=[^/\s]*"
        r"|--exclude-(vcs|vcs-ignores|backups|caches|caches-all|caches-under)"
        r"|--(no-)?(wildcards|anchored|ignore-case|recursion|xattrs|acls|selinux)"
        r"|--ignore-failed-read|--totals|--blocking-factor=\d+|-b\d+|--record-size=\d+\w?"
        r"|--delay-directory-restore|--no-overwrite-dir|--skip-old-files|--keep-old-files|-k"
        r"|--one-file-system|--checkpoint(=\d+)?|--full-time|--utc|--touch|-m|-p"
        r"|--preserve-permissions|--quoting-style=[\w-]+|--atime-preserve(=\w+)?"), frozenset()),
    "GZIP": ("gzip", re.compile(_COMPRESSION + r"|-[nN]+|--(no-)?name|--rsyncable|--synchronous"),
             frozenset()),
    "PIGZ": ("pigz", re.compile(_COMPRESSION + r"|-[nN]+|--(no-)?name|--rsyncable|-[pb]\d+"
                                r"|--(processes|blocksize)=\d+"), frozenset({"-p", "-b"})),
    "BZIP2": ("bzip2", re.compile(_COMPRESSION + r"|-s|--small"), frozenset()),
    "XZ_OPT": ("xz", re.compile(_COMPRESSION + r"|-[0-9]e|-e|--extreme|-T\d+|--threads=\d+|-M\S+"
                                r"|--memlimit(-compress|-decompress|-mt-decompress)?=\S+|-Q"
                                r"|--no-warn|--no-adjust|--no-sparse|--check=\w+"
                                r"|--block-size=\d+\w*"), frozenset({"-T", "-M"})),
    # less: letters without a dash too (`LESS=FRX`); not -o/-O (a log file), -k (a lesskey
    # file) or `+CMD` (a command run at start).
    "LESS": ("less", re.compile(r"-{0,1}[A-NP-Za-jl-np-z~#0-9.]+|--(?!log|LOG|lesskey|tag)[\w-]+"
                                r"(=[\w.,]*)?"), frozenset()),
    "MAKEFLAGS": ("make", re.compile(
        r"-?[kinsSwBqrRteL]+|-j\d*|-l[\d.]*|--jobs(=\d+)?|--load-average(=[\d.]+)?"
        r"|--(no-)?print-directory|--silent|--quiet|--(no-)?keep-going|--output-sync(=\w+)?"
        r"|-O\w*|--no-builtin-(rules|variables)|--warn-undefined-variables|--trace"
        r"|--debug(=\w+)?|--environment-overrides"), frozenset({"-j", "-l"})),
    "PERL5OPT": ("perl", re.compile(r"-[wWXtTU]+|-C\d*"), frozenset()),
    "RUBYOPT": ("ruby", re.compile(r"-[wv]|-W[0-2]?|-W:[\w-]+|--(disable|enable)[-=][\w,-]+"
                                   r"|--y?jit|-E[\w:-]+|--(external-)?encoding=[\w:-]+"), frozenset()),
    "NODE_OPTIONS": ("node", re.compile(
        r"--max-(old|semi)-space-size=\d+|--enable-source-maps|--no-(warnings|deprecation)"
        r"|--trace-(warnings|deprecation|uncaught)|--unhandled-rejections=[\w-]+"
        r"|--dns-result-order=[\w-]+|--openssl-legacy-provider|--use-(openssl|bundled)-ca"
        r"|--max-http-header-size=\d+|--stack-trace-limit=\d+|--tls-(min|max)-v1\.[0-3]"),
        frozenset()),
}
_ENV_OPTIONS["BZIP"] = _ENV_OPTIONS["BZIP2"]
_ENV_OPTIONS["XZ_DEFAULTS"] = _ENV_OPTIONS["XZ_OPT"]
_ENV_OPTIONS["MFLAGS"] = _ENV_OPTIONS["GNUMAKEFLAGS"] = _ENV_OPTIONS["MAKEFLAGS"]
# Terminal types whose readline (bracketed paste, cursor keys, echo) the tracker reads. Another
# TERM (`dumb`: no bracketed paste, horizontal scrolling) is unknown: bash re-reads TERM at once.
_TERMINALS = frozenset({
    "xterm", "xterm-256color", "xterm-color", "xterm-direct", "screen", "screen-256color",
    "tmux", "tmux-256color", "vt100", "vt220", "linux", "rxvt", "rxvt-unicode",
    "rxvt-unicode-256color", "alacritty", "xterm-kitty", "foot", "putty", "putty-256color",
})  # fmt: skip
# Code that the shell reading the line runs itself: its grammar carries over (`_code`).
# Wrappers that run their command in the shell itself (`_Collector._inner`).
_IN_THE_SHELL = frozenset({"command", "builtin", "exec"})
# POSIX special builtins (and bash's `source`, a `.`): an assignment before one is kept in POSIX
# mode and by sh (dash), not by bash otherwise.
_SOURCE = frozenset({"source", "."})
_PLAIN_FILES = frozenset({"file", "null"})  # origins of a descriptor that feed the line nothing
_SPECIAL_BUILTINS = frozenset({"break", ":", ".", "source", "continue", "eval", "exec", "exit",
                               "export", "readonly", "return", "set", "shift", "times", "trap",
                               "unset"})
_SAME_SHELL = frozenset({"eval", "trap", "alias", "complete", "compgen", "bind", "mapfile",
                         "readarray", *_HOOKS})
_HOOK_UNKNOWN = {
    "GIT_CONFIG_PARAMETERS": "gives git settings, which may name commands it runs",
    "GIT_CONFIG_COUNT": "gives git settings, which may name commands it runs",
    "GIT_CONFIG_GLOBAL": "names a git settings file, which may name commands git runs",
    "GIT_CONFIG_SYSTEM": "names a git settings file, which may name commands git runs",
    "LESSOPEN": "names a command less runs on each file",
    "LESSCLOSE": "names a command less runs on each file",
    "BASH_CMDS": "makes a command name run another program",
    "INPUTRC": "names key bindings readline reads again (C-x C-r)",
    "histchars": "changes the history characters: a later line may run an earlier one "
                 "(`histchars=@`, then `@@`)",
    **dict.fromkeys(("LESSKEY", "LESSKEYIN", "LESSKEY_SYSTEM", "LESSKEYIN_SYSTEM"),
                    "names a file of less key bindings, which may run commands"),
    "LESSKEY_CONTENT": "gives less key bindings, which may run commands",
    "LESSEDIT": "names the editor command less runs",
    "LESSHISTFILE": "names a file less writes its history to",
    "PERL5DB": "gives the code perl's debugger runs",
    "PYTHONINSPECT": "makes python read code from stdin after its script",
}


def _env_options_doubt(name: str, value: str) -> str | None:
    """Why the options a program reads from the environment variable `name` (`_ENV_OPTIONS`)
    cannot be judged harmless, or None: an option the table does not list, or a value that
    does not split into words."""
    program, harmless, takes = _ENV_OPTIONS[name]
    try:
        words = shlex.split(value)
    except ValueError:
        return f"{name} gives {program} options the policy cannot split"
    previous = ""
    for word in words:
        if not (harmless.fullmatch(word) or word in takes or (previous in takes and word.isdigit())):
            return (f"{name} gives {program} an option that may run a program or name a file: "
                    f"{one_line(word, 40)}")
        previous = word
    return None


def _aliased(alias: str, value: str) -> str:
    """The code an alias stands for, with the words typed after it on a later line: known only
    then (`alias x=eval`, then `x 'rm -rf /'`), unless the alias keeps its own name
    (`alias rm='rm -i'`: later lines are judged as rm anyway) or ends its command."""
    stripped = value.rstrip()
    words = stripped.split()
    if not words or words[0] == alias or stripped[-1] in ";&|" or words[-1] in _KEYWORD_ENDS:
        return value
    return f'{value} "$ALIAS_ARGUMENTS"'


_KEYWORD_ENDS = frozenset({"then", "do", "else", "elif", "{", "(", "!", "in"})


def _printed(words: list[_Word]) -> _Word:
    """What printf prints for a format made only of text and %s, given as many plain
    arguments; a value known only at run time otherwise."""
    if words and all(w.value is not None for w in words):
        form, arguments = words[0].value or "", [w.value or "" for w in words[1:]]
        pieces = form.replace("%%", "\0").split("%s")
        if "%" not in form.replace("%%", "").replace("%s", "") and "\\" not in form \
                and len(pieces) - 1 == len(arguments):
            text = pieces[0] + "".join(a + p for a, p in zip(arguments, pieces[1:], strict=True))
            text = text.replace("\0", "%")
            return _Word(text, text)
    return _Word(None, "(printf output)")


def _hook_kind(name: str) -> str | None:
    return _HOOKS.get(name) or ("function" if name.startswith("BASH_FUNC_") else None)


_PROMPT_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|D\{[^}]*\}|(.))", re.S)
_PROMPT_CONTROL = {"a": "\a", "e": "\x1b", "n": "\n", "r": "\r"}


def _decode_prompt(text: str) -> str:
    r"""A prompt string after bash decodes its backslash escapes, as the expansion that follows
    sees it: `\044` and the other octal escapes become the character itself (so `\044(cmd)`
    runs cmd), `\\` and `\$` stay escaped, `\u`, `\w` and the like become a letter (bash
    quotes their values), `\[` and `\]` vanish."""

    def one(match: re.Match[str]) -> str:
        octal, other = match.groups()
        if octal is not None:
            code = int(octal, 8) & 0xFF
            return chr(code) if code else ""
        if other is None:
            return "D"  # \D{format}: a date
        if other in "\\$":
            return "\\" + other
        if other in "[]":
            return ""
        if other in _PROMPT_CONTROL:
            return _PROMPT_CONTROL[other]
        if other in "uhHwWsvVtT@AdjlL!#":
            return other
        return "\\" + other

    return _PROMPT_ESCAPE.sub(one, text)


_INTEGER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+)")
_ASSIGNED_TO = re.compile(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=(?!=)")  # `let y=x`: y is written
_NUMBER_LITERALS = re.compile(r"\b[0-9]+#[0-9A-Za-z@_]+|\b0[xX][0-9a-fA-F]+|\b[0-9]+\b")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# NAME, NAME[SUBSCRIPT], NAME=VALUE, NAME+=VALUE, NAME[SUB]=VALUE as declare, printf -v and
# read take them: group 2 is the subscript, group 3 the value.
_DECLARED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(.*)\])?(?:\+?=(.*))?", re.S)
# Parameters that hold a number whatever earlier lines did: bash keeps them numbers, and
# every assignment to the named ones is judged as arithmetic (`_assigned`), as bash itself
# evaluates RANDOM=, SRANDOM=, HISTCMD= and OPTIND=. That holds also once a line made one an
# ordinary variable (`unset SECONDS`, `local OPTIND`, `local -n RANDOM=x`), since then only an
# assignment can give it another value. Not `$-`: it holds letters, which arithmetic reads as
# a variable's name.
_SAFE_ARITH = frozenset({
    "?", "#", "$", "!", "RANDOM", "SRANDOM", "SECONDS", "LINENO", "BASHPID", "PPID", "UID",
    "EUID", "EPOCHSECONDS", "EPOCHREALTIME", "BASH_SUBSHELL", "HISTCMD", "OPTIND",
})  # fmt: skip
_SAFE_INDIRECT = re.compile(r"\$\{!(?:[A-Za-z_][A-Za-z0-9_]*(?:[*@]|\[[*@]\])|#)\}")
_ARITHMETIC_TESTS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge"})


def _arithmetic_reads(src: str, node: Node, numbers: set[str]
                      ) -> tuple[list[str], list[str], bool]:
    """(variables read that the line had not made numbers, variables read that it had, whether
    a command's output is evaluated), walking the expression in source order. `NAME = expr` (and
    `+=` and the like) leaves a number in NAME once expr is read, so `for ((i=0; i<n; i++))`
    reads a number in i; `numbers` is updated."""
    unsafe: list[str] = []
    assumed: list[str] = []
    runs = False

    def read(name: str) -> None:
        if name not in _SAFE_ARITH:
            (assumed if name in numbers else unsafe).append(name)

    stack: list[Node | str] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, str):  # an assignment, done once its value was read
            numbers.add(current)
            continue
        kind = current.type
        children = current.children
        if kind in ("command_substitution", "process_substitution"):
            runs = True
        elif kind == "do_group" or (kind == "compound_statement" and current is not node
                                    and children[:1] and children[0].type != "(("):
            continue  # a loop's body is not arithmetic
        elif kind in ("binary_expression", "variable_assignment") and len(children) == 3 \
                and children[1].type in _ARITHMETIC_ASSIGN \
                and _IDENTIFIER.fullmatch(_text(src, children[0])):
            name = _text(src, children[0])
            if children[1].type != "=":
                read(name)  # `n += 1` reads n first
            stack.append(name)
            stack.append(children[2])
        elif kind == "variable_name" or (kind == "word" and _IDENTIFIER.fullmatch(_text(src, current))):
            read(_text(src, current))
        elif kind in ("simple_expansion", "expansion"):
            inner = [c for c in current.named_children
                     if c.type in ("variable_name", "special_variable_name")]
            if inner:
                read(_text(src, inner[0]))
            stack.extend(reversed([c for c in current.named_children if c not in inner]))
        else:
            stack.extend(reversed(children))
    return unsafe, assumed, runs


_ARITHMETIC_ASSIGN = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=",
                                "|="})


def _element_subscript(text: str) -> str | None:
    """The subscript of a compound assignment's element `[SUB]=VALUE` (as written), or None."""
    if not text.startswith("["):
        return None
    depth = 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                rest = text[index + 1:]
                return text[1:index] if rest.startswith(("=", "+=")) else None
    return None


def _found(starts: list[str], tests: list[str | None]) -> tuple[PathArg, ...]:
    """The files a find expression may match under its start points, as paths: each start
    point (unless -mindepth 1 or a -name test leaves it out) and START/** (or START/**/NAME
    with a -name test, and START/NAME, which it matches for certain when it exists). A -name
    test narrows only an expression of tests joined by "and"; find's globs also match a
    leading dot, so `*history` is also judged as `.*history`."""
    plain = not any(t in (None, "-o", "-or", ",", "!", "-not", "(", ")") for t in tests)
    names: list[str] = []
    mindepth = maxdepth = None
    for position, test in enumerate(tests):
        following = tests[position + 1] if position + 1 < len(tests) else None
        if test in ("-name", "-iname") and following is not None and plain:
            names = [following]
        elif test == "-mindepth" and following is not None and following.isdigit():
            mindepth = int(following)
        elif test == "-maxdepth" and following is not None and following.isdigit():
            maxdepth = int(following)
    if names and names[0][:1] in ("*", "?", "["):
        glob = names[0]
        names.append("." + (glob if glob[0] == "*" else glob[1:] if glob[0] == "?" else
                            glob[glob.find("]") + 1:] if "]" in glob else glob))
    found: list[PathArg] = []
    for start in starts:
        tilde = start.startswith("~")
        base = start.rstrip("/") or "/"
        joiner = "" if base.endswith("/") else "/"
        last = base.rsplit("/", 1)[-1]
        if not mindepth and (not names or any(_parts_meet(last, n) for n in names)):
            found.append(PathArg(start, "pattern" if _GLOB_CHARS.search(start) else "exact",
                                 tilde))
        if maxdepth == 0:
            continue
        under = "*" if maxdepth == 1 else "**"
        if not names:
            found.append(PathArg(f"{base}{joiner}{under}", "pattern", tilde))
        for each in names:
            if maxdepth != 1:
                found.append(PathArg(f"{base}{joiner}**/{each}", "pattern", tilde))
            kind = "pattern" if _GLOB_CHARS.search(each) else "exact"
            if (mindepth or 0) <= 1 and (kind == "exact" or maxdepth == 1):
                found.append(PathArg(f"{base}{joiner}{each}", kind, tilde))
    return tuple(found)


def _compound(keyword: str, value: str | None) -> bool:
    """Whether declare and its kin take the value `(...)` given as a string as the elements
    of an array (`declare -a b='($(cmd))'` expands them; so does plain `declare` when b is an
    array already, perhaps from an earlier line). export does not."""
    return keyword != "export" and value is not None and value.startswith("(") \
        and value.endswith(")")


# Readline variables that change only how completions are listed or the bell sounds: the line,
# the keys and the prompt are as the tracker expects. Every other variable (comment-begin,
# convert-meta, input-meta, keyseq-timeout, horizontal-scroll-mode, echo-control-characters,
# show-mode-in-prompt, mark-modified-lines, blink-matching-paren, expand-tilde...) is unknown.
_READLINE_DISPLAY = frozenset({
    "bell-style", "colored-completion-prefix", "colored-stats", "completion-display-width",
    "completion-ignore-case", "completion-map-case", "completion-prefix-display-length",
    "completion-query-items", "mark-directories", "mark-symlinked-directories",
    "match-hidden-files", "menu-complete-display-prefix", "page-completions",
    "print-completions-horizontally", "show-all-if-ambiguous", "show-all-if-unmodified",
    "visible-stats", "history-size",
})  # fmt: skip
# Readline functions that only move the cursor, list or fetch text (history, completion): the
# tracker reads the line from the screen after a key it does not follow, and a key it does
# follow (Ctrl-A, Ctrl-U) bound to one shows otherwise than predicted: uncertain, never wrong.
_BINDING_SAFE = frozenset({
    "history-search-backward", "history-search-forward", "history-substring-search-backward",
    "history-substring-search-forward", "previous-history", "next-history",
    "beginning-of-history", "end-of-history", "reverse-search-history",
    "forward-search-history", "beginning-of-line", "end-of-line", "forward-char",
    "backward-char", "forward-word", "backward-word", "shell-forward-word",
    "shell-backward-word", "complete", "menu-complete", "menu-complete-backward",
    "possible-completions", "clear-screen", "redraw-current-line", "dynamic-complete-history",
    "yank-last-arg", "yank-nth-arg",
})  # fmt: skip
_BINDING_RUNS = frozenset({
    "accept-line", "operate-and-get-next", "edit-and-execute-command",
    "vi-edit-and-execute-command", "shell-expand-line", "insert-comment", "call-last-kbd-macro",
    "re-read-init-file",
})  # fmt: skip


def _binding(text: str) -> tuple[str, str]:
    """A readline binding `"keyseq": rhs` or `keyname: rhs` split in two."""
    text = text.strip()
    if text.startswith('"'):
        position = 1
        while position < len(text) and text[position] != '"':
            position += 2 if text[position] == "\\" else 1
        rest = text[position + 1:]
        return text[: position + 1], rest.partition(":")[2].strip()
    key, _, rhs = text.partition(":")
    return key, rhs.strip()


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _binding_changes(text: str | None) -> str | None:
    """Why a readline binding or setting given to `bind` changes what a key does or how a line
    is drawn, or None for a display-only setting (`_READLINE_DISPLAY`)."""
    if text is None:
        return "a key binding known only at run time"
    stripped = text.strip()
    if stripped.startswith("set ") or stripped == "set":
        words = stripped.split()
        variable = words[1].lower() if len(words) >= 2 else ""
        value = words[2].lower() if len(words) >= 3 else ""
        if variable == "enable-bracketed-paste" and value != "on":
            return "turning bracketed paste off hides from the bastion when a line is accepted"
        if variable == "editing-mode" and value in ("emacs", "vi"):
            return None  # followed by the tracker, as `set -o vi` is
        if variable in _READLINE_DISPLAY or variable == "enable-bracketed-paste":
            return None
        return (f"the readline variable {variable or '(none)'} changes what keys do or how the "
                "line is read")
    if ":" not in stripped:
        return "a key binding the bastion cannot read"
    rhs = _binding(stripped)[1]
    if rhs[:1] in ("'", '"'):
        return "a key bound to typed text (a macro) that the bastion sees as one key"
    if rhs in _BINDING_RUNS:
        return f"a key bound to {rhs}, which runs or submits the line"
    if rhs in _BINDING_SAFE:
        return None
    return f"a key bound to {rhs or '(nothing)'} does what the bastion does not follow"


def _binding_runs(text: str | None) -> bool:
    """Whether a binding given to `bind` runs or submits a line, or hides that one was (unknown
    wherever the line is judged; other bindings only where a terminal is read)."""
    if text is None:
        return True
    stripped = text.strip()
    if stripped.startswith("set ") or stripped == "set":
        words = stripped.split()
        return len(words) >= 2 and words[1].lower() == "enable-bracketed-paste" and (
            len(words) < 3 or words[2].lower() != "on")
    rhs = _binding(stripped)[1] if ":" in stripped else ""
    return rhs[:1] in ("'", '"') or rhs in _BINDING_RUNS


# Commands that write files the policy can name, so that they count as `>` on those files as a
# redirection does: "all" (each operand: tee), "of" (dd's of=), or the options of a copy whose
# last operand (or -t DIR) is the destination.
# found after outside attack I (finding 4): `--no-target-directory`, `--recursive` and
# `--archive` are named so that any start of them is read as GNU getopt reads it (`--no-t`).
_COPY = _options("St", ("--suffix", "--target-directory", "--backup"),
                 flags=("--no-target-directory", "--recursive", "--archive", "--symbolic"))


class _Operand(NamedTuple):
    """A writer whose output is its operand number `index` after `options` (uniq IN OUT),
    and the value of each of `output` (patch -o FILE); `missing` names what it writes with
    no such operand (patch: the files the patch names)."""

    index: int
    options: _Options
    output: frozenset[str] = frozenset()
    missing: str = ""


_WRITES: dict[str, _Options | str | frozenset[str] | _Operand] = {
    "tee": "all",
    "dd": "of",
    # The file after an output option: find -fprint FILE, sort -o FILE, curl -o FILE ...
    "find": frozenset({"-fprint", "-fprint0", "-fprintf", "-fls"}),
    "sort": frozenset({"-o", "--output"}),
    "curl": frozenset({"-D", "--dump-header", "-c", "--cookie-jar", "--trace",
                       "--trace-ascii", "--stderr", "--libcurl", "--etag-save"}),
    "wget": frozenset({"-O", "--output-document", "-o", "--output-file", "-a", "--append-output"}),
    "cp": _COPY,
    "mv": _COPY,
    "ln": _COPY,
    # found after outside attack B: writers that were not counted as `>`
    "sponge": "all",
    "shuf": frozenset({"-o", "--output"}),
    "iconv": frozenset({"-o", "--output"}),
    "openssl": frozenset({"-out", "-keyout"}),
    # found after outside attack E (finding 3): more writers (also `_more_writes`)
    "touch": "all",
    "time": frozenset({"-o", "--output"}),
    "ssh": frozenset({"-E"}),
    "cpio": frozenset({"-O"}),
    "gcc": frozenset({"-o"}), "cc": frozenset({"-o"}), "clang": frozenset({"-o"}),
    "g++": frozenset({"-o"}), "c++": frozenset({"-o"}), "ld": frozenset({"-o"}),
    "sdiff": frozenset({"-o", "--output"}),
    "htpasswd": _Operand(0, _options("C")),
    "zip": _Operand(0, _options("bnOtx", ("--temp-path", "--suffixes", "--output-file"))),
    "gpg": frozenset({"-o", "--output"}),
    "uniq": _Operand(1, _options("fsw", ("--skip-fields", "--skip-chars", "--check-chars",
                                         "--group", "--all-repeated"))),
    "xxd": _Operand(1, _options("cglosC", ("-cols", "-groupsize", "-len", "-offset", "-seek",
                                           "-name"))),
    "script": _Operand(0, _options("cEIOBTm", ("--command", "--echo", "--log-in", "--log-out",
                                              "--log-io", "--log-timing", "--logging-format")),
                       frozenset({"-I", "--log-in", "-O", "--log-out", "-B", "--log-io", "-T",
                                  "--log-timing"})),
    # found after outside attack G (finding 5): what makes a file or a node. Not mkdir: an
    # empty directory changes what no program reads, and a directory named only at run time
    # (Ansible's `mkdir -p "`echo ~/.ansible/tmp`"`) would be held for every deny rule's paths.
    "mkfifo": _Operand(-1, _options("mZ", ("--mode", "--context"))),
    "mknod": _Operand(0, _options("mZ", ("--mode", "--context"))),
    "fallocate": _Operand(0, _options("olx", ("--offset", "--length", "--posix"))),
    "patch": _Operand(0, _options("pdoirBDFVYzg", ("--strip", "--directory", "--output",
                                                   "--input", "--reject-file", "--prefix",
                                                   "--ifdef", "--fuzz", "--version-control",
                                                   "--basename-prefix", "--suffix", "--get")),
                      frozenset({"-o", "--output", "-r", "--reject-file"}),
                      "(the files the patch names)"),
    "install": _options("gmoSt", ("--group", "--mode", "--owner", "--suffix", "--target-directory",
                                  "--backup", "--context", "--strip-program"),
                        flags=("--no-target-directory",)),
    "rsync": _options("eBfTM", ("--rsh", "--block-size", "--filter", "--temp-dir", "--rsync-path",
                                "--exclude", "--include", "--exclude-from", "--include-from",
                                "--files-from", "--log-file", "--partial-dir", "--compare-dest",
                                "--copy-dest", "--link-dest", "--chmod", "--chown", "--usermap",
                                "--groupmap", "--backup-dir", "--suffix", "--password-file",
                                "--out-format", "--max-size", "--min-size", "--timeout"),
                      flags=("--recursive", "--archive")),
}  # fmt: skip


_RECURSIVE = frozenset({"-r", "-R", "-a", "--recursive", "--archive"})
# found after outside attack I (finding 6): programs that change a file's mode, owner, ACL,
# attributes or what is seen at its name. With -R (and mount, which hides the tree under its
# target) they change everything under each operand too: DIR/**, a pattern, so that a rule
# protecting a file under it holds the line (`chmod -R o+w /etc`, `mount -t tmpfs x /etc`).
_TREE_CHANGERS = frozenset({"chmod", "chown", "chgrp", "setfacl", "chattr", "chcon", "mount"})


def _recursive_change(words: list[_Word]) -> bool:
    """Whether chmod, chown, chgrp, setfacl, chattr or chcon is given -R (in a cluster too) or
    --recursive (any start of it GNU getopt takes, `--rec`)."""
    for word in words[1:]:
        value = word.value
        if value is None or value == "--":
            return value is None  # an option known only at run time may be -R
        if value.startswith("--"):
            if len(value) > 4 and "--recursive".startswith(value):
                return True
        elif value.startswith("-") and "R" in value:
            return True
    return False
# A destination taken as the name itself, not a directory to copy into (cp, mv, ln, install).
_NO_TARGET = frozenset({"-T", "--no-target-directory"})


def _rsync_removes(words: list[_Word]) -> tuple[PathArg, ...]:
    """What rsync removes, as an `rm`: with --delete (and its kin), whatever is in the
    destination and not in the source (DEST/**); with --remove-source-files, the sources."""
    spec = _WRITES["rsync"]
    assert isinstance(spec, _Options)
    scanned = _scan_options(words, 1, spec)
    if scanned is None:
        return ()
    index, found = scanned
    options = {option for option, _ in found}
    operands = words[index:]
    removed: list[PathArg] = []
    if any(o.startswith("--delete") or o == "--del" for o in options) and operands:
        target = _path_arg(operands[-1])
        base = target.text.rstrip("/") or "/"
        removed.append(target if target.kind == "unknown" else PathArg(
            f"{base}{'' if base.endswith('/') else '/'}**", "pattern", target.tilde))
    if "--remove-source-files" in options:
        removed += [_path_arg(w) for w in operands[:-1]]
    return tuple(removed)
# `pushd +1`, `popd -2`, `~1`, `~-1`: entries of the directory stack.
_DIRSTACK = re.compile(r"[+-]?[0-9]+")


def _after_options(words: list[_Word], options: frozenset[str]) -> list[PathArg]:
    """The files named by `options` (`-o FILE`, `-oFILE`, `-uo FILE`, `--output=FILE`)."""
    short = {option[1] for option in options if len(option) == 2}
    found: list[PathArg] = []
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None or not value.startswith("-"):
            continue
        head, has_value, rest = value.partition("=")
        following = _at(words, index + 1)
        if head.startswith("--") and len(head) > 2 and head not in options:
            # GNU getopt takes any start of a long name (`sort --out F`: attack G, finding 5).
            head = _long_option(head, frozenset(o for o in options if o.startswith("--")))
            value = head if not has_value else value
        if value in options or (not value.startswith("--") and value[-1] in short
                                and value[1:].isalpha()):
            if following is not None:
                found.append(_path_arg(following))
        elif has_value and head in options:
            found.append(_path_arg(word, rest, False))
        elif not value.startswith("--") and len(value) > 2 and value[1] in short:
            found.append(_path_arg(word, value[2:], False))
    return found


def _written(words: list[_Word], spec: _Options | str | frozenset[str] | _Operand
             ) -> list[PathArg]:
    """The files a writer among _WRITES writes. A copy to D writes D and, D being perhaps a
    directory, D/NAME for each source NAME (`cp shadow /etc` writes /etc/shadow)."""
    if isinstance(spec, frozenset):
        return _after_options(words, spec)
    if isinstance(spec, _Operand):
        permuted = _permuted(words, 1, spec.options)
        if permuted is None:
            return [PathArg(words[0].text + " ...", "unknown")]
        found, operands = permuted
        written = _after_options(words, spec.output) if spec.output else []
        if spec.index < 0:
            return written + [_path_arg(w) for w in operands]
        operand = _at(operands, spec.index)
        if operand is not None:
            written.append(_path_arg(operand))
        elif spec.missing:
            written.append(PathArg(spec.missing, "unknown"))
        return written
    if spec == "all":
        return [p for p in _operand_paths(words) if p.text != "-"]
    if spec == "of":
        return [_path_arg(w, w.value[3:], w.text.startswith("of=~"))
                for w in words[1:] if w.value is not None and w.value.startswith("of=")] + [
            PathArg(w.text, "unknown") for w in words[1:] if w.value is None]
    assert isinstance(spec, _Options)
    # GNU cp, mv, ln and install permute: `cp SRC DEST -rT` (attack I, finding 4). A word
    # known only at run time past the first operand is taken as an operand, and may be `-rT`.
    scanned = _scan_options(words, 1, spec)
    if scanned is None:
        return [PathArg(words[0].text + " ...", "unknown")]
    known = {id(w): w for w in words}
    stand_in = [w if w.value is not None else w._replace(value="\0") for w in words]
    known.update({id(s): w for s, w in zip(stand_in, words, strict=True)})
    permuted = _permuted(stand_in, 1, spec)
    assert permuted is not None  # every word is known now
    found, operands = permuted[0], [known[id(w)] for w in permuted[1]]
    unseen = any(w.value is None and not w.fresh for w in operands)
    program = (words[0].value or "").rsplit("/", 1)[-1]
    if program.endswith("install") and any(option in ("-d", "--directory") for option, _ in found):
        return [_path_arg(w) for w in operands]  # `install -d DIR...` makes each DIR
    # A recursive copy also writes everything under what it creates (`cp -a etc /` may
    # replace /etc/shadow): that is a glob, so a rule it could meet holds the line. A moved
    # directory carries its tree, and a symbolic link to one makes its tree appear at the
    # link's name (`mv d /etc/sudoers.d`, `ln -sT d /etc/sudoers.d`).
    options = {option for option, _ in found}
    recursive = bool(options & _RECURSIVE) or program == "mv" or (
        program == "ln" and bool(options & {"-s", "--symbolic"}))
    tree = "/**" if recursive else ""
    if unseen and program != "rsync":
        options |= _NO_TARGET  # the unknown word may be `-T`: DEST itself, and its tree
        recursive = True
    option = _last_argument(found, {"-t", "--target-directory"})
    if option is not None:
        if option[1] is None:
            return []
        destination, sources = option[1], operands
    elif program != "rsync" and options & _NO_TARGET and operands:
        # `cp -rT SRC DEST`: SRC's contents land in DEST itself, DEST/** when recursive.
        target = _path_arg(operands[-1])
        if not recursive or target.kind == "unknown":
            return [target]
        base = target.text.rstrip("/") or "/"
        return [target, PathArg(f"{base}{'' if base.endswith('/') else '/'}**", "pattern",
                                 target.tilde)]
    elif len(operands) >= 2:
        destination, sources = operands[-1], operands[:-1]
    else:
        return []
    target = _path_arg(destination)
    written = [target]
    if target.kind == "unknown":
        return written
    base = target.text.rstrip("/") or "/"
    joiner = "" if base.endswith("/") else "/"
    for source in sources:
        if source.value is None:
            # A name known only at run time lands in the directory: any one name in it.
            written.append(PathArg(f"{base}{joiner}*{tree}", "pattern", target.tilde))
            continue
        name = source.value.rstrip("/").rsplit("/", 1)[-1]
        if recursive and (name in ("", ".") or source.value.endswith("/")):
            written.append(PathArg(f"{base}{joiner}**", "pattern", target.tilde))
        elif name and name not in (".", ".."):
            kind = "pattern" if target.kind == "pattern" or source.glob or recursive else "exact"
            written.append(PathArg(f"{base}{joiner}{name}", "pattern" if source.glob or
                                   target.kind == "pattern" else "exact", target.tilde))
            if recursive:
                written.append(PathArg(f"{base}{joiner}{name}{tree}", kind, target.tilde))
    return written
# found after outside attack E (finding 3): more writers, and code in their options. Each returns
# (files written, code run: a string, or None for code known only at run time).
_SED_OPTIONS = _options("efl", ("--expression", "--file", "--line-length"), attached="i",
                        flags=("--in-place",))
_SED_ADDRESS = re.compile(r"[0-9$,+~ \t]+")


def _sed_effects(script: str) -> tuple[list[str], list[str | None]]:
    """What a sed script writes and runs: `w FILE`, `W FILE`, `s/../../w FILE`, `e CMD` (a bare
    `e` or the `e` flag of `s` runs the pattern space: None). Text to a line's end after `a`,
    `i`, `c`, `r`, labels and comments is skipped. GNU sed's grammar, read leniently."""
    writes: list[str] = []
    code: list[str | None] = []
    index, size = 0, len(script)

    def line_end(start: int) -> int:
        end = script.find("\n", start)
        return size if end < 0 else end

    def delimited(start: int, delimiter: str) -> int:
        # The index after the closing delimiter of a regex or replacement starting at `start`.
        while start < size and script[start] != delimiter:
            start += 2 if script[start] == "\\" else 1
        return start + 1

    while index < size:
        char = script[index]
        if char in " \t\n;{}!":
            index += 1
        elif char == "#":
            index = line_end(index)
        elif char in "0123456789$,+~":
            index = _SED_ADDRESS.match(script, index).end()  # type: ignore[union-attr]
        elif char in "/\\":
            if char == "\\":
                index += 1
            delimiter = script[index] if index < size else "/"
            index = delimited(index + 1, delimiter)
            while index < size and script[index] in "IM":
                index += 1
        else:
            index += 1
            rest_end = line_end(index)
            if char in "wW":
                writes.append(script[index:rest_end].strip(" \t"))
                index = rest_end
            elif char == "e":
                command = script[index:rest_end].strip(" \t")
                code.append(command or None)
                index = rest_end
            elif char in "aicrR:":
                index = rest_end
            elif char in "btTqQlL":
                while index < size and script[index] not in ";\n}":
                    index += 1
            elif char in "sy" and index < size:
                delimiter = script[index]
                index = delimited(delimited(index + 1, delimiter), delimiter)
                if char == "s":
                    while index < size and script[index] not in ";\n}":
                        flag = script[index]
                        if flag == "w":
                            writes.append(script[index + 1:line_end(index)].strip(" \t"))
                            index = line_end(index)
                            break
                        if flag == "e":
                            code.append(None)
                        index += 1
    return writes, code


def _sed_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    scanned = _scan_options(words, 1, _SED_OPTIONS)
    permuted = _permuted(words, 1, _SED_OPTIONS)
    if scanned is None or permuted is None:
        return [PathArg("(sed options known only at run time)", "unknown")], [None]
    index, found = scanned
    scripts = [argument for option, argument in found if option in ("-e", "--expression")]
    options, operands = permuted
    if not any(option in ("-e", "--expression", "-f", "--file") for option, _ in options):
        scripts, operands = words[index: index + 1], operands[1:]
    paths: list[PathArg] = []
    # `sed -i` (`-ni`, `-i.bak`, `--in-place`, `--in-pl`: attack G, finding 5) rewrites each file.
    if any(o == "--in-place" or (not o.startswith("--") and o == "-i") for o, _ in options):
        paths += [_path_arg(w) for w in operands if w.value != "-"]
    codes: list[str | None] = []
    for script in scripts:
        if script is None:
            continue
        if script.value is None:
            return [PathArg(script.text, "unknown")], [None]
        written, ran = _sed_effects(script.value)
        paths += [PathArg(w, "exact", w.startswith("~")) if w else PathArg("(no file)", "unknown")
                  for w in written if w not in ("/dev/stdout", "/dev/stderr")]
        codes += ran
    return paths, codes


_TAR_ARGUMENTS = "fCTXbHgKLNVIF"
_TAR = _options(_TAR_ARGUMENTS, ("--file", "--directory", "--files-from", "--exclude-from",
                                 "--blocking-factor", "--to-command", "--checkpoint-action",
                                 "--use-compress-program", "--info-script",
                                 "--new-volume-script", "--rsh-command", "--index-file",
                                 "--listed-incremental", "--volno-file"))
_TAR_CODE = frozenset({"-I", "--use-compress-program", "--to-command", "-F", "--info-script",
                       "--new-volume-script", "--rsh-command"})


def _tar_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """tar: the archive of -c, -r, -u, -A (also in the old bundled form `tar cf F`), the index
    and incremental files; the code of -I, --to-command, --checkpoint-action=exec=, -F..."""
    first = words[1].value if len(words) > 1 else None
    bundled: list[tuple[str, _Word | None]] = []
    start = 1
    if first is not None and first and not first.startswith("-"):
        start = 2  # `tar czf F ...`: the letters' arguments follow in order
        for letter in first:
            argument = None
            if letter in _TAR_ARGUMENTS:
                argument = _at(words, start)
                start += 1
            bundled.append((f"-{letter}", argument))
    scanned = _scan_options(words, start, _TAR)
    if scanned is None:
        return [PathArg("(tar options known only at run time)", "unknown")], [None]
    found = bundled + scanned[1]
    seen = {option for option, _ in found}
    paths: list[PathArg] = []
    codes: list[str | None] = []
    if seen & {"-c", "-r", "-u", "-A", "--create", "--append", "--update", "--catenate",
               "--concatenate"}:
        archive = _last_argument(found, {"-f", "--file"})
        if archive is not None and archive[1] is not None and archive[1].value != "-":
            paths.append(_path_arg(archive[1]))
    for option, argument in found:
        if option in ("--index-file", "--listed-incremental", "-g", "--volno-file") and \
                argument is not None:
            paths.append(_path_arg(argument))
        elif option in _TAR_CODE or (option == "--checkpoint-action" and argument is not None
                                     and (argument.value or "exec").startswith("exec")):
            value = argument.value if argument is not None else ""
            if option == "--checkpoint-action" and value is not None:
                value = value.partition("=")[2]
            codes.append(value)
    return paths, codes


_MKTEMP = _options("p", ("--tmpdir", "--suffix"))


def _mktemp_writes(words: list[_Word], tmpdir: str | None = "") -> list[PathArg]:
    """mktemp makes a file (or with -d a directory) from TEMPLATE's X's, in -p DIR,
    --tmpdir[=DIR] or, with -t or no template, $TMPDIR (`tmpdir`, as the line set it: None
    when known only at run time) or /tmp; -u makes none."""
    scanned = _scan_options(words, 1, _MKTEMP)
    if scanned is None:
        return [PathArg("(mktemp options known only at run time)", "unknown")]
    index, found = scanned
    if any(option in ("-u", "--dry-run") for option, _ in found):
        return []
    folder = _last_argument(found, {"-p", "--tmpdir"})
    template = _at(words, index)
    if template is not None and template.value is None:
        return [PathArg(template.text, "unknown")]
    name = re.sub(r"X{3,}$", "*", template.value) if template is not None and \
        template.value is not None else "tmp.*"
    if folder is None and template is not None and "-t" not in {o for o, _ in found}:
        return [PathArg(name, "pattern", name.startswith("~"))]
    if folder is not None and folder[1] is not None:
        if folder[1].value is None:
            return [PathArg(folder[1].text, "unknown")]
        base = folder[1].value
    elif tmpdir is None:
        return [PathArg("$TMPDIR", "unknown")]
    else:
        base = tmpdir or "/tmp"
    return [PathArg(f"{base.rstrip('/') or '/'}/{name}", "pattern", base.startswith("~"))]


# sqlite3's options that take an argument (one dash or two).
_SQLITE_ARGUMENTS = frozenset({"cmd", "init", "separator", "newline", "nullvalue", "vfs", "mmap",
                               "lookaside", "pagecache", "heap", "maxsize", "escape"})
# found after outside attack G (finding 3): sqlite3 takes a dot command by any start of its name
# (`.sh`, `.o`), so a word that starts one of these names is taken for each: those that run the
# shell, write the file they name (`|cmd`: code), read commands or data from one (`|cmd`: code;
# a descriptor: text fed to the line), or do what the policy does not follow.
_SQLITE_CODE = ("shell", "system")
_SQLITE_WRITES = ("output", "once", "log", "backup", "save", "clone", "trace", "iotrace", "open")
_SQLITE_READS = ("read", "import")
_SQLITE_OPAQUE = ("excel", "load", "cd", "archive", "ar", "www", "edit")
_SQLITE_DOT_LINE = re.compile(r"(?m)^[ \t]*\.([A-Za-z_]\w*)(.*)$")
_SQLITE_SQL_FILE = re.compile(r"(?i)\b(?:attach(?:\s+database)?|vacuum(?:\s+\w+)?\s+into|writefile\s*\()"
                              r"\s*(?:'([^']*)'|(\S))")


class _Sqlite(NamedTuple):
    database: _Word | None
    texts: list[_Word]  # SQL and dot commands given on the line (-cmd and operands)
    init: list[_Word]  # -init FILE: commands read from FILE
    archive: bool  # -A: an archive command, which may extract files
    reads_stdin: bool  # no SQL operand: commands are read from stdin


def _sqlite_words(words: list[_Word]) -> _Sqlite:
    """sqlite3's words: `sqlite3 [OPTIONS] [DATABASE [SQL...]]` (options before the database)."""
    texts: list[_Word] = []
    init: list[_Word] = []
    operands: list[_Word] = []
    archive = False
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        if value is not None and value.startswith("-") and not operands and value != "-":
            option = value.lstrip("-")
            if option in _SQLITE_ARGUMENTS:
                following = _at(words, index + 1)
                if option == "cmd" and following is not None:
                    texts.append(following)
                elif option == "init" and following is not None:
                    init.append(following)
                index += 2
                continue
            archive = archive or option.startswith("A") or option == "archive"
            index += 1
            continue
        operands.append(word)
        index += 1
    database = operands[0] if operands else None
    return _Sqlite(database, texts + operands[1:], init, archive, len(operands) < 2)


def _sqlite_dot(line: str) -> tuple[list[PathArg], list[str | None], list[str]]:
    """What one dot command does: files written, code run (None: unknown), and files it reads
    commands or data from."""
    match = _SQLITE_DOT_LINE.match(line)
    if match is None:
        return [], [], []
    command, rest = match.group(1), match.group(2)
    try:
        arguments = shlex.split(rest)
    except ValueError:
        return [], [None], []
    paths: list[PathArg] = []
    codes: list[str | None] = []
    reads: list[str] = []
    names = [n for n in (*_SQLITE_CODE, *_SQLITE_WRITES, *_SQLITE_READS, *_SQLITE_OPAQUE)
             if n.startswith(command)]
    operands = [a for a in arguments if not a.startswith("-")]
    for name in names:
        if name in _SQLITE_CODE:
            # sqlite3 joins the arguments, quoting those with a blank, and hands them to sh.
            codes.append(" ".join(f'"{a}"' if " " in a else a for a in arguments) or None)
        elif name in _SQLITE_OPAQUE or (name in ("output", "once") and set(arguments) & {
                "-e", "-x", "-w"}):
            codes.append(None)  # a spreadsheet, an editor, an extension, another directory
        elif operands and operands[0].startswith("|"):
            codes.append(operands[0][1:])
        elif name in _SQLITE_READS:
            reads += operands[:1]
        elif operands:
            paths.append(PathArg(operands[-1], "exact", operands[-1].startswith("~")))
    return paths, codes, reads


def _sqlite_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """sqlite3 DB: the database is written; dot commands by any start of their name: `.output`,
    `.once`, `.log`, `.backup`, `.save`, `.clone`, `.trace`, `.open` FILE write FILE (`|cmd`:
    code), `.shell` and `.system` run code, `.read` and `.import` `|cmd` run code, and commands
    read from a descriptor (`.read /dev/stdin`, `-init /dev/stdin`) or from a file known only
    at run time are unknown; ATTACH, VACUUM INTO and writefile() write the file they name (one
    not written as a literal: unknown)."""
    parts = _sqlite_words(words)
    paths: list[PathArg] = [_path_arg(parts.database)] if parts.database is not None else []
    codes: list[str | None] = [None] if parts.archive else []
    reads: list[str | None] = [w.value for w in parts.init]
    for text in parts.texts:
        if text.value is None:
            codes.append(None)
            continue
        for line in text.value.splitlines():
            written, ran, read = _sqlite_dot(line)
            paths += written
            codes += ran
            reads += read
        for literal, other in _SQLITE_SQL_FILE.findall(text.value):
            paths.append(PathArg(literal) if not other else PathArg("(a file SQL names)", "unknown"))
        if re.search(r"(?i)\b(load_extension|edit)\s*\(", text.value):
            codes.append(None)
    # Commands read from a file: an ordinary one is a script file, any program's peer (README);
    # a descriptor or a process substitution may be text fed to the line.
    codes += [None for read in reads if read is None or _descriptor_file(read) is not None
              or read.startswith("/proc/")]
    return paths, codes


def _ssh_keygen_writes(words: list[_Word]) -> list[PathArg]:
    """ssh-keygen -f FILE writes FILE and FILE.pub, unless it only reads (-l, -y, -B, -F, -L,
    -Q, -D)."""
    values = {w.value for w in words[1:]}
    if any(v is not None and v.startswith("-") and not v.startswith("--") and set(v[1:]) & set("lyBFLQD")
           for v in values):
        return []
    found = _after_options(words, frozenset({"-f"}))
    return found + [PathArg(f"{p.text}.pub", p.kind, p.tilde) for p in found if p.kind != "unknown"]


def _git_config_setting(words: list[_Word]) -> _Word | None:
    """`config [options] KEY VALUE` (git's words from the subcommand on; also `config set KEY
    VALUE`, `--add`, `--replace-all`): KEY=VALUE as one word, for a key git may run
    (`_GIT_CODE`, core.hooksPath); None otherwise. A key or value known only at run time:
    a word whose value is None."""
    if not words or words[0].value != "config":
        return None
    operands: list[_Word] = []
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        if value in ("-f", "--file", "--blob", "--type", "--default", "--comment"):
            index += 2
            continue
        if value is not None and value.startswith("-") and not (
                operands and operands[-1].value not in ("set",)):
            index += 1  # an option, until the key: the value after it may start with `-`
            continue
        operands.append(word)
        index += 1
    if operands and operands[0].value in ("set", "--add"):
        operands = operands[1:]
    if len(operands) < 2:
        return None
    key, value = operands[0], operands[1]
    if key.value is None:
        return _Word(None, key.text)
    lowered = key.value.lower()
    if not (_GIT_CODE.fullmatch(lowered) or lowered == "core.hookspath" or "ext::" in lowered
            or "ext::" in (value.value or "ext::")):
        return None
    if value.value is None:
        return _Word(None, value.text)
    return _Word(f"{key.value}={value.value}", f"{key.text} {value.text}")


def _git_config_writes(words: list[_Word]) -> list[PathArg]:
    """`git config` writes its file (-f/--file FILE, --global ~/.gitconfig, --system
    /etc/gitconfig) unless it only reads (--get..., -l, --list, get, list)."""
    index = _git_verb_index(words)
    if index >= len(words) or words[index].value != "config":
        return []
    rest = words[index:]
    values = [w.value or "" for w in rest[1:]]
    if any(v.startswith("--get") or v in ("-l", "--list", "get", "list", "--show-origin")
           for v in values):
        return []
    found = _after_options(rest, frozenset({"-f", "--file"}))
    if "--global" in values:
        found.append(PathArg("~/.gitconfig", "exact", True))
    if "--system" in values:
        found.append(PathArg("/etc/gitconfig"))
    return found


_SPLIT = _options("abClnt", ("--suffix-length", "--additional-suffix", "--bytes",
                             "--line-bytes", "--lines", "--number", "--separator", "--filter"))
_CSPLIT = _options("bfn", ("--suffix-format", "--prefix", "--digits"))
_COMPRESSORS = {"gzip": ".gz", "pigz": ".gz", "bzip2": ".bz2", "pbzip2": ".bz2", "xz": ".xz",
                "lzma": ".lzma", "zstd": ".zst", "lz4": ".lz4", "lzip": ".lz", "compress": ".Z"}
_DECOMPRESSORS = {"gunzip": ".gz", "bunzip2": ".bz2", "unxz": ".xz", "unlzma": ".lzma",
                  "unzstd": ".zst", "uncompress": ".Z"}


def _prefix_writes(words: list[_Word], spec: _Options, operand: int, option: str,
                   default: str) -> list[PathArg]:
    """split's and csplit's output files: PREFIX (operand `operand`, or -f) and a suffix; the
    first is always written (PREFIXaa, PREFIX00 with numeric suffixes: exact), the rest any."""
    permuted = _permuted(words, 1, spec)
    if permuted is None:
        return [PathArg("(options known only at run time)", "unknown")]
    found, operands = permuted
    given = _last_argument(found, {option, "--prefix"}) if option else None
    prefix = given[1] if given is not None else _at(operands, operand) if operand else None
    seen = {o for o, _ in found}
    numeric = bool(seen & {"-d", "-x", "--numeric-suffixes", "--hex-suffixes"})
    first = ("0" if numeric or option == "-f" else "a") * 2
    if seen & {"-a", "--suffix-length", "-b", "--suffix-format", "-n", "--digits",
               "--additional-suffix"}:
        first = ""  # another suffix: only the pattern is known
    text = default if prefix is None else prefix.value
    if text is None:
        return [PathArg(prefix.text if prefix is not None else default, "unknown")]
    tilde = text.startswith("~") and prefix is not None and prefix.text.startswith("~")
    return ([PathArg(f"{text}{first}", "exact", tilde)] if first else []) + [
        PathArg(f"{text}*", "pattern", tilde)]


# found after outside attack G (finding 5): curl's and wget's files in a directory an option names,
# and what git subcommands write.
_CURL_OUTPUT = frozenset({"-o", "--output"})
_CURL_REMOTE_NAME = frozenset({"-O", "--remote-name", "--remote-name-all", "-J",
                               "--remote-header-name"})


def _url_name(word: _Word) -> str:
    """The file name curl -O and wget give a download: the URL's last part, or any name."""
    value = word.value
    if value is None or "?" in value or "#" in value or _GLOB_CHARS.search(value):
        return "*"
    name = value.split("://", 1)[-1].rstrip("/").rsplit("/", 1)[-1]
    return name if "/" in value.split("://", 1)[-1] and name not in ("", ".", "..") else "*"


def _in_folder(folder: _Word | None, name: str) -> PathArg:
    if folder is None:
        return PathArg(name, "pattern" if "*" in name else "exact")
    if folder.value is None:
        return PathArg(folder.text, "unknown")
    base = folder.value.rstrip("/") or "/"
    joiner = "" if base.endswith("/") else "/"
    return PathArg(f"{base}{joiner}{name}", "pattern" if "*" in name else "exact",
                   base.startswith("~") and folder.text.startswith("~"))


def _curl_writes(words: list[_Word]) -> list[PathArg]:
    """curl -o FILE (in --output-dir DIR when FILE is relative), -O (the URL's name, in DIR)."""
    found = _after_options(words, frozenset({"--output-dir"}))
    folder = _Word(found[-1].text, found[-1].text) if found and found[-1].kind != "unknown" else (
        _Word(None, found[-1].text) if found else None)
    written = [p if folder is None or p.text.startswith(("/", "~")) or p.kind == "unknown" or
               p.text == "-" else _in_folder(folder, p.text)
               for p in _after_options(words, _CURL_OUTPUT)]
    values = [w.value or "" for w in words[1:]]
    if any(v in _CURL_REMOTE_NAME or (v.startswith("--remote-n") and "=" not in v) or (
            v.startswith("-") and not v.startswith("--") and "O" in v[1:] and v[1:].isalpha())
           for v in values):
        urls = [w for w in words[1:] if w.value is None or "://" in w.value]
        written += [_in_folder(folder, _url_name(url)) for url in urls or [_Word(None, "")]]
    return [p for p in written if p.text != "-"]


def _wget_writes(words: list[_Word]) -> list[PathArg]:
    """wget -O/-o/-a FILE; without -O, each download's name in -P DIR (or here)."""
    written = _after_options(words, frozenset({"-O", "--output-document", "-o", "--output-file",
                                               "-a", "--append-output"}))
    document = _after_options(words, frozenset({"-O", "--output-document"}))
    if not document:
        prefix = _after_options(words, frozenset({"-P", "--directory-prefix"}))
        folder = None if not prefix else (_Word(prefix[-1].text, prefix[-1].text) if
                                          prefix[-1].kind != "unknown" else _Word(None, prefix[-1].text))
        if folder is not None:
            written.append(_in_folder(folder, "**"))
    return [p for p in written if p.text != "-"]


def _git_writes(words: list[_Word]) -> list[PathArg]:
    """`git archive -o F`, `bundle create F`, `format-patch -o DIR`, `worktree add DIR`, `init
    DIR`, `clone URL DIR` (the tree they make: DIR/**)."""
    index = _git_verb_index(words)
    sub = words[index:]
    verb = sub[0].value if sub else None
    operands = [w for w in sub[1:] if w.value is None or not w.value.startswith("-")]
    if verb == "archive":
        return _after_options(sub, frozenset({"-o", "--output"}))
    if verb == "format-patch":
        return [_in_folder(_Word(p.text, p.text) if p.kind != "unknown" else _Word(None, p.text),
                           "*") for p in _after_options(sub, frozenset({"-o", "--output-directory"}))]
    if verb == "bundle" and operands[:1] and operands[0].value == "create" and len(operands) > 1:
        return [_path_arg(operands[1])]
    tree: list[_Word] = []
    if verb == "worktree" and operands[:1] and operands[0].value == "add":
        tree = operands[1:2]  # (-b NAME's value is an operand here: a name written too, at worst)
    elif verb == "init":
        tree = operands[:1]
    elif verb == "clone" and len(operands) > 1:
        tree = operands[1:2]
    return [p for w in tree for p in (_path_arg(w), _in_folder(w, "**"))]


_MORE_WRITERS = frozenset({"scp", "sftp", "rsync", "sed", "tar", "sqlite3", "strace", "ltrace",
                           "curl", "wget",
                           "mktemp", "ssh-keygen", "git", "split", "csplit", "tcpdump",
                           *_COMPRESSORS, *_DECOMPRESSORS})


def _more_writes(name: str, words: list[_Word], values: dict[str, str | None] | None = None
                 ) -> tuple[list[PathArg], list[str | None]]:
    """Files written and code run by the writers not in _WRITES' simple forms (`values`: the
    variables the line set)."""
    if name not in _MORE_WRITERS:
        return [], []
    if name in ("scp", "sftp", "rsync"):
        return [], _connection_code(name, words)
    if name == "sed":
        return _sed_writes(words)
    if name == "tar":
        return _tar_writes(words)
    if name == "sqlite3":
        return _sqlite_writes(words)
    if name in ("strace", "ltrace"):
        written = _after_options(words, frozenset({"-o", "--output"}))
        codes: list[str | None] = [p.text[1:] for p in written if p.text[:1] in "|!"]
        return [p for p in written if p.text[:1] not in "|!"], codes
    if name == "mktemp":
        return _mktemp_writes(words, (values or {}).get("TMPDIR", "")), []
    if name == "curl":
        return _curl_writes(words), []
    if name == "wget":
        return _wget_writes(words), []
    if name == "ssh-keygen":
        return _ssh_keygen_writes(words), []
    if name == "git":
        return _git_config_writes(words) + _git_writes(words), []
    if name == "split":
        scanned = _scan_options(words, 1, _SPLIT)
        codes = [a.value if a is not None else None for o, a in (scanned[1] if scanned else [])
                 if o == "--filter"]
        return _prefix_writes(words, _SPLIT, 1, "", "x"), codes
    if name == "csplit":
        return _prefix_writes(words, _CSPLIT, 0, "-f", "xx"), []
    if name == "tcpdump":
        return _after_options(words, frozenset({"-w"})), [
            p.text for p in _after_options(words, frozenset({"-z"}))]
    if name in _COMPRESSORS or name in _DECOMPRESSORS:
        values = [w.value or "" for w in words[1:]]
        if any(v in ("-c", "--stdout", "--to-stdout", "-t", "--test", "-l", "--list") or (
                v.startswith("-") and not v.startswith("--") and set(v[1:]) & set("ctl"))
               for v in values):
            return [], []
        decompress = name in _DECOMPRESSORS or any(
            v in ("-d", "--decompress", "--uncompress") or (
                v.startswith("-") and not v.startswith("--") and "d" in v) for v in values)
        suffix = _DECOMPRESSORS.get(name) or _COMPRESSORS.get(name, "")
        # A name known only at run time (`gzip "$f"` in a loop) is not counted: held, it
        # would hold everyday log rotation (SECURITY.md, what remains).
        paths = [p for p in _operand_paths(words) if p.text != "-" and p.kind != "unknown"]
        # Each file is replaced: compressed, FILE goes and FILE.gz comes; decompressed, the
        # other way round.
        return paths + [p._replace(text=p.text[: -len(suffix)] if p.text.endswith(suffix) else
                                   f"{p.text}*") if decompress else p._replace(text=p.text + suffix)
                        for p in paths if p.kind != "unknown"], []
    return [], []


# Programs that read their standard input (see `stdin_reader`). "always"; "files": when no
# file operand is given, or `-`; "program": as "files", the first operand being a program or
# a pattern unless an option gives it; "prompt": unless an option says yes to every question.
_READS_ALWAYS = frozenset({
    "read", "mapfile", "readarray", "tee", "tr", "bc", "dc", "sponge", "ts", "pv", "cpio",
    "ifne", "vipe", "mail", "mailx", "sendmail", "nc", "ncat", "netcat", "socat", "telnet",
    "sftp", "ftp", "lftp", "mysql", "mariadb", "psql", "sqlite3", "mongo", "mongosh",
    "redis-cli", "chpasswd", "chgpasswd", "newusers", "debconf-set-selections", "wall", "line",
    "head", "cat", "dd", "xargs", "ssh", "logger", "systemd-cat", "crontab", "fsck",
})  # fmt: skip
_READS_FILES = frozenset({
    "cat", "tac", "head", "tail", "nl", "wc", "sort", "uniq", "cut", "paste", "fold", "fmt",
    "rev", "od", "xxd", "hexdump", "hd", "base64", "base32", "basenc", "md5sum", "sha1sum",
    "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "gzip",
    "gunzip", "zcat", "bzip2", "bunzip2", "bzcat", "xz", "unxz", "xzcat", "lzma", "zstd",
    "unzstd", "zstdcat", "lz4", "strings", "less", "more", "most", "column", "expand",
    "unexpand", "join", "comm", "diff", "cmp", "iconv", "split", "csplit", "tsort", "pr",
    "shuf", "yq", "look", "tar",
})  # fmt: skip
_READS_PROGRAM = {"sed": ("-e", "--expression", "-f", "--file"),
                  "grep": ("-e", "--regexp", "-f", "--file", "-r", "-R", "--recursive"),
                  "egrep": ("-e", "-f", "-r", "-R"), "fgrep": ("-e", "-f", "-r", "-R"),
                  "awk": ("-f", "--file"), "gawk": ("-f", "--file"), "mawk": ("-f",),
                  "nawk": ("-f",), "jq": ("-f", "--from-file", "-n", "--null-input")}
_READS_PROMPT = {"apt": ("-y", "--yes", "--assume-yes"), "apt-get": ("-y", "--yes", "--assume-yes"),
                 "aptitude": ("-y", "--assume-yes"), "yum": ("-y", "--assumeyes"),
                 "dnf": ("-y", "--assumeyes"), "microdnf": ("-y", "--assumeyes"),
                 "zypper": ("-n", "--non-interactive"), "pacman": ("--noconfirm",),
                 "pip": ("-y", "--yes"), "pip3": ("-y", "--yes")}
_ASKS = frozenset({"rm", "cp", "mv", "ln"})  # with -i, a question answered on stdin
# Short options that take an argument, so that it is no file operand (`head -n 1`).
_READ_OPTIONS = {
    "head": "nc", "tail": "ncs", "sort": "ktoST", "cut": "dfcb", "uniq": "fsw", "od": "AtjNSw",
    "split": "lbCna", "fold": "w", "fmt": "wpg", "nl": "bdfhilnsvw", "base64": "w",
    "base32": "w", "basenc": "w", "column": "sclo", "xxd": "cglos", "iconv": "fto",
    "join": "12joet", "pr": "hlwoNsSe", "shuf": "nio", "gzip": "S", "zstd": "o", "xz": "TM",
    "tar": "fCTXbHgKLNV", "less": "bhjkoOpPtTxyz", "strings": "nt", "diff": "CUIFLSxX",
    "sed": "ef", "grep": "efmABCd", "egrep": "efmABCd", "fgrep": "efmABCd", "awk": "fvF",
    "gawk": "fvFiEl", "mawk": "fvF", "nawk": "fvF", "jq": "f",
}  # fmt: skip
# Database clients read SQL from stdin unless an option gives it (or, for sqlite3, an
# operand after the database).
# found after outside attack G (finding 6): options whose value a program runs (long names, any
# start of one; short ones, attached or not).
_OPTION_CODE = {
    "sort": (("--compress-program",), ()),
    "dpkg": (("--pre-invoke", "--post-invoke", "--status-logger"), ()),
    "man": (("--pager", "--html"), ("-P", "-H")),
    "zip": (("--unzip-command",), ("-TT",)),
}
# less's `+CMD` that only moves (a line, the end, a search): any other may run `!cmd` or save.
_LESS_QUIET = re.compile(r"[0-9]*[gGFpP%]?|/[^!|]*|\?[^!|]*")
# apt settings that name no program (timeouts, proxies, answers, what to install).
_APT_SAFE = re.compile(
    r"(?i)(apt::get::[\w-]+|apt::install-(recommends|suggests)|apt::color|apt::sandbox::user"
    r"|acquire::[\w.:-]*(timeout|retries|languages|check-valid-until|forceipv[46]|proxy"
    r"|queue-mode|pdiffs|gzipindexes|allowinsecurerepositories|allowdowngradetoinsecurerepositories)"
    r"|debug::[\w:-]+|quiet|binary|apt::architecture|apt::default-release|dpkg::use-pty"
    r"|dpkg::progress-fancy|apt::periodic::[\w-]+)")
# The database clients' own commands (a backslash command; mysql's by name at a line's start):
# `\!` and `system` run shell commands, `\o |cmd`, `tee`, `pager` write files or run programs.
_CLIENT_COMMAND = re.compile(r"\\|^\s*(system|pager|tee|source|edit|nopager|notee)\b", re.I | re.M)
_SQL_GIVEN = {"mysql": ("-e", "--execute"), "mariadb": ("-e", "--execute"),
              "psql": ("-c", "--command", "-f", "--file"), "mongo": ("--eval",),
              "mongosh": ("--eval",)}


_READERS = _READS_ALWAYS | _READS_FILES | set(_READS_PROGRAM) | set(_READS_PROMPT) | _ASKS | {
    "sudo", "passwd", "sqlite3", "tar", *_SQL_GIVEN}


def _reads_input(name: str, words: list[_Word]) -> bool:
    """Whether a command may read its standard input (`stdin_reader`'s table)."""
    if name not in _READERS and INTERPRETERS.fullmatch(name) is None:
        return False
    values = [w.value for w in words[1:]]
    if any(v is None for v in values) and (name in _READS_ALWAYS or name in _READS_FILES
                                           or name in _READS_PROGRAM):
        return True  # `cat $f`, `head $opts`: perhaps no file, perhaps `-`
    args = [v for v in values if v is not None]
    options = [a for a in args if a.startswith("-") and a != "-"]
    if name in ("read", "mapfile", "readarray"):
        # -u FD reads another descriptor (an approximation: any -u counts as another).
        return not any(a.startswith("-") and "u" in a and not a.startswith("--") for a in args)
    if name == "xargs":
        return not any(a in ("-a", "--arg-file") or a.startswith(("-a", "--arg-file="))
                       for a in options)
    if name == "dd":
        return not any(a.startswith("if=") for a in args)
    if name == "ssh":
        return not any(a.startswith("-") and not a.startswith("--") and ("n" in a or "f" in a)
                       for a in options)
    if name == "crontab":
        return "-" in args or not ({"-l", "-r", "-e", "-i"} & set(options) or [
            a for a in args[1 if args[:1] == ["-u"] else 0:] if not a.startswith("-")][1 if
                                                                 "-u" in args else 0:])
    if name in _SQL_GIVEN:
        return not any(o.split("=", 1)[0] in _SQL_GIVEN[name] for o in options)
    if name == "sqlite3":
        return len([a for a in args if not a.startswith("-")]) < 2
    if name == "redis-cli":
        return not [a for a in args if not a.startswith("-")]
    if name == "sudo":
        return "-S" in options or "--stdin" in options
    if name in ("passwd", "chpasswd") or name == "passwd":
        return "--stdin" in options or name == "chpasswd"
    if name in _ASKS:
        return any(a.startswith("-") and not a.startswith("--") and "i" in a for a in options) \
            or "--interactive" in options
    if name in _READS_PROMPT:
        return not any(a in _READS_PROMPT[name] or (a.startswith("-") and not a.startswith("--")
                                                    and "y" in a and name != "zypper")
                       for a in options)
    if name == "tar":
        scanned = _scan_options(words, 1, _options(_READ_OPTIONS["tar"], ("--file",)))
        archive = _last_argument(scanned[1], {"-f", "--file"}) if scanned is not None else None
        return archive is None or archive[1] is None or archive[1].value in (None, "-")
    if INTERPRETERS.fullmatch(name) is not None and name not in _READS_PROGRAM:
        family = INTERPRETERS.fullmatch(name)
        inline = _INLINE_CODE.get(family.lastgroup or "", "") if family else ""
        # Code on the command line (`python3 -c 'input()'`): a program the policy does not
        # read. A script file is any program's peer (README).
        return any(not o.startswith("--") and set(o[1:]) & set(inline) for o in options)
    scanned = _scan_options(words, 1, _options(_READ_OPTIONS.get(name, ""), lone_dash=False))
    operands = [w.value or "" for w in words[scanned[0]:]] if scanned is not None else [
        a for a in args if not a.startswith("-") or a == "-"]
    if name in _READS_PROGRAM:
        if not any(o.split("=", 1)[0] in _READS_PROGRAM[name] or (
                not o.startswith("--") and o[1:2] in "efrR" and o[:2] in _READS_PROGRAM[name])
                for o in options):
            operands = operands[1:]  # the program or pattern
        elif name.endswith("grep") and any(o in ("-r", "-R", "--recursive") or (
                not o.startswith("--") and ("r" in o or "R" in o)) for o in options):
            return "-" in operands
        return not operands or "-" in operands
    if name in _READS_FILES:
        return not operands or "-" in operands
    return name in _READS_ALWAYS


# found after outside attack G (finding 2): programs with a command language that can run shell
# commands (sqlite3's `.shell`, gdb's `shell`, ed's and vim's `!`, psql's `\!`, mysql's
# `system`, ftp's `!`, dc's `!`) or write any file (ed's `w`), which read it from their stdin
# unless an option or operand gives it: that stdin is code, as an interpreter's program is.
_EDITORS = frozenset({"ed", "red", "ex", "vi", "vim", "view", "rvim", "rview", "vimdiff", "nvim",
                      "vim.basic", "vim.tiny", "vim.nox", "vim.gtk3", "nvi", "nex", "elvis"})
_COMMAND_LANGUAGES = _EDITORS | {
    "sqlite3", "gdb", "dc", "ftp", "lftp", "sftp", "mysql", "mariadb", "psql", "mongo",
    "mongosh", "gnuplot", "octave",
    "m4",  # attack I, finding 3: syscmd and esyscmd run shell commands
}  # fmt: skip
# Options that give the commands, so that none are read from stdin ("-": from stdin after all).
_COMMANDS_GIVEN = {"mysql": ("-e", "--execute"), "mariadb": ("-e", "--execute"),
                   "psql": ("-c", "--command", "-f", "--file", "-l", "--list"),
                   "mongo": ("--eval",), "mongosh": ("--eval",), "lftp": ("-c", "-f"),
                   "sftp": ("-b",), "dc": ("-e", "--expression", "-f", "--file"),
                   "gdb": ("-batch", "--batch", "-batch-silent", "--batch-silent", "-version",
                           "--version", "-help", "--help")}
# Their other short options that take an argument (so that `-Ufoo` is no `-f`).
_COMMAND_ARGUMENTS = {"psql": "dhpUvoTFRPLW", "mysql": "uphPSDOhB", "mariadb": "uphPSDOhB",
                      "lftp": "upe", "sftp": "BcDFiJlPRSoX", "dc": ""}
_CODE_IN_OPTIONS = frozenset({*_OPTION_CODE, *_EDITORS, *_COMMANDS_GIVEN, "less", "apt", "apt-get",
                               "aptitude"})
_ONLY_INFORMS = frozenset({"--version", "--help", "-h", "-V", "-version"})


def typed_at_a_terminal(command: str) -> bool:
    """True when every program of the exec command `command` that reads its program from stdin
    is one whose command language a person types (an editor, a database client, gdb): with a
    pty, its stdin is the user's keyboard through the interactive gate, as when the program is
    typed at a shell prompt (`ssh -t host vim f`). Interpreters of scripts stay False."""
    readers = [c for c in parse_commands(command) if c.reads_stdin == "interpreter"]
    return bool(readers) and all((c.name or "") in _COMMAND_LANGUAGES for c in readers)


def _cluster_letter(arg: str, given: tuple[str, ...], takes: str) -> tuple[str | None, str]:
    """The letter of `given` (short options, `-c`) in a cluster of short options (`-Atc`,
    `-cSQL`) before any letter that takes an argument, and the rest of the word after it."""
    if arg.startswith("--") or not arg.startswith("-"):
        return None, ""
    letters = {g[1] for g in given if len(g) == 2}
    for offset, letter in enumerate(arg[1:], start=2):
        if letter in letters:
            return letter, arg[offset:]
        if letter in takes:
            break
    return None, ""


def _reads_commands(name: str, words: list[_Word]) -> bool:
    """Whether a program of _COMMAND_LANGUAGES reads its commands from its standard input."""
    values = [w.value for w in words[1:]]
    if any(v is None for v in values):
        return True
    args = [v for v in values if v is not None]
    if set(args) & _ONLY_INFORMS:
        return False
    if name == "sqlite3":
        return _sqlite_words(words).reads_stdin
    given = _COMMANDS_GIVEN.get(name, ())
    takes = _COMMAND_ARGUMENTS.get(name, "")
    for index, arg in enumerate(args):
        following: str | None = None
        if arg.startswith("--"):
            option, has_value, value = arg.partition("=")
            if option not in given:
                continue
            following = value if has_value else None
        elif arg in given:
            following = None  # `gdb -batch`, or an option whose value is the next word
        else:
            # A cluster (`psql -Atc SQL`, `mysql -uroot -e SQL`): the option's argument is the
            # rest of the word or the next one.
            letter, rest = _cluster_letter(arg, given, takes)
            if letter is None:
                continue
            following = rest or None
        if following is None and index + 1 < len(args) and name != "gdb":
            following = args[index + 1]
        return following == "-"  # `psql -f -`, `sftp -b -`: the commands are stdin
    if name in ("dc", "gnuplot", "octave", "m4"):
        return not [a for a in args if not a.startswith("-")] or "-" in args
    return True


# The one list of shells and interpreters: the policy judges what they run, and the gate
# (bastion.ssh.gate, through `reads_script_from_stdin`) judges what an exec channel feeds them.
# A shell is named by any path ending in one of these, with a version or not (bash5.2, ksh93).
SHELLS = frozenset({
    "sh", "bash", "rbash", "dash", "ash", "zsh", "ksh", "mksh", "lksh", "pdksh", "oksh", "yash",
    "posh", "fish", "csh", "tcsh",
})  # fmt: skip
# Shells whose code the policy reads with bash's grammar: bash, and POSIX shells whose syntax
# is a subset of it. Code for the others is also checked for constructs bash does not have.
_BASH_GRAMMAR = frozenset({"sh", "bash", "rbash", "dash", "ash", "posh", "yash"})
_VERSIONED = re.compile(r"(.+?)[-_.]?[0-9][0-9.]*")
INTERPRETERS = re.compile(
    r"(?P<python>(?:python|pypy)[0-9.]*)|(?P<perl>perl[0-9.]*)|(?P<ruby>ruby[0-9.]*|jruby|irb)"
    r"|(?P<node>node|nodejs|deno|bun)|(?P<php>php[0-9.]*)|(?P<lua>lua(?:jit)?[0-9.]*)"
    r"|(?P<r>Rscript|R)|(?P<tcl>tclsh[0-9.]*|wish|expect)|(?P<awk>[gmn]?awk|busybox-awk)"
    r"|(?P<pwsh>pwsh|powershell)|(?P<osa>osascript)|(?P<jshell>jshell|groovy|scala)"
)
# Per interpreter: letters of options that put code on the command line (so nothing is read
# from stdin), and letters of options that take an argument (so it is not a script file).
_INLINE_CODE = {"python": "cm", "perl": "eE", "ruby": "e", "node": "ep", "php": "rRBE",
                "lua": "e", "r": "e", "tcl": "c", "awk": "", "pwsh": "cC", "osa": "e",
                "jshell": "e"}  # fmt: skip
# (perl's -x takes its directory attached only: `perl -x - ARGS` reads its program from stdin.)
_TAKES_ARGUMENT = {"python": "WXQ", "perl": "I", "ruby": "IrCEKT", "node": "rC", "php": "cdz",
                   "lua": "l", "r": "", "tcl": "", "awk": "fvF", "pwsh": "fFo", "osa": "l",
                   "jshell": ""}  # fmt: skip


# found after outside attack I (finding 3): options that make an interpreter read code from
# stdin after (or instead of) its program: python's and lua's -i, perl's debugger (-d), node's
# -i, php's interactive shell (-a); python modules that are a prompt.
_INTERACTIVE = {"python": "i", "lua": "i", "perl": "d", "node": "i", "php": "a"}
_INTERACTIVE_LONG = {"node": ("--interactive",)}
_REPL_MODULES = frozenset({"pdb", "code", "IPython", "ptpython", "bpython", "idlelib"})
# Programs whose program an option names (`_Collector._program_option`): the letters and long
# names of those options, and the program's other short options that take an argument.
_PROGRAM_OPTIONS = {
    "sed": ("f", frozenset({"--file"}), "el"),
    "awk": ("f", frozenset({"--file"}), "vF"),
    "gawk": ("fEi", frozenset({"--file", "--exec", "--include"}), "vFl"),
    "make": ("f", frozenset({"--file", "--makefile"}), "CEIjloOW"),
}
_PROGRAM_FAMILY = {"mawk": "awk", "nawk": "awk", "busybox-awk": "awk", "gmake": "make",
                   "bmake": "make", "pmake": "make"}


def shell_name(name: str) -> str | None:
    """The shell among SHELLS that a command named `name` runs (`bash` for
    /usr/local/bin/bash5.2), or None."""
    base = name.rsplit("/", 1)[-1]
    if base in SHELLS:
        return base
    versioned = _VERSIONED.fullmatch(base)
    return versioned.group(1) if versioned and versioned.group(1) in SHELLS else None


def stdin_reader(line: str) -> SimpleCommand | None:
    """The first command of `line` that may read the standard input the line itself was given,
    or None. When a shell runs statements from its stdin (the stdin gate), such a command may
    consume the statements after it, and bash then goes on from wherever it stopped, not where
    the gate cut them: `read x` eats a line that opened a quote, and the gate's "one quoted
    word" is three commands to bash.

    Readers: read, mapfile and select on stdin; programs that read their stdin when given no
    file or `-` (cat, head, tail, sort, wc, base64, the sums, the compressors, less, jq...),
    and sed, grep and awk without a file after their program; those that always do (tee, tr,
    xargs without -a, dd without if=, bc, sponge, ts, pv); those that forward it (ssh, nc,
    socat, telnet, mail, sftp, the database clients); those that prompt on it (apt, yum, dnf,
    zypper, pacman, pip without their yes option; rm, cp, mv, ln with -i; sudo -S); an
    interpreter running code; a shell of another grammar reading its program. A reader with
    its stdin redirected, piped or from a here-document reads no script. Any other program may
    read its stdin too: what the policy cannot know (README)."""
    return next((c for c in parse_commands(line) if c.reads_input), None)


def stdin_shell(command: str) -> str | None:
    """The shell (by its family in SHELLS: `bash` for bash5.2, `sh` for the user's shell that
    su or sudo -s start) that reads its commands from the stdin of the exec command `command`,
    or None."""
    for each in parse_commands(command):
        if each.reads_stdin == "shell":
            label = each.name or ""
            return shell_name(label) or ("bash" if label == "BASH_ENV=" else "sh")
    return None


def script_doubt(statement: str, shell: str = "bash") -> str | None:
    """Why a statement that `shell` reads from the stdin the gate forwards cannot be judged
    alone, or None: it may read its own stdin, the script after it (`stdin_reader`), so bash
    would go on from wherever it stopped; or it holds constructs of `shell`'s grammar that
    bash's lacks (zsh's glob qualifiers), which the policy does not read."""
    reader = stdin_reader(statement)
    if reader is not None and reader.name == "exec" and len(reader.argv) == 1:
        return (f"{one_line(reader.text, 60)} gives the shell another stdin: what it runs next "
                "is not the script the bastion reads")
    if reader is not None:
        return (f"{one_line(reader.text, 60)} may read the script after it, which the shell "
                "would then not run as the bastion read it")
    return _foreign(shell, statement)


def reads_script_from_stdin(command: str) -> str | None:
    """"shell" when a command line (an exec request) runs a shell that reads its commands from
    the line's standard input (`bash`, `sh -s`, `bash -o emacs`, `sudo -u x zsh`,
    `busybox sh`, `. /dev/stdin`), "interpreter" when an interpreter reads its program from
    it (`python3`, `perl -`); "interpreter" wins when both do. None otherwise."""
    kinds = {command.reads_stdin for command in parse_commands(command)}
    if "interpreter" in kinds:
        return "interpreter"
    return "shell" if "shell" in kinds else None


def stricter(a: Verdict, b: Verdict) -> Verdict:
    """The stricter of two verdicts (deny > confirm > alert > allow); `a` on a tie."""
    return a if _RANK[a.action] >= _RANK[b.action] else b


# Constructs of other shells' grammars that run code where bash would read a plain word.
_FOREIGN = {
    # zsh: glob qualifiers `*(e:'cmd':)` and `(+func)`, `=(cmd)` process substitution,
    # parameter flags `${(e)x}` (e evaluates), `${~x}` `${=x}` `${^x}`, `$~x`, `=cmd`
    # expansion, `repeat N cmd`, `foreach`, the `-` precommand modifier, `sched`.
    "zsh": re.compile(
        r"[^\s$<>;&|(]\((?!\))|=\(|\$\{[(~=^+]|\$[~=^]|(^|[\s;&|(])=[A-Za-z_/]"
        r"|(^|[;&|(\n]\s*)(repeat|foreach|sched|-)(\s|$)"
    ),
    # ksh93 and mksh: `${ cmd;}` and `${|cmd;}` run commands in the current shell.
    "ksh": re.compile(r"\$\{[\s|]"),
}
_FOREIGN["mksh"] = _FOREIGN["lksh"] = _FOREIGN["pdksh"] = _FOREIGN["oksh"] = _FOREIGN["ksh"]


def _foreign(shell: str, code: str) -> str | None:
    """Why code given to `shell` holds constructs outside bash's grammar, or None."""
    if shell in _BASH_GRAMMAR:
        return None
    pattern = _FOREIGN.get(shell)
    if pattern is None:
        return f"code in {shell}'s grammar, which the policy does not read"
    if pattern.search(code):
        return f"{shell} syntax that bash does not have"
    return None

_HANDLERS: dict[str, Any] = {
    **{name: _Collector._wrapper for name in _WRAPPERS},
    **{name: _Collector._shell for name in SHELLS},
    "env": _Collector._env,
    "su": _Collector._su,
    "runuser": _Collector._su,
    "sg": _Collector._sg,
    "flock": _Collector._flock,
    "script": _Collector._script,
    "watch": _Collector._watch,
    "xargs": _Collector._xargs,
    "parallel": _Collector._parallel,
    "find": _Collector._find,
    "busybox": _Collector._busybox,
    "toybox": _Collector._busybox,
    "at": _Collector._at_job,
    "batch": _Collector._at_job,
    "eval": _Collector._eval,
    "source": _Collector._source,
    ".": _Collector._source,
    "trap": _Collector._trap,
    "alias": _Collector._alias,
    "scp": _Collector._scp,
    "fc": _Collector._fc,
    "r": _Collector._rerun,
    "printf": _Collector._printf,
    "read": _Collector._read,
    "mapfile": _Collector._mapfile,
    "readarray": _Collector._mapfile,
    "getopts": _Collector._getopts,
    "wait": _Collector._wait,
    "let": _Collector._let,
    "test": _Collector._test_builtin,
    "[": _Collector._test_builtin,
    "complete": _Collector._complete,
    "compgen": _Collector._complete,
    "bind": _Collector._bind,
    "bindkey": _Collector._bindkey,
    "stty": _Collector._stty,
    "tset": _Collector._tset,
    "reset": _Collector._tset,
    "hash": _Collector._hash,
    "enable": _Collector._enable,
    "set": _Collector._set,
    "shopt": _Collector._set,
    "sched": _Collector._sched,
    "newgrp": _Collector._user_shell,
    "setarch": _Collector._setarch,
    "runcon": _Collector._runcon,
    "bwrap": _Collector._bwrap,
    "start-stop-daemon": _Collector._start_stop_daemon,
    "machinectl": _Collector._machinectl,
    "tmux": _Collector._tmux,
    "screen": _Collector._screen,
    "capsh": _Collector._capsh,
    "gdb": _Collector._gdb,
    "perf": _Collector._perf,
    "ip": _Collector._ip,
    "ssh": _Collector._ssh,
    "git": _Collector._git,
    "sem": _Collector._parallel,
    "dtach": _Collector._detached,
    "abduco": _Collector._detached,
    "pee": _Collector._pee,
    "mosh-server": _Collector._mosh_server,
    **{name: _Collector._program_option for name in ("sed", "make", "gmake", "bmake", "pmake")},
}


def _tree_reads_heredocs_as(code: str, root: Node, heredocs: tuple[_Heredoc, ...]) -> bool:
    """True when tree-sitter-bash's tree has exactly the scanner's here-documents: each
    operator, body and end line where the scanner found them (after the tabs `<<-` strips),
    in the same order."""
    found: list[tuple[int, int | None, int | None]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "heredoc_redirect":
            body = next((c.start_byte for c in node.children if c.type == "heredoc_body"), None)
            end = next((c.start_byte for c in node.children if c.type == "heredoc_end"), None)
            found.append((node.start_byte, body, end))
        stack.extend(reversed(node.children))

    def after_tabs(at: int, strip: bool) -> int:
        while strip and at < len(code) and code[at] == "\t":
            at += 1
        return at

    return found == [(h.operator[0], after_tabs(h.body[0], h.strip), after_tabs(h.body[1], h.strip))
                     for h in heredocs]


def _flatten(
    code: str, heredocs: tuple[_Heredoc, ...]
) -> tuple[str, dict[int, tuple[_Heredoc, str, int | None]]]:
    """`code` with each here-document operator replaced by `<<<''` and its body removed, and
    the here-documents (with the descriptor written before the operator, `3<<EOF`, which is
    dropped: tree-sitter-bash reads no descriptor before `<<<`) by the offset of their
    replacement."""
    edits: list[tuple[int, int, _Heredoc | None, int | None]] = []
    for heredoc in heredocs:
        start = digits = heredoc.operator[0]
        while digits > 0 and code[digits - 1].isdigit():
            digits -= 1
        fd = None
        if digits < start and (digits == 0 or code[digits - 1] in _SEPARATORS):
            fd, start = int(code[digits:start]), digits
        edits.append((start, heredoc.operator[1], heredoc, fd))
        edits.append((heredoc.body[0], heredoc.end, None, None))
    edits.sort(key=lambda edit: edit[0])
    pieces: list[str] = []
    found: dict[int, tuple[_Heredoc, str, int | None]] = {}
    position = size = 0  # size: length of the flattened code so far
    for start, end, heredoc, fd in edits:
        kept = code[position:start]
        pieces.append(kept)
        size += len(kept)
        if heredoc is not None:
            found[size] = (heredoc, heredoc.text(code), fd)
            pieces.append("<<<''")
            size += 5
        position = end
    pieces.append(code[position:])
    return "".join(pieces), found


# What POSIX sh (dash, Debian's /bin/sh) reads otherwise than bash, in ways that change what
# runs: `[[` is a command there (`[[ x || cmd ]]` runs cmd, `[[ a > f ]]` writes f), `((` two
# subshells (`((cmd))` runs cmd), `&>` a `&` then a `>` (`echo x &>f cmd` runs cmd in the
# background), `$[` a `$` and a `[` (`echo $[1 > f]` writes `f]`). `for ((...))` is a syntax
# error there, and so is a `[[` or `((` whose inside does not parse as plain commands
# (`[[ $x =~ (a|b) ]]`): sh runs nothing of that list.
_SH_MAY_DIFFER = re.compile(r"\[\[|\(\(|&>|\$\[")


def _sh_reading(code: str, root: Node, heredocs: dict[int, tuple[_Heredoc, str, int | None]]
                ) -> tuple[str, dict[int, tuple[_Heredoc, str, int | None]]] | None:
    """`code` (parsed as `root`) rewritten so that bash's grammar reads it as sh does, with
    the here-documents moved to their new offsets; None when sh reads it as bash does. A
    here-document body is kept as bash read it (a `[[` inside `$(...)` in a body: unknown
    there, see `_Collector._heredoc_value`)."""
    edits: list[tuple[int, int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        children = node.children
        if kind == "test_command" and children and children[0].type == "[[":
            text = _text(code, node)
            if not _SH_OPERATOR.search(text):
                # Only a command named `[[` to sh, with these arguments: nothing else runs
                # (a substitution inside is the same to both, and judged in bash's reading).
                continue
            if _sh_syntax_error("\\[\\[" + text[2:]):
                edits.append((node.start_byte, node.end_byte, ":"))
                continue
            edits.append((node.start_byte, children[0].end_byte, "\\[\\["))
        elif kind == "compound_statement" and len(children) > 1 and children[0].type == "((" \
                and children[-1].type == "))":
            inner = code[children[0].end_byte: children[-1].start_byte]
            if _sh_syntax_error(f"( ({inner}) )"):
                edits.append((node.start_byte, node.end_byte, ":"))
                continue
            edits.append((children[0].start_byte, children[0].end_byte, "( ("))
            edits.append((children[-1].start_byte, children[-1].end_byte, ") )"))
        elif kind == "c_style_for_statement":
            edits.append((node.start_byte, node.end_byte, ":"))
            continue
        elif kind == "arithmetic_expansion" and children and children[0].type == "$[":
            edits.append((children[0].start_byte, children[0].end_byte, "\\$["))
        elif kind == "file_redirect":
            for child in children:
                if child.type in ("&>", "&>>"):
                    edits.append((child.start_byte, child.start_byte + 1, "& "))
        stack.extend(children)
    if not edits:
        return None
    edits.sort()
    pieces: list[str] = []
    moved: dict[int, tuple[_Heredoc, str, int | None]] = {}
    keys = sorted(heredocs)
    position = shift = 0
    for start, end, text in edits:
        while keys and keys[0] < start:
            key = keys.pop(0)
            moved[key + shift] = heredocs[key]
        while keys and keys[0] < end:
            keys.pop(0)  # inside a part sh does not run
        pieces.append(code[position:start])
        pieces.append(text)
        shift += len(text) - (end - start)
        position = end
    pieces.append(code[position:])
    for key in keys:
        moved[key + shift] = heredocs[key]
    return "".join(pieces), moved


_SH_OPERATOR = re.compile(r"[;&|<>()\n]")


def _sh_syntax_error(snippet: str) -> bool:
    """Whether sh rejects a `[[ ... ]]` or `(( ... ))` read as plain commands (`snippet`):
    it then runs nothing of the line. A here-document inside makes it unknowable: no."""
    return "<<" not in snippet and ("(" in snippet[3:] or ")" in snippet[:-3]) and \
        _parse_tree(snippet).has_error


def _join_continuations(code: str, offsets: tuple[int, ...]) -> str:
    pieces, start = [], 0
    for offset in offsets:
        pieces.append(code[start:offset])
        start = offset + 2
    pieces.append(code[start:])
    return "".join(pieces)


# --------------------------------------------------------------------------------------------
# A small scanner for what tree-sitter does not tell reliably: whether the shell would wait for
# more input, where backslash-newline joins lines, and the here-documents. It reads as bash
# does, or (`dash`) as POSIX sh (dash) does: no `$'...'`, `$"..."`, `$[...]`, `[[`, `((`,
# `select`, `function`, `time`, `<<<`, `<(...)` or `|&` there.

_SEPARATORS = frozenset(" \t\n;&|()<>")
_PLAIN_RUN = re.compile(r"[^\s;&|()<>'\"`\\$]+")
_OPERATORS = ("&&", "||", "|&", ";;&", ";;", ";&", "&", "|", ";")
_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done", "select": "done"}
_SH_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done"}
_HEREDOC_WORD_UNSURE = "a here-document word that bash and sh (dash) read differently, or whose " \
                       "extent this reader does not follow"
_HEREDOC_END_UNSURE = "a here-document that bash and sh (dash) end at different lines"


def _scan(src: str, dash: bool = False) -> _Scan:
    """Lex `src` just enough to know what is left open at its end (quotes, substitutions,
    brackets, keyword blocks, here-documents, a trailing operator or backslash), where the
    here-documents are, and which backslash-newline pairs join lines. Read as bash reads it, a
    here-document ends at the first line where bash or dash would end it (`_heredoc_end`);
    with `dash`, everything is read as dash reads it. Where the two readings part (a
    here-document word or end they read differently), the scan stops: the text is taken as
    complete and `unsure` says why."""
    stack: list[str] = []
    heredocs: list[_Heredoc] = []
    # Here-documents announced on the current line: word, <<-, operator, and how deep in the
    # stack they were (a substitution closed on the same line takes them along).
    pending: list[tuple[HeredocWord, bool, tuple[int, int], int]] = []
    continuations: list[int] = []
    index, end = 0, len(src)
    command_position, dangling, function_name = True, False, False
    openers = _SH_OPENERS if dash else _OPENERS

    def still_open() -> _Scan:
        return _Scan(True, tuple(heredocs), tuple(continuations))

    def unsure(why: str) -> _Scan:
        return _Scan(False, tuple(heredocs), tuple(continuations), why)

    def done() -> _Scan:  # a syntax error to the shell: it waits for nothing
        return _Scan(False, tuple(heredocs), tuple(continuations))

    while index < end:
        top = stack[-1] if stack else ""
        char = src[index]
        if char == "\\":
            if index + 1 >= end:
                return still_open()
            if src[index + 1] == "\n":
                continuations.append(index)
            index += 2
            command_position = dangling = False
            continue
        if top == '"':
            if char == '"':
                stack.pop()
            elif char == "`":
                stack.append("`")
                command_position = True
            elif char == "$":
                index = _scan_dollar(src, index, stack, quoted=True, dash=dash)
                command_position = stack[-1] == "$("
                continue
            index += 1
            continue
        if top == "${":
            if char == "}":
                stack.pop()
            elif char == "'":
                close = src.find("'", index + 1)
                if close < 0:
                    return still_open()
                index = close
            elif char in '"`':
                stack.append(char)
                command_position = char == "`"
            elif char == "$":
                index = _scan_dollar(src, index, stack, quoted=True, dash=dash)
                command_position = stack[-1] == "$("
                continue
            index += 1
            continue
        if top in ("$((", "((", "[(", "$["):
            if char == "(":
                stack.append("[(")
            elif char == ")" and top == "[(":
                stack.pop()
            elif char == ")" and src.startswith("))", index) and top != "$[":
                stack.pop()
                index += 1
            elif char == "]" and top == "$[":
                stack.pop()
            elif char == "$":
                index = _scan_dollar(src, index, stack, quoted=True, dash=dash)
                continue
            elif char == '"':
                stack.append('"')
            elif char == "`":
                stack.append("`")
            index += 1
            continue
        # Command context: top level, ( ), $( ), ` `, and the keyword blocks.
        if char == "\n":
            index += 1
            for number, (word, strip, operator, _) in enumerate(pending):
                found = _heredoc_end(src, index, word, strip, "$(" in stack, "`" in stack,
                                     only_dash=dash)
                if found is None:
                    return still_open()
                heredocs.append(_Heredoc(word.dash if dash else word.delimiter or "",
                                         word.quoted, strip, operator,
                                         (index, found.body_end), found.after,
                                         found.sure and word.sure))
                if not dash and not word.sure:
                    return unsure(_HEREDOC_WORD_UNSURE)  # ended where either would end it
                if not dash and not found.sure:
                    return unsure(_HEREDOC_END_UNSURE)
                if found.after != found.body_end and number + 1 < len(pending) \
                        and src[found.after - 1: found.after] != "\n":
                    return unsure(_HEREDOC_END_UNSURE)  # ended mid-line, with more to read
                index = found.after
            pending = []
            command_position = True
            continue
        if char in " \t\r":
            index += 1
            continue
        if char == "#" and (index == 0 or src[index - 1] in _SEPARATORS):
            newline = src.find("\n", index)
            index = newline if newline >= 0 else end
            continue
        if char == "'":
            close = src.find("'", index + 1)
            if close < 0:
                return still_open()
            index = close + 1
            command_position = dangling = False
            continue
        if char == '"':
            stack.append('"')
            index += 1
            command_position = dangling = False
            continue
        if char == "`":
            if top == "`":
                # A here-document announced inside backquotes closed on its line has an empty
                # body (the substitution's text ends there) in both shells.
                for word, strip, operator, depth in pending:
                    if depth >= len(stack):
                        heredocs.append(_Heredoc(word.dash if dash else word.delimiter or "",
                                                 word.quoted, strip, operator, (index, index),
                                                 index))
                pending = [p for p in pending if p[3] < len(stack)]
                stack.pop()
                command_position = False
            else:
                stack.append("`")
                command_position = True
            index += 1
            dangling = False
            continue
        if char == "$":
            index = _scan_dollar(src, index, stack, dash=dash)
            if index < 0:
                return still_open()
            command_position = bool(stack) and stack[-1] == "$(" and src[index - 1] == "("
            dangling = False
            continue
        if char in "&|;":
            operator = next(op for op in _OPERATORS if src.startswith(op, index))
            if operator == "&" and src.startswith("&>", index) and not dash:
                index += 3 if src.startswith("&>>", index) else 2
                continue
            if dash and operator in ("|&", ";;&", ";&"):
                return done()
            dangling = operator in ("&&", "||", "|", "|&")
            command_position = True
            index += len(operator)
            continue
        if char == "(":
            if dash and not command_position:
                if not src.startswith("()", index):
                    return done()  # `x=(`, `=~ (`: a syntax error to dash (not `f()`)
                index += 2
                command_position = True
                continue
            if command_position and src.startswith("((", index) and not dash:
                stack.append("((")
                index += 2
            else:
                stack.append("(")
                index += 1
            command_position = True
            continue
        if char == ")":
            if top == "$(" and any(p[3] >= len(stack) for p in pending):
                # `$(cat <<EOF)`: bash reads the body from the next lines, dash has none.
                if not dash:
                    return unsure(_HEREDOC_END_UNSURE)
                pending = [p for p in pending if p[3] < len(stack)]
            if top in ("(", "$("):
                stack.pop()
            index += 1
            command_position = True
            continue
        if char in "<>":
            if src.startswith("<<<", index):
                if dash:
                    return done()
                index += 3
            elif src.startswith("<<", index):
                strip = src.startswith("<<-", index)
                start = index
                word = heredoc_word(src, index + (3 if strip else 2), "`" in stack)
                if not word.known:
                    return unsure(_HEREDOC_WORD_UNSURE)
                if word.delimiter is None or word.dash is None:
                    return still_open()
                index = word.end
                if word.delimiter or word.quoted:
                    pending.append((word, strip, (start, index), len(stack)))
            elif src.startswith(("<(", ">("), index):
                if dash:
                    return done()
                stack.append("(")
                index += 2
                command_position = True
            else:
                index += 1
            continue
        match = _PLAIN_RUN.match(src, index)
        if match is None:  # a lone character the patterns above do not claim
            index += 1
            continue
        word_text = match.group()
        at_word_end = match.end() >= end or src[match.end()] in _SEPARATORS
        at_word_start = index == 0 or src[index - 1] in _SEPARATORS
        index = match.end()
        dangling = False
        if top == "esac?" and word_text == "in":
            stack[-1] = "esac"
            command_position = True
            continue
        if top == "]]" and word_text == "]]":
            stack.pop()
            command_position = False
            continue
        if not (command_position and at_word_start and at_word_end):
            command_position = function_name
            function_name = False
            continue
        if word_text in openers:
            stack.append(openers[word_text])
            command_position = word_text in ("if", "while", "until")
        elif word_text in ("then", "else", "elif", "do", "!", "{") or (
                word_text == "time" and not dash):
            if word_text == "{":
                stack.append("}")
            command_position = True
        elif word_text in ("fi", "done", "esac", "}"):
            if top == word_text:
                stack.pop()
            command_position = False
        elif word_text == "case":
            stack.append("esac?")
            command_position = False
        elif word_text == "[[" and not dash:
            stack.append("]]")
            command_position = False
        elif word_text == "function" and not dash:
            command_position, function_name = False, True
        else:
            command_position = function_name
            function_name = False
    return _Scan(bool(stack or pending or dangling), tuple(heredocs), tuple(continuations))


def _scan_dollar(src: str, index: int, stack: list[str], quoted: bool = False,
                 dash: bool = False) -> int:
    """Step over a `$` construct, pushing what it opens; -1 for an unterminated $'...'.
    Inside double quotes (`quoted`) `$'` and `$"` are not quotes; to dash they never are, nor
    is `$[`."""
    following = src[index + 1: index + 3]
    if dash and following[:1] in ("'", '"', "["):
        return index + 1
    if following.startswith("'") and not quoted:
        close = _ansi_c_end(src, index + 2)
        return -1 if close < 0 else close + 1
    if following == "((":
        stack.append("$((")
        return index + 3
    for opener in ("(", "{", "[", '"'):
        if following.startswith(opener) and not (quoted and opener == '"'):
            stack.append({"(": "$(", "{": "${", "[": "$[", '"': '"'}[opener])
            return index + 2
    return index + 1


class HeredocWord(NamedTuple):
    """The word after `<<` (or `<<-`), as the shells read it (`heredoc_word`).

    `end` is the offset just after it. `delimiter` is bash's reading and `dash` the POSIX sh
    (dash) reading: they differ for `$'EOF'` (bash decodes the string: EOF; dash reads `$` and
    a quoted EOF: $EOF) and `$"EOF"`; either is None when a quote is left open (the shell
    waits for it to close). `quoted` says some part is quoted, so the body is taken literally.
    `known` is false when the word holds an expansion (`$(..)`, `${..}`, `$[..]`, a
    backquote), a backslash-newline, or a `$'..'` that the two shells end at different quotes:
    its extent is the shells' to find, not this reader's, and nothing after it can be read
    with confidence. `sure`: known, and read alike by both.
    """

    end: int
    delimiter: str | None
    dash: str | None
    quoted: bool
    known: bool

    @property
    def sure(self) -> bool:
        return self.known and self.delimiter == self.dash


def heredoc_word(src: str, index: int, backquoted: bool = False) -> HeredocWord:
    """The here-document word that starts at `index` (blanks before it are skipped), read as
    bash and dash read it. See `HeredocWord`. `backquoted`: inside a backquoted substitution,
    whose text ends at a backquote (x=`cat <<EOF`)."""
    size = len(src)
    while index < size and src[index] in " \t":
        index += 1
    bash: list[str] = []
    dash: list[str] = []
    quoted = False
    while index < size and src[index] not in _SEPARATORS:
        char = src[index]
        if backquoted and char == "`":
            break
        following = src[index + 1: index + 2]
        if char == "'":
            close = src.find("'", index + 1)
            if close < 0:
                return HeredocWord(size, None, None, True, True)
            bash.append(src[index + 1: close])
            dash.append(src[index + 1: close])
            quoted, index = True, close + 1
        elif char == '"' or (char == "$" and following == '"'):
            close, text, plain = _heredoc_dq(src, index + (2 if char == "$" else 1))
            if close < 0:
                return HeredocWord(size, None, None, True, plain)
            if not plain:
                return HeredocWord(index, None, None, True, False)
            bash.append(text)
            dash.append(("$" if char == "$" else "") + text)
            quoted, index = True, close + 1
        elif char == "$" and following == "'":
            close = _ansi_c_end(src, index + 2)
            # dash has no $'...': `$`, then a single-quoted string up to the next quote.
            plain = src.find("'", index + 2)
            if close < 0 or plain != close:
                return HeredocWord(size if close < 0 else index, None, None, True, False)
            bash.append(_ansi_c(src[index + 2: close]))
            dash.append("$" + src[index + 2: close])
            quoted, index = True, close + 1
        elif char == "`" or (char == "$" and following in ("(", "{", "[")):
            # An expansion: the shells keep it as written, but its extent (quotes, blanks and
            # parentheses inside) is theirs to find.
            return HeredocWord(index, None, None, quoted, False)
        elif char == "\\":
            if following in ("\n", ""):
                return HeredocWord(index, None, None, True, False)
            bash.append(following)
            dash.append(following)
            quoted, index = True, index + 2
        else:
            bash.append(char)
            dash.append(char)
            index += 1
    return HeredocWord(index, "".join(bash), "".join(dash), quoted, True)


def _heredoc_dq(src: str, index: int) -> tuple[int, str, bool]:
    """A double-quoted part of a here-document word from `index` (after the quote): (offset of
    the closing quote or -1, its text after quote removal, whether it holds no expansion and
    no backslash-newline)."""
    out: list[str] = []
    plain = True
    size = len(src)
    while index < size:
        char = src[index]
        if char == '"':
            return index, "".join(out), plain
        if char == "\\" and index + 1 < size:
            following = src[index + 1]
            if following == "\n":
                plain = False
            elif following in '$`"\\':
                out.append(following)
            else:
                out.append(char + following)
            index += 2
            continue
        if char == "`" or (char == "$" and src[index + 1: index + 2] in ("(", "{", "[")):
            plain = False
        out.append(char)
        index += 1
    return -1, "".join(out), plain


def _ansi_c_end(src: str, index: int) -> int:
    """The offset of the quote that closes a $'...' string whose text starts at `index`, or -1."""
    size = len(src)
    while index < size:
        if src[index] == "\\":
            index += 2
            continue
        if src[index] == "'":
            return index
        index += 1
    return -1


class _BodyEnd(NamedTuple):
    body_end: int  # where the body stops: the start of the line that ends it, or mid-line
    after: int  # where the code after the here-document resumes
    sure: bool  # bash and dash end it at the same place


def _heredoc_end(src: str, start: int, word: HeredocWord, strip: bool, comsub: bool,
                 backquoted: bool, only_dash: bool = False) -> _BodyEnd | None:
    """Where a here-document body that starts at `start` ends, or None when no line of `src`
    ends it yet (the shell waits for more). The earliest end either shell would take:

    - with an unquoted delimiter a backslash-newline joins a line to the next. bash compares
      the logical line, its leading tabs removed for `<<-` (`EO\\<LF>F` and, with `<<-`,
      `<TAB>\\<LF>EOF` end it); dash skips backslash-newlines where a logical line starts,
      then its tabs, then compares the rest of that physical line (neither ends it);
    - inside `$(...)`, bash also ends it at a line that starts with the delimiter followed by
      `)`, which closes the substitution there; dash does not;
    - inside backquotes the substitution's text ends at the first unescaped backquote, in both
      shells, and the body with it.
    `sure` is false where the two disagree. With `only_dash`, dash's end alone."""
    bash, dash = word.delimiter, word.dash
    index, size = start, len(src)
    logical: str | None = None  # bash's logical line so far, when a backslash-newline joined
    logical_start = start
    dash_start = True  # dash would compare this line (a logical line starts here)
    while True:
        newline = src.find("\n", index)
        line_end = newline if newline >= 0 else size
        raw = src[index:line_end]
        if logical is None:
            logical_start = index
        joined = raw if logical is None else logical + raw
        continued = (not word.quoted and newline >= 0
                     and (len(raw) - len(raw.rstrip("\\"))) % 2 == 1)
        text = joined.lstrip("\t") if strip else joined
        bash_ends = not only_dash and not continued and text == bash
        dash_ends = dash_start and not continued and (raw.lstrip("\t") if strip else raw) == dash
        if bash_ends or dash_ends:
            return _BodyEnd(logical_start, newline + 1 if newline >= 0 else size,
                            bash_ends and dash_ends)
        if comsub and not only_dash and not continued and bash is not None and \
                text.startswith(bash) and text[len(bash):].lstrip(" \t").startswith(")"):
            cut = line_end - len(text) + len(bash) if logical is None else line_end
            return _BodyEnd(logical_start, cut, False)
        if backquoted:
            tick = _unescaped(raw, "`", 0)
            if tick >= 0:
                before = raw[:tick].lstrip("\t") if strip else raw[:tick]
                sure = logical is None and "\\`" not in raw[:tick]
                if before == (dash if only_dash else bash) and sure:
                    return _BodyEnd(index, index + tick, before == dash)
                return _BodyEnd(index + tick, index + tick, sure)
        if newline < 0:
            return None
        if continued:
            logical = joined[:-1]
            dash_start = dash_start and raw == "\\"  # dash skips it where a line starts
        else:
            logical, dash_start = None, True
        index = newline + 1


def is_complete(line: str) -> bool:
    """False when the shell would wait for more input before running anything.

    That is: an open quote or substitution, a trailing backslash, a trailing `&&`, `||` or `|`,
    an unclosed `(`, `{`, `[[`, `if`, `case`, `for`, `while`, `until` or `select`, or a
    here-document whose body is not finished. When in doubt it answers True, so that the line
    is judged now rather than passed on as a continuation; a line with a plain syntax error
    (`fi`, `echo )`) is complete, since the shell rejects it without waiting.

    The shell may be bash or POSIX sh (dash, Debian's /bin/sh): a line either would run now is
    complete. `rm x $[` waits in bash (an open `$[`) and runs in dash; so do `$'\\'`,
    `select`, `[[ x &&`, and a here-document that one of them ends earlier (`_heredoc_end`).
    A here-document whose word or end the two read differently makes the line complete at
    once (`_Scan.unsure`): it is judged now, and the policy does not trust it.
    """
    try:
        # tree-sitter-bash ends here-documents its own way (`<<"E\\OF"` at a line EOF).
        if "<<" not in line and not line.endswith("\\") and not _parse_tree(line).has_error:
            return True
        return not _scan(line).open or not _scan(line, dash=True).open
    except (RecursionError, ValueError):
        return True


@functools.lru_cache(maxsize=1024)
def _parse_cached(line: str) -> tuple[SimpleCommand, ...]:
    return _parse(line)


def _open_heredocs(code: str) -> int:
    """At most how many here-documents one line of `code` opens (`<<` not `<<<`)."""
    return max(line.count("<<") - line.count("<<<") for line in code.split("\n"))


class _TooMuchWork(Exception):
    """Judging a line passed MAX_WORK."""


# The only spellings of an editing-mode switch the interactive gate follows (attack F, finding
# 3): the whole line is one of them. Any other line that may switch the mode (`set -Co vi`,
# `shopt -os vi`, `set -o vi -o emacs`, `bash -o vi`, `ls; set -o vi`) is a terminal unknown.
_LONE_MODE = re.compile(r"\s*(?:set\s+-o\s+(vi|emacs)|bind\s+(['\"])set\s+editing-mode\s+(vi|emacs)\2)\s*")
_MODE_WORD = re.compile(r"(?i)\b(vi|emacs)\b")
_MODE_UNSEEN = ("the line may switch the line editor's mode in a way the bastion does not follow "
                "(only a lone `set -o vi`/`set -o emacs` is)")


def editing_mode(line: str) -> str | None:
    """"vi" or "emacs" when `line` is exactly a lone editing-mode switch the gate follows
    (`set -o vi`, `bind 'set editing-mode emacs'`); else None. `evaluate` holds (as unknown)
    every other line that may switch the mode, so that the gate and the policy agree."""
    m = _LONE_MODE.fullmatch(line)
    return None if m is None else m.group(1) or m.group(3)


# Builtins that start no program and leave the shell reading the terminal as it was: after
# a line of only these (and assignments, redirections), the same shell reads the next keys.
_KEEPS_SHELL = frozenset({
    "cd", "pwd", "echo", "printf", "set", "shopt", "export", "unset", "declare", "typeset",
    "local", "readonly", "alias", "unalias", "true", "false", ":", "type", "hash", "history",
    "dirs", "pushd", "popd", "umask", "ulimit", "bind", "let", "test", "[", "[[", "jobs",
    "help", "read", "shift", "return",
})  # fmt: skip


def changes_shell(line: str) -> bool:
    """Whether, once `line` ran, a shell other than the one that read it may read the terminal
    next: False only when every command of the line is a builtin that starts nothing
    (`_KEEPS_SHELL`: cd, export, set...). Any program may start a shell (bash, su, sudo -i,
    tmux, ssh, vim's :sh, a pager's !), and exit, logout and exec leave this one for its
    parent or another; a name known only at run time may be either. The interactive gate's
    tracker reads each shell's editing mode by this (attack H, finding 4)."""
    return any(c.name is None or (c.name not in _KEEPS_SHELL and not c.name.endswith("=")
                                  and c.name not in ("<", ">"))
               for c in parse_commands(line))


def switches_mode(line: str) -> bool:
    """Whether `line` may switch the editing mode of the shell reading it (or of one it
    starts): what `evaluate` holds as unknown, a lone switch that `editing_mode` names, and
    zsh's bindkey that selects a keymap or binds a key. Callers may rely on it being True
    for every line `editing_mode` reads as a switch."""
    commands = parse_commands(line)
    return _switches_mode(commands) or any(
        c.name == "bindkey" and not _bindkey_lists([_Word(a, a) for a in c.argv[1:]])
        for c in commands)


def _switches_mode(commands: list[SimpleCommand]) -> bool:
    """A command among `commands` may switch the editing mode: set, shopt or bind (or the
    options of a shell started, which the collector records as `set -o NAME`) naming vi or
    emacs in any word, or SHELLOPTS (a bash started later reads it) set to anything."""
    return any((c.name in ("set", "shopt", "bind") and any(_MODE_WORD.search(a or "") for a in c.argv))
               or c.name == "SHELLOPTS=" for c in commands)


def _collect(line: str) -> _Collector:
    collector = _Collector()
    try:
        collector.parse(line, _Site())
        collector.finish()
        if _switches_mode(collector.commands) and editing_mode(line) is None:
            collector._unknown(_Site(text=line), (), _MODE_UNSEEN, terminal=True)
    except _TooMuchWork:
        collector._unknown(_Site(text=line), (), "too much to judge: the line would cost more "
                                                 "work than one judgement may take")
    except RecursionError:
        collector._unknown(_Site(text=line), (), "nested too deeply")
    except Exception as exc:  # fail closed: a parser fault makes the line unknown
        collector._unknown(_Site(text=line), (), f"internal parser error: {type(exc).__name__}")
    return collector


def _parse(line: str) -> tuple[SimpleCommand, ...]:
    return tuple(_collect(line).commands)


def cost(line: str) -> int:
    """The units of work judging `line` takes (syntax nodes walked, commands resolved, paths
    made, code parsed again, state copied), at most MAX_WORK + 1: past MAX_WORK the line is
    unknown. Callers (tests) may rely on it growing about linearly with the line."""
    return _collect(line).work


def parse_commands(line: str) -> list[SimpleCommand]:
    """Every simple command `line` would run, in source order. Never raises.

    A line that does not parse yields what could be read plus a command with name None and
    `unknown == "parse error"`, so the caller fails closed. An empty line, or one with only
    comments, yields no commands.
    """
    return list(_parse_cached(line) if len(line) <= 2048 else _parse(line))


# --------------------------------------------------------------------------------------------
# Paths: what a command touches, as the lexically normalised absolute paths rules' `paths` name


class PathArg(NamedTuple):
    """A file a command names, as the parser read it (resolved against the login when judged).

    `kind` is "exact" (a literal path), "pattern" (an unquoted glob or brace the shell expands
    first) or "unknown" (known only at run time: `"$f"`, `$(cmd)`). `tilde` is true when the
    text starts with an unquoted `~` that the shell replaces with a home directory.
    """

    text: str
    kind: str = "exact"
    tilde: bool = False


def _path_arg(word: _Word, text: str | None = None, tilde: bool | None = None) -> PathArg:
    value = word.value if text is None else text
    if value is None:
        return PathArg(word.text, "fresh" if word.fresh else "unknown")
    if tilde is None:
        tilde = word.text.startswith("~")
    return PathArg(value, "pattern" if word.glob or word.brace else "exact", tilde)


_ASSIGNMENT_LIKE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)


def _operand_paths(words: list[_Word]) -> tuple[PathArg, ...]:
    """Every word of a command that may name a file: operands, `--opt=VALUE` and `-oVALUE`
    values that look like paths, and the VALUE of `NAME=VALUE` operands (dd's `of=`)."""
    found: list[PathArg] = []
    options = True
    for word in words[1:]:
        value = word.value
        if value is None:
            found.append(PathArg(word.text, "fresh" if word.fresh else "unknown"))
            continue
        if options and value == "--":
            options = False
            continue
        if options and value.startswith("-") and len(value) > 1:
            attached = value.partition("=")[2] if value.startswith("--") else value[2:]
            if attached[:1] in ("/", "~"):
                found.append(_path_arg(word, attached, False))
            continue
        if "=" in value:
            assignment = _ASSIGNMENT_LIKE.fullmatch(value)
            if assignment is not None:
                found.append(_path_arg(word, assignment.group(2),
                                       f"{assignment.group(1)}=~" in word.text))
                continue
        found.append(PathArg(value, "pattern" if word.glob or word.brace else "exact",
                             value[:1] == "~" and word.text[:1] == "~"))
    return tuple(found)


def _backgrounded(node: Node) -> bool:
    """Whether a statement is run as a `&` job (in a child of the shell)."""
    following = node.next_sibling
    return following is not None and following.type == "&"


def _bounded(dirs: list[PathArg]) -> list[PathArg]:
    """`dirs` without repeats, at most _MAX_DIRS of them: the rest one directory known only
    at run time (relative paths in it are unknown, so rules that could match them hold)."""
    unique = list(dict.fromkeys(dirs))
    if len(unique) <= _MAX_DIRS:
        return unique
    return [*unique[: _MAX_DIRS - 1], PathArg("(a directory known only at run time)", "unknown")]


def _place(folder: _Word | PathArg | None) -> PathArg:
    """A directory a wrapper names, as a path (None: known only at run time)."""
    if folder is None:
        return PathArg("(a directory known only at run time)", "unknown")
    return folder if isinstance(folder, PathArg) else _path_arg(folder)


def _rooted(root: PathArg, path: PathArg) -> PathArg:
    """The absolute `path` inside the root directory `root` (`chroot /mnt`: /mnt/etc/x)."""
    if root.kind == "unknown":
        return PathArg(f"{root.text}{path.text}", "unknown")
    kind = "pattern" if "pattern" in (root.kind, path.kind) else path.kind
    return PathArg(f"{root.text.rstrip('/')}{path.text}", kind, root.tilde)


def _home(user: str, login: str | None) -> str:
    """The home directory `~user` names: root's is /root, another user's is taken to be
    /home/USER; `~` with no login given is some /home/* (a glob)."""
    user = user or (login or "*")
    return "/root" if user == "root" else f"/home/{user}"


def normalise_path(path: str) -> str:
    """`path` with `//`, `.` and `..` resolved lexically (`/etc/../etc//sudoers` is
    `/etc/sudoers`, `/tmp/../` is `/`); a relative path stays relative. Symbolic links are not
    followed: the bastion cannot see the target's file system."""
    if not path:
        return "."
    absolute = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not absolute:
                parts.append(part)
            continue
        parts.append(part)
    joined = "/".join(parts)
    return "/" + joined if absolute else (joined or ".")


_PROCESS = re.compile(r"self|thread-self|[0-9]+")


def through_proc(path: str, descriptors: bool = False) -> tuple[str, str]:
    """(kind, path): `path` resolved lexically (as `normalise_path`) through the magic links
    of /proc, which a lexical `..` would otherwise step over (`/proc/self/cwd/..` is the parent
    of the working directory, not /proc/self). For /proc/PID and /proc/PID/task/TID (PID a
    number, self or thread-self):

    - `root` is the root directory: /proc/1/root/etc/shadow is /etc/shadow (the process's root,
      taken to be the shell's: a chrooted process's root is not known);
    - `cwd` of the process itself (self, thread-self) is the working directory: what follows is
      a relative path (`/proc/self/cwd/x` is `x`, `/proc/self/cwd/../etc` is `../etc`); another
      process's working directory is not known: "unknown";
    - `fd/N`, `exe` and `map_files/...` are open files, which the policy cannot see: "unknown"
      when the path goes on through them, and for fd/N itself but of the process itself;
      /dev/fd/N and /dev/stdin (stdout, stderr) are /proc/self/fd/N: a path through them is
      "unknown" too. With `descriptors` they are kept as they are (for `_descriptor_file`).

    Any other path: ("exact", normalise_path(path))."""
    if "/proc" not in path and "/dev" not in path:
        return "exact", normalise_path(path)
    relative = not path.startswith("/")
    parts: list[str] = []
    components = [c for c in path.split("/") if c not in ("", ".")]
    for index, part in enumerate(components):
        last = index == len(components) - 1
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif relative:
                parts.append(part)
            continue
        parts.append(part)
        if relative:
            continue
        process = len(parts) >= 3 and parts[0] == "proc" and _PROCESS.fullmatch(parts[1]) and (
            len(parts) == 3 or (len(parts) == 5 and parts[2] == "task" and parts[3].isdigit()))
        if process:
            own = parts[1] in ("self", "thread-self")
            if part == "root":
                parts = []
            elif part == "cwd":
                if not own:
                    return "unknown", path
                parts, relative = [], True
            elif part in ("exe", "map_files") or (part == "fd" and not last and not descriptors
                                                  and not (own and index == len(components) - 2)):
                return "unknown", path
        elif not descriptors and not last and (
                (len(parts) == 4 and parts[0] == "proc" and parts[2] == "fd")
                or (len(parts) == 6 and parts[0] == "proc" and parts[4] == "fd")
                or (len(parts) == 3 and parts[:2] == ["dev", "fd"])
                or (len(parts) == 2 and parts[0] == "dev" and parts[1] in _STDIO)):
            return "unknown", path  # a path through an open file
    joined = "/".join(parts)
    return "exact", (joined or ".") if relative else "/" + joined


_STDIO = frozenset({"stdin", "stdout", "stderr"})
_BRACE_ONE = re.compile(r"\{([^{}]*,[^{}]*)\}")
_BRACE_RANGE = re.compile(r"\{[^{}]*\.\.[^{}]*\}")


def _expand_braces(text: str, limit: int = 64) -> list[str] | None:
    """Simple brace expansion (`a{b,c}d`); None for ranges, nesting or too many words."""
    words = [text]
    while any(_BRACE_ONE.search(word) for word in words):
        expanded = []
        for word in words:
            match = _BRACE_ONE.search(word)
            if match is None:
                expanded.append(word)
                continue
            for choice in match.group(1).split(","):
                expanded.append(word[: match.start()] + choice + word[match.end():])
        words = expanded
        if len(words) > limit:
            return None
    if any(_BRACE_RANGE.search(word) for word in words):
        return None
    return words


def _resolve_path(arg: PathArg, login: str | None) -> list[tuple[str, str]]:
    """(kind, normalised text) for each path `arg` may become once `~` and braces expand."""
    if arg.kind in ("unknown", "fresh"):
        return [(arg.kind, arg.text)]
    text, kind = arg.text, arg.kind
    if arg.tilde:
        user, slash, rest = text[1:].partition("/")
        if user in ("+", "-") or _GLOB_CHARS.search(user):
            return [("unknown", text)]  # ~+ and ~- are $PWD and $OLDPWD
        home = _home(user, login)
        text = home + slash + rest
        if _GLOB_CHARS.search(home):
            kind = "pattern"
    if kind == "pattern" and "{" in text:
        expanded = _expand_braces(text)
        if expanded is None:
            return [("unknown", arg.text)]
        found = [_through(t, "pattern" if _GLOB_CHARS.search(t) else "exact") for t in expanded]
        return [("unknown", arg.text) if f is None else f for f in found]
    resolved = _through(text, kind)
    if resolved is None:
        return [("unknown", arg.text)]
    if resolved[0] == "pattern" and not _GLOB_CHARS.search(resolved[1]):
        return [("exact", resolved[1])]  # the glob went with a `..`: /home/*/../../etc is /etc
    return [resolved]


def _through(text: str, kind: str) -> tuple[str, str] | None:
    """(kind, normalised text), through /proc's magic links (`through_proc`); None when the
    path goes through an open file or another process's directory, or out of the working
    directory through /proc/self/cwd (that directory is not known here: `_in_dirs` adds the
    directories a `cd` on the line chose)."""
    magic, resolved = through_proc(text)
    if magic == "unknown" or (text.startswith("/") and (resolved == ".." or
                                                         resolved.startswith("../"))):
        return None
    return kind, resolved


def _glob_regex(glob: str) -> str:
    """A rule glob as a regular expression: `*` and `?` stay within a component, `**` spans
    components (also none), `[...]` is a class."""
    out: list[str] = []
    index = 0
    while index < len(glob):
        char = glob[index]
        if glob.startswith("/**", index) and (index + 3 == len(glob) or glob[index + 3] == "/"):
            out.append("(?:/.*)?")
            index += 3
        elif glob.startswith("**/", index) and index == 0:
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            close = glob.find("]", index + 2)
            if close < 0:
                out.append(re.escape(char))
                index += 1
                continue
            inner = glob[index + 1: close]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            index = close + 1
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


class _PathGlob:
    """One glob of a rule's `paths`. A glob without `/` names the last component of any path
    (`.bash_history`); any other is matched against the whole normalised path."""

    __slots__ = ("basename", "first", "glob", "parts", "regex")

    def __init__(self, glob: str) -> None:
        glob = glob if glob == "/" else glob.rstrip("/")
        self.glob = glob
        self.basename = "/" not in glob
        self.regex = re.compile(_glob_regex(glob), re.S)
        self.parts = tuple(part for part in glob.split("/") if part) if not self.basename else (
            glob,)
        # The first component when it is literal: most patterns differ from it at once.
        self.first = self.parts[0] if self.parts and not _GLOB_CHARS.search(self.parts[0]) \
            and not self.basename else None

    def could_match(self, pattern: str) -> bool:
        """Whether some path the shell glob `pattern` expands to could match this glob."""
        return self.meets(tuple(p for p in pattern.split("/") if p), pattern.startswith("/"))

    def meets(self, parts: tuple[str, ...], absolute: bool) -> bool:
        """`could_match` for a pattern given as its components."""
        if self.basename:
            last = parts[-1] if parts else ""
            # What a recursive copy writes under a directory (D/**) is checked against absolute
            # globs only: against bare names every copy of a home would meet .bash_history.
            return last != "**" and _parts_meet(last, self.glob)
        if not absolute:
            return False  # relative: judged as written, the working directory being unknown
        if self.first is not None and parts and parts[0] != self.first \
                and not _GLOB_CHARS.search(parts[0]):
            return False
        return _components_meet(parts, self.parts)


@functools.lru_cache(maxsize=4096)
def _components_meet(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether two paths given as components, globs allowed (`**`: any number of components),
    could name the same file."""
    if not mine or not theirs:
        return all(p == "**" for p in mine + theirs)
    if mine[0] == "**":
        return _components_meet(mine[1:], theirs) or _components_meet(mine, theirs[1:])
    if theirs[0] == "**":
        return _components_meet(mine, theirs[1:]) or _components_meet(mine[1:], theirs)
    return _parts_meet(mine[0], theirs[0]) and _components_meet(mine[1:], theirs[1:])


def _parts_meet(a: str, b: str) -> bool:
    """Whether two path components, either of which may be a glob, could name the same file
    (two globs are assumed to). A shell glob does not match a leading dot unless it starts
    with one."""
    a_glob, b_glob = bool(_GLOB_CHARS.search(a)), bool(_GLOB_CHARS.search(b))
    if a_glob and not b_glob and b.startswith(".") and not a.startswith("."):
        return False
    if not a_glob:
        return _glob_matches(b, a) if b_glob else a == b
    if not b_glob:
        return _glob_matches(a, b)
    # Two globs: a name both match starts with both literal prefixes and ends with both
    # literal suffixes (`*.gz` and `*.log` meet nowhere; `*.gz` and `wtmp*` in wtmp.1.gz).
    a_head, b_head = _GLOB_HEAD.match(a).group(), _GLOB_HEAD.match(b).group()  # type: ignore[union-attr]
    a_tail, b_tail = _GLOB_TAIL.search(a).group(), _GLOB_TAIL.search(b).group()  # type: ignore[union-attr]
    return (a_head.startswith(b_head) or b_head.startswith(a_head)) and (
        a_tail.endswith(b_tail) or b_tail.endswith(a_tail))


_GLOB_HEAD = re.compile(r"[^*?\[]*")
_GLOB_TAIL = re.compile(r"[^*?\]]*$")


def _glob_matches(glob: str, name: str) -> bool:
    """Whether the component glob matches the literal name; its literal head and tail are
    checked first, which spares compiling most globs."""
    head, tail = _GLOB_HEAD.match(glob).group(), _GLOB_TAIL.search(glob).group()  # type: ignore[union-attr]
    if not name.startswith(head) or not name.endswith(tail):
        return False
    return _glob_pattern(glob).fullmatch(name) is not None


@functools.lru_cache(maxsize=1024)
def _glob_pattern(glob: str) -> re.Pattern[str]:
    return re.compile(_glob_regex(glob), re.S)


class _PathGlobs:
    """A rule's `paths`, with one regular expression per kind of glob so that a path is
    matched against all of them at once."""

    __slots__ = ("absolute", "anywhere", "base", "globs")

    def __init__(self, globs: tuple[str, ...]) -> None:
        self.globs = tuple(_PathGlob(glob) for glob in globs)
        self.base = _alternation([g for g in self.globs if g.basename])
        self.absolute = _alternation([g for g in self.globs if not g.basename])
        self.anywhere = _alternation([g for g in self.globs if g.glob.startswith("**/")])

    def matches(self, path: str) -> bool:
        if self.base is not None and self.base.fullmatch(path.rsplit("/", 1)[-1]):
            return True
        # A relative path is judged as written, the working directory being unknown: only
        # names (and **/ globs) match it.
        whole = self.absolute if path.startswith("/") else self.anywhere
        return whole is not None and whole.fullmatch(path) is not None

    def state(self, paths: list[tuple[str, str]], every: bool) -> str:
        """"yes", "maybe" or "no": whether the command's paths match. With `every` (an allow
        rule) each path must match for certain; otherwise one that matches is enough, and one
        that could match (a glob, a path known only at run time) makes it "maybe"."""
        if every:
            certain = all(kind == "exact" and self.matches(text) for kind, text in paths)
            return "yes" if paths and certain else "no"
        state = "no"
        for kind, text in paths:
            if kind == "fresh":
                continue  # a path mktemp made on the line: new, and no file a rule names
            if kind == "unknown":
                state = "maybe"
            elif kind == "exact":
                if self.matches(text):
                    return "yes"
            elif state != "maybe":
                last = text.rsplit("/", 1)[-1]
                if self.base is not None and not _GLOB_CHARS.search(last) and \
                        self.base.fullmatch(last):
                    return "yes"
                parts = tuple(p for p in text.split("/") if p)
                if any(g.meets(parts, text.startswith("/")) for g in self.globs):
                    state = "maybe"
        return state


def _alternation(globs: list[_PathGlob]) -> re.Pattern[str] | None:
    if not globs:
        return None
    return re.compile("|".join(f"(?:{g.regex.pattern})" for g in globs), re.S)


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class Verdict:
    """The decision for one line. `rule` names the deciding rule, or `defaults.unmatched`,
    `defaults.unknown`, `defaults.uncertain`; None for a line with no commands. `command` is the
    text of the simple command that decided ("" for an allow); `message` is one line for the user.
    """

    action: str
    rule: str | None
    message: str
    command: str
    commands: tuple[SimpleCommand, ...]


_PAST = {"allow": "allowed", "alert": "flagged", "confirm": "held for confirmation",
         "deny": "denied"}  # fmt: skip


def _weaker(a: str, b: str) -> str:
    return a if _RANK[a] <= _RANK[b] else b


class _CompiledRule:
    __slots__ = ("action", "args", "flags", "literal", "message", "name", "paths", "pattern",
                 "roles", "targets")  # fmt: skip

    def __init__(self, rule: Rule) -> None:
        self.name = rule.name
        self.action = rule.action
        self.message = rule.message or f"{_PAST[rule.action]} by policy rule '{rule.name}'"
        globs = [p for p in rule.commands if _GLOB_CHARS.search(p)]
        self.literal = frozenset(p for p in rule.commands if p not in globs)
        self.pattern = (
            re.compile("|".join(fnmatch.translate(p) for p in globs)) if globs else None
        )
        self.flags = frozenset(rule.flags)
        self.args = re.compile(rule.args) if rule.args is not None else None
        self.paths = _PathGlobs(rule.paths) if rule.paths else None
        self.roles = frozenset(rule.roles) if rule.roles is not None else None
        self.targets = (
            re.compile("|".join(fnmatch.translate(p) for p in rule.targets))
            if rule.targets is not None
            else None
        )

    def applies(self, name: str, role: str, target: str) -> bool:
        if name not in self.literal and (self.pattern is None or not self.pattern.match(name)):
            return False
        if self.roles is not None and role not in self.roles:
            return False
        return self.targets is None or self.targets.match(target) is not None


class _CompiledPolicy:
    def __init__(self, policy: Policy) -> None:
        self.defaults = policy.defaults
        self.rules = tuple(_CompiledRule(rule) for rule in policy.rules)
        self._candidates: dict[tuple[str, str, str], tuple[_CompiledRule, ...]] = {}

    def candidates(self, name: str, role: str, target: str) -> tuple[_CompiledRule, ...]:
        key = (name, role, target)
        found = self._candidates.get(key)
        if found is None:
            found = tuple(r for r in self.rules if r.applies(name, role, target))
            if len(self._candidates) >= 4096:
                self._candidates.clear()
            self._candidates[key] = found
        return found

    def judge(self, command: SimpleCommand, role: str, target: str,
              login: str | None = None) -> tuple[str, str, str]:
        """(action, deciding rule, message) for one simple command."""
        defaults = self.defaults
        if command.name is None:
            return (
                defaults.unknown,
                "defaults.unknown",
                f"cannot tell what will run ({command.unknown}): {one_line(command.text, 80)}",
            )
        flags: frozenset[str] | None = None
        args = ""
        paths: list[tuple[str, str]] | None = None
        possible: tuple[str, str, str] | None = None
        decided = (defaults.unmatched, "defaults.unmatched", "")
        for rule in self.candidates(command.name, role, target):
            if rule.flags or rule.args is not None or rule.paths is not None:
                if flags is None:
                    flags = _flags(command.argv)
                    args = " ".join(command.argv[1:])
                matched = rule.flags <= flags and (
                    rule.args is None or rule.args.search(args) is not None
                )
                # An allow rule's args or paths never match what is known only at run time.
                blind = command.dynamic_args and rule.action == "allow" and rule.args is not None
                state = "yes"
                if rule.paths is not None:
                    if paths is None:
                        paths = [p for arg in command.paths for p in _resolve_path(arg, login)]
                    state = rule.paths.state(paths, every=rule.action == "allow")
                if not matched or state != "yes" or blind:
                    could = (matched or command.dynamic_args) and state != "no"
                    if could and rule.action != "allow":
                        action = _weaker(rule.action, defaults.unknown)
                        if possible is None or _RANK[action] > _RANK[possible[0]]:
                            why = "some arguments are" if state == "yes" else "a path is"
                            possible = (action, rule.name,
                                        f"{rule.message} ({why} only known at run time)")
                    continue
            decided = (rule.action, rule.name, rule.message)
            break
        if possible is not None and _RANK[possible[0]] > _RANK[decided[0]]:
            return possible
        return decided


def _flags(argv: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for arg in argv[1:]:
        if arg == "--":
            break
        if arg.startswith("--"):
            found.add(arg.split("=", 1)[0])
        elif arg.startswith("-") and len(arg) > 1:
            found.update(f"-{letter}" for letter in arg[1:])
    return frozenset(found)


def evaluate(policy: Policy, line: str, *, role: str, target: str,
             login: str | None = None, interactive: bool = True) -> Verdict:
    """Judge `line` for `role` on `target`. Never raises.

    Each simple command gets the action of the first rule that matches it (in file order),
    `[defaults].unmatched` when none does, and `[defaults].unknown` when its name is only known
    at run time. The line gets the strictest of those; on a tie the first command decides.
    `login` is the account on the target, whose home `~` names in paths (root's is /root,
    another's is taken to be /home/LOGIN); without it `~` is some home directory.
    `interactive` False (a line with no terminal: a script on a shell's stdin, an exec command
    without a pty) leaves out the unknowns that matter only to a terminal read line by line
    (`SimpleCommand.terminal`: `exec 2>/dev/null`, `stty erase`, `bind 'set ...'`).
    """
    commands = _parse_cached(line) if len(line) <= 2048 else _parse(line)
    if not interactive:
        commands = tuple(c for c in commands if not c.terminal)
    return _verdict(policy, commands, role, target, login)


FILE_OPERATIONS = (">", "<", "rm", "mv", "chmod")


def judge_path(policy: Policy, op: str, paths: list[str] | tuple[str, ...], *, role: str,
               target: str, login: str | None = None) -> Verdict:
    """Judge a file operation that did not come from a shell line (an sftp request, a record
    of an scp stream): `op` is one of FILE_OPERATIONS (">" a write, "<" a read, "rm", "mv",
    "chmod"), `paths` the files, taken literally (no quotes, globs or ~). The verdict is the
    one `evaluate` gives the line `: > PATH` for ">" (`: < PATH`, `rm PATH`, `mv A B`,
    `chmod PATH` for the others), the paths quoted. A relative path is judged as written and,
    given the `login` (sftp starts in its home), also from that home: `../../etc/shadow`."""
    if op not in FILE_OPERATIONS:
        raise ValueError(f"op must be one of {', '.join(FILE_OPERATIONS)}")
    argv = (op, *paths)
    text = " ".join(shlex.quote(part) for part in argv)
    args = [PathArg(p) for p in paths]
    if login is not None:
        # Relative names, and those through /proc/self/cwd (the server's own directory).
        relative = [p if not p.startswith("/") else through_proc(p)[1] for p in paths]
        args += [PathArg(f"~{login}/{p}", tilde=True) for p in relative if not p.startswith("/")]
    command = SimpleCommand(op, argv, text, paths=tuple(args))
    return _verdict(policy, (command,), role, target, login)


def _verdict(policy: Policy, commands: tuple[SimpleCommand, ...], role: str, target: str,
             login: str | None) -> Verdict:
    if not commands:
        return Verdict("allow", None, "", "", ())
    compiled = policy._compiled
    best = ("allow", "", "")
    deciding = None
    try:
        for command in commands:
            judged = compiled.judge(command, role, target, login)
            if deciding is None or _RANK[judged[0]] > _RANK[best[0]]:
                best, deciding = judged, command
                if judged[0] == "deny":
                    break
    except Exception as exc:  # fail closed: a fault in a rule is no allow
        return uncertain_verdict(policy, f"policy engine fault: {type(exc).__name__}")
    action, rule, message = best
    assert deciding is not None
    if action == "allow":
        return Verdict(action, rule, "", "", commands)
    return Verdict(action, rule, message, deciding.text, commands)


def uncertain_verdict(policy: Policy, reason: str) -> Verdict:
    """The verdict when the line itself could not be reconstructed with confidence."""
    return Verdict(
        policy.defaults.uncertain,
        "defaults.uncertain",
        f"the command line could not be read with confidence: {one_line(reason, 80)}",
        "",
        (),
    )
