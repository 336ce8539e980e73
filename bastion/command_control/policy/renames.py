"""The renamers (perl's rename, prename, file-rename, perl-rename; util-linux's rename.ul):
where the new names they compute land."""

from __future__ import annotations

import re

from bastion.command_control.policy.options import _options, _permuted
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _GLOB_CHARS, _at, _Word

# found after outside attack M (finding 9): the renamers compute each new name from an
# expression (perl's rename, prename, file-rename) or a FROM TO pair (util-linux's rename.ul).
_RENAMERS = frozenset({"rename", "rename.ul", "prename", "perl-rename", "file-rename"})
_RENAME = _options("eE", ("--expression",))
_FROM_STDIN = "reads from stdin"
_PERL_EXPRESSION = re.compile(r"(?:s|y|tr)\W")
# `s/PATTERN/REPLACEMENT/` whose pattern is literal (an escaped dot, anchors) and whose
# replacement is a plain name part: the only renames shown to stay in the file's folder.
_PLAIN_SUBSTITUTION = re.compile(r"s/(\^?(?:[\w-]|\\\.)*\$?)/([\w.-]*)/g?")


def renamed_away(words: list[_Word]) -> list[PathArg]:
    """What a renamer or mmv takes from where it was, judged as `rm -r` of it as mv's sources
    are (attack j19f, finding 11: `rename.ul bin old /bin` moves /bin away): a renamer's files,
    mmv's FROM (not mcp's or mln's, which copy and link)."""
    name = (words[0].value or "").rsplit("/", 1)[-1]
    if name in _MMV:
        operands = _mmv_operands(words)
        if name in ("mcp", "mln") or not operands:
            return []
        return [_away(_path_arg(operands[0]))]
    permuted = _permuted(words, 1, _RENAME)
    if permuted is None:
        return []
    found, operands = permuted
    if any(option in ("-e", "-E", "--expression") for option, _ in found):
        return [_away(_path_arg(w)) for w in operands]
    perl = name != "rename.ul" and bool(operands) and (
        operands[0].value is None or _PERL_EXPRESSION.match(operands[0].value) is not None
        or len(operands) < 3)
    return [_away(_path_arg(w)) for w in operands[1 if perl else 2:]]


def _away(path: PathArg) -> PathArg:
    return path._replace(kind="tree") if path.kind == "exact" else path


