"""Writers whose files their own words name, each read by its own grammar: rsync's own files
(its batches, log, backup and partial folders), and, found after outside attack S (finding 15),
aria2c's, tic's and pandoc's folders, dos2unix and its kin (in place, or the second file of
each -n pair), yq -i (the files after the expression); split's and csplit's pieces, and xxd's
output (attack W). The rest of the writers: writes.py, program_writes.py, configured_writes.py."""

from __future__ import annotations

from bastion.command_control.policy.options import (
    _after_options,
    _last_argument,
    _Options,
    _options,
    _permuted,
)
from bastion.command_control.policy.paths import HERE, PathArg, _path_arg
from bastion.command_control.policy.words import _at, _Word

# Options that name a folder a program writes in, by names the line does not give: DIR/**
# (`aria2c -d DIR -o NAME`, `tic -o DIR`, `pandoc --extract-media DIR`; attack S, finding 15).
_FOLDER_WRITES = {"aria2c": frozenset({"-d", "--dir"}), "tic": frozenset({"-o"}),
                  "pandoc": frozenset({"--extract-media"})}
# dos2unix and its kin convert each file in place, and with -n (--newfile) write the second of
# each pair: `dos2unix -n IN OUT`, until -o (--oldfile) turns in place again.
_DOS2UNIX = frozenset({"dos2unix", "unix2dos", "mac2unix", "unix2mac"})
# yq -i (--inplace) rewrites each file operand after the expression.
_YQ_ARGUMENTS = frozenset({"-o", "-p", "-I", "--output-format", "--input-format", "--indent",
                           "--from-file", "--front-matter", "--arg", "--argjson"})


def _dos2unix_writes(words: list[_Word]) -> list[PathArg]:
    """The files dos2unix writes: each operand in place, the second of each -n pair; none
    with -i/--info or to stdout (-O, --to-stdout)."""
    values = [w.value for w in words[1:]]
    if any(v is not None and (v in ("-O", "--to-stdout") or v.startswith(("-i", "--info")))
           for v in values):
        return []
    written: list[PathArg] = []
    pairs, second, skip = False, False, False
    for word in words[1:]:
        value = word.value
        if skip:
            skip = False
        elif value in ("-n", "--newfile"):
            pairs, second = True, False
        elif value in ("-o", "--oldfile"):
            pairs = False
        elif value in ("-c", "--convmode", "-D", "--display-enc"):
            skip = True
        elif value is not None and value.startswith("-") and value != "-":
            continue
        elif pairs:
            if second:
                written.append(_path_arg(word))
            second = not second
        else:
            written.append(_path_arg(word))
    return written


def _yq_in_place(words: list[_Word]) -> bool:
    """Whether yq is given -i/--inplace (in a cluster too): without it, yq writes no file."""
    return any(v in ("-i", "--inplace") or (v.startswith("-") and not v.startswith("--") and "i" in v[1:])
               for v in (w.value or "" for w in words[1:]))


def _yq_writes(words: list[_Word]) -> list[PathArg]:
    """`yq -i EXPR FILE...`: each FILE (with --from-file every operand is a file)."""
    if not _yq_in_place(words):
        return []
    values = [w.value or "" for w in words[1:]]
    operands: list[_Word] = []
    skip = False
    for word in words[1:]:
        value = word.value
        if skip:
            skip = False
        elif value in _YQ_ARGUMENTS:
            skip = True
        elif value is None or not value.startswith("-") or value == "-":
            operands.append(word)
    if not any(v.startswith("--from-file") for v in values):
        operands = operands[1:]
    return [_path_arg(w) for w in operands if w.value != "-"]


def _folder_writes(name: str, words: list[_Word]) -> list[PathArg]:
    """DIR/** for each folder `_FOLDER_WRITES` names (a folder known only at run time: itself);
    aria2c with none writes here under names the server (Content-Disposition, a metalink or a
    torrent's files) chooses: `**` here (attack u30f, finding 19)."""
    found = [p if p.kind == "unknown" else p._replace(text=f"{p.text.rstrip('/')}/**", kind="pattern")
             for p in _after_options(words, _FOLDER_WRITES[name])]
    if name == "aria2c" and not found:
        found = [HERE]
    return found


