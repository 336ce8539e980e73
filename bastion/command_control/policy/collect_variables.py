"""The collector's reading of variables: assignments, declarations, arithmetic and expansions.

Methods of `_Collector` (collect.py): `NAME=` pseudo-commands and the code a variable stores for
the shell to run later (`_assigned`, `_hook`), mktemp paths, `declare` and its kin, namerefs,
arithmetic that may read a variable not known to hold a number (`_arithmetic`, `_subscript`),
and the `${...}` forms that run code or set variables (`_expansion`)."""

from __future__ import annotations

import re
import shlex

from tree_sitter import Node

from bastion.command_control.policy.handed_variables import handed_line
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.reruns import CD_GUESSES, option_name
from bastion.command_control.policy.splitters import posix_words, rsync_words
from bastion.command_control.policy.ssh_handoffs import variable_code
from bastion.command_control.policy.variables import (
    _ARITH_ASSIGNED,
    _ASSIGNED_TO,
    _DECLARED,
    _IDENTIFIER,
    _INTEGER,
    _NUMBER_LITERALS,
    _SAFE_ARITH,
    _SAFE_INDIRECT,
    _TERM_ATTRIBUTES,
    _TERM_SHAPE,
    _TERMINALS,
    _arithmetic_reads,
    _compound,
    _decode_prompt,
    _element_subscript,
    _env_options_doubt,
    _hook_kind,
    _unknown_hook_reason,
    _written_paths,
)
from bastion.command_control.policy.words import (
    SimpleCommand,
    _expanded_braces,
    _Site,
    _Streams,
    _text,
    _Word,
    _word,
    may_be_option,
)
from bastion.command_control.policy.wrappers import _NO_TERM

_TERM_WORD = re.compile(r"\bTERM\b")  # TERM named in an arithmetic expression


# Variables holding a command line a program splits into words itself (attack j19f, finding 7).
_SPLIT_VARIABLES = {"MANPAGER": posix_words, "PAGER": posix_words, "RSYNC_RSH": rsync_words}

