"""The collector's reading of files: redirections, here-document bodies and the files commands write.

Methods of `_Collector` (collect.py): what a redirection feeds the command (`_redirect`), which
descriptor or file a name opens, the `>` and `<` pseudo-commands, the text of a flattened
here-document and its backtick substitutions, the writes of commands in `_WRITES` (`_writes`),
and `cd`/`pushd`/`popd` with the directories relative paths are judged in (`_moved`,
`_in_dirs`)."""

from __future__ import annotations

import dataclasses
import re

from tree_sitter import Node

from bastion.command_control.policy.init_scripts import console_commands
from bastion.command_control.policy.kills import attached_kills, killed_daemons
from bastion.command_control.policy.other_verbs import option_writes
from bastion.command_control.policy.other_writes import restore_writes
from bastion.command_control.policy.parse import _distrust, _parse_tree
from bastion.command_control.policy.paths import (
    _DESCRIPTOR_NAME,
    _PLAIN_NAME,
    HERE,
    PathArg,
    _bounded,
    _descriptor_file,
    _home,
    _operand_paths,
    _path_arg,
    _rooted,
    normalise_path,
    through_proc,
)
from bastion.command_control.policy.proc_spellings import proc_readings
from bastion.command_control.policy.removers import bleachbit_cleaners
from bastion.command_control.policy.respoken import respoken
from bastion.command_control.policy.splitters import space_words
from bastion.command_control.policy.ssh_handoffs import handed_ssh_code
from bastion.command_control.policy.trust_writes import mounts, unit_links
from bastion.command_control.policy.unit_files import unit_file_changes
from bastion.command_control.policy.unit_properties import unit_properties
from bastion.command_control.policy.unit_servers import DEBUG_SHELL, started_servers
from bastion.command_control.policy.units import stopped_units
from bastion.command_control.policy.unread import launched, unread_paths
from bastion.command_control.policy.variables import _IDENTIFIER
from bastion.command_control.policy.verb_patterns import pattern_verbs
from bastion.command_control.policy.words import (
    _GLOB_CHARS,
    _HEREDOC_PARTS,
    _REDIRECTS,
    _STATEMENTS,
    SimpleCommand,
    _descriptor,
    _Heredoc,
    _Site,
    _Streams,
    _unescape_heredoc,
    _unescaped,
    _Word,
)
from bastion.command_control.policy.wrapper_changes import wrapper_changes
from bastion.command_control.policy.writes import (
    _DIRSTACK,
    _MAKERS,
    _WRITES,
    _appended_writes,
    _more_writes,
    _written,
    posix_orders,
)
from bastion.text import digits


