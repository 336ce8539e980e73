"""Writers whose files their own words name, each read by its own grammar: rsync's own files
(its batches, log, backup and partial folders), and, found after outside attack S (finding 15),
aria2c's, tic's and pandoc's folders, dos2unix and its kin (in place, or the second file of
each -n pair), yq -i (the files after the expression). The rest of the writers: writes.py,
program_writes.py, configured_writes.py."""

from __future__ import annotations

from bastion.command_control.policy.options import _after_options
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

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
    """DIR/** for each folder `_FOLDER_WRITES` names (a folder known only at run time: itself)."""
    return [p if p.kind == "unknown" else p._replace(text=f"{p.text.rstrip('/')}/**", kind="pattern")
            for p in _after_options(words, _FOLDER_WRITES[name])]


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