class _Variables:
    """Part of `_Collector` (collect.py): its reading of variables: assignments, declarations,
    arithmetic and expansions."""

    def _assignment(self, node: Node, site: _Site, integer: bool = False,
                    statement: bool = False) -> None:
        """`NAME=VALUE` walked; `statement`: an assignment statement, not a prefix of a command
        nor part of a declaration."""
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
        if name.rstrip("+") == "options" and _names_cd_guess(text.split("options", 1)[-1]):
            # zsh's `options` array is its options: `options[autocd]=on`, `options+=(autocd
            # on)` set auto_cd as setopt does (outside attack d13f, finding 4).
            self._unknown(site._replace(text=text), [], f"{text}: cd (or a directory's bare "
                                                        "name) may go to a directory other than "
                                                        "the one the line names")
        hook = _hook_kind(name.rstrip("+"))
        if name.rstrip("+") == "TERM" and (
                (name_node is not None and name_node.type == "subscript")
                or (value_node is not None and value_node.type == "array")):
            # `TERM[0]=xterm`, `TERM=(xterm)`: an array, which bash does not export.
            self._unknown(site._replace(text=text), [], _TERM_SHAPE, terminal=True)
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
        # `i+=x` appends (tree-sitter-bash names it `i`, the `+=` apart).
        plain = statement and name_node is not None and name_node.type == "variable_name" \
            and (value_node is None or value_node.type != "array") and not name.endswith("+") \
            and text[name_node.end_byte - node.start_byte:].startswith("=")
        self._assigned(name, word, text, site, judged=value_node is not None
                       and value_node.type == "array" and hook in ("code", "prompt"),
                       numeric=numeric and not integer,
                       fresh=value_node is not None and self._mktemp(value_node), plain=plain)

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

    def _assigned(self, name: str, value: _Word, text: str, site: _Site, judged: bool = False,
                  numeric: bool = False, fresh: bool = False, plain: bool = False) -> None:
        """The `NAME=` pseudo-command for one variable assignment, and the code it stores;
        `plain`: an assignment statement that may make NAME's value known (collect_known.py)."""
        append = name.endswith("+")
        name = name.rstrip("+")
        self._known_assigned(name, value, plain)
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
        written = _written_paths(name, value)
        if written:
            # `HISTFILE=/etc/sudoers.d/x`, `GIT_TRACE=/etc/sudoers git status`: a write of the
            # file, for every rule naming `>`.
            self.commands.append(SimpleCommand(">", (">", *(p.text for p in written)), text, "",
                                               value.value is None, site.wrappers,
                                               self._in_dirs(written)))
        if name in _ARITH_ASSIGNED:
            # What arithmetic later reads in RANDOM, OPTIND, SECONDS..., and MAILCHECK's
            # assignments, arithmetic in an interactive bash (see _ARITH_ASSIGNED).
            if value.value is None:
                self._unknown(site, [value], f"{name}, read as a number, set to a value known "
                                             "only at run time")
            else:
                self._arithmetic_text(value.value, site, text)
        self._values[name] = None if append else self._stored(value)
        if name in ("HOME", "CDPATH"):
            self._reached_values.setdefault(name, set()).add(self._values[name])
        if numeric or (not append and value.value is not None and _INTEGER.fullmatch(value.value)):
            self._numbers.add(name)
        else:
            self._numbers.discard(name)
            self._tainted.add(name)
        if not judged:
            self._hook(name, value, site)

    def _stored(self, value: _Word) -> str | None:
        """The value an assignment stores, for HOME, CDPATH and `cdable_vars`: bash expands a
        leading unquoted `~` (`HOME=~root/..` is /, attack s28f, finding 2), kept as a tilde
        to expand when judged, or with the HOME the line set; a quoted `~` is known only at
        run time here (it would read as a tilde)."""
        stored = value.value
        if stored is None or not stored.startswith("~"):
            return stored
        if not value.text.startswith("~"):
            return None
        path = self._tilde(PathArg(stored, "exact", True))
        return None if path.kind == "unknown" else path.text

    def _hook(self, name: str, value: _Word, site: _Site) -> None:
        """Judge what the shell will later run from a variable it treats as code (see
        _HOOKS)."""
        kind = _hook_kind(name)
        if kind is None:
            return
        code = value.value
        if kind == "program" and code is not None and name in _SPLIT_VARIABLES:
            # man-db splits MANPAGER and PAGER itself, rsync RSYNC_RSH: no shell, `#` no
            # comment (attack j19f, finding 7): also the words they run
            self._split_code(code, _SPLIT_VARIABLES[name], [value],  # type: ignore[attr-defined]
                             site._replace(stdin="null"), name)
        if code is None:
            self._unknown(site, [value], f"{name} set to a value known only at run time")
        elif kind == "code" and name == "BASH_ALIASES":
            # BASH_ALIASES[NAME]=VALUE is an alias (its NAME not at hand: taken to differ).
            self._alias_value("", code, site, name)
        elif kind == "code":
            self._code(code, site, name)
        elif kind == "program" and (name.startswith("GIT_") or name in ("PAGER", "EDITOR", "VISUAL")):
            # git runs it in the repository's top folder, some folder above the line's (attack
            # O): its relative paths are known only at run time, as in `_git_setting`.
            self._elsewhere(None, lambda: self._code(code, site._replace(stdin="null"), name))
        elif kind == "program":
            # A command another program runs later, not with the line's stdin.
            self._code(code, site._replace(stdin="null"), name)
        elif kind == "ssh options":  # `PDSH_SSH_ARGS_APPEND=-oProxyCommand=CMD` (x33f, 8)
            for handed in variable_code(name, code):
                self._code(handed, site._replace(stdin="null"), name)
        elif kind == "prompt":
            self._expanded(_decode_prompt(code), site, name)
            doubt = _prompt_doubt(_decode_prompt(code)) if name in _BASH_PROMPTS else None
            if doubt is not None:
                self._unknown(site, [value], f"{name} set to a prompt holding {doubt}: bash "
                                             "expands it between lines, where it may drop or "
                                             "change the statement being typed")
        elif kind == "expanded":
            self._expanded(code, site, name)
            if name in ("BASH_ENV", "ENV") and self._own_script(code):  # type: ignore[attr-defined]
                # `BASH_ENV=/etc/init.d/ufw bash -c : x stop`: sourced with the shell's operands
                # as its arguments (attack a36f, finding 18)
                self._unknown(site, [value], f"{name} names {code}, which a starting shell "
                                             "sources with its operands as arguments")
            if name in ("BASH_ENV", "ENV"):
                # The file a starting shell sources: `BASH_ENV=/dev/stdin bash -c :` runs its
                # stdin as a script, as `bash /dev/stdin` does.
                origin, here = self._file_origin(_Word(code, code), _Streams(site, {}))
                if origin not in ("file", "null"):
                    self._stdin_code(name, [_Word(f"{name}={code}", f"{name}={code}")],
                                     site._replace(stdin=origin, here=here), "a shell",
                                     fed="bash" if name == "BASH_ENV" else "sh", label=f"{name}=")
        elif kind.startswith("make ") and ("$(" in code or "${" in code):
            self._unknown(site, [value], f"{name} runs make functions ($(shell CMD)) in make's "
                                         "built-in rules")
        elif kind == "make program":  # `$(CC) $(CFLAGS) ...` through /bin/sh (attack m22f)
            self._code(f"{code} x", site._replace(stdin="null"), name)
        elif kind == "make flags":
            self._code(f"cc {code} x", site._replace(stdin="null"), name)
        elif kind == "elsewhere":  # PARALLEL_HOME, PERL_MM_OPT... (attack a36f, 15 and 23)
            self._unknown(site, [value], f"{name} gives a program options or settings, which "
                                         "may name a command it runs or a folder it writes")
        elif kind == "java options":  # JAVA_TOOL_OPTIONS=-agentlib:jdwp=... (attack a36f, 14)
            self._code(handed_line(name, code), site._replace(stdin="null"), name)
        elif kind == "unknown":
            self._unknown(site, [value], f"{name} {_unknown_hook_reason(name)}")
        elif kind == "protocols" and "ext" in code.split(":"):
            self._unknown(site, [value], f"{name} allows git's ext:: transport, whose remotes "
                                         "run commands")
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
        removed = ""  # attributes taken away (`declare +x TERM`)
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
        named = late = False  # a name declared; an option after one (bash takes it for a name)
        for item in items:
            if not isinstance(item, list):
                if item.type == "comment":
                    continue
                child = item
                named = True
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
            elif may_be_option(word):
                # `declare ?n r=PROMPT_COMMAND` after `touch ./-n` (attack k20f, finding 4)
                self._unknown(shown, [word], f"a pattern where an option of {keyword} may stand:"
                                             " pathname expansion may make it one")
            elif word.glob:
                # `declare P*` after `touch 'PROMPT_COMMAND=CMD'` assigns it (finding 13's class)
                self._unknown(shown, [word], f"a pattern among the names {keyword} sets: "
                                             "pathname expansion may make it NAME=VALUE")
            elif word.value[:1] in ("-", "+") and len(word.value) > 1:
                late = late or named
                attributes += word.value[1:] if word.value[0] == "-" else ""
                removed += word.value[1:] if word.value[0] == "+" else ""
            else:
                named = True
                # A quoted `'PS1=$(cmd)'` or `'a[$(cmd)]'` is still a name (and value) to declare,
                # and `PS{4,}='$(cmd)'` declares PS4 (and PS).
                for each in _expanded_braces([word]) if word.brace else [word]:
                    if each.value is None:
                        self._unknown(shown, [each], f"{keyword} of a name known only at run "
                                                     "time")
                    else:
                        self._declared(each.value, keyword, attributes, shown)
        self._plain(keyword, words, shown)
        term = any((w.value or "").split("=", 1)[0].split("[", 1)[0].rstrip("+") == "TERM"
                   for w in words[1:] if not (w.value or "").startswith(("-", "+")))
        if term and ("x" in removed or (keyword == "export" and "n" in attributes)):
            # `declare +x TERM` (typeset, local): TERM no longer reaches the programs the shell
            # starts, as after `export -n TERM` (attack J).
            self._unknown(shown, [], _NO_TERM, terminal=True)
        elif term and not set(attributes) <= _TERM_ATTRIBUTES:
            # `declare -a TERM`, `declare -u TERM` (then `TERM=xterm` is XTERM): attack N.
            self._unknown(shown, [], _TERM_SHAPE, terminal=True)
        if "i" in attributes and not ("r" in attributes and not late):
            # The attribute stays: a later line's `x='a[$(cmd)]'` would run cmd. Not once the
            # names are readonly too (`declare -ir n=5`: attack U): no later line assigns them,
            # and this line's values are judged as arithmetic below.
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

    def _declaration_builtin(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`declare` and its kin reached as a plain command: `command declare`, `builtin
        typeset`, `\\export`, `'local'`, `$d` holding `declare`. tree-sitter reads a
        `declaration_command` only in the canonical spelling, yet bash runs the same builtin:
        the words are judged as that spelling with each word quoted (attack Q). A word known
        only at run time, or that the shell may split or glob, is unknown."""
        quoted = []
        for word in words[1:]:
            if word.value is None or word.glob or word.splits:
                self._unknown(site, [word], f"{name} of a word known only at run time")
            else:
                quoted.append(shlex.quote(word.value))
        # Same shell: what the builtin declares holds for the rest of the line.
        self.parse(" ".join([name, *quoted]), site._replace(depth=site.depth + 1), same_shell=True)
        return True

    def _declared(self, text: str, keyword: str, attributes: str, site: _Site) -> None:
        """A NAME, NAME[SUB] or NAME=VALUE word given to declare and its kin as a string."""
        match = _DECLARED.fullmatch(text)
        if match is None:
            return  # not a name: bash refuses it
        name, subscript, assigned = match.group(1), match.group(2), match.group(3)
        if name == "TERM" and (subscript is not None or (assigned or "").startswith("(")):
            self._unknown(site, [], _TERM_SHAPE, terminal=True)
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
        shown = site._replace(text=text or self._text(node))
        self._term_in_arithmetic(self._text(node), shown)
        self._checked(unsafe, assumed, runs, shown)

    def _term_in_arithmetic(self, text: str, shown: _Site) -> None:
        """Arithmetic may assign TERM (`$((TERM=7))`, `(( TERM = 1 ))`, `x[TERM=1]=2`): a
        number names no terminal, and readline then reads keys on a dumb one (attack T, as
        attack N's TERM spellings): held as TERM taken away."""
        if _TERM_WORD.search(text):
            self._unknown(shown, [], _NO_TERM, terminal=True)

    def _arithmetic_text(self, text: str, site: _Site, shown: str) -> None:
        """`_arithmetic` for an expression given as a string (let, declare -i, a subscript)."""
        self._term_in_arithmetic(text, site._replace(text=shown))
        assigned = _ASSIGNED_TO.match(text)
        plain = _NUMBER_LITERALS.sub(" ", text[assigned.end():] if assigned else text)
        names = [n for n in _IDENTIFIER.findall(plain) if n not in _SAFE_ARITH]
        self._checked([n for n in names if n not in self._numbers],
                      [n for n in names if n in self._numbers],
                      "$(" in text or "`" in text, site._replace(text=shown))
        if assigned is not None:
            self._numbers.add(assigned.group(1))  # `let n=n+1`: a number, whatever n held

    def _checked(self, unsafe: list[str], assumed: list[str], runs: bool, shown: _Site) -> None:
        self._forget_all()  # arithmetic may assign any variable (`i=5`, `i++`)
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


def _names_cd_guess(text: str) -> bool:
    """Whether an assignment to zsh's `options` (its subscript and value, as written) may name
    an option of CD_GUESSES: by name in any spelling, or through an expansion."""
    return "$" in text or "`" in text or any(
        option_name(token) in CD_GUESSES for token in re.findall(r"\w+", text))


# found after outside attack a36i (finding 1): bash expands PS0, PS1, PS2 and PS4 between the
# lines of a statement; code run there (`PS2='$(kill -INT 0)> '`), or an expansion that assigns
# or fails (`${x=1}`, `${x?}`, `$((x++))`, `${x@P}`), drops the pending statement or changes the
# next prompt, so that the gate cannot tell PS1 from PS2. Only `$NAME`, `${NAME}`, the special
# parameters and `${NAME:-word}`/`${NAME:+word}` of plain text are read as harmless.
_BASH_PROMPTS = frozenset({"PS0", "PS1", "PS2", "PS4"})
_CONSTANT_ARITHMETIC = re.compile(r"\$\(\([0-9 \t+*/%()-]*\)\)")
_PLAIN_BRACE = re.compile(r"\$\{(?:#?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$!#*@_-])"
                          r"|[A-Za-z_][A-Za-z0-9_]*:?[-+][^$`\\{}]*)\}")


def _prompt_doubt(text: str) -> str | None:
    """What in a decoded prompt string runs code, assigns or may fail; None for none."""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        m = _CONSTANT_ARITHMETIC.match(text, i)
        if m is not None:  # `$((40 + 2))`: numbers only, nothing assigned
            i = m.end()
            continue
        if c == "`" or text.startswith(("$(", "$["), i):
            return "a command substitution or arithmetic"
        if text.startswith("${", i):
            m = _PLAIN_BRACE.match(text, i)
            if m is None:
                return "an expansion that may assign, fail or run code"
            i = m.end()
            continue
        i += 1
    return None
