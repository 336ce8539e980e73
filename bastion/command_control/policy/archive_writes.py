"""Archivers and image makers that write the file or folder an option or an operand names
(found after outside attack U): cpio's archive in copy-out mode (`-o -F F`, `--file=F`),
dpkg-split's output, genisoimage's and mksquashfs's images, rar's archive, xorriso's output drives and what
it extracts, rar's folder. Read with the unpackers (extracts.py), whose
writes these add to; a word that decides, known only at run time, is an unknown path."""

from __future__ import annotations

from collections.abc import Callable

from bastion.command_control.policy.options import _after_options, _options, _permuted
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

_CPIO = _options("DEFHIMORs", ("--directory", "--file", "--format", "--pattern-file", "--message",
                              "--owner", "--rsh-command", "--to-command", "--block-size", "--io-size",
                              "--rename-batch-file"),
                 flags=("--extract", "--pass-through", "--create", "--absolute-filenames",
                        "--no-absolute-filenames", "--rename"))
# What makes these write: a word known only at run time may be any of their options.
_RUN_TIME = PathArg("(archiver options known only at run time)", "unknown")


def _known(words: list[_Word]) -> bool:
    return all(w.value is not None for w in words[1:])


def _cpio_archive(words: list[_Word]) -> list[PathArg]:
    """cpio in copy-out mode (`-o`, `--create`) writes its archive to `-F`/`--file` (as `-O`
    does: writes.py); in copy-in mode the same options name the archive it reads."""
    permuted = _permuted(words, 1, _CPIO)
    if permuted is None:
        return [_RUN_TIME]
    found, _ = permuted
    if not {o for o, _ in found} & {"-o", "--create"}:
        return []
    return [_path_arg(a) for o, a in found if o in ("-F", "--file") and a is not None]


def _dpkg_split(words: list[_Word]) -> list[PathArg]:
    """dpkg-split: `-o F`/`--output F` is the joined package; `-s` writes its parts beside
    the prefix it is given (the last operand) or the archive; `-j` without `-o` and `-a`
    write into the working directory or the parts' depot: named by the archive's contents."""
    if not _known(words):
        return [_RUN_TIME]
    values = [w.value or "" for w in words[1:]]
    named = _after_options(words, frozenset({"-o", "--output"}))
    if named:
        return named
    if any(v in ("-s", "--split") for v in values):
        operands = [w for w in words[1:] if not (w.value or "").startswith("-")]
        return [PathArg(f"{_path_arg(operands[-1]).text}*", "pattern")] if operands else []
    if any(v in ("-j", "--join", "-a", "--auto") for v in values):
        return [PathArg("(the package name a split archive holds)", "unknown")]
    return []


_ISO_OUTPUT = frozenset({"-o", "-output", "--output", "-log-file", "--log-file", "-jigdo-jigdo",
                         "-jigdo-template"})


def _iso_image(words: list[_Word]) -> list[PathArg]:
    """genisoimage, mkisofs, xorrisofs: the image of `-o` and the files of the other outputs."""
    if not _known(words):
        return [_RUN_TIME]
    return _after_options(words, _ISO_OUTPUT)


# xorriso's commands that write outside the image: its output drive, and osirrox's copies to
# the disk (each names a destination: unknown unless it is the one file `-extract SRC DEST`).
_XORRISO_DRIVES = frozenset({"-outdev", "-dev", "--outdev", "--dev"})
_XORRISO_COPIES = ("extract", "cpx", "cpax", "cp_rx", "cp_rax", "paste_in", "concat")


def _xorriso(words: list[_Word]) -> list[PathArg]:
    """xorriso: the drives `-outdev`/`-dev` write; `-as mkisofs` is genisoimage's grammar; any
    command copying from the image to the disk (osirrox) writes where its arguments say, read
    here as a path known only at run time."""
    if not _known(words):
        return [_RUN_TIME]
    values = [w.value or "" for w in words[1:]]
    if values[:1] == ["-as"]:
        return _iso_image([words[0], *words[3:]])
    written = _after_options(words, _XORRISO_DRIVES)
    if any(v.startswith("-") and v.lstrip("-").startswith(_XORRISO_COPIES) for v in values):
        written.append(PathArg("(files xorriso copies out of an image)", "unknown"))
    return written


def _mksquashfs(words: list[_Word]) -> list[PathArg]:
    """mksquashfs SOURCE... DEST [options]: DEST, the last operand before the first option."""
    if not _known(words):
        return [_RUN_TIME]
    operands: list[_Word] = []
    for word in words[1:]:
        if (word.value or "").startswith("-") and word.value != "-":
            break
        operands.append(word)
    return [_path_arg(operands[-1])] if len(operands) > 1 else []


# rar's commands that only list, test, print or extract (extracts.py reads x and e).
_RAR_READS = frozenset({"l", "lt", "lta", "lb", "v", "vt", "vta", "vb", "t", "p", "i", "x", "e"})


def _rar_archive(words: list[_Word]) -> list[PathArg]:
    """rar's other commands (`a`, `u`, `m`, `d`, `c`, `k`, `rn`, `rr`, `s`...) write the archive."""
    if not _known(words):
        return [_RUN_TIME]
    operands = [w for w in words[1:] if not (w.value or "").startswith("-")]
    if len(operands) < 2 or (operands[0].value or "").lower() in _RAR_READS:
        return []
    return [_path_arg(operands[1])]


ARCHIVE_WRITERS: dict[str, Callable[[list[_Word]], list[PathArg]]] = {
    "cpio": _cpio_archive, "bsdcpio": _cpio_archive, "dpkg-split": _dpkg_split,
    "genisoimage": _iso_image, "mkisofs": _iso_image, "xorrisofs": _iso_image,
    "xorriso": _xorriso, "mksquashfs": _mksquashfs, "rar": _rar_archive,  # zip: transfers.py
}  # fmt: skip


def archive_writes(name: str, words: list[_Word]) -> list[PathArg]:
    """The files `name` (one of ARCHIVE_WRITERS) writes besides those extracts.py reads."""
    writer = ARCHIVE_WRITERS.get(name)
    return writer(words) if writer is not None else []
