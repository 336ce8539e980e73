"""The collector: `_Collector` walks one parse tree (and the code nested in it) and collects
the simple commands it would run. Its methods are grouped by concern into the mixins of the
collect_* modules; this module holds its state (`__init__`), the walk's core (parse, the tree
walk, forks and merges of shell state for subshells and loops, resolving one simple command,
`finish`), the work bound (`MAX_WORK`, `_spend`) and the table of per-program handlers
(`_HANDLERS`). Over about 600 lines: the handler table names a method of every mixin, and
the walk's core is one piece; the mixins hold the rest."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from tree_sitter import Node

from bastion.command_control.policy.bash_words import unsure as _bash_unsure
from bastion.command_control.policy.collect_builtins import ZSH_ASSIGNERS, _Builtins
from bastion.command_control.policy.collect_code import _Code
from bastion.command_control.policy.collect_fed import _Fed
from bastion.command_control.policy.collect_files import _Files
from bastion.command_control.policy.collect_interpreters import _Interpreters
from bastion.command_control.policy.collect_known import _KnownState
from bastion.command_control.policy.collect_launchers import _STRICT, _Launchers, _other_verb
from bastion.command_control.policy.collect_modules import _Modules
from bastion.command_control.policy.collect_outer import _Outer
from bastion.command_control.policy.collect_programs import _Programs
from bastion.command_control.policy.collect_remote import REMOTE_METHODS, _Remote
from bastion.command_control.policy.collect_respelled import RESPELLED_HANDLERS, _Respelled
from bastion.command_control.policy.collect_runners import _PATTERN_OPTION, _Runners
from bastion.command_control.policy.collect_starters import _STARTERS, STARTER_METHODS, _Starters
from bastion.command_control.policy.collect_state import _State
from bastion.command_control.policy.collect_syntax import _Statements
from bastion.command_control.policy.collect_variables import _Variables
from bastion.command_control.policy.collect_wrappers import _Wrappers
from bastion.command_control.policy.complete import _scan
from bastion.command_control.policy.db_shells import DB_SHELLS
from bastion.command_control.policy.handler_patterns import handler_pattern
from bastion.command_control.policy.heredoc import (
    _SH_MAY_DIFFER,
    _flatten,
    _join_continuations,
    _sh_reading,
    _tree_reads_heredocs_as,
    _unopened_heredoc,
)
from bastion.command_control.policy.init_scripts import init_script_commands
from bastion.command_control.policy.names import program_name
from bastion.command_control.policy.options import (
    DYNAMIC_HANDLED,
    PATTERN_BUILTINS,
    PATTERN_HANDLED,
    pattern_option,
)
from bastion.command_control.policy.other_verbs import (
    nix_code,
    option_programs,
    other_verb,
    ruby_un,
)
from bastion.command_control.policy.parse import (
    _COPROC_COMPOUND,
    _distrust,
    _parse_tree,
    _piped_compound,
    _simple_commands,
    _trusted_tree,
)
from bastion.command_control.policy.paths import PathArg, _bounded, _operand_paths, _place
from bastion.command_control.policy.pattern_risk import names_read_at_run_time
from bastion.command_control.policy.programs import _GIT_COMMANDS
from bastion.command_control.policy.readers import _CODE_IN_OPTIONS, _COMMAND_LANGUAGES, _reads_commands
from bastion.command_control.policy.removers import removes
from bastion.command_control.policy.renames import _MMV, _RENAMERS, renamed_away
from bastion.command_control.policy.script_spellings import dir_texts
from bastion.command_control.policy.shells import INTERPRETERS, SHELLS, shell_name
from bastion.command_control.policy.source_removals import REPLACERS
from bastion.command_control.policy.transfers import transfer_removals
from bastion.command_control.policy.unread import is_read
from bastion.command_control.policy.variables import _IN_THE_SHELL
from bastion.command_control.policy.words import (
    _DASH_QUOTE,
    _FRESH_WORD,
    _TEST_BRACKET,
    SimpleCommand,
    _expanded_braces,
    _Heredoc,
    _history_expansion,
    _Site,
    _Streams,
    _text,
    _Word,
    _word,
)
from bastion.command_control.policy.wrapper_flags import OTHER_NAMES
from bastion.command_control.policy.wrappers import _DATA_PROGRAMS, _WRAPPERS, PIPS, _git_subcommand
from bastion.command_control.policy.writes import (
    _MORE_WRITERS,
    _TREE_CHANGERS,
    _WRITES,
    _recursive_change,
    _rsync_removes,
    _whole_trees,
    moved_away,
)

# Handled programs whose whole line `pattern_option` reads (the others' option words are found
# by `handler_pattern`): one set, not a union built at every command.
_OPTIONS_READ_WHOLE = PATTERN_HANDLED | PATTERN_BUILTINS | DYNAMIC_HANDLED

# Wrappers and nested shells are unwrapped at most this many levels deep; past that the command
# is unknown (a chain that long is an evasion attempt, not operations work).
MAX_NESTING = 8


# The work one line may cost (syntax nodes walked, commands resolved, paths made, code parsed
# again, state copied: `cost`); past it the rest of the line is not judged and the line is
# unknown. Judging runs on the bastion's shared event loop: this bounds how long one exec
# command may hold it (about a quarter of a second).
MAX_WORK = 500_000


# A command path that names another program than its name says: through /proc (a process's
# exe, root or fd links) or an open descriptor, or the dynamic loader, which runs the program
# given after it (found after outside attack T).
_PROGRAM_OF_ANOTHER = re.compile(r"(?:^|/)proc/|(?:^|/)dev/(?:fd|std(?:in|out|err))(?:/|$)"
                                 r"|(?:^|/)ld(?:64)?(?:-[^/]*)?\.so(?:\.[0-9.]+)?$")


class _Collector(_Statements, _Files, _Variables, _Code, _Wrappers, _Runners, _Interpreters, _Builtins,
                 _Programs, _Launchers, _Respelled, _Modules, _Starters, _State,
                 _KnownState, _Fed, _Remote, _Outer):
    """Walks one parse tree (and the code nested in it) and collects simple commands."""

    def __init__(self) -> None:
        self.commands: list[SimpleCommand] = []
        # The words of each command a handler ran (`_inner`, `_joined_code`, `_run_words`),
        # for `handler_pattern`: they are that command's, not the handler's program's options.
        self._ran_words: list[list[_Word]] = []
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
        # The line names POSIXLY_CORRECT (any quoting): getopt may end options at the first
        # operand (attack f15f, finding 5). Set by commands._collect.
        self._posixly = False
        self._launched: dict[int, Any] = {}  # first words of unread launchers' commands (_unread)
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
        # Known values (collect_known.py): variables the script set to literal strings, read
        # in place of `$NAME`. `_foreign`: how deep in code another process runs (`bash -c`);
        # `_guarded`: in a branch or loop (nothing set there is certain); `_loop`: in a loop
        # (a value forgotten there was perhaps read by an earlier pass: `_redo`).
        self._known: dict[str, str] = {}
        self._split_default = True
        self._lost = False
        self._known_off = True
        self._foreign = 0
        self._guarded = 0
        self._loop = 0
        self._redo = False

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
        word = _word(self._src, node, known=self._known_here())
        if word.value is None and self._fresh and "$" in word.text:
            match = _FRESH_WORD.fullmatch(word.text)
            name = match and (match.group(1) or match.group(2))
            if name in self._fresh and ".." not in match.group(3).split("/"):
                self._fresh_used.append((name, word.text))
                return word._replace(fresh=True)
        return word

    # -- entry points --------------------------------------------------------------------

    def parse(self, code: str, site: _Site, same_shell: bool = False) -> None:
        """Walk `code`. Nested code (`site.depth` > 0) is taken to run in another process,
        which has none of the shell's known values, unless `same_shell`."""
        if site.depth > MAX_NESTING:
            self._unknown(site._replace(text=code), (), "nested too deeply")
            return
        foreign = site.depth > 0 and not same_shell
        self._foreign += foreign
        try:
            self._parse(code, site)
        finally:
            self._foreign -= foreign

    def _parse(self, code: str, site: _Site) -> None:
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
                unsure = unsure or _unopened_heredoc(code, scan.heredocs)
                flat, flat_docs = _flatten(code, scan.heredocs)
                # Not repaired: `heredocs` holds offsets into this very text.
                flat_root = _parse_tree(flat)
                flat_why = _distrust(flat, flat_root)
                if not (flat_why is not None and why is None and unsure is None
                        and _tree_reads_heredocs_as(code, root, scan.heredocs)):
                    code, heredocs, root, why = flat, flat_docs, flat_root, flat_why
                    # Text bash reads again (backslashes in backquotes around a body) is not
                    # followed in either reading (attack p25f, finding 14).
                    why = why or _bash_unsure(written)
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
                why, sh = why or _distrust(code, root, bash=False), None
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
            sh_why = _distrust(sh[0], sh_root, bash=False)
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

    # -- resolving one simple command ----------------------------------------------------

    def _resolve(self, words: list[_Word], site: _Site) -> None:
        if any(word.brace for word in words):
            words = _expanded_braces(words)
        self._spend(20 + 5 * len(words))
        first = words[0]
        self._known_command(first.value, [w.value for w in words[1:]])
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
        if _PROGRAM_OF_ANOTHER.search(first.value):  # (a10f: also `ld.so` run by its name)
            # found after outside attack T: `/proc/self/exe -c CODE` is the shell itself (any
            # process's exe, an open file's link: not the name it shows), and the dynamic
            # loader runs whatever program it is given (`/lib64/ld-linux-x86-64.so.2 /bin/sh`)
            self._unknown(site, words, "a program named by a link to another (/proc/*/exe, "
                                       "/dev/fd/N) or run through the dynamic loader")
            return
        name = first.value.rsplit("/", 1)[-1] or first.value
        name = program_name(OTHER_NAMES.get(name, name), _HANDLERS)
        handler = _HANDLERS.get(name)
        if handler is None:
            if name.startswith("git-") and name[4:] in _GIT_COMMANDS:
                handler = _Collector._git_dashed
            elif shell_name(name) is not None:
                handler = _Collector._shell
            elif INTERPRETERS.fullmatch(name):
                handler = _Collector._interpreter
        # A pattern where an option may stand leaves the options known only at run time
        # (attack i18f, finding 4: `iptables -*` after `touch ./-F`); so does a word whose start
        # is known only at run time, for a program whose options the policy reads for code or
        # writes (`man "$x" ls`, `sort "$x" /etc/sudoers`). Names find's {} fills start with
        # the start point, never `-`.
        # So does it for the handled programs whose options run code or write (`gdb -batch
        # $(printf -- -ex) 'shell CMD'`, `git log $(printf -- --output) FILE`: k20f, 11).
        options_read = (handler is None and (not self._reads_operands_as_files(name)
                                             or name in _WRITES)) or name in DYNAMIC_HANDLED
        pattern = pattern_option(name, words, dynamic=options_read) if (
            handler is None or name in _OPTIONS_READ_WHOLE) and "find" not in site.wrappers else None
        start, ran = len(self.commands), len(self._ran_words)
        if handler is None or not handler(self, name, words, site):
            self._plain(name, words, site)
        if (listed := names_read_at_run_time(name, words)) is not None:
            self._unknown(site, words, f"{name} {listed.text}: the files it compresses, "
                                       "archives or removes are named at run time")
        if handler is not None and name not in _OPTIONS_READ_WHOLE \
                and "find" not in site.wrappers and not (shell_name(name) or INTERPRETERS.fullmatch(name)):
            pattern = handler_pattern(name, words, self._ran_words[ran:])  # k20f, findings 4, 6
        del self._ran_words[ran:]
        if pattern is not None:  # after the command's own verdicts, which name their rules
            shown = "a word known only at run time" if pattern.value is None else \
                f"write ./{pattern.text} or put -- before it"
            self._unknown(site, words, f"{_PATTERN_OPTION} ({name} {pattern.text}: {shown})")
        if name in ZSH_ASSIGNERS:
            self._zsh_assigner(name, words, site)
        # a program read for one verb is unread for its others (attack y34f, findings 1, 4)
        known = handler is not None or is_read(name, words, _HANDLED)
        read = known and not other_verb(name, words)
        if not read:
            self._unread(start, words, site, _HANDLED, names=not known)
        if setting := nix_code(name, words):
            self._unknown(site, words, f"{name} {setting}: a setting that runs programs unseen")
        for program in option_programs(name, words):  # `pandoc --filter=PROG` (y34f, 4)
            self._inner([program], site, name)
        command, doubt = ruby_un(name, words)  # `ruby -run -e cp -- SRC DEST` (y34f, 1)
        if command:
            self._inner(command, site, name)
        elif doubt:
            self._unknown(site, words, doubt)
        self._started_servers(name, words, site, _HANDLED)  # `systemctl start tinysshd.socket`
        for argv in init_script_commands(name, words, dir_texts(self._dirs), site):  # v31f 10, 12
            # a pattern stays one (`sh /etc/init.d/ufw sto[p]`: attack x33f, finding 1)
            self._inner([_Word(v, v, any(w.glob and w.value == v for w in words)) for v in argv],
                        site, name)
        self._outer_scripts(name, words, site)  # a36f, findings 3, 4, 18, 19, 24, 25
        self._fed(name, words, site, read, start)
        if site.dynamic and handler is not None and name not in _DATA_PROGRAMS and not (
                name == "git" and _git_subcommand(words)) and not _other_verb(name, words):
            # `echo touch x | xargs env`: a program that runs a command (or code, or a script)
            # given none on the line takes it from the words xargs appends.
            depth = len(site.wrappers)
            if not any(len(c.wrappers) > depth and c.wrappers[depth] == name
                       for c in self.commands[start:]):
                self._unknown(site, words, f"{name} runs a command or code that xargs appends "
                                           "at run time")

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
        if name in _TREE_CHANGERS and (name in ("mount", "bindfs") or _recursive_change(words)):
            paths += tuple(PathArg(f"{p.text.rstrip('/')}/**", "pattern", p.tilde)
                           for p in paths if p.kind != "unknown")
        paths += _whole_trees(name, words)
        if site.dynamic:  # xargs appends words known only at run time
            paths += (PathArg("(appended at run time)", "unknown"),)
        if not reads_stdin and name in _COMMAND_LANGUAGES and _reads_commands(name, words, self._posixly):
            reads_stdin = self._commands_fed(name, words, site)
        reads = self._reads_line_stdin(name, words, site, reads_stdin)
        command = SimpleCommand(name, tuple(argv), site.text, "", dynamic, site.wrappers,
                                self._in_dirs(paths), reads_stdin, reads_input=reads)
        self.commands.append(command)
        if name != "script":  # judged by its handler, with or without a command
            self._writes(name, words, site)
        if name in _CODE_IN_OPTIONS:
            self._option_code(name, words, site)
        if name in DB_SHELLS:  # their commands on the line (attack y34f, finding 2)
            self._db_shell(name, words, site)
        # What it removes as it sends, archives or moves (rsync, `zip -m`, `gio remove`...): rm -r.
        removed = (*(_rsync_removes(words) if name == "rsync" else ()), *transfer_removals(name, words),
                   # mv takes its sources away from where the system needs them, as gio move
                   # does: `mv /bin /tmp/x` is an rm -r of /bin (attack j19f, finding 11).
                   *(moved_away(words) if name == "mv" else ()),
                   *(renamed_away(words) if name in _RENAMERS or name in _MMV else ()),
                   # (`xargs wipe -rf`: what it removes is appended at run time; s28f, 21)
                   *((PathArg("(appended at run time)", "unknown"),)
                     if site.dynamic and removes(name) else ()))
        if removed:
            self.commands.append(SimpleCommand(
                "rm", ("rm", "-r", *(p.text for p in removed)), site.text, "",
                any(p.kind == "unknown" for p in removed), (*site.wrappers, name),
                self._in_dirs(removed)))
        if name in ("cd", "pushd", "popd"):
            self._moved(name, words)

    def _reads_operands_as_files(self, program: str | None) -> bool:
        """Whether `program` is judged by `_plain` alone, with no grammar of its own that may
        take an operand for code or a command: no handler (wrappers, launchers...), shell,
        interpreter, command language or code in an option, no reader of its own writes but
        curl's and wget's (sed's script, tar's bundled `-I`), no function of the line."""
        if program is None:
            return False
        name = program.rsplit("/", 1)[-1] or program
        return (name not in _HANDLERS and name not in self._functions and shell_name(name) is None
                and not INTERPRETERS.fullmatch(name) and not name.startswith("git-")
                and name not in _COMMAND_LANGUAGES and name not in _CODE_IN_OPTIONS
                and (name not in _MORE_WRITERS or name in ("curl", "wget") or name in REPLACERS))

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
        self._ran_words.append(words)
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
    "run-parts": _Collector._run_parts,
    "toybox": _Collector._busybox,
    "at": _Collector._at_job,
    "crontab": _Collector._crontab,
    "batch": _Collector._at_job,
    # Builtins tree-sitter reads as their own syntax only in the canonical spelling: reached
    # as a plain command (`command declare`, `\\unset`, `$d`) they are judged the same way.
    **{name: _Collector._declaration_builtin for name in ("declare", "typeset", "local", "export",
                                                          "readonly")},
    "unset": _Collector._unset_builtin,
    "eval": _Collector._eval,
    "source": _Collector._source,
    ".": _Collector._source,
    "trap": _Collector._trap,
    "alias": _Collector._alias,
    "scp": _Collector._scp,
    "fc": _Collector._fc,
    "history": _Collector._history,
    "setopt": _Collector._setopt, "unsetopt": _Collector._setopt,
    "r": _Collector._rerun,
    "printf": _Collector._printf,
    "read": _Collector._read,
    "mapfile": _Collector._mapfile,
    "readarray": _Collector._mapfile,
    "getopts": _Collector._getopts,
    "wait": _Collector._wait,
    "jobs": _Collector._jobs,
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
    "lldb": _Collector._lldb,
    "perf": _Collector._perf,
    "ip": _Collector._ip,
    "tc": _Collector._ip,
    "ssh": _Collector._ssh,
    "autossh": _Collector._autossh,
    "git": _Collector._git,
    "sem": _Collector._parallel,
    "dtach": _Collector._detached,
    "abduco": _Collector._detached,
    "pee": _Collector._pee,
    "mosh-server": _Collector._mosh_server,
    "sshd": _Collector._ssh_server,  # (attack k20f, finding 14)
    "dropbear": _Collector._ssh_server,
    **{name: _Collector._program_option for name in ("sed", "ninja")},
    **{name: _Collector._make for name in ("make", "gmake", "bmake", "pmake")},
    # found after outside attack O (findings 5 and 9): launchers with a grammar of their own
    "cmake": _Collector._cmake,
    "ctest": _Collector._ctest,
    **{name: _Collector._strict for name in _STRICT},
    "pueue": _Collector._pueue,
    "asciinema": _Collector._recorder,
    "ttyrec": _Collector._recorder,
    "mispipe": _Collector._mispipe,
    "ansible": _Collector._ansible,
    "socat": _Collector._socat,
    **{name: _Collector._netcat for name in ("nc", "ncat", "netcat", "nc.traditional",
                                             "nc.openbsd", "netcat.traditional",
                                             "netcat.openbsd", "nc6", "netcat6", "cryptcat",
                                             "pnetcat")},
    # found after outside attack U: launchers spelled otherwise, renamers an editor drives
    **RESPELLED_HANDLERS,
    **{name: _Collector._pip for name in PIPS},
    "virtualenv": _Collector._virtualenv,
    "pyvenv": _Collector._virtualenv,
    # found after outside attack W (finding 2): more launchers (collect_starters.py)
    **{name: _Collector._starter for name in _STARTERS},
    **{name: getattr(_Collector, method) for name, method in STARTER_METHODS.items()},
    # found after outside attack v31o (finding 3): logins and parallel shells other than ssh
    **{name: getattr(_Collector, method) for name, method in REMOTE_METHODS.items()},
}


_HANDLED = frozenset(_HANDLERS)


def _open_heredocs(code: str) -> int:
    """At most how many here-documents one line of `code` opens (`<<` not `<<<`)."""
    return max(line.count("<<") - line.count("<<<") for line in code.split("\n"))


class _TooMuchWork(Exception):
    """Judging a line passed MAX_WORK."""