def _rename_writes(words: list[_Word]) -> list[PathArg]:
    """What a renamer writes: for each file, any name beside it (DIR/*; DIR/.* too when the
    new name may start with a dot) when the change provably stays in the name, else a name
    known only at run time (a `/`, a regular expression, code: `s/x/y/e`)."""
    permuted = _permuted(words, 1, _RENAME)
    if permuted is None:
        return [PathArg("(options of a renamer known only at run time)", "unknown")]
    found, operands = permuted
    expressions = [argument for option, argument in found if option in ("-e", "-E", "--expression")]
    name = (words[0].value or "").rsplit("/", 1)[-1]
    perl = name != "rename.ul" and (bool(expressions) or (bool(operands) and (
        operands[0].value is None or _PERL_EXPRESSION.match(operands[0].value) is not None
        or len(operands) < 3)))
    if perl:
        if not expressions:
            expressions, operands = operands[:1], operands[1:]
        plain = [_PLAIN_SUBSTITUTION.fullmatch(e.value or "") if e is not None else None
                 for e in expressions]
        pairs = [(m.group(1), m.group(2)) if m else None for m in plain]
        every = any(m is not None and m.group(0).endswith("g") for m in plain)
    else:
        every = False
        old, new = _at(operands, 0), _at(operands, 1)
        operands = operands[2:]
        pairs = [(old.value, new.value) if old is not None and new is not None and
                 old.value is not None and new.value is not None else None]
    written: list[PathArg] = []
    # File::Rename's `--stdin` (any start of it, `-stdin`) reads names from stdin whatever the
    # operands (attack S, finding 14).
    stdin = any(w.value == "-stdin" or (w.value is not None and len(w.value) > 2 and
                                         w.value.startswith("--") and "stdin".startswith(w.value[2:]))
                for w in words[1:])
    if perl and (not operands or stdin):
        # found after outside attack S (finding 14): with no file perl's rename reads the names
        # from stdin (`echo /etc/xsudoers | rename s/xsudoers/sudoers/`): known only at run time.
        written.append(PathArg(f"(the names {name} {_FROM_STDIN})", "unknown"))
    for operand in operands:
        path = _path_arg(operand)
        folder, _, base = path.text.rpartition("/")
        literal = [(p[0].strip("^$").replace("\\.", "."), p[1]) if perl and p else p for p in pairs]
        confined = path.kind != "unknown" and not _GLOB_CHARS.search(folder) and all(
            pair is not None and "/" not in pair[0] + pair[1] and pair[1] not in (".", "..")
            and (not pair[0] or pair[0] not in folder) for pair in literal) and not (
                folder and perl and any(p is not None and p[0].startswith("^") for p in pairs))
        if not confined:
            written.append(PathArg(f"(the new name {name} gives {path.text})", "unknown"))
            continue
        if path.kind == "exact":
            # A literal name: the new one is known (perl's applies each expression to the path
            # as given; util-linux's replaces the first FROM in the name).
            text = path.text
            for pair, plain_pair in zip(pairs, literal, strict=True):
                assert pair is not None and plain_pair is not None
                count = 0 if every else 1
                text = re.sub(pair[0], lambda _, new=pair[1]: new, text, count=count) if perl else \
                    f"{folder}/{base.replace(plain_pair[0], plain_pair[1], 1)}" if "/" in text \
                    else base.replace(plain_pair[0], plain_pair[1], 1)
            if text.rpartition("/")[0] != folder:
                written.append(PathArg(f"(the new name {name} gives {path.text})", "unknown"))
            else:
                written.append(path._replace(text=text))
            continue
        prefix = f"{folder}/" if path.text.startswith("/") or folder else ""
        tail = re.search(r"[^*?\]]*$", base).group()  # type: ignore[union-attr]
        if perl and all(p is not None and p[0].endswith("$") and not p[0].startswith("^")
                        and tail.endswith(q[0]) for p, q in zip(pairs, literal, strict=True)
                        if q is not None):
            # A suffix changed on a glob whose literal end holds it (`s/\.txt$/.md/` on
            # `*.txt`): every name it expands to becomes the glob with that end (`*.md`).
            for pair in pairs:
                assert pair is not None
                base = re.sub(pair[0], lambda _, new=pair[1]: new, base, count=1)
            written.append(PathArg(f"{prefix}{base}", "pattern", path.tilde))
            continue
        written.append(PathArg(f"{prefix}*", "pattern", path.tilde))
        # A new name may start with a dot only where the replacement starts one at the
        # name's start (a pattern starting with a dot matches there only in a dot file).
        if any(pair is not None and pair[1].startswith(".") and not pair[0].startswith(".")
               for pair in literal):
            written.append(PathArg(f"{prefix}.*", "pattern", path.tilde))
    return written


# found after outside attack S (findings 9, 14): mmv and its links (Debian's mcp copies, mad
# appends, mln links) move FROM to TO; with no operand they read FROM TO pairs from stdin, and a
# single word may hold a pair (`mmv "/tmp/x /etc/sudoers.d/x"`).
_MMV = frozenset({"mmv", "mcp", "mad", "mln"})


def _mmv_operands(words: list[_Word]) -> list[_Word]:
    """mmv's operands: the words after its options (single letters, none taking a value)."""
    for index, word in enumerate(words[1:], start=1):
        if word.value == "--":
            return words[index + 1:]
        if word.value is None or not word.value.startswith("-") or word.value == "-":
            return words[index:]
    return []


def reads_names(name: str, words: list[_Word]) -> bool:
    """Whether a renamer or mmv reads the names it changes from stdin (a renamer given no file,
    mmv no operand)."""
    written = _mmv_writes(words) if name in _MMV else _rename_writes(words)
    return any(p.text.endswith(f"{_FROM_STDIN})") for p in written)


def _mmv_writes(words: list[_Word]) -> list[PathArg]:
    """What mmv writes: TO when the line gives one FROM TO pair whose TO names one file (no
    `#N` naming a part of FROM), else names known only at run time."""
    name = (words[0].value or "").rsplit("/", 1)[-1]
    operands = _mmv_operands(words)
    if not operands:
        return [PathArg(f"(the names {name} {_FROM_STDIN})", "unknown")]
    if len(operands) != 2 or any(w.value is None for w in operands) or "#" in (operands[1].value or ""):
        return [PathArg(f"(the names {name} gives: {' '.join(w.text for w in operands)})", "unknown")]
    return [_path_arg(operands[1])]
