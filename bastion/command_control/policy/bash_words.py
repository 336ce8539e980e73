"""A small lexer that reads a line's words as bash does, and the differential check of
tree-sitter-bash's tree against it (`disagreement`; attack p25f, findings 5 to 11, 13 to 15).

tree-sitter-bash's lexer splits and joins words, ends strings and finds comments otherwise than
bash in many places (an escape after `{` or after a quoted part, `#` after an escaped blank or a
CR, `$'\\\\'`, `{` in `${x#...}`, `}#`, `==` outside `[[ ]]`, `\\<CR><LF>`, nested backquotes,
`x=$ cmd`). Rather than one repair per spelling, this lexer follows bash's own rules: blanks
are space and tab only; a newline and `;&|()<>` end a word; quotes '...', "...", $'...' (a
backslash escapes the next character), $"..."; a backslash quotes the next character
(backslash-newline is removed, backslash-CR is an escaped CR); `$(...)` is read as commands,
`$((...))`, `${...}` (only an unquoted `${` nests) and backquotes with bash's nesting; a comment
starts only where a word would. Where its words (each must be a node of the tree with the same
extent), operators (each a leaf of the tree at the same offset) or comments (the same starts)
differ from the tree's, the tree is not trusted. Where it cannot follow bash with confidence
(text bash re-reads, such as backslashes inside backquotes), it says so: the tree is not trusted
either (fail closed).
"""

from __future__ import annotations

import re
from typing import Any

_BLANKS = " \t"
_BREAK = " \t\n;&|()<>"
_OPERATORS = (";;&", ";;", ";&", "&&", "||", "|&", "&>>", "&>", ">>", ">&-", "<&-", ">&", "<&",
              ">|", "<<<", "<<-", "<<", "<>", "&", "|", ";", "(", ")", "<", ">")
