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
  An alias whose value is not plain words of a simple command (a reserved word first, an
  unquoted `;&|()<>` or newline: `alias F=fi`, `alias C='}'`) is unknown (attack a36i).
- PS0, PS1, PS2, PS4 (and zsh's PROMPT, RPROMPT, SPROMPT...): the prompt escapes are decoded
  (`\\044` is `$`, `\\140` a backquote), then the string is judged as a double-quoted word:
  commands in `$(...)` and backquotes are judged; arithmetic is judged as below; and PS0, PS1,
  PS2 and PS4 holding a command substitution, arithmetic other than constants or a `${...}`
  that may assign, fail or run code are unknown (expanded between lines: attack a36i). PS3 is
  not expanded. BASH_ENV, ENV (expanded before naming the file sourced), MAIL and MAILPATH
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
  but the window size or `sane`, TERM set to a terminal type not in `_TERMINALS`, unset (also
  `unset TERM[0]`), made an array or given an attribute not in `_TERM_ATTRIBUTES`,
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
  (`#` stops hiding text): unknown. nocaseglob and dotglob (also GLOBIGNORE) change what a
  pattern may match (see Paths). Other options (`set -euo pipefail`, `shopt -s extglob`)
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
  assignments to RANDOM, SRANDOM, HISTCMD, OPTIND, MAILCHECK. An associative array declared on the line
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
  start-stop-daemon, machinectl shell, tmux, screen, capsh (`--`/`-+`, `==`/`=+`), gdb --args,
  perf, ip netns/vrf exec (every word by any start, as iproute2 reads it; `-b` batches
  unknown: iproute.py), ssh's remote command, sem, dtach, abduco, mosh-server, pee...);
  `time`, `coproc` and `sudo` take NAME=VALUE words before it. Long options may be
  abbreviated as GNU getopt allows (`timeout --sig KILL`, `sudo --sh`: `_long_option`).
  gdb's -ex commands (`shell`, `!`, `run ARGS`) and git's -c settings that git runs
  (`alias.x=!cmd`, core.sshCommand...) are code; other gdb commands that may call into a
  program, and git's core.hooksPath, unknown.
- git (attack O): a setting (`-c`, --config-env, `clone -c`, `git config KEY VALUE`) whose key
  is not in `_GIT_PLAIN_SETTINGS` nor judged as code is unknown; a command git does not ship
  is an alias: one set on the line is judged as what it expands to (`_git_alias`), any other
  is unknown; `--output` on any subcommand and `_git_named_writes` are writes; git's variables
  that name its repository, settings, templates or programs, and HOME/XDG_CONFIG_HOME set on
  the line, are unknown.
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
line followed; `~+`, `~0` and `~+0` are $PWD: that directory, and also a path known only at
run time, as a line may assign PWD; `~-` and `~1` unknown), or a wrapper runs its
command in (`env -C DIR`, `sudo -D DIR`, `sudo -i` and `su -l` (the home), `chroot DIR` and
`sudo -R`, `nsenter -w`/`-r`, `unshare --wd`/`--root`, `systemd-run` (/ unless `--scope`),
`bwrap --chdir`, `start-stop-daemon --chdir`, `find -execdir`, `parallel --wd`, `tmux -c`,
`git -C`: `_wrapper_directory`, `_Collector._elsewhere`); under a new root directory absolute
paths are judged inside it as well as as written. A glob in the line or
a path known only at run time that could match makes the rule's action no stricter than
[defaults].unknown (a pattern is matched without case, as `shopt -s nocaseglob` may be on,
its bracket expressions as bash reads them, and, on a line that may turn dotglob on, `*`, `?`
and `[...]` also match a leading dot); a path mktemp made on the line (`"$tmp"`) matches nothing. deny,
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
  exact, PREFIXaa or PREFIX00, the rest a pattern), strace/ltrace/time `-o` (and, after
  attack p25o, `fakeroot -s` and other wrappers' log, pid and lock files: wrapper_changes.py),
  tar's archive when it creates one (`-c`, `-r`, `-u`, `-A`, also `tar cf F`) and its
  `-g`/index files, mktemp's file (a pattern), ssh-keygen `-f F` (F and F.pub, unless it
  only reads), sqlite3's database
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
- `terminal_maker` names the program that puts what reads the stdin on a terminal (`script
  -qc bash /dev/null`, `su --pty`, `ssh -tt`) or a shell that edits it (`bash -i`): what the
  stdin gate judged would be edited after, or not gated at all (`bash </dev/tty` inside).