class _Files:
    """Part of `_Collector` (collect.py): its reading of files: redirections, here-document bodies and
    the files commands write."""

    # The command patterns of the loaded policy's rules (commands.py `_collect`).
    _rule_programs: frozenset[str] = frozenset()

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
        if not duplicates and not target.procsub and not (
                operator in (">&", "<&") and _MOVED.fullmatch(target.value or "")):
            for pseudo in (("<",) if operator == "<" else (">",) if ">" in operator else ()) + (
                ("<",) if operator == "<>" else ()
            ):
                later.append(self._file_operation(pseudo, target, self._text(node), site))
        moved = operator in (">&", "<&") and target.value is not None and \
            target.value.endswith("-") and digits(target.value[:-1])
        if moved and target.value is not None:
            # `4<&3-`: descriptor 3 moved to 4, then closed (attack c38f, finding 9)
            source = int(target.value[:-1])
            streams.set(fd, *streams.origin(source))
            if source != fd:
                streams.set(source, "null")
        elif duplicates:
            # A copy of another descriptor, whichever way it points (`3>&0` reads stdin too).
            value = target.value or ""
            streams.set(fd, *(streams.origin(int(value)) if digits(value) else ("null", None)))
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
            # the file's name kept: a shell reading its script from it (`sh -s stop < F`,
            # `sh /dev/fd/3 stop 3<F`) runs F (init_scripts.py: attack z35f, finding 8)
            return "file", target.value
        if fd == "unknown":
            return ("opaque" if streams.carries_text() else "unknown"), None
        return streams.origin(fd)

    def _descriptor_named(self, value: str) -> int | str | None:
        """The descriptor a file name opens (`_descriptor_file`), also for a relative name in
        a directory a `cd` on the line chose (`cd /dev/fd; cat 0`)."""
        fd = _descriptor_file(value)
        if value.startswith("/"):
            # `/proc/self/cwd/stdin` after `cd /dev` (attack W, finding 3): relative to it.
            value = through_proc(value, descriptors=True)[1]
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
                           site._replace(depth=site.depth + 1, here=None), same_shell=True)
            position = end + 1

    def _writes(self, name: str, words: list[_Word], site: _Site) -> None:
        """The `>` pseudo-commands of a command that writes files (_WRITES, `_more_writes`),
        and the code some run (`sed 'e cmd'`, `strace -o '|cmd'`, `tar --to-command`)."""
        writes = _WRITES.get(name)
        paths = _written(words, writes) if writes is not None else []
        if name in _MAKERS:
            paths = [p for p in paths if p.kind != "unknown"]
        more, codes = _more_writes(name, words, self._values)
        more += restore_writes(name, words)  # `setfacl --restore=F` (attack s28f, finding 11)
        more += option_writes(name, words)  # `pv -o F`, `sort -T DIR` (attack y34f, 1 and 3)
        for posix in posix_orders(words):
            # POSIXLY_CORRECT (the login's environment may set it) stops GNU's options at the
            # first operand: `cp evil -t x /etc/sudoers.d` copies into /etc/sudoers.d
            # (attack s28o, finding 1). Only the paths such a reading names: where it put the
            # first operand at an option's value, what it cannot tell is no write.
            alone = _written(posix, writes) if writes is not None else []
            # (its working folder's tree is judged as written, not also from the home: an
            # environment that sets it is not assumed of every login)
            more += [PathArg("**", "pattern") if p == HERE else p for p in (
                *alone, *_more_writes(name, posix, self._values)[0])
                if p.kind != "unknown" and p not in paths and p not in more]
        if site.dynamic and _appended_writes(name, words):
            # found after outside attack K (finding 2): a word xargs (parallel, find -exec +)
            # appends may be the file written (`xargs tee`, `xargs install SRC`), an output
            # option (`of=`, `-o`) or a target: a write of a path known only at run time.
            more = [*more, PathArg("(a path appended at run time)", "unknown")]
        for path in paths + more:
            self.commands.append(SimpleCommand(
                ">", (">", path.text), site.text, "", path.kind == "unknown", site.wrappers,
                self._in_dirs((path,))))
        for code in codes:
            self._code(code, site, name)
        for code in handed_ssh_code(name, words):  # `clush -o -oProxyCommand=CMD` (x33f, 7, 8)
            self._code(code, site._replace(stdin="null"), name)
        changes = wrapper_changes(name, words)  # `fakeroot -s F`, `strace -E V=X`, inject (p25o)
        for operation, path in changes.files:
            self.commands.append(SimpleCommand(
                operation, (operation, path.text), site.text, "", path.kind == "unknown",
                site.wrappers, self._in_dirs((path,))))
        for variable, value in changes.environment:  # as `env VAR=VAL CMD` gives it
            self._assigned(variable, value, f"{variable}={value.text}", site)  # type: ignore[attr-defined]
        for code in changes.codes:  # `rlwrap -z CMD`: bash's reading and the blank-split one
            self._code(code.value, site._replace(stdin="null"), name)  # type: ignore[attr-defined]
            if code.value is not None:
                self._split_code(code.value, space_words, words, site._replace(stdin="null"), name)  # type: ignore[attr-defined]
        if changes.unknown:
            self._unknown(site, words, changes.unknown)
        for daemon in killed_daemons(name, words):  # a kill by pattern or of every process
            self.commands.append(SimpleCommand("pkill", ("pkill", daemon), site.text, "", False,
                                               (*site.wrappers, name)))
        for pid in attached_kills(name, words):  # `prlimit --pid P --fsize=0`: `kill -9 P`
            self.commands.append(SimpleCommand(
                "kill", ("kill", "-s", "KILL", pid.text if pid.value is None else pid.value),
                site.text, "", pid.value is None, (*site.wrappers, name)))
        # a unit glob, an isolate, `init 1`; a command said otherwise (`auditctl -Di`)
        verbs, pattern = pattern_verbs(name, words)  # `systemctl sto[p] auditd`: x33f, 1
        if pattern:
            self._unknown(site, words, pattern)
        for said in verbs:
            self._inner(said, site, name)  # type: ignore[attr-defined]
        for argv in [*stopped_units(name, words), *respoken(name, words),
                     *console_commands(name, words)]:  # `openvt -- bash`: v31f, 23
            self.commands.append(SimpleCommand(argv[0], argv, site.text, "", False,
                                               (*site.wrappers, name)))
            if name == "systemd-run" and argv[0] == "systemctl":  # a unit a trigger starts
                self._started_servers(argv[0], [_Word(v, v) for v in argv],
                                      site._replace(wrappers=(*site.wrappers, name)), frozenset())
        self._unit_properties(name, words, site)
        # `systemctl link PATH`: a link into /etc/systemd/system; `systemd-dissect --mount`,
        # `fsfreeze -f`, `systemctl mount-image`: a mount (attack n23f, findings 3 and 6)
        for path in unit_links(name, words):
            self.commands.append(SimpleCommand(
                ">", (">", path.text), site.text, "", path.kind == "unknown", site.wrappers,
                self._in_dirs((path,))))
        for mount in mounts(name, words):
            self._inner(mount, site, name)  # type: ignore[attr-defined]
        # systemctl's and update-rc.d's files written by hand: as the verb (attack u30f, 13)
        # and bleachbit's cleaners by name (15)
        for argv in [*unit_file_changes(name, [w.value for w in words[1:]]),
                     *bleachbit_cleaners(name, words)]:
            self._inner([_Word(v, v) for v in argv], site, name)  # type: ignore[attr-defined]

    def _unit_properties(self, name: str, words: list[_Word], site: _Site) -> None:
        """`systemd-run -p ExecStartPre=CMD`, `-p StandardOutput=file:PATH`: the commands the
        unit runs, the files it writes, its environment; unknown for a property not read."""
        found = unit_properties(name, words)
        inner = site._replace(wrappers=(*site.wrappers, name))
        for path in found.writes:
            self.commands.append(SimpleCommand(">", (">", path), site.text, "", False, inner.wrappers,
                                               self._in_dirs((PathArg(path),))))
        for setting in found.environment:
            variable, _, value = setting.partition("=")
            self._assigned(variable, _Word(value, value), setting, inner)
        for code in found.codes:
            self._code(code, inner, name)
        if found.doubt:
            self._unknown(site, words, f"{name} sets {found.doubt}")

    def _unread(self, start: int, words: list[_Word], site: _Site | None = None,
                handled: frozenset[str] = frozenset(), names: bool = True) -> None:
        """The files a program the policy does not read names, on its command (the first one
        collected from `start`), as writes it may make (policy/unread.py). Given its `site`,
        also what it may run as a launcher (`unread.launched`): each command judged as run by
        it (relative paths from / too: a launcher may change directory), unknown where a word
        before one may change what it does."""
        paths = unread_paths(words)
        # run in a folder a `cd` names, it may write there (attack u30f, finding 11): that
        # folder's tree (not `/`, where a launcher's commands are also judged from)
        if (words[0].value or "") not in self._functions:  # type: ignore[attr-defined]
            paths = tuple(dict.fromkeys([*paths, *(
                PathArg(f"{d.text.rstrip('/')}/**", "pattern") for d in self._dirs
                if d.kind == "exact" and d.text.rstrip("/") and not d.tilde)]))  # (a home:
            # every exec command starts there, `cd ~LOGIN; LINE`: not each unread program)
        if paths and start < len(self.commands) and self.commands[start].name is not None:
            self.commands[start] = dataclasses.replace(self.commands[start],
                                                       unread=self._in_dirs(paths))
        if site is None or id(words[0]) in self._launched:
            return  # a command from a word of a launcher: its own were judged with it
        commands, codes, doubt = launched(words, handled, self._rule_programs, names)
        name = words[0].value or ""
        if doubt:
            self._unknown(site, words, f"{name}, a program the policy does not read, may run "
                                       f"a command, and {doubt}")
        for command in commands:
            self._launched[id(command[0])] = command[0]  # kept: its id is not reused
            self._elsewhere([*self._dirs, PathArg("/")],
                            lambda command=command: self._inner(command, site, name))
        for code in codes:
            self._code(code, site._replace(wrappers=(*site.wrappers, name)), name)

    def _started_servers(self, name: str, words: list[_Word], site: _Site,
                         handled: frozenset[str]) -> None:
        """The programs of the units a service manager starts or enables under their units'
        names (`systemctl enable --now tinysshd.socket`: tinysshd; policy/unit_servers.py),
        each judged as run by it with no words; systemd's debug-shell as the plain
        `systemctl start debug-shell` (outside attack r27f, finding 5)."""
        for program in started_servers(name, words, handled, self._rule_programs):
            if program == DEBUG_SHELL:
                self.commands.append(SimpleCommand(
                    "systemctl", ("systemctl", "start", DEBUG_SHELL), site.text, "", False,
                    (*site.wrappers, name)))
            else:
                self._inner([_Word(program, program)], site, name)  # type: ignore[attr-defined]

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
                    and word.value not in ("-", "--") and not digits(word.value[1:]):
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
            previous = self._values.get("OLDPWD")  # `OLDPWD=/etc/init.d; cd -` (c38f, 10)
            if previous:
                candidates.append(PathArg(previous, "pattern" if _GLOB_CHARS.search(previous)
                                          else "exact", previous.startswith("~")))
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
                    candidates.append(unknown if found is None else
                                      PathArg(found, "exact", found.startswith("~")))
        self._dirs = _bounded(self._dirs + list(self._in_dirs(tuple(candidates))))

    def _in_dirs(self, paths: tuple[PathArg, ...]) -> tuple[PathArg, ...]:
        """`paths`, and each relative one also in each directory a `cd` may have chosen. A
        `~` is the HOME the line set, if it set one; `~+`, `~0` and `~+0` are $PWD: known only
        at run time (an earlier line, or this one, may have assigned PWD: attack p25f, finding
        4), and also in each directory a `cd` on the line chose; other directory-stack forms
        (`~-`, `~1`) are unknown."""
        # (With no `cd` on the line the working folder's tree, HERE, is not also read as the
        # login's home, where an exec command starts: every `tar xf X`, `ruff check .` of a
        # root login would be held. A relative path is judged as written: SECURITY.md.)
        if any(path.tilde for path in paths):
            moved = tuple(PathArg(f"{folder.text.rstrip('/')}/{rest}" if rest else folder.text,
                                  "unknown" if folder.kind in ("unknown", "fresh") else
                                  "pattern" if "pattern" in (folder.kind, path.kind) else path.kind,
                                  folder.tilde)
                          for path in paths if path.tilde and _pwd(path) is not None
                          for rest in (_pwd(path),) for folder in self._dirs)
            paths = tuple(self._tilde(path) for path in paths) + moved
        if self._roots:
            paths += tuple(_rooted(root, path) for path in paths if path.text.startswith("/")
                           and path.kind != "unknown" for root in self._roots)
        dirs = self._dirs
        if self._hook_moves:  # a trap may have moved the shell before this command
            dirs = _bounded([*dirs, PathArg("(a directory known only at run time)", "unknown")])
        if not dirs:
            return paths
        more: list[PathArg] = []
        for path in _own_cwd_relative(paths):
            for folder in dirs:
                if path == HERE and folder.tilde:
                    continue  # (a home's tree unnamed: every exec command starts there)
                if folder.kind == "fresh" and ".." not in path.text.split("/"):
                    more.append(PathArg(f"{folder.text}/{path.text}", "fresh"))
                elif folder.kind in ("unknown", "fresh"):
                    more.append(PathArg(f"{folder.text}/{path.text}", "unknown"))
                else:
                    kind = "pattern" if "pattern" in (folder.kind, path.kind) else path.kind
                    more.append(PathArg(f"{folder.text.rstrip('/')}/{path.text}", kind,
                                        folder.tilde))
        self._spend(2 * (len(paths) + len(more)))
        return paths + tuple(more)

    def _tilde(self, path: PathArg) -> PathArg:
        if not path.tilde:
            return path
        user, slash, rest = path.text[1:].partition("/")
        if user in ("+", "0", "+0"):
            return PathArg(path.text, "unknown")  # $PWD (see _in_dirs)
        if user == "-" or _DIRSTACK.fullmatch(user):
            return PathArg(path.text, "unknown")
        if user == "" and "HOME" in self._values:
            home = self._values["HOME"]
            if home is None:
                return PathArg(path.text, "unknown")
            # a value bash expanded when HOME was assigned (`HOME=~root/..`: attack s28f,
            # finding 2) keeps its tilde, expanded when judged
            return PathArg(home + slash + rest, path.kind, home.startswith("~"))
        return path


def _pwd(path: PathArg) -> str | None:
    """The rest after a $PWD tilde (`~+`, `~0`, `~+0`), None for another path."""
    user, _, rest = path.text[1:].partition("/")
    return rest if path.tilde and user in ("+", "0", "+0") else None


_MOVED = re.compile(r"[0-9]+-")  # `4<&3-`: a descriptor moved


def _own_cwd_relative(paths: tuple[PathArg, ...]) -> list[PathArg]:
    """The relative paths of `paths`, and /proc/self/cwd/x as x in the working directory (also
    through a pattern in the /proc part: `/proc/sel?/cwd/x`, attack c38f, finding 15)."""
    found: list[PathArg] = []
    for path in paths:
        if path.kind == "unknown" or path.tilde:
            continue
        if not path.text.startswith("/"):
            found.append(path)
            continue
        spellings = [path.text, *(proc_readings(path.text) if path.kind == "pattern" else [])]
        for text in spellings:
            if "/proc/" not in text or (relative := through_proc(text))[0] != "exact" or \
                    relative[1].startswith("/"):
                continue
            found.append(path._replace(text=relative[1]))
    return found