_REDIRECTIONS = frozenset({"&>>", "&>", ">>", ">&", "<&", ">|", "<<<", "<>", "<", ">"})
# After these reserved words (at a command's start) another command's start follows.
_LEADING = frozenset({"{", "if", "then", "else", "elif", "do", "while", "until", "!", "time",
                      "coproc"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_EXTGLOB = "@!+*?"


class Unsure(Exception):
    """Text this lexer does not follow with confidence."""


class BashWords:
    """The words, operators and comments of `src` as bash reads them (offsets into `src`)."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.words: list[tuple[int, int]] = []
        self.tokens: list[tuple[int, str]] = []  # operators and bracket pairs: leaf type at offset
        self.comments: list[int] = []
        self.pending: list[tuple[str, bool]] = []  # here-document words waiting for a newline
        end = self.commands(0, len(src), closing=False)
        if end != len(src):
            raise Unsure("a `)` bash would read as a syntax error")

    # -- commands ------------------------------------------------------------------------------

    def commands(self, index: int, end: int, closing: bool) -> int:
        """Lex commands from `index` to `end`; with `closing`, up to the `)` that ends a
        `$(`/`<(` (the offset after it is returned)."""
        src = self.src
        command_position = True
        depth = 0  # subshell parentheses opened here
        case: list[str] = []  # per open `case`: "subject", "in", "pattern" or "body"
        heredoc_next = False
        arithmetic_next = False  # after `for`/`select`: `((` opens arithmetic
        reserved = True  # a reserved word may start here (not after an assignment or `>`)
        timed = False  # after `time`: its options `-p` and `--` may come first
        target_next = False  # the next word is a redirection's target
        while index < end:
            char = src[index]
            if char in _BLANKS:
                index += 1
                continue
            if char == "\n":
                index += 1
                if self.pending:
                    index = self.bodies(index, end)
                command_position = True
                continue
            if src.startswith("\\\n", index):
                index += 2
                continue
            if char == "#":
                index = self.comment(index, end)
                continue
            pattern = bool(case) and case[-1] == "pattern"
            if char == ")" and closing and depth == 0 and not pattern:
                return index + 1
            if src.startswith("((", index) and (command_position or arithmetic_next):
                close = self.arithmetic(index + 2, end)
                self.tokens += [(index, "(("), (close - 2, "))")]
                index, command_position, arithmetic_next = close, False, False
                continue
            operator = self.operator(index, end)
            if operator is not None:
                if heredoc_next:
                    raise Unsure("an operator where a here-document word belongs")
                self.tokens.append((index, operator))
                index += len(operator)
                if operator in ("<<", "<<-"):
                    heredoc_next = True
                    self.pending.append(("", operator == "<<-"))
                elif operator in _REDIRECTIONS:
                    reserved, target_next = False, True
                elif operator == "(" and not pattern:
                    depth += 1
                    command_position = True
                elif operator == ")" and pattern:
                    case[-1] = "body"
                    command_position = True
                elif operator == ")":
                    if depth == 0:
                        raise Unsure("a `)` bash would read as a syntax error")
                    depth -= 1
                    command_position = False
                elif operator in (";;", ";&", ";;&") and case:
                    case[-1] = "pattern"
                elif operator not in (">&-", "<&-") and not pattern:
                    command_position = True
                if operator not in _REDIRECTIONS:
                    reserved = True
                continue
            start = index
            index = self.word(index, end)
            text = src[start:index]
            self.words.append((start, index))
            if heredoc_next:
                heredoc_next = False
                self.pending[-1] = (text, self.pending[-1][1])
                continue
            if case and case[-1] in ("subject", "in"):
                if case[-1] == "in" and text != "in":
                    raise Unsure("a `case` without `in`")
                case[-1] = "in" if case[-1] == "subject" else "pattern"
                continue
            if case and text == "esac" and (pattern or command_position):
                case.pop()
                command_position = False
                continue
            if pattern:
                continue
            arithmetic_next = False
            was_timed, timed = timed, False
            if was_timed and command_position and text in ("-p", "--"):
                timed = text == "-p"  # `time -p -- (( ... ))`: a command's start follows
                continue
            was_target, target_next = target_next, False
            if not command_position or was_target:
                continue
            if not reserved:
                # After an assignment or a redirection: an assignment, or the command's name.
                command_position = bool(_ASSIGNMENT.match(text))
                continue
            if text == "[[":
                index = self.test(index, end)
                command_position = False
            elif text == "case":
                case.append("subject")
            elif text in ("for", "select"):
                arithmetic_next = True
                command_position = False
            elif text in _LEADING:
                command_position = True
                timed = text == "time"
                continue
            elif _ASSIGNMENT.match(text):
                command_position, reserved = True, False
            else:
                command_position = False
        if closing:
            raise Unsure("a substitution bash would leave open")
        if heredoc_next or case or depth:
            raise Unsure("a line bash would not finish")
        return index

    def operator(self, index: int, end: int) -> str | None:
        src = self.src
        if src[index] not in ";&|()<>":
            return None
        if src[index] in "<>" and src.startswith("(", index + 1):
            return None  # a process substitution: a word
        for operator in _OPERATORS:
            if src.startswith(operator, index) and index + len(operator) <= end:
                if operator in (">&-", "<&-") and index + 3 < end and src[index + 3] not in _BREAK:
                    continue
                return operator
        return None  # pragma: no cover - every metacharacter is an operator

    def bodies(self, index: int, end: int) -> int:
        """Skip the bodies of the pending here-documents, from the line at `index`."""
        src = self.src
        for word, strip in self.pending:
            if any(c in word for c in "$`"):
                raise Unsure("a here-document word this reader does not follow")
            quoted = any(c in word for c in "'\"\\")
            delimiter = word.replace("'", "").replace('"', "").replace("\\", "")
            while index < end:
                newline = src.find("\n", index, end)
                stop = end if newline < 0 else newline
                line = src[index:stop]
                if not quoted and line.endswith("\\"):
                    raise Unsure("a backslash-newline in a here-document")
                index = stop + 1 if newline >= 0 else end
                if (line.lstrip("\t") if strip else line) == delimiter:
                    break
        self.pending = []
        return index

    def test(self, index: int, end: int) -> int:
        """Lex `[[ ... ]]` from after `[[` to after `]]`."""
        src = self.src
        regex = False
        while index < end:
            char = src[index]
            if char in _BLANKS or char == "\n" or src.startswith("\\\n", index):
                index += 2 if char == "\\" else 1
                continue
            if char == "#":
                index = self.comment(index, end)
                continue
            if not regex:
                for operator in ("&&", "||", "(", ")", "<", ">"):
                    if src.startswith(operator, index):
                        self.tokens.append((index, operator))
                        index += len(operator)
                        break
                else:
                    operator = ""
                if operator:
                    continue
                if char in ";&|":
                    raise Unsure("an operator inside `[[ ]]`")
            start = index
            index = self.word(index, end, regex=regex)
            text = src[start:index]
            self.words.append((start, index))
            if text == "]]" and not regex:
                return index
            regex = text == "=~"
        raise Unsure("a `[[` bash would leave open")

    # -- words ---------------------------------------------------------------------------------

    def word(self, index: int, end: int, regex: bool = False) -> int:
        src = self.src
        start = index
        while index < end:
            char = src[index]
            after = self.quoting(index, end, dollar_quoted=False)
            if after is not None:
                index = after
                continue
            if char in "<>" and src.startswith("(", index + 1):
                if index != start:
                    raise Unsure("a process substitution inside a word")
                index = self.commands(index + 2, end, closing=True)
                continue
            if (char in _EXTGLOB and src.startswith("(", index + 1)) or (regex and char == "("):
                index = self.parens(index + (1 if char == "(" else 2), end)
                continue
            if char == "(" and _ASSIGNMENT.fullmatch(src[start:index]):
                index = self.array(index + 1, end)
                continue
            if regex and char == "|":
                index += 1
                continue
            if char in _BREAK:
                break
            index += 1
        if index > end:
            raise Unsure("a backslash at the end of the text")
        if index == start:
            raise Unsure("an empty word")
        return index

    def comment(self, index: int, end: int) -> int:
        """A comment from `index` to the end of its line (kept in `comments`): where it ends."""
        self.comments.append(index)
        newline = self.src.find("\n", index, end)
        return end if newline < 0 else newline

    def quoting(self, index: int, end: int, dollar_quoted: bool,
                backquote_quoted: bool = False) -> int | None:
        """After the quoting or substitution that starts at `index` (a backslash, quotes of
        each kind, a backquote, a `$`), or None when none starts there."""
        char = self.src[index]
        if char == "\\":
            return index + 2
        if char == "'":
            close = self.src.find("'", index + 1, end)
            if close < 0:
                raise Unsure("an open quote")
            return close + 1
        if char == '"':
            return self.double(index + 1, end)
        if char == "`":
            return self.backquote(index, end, quoted=backquote_quoted)
        if char == "$":
            return self.dollar(index, end, quoted=dollar_quoted)
        return None

    def double(self, index: int, end: int) -> int:
        """From after an opening `"` to after its closing one."""
        src = self.src
        while index < end:
            char = src[index]
            if char == "\\":
                index += 2
            elif char == '"':
                return index + 1
            elif char == "`":
                index = self.backquote(index, end, quoted=True)
            elif char == "$":
                index = self.dollar(index, end, quoted=True)
            else:
                index += 1
        raise Unsure("an open double quote")

    def dollar(self, index: int, end: int, quoted: bool) -> int:
        """From a `$` to after what it starts."""
        src = self.src
        following = src[index + 1: index + 3]
        if following.startswith("'") and not quoted:
            index += 2
            while index < end:
                if src[index] == "\\":
                    index += 2
                elif src[index] == "'":
                    return index + 1
                else:
                    index += 1
            raise Unsure("an open $'...' string")
        if following.startswith('"') and not quoted:
            return self.double(index + 2, end)
        if following == "((":
            return self.arithmetic(index + 3, end)
        if following.startswith("("):
            return self.commands(index + 2, end, closing=True)
        if following.startswith("{"):
            return self.brace(index + 2, end, quoted)
        if following.startswith("["):
            return self.parens(index + 2, end, "[", "]")
        return index + 1

    def brace(self, index: int, end: int, quoted: bool) -> int:
        """From after `${` to after its `}`: only an unquoted `${` nests."""
        src = self.src
        while index < end:
            char = src[index]
            if char == "}":
                return index + 1
            if char == "'" and quoted:
                raise Unsure("a single quote in a double-quoted ${...}")
            after = self.quoting(index, end, dollar_quoted=quoted, backquote_quoted=quoted)
            index = index + 1 if after is None else after
        raise Unsure("an open ${...}")

    def backquote(self, index: int, end: int, quoted: bool) -> int:
        """From an opening backquote to after its closing one; the text between is lexed as
        commands where bash's backslash removal leaves it unchanged."""
        src = self.src
        close = index + 1
        while close < end and src[close] != "`":
            close += 2 if src[close] == "\\" else 1
        if close >= end:
            raise Unsure("an open backquote")
        inner = src[index + 1: close]
        if re.search(r"\\[`$\\\"]" if quoted else r"\\[`$\\]", inner):
            raise Unsure("a backslash bash removes inside backquotes (their text is read again)")
        self.commands(index + 1, close, closing=False)
        return close + 1

    def arithmetic(self, index: int, end: int) -> int:
        """From after `((`/`$((` to after the `))` that closes it."""
        close = self.parens(index, end)
        if not self.src.startswith(")", close) or close >= end:
            raise Unsure("a `((` that does not end in `))`")
        return close + 1

    def parens(self, index: int, end: int, opening: str = "(", closing: str = ")") -> int:
        """From after an opening bracket to after its closing one (quotes and substitutions
        followed)."""
        src = self.src
        depth = 1
        while index < end:
            char = src[index]
            after = self.quoting(index, end, dollar_quoted=True)
            if after is not None:
                index = after
                continue
            if char == "\n" or (char == "#" and opening == "(" and src[index - 1] in _BLANKS):
                raise Unsure("a newline or comment inside a bracketed expression")
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return index + 1
            index += 1
        raise Unsure("an open bracket")

    def array(self, index: int, end: int) -> int:
        """From after `NAME=(` to after its `)`: words, perhaps on several lines."""
        src = self.src
        while index < end:
            char = src[index]
            if char in _BLANKS or char == "\n":
                index += 1
            elif char == ")":
                return index + 1
            elif char == "#":
                raise Unsure("a comment inside an array")
            else:
                index = self.word(index, end)
        raise Unsure("an open array")


# Nodes that are a part of one word: a node inside one that reaches further is not a word
# (a substitution's commands are words of their own).
_WORD_PARTS = frozenset({
    "concatenation", "simple_expansion", "expansion", "string", "raw_string", "ansi_c_string",
    "translated_string", "arithmetic_expansion",
    "brace_expression", "file_descriptor", "word", "number", "extglob_pattern", "regex",
})  # fmt: skip


def unsure(src: str) -> str | None:
    """Why this lexer cannot read `src` as bash would, or None (the tree is not compared:
    for a text whose tree is replaced by another reading, as here-documents are)."""
    try:
        BashWords(src)
    except Unsure as why:
        return f"text this reader does not follow as bash would ({why})"
    except (IndexError, RecursionError):  # an index past the end; nesting too deep
        return "text this reader does not follow as bash would"
    return None


def heredoc_operators(src: str) -> frozenset[int] | None:
    """The offsets of the here-document operators (`<<`, `<<-`) bash reads in `src`, or None
    where this reader does not follow `src` as bash would. A `<<` inside a pattern of `[[ ]]`
    (`@(a<<E)`), a regex's parentheses or arithmetic is text to bash: not here."""
    try:
        lexed = BashWords(src)
    except (Unsure, IndexError, RecursionError):
        return None
    return frozenset(at for at, operator in lexed.tokens if operator in ("<<", "<<-"))


def disagreement(src: str, root: Any) -> str | None:
    """Why tree-sitter's tree of `src` is not bash's reading of it, or None where they agree
    on every word's extent, every operator and every comment."""
    try:
        lexed = BashWords(src)
    except Unsure as why:
        return f"text this reader does not follow as bash would ({why})"
    except (IndexError, RecursionError):  # an index past the end; nesting too deep
        return "text this reader does not follow as bash would"
    spans: set[tuple[int, int]] = set()  # nodes that are whole words, not a part of one
    leaves: set[tuple[int, str]] = set()
    comments: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        parent = node.parent
        if parent is None or parent.type not in _WORD_PARTS or (
                parent.start_byte, parent.end_byte) == (node.start_byte, node.end_byte):
            spans.add((node.start_byte, node.end_byte))
        if node.type == "unset_command":
            # `unset a[0]`: the name and its subscript are two children of one word.
            children = node.children
            for first, child in enumerate(children):
                for last in range(first + 1, len(children)):
                    if children[last].start_byte != children[last - 1].end_byte:
                        break
                    spans.add((child.start_byte, children[last].end_byte))
        if node.type == "comment":
            comments.add(node.start_byte)
        elif node.child_count == 0:
            leaves.add((node.start_byte, node.type))
        stack.extend(node.children)
    for start, stop in lexed.words:
        if (start, stop) not in spans:
            return f"a word the parser reads otherwise than bash: {src[start:stop]!r}"
    for start, operator in lexed.tokens:
        if (start, operator) not in leaves:
            return f"an operator the parser reads otherwise than bash: {operator!r}"
    if comments != set(lexed.comments):
        return "a comment the parser reads otherwise than bash"
    return None
