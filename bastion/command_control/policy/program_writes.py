"""The files particular programs write, each read from its own words:
mktemp, sqlite3 (its dot-commands), ssh-keygen, git config, git, and bash's history (curl,
wget and the programs a configuration drives: configured_writes; sed, gawk and m4: scripts; tar: tar)."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

from bastion.command_control.policy.git_options import _git_operands
from bastion.command_control.policy.options import (
    _after_options,
    _last_argument,
    _options,
    _scan_options,
)
from bastion.command_control.policy.paths import PathArg, _descriptor_file, _path_arg
from bastion.command_control.policy.programs import _GIT_PLAIN_SETTINGS
from bastion.command_control.policy.sql_targets import setting_targets, written_targets
from bastion.command_control.policy.sqlite_tokens import sqlite_plain
from bastion.command_control.policy.words import _GLOB_CHARS, _at, _Word
from bastion.command_control.policy.wrappers import _git_verb_index

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


# sqlite3's options (one dash or two) and how many words each takes: -lookaside and -pagecache
# take two (`-lookaside SIZE N`), so that the database is the word after both.
_SQLITE_ARGUMENTS = {**dict.fromkeys(("cmd", "init", "separator", "newline", "nullvalue", "vfs", "mmap",
                                      "heap", "maxsize", "escape", "threadsafe", "sorterref", "nonce"), 1),
                     "lookaside": 2, "pagecache": 2}
# found after outside attack G (finding 3): sqlite3 takes a dot command by any start of its name
# (`.sh`, `.o`), so a word that starts one of these names is taken for each: those that run the
# shell, write the file they name (`|cmd`: code), read commands or data from one (`|cmd`: code;
# a descriptor: text fed to the line), or do what the policy does not follow.
_SQLITE_CODE = ("shell", "system")
_SQLITE_WRITES = ("output", "once", "log", "backup", "save", "clone", "trace", "iotrace", "open")
_SQLITE_READS = ("read", "import")
_SQLITE_OPAQUE = ("excel", "load", "cd", "archive", "ar", "www", "edit")
_SQLITE_DOT_LINE = re.compile(r"(?m)^[ \t]*\.(.*)$")
# sqlite3's resolve_backslashes (3.40): `\a \b \t \n \v \f \r`, up to three octal digits
# (modulo 256), and any other character stands for itself, the backslash gone.
_SQLITE_ESCAPES = {ord(k): ord(v) for k, v in zip("abtnvfr", "\a\b\t\n\v\f\r", strict=True)}
_SQLITE_MAX_WORDS = 51  # azArg[52]: the words after the 51st are dropped
_SQLITE_SQL_FILE = re.compile(r"(?i)\b(?:attach(?:\s+database)?|vacuum(?:\s+\w+\s+|\s+|\s*(?:'(?:[^']|'')*'"
                              r"|\"(?:[^\"]|\"\")*\"|\[[^\]]*\]|`[^`]*`)\s*)into"
                              r"|writefile\s*\()\s*(?:'([^']*)'|(\S))")


class _Sqlite(NamedTuple):
    database: _Word | None
    texts: list[_Word]  # SQL and dot commands given on the line (-cmd and operands)
    init: list[_Word]  # -init FILE: commands read from FILE
    archive: bool  # -A: an archive command, which may extract files
    reads_stdin: bool  # no SQL operand: commands are read from stdin


def _sqlite_words(words: list[_Word]) -> _Sqlite:
    """sqlite3's words: `sqlite3 [OPTIONS] [DATABASE [SQL...]]`. sqlite3 reads an option
    anywhere (found after outside attack W, finding 7: `sqlite3 DB SQL -cmd '.shell x'`, `DB -A
    -x`), and `-A` takes every word after it as an archive command."""
    texts: list[_Word] = []
    init: list[_Word] = []
    operands: list[_Word] = []
    archive = False
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None or not value.startswith("-") or value == "-":
            operands.append(word)
            continue
        option = value[2:] if value.startswith("--") else value[1:]
        if option.startswith("A") or option == "archive":
            archive = True
            break
        taken = words[index: index + _SQLITE_ARGUMENTS.get(option, 0)]
        index += len(taken)
        if option == "cmd":
            texts += taken
        elif option == "init":
            init += taken
    database = operands[0] if operands else None
    return _Sqlite(database, texts + operands[1:], init, archive, len(operands) < 2)


def _sqlite_unescape(word: str) -> str:
    """A word as sqlite3's resolve_backslashes leaves it (found after outside attack X, finding
    1: `"/etc/\\163udoers"` is /etc/sudoers): C escapes and octal bytes decoded, the word cut at
    a NUL byte as C cuts it; bytes that are not UTF-8 read as U+FFFD."""
    raw = word.encode("utf-8", "surrogateescape")
    decoded = bytearray()
    index = 0
    while index < len(raw):
        byte = raw[index]
        if byte == 0x5C and index + 1 < len(raw):
            index += 1
            byte = _SQLITE_ESCAPES.get(raw[index], raw[index])
            if 0x30 <= raw[index] <= 0x37:
                value = raw[index] - 0x30
                for _ in range(2):
                    if index + 1 < len(raw) and 0x30 <= raw[index + 1] <= 0x37:
                        index += 1
                        value = value * 8 + raw[index] - 0x30
                byte = value & 0xFF
        if byte == 0:
            break
        decoded.append(byte)
        index += 1
    return decoded.decode("utf-8", "replace")


def _sqlite_arguments(text: str) -> list[str]:
    """A dot command's words split and decoded as sqlite3's shell does (3.40; the command's
    name is the first): on blanks; a word that opens with `'` or `"` runs to the same quote (or
    the line's end) and ends there, a backslash escaping the quote in a double-quoted one; a
    bare word ends at a blank. Double-quoted and bare words are unescaped (_sqlite_unescape),
    single-quoted ones kept; words after the 51st are dropped as sqlite3 drops them."""
    arguments: list[str] = []
    index, size = 0, len(text)
    while index < size and len(arguments) < _SQLITE_MAX_WORDS:
        while index < size and text[index].isspace():
            index += 1
        if index >= size:
            break
        quote = text[index] if text[index] in "'\"" else ""
        start = index + 1 if quote else index
        index = start
        while index < size and (text[index] != quote if quote else not text[index].isspace()):
            index += 2 if text[index] == "\\" and quote == '"' and index + 1 < size else 1
        word = text[start:index]
        index += 1 if quote and index < size else 0
        arguments.append(word if quote == "'" else _sqlite_unescape(word))
    return arguments


def _sqlite_file(name: str) -> PathArg | None:
    """The file a database name opens, None for none: sqlite3 opens names as URIs (`file:PATH`
    with an empty or `localhost` authority, percent escapes, `?mode=...`), `:memory:` and
    `mode=memory` make no file."""
    if not name.startswith("file:"):
        return None if name in ("", ":memory:") else PathArg(name, "exact", name.startswith("~"))
    rest, _, query = name[5:].partition("?")
    rest = rest.partition("#")[0]
    if rest.startswith("//"):
        authority, _, path = rest[2:].partition("/")
        if authority not in ("", "localhost"):
            return PathArg(f"(a database URI sqlite3 refuses: {name})", "unknown")
        rest = f"/{path}"
    path = unquote(rest)
    if path in ("", ":memory:") or "mode=memory" in query.split("&"):
        return None
    return PathArg(path)


def _sqlite_dot(line: str) -> tuple[list[PathArg], list[str | None], list[str]]:
    """What one dot command does: files written, code run (None: unknown), and files it reads
    commands or data from."""
    match = _SQLITE_DOT_LINE.match(line)
    if match is None:
        return [], [], []
    # The name is a word like the others: `. shell`, `."shell"`, `.\\163hell` all run .shell.
    command, *arguments = _sqlite_arguments(match.group(1)) or [""]
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
            # `.once |cmd a b`: sqlite3 joins the words after the pipe's with blanks, their
            # quotes gone, and hands them to sh (attack W, finding 7); .read and .import run
            # their one word.
            piped = arguments[arguments.index(operands[0]):]
            codes.append(" ".join([piped[0][1:], *piped[1:]]) if name in ("output", "once")
                         else piped[0][1:])
        elif name in _SQLITE_READS:
            reads += operands[:1]
        elif operands:
            written = _sqlite_file(operands[-1])
            paths += [written] if written is not None else []
    return paths, codes, reads


def sqlite_sql_writes(text: str) -> list[PathArg]:
    """The files sqlite3's ATTACH, VACUUM INTO and writefile() in `text` write; one not
    written as a literal (`'/e'||'tc/x'`: attack a36f, finding 27), and a PRAGMA given a path
    (`temp_store_directory='/etc/x'`), are unknown. Read as sqlite tokenises it (comments
    blanks, quoted names plain: attack b37f, finding 6)."""
    text = sqlite_plain(text)
    paths = [_sqlite_file(literal) if not other else PathArg("(a file SQL names)", "unknown")
             for literal, other in _SQLITE_SQL_FILE.findall(text)]
    if (_SQLITE_SQL_FILE.search(text) and written_targets(text)[1]) or (not paths and re.search(
            r"(?is)\bvacuum\b[^;]*\binto\b", text)) or (
            re.search(r"(?i)\bpragma\b", text) and setting_targets(text)[1]):
        paths.append(PathArg("(a file SQL names by an expression or a PRAGMA)", "unknown"))
    return [path for path in paths if path is not None]


def _sqlite_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """sqlite3 DB: the database is written; dot commands by any start of their name: `.output`,
    `.once`, `.log`, `.backup`, `.save`, `.clone`, `.trace`, `.open` FILE write FILE (`|cmd`:
    code), `.shell` and `.system` run code, `.read` and `.import` `|cmd` run code, and commands
    read from a descriptor (`.read /dev/stdin`, `-init /dev/stdin`) or from a file known only
    at run time are unknown; ATTACH, VACUUM INTO and writefile() write the file they name (one
    not written as a literal: unknown)."""
    parts = _sqlite_words(words)
    database = parts.database
    paths = [] if database is None else [_path_arg(database)] if database.value is None or not \
        database.value.startswith("file:") else [p for p in [_sqlite_file(database.value)] if p]
    codes: list[str | None] = [None] if parts.archive else []
    reads: list[str | None] = [w.value for w in parts.init]
    for text in parts.texts:
        if text.value is None:
            codes.append(None)
            continue
        lines = text.value.splitlines()
        if len(lines) > 1 and text.value.startswith("."):
            # sqlite3 runs a word given on its line as one dot command, its newlines blanks
            # (`$'.once |tee F\nx'` runs `tee F x`); read line by line as well.
            lines.append(" ".join(lines))
        for line in lines:
            written, ran, read = _sqlite_dot(line)
            paths += written
            codes += ran
            reads += read
        paths += sqlite_sql_writes(text.value)
        if re.search(r"(?i)\b(load_extension|edit)\s*\(", sqlite_plain(text.value)):
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


_GIT_CONFIG_READS = frozenset({"-l", "--list", "get", "list", "unset"})


def _git_config_setting(words: list[_Word]) -> _Word | None:
    """`config [options] KEY VALUE` (git's words from the subcommand on; also `config set KEY
    VALUE`, `--add`, `--replace-all`): KEY=VALUE as one word, for any key outside
    `_GIT_PLAIN_SETTINGS` (to be judged as `-c KEY=VALUE` is); None otherwise. A key or value
    known only at run time: a word whose value is None."""
    if not words or words[0].value != "config" or any(
            (w.value or "").startswith(("--get", "--unset")) or w.value in _GIT_CONFIG_READS
            for w in words[1:2] + [w for w in words[2:] if (w.value or "").startswith("-")]):
        return None  # it reads or removes a setting (`--get alias.x PATTERN`)
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
    if _GIT_PLAIN_SETTINGS.fullmatch(key.value.lower()) and "ext::" not in (value.value or "ext::") \
            and not (key.value.lower() == "safe.directory" and "*" in (value.value or "*")):
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


# found after outside attack G (finding 5): files in a directory an option names.
def _in_folder(folder: _Word | None, name: str) -> PathArg:
    if folder is None:
        return PathArg(name, "pattern" if "*" in name else "exact")
    if folder.value is None:
        return PathArg(folder.text, "unknown")
    base = folder.value.rstrip("/") or "/"
    joiner = "" if base.endswith("/") else "/"
    return PathArg(f"{base}{joiner}{name}", "pattern" if "*" in name else "exact",
                   base.startswith("~") and folder.text.startswith("~"))


# found after outside attack K (finding 3): subcommands that write files of the work tree, and
# those of them that take the files to write as pathspecs (after `--`, or any operand).
_GIT_TREE_WRITERS = frozenset({
    "apply", "am", "checkout", "restore", "reset", "stash", "merge", "pull", "switch", "rebase",
    "cherry-pick", "revert", "read-tree", "checkout-index", "clean", "rm", "mv", "submodule",
    "sparse-checkout", "bisect",
})  # fmt: skip
_GIT_PATCHES = frozenset({"apply", "am"})
_GIT_READS_ONLY = {"apply": {"--check", "--stat", "--numstat", "--summary"},
                   "stash": {"list", "show", "create", "store"},
                   "reset": set(), "bisect": {"log", "visualize", "view"},
                   "submodule": {"status", "summary", "foreach"}}


def _git_work_tree(words: list[_Word], values: dict[str, str | None]) -> _Word | None:
    """The work tree git writes in: `--work-tree=DIR`, GIT_WORK_TREE set on the line, `-C DIR`
    (each relative to the one before), or None for the line's own directory. A value known
    only at run time: a word whose value is None."""
    tree: _Word | None = None
    moved: str | None = ""
    index = 1
    end = _git_verb_index(words)
    while index < end:
        value = words[index].value
        argument = _at(words, index + 1)
        if value == "-C" and argument is not None:
            if argument.value is None or moved is None:
                moved = None
            elif argument.value.startswith("/") or not moved:
                moved = argument.value
            else:
                moved = f"{moved.rstrip('/')}/{argument.value}"
        elif value == "--work-tree" and argument is not None:
            tree = argument
        elif value is not None and value.startswith("--work-tree="):
            tree = _Word(value.partition("=")[2], words[index].text)
        elif value == "-c" and argument is not None and (argument.value is None or (
                argument.value.lower().startswith("core.worktree="))):
            tree = _Word(argument.value and argument.value.partition("=")[2], argument.text)
        elif value is None:
            return _Word(None, words[index].text)
        index += 2 if value in ("-C", "-c", "--git-dir", "--work-tree", "--namespace",
                                "--config-env") else 1
    if tree is None and "GIT_WORK_TREE" in values:
        found = values["GIT_WORK_TREE"]
        tree = _Word(found, found if found is not None else "$GIT_WORK_TREE")
    if moved is None:
        return _Word(None, "-C (a directory known only at run time)")
    if tree is not None and tree.value is not None and moved and not tree.value.startswith(("/", "~")):
        return _Word(f"{moved.rstrip('/')}/{tree.value}", tree.text)
    return tree if tree is not None else (_Word(moved, moved) if moved else None)


def _git_tree_writes(words: list[_Word], values: dict[str, str | None]) -> list[PathArg]:
    """What a git subcommand among _GIT_TREE_WRITERS writes in the work tree: the files a
    patch names (unknown), the pathspecs after `--` (`checkout HEAD -- sudoers`: TREE/sudoers),
    `rm`'s and `mv`'s operands, or anything in it (TREE/**)."""
    index = _git_verb_index(words)
    sub = words[index:]
    verb = sub[0].value if sub else None
    if verb not in _GIT_TREE_WRITERS:
        return []
    options = {w.value for w in sub[1:] if w.value is not None}
    operands = [w for w in sub[1:] if w.value is None or not w.value.startswith("-")]
    first = operands[0].value if operands else None
    if verb == "reset" and not options & {"--hard", "--merge", "--keep"}:
        return []
    # A bare `git stash` (push) puts the work tree back to HEAD: a write; bare bisect and
    # submodule only show.
    if (verb in ("bisect", "submodule") and not operands) or (
            verb in ("stash", "bisect", "submodule") and first in _GIT_READS_ONLY[verb]):
        return []
    if verb == "apply" and options & _GIT_READS_ONLY["apply"] and "--apply" not in options:
        return []
    tree = _git_work_tree(words, values)
    if tree is not None and tree.value is None:
        return [PathArg(tree.text, "unknown")]
    if verb in _GIT_PATCHES:
        return [PathArg("(the files the patch names)", "unknown")]
    named: list[_Word] = []
    if "--" in options:
        named = sub[[w.value for w in sub].index("--") + 1:]
    elif verb in ("rm", "mv"):
        named = operands
    if any(w.value is not None and w.value.startswith("--pathspec-f") for w in sub[1:]):
        return [PathArg("(the pathspecs a file names)", "unknown")]
    if named:
        return [p for w in named for p in _git_pathspec(tree, w)]
    return [_in_folder(tree, "**")]


def _git_pathspec(tree: _Word | None, word: _Word) -> list[PathArg]:
    """What a pathspec names in the work tree (attack s28f, finding 16): the path and, as it
    may be a folder, all it holds (`git -C /etc rm -rf .`: /etc/**); a wildcard (which git
    lets cross `/`) or a magic word (`:(glob)**`, `:!x`) any file of TREE; `:/` and `:(top)`
    the top of a repository whose place is not read here."""
    value = word.value
    if value is None:
        return [_path_arg(word)]
    if value.startswith(":") and (value[1:2] in ("/", "^") or "top" in value.partition(")")[0]):
        return [PathArg(f"(the top of the repository: {value})", "unknown")]
    if value.startswith(":") or _GLOB_CHARS.search(value):
        return [_in_folder(tree, "**")]
    path = _in_folder(tree, value) if not value.startswith(("/", "~")) else _path_arg(word)
    if path.kind != "exact":
        return [path]
    return [path, PathArg(f"{path.text.rstrip('/')}/**", "pattern", path.tilde)]


# found after outside attack O (finding 2, its class): git subcommands' options that name a file
# they write, or a folder they write in (and make).
_GIT_FILE_OPTIONS = {
    "fast-export": frozenset({"--export-marks"}), "index-pack": frozenset({"-o"}),
    "fast-import": frozenset({"--export-marks", "--export-pack-edges"}),
    "read-tree": frozenset({"--index-output"}), "apply": frozenset({"--build-fake-ancestor"}),
    "credential-store": frozenset({"--file"}), "credential-cache": frozenset({"--socket"}),
    "daemon": frozenset({"--pid-file"}),
}  # fmt: skip
_GIT_FOLDER_OPTIONS = {
    "bugreport": frozenset({"-o", "--output-directory"}), "mailsplit": frozenset({"-o"}),
    "diagnose": frozenset({"-o", "--output-directory"}), "init": frozenset({"--separate-git-dir"}),
    "clone": frozenset({"--separate-git-dir"}), "commit-graph": frozenset({"--object-dir"}),
    "multi-pack-index": frozenset({"--object-dir"}),
}  # fmt: skip


def _git_named_writes(verb: str | None, sub: list[_Word], operands: list[_Word]) -> list[PathArg]:
    """The files `_GIT_FILE_OPTIONS` and `_GIT_FOLDER_OPTIONS` name, checkout-index's --prefix
    (PREFIX then any name), mailinfo's MSG and PATCH, merge-file's current file (unless it
    writes to stdout: -p), pack-objects' BASE-*."""
    found = _after_options(sub, _GIT_FILE_OPTIONS.get(verb, frozenset()))
    for folder in _after_options(sub, _GIT_FOLDER_OPTIONS.get(verb, frozenset())):
        word = _Word(folder.text, folder.text) if folder.kind != "unknown" else _Word(None, folder.text)
        found += [folder, _in_folder(word, "**")]
    stdout = any(w.value in ("-p", "--stdout") for w in sub[1:])
    if verb == "checkout-index":
        found += [PathArg(p.text + "**", "pattern", p.tilde) if p.kind != "unknown" else p
                  for p in _after_options(sub, frozenset({"--prefix"}))]
    elif verb == "mailinfo":
        found += [_path_arg(w) for w in operands[:2]]
    elif verb == "merge-file" and not stdout:
        found += [_path_arg(w) for w in operands[:1]]
    elif verb == "pack-objects" and not stdout:
        found += [PathArg(w.text, "unknown") if w.value is None else PathArg(
            f"{w.value}-*", "pattern") for w in operands[:1]]
    return found


def _git_writes(words: list[_Word], values: dict[str, str | None] | None = None) -> list[PathArg]:
    """`git archive -o F`, `bundle create F`, `format-patch -o DIR`, `worktree add DIR`, `init
    DIR`, `clone URL DIR` (the tree they make: DIR/**), what the subcommands that write the
    work tree write (`_git_tree_writes`), and `--output=F` (any start of the name) given to any
    subcommand."""
    index = _git_verb_index(words)
    sub = words[index:]
    verb = sub[0].value if sub else None
    operands = [w for w in sub[1:] if w.value is None or not w.value.startswith("-")]
    if verb == "archive":
        return _after_options(sub, frozenset({"-o", "--output"}))
    # `git log --output=F` writes F with the format the line chose (attack M); so do reflog,
    # rev-list, shortlog, `stash show`... every command that takes the diff or log options,
    # more of them with each release (attack O, finding 2): the option is a write of its file
    # whatever the subcommand (`--output-indicator-*` sets a character).
    written = _after_options(sub, frozenset({"--output"})) + _git_named_writes(verb, sub, operands)
    if verb in _GIT_TREE_WRITERS:
        return written + _git_tree_writes(words, values or {})
    if verb == "format-patch":
        return written + [_in_folder(_Word(p.text, p.text) if p.kind != "unknown" else _Word(
            None, p.text), "*") for p in _after_options(sub, frozenset({"-o", "--output-directory"}))]
    tree: list[_Word] = []
    pair = f"{verb} {sub[1].value}" if verb in ("worktree", "bundle") and len(sub) > 1 else ""
    if verb in ("clone", "init") or pair in ("worktree add", "bundle create"):
        # Options that take a value skipped as git skips them (`clone -b B SRC DEST`: attack W,
        # finding 8); one the table does not know may take one: the folder is unknown.
        key = pair or str(verb)
        read = _git_operands(key, sub)
        if read is None:
            return [*written, PathArg(f"(what git {key} writes, after an option the policy "
                                      "does not read)", "unknown")]
        if pair == "bundle create":
            return [*written, *(_path_arg(w) for w in read[:1])]
        tree = read[1:2] if verb == "clone" else read[:1]
        if not tree and pair != "worktree add":
            # found after outside attack X (finding 12): with no folder named, init makes .git
            # in the working directory (`git -C /etc/sudoers.d init`), clone a folder named
            # after the URL there (NAME, or NAME.git with --bare).
            names = [".git"] if verb == "init" else _clone_names(read[0] if read else None)
            return [*written, *(p for n in names for p in (
                PathArg(n, "pattern" if "*" in n else "exact"), PathArg(f"{n}/**", "pattern")))]
    return written + [p for w in tree for p in (_path_arg(w), _in_folder(w, "**"))]


def _clone_names(source: _Word | None) -> list[str]:
    """The folder `git clone SOURCE` makes when it is given none: SOURCE's last part without
    `.git` (and with it, for --bare), or any name when SOURCE is known only at run time."""
    value = (source.value or "") if source is not None else ""
    value = value.rstrip("/").removesuffix("/.git")
    name = re.split(r"[/:]", value)[-1].removesuffix(".git")
    if not name or name in (".", "..") or _GLOB_CHARS.search(name):
        return ["*"]
    return [name, f"{name}.git"]


# found after outside attack O (finding 1): bash's history builtin reads its options as getopt
# does (`-wn` a cluster, `--` their end; only -d takes a value) and writes its first operand.
_HISTORY = _options("d")


def _history_writes(words: list[_Word]) -> list[PathArg]:
    """`history -w FILE`, `history -a FILE` (also `-w -- FILE`, `-cw FILE`): FILE, the history
    list with any text `history -s` put there. Without FILE it writes HISTFILE, which the
    line's assignments name (rules on `HISTFILE=`)."""
    scanned = _scan_options(words, 1, _HISTORY)
    if scanned is None:
        return [PathArg("(history options known only at run time)", "unknown")]
    index, found = scanned
    operand = _at(words, index)
    if operand is None or not {option for option, _ in found} & {"-a", "-w"}:
        return []
    return [_path_arg(operand)]


def git_removals(words: list[_Word]) -> list[PathArg]:
    """What `git rm` removes from the work tree, judged as `rm -r` is (attack s28f, finding 16:
    `git -C /etc rm -rf .`): with -r each pathspec (in `-C`'s folder or --work-tree's); a
    magic or wildcard one, which matches files at any depth, as the whole tree with or
    without -r; none with --cached (the index only) or -n; `git mv`'s sources likewise."""
    index = _git_verb_index(words)
    sub = words[index:]
    if not sub or sub[0].value not in ("rm", "mv"):
        return []
    options: list[str] = []
    operands: list[_Word] = []
    for position, word in enumerate(sub[1:], start=1):
        if word.value == "--":
            operands += sub[position + 1:]
            break
        if word.value is not None and word.value.startswith("-"):
            options.append(word.value)
        else:
            operands.append(word)
    recursive = sub[0].value == "mv" or any(o == "-r" or (o[1:2] != "-" and "r" in o)
                                              for o in options)
    if "--cached" in options or "--dry-run" in options or any(
            o[1:2] != "-" and "n" in o for o in options):
        return []
    if sub[0].value == "mv":
        operands = operands[:-1]  # moved away from where they were: as mv's (`moved_away`)
    tree = _git_work_tree(words, {})
    if tree is not None and tree.value is None:
        return [PathArg(tree.text, "unknown")]
    found: list[PathArg] = []
    for word in operands:
        value = word.value
        if value is None or (value.startswith(":") and (
                value[1:2] in ("/", "^") or "top" in value.partition(")")[0])):
            found.append(PathArg(word.text, "unknown"))
        elif value.startswith(":") or _GLOB_CHARS.search(value):
            found.append(_in_folder(tree, "*"))  # files anywhere below: no -r needed
        elif recursive:
            path = _in_folder(tree, value) if not value.startswith(("/", "~")) else _path_arg(word)
            found.append(path._replace(kind="tree") if path.kind == "exact" else path)
    return found