- `reads_script_from_stdin` says whether an exec command feeds a shell or an interpreter from
  its stdin, from the same list of shells (SHELLS) and interpreters (INTERPRETERS) as the rest;
  found after outside attack G (finding 2), programs whose command language runs shell commands
  or writes files (sqlite3, gdb, lldb, ed, vim, psql, mysql, ftp, sftp, dc: `_COMMAND_LANGUAGES`)
  read their program from stdin unless an option or operand gives it (`_reads_commands`): an
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
  Found after outside attack K: `at -f` naming stdin is a shell reading it (`_at_job`);
  `parallel` with no command runs its inputs; a writer under xargs writes a path known only at
  run time (`_appended_writes`); git's work-tree writers write under the work tree
  (`_git_tree_writes`). Found after outside attack U: archivers' and image makers' outputs
  (`archive_writes.py`), the folders a build's line names (`build_writes.py`), and a program
  under another of its names (a version, a Debian alternative, GNU's `g`: `names.py`).
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

from bastion.command_control.policy.collect import MAX_WORK
from bastion.command_control.policy.commands import (
    LineFacts,
    changes_shell,
    commands_either_way,
    cost,
    editing_mode,
    line_facts,
    parse_commands,
    reads_script_from_stdin,
    script_doubt,
    starts_reader,
    starts_reader_after_another,
    stdin_reader,
    stdin_shell,
    switches_mode,
    typed_at_a_terminal,
)
from bastion.command_control.policy.complete import bodies_at, is_complete
from bastion.command_control.policy.heredoc import heredoc_word
from bastion.command_control.policy.known import KnownValues
from bastion.command_control.policy.match import (
    FILE_OPERATIONS,
    Verdict,
    evaluate,
    judge_path,
    refuses_secret,
    stricter,
    uncertain_verdict,
)
from bastion.command_control.policy.model import (
    ACTIONS,
    Defaults,
    Policy,
    PolicyError,
    Rule,
    load_policy,
    policy_from_dict,
)
from bastion.command_control.policy.own_terminal import terminal_maker
from bastion.command_control.policy.paths import normalise_path, through_proc
from bastion.command_control.policy.shells import SHELLS, shell_name
from bastion.command_control.policy.words import SimpleCommand

# The package's modules, lowest first: each imports only modules before it (docs: each
# module's docstring). words, globs, paths, model, parse, heredoc, complete, options, wrappers, programs,
# builtins, variables, program_writes, writes, shells, readers, collect_builtins, collect_code,
# collect_files, collect_programs, collect_runners, collect_state, collect_syntax, collect_variables,
# collect_wrappers, collect, commands, match.

__all__ = [
    "ACTIONS",
    "FILE_OPERATIONS",
    "MAX_WORK",
    "SHELLS",
    "Defaults",
    "KnownValues",
    "LineFacts",
    "Policy",
    "PolicyError",
    "Rule",
    "SimpleCommand",
    "Verdict",
    "bodies_at",
    "changes_shell",
    "commands_either_way",
    "cost",
    "editing_mode",
    "evaluate",
    "heredoc_word",
    "is_complete",
    "judge_path",
    "line_facts",
    "load_policy",
    "normalise_path",
    "parse_commands",
    "policy_from_dict",
    "reads_script_from_stdin",
    "refuses_secret",
    "script_doubt",
    "shell_name",
    "starts_reader",
    "starts_reader_after_another",
    "stdin_reader",
    "stdin_shell",
    "stricter",
    "switches_mode",
    "terminal_maker",
    "through_proc",
    "typed_at_a_terminal",
    "uncertain_verdict",
]
