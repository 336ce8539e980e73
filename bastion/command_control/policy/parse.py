"""The parse: tree-sitter-bash (one parser, under a lock), the checks of its tree where
tree-sitter-bash and bash disagree (`_trusted_tree`, `_distrust`: a parse the policy cannot check
is not judged), the fast path for lines of plain words that need no parser
(`_simple_commands`), and `coproc` read as a piped compound."""

from __future__ import annotations

import re
import threading

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from bastion.command_control.policy.bash_words import disagreement
from bastion.command_control.policy.words import _NON_ASCII, _text, _Word

# Syntax nesting (substitution in substitution ...) past which the rest of a line is unknown.
_MAX_TREE_DEPTH = 100


_LANGUAGE = Language(tree_sitter_bash.language())
_PARSER = Parser(_LANGUAGE)
_PARSER_LOCK = threading.Lock()  # a tree-sitter Parser must not parse two texts at once


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
    (joined before parsing). Beyond these, bash's own reading of the words, operators and
    comments (`bash_words.disagreement`, attack p25f) must match the tree's, or the line is
    unknown. tests/test_policy_bash.py runs a corpus of such lines in bash."""
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
    if "`" in code:
        quoted = _backquotes_in_words(code, root)
        if quoted:
            # tree-sitter reads `${x:-`cmd`}`'s backquotes as a plain word, where bash runs cmd:
            # read as `$(cmd)`, the same substitution (k20i, found while fixing finding 2).
            code = _as_dollar_parens(code, quoted)
            root = _parse_tree(code)
            if _backquotes_in_words(code, root):
                return code, root, "a backquote the parser read as part of a word"
    return code, root, _distrust(code, root, newline_checked)


def _backquotes_in_words(src: str, root: Node) -> list[int]:
    """Offsets of unescaped backquotes inside word leaves (a parse that read a command
    substitution as text)."""
    found: list[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("word", "extglob_pattern"):
            text = _text(src, node)
            found += [node.start_byte + i for i, ch in enumerate(text) if ch == "`" and (
                len(text[:i]) - len(text[:i].rstrip("\\"))) % 2 == 0]
        else:
            stack.extend(node.children)
    return found


def _as_dollar_parens(src: str, offsets: list[int]) -> str:
    """`src` with the backquotes at `offsets` taken in pairs as `$(` and `)`; an odd one out
    stays (the line is then not trusted)."""
    chars = list(src)
    pairs = sorted(offsets)
    for opening, closing in zip(pairs[::2], pairs[1::2], strict=False):
        chars[opening], chars[closing] = "$(", ")"
    return "".join(chars)


_CLOSED_GLUED = re.compile(r"([0-9]+)([<>])&-")


def _distrust(src: str, root: Node, newline_checked: bool = False, bash: bool = True) -> str | None:
    """Why the tree of `src` is not a reading the policy may judge alone, or None
    (`newline_checked`: no word of this tree holds a newline, as the caller saw; `bash`: the
    tree stands for bash's reading, which bash's own lexer checks)."""
    if root.has_error:
        return "parse error"
    if _MAY_DROP.search(src) is not None and _dropped_text(src, root):
        return "parse error"
    if not newline_checked and "\n" in src and _glued_newlines(src, root):
        return "a newline the parser read as part of a word"
    if _SUBSTITUTION.search(src) and _unread_patterns(src, root):
        return "a substitution the parser read as text"
    # Words, operators and comments as bash's own lexer reads them (attack p25f, findings 5
    # to 11, 13 to 15): where tree-sitter's lexer differs, its tree is not bash's reading.
    return disagreement(src, root) if bash else None


# What runs code in a parameter expansion's pattern (`${x#$(cmd)}`, `${x,,`cmd`}`), which
# tree-sitter keeps as one `regex` leaf where bash expands it (k20i, found while fixing F2).
_SUBSTITUTION = re.compile(r"\$[(\[]|`|[<>]\(")


def _unread_patterns(src: str, root: Node) -> bool:
    """Whether a leaf the parser took for text holds a substitution bash runs: a pattern
    (`${x#$(cmd)}`), or a word (`${PWD:+<(cmd)}`: process substitution in an expansion's
    word; attack l21i, finding 2). An escaped one (`\\$(x)`) is text."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("regex", "word", "extglob_pattern"):
            text = _text(src, node)
            if any((len(text[:m.start()]) - len(text[:m.start()].rstrip("\\"))) % 2 == 0
                   for m in _SUBSTITUTION.finditer(text)):
                return True
        stack.extend(node.children)
    return False


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


_BLANK_LINES = " \t\n"  # bash's blanks and newlines: `\r`, `\f`, U+00A0... are a word's


def _dropped_text(src: str, root: Node) -> bool:
    """True when the tree leaves out source text that is not blank (to bash: attack v31o,
    finding 1's class)."""
    cursor = root.walk()
    position = 0
    while True:
        if cursor.goto_first_child():
            continue
        node = cursor.node
        start = node.start_byte
        if start > position and src[position:start].strip(_BLANK_LINES):
            # Text between the parts of an unquoted here-document body is not in any leaf.
            if root.descendant_for_byte_range(position, start).type != "heredoc_body":
                return True
        position = max(position, node.end_byte)
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return bool(src[position:].strip(_BLANK_LINES))


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