def _rsync_writes(found: list[tuple[str, _Word | None]], target: PathArg) -> list[PathArg]:
    """What rsync writes besides its destination (attack M, finding 5): the batch files of
    --write-batch and --only-write-batch, its --log-file, and what --backup-dir, --partial-dir
    and --temp-dir hold (DIR/**; relative to the destination for the first two), and the
    folder --link-dest hard-links files of (a new name for each: a "tree" path)."""
    written: list[PathArg] = []
    for option, argument in found:
        if argument is None or option not in ("--write-batch", "--only-write-batch", "--log-file",
                                             "--backup-dir", "--partial-dir", "--temp-dir", "-T",
                                             "--link-dest"):
            continue
        path = _path_arg(argument)
        if path.kind == "unknown":
            written.append(path)
            continue
        if option == "--write-batch":
            written += [path, path._replace(text=f"{path.text}.sh")]
        elif option in ("--only-write-batch", "--log-file"):
            written.append(path)
        else:
            folder = path.text.rstrip("/") or "/"
            if option != "--temp-dir" and not path.text.startswith(("/", "~")):
                if target.kind == "unknown":
                    written.append(target)
                    continue
                folder = f"{target.text.rstrip('/')}/{folder}"
            if option == "--link-dest":
                if path.kind == "exact":
                    written.append(PathArg(folder, "tree", path.tilde))
                else:
                    written.append(PathArg(f"{folder.rstrip('/')}/**", "pattern", path.tilde))
            else:
                written.append(PathArg(f"{folder.rstrip('/')}/**", "pattern", path.tilde))
    return written


# xxd's options that take a value, and the long spelling each may have (`-cols 8`, `-name N`):
# the value is the rest of the word unless the word is that spelling, then the next word.
_XXD_VALUES = {"c": "ols", "g": "roupsize", "l": "en", "n": "ame", "o": "ffset", "s": "eek", "R": ""}


def _xxd_writes(words: list[_Word]) -> list[PathArg]:
    """xxd's output, its second operand (found after outside attack W, finding 10). xxd reads
    options by their first letter until a word not starting with `-` (`--x` is `-x`), each in a
    word of its own: `-n NAME`, `-nNAME`, `-name NAME`, `-c8`, `-cols 8`; `-` and `--` end them."""
    index = 1
    while index < len(words):
        value = words[index].value
        if value is None:
            return [PathArg(words[index].text, "unknown")]
        option = value[1:] if value.startswith("--") and len(value) > 2 else value
        if option == "--":
            index += 1
            break
        if not option.startswith("-") or option == "-":
            break
        letter, rest = option[1:2], option[2:]
        index += 1
        if letter in _XXD_VALUES and (not rest or (_XXD_VALUES[letter] and rest.startswith(
                _XXD_VALUES[letter]))):
            index += 1
    output = words[index + 1] if index + 1 < len(words) else None
    return [_path_arg(output)] if output is not None and output.value != "-" else []


_SPLIT = _options("abClnt", ("--suffix-length", "--additional-suffix", "--bytes",
                             "--line-bytes", "--lines", "--number", "--separator", "--filter"))
_CSPLIT = _options("bfn", ("--suffix-format", "--prefix", "--digits"))


def _prefix_writes(words: list[_Word], spec: _Options, operand: int, option: str,
                   default: str) -> list[PathArg]:
    """split's and csplit's output files: PREFIX (operand `operand`, or -f) and a suffix; the
    first is always written (PREFIXaa, PREFIX00 with numeric suffixes: exact), the rest any."""
    permuted = _permuted(words, 1, spec)
    if permuted is None:
        return [PathArg("(options known only at run time)", "unknown")]
    found, operands = permuted
    given = _last_argument(found, {option, "--prefix"}) if option else None
    prefix = given[1] if given is not None else _at(operands, operand) if operand else None
    seen = {o for o, _ in found}
    numeric = bool(seen & {"-d", "-x", "--numeric-suffixes", "--hex-suffixes"})
    first = ("0" if numeric or option == "-f" else "a") * 2
    if seen & {"-a", "--suffix-length", "-b", "--suffix-format", "-n", "--digits",
               "--additional-suffix"}:
        first = ""  # another suffix: only the pattern is known
    text = default if prefix is None else prefix.value
    if text is None:
        return [PathArg(prefix.text if prefix is not None else default, "unknown")]
    tilde = text.startswith("~") and prefix is not None and prefix.text.startswith("~")
    return ([PathArg(f"{text}{first}", "exact", tilde)] if first else []) + [
        PathArg(f"{text}*", "pattern", tilde)]


# found after outside attack s28f (finding 11): programs changing the files a dump or list names
# (setfacl's and setfattr's --restore, restorecon's and setfiles' -f), files no word of the line
# gives: a change of a file known only at run time (held), as `curl -K` is.
# aria2c's settings file and input list (per-URI `dir=`/`out=` lines) name what it writes, and
# its hooks run a program with the download's path appended.
_RESTORES = {"setfacl": frozenset({"--restore"}), "setfattr": frozenset({"--restore"}),
             "restorecon": frozenset({"-f"}), "setfiles": frozenset({"-f"}),
             "aria2c": frozenset({"--conf-path", "-i", "--input-file", "--on-download-start",
                                  "--on-download-pause", "--on-download-complete",
                                  "--on-download-error", "--on-download-stop",
                                  "--on-bt-download-complete"})}


def restore_writes(name: str, words: list[_Word]) -> list[PathArg]:
    """The files `name` changes as a dump or list it reads names them (`_RESTORES`)."""
    options = _RESTORES.get(name)
    if options is None or not _after_options(words, options):
        return []
    return [PathArg(f"(the files the dump or list {name} reads names)", "unknown")]
