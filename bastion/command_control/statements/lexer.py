"""`ShellLexer`: what a shell still waits for after the lines fed so far (open quotes,
substitutions, blocks, here-documents), each byte lexed once.

Part of the statement splitter (see the package docstring). Pure.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bastion.command_control.policy import heredoc_word

_SEPARATORS = frozenset(" \t\n;&|()<>")
_PLAIN_RUN = re.compile(r"[^\s;&|()<>'\"`\\$]+")
_DQ_SPECIAL = re.compile(r'["`$\\]')
_OPERATORS = ("&&", "||", "|&", ";;&", ";;", ";&", "&", "|", ";")
_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done", "select": "done"}
# In a here-document whose delimiter is not quoted, these run code when the body is expanded.
_BODY_CODE = re.compile(r"\$[({\[]|`")
_CODE_CONTEXTS = frozenset({"'", "$'", '"', "${", "$((", "((", "[(", "$["})


@dataclass(frozen=True)
class _Heredoc:
    delimiter: str
    quoted: bool
    strip: bool


@dataclass
class _Body:
    """A here-document body being read."""

    heredoc: _Heredoc
    start: int  # offset of its first line in the statement
    code: bool = False  # it expands commands: the policy must read it
    logical: str = ""  # the start of the current logical line, for the delimiter test
    joined: bool = False  # the current logical line spans physical lines
    dash_start: bool = True  # dash compares this line: a logical line starts here


@dataclass(frozen=True)
class BodySpan:
    """A finished here-document body: `start` to `end` (its delimiter line) in the statement."""

    start: int
    end: int
    code: bool


class ShellLexer:
    """What a shell would still wait for after the lines fed so far (`open`).

    Feed whole lines with `line()`, each ending in a newline (but the last one at end of
    input). `in_body` is true while a here-document body is being read.
    """

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.pending: list[_Heredoc] = []  # announced on this line, bodies start on the next
        self.pending_depth: list[int] = []  # how deep in `stack` each was announced
        self.bodies: list[_Heredoc] = []  # bodies to read, in order; the first is being read
        self.body: _Body | None = None
        self.command_position = True
        self.dangling = False
        self.function_name = False
        self.continued = False
        self.broken = False  # a here-document delimiter with an open quote: never ends
        # After `for`, `select`, `coproc`, `time -p`, `time --`: a `((` there is arithmetic to
        # bash (attack v31o, finding 6).
        self.arithmetic_next = False
        self.time_options = False  # after `time`: `-p` and `--` keep the command's start open

    @property
    def open(self) -> bool:
        """True when the shell would wait for more input before running anything."""
        return bool(self.stack or self.pending or self.bodies or self.dangling or self.continued
                    or self.broken)

    @property
    def in_body(self) -> bool:
        return bool(self.bodies)

    def line(self, src: str, offset: int = 0) -> BodySpan | None:
        """Lex one line that starts at `offset` in the statement; returns the here-document
        body that this line closed, if it did."""
        if self.bodies:
            return self._body_line(src, offset)
        self.continued = False
        self._code_line(src)
        if src.endswith("\n") and self.pending and self._in_command_context():
            self.bodies, self.pending, self.pending_depth = self.pending, [], []
        return None

    def _in_command_context(self) -> bool:
        return not self.stack or self.stack[-1] not in _CODE_CONTEXTS

    # -- here-document bodies ---------------------------------------------------------------

    def _body_line(self, src: str, offset: int) -> BodySpan | None:
        """One line of a here-document body: whether it ends the body, as
        `policy._heredoc_end` reads it. Where bash and dash would end it apart (bash at a
        logical line that a backslash-newline joined, or inside `$(...)` at `EOF)`; inside
        backquotes at a backquote), the lexer is `broken`: the rest of the input is one
        statement, judged whole."""
        heredoc = self.bodies[0]
        if self.body is None:
            self.body = _Body(heredoc, offset)
        state = self.body
        raw = src[:-1] if src.endswith("\n") else src
        if not heredoc.quoted and not state.code and _BODY_CODE.search(src):
            state.code = True
        if "`" in self.stack and "`" in raw:
            # The substitution's text, and the body with it, ends at the backquote: at the end
            # of a delimiter line (x=`cat <<EOF ... EOF`) both shells agree; elsewhere, unsure.
            before = raw[: raw.index("`")]
            if state.joined or "\\" in before or (
                    before.lstrip("\t") if heredoc.strip else before) != heredoc.delimiter:
                self._unsure_body()
                return None
            self.bodies.pop(0)
            self.body = None
            self.command_position = True
            rest = src[len(before):]
            self._code_line(rest)
            if rest.endswith("\n") and self.pending and self._in_command_context():
                self.bodies, self.pending, self.pending_depth = self.pending, [], []
            return BodySpan(state.start, offset, state.code)
        # bash joins backslash-newline (delimiter unquoted) and compares the logical line, its
        # leading tabs removed for <<-; dash skips backslash-newlines where a line starts,
        # then tabs, then compares the rest of that physical line.
        logical = state.logical + raw
        if heredoc.strip:
            logical = logical.lstrip("\t")
        if (not heredoc.quoted and src.endswith("\\\n")
                and (len(raw) - len(raw.rstrip("\\"))) % 2 == 1):
            # Only the first len(delimiter) + 1 characters matter to the comparison.
            state.logical = logical[:-1][: len(heredoc.delimiter) + 1]
            state.dash_start = state.dash_start and raw == "\\"
            state.joined = True
            return None
        dash_start = state.dash_start
        state.logical, state.joined, state.dash_start = "", False, True
        if logical != heredoc.delimiter:
            if "$(" in self.stack and logical.startswith(heredoc.delimiter) and \
                    logical[len(heredoc.delimiter):].lstrip(" \t").startswith(")"):
                self._unsure_body()  # bash ends it here (and the substitution), dash does not
            return None
        if not dash_start or (raw.lstrip("\t") if heredoc.strip else raw) != logical:
            self._unsure_body()  # bash ends it at a joined line, dash does not
            return None
        self.bodies.pop(0)
        self.body = None
        self.command_position = True
        return BodySpan(state.start, offset, state.code)

    def _unsure_body(self) -> None:
        self.bodies.clear()
        self.body = None
        self.broken = True

    @property
    def body_is_code(self) -> bool:
        """The body being read expands commands (or none is being read)."""
        return self.body is None or self.body.code

    def skip_pattern(self) -> re.Pattern[bytes] | None:
        """A pattern for what could change the state now; lines before a line where it matches
        may be taken whole without lexing. None when every line must be lexed."""
        if self.bodies:
            if self.body is None or self.body.logical or self.body.joined or \
                    "`" in self.stack or "$(" in self.stack:
                return None
            return _skip_body(self.bodies[0], self.body.code)
        top = self.stack[-1] if self.stack else ""
        if top == "'":
            return _SKIP_SINGLE
        if top == '"':
            return _SKIP_DOUBLE
        return None

    # -- code -------------------------------------------------------------------------------

    def _code_line(self, src: str) -> None:
        stack = self.stack
        index, end = 0, len(src)
        while index < end:
            top = stack[-1] if stack else ""
            if top == "'":
                close = src.find("'", index)
                if close < 0:
                    return
                stack.pop()
                index = close + 1
                continue
            if top == "$'":
                index = self._ansi_c(src, index)
                continue
            char = src[index]
            if char == "\\":
                if index + 1 >= end:
                    self.continued = True
                    return
                if src[index + 1] == "\n":
                    self.continued = True
                index += 2
                self.command_position = self.dangling = False
                continue
            if top == '"':
                match = _DQ_SPECIAL.search(src, index)
                if match is None:
                    return
                index = match.start()
                char = src[index]
                if char == '"':
                    stack.pop()
                    index += 1
                elif char == "`":
                    stack.append("`")
                    self.command_position = True
                    index += 1
                elif char == "$":
                    index = self._dollar(src, index, quoted=True)
                    self.command_position = stack[-1] == "$("
                continue  # a backslash is handled at the top of the loop
            if top == "${":
                if char == "}":
                    stack.pop()
                elif char == "'":
                    stack.append("'")
                elif char in '"`':
                    stack.append(char)
                    self.command_position = char == "`"
                elif char == "$":
                    index = self._dollar(src, index, quoted=True)
                    self.command_position = stack[-1] == "$("
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
                    index = self._dollar(src, index, quoted=True)
                    continue
                elif char == '"':
                    stack.append('"')
                elif char == "`":
                    stack.append("`")
                index += 1
                continue
            # Command context: top level, ( ), $( ), ` `, and the keyword blocks.
            if char == "\n":
                self.command_position = True
                index += 1
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
                self.command_position = self.dangling = False
                if close < 0:
                    stack.append("'")
                    return
                index = close + 1
                continue
            if char == '"':
                stack.append('"')
                index += 1
                self.command_position = self.dangling = False
                continue
            if char == "`":
                if top == "`":
                    self._close_substitution()
                    stack.pop()
                    self.command_position = False
                else:
                    stack.append("`")
                    self.command_position = True
                index += 1
                self.dangling = False
                continue
            if char == "$":
                index = self._dollar(src, index)
                self.command_position = bool(stack) and stack[-1] == "$(" and src[index - 1] == "("
                self.dangling = False
                continue
            if char in "&|;":
                operator = next(op for op in _OPERATORS if src.startswith(op, index))
                if operator == "&" and src.startswith("&>", index):
                    index += 3 if src.startswith("&>>", index) else 2
                    continue
                self.dangling = operator in ("&&", "||", "|", "|&")
                self.command_position = True
                index += len(operator)
                continue
            if char == "(":
                glued = index > 0 and src[index - 1] not in _SEPARATORS
                if (self.command_position or self.arithmetic_next) and not glued \
                        and src.startswith("((", index):
                    stack.append("((")
                    index += 2
                else:
                    # A parenthesis glued to a word (`@(`, `a=(`) or where no command starts
                    # (`x == @(`...) may be a pattern's or an array's: bash reads `<<` there as
                    # text, never a here-document (`_redirection`).
                    stack.append("(" if self.command_position and not glued else "(?")
                    index += 1
                self.command_position = True
                self.arithmetic_next = self.time_options = False
                continue
            if char == ")":
                if top == "$(":
                    self._close_substitution()
                if top in ("(", "(?", "$("):
                    stack.pop()
                index += 1
                self.command_position = True
                continue
            if char in "<>":
                index = self._redirection(src, index)
                continue
            match = _PLAIN_RUN.match(src, index)
            if match is None:
                index += 1
                continue
            index = match.end()
            self._word(match.group(), top,
                       at_start=match.start() == 0 or src[match.start() - 1] in _SEPARATORS,
                       at_end=index >= end or src[index] in _SEPARATORS)

    def _close_substitution(self) -> None:
        """A `$(...)` or backquote closes on the line that announced here-documents inside it:
        inside backquotes their bodies are empty in both shells; inside `$(...)` bash reads them
        from the next lines and dash does not (`policy._scan`): the rest is one statement."""
        inside = [i for i, depth in enumerate(self.pending_depth) if depth >= len(self.stack)]
        if not inside:
            return
        if self.stack[-1] == "$(":
            self.broken = True
        self.pending = [h for i, h in enumerate(self.pending) if i not in inside]
        self.pending_depth = [d for i, d in enumerate(self.pending_depth) if i not in inside]

    def _word(self, word: str, top: str, *, at_start: bool, at_end: bool) -> None:
        stack = self.stack
        self.dangling = False
        if top == "esac?" and word == "in":
            stack[-1] = "esac"
            self.command_position = True
            return
        if top == "]]" and word == "]]":
            stack.pop()
            self.command_position = False
            return
        self.arithmetic_next = False
        time_options, self.time_options = self.time_options, False
        if not (self.command_position and at_start and at_end):
            self.command_position = self.function_name
            self.function_name = False
            return
        if time_options and word in ("-p", "--"):
            self.time_options = word == "-p"
            return  # `time -p (( ... ))`: still a command's start
        if word in _OPENERS:
            stack.append(_OPENERS[word])
            self.command_position = word in ("if", "while", "until")
            self.arithmetic_next = word in ("for", "select")
        elif word in ("then", "else", "elif", "do", "!", "time", "{", "coproc"):
            if word == "{":
                stack.append("}")
            self.command_position = True
            self.time_options = word == "time"
        elif word in ("fi", "done", "esac", "}"):
            if top == word:
                stack.pop()
            self.command_position = False
        elif word == "case":
            stack.append("esac?")
            self.command_position = False
        elif word == "[[":
            stack.append("]]")
            self.command_position = False
        elif word == "function":
            self.command_position, self.function_name = False, True
        else:
            self.command_position = self.function_name
            self.function_name = False

    def _ansi_c(self, src: str, index: int) -> int:
        """Inside $'...': the index after its closing quote, or the end of the line."""
        position, end = index, len(src)
        while position < end:
            char = src[position]
            if char == "\\":
                position += 2
                continue
            if char == "'":
                self.stack.pop()
                return position + 1
            position += 1
        return end

    def _dollar(self, src: str, index: int, quoted: bool = False) -> int:
        """Step over a `$` construct, pushing what it opens. Inside double quotes (`quoted`)
        `$'` and `$"` are not quotes."""
        following = src[index + 1: index + 3]
        if following.startswith("'") and not quoted:
            self.stack.append("$'")
            return self._ansi_c(src, index + 2)
        if following == "((":
            self.stack.append("$((")
            return index + 3
        for opener, pushed in (("(", "$("), ("{", "${"), ("[", "$["), ('"', '"')):
            if following.startswith(opener) and not (quoted and opener == '"'):
                self.stack.append(pushed)
                return index + 2
        return index + 1

    def _redirection(self, src: str, index: int) -> int:
        if src.startswith("<<<", index):
            return index + 3
        if src.startswith("<<", index) and ("]]" in self.stack or "(?" in self.stack):
            # Inside `[[ ]]` or a parenthesis that may be a pattern's or an array's
            # (`[[ x == @(a<<E) ]]`, `a=(x<<E)`), bash reads `<<` as text and dash a
            # here-document; the lines after it may be commands or a body (attack v31o,
            # finding 2): nothing after it is cut on a guess (the rest is one statement).
            self.broken = True
            return len(src)
        if src.startswith("<<", index):
            strip = src.startswith("<<-", index)
            word = heredoc_word(src, index + (3 if strip else 2), "`" in self.stack)
            if word.delimiter is None or not word.sure:
                # An open quote (the shell waits on), or a word bash and dash read apart, or
                # one whose extent is not followed here: nothing after it is read with
                # confidence, so the rest of the input is this one statement.
                self.broken = True
                return len(src)
            if word.delimiter or word.quoted:
                self.pending.append(_Heredoc(word.delimiter, word.quoted, strip))
                self.pending_depth.append(len(self.stack))
            return word.end
        if src.startswith(("<(", ">("), index):
            self.stack.append("(")
            self.command_position = True
            return index + 2
        return index + 1


_SKIP_SINGLE = re.compile(rb"'")
_SKIP_DOUBLE = re.compile(rb'["`$\\]')


@functools.lru_cache(maxsize=256)
def _skip_body(heredoc: _Heredoc, code: bool) -> re.Pattern[bytes]:
    line = rb"^\t*" if heredoc.strip else rb"^"
    alternatives = [line + re.escape(heredoc.delimiter.encode("latin-1")) + rb"$"]
    if not heredoc.quoted:
        alternatives.append(rb"\\$")  # a backslash-newline joins lines
        if not code:
            alternatives.append(_BODY_CODE.pattern.encode())
    return re.compile(b"|".join(alternatives), re.M)
