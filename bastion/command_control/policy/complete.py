"""A small scanner for what tree-sitter does not tell reliably: whether the shell would wait for
more input (`is_complete`), where backslash-newline joins lines, and the here-documents. It
reads as bash does, or (`dash`) as POSIX sh (dash) does: no `$'...'`, `$"..."`, `$[...]`, `[[`,
`((`, `select`, `function`, `time`, `<<<`, `<(...)` or `|&` there."""

from __future__ import annotations

import re
from typing import NamedTuple

from bastion.command_control.policy.bash_words import heredoc_operators
from bastion.command_control.policy.heredoc import HeredocWord, _ansi_c_end, _heredoc_end, heredoc_word
from bastion.command_control.policy.parse import _parse_tree
from bastion.command_control.policy.words import _SEPARATORS, _Heredoc


class _Scan(NamedTuple):
    open: bool  # the shell would wait for more input
    heredocs: tuple[_Heredoc, ...]  # finished here-documents, in order
    continuations: tuple[int, ...]  # offsets of backslash-newline pairs the shell removes
    # Why what follows a point of the text cannot be read with confidence (a here-document
    # word or end that the shells read differently), or None. The scan stops there.
    unsure: str | None = None


_PLAIN_RUN = re.compile(r"[^\s;&|()<>'\"`\\$]+")
_OPERATORS = ("&&", "||", "|&", ";;&", ";;", ";&", "&", "|", ";")
_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done", "select": "done"}
_SH_OPENERS = {"if": "fi", "for": "done", "while": "done", "until": "done"}
_HEREDOC_WORD_UNSURE = "a here-document word that bash and sh (dash) read differently, or whose " \
                       "extent this reader does not follow"
_HEREDOC_END_UNSURE = "a here-document that bash and sh (dash) end at different lines"


def _backquote_end(src: str, index: int) -> int:
    """Where bash ends the old-style command substitution opening at `index`: after the next
    backquote no backslash escapes, whatever lies between (bash reads the body only when it
    runs it); -1 when none closes it."""
    at = index + 1
    while at < len(src):
        if src[at] == "\\":
            at += 2
            continue
        if src[at] == "`":
            return at + 1
        at += 1
    return -1


def _scan(src: str, dash: bool = False, opaque: bool = False) -> _Scan:
    """Lex `src` just enough to know what is left open at its end (quotes, substitutions,
    brackets, keyword blocks, here-documents, a trailing operator or backslash), where the
    here-documents are, and which backslash-newline pairs join lines. Read as bash reads it, a
    here-document ends at the first line where bash or dash would end it (`_heredoc_end`);
    with `dash`, everything is read as dash reads it. Where the two readings part (a
    here-document word or end they read differently), the scan stops: the text is taken as
    complete and `unsure` says why. With `opaque`, a backquoted body is read as bash 5.2's
    parser reads it: text up to the next unescaped backquote, whatever quote or opener it holds
    (attack x33i, finding 1: `` X `'` `` runs X)."""
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

    arith: dict[int, int] = {}  # stack depth of an open `$((` / `((` -> where it starts
    substitutions: set[int] = set()  # stack depths of an open `<(` / `>(`

    def dollar(quoted: bool) -> int:
        depth, at = len(stack), index
        after = _scan_dollar(src, at, stack, quoted=quoted, dash=dash)
        if len(stack) > depth and stack[-1] == "$((":
            arith[depth] = at
        return after

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
        if opaque and char == "`":
            index = _backquote_end(src, index)
            if index < 0:
                return still_open()
            command_position = dangling = False
            continue
        if top == '"':
            if char == '"':
                stack.pop()
            elif char == "`":
                stack.append("`")
                command_position = True
            elif char == "$":
                index = dollar(True)
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
                index = dollar(True)
                command_position = stack[-1] == "$("
                continue
            index += 1
            continue
        if top in ("$((", "((", "[(", "$["):
            if char == ")" and len(stack) - 1 in arith and not src.startswith("))", index):
                # No `))` closes it: bash reads `$((` as `$( (` and `((` as `( (` (a
                # subshell in a substitution: `echo $((X) )` runs X). Read again that way.
                index = arith.pop(len(stack) - 1) + (2 if top == "$((" else 1)
                stack[-1] = "$(" if top == "$((" else "("
                command_position = True
                continue
            if char == "(":
                stack.append("[(")
            elif char == ")" and top == "[(":
                stack.pop()
            elif char == ")" and src.startswith("))", index) and top != "$[":
                arith.pop(len(stack) - 1, None)
                stack.pop()
                index += 1
            elif char == "]" and top == "$[":
                stack.pop()
            elif char == "$":
                index = dollar(True)
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
            start = index
            newline = src.find("\n", index)
            index = newline if newline >= 0 else end
            quote = src.find("`", start) if "`" in stack else -1
            if 0 <= quote < index:  # bash finds the closing backquote first: it ends the comment
                index = quote
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
            index = dollar(False)
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
                arith[len(stack)] = index
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
            command_position = True
            if top in ("(", "$("):
                stack.pop()
                # A substitution's `)` (`$(…)`, `<(…)`) ends no command: the word goes on
                # (`$((1) )if` is one word to bash: attack x33i, finding 1).
                command_position = top != "$(" and len(stack) not in substitutions
                substitutions.discard(len(stack))
            index += 1
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
                substitutions.add(len(stack))
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
        return (not _scan(line).open or not _scan(line, dash=True).open
                or not _scan(line, opaque=True).open)
    except (RecursionError, ValueError):
        return True


def bodies_at(text: str, starts: tuple[int, ...], bash_only: bool = False) -> bool:
    """Whether bash and sh (dash) both read a here-document body starting at each offset in
    `starts` of `text` (`bash_only`: bash, for a shell known to be bash): the scanner finds a
    body there in each reading, and bash's own lexer (`bash_words`) an operator for each
    here-document the scanner found. The stdin gate leaves a long body out of what is judged
    and shown only where this holds (attack v31o, finding 6: a `<<` bash reads as arithmetic
    or pattern text must never hide the lines it runs)."""
    try:
        scans = (_scan(text),) if bash_only else (_scan(text), _scan(text, dash=True))
        if any(scan.open or scan.unsure for scan in scans):
            return False
        if not all(start in {h.body[0] for h in scan.heredocs} for scan in scans for start in starts):
            return False
        operators = heredoc_operators(text)
    except (RecursionError, ValueError):
        return False
    return operators is not None and all(h.operator[0] in operators for h in scans[0].heredocs)
