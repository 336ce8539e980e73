"""The collector's walk of bash's syntax: statements, pipelines, lists, loops and tests.

Methods of `_Collector` (collect.py), moved here by concern: the statements of a tree
(`_statement`), the words written without a blank between them, `unset` and `test -v` (which
evaluate subscripts), loop variables, `[[ ... ]]`, nested substitutions, redirected statements
and compounds, one command node (`_command`), and `exec` pointing the shell's own stdin or
stderr away from the terminal."""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node

from bastion.command_control.policy.builtins import _FD_VARIABLE, _MOVES_STANDARD, _TERMINAL_AWAY
from bastion.command_control.policy.parse import _MAX_TREE_DEPTH
from bastion.command_control.policy.paths import _backgrounded
from bastion.command_control.policy.variables import (
    _ARITHMETIC_TESTS,
    _DECLARED,
    _PLAIN_FILES,
    _SPECIAL_BUILTINS,
)
from bastion.command_control.policy.words import (
    _BRACE,
    _BRACE_HIDDEN,
    _REDIRECTS,
    _STATEMENTS,
    _TRANSPARENT,
    SimpleCommand,
    _glued_descriptors,
    _Site,
    _Streams,
    _Word,
)
from bastion.command_control.policy.wrappers import _NO_TERM


class _Statements:
    """Part of `_Collector` (collect.py): its walk of bash's syntax: statements, pipelines, lists, loops
    and tests."""

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
                    self._assignment(child, site, statement=True)
            self._nested(node, site, level)
        elif kind == "declaration_command":
            keyword = next((c.type for c in node.children if not c.is_named), "declare")
            self._known_command(keyword, [])
            self._declaration(node, site, level)
        elif kind == "unset_command":
            self._forget_all()
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
                if function is not None and any(c.type in _REDIRECTS for c in node.named_children):
                    # `f() { ...; } >> /etc/sudoers`: the redirection applies at each call, and
                    # the walk of the body does not see it (attack r27f, finding 4).
                    self._unknown(site._replace(text=self._text(node)), (),
                                  "a function defined with a redirection")
                if function is not None:
                    # A later statement of the script may call it by any name, a program's
                    # included: nothing is known after a definition.
                    self._lose()
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
                self._guarded += 1
                self._loop += 1
                try:
                    self._again(walk)
                finally:
                    self._guarded -= 1
                    self._loop -= 1
                return
            # Of `a && b` only `a` runs for certain; of an `if` or `case` no branch does.
            guarded = kind in ("if_statement", "case_statement")
            self._guarded += guarded
            try:
                self._transparent(node, site, level, kind)
            finally:
                self._guarded -= guarded
        elif kind == "test_command":
            if node.children and node.children[0].type == "[":
                # `[` is a command, whatever tree-sitter-bash makes of it: `[ a || cmd ]` runs
                # `[ a` then `cmd ]`, `[ -f x > f ]` writes f. Read again as one.
                self.parse("\\" + self._text(node), site._replace(depth=site.depth + 1),
                           same_shell=True)
                return
            self._test(node, site)
            self._nested(node, site, level)
        elif kind != "comment":
            self._nested(node, site, level)

    def _transparent(self, node: Node, site: _Site, level: int, kind: str) -> None:
        """The statements of a list, a group, a branch: in order, a `&` job in a child."""
        guarded = False
        for child in node.named_children:
            if _backgrounded(child):  # `cd /tmp & wait`: a `&` job is a child
                with self._apart():
                    self._statement(child, site, level + 1)
            else:
                self._statement(child, site, level + 1)
            if kind == "list" and not guarded:
                guarded = True
                self._guarded += 1
        self._guarded -= guarded

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
            if name == "TERM":
                # `unset TERM[0]` unsets a scalar TERM as `unset TERM` does (attack N).
                self._unknown(site, [word], _NO_TERM, terminal=True)
            if subscript is not None:
                self._subscript(name, subscript, site, site.text)
            else:
                self._assoc.discard(name)

    def _unset_builtin(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`command unset`, `\\unset`: bash's same builtin as the `unset_command` tree-sitter
        reads only in the canonical spelling (attack Q)."""
        self._forget_all()
        self._unset(words, site)
        return True

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
                        # Quoted, the operand is still an expression once its quotes are
                        # removed: `[[ 'a[$(cmd)]' -eq 1 ]]` runs cmd (attack J).
                        word = self._word(operand)
                        if word.value is not None and word.value != self._text(operand):
                            self._arithmetic_text(word.value, site, self._text(current))
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
        if body is not None and body.type == "function_definition" and redirects:
            # `f() { :; } <<E` with `$(cmd)` in the body: expanded at each call (attack r27f,
            # finding 3), as a redirection on the definition applies at each call.
            self._unknown(site._replace(text=self._text(node)), (),
                          "a function defined with a redirection")
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
