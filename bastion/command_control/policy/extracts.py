"""Where the unpackers put what an archive holds: names the line cannot see, so a folder's whole
tree (DIR/**; `**` in the working directory), or anywhere where the program keeps an archive's
absolute names and `../`. unzip, cpio, ar, dpkg-deb (and dpkg's front-end to it), jar, bsdtar,
star, pax, 7z, unsquashfs, unrar, unar, unace, arj, cabextract, lha, aunpack, dtrx, unshar, gem
unpack, rpm2archive and `python3 -m zipfile` / `-m tarfile` (attack M, finding 5's class; attack
Q, finding 2). GNU tar's -x is read with its other options (program_writes); busybox's applets
are these programs once the wrapper is unwrapped."""

from __future__ import annotations

import re

from bastion.command_control.policy.archive_writes import _CPIO, ARCHIVE_WRITERS, archive_writes
from bastion.command_control.policy.options import _after_options, _long_option, _options, _permuted
from bastion.command_control.policy.paths import HERE, PathArg, _path_arg
from bastion.command_control.policy.python_runners import module_chain, python_module
from bastion.command_control.policy.shells import INTERPRETERS
from bastion.command_control.policy.tar import _tar_writes
from bastion.command_control.policy.words import _at, _Word

_ANYWHERE = PathArg("(the names an archive holds)", "unknown")
_HERE = HERE


def _tree(folder: PathArg) -> PathArg:
    """FOLDER/**: every name under a folder (a folder known only at run time stays unknown)."""
    if folder.kind == "unknown":
        return folder
    base = folder.text.rstrip("/") or "/"
    return PathArg(f"{base}{'' if base.endswith('/') else '/'}**", "pattern", folder.tilde)


def _under(folder: _Word | None) -> PathArg:
    return _HERE if folder is None else _tree(_path_arg(folder))


def _dynamic(words: list[_Word]) -> list[PathArg] | None:
    """An unknown verdict when a word is known only at run time (it may be an option that
    names the folder), or names a file of more options (`@FILE`: ar, jar, 7z, unrar)."""
    for word in words[1:]:
        if word.value is None:
            return [PathArg(word.text, "unknown")]
        if word.value.startswith("@") and len(word.value) > 1:
            return [PathArg(f"(the options {word.value} holds)", "unknown")]
    return None


def _unzip(words: list[_Word]) -> list[PathArg]:
    """unzip: DIR/** of -d DIR (in a cluster too: `-od DIR`, `-qd/etc`), else `**` here;
    `-:` keeps the `../` an archive holds: anywhere; listings, tests and pipes write nothing."""
    folder: _Word | None = None
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None:
            return [PathArg(word.text, "unknown")]
        if not value.startswith("-") or value.startswith("--"):
            continue
        letters, has_folder, attached = value[1:].partition("d")
        if set(letters) & set("lptvcZz"):
            return []
        if ":" in letters:
            return [_ANYWHERE]
        if has_folder:
            folder = _Word(attached, attached, words[index].glob) if attached else _at(words, index + 1)
    # found after outside attack u30f (finding 18): a member named after the archive is a
    # write of that name in the folder (`unzip x.zip .k5login`); -x's exclusions are not
    values = [w.value for w in words]
    ending = values.index("-x") if "-x" in values else len(words)
    operands = [w for w in words[1:ending] if w is not folder and not (w.value or "").startswith("-")]
    members = operands[1:]
    named = [p for w in members if w.value and not w.value.startswith("~")
             for p in ([_in(folder, w.value.lstrip("/"))] if folder is not None else [
                 _path_arg(w._replace(value=w.value.lstrip("/") or "."))])]
    return [_under(folder), *named]


def _cpio(words: list[_Word]) -> list[PathArg]:
    permuted = _permuted(words, 1, _CPIO)
    if permuted is None:
        return [PathArg("(cpio options known only at run time)", "unknown")]
    found, operands = permuted
    options = {option for option, _ in found}
    if options & {"-p", "--pass-through"}:
        # DIR/NAME for each name read from stdin, and GNU cpio keeps a name's `../` there
        # (`echo ../etc/x | cpio -p DIR` writes DIR/../etc/x): anywhere.
        return [*(_under(w) for w in operands[:1]), _ANYWHERE]
    if not options & {"-i", "--extract"} or options & {"-t", "--list"}:
        return []
    folders = [a for o, a in found if o in ("-D", "--directory")]
    written = [_under(folders[-1] if folders else None)]
    # GNU cpio keeps the absolute names and the `../` an archive holds unless told not to (the
    # last of --absolute-filenames and --no-absolute-filenames wins); a renamed member may be
    # named anything.
    absolute = [o for o, _ in found if o in ("--absolute-filenames", "--no-absolute-filenames")]
    if absolute[-1:] != ["--no-absolute-filenames"] or options & {"-r", "--rename", "--rename-batch-file"}:
        written.append(_ANYWHERE)
    return written


_AR_LONG = frozenset({"--plugin", "--target", "--output", "--record-libdeps"})


def _ar(words: list[_Word]) -> list[PathArg]:
    """`ar x` (`-x`, `xv`, `-x -v`): DIR/** of `--output=DIR` (binutils 2.34 on), else `**`
    here; `r`, `q`, `d`, `m`, `s` rewrite the archive; `-M` runs an MRI script from stdin,
    whose EXTRACT and SAVE name files the line cannot see."""
    letters, folder, operands = "", None, []
    index = 1
    while index < len(words):
        word, value = words[index], words[index].value
        index += 1
        if value is None or (not letters and value.startswith("@")):
            if letters:
                operands.append(word)
                continue
            return [PathArg(word.text if value is None else f"(the options {value} holds)", "unknown")]
        if value.startswith("--") and len(value) > 2:
            option, has_value, rest = value.partition("=")
            option = _long_option(option, _AR_LONG)
            argument = _Word(rest, rest) if has_value else _at(words, index)
            index += 0 if has_value or option not in _AR_LONG else 1
            folder = argument if option == "--output" else folder
        elif value.startswith("-") and not operands:
            letters += value[1:]
        elif not set(letters) & set("dmpqrstx") and not operands:
            letters += value  # the operation may follow modifiers (`ar -v x`: attack U)
        else:
            operands.append(word)
    if "M" in letters:
        return [PathArg("(the files an MRI script names)", "unknown")]
    operation = next((letter for letter in letters if letter in "dmpqrstx"), "")
    if operation == "x":
        return [_under(folder)]
    if operation in ("r", "q", "d", "m", "s"):
        skip = (1 if operation in "rm" and set(letters) & set("abi") else 0) + ("l" in letters)
        archive = _at(operands, skip)
        return [_path_arg(archive)] if archive is not None else []
    return []


_DPKG_DEB = _options("zZS", ("--showformat", "--deb-format", "--threads-max"))
_DPKG_EXTRACT = {"-x": "--extract", "-X": "--vextract", "-R": "--raw-extract", "-e": "--control",
                 "-b": "--build"}


def _dpkg_deb(words: list[_Word], front_end: bool) -> list[PathArg]:
    """dpkg-deb -x/-X/-R ARCHIVE DIR: DIR/**; -e ARCHIVE [DIR]: DIR/** (DEBIAN/** here);
    -b DIR [ARCHIVE]: ARCHIVE (and ARCHIVE/* when it is a folder), else DIR.deb. The streams
    (--fsys-tarfile) and listings write nothing. `dpkg` passes -x, -X, -e and -b on (its -R is
    --recursive)."""
    dynamic = _dynamic(words)
    permuted = _permuted(words, 1, _DPKG_DEB)
    if dynamic or permuted is None:
        return dynamic or [PathArg("(dpkg-deb options known only at run time)", "unknown")]
    found, operands = permuted
    names = set(_DPKG_EXTRACT.values()) - ({"--raw-extract"} if front_end else set())
    actions = {_DPKG_EXTRACT.get(o, _long_option(o, frozenset(names))) for o, _ in found}
    actions &= names
    written: list[PathArg] = []
    if actions & {"--extract", "--vextract", "--raw-extract"}:
        written.append(_under(_at(operands, 1)))
    if "--control" in actions:
        folder = _at(operands, 1)
        written.append(_tree(PathArg("DEBIAN")) if folder is None else _under(folder))
    if "--build" in actions:
        archive, tree = _at(operands, 1), _at(operands, 0)
        if archive is not None:
            written += [_path_arg(archive), _in(archive, "*")]
        elif tree is not None:
            path = _path_arg(tree)
            written.append(path if path.kind == "unknown" else path._replace(
                text=f"{path.text.rstrip('/')}.deb"))
    return written


def _in(folder: _Word, name: str) -> PathArg:
    path = _path_arg(folder)
    if path.kind == "unknown":
        return path
    return PathArg(f"{path.text.rstrip('/')}/{name}", "pattern", path.tilde)


def _keyed(words: list[_Word], arguments: str) -> tuple[str, list[_Word | None], list[_Word]] | None:
    """The letters of a tar-like key (`jar xf A`, `-xvf A`, `-x -f A`), the words the letters
    of `arguments` take, in order, and the other operands. None when a word before the
    operands is known only at run time."""
    letters, taken, operands = "", [], []
    index = 1
    while index < len(words):
        value = words[index].value
        if value is None and not operands and not letters:
            return None
        if value is not None and (value.startswith("-") or not letters) and not value.startswith("--") \
                and not operands:
            key = value.lstrip("-")
            letters += key
            for letter in key:
                if letter in arguments:
                    index += 1
                    taken.append(_at(words, index))
        else:
            operands.append(words[index])
        index += 1
    return letters, taken, operands


def _jar(words: list[_Word]) -> list[PathArg]:
    """jar and fastjar: `x` unpacks here and in each -C / --dir DIR (JDK 21 reads them for
    -x; JDK 17 refuses the line: both are counted); `c`, `u`, `i` write the archive of `f`."""
    keyed = _keyed(words, "fmeC")
    dynamic = _dynamic(words)
    if keyed is None or dynamic:
        return dynamic or [PathArg("(jar options known only at run time)", "unknown")]
    letters, taken, _ = keyed
    values = [w.value or "" for w in words[1:]]
    folders = [_at(words, i + 1) for i, w in enumerate(words) if w.value in ("-C", "--dir")]
    folders += [_Word(v[6:], v[6:]) for v in values if v.startswith("--dir=")]
    if "x" in letters or "--extract" in values:
        return [_HERE, *(_under(f) for f in folders if f is not None)]
    if set(letters) & set("cui") or {"--create", "--update", "--generate-index"} & set(values):
        archives = [taken[i] for i, letter in enumerate(c for c in letters if c in "fmeC")
                    if letter == "f" and i < len(taken)]
        archives += [_Word(v.partition("=")[2], v.partition("=")[2]) for v in values
                     if v.startswith("--file=")]
        return [_path_arg(a) for a in archives if a is not None]
    return []


def _bsdtar(words: list[_Word]) -> list[PathArg]:
    """bsdtar and star -x (`x` as a key too): DIR/** of each -C, --cd or --directory DIR, and
    `**` here; -P (--absolute-paths), --insecure and star's `-/` and `-..`: anywhere. The
    archive it creates is GNU tar's reading (program_writes)."""
    dynamic = _dynamic(words)
    keyed = _keyed(words, "fCTXbs")
    if dynamic or keyed is None:
        return dynamic or [PathArg("(bsdtar options known only at run time)", "unknown")]
    values = [w.value or "" for w in words[1:]]
    if words[0].value == "star":
        # star names its archive `f=A`; -c, -r and -u write it.
        written = [_path_arg(_Word(v[2:], v[2:])) for v in values if v.startswith("f=")] if {
            "-c", "-r", "-u"} & set(values) else []
    else:
        written = _tar_writes(words)[0]
    # star's `f=A` before its options is read as a key here; any one-dash word with an `x`
    # (star's -xdir, -xmeta too) is taken for extracting.
    if "x" not in keyed[0] and "--extract" not in values and not any(
            v.startswith("-") and not v.startswith("--") and "x" in v for v in values):
        return written
    if "P" in keyed[0] or {"--absolute-paths", "--insecure", "-/", "-.."} & set(values):
        written.append(_ANYWHERE)
    folders = [_at(words, i + 1) for i, w in enumerate(words) if w.value in ("-C", "--cd", "--directory")]
    folders += [_Word(v.partition("=")[2], v) for v in values if v.startswith(("--cd=", "--directory="))]
    return [*written, _HERE, *(_under(f) for f in folders if f is not None)]


_PAX = _options("fsoxbpTGUBE")


def _pax(words: list[_Word]) -> list[PathArg]:
    """pax -r keeps the names an archive holds, absolute ones too: anywhere; -rw copies into
    its last operand: DIR/**; -w writes the archive of -f."""
    permuted = _permuted(words, 1, _PAX)
    if permuted is None:
        return [PathArg("(pax options known only at run time)", "unknown")]
    found, operands = permuted
    options = {option for option, _ in found}
    if {"-r", "-w"} <= options:
        return [_under(operands[-1])] if operands else []
    if "-r" in options:
        return [_ANYWHERE]
    if "-w" in options:
        return [_path_arg(a) for o, a in found if o == "-f" and a is not None]
    return []


def _seven_zip(words: list[_Word]) -> list[PathArg]:
    """7z, 7za, 7zr, 7zz: `x` and `e` unpack into -oDIR (else here; -spf keeps absolute
    paths: anywhere); `a`, `u`, `d`, `rn` write the archive. p7zip -d unpacks here."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    values = [w.value or "" for w in words[1:]]
    operands = [w for w in words[1:] if not (w.value or "").startswith("-")]
    if words[0].value == "p7zip":
        return [_HERE] if any(v == "-d" or (v.startswith("-") and "d" in v[1:] and not v.startswith("--"))
                              for v in values) else []
    command = (operands[0].value or "").lower() if operands else ""
    if command in ("x", "e"):
        if any(v.lower().startswith("-spf") for v in values):
            return [_ANYWHERE]
        folders = [_Word(v[2:], v[2:]) if len(v) > 2 else _at(words, i + 2)
                   for i, v in enumerate(values) if v.lower().startswith("-o")]
        return [_under(folders[-1] if folders else None)]
    if command in ("a", "u", "d", "rn") and len(operands) > 1:
        return [_path_arg(operands[1])]
    return []


_UNSQUASHFS_LISTS = frozenset({"-l", "-ls", "-ll", "-lls", "-lc", "-llc", "-lln", "-llnumeric",
                               "-s", "-stat", "-cat", "-h", "-help", "-v", "-version"})


def _unsquashfs(words: list[_Word]) -> list[PathArg]:
    """unsquashfs: DIR/** of -d / -dest DIR, else squashfs-root/** here; the listings write
    nothing."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    values = [w.value or "" for w in words[1:]]
    if set(values) & _UNSQUASHFS_LISTS or set(v.replace("--", "-", 1) for v in values) & _UNSQUASHFS_LISTS:
        return []
    folders = [_at(words, i + 1) for i, w in enumerate(words) if (w.value or "").lstrip("-") in ("d", "dest")]
    folder = folders[-1] if folders else _Word("squashfs-root", "squashfs-root")
    return [_under(folder)]


def _named_folder(words: list[_Word], options: frozenset[str], listings: frozenset[str],
                  letters: str = "") -> list[PathArg]:
    """An unpacker that writes under the folder an option names (`-o DIR`, `-d DIR`,
    `--directory=DIR`, any start of a long name), else here; a listing option (or one of
    `letters` in a cluster) writes nothing."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    values = [w.value or "" for w in words[1:]]
    for value in values:
        if value in listings or (value.startswith("--") and _long_option(
                value.partition("=")[0], listings) in listings) or (
                value.startswith("-") and not value.startswith("--") and set(value[1:]) & set(letters)):
            return []
    folders = _after_options(words, options)
    return [_tree(f) for f in folders] or [_HERE]


def _unrar(words: list[_Word]) -> list[PathArg]:
    """unrar, unace, arj (`x`, `e`): the folder operand after the archive (a name ending in
    `/`; every operand is counted) and -op / -ht DIR, and `**` here; -ep3 keeps absolute
    paths: anywhere. Other commands list, test or print."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    operands = [w for w in words[1:] if not (w.value or "").startswith("-")]
    values = [w.value or "" for w in words[1:]]
    if not operands or (operands[0].value or "").lower() not in ("x", "e"):
        return []
    if any(v.lower().startswith("-ep3") for v in values):
        return [_ANYWHERE]
    folders = operands[2:] + [_Word(v[3:], v[3:]) for v in values if v.lower().startswith(("-op", "-ht"))
                              and len(v) > 3]
    return [_HERE, *(_under(f) for f in folders)]


def _lha(words: list[_Word]) -> list[PathArg]:
    """lha and lhasa: `x` and `e` (also `-x`) unpack into the key's `w=DIR`, else here; `a`,
    `u`, `m`, `c`, `d` write the archive."""
    key = _at(words, 1)
    if key is None or key.value is None:
        return [] if key is None else [PathArg(key.text, "unknown")]
    letters, _, folder = key.value.lstrip("-").partition("w=")
    if letters[:1] in ("x", "e"):
        return [_under(_Word(folder, folder) if folder else None)]
    archive = _at(words, 2)
    if letters[:1] in ("a", "u", "m", "c", "d") and archive is not None:
        return [_path_arg(archive)]
    return []


def _gem(words: list[_Word]) -> list[PathArg]:
    """`gem unpack GEM`: DIR/** of --target DIR, else here; --spec writes the spec here."""
    if _at(words, 1) is None or words[1].value != "unpack":
        return [PathArg(words[1].text, "unknown")] if len(words) > 1 and words[1].value is None else []
    return _named_folder(words, frozenset({"--target"}), frozenset())


def _rpm2archive(words: list[_Word]) -> list[PathArg]:
    """rpm2archive writes RPM.tgz (RPM.tar with -n) beside each package named."""
    return [p if p.kind == "unknown" else p._replace(text=f"{p.text}.t*", kind="pattern")
            for p in (_path_arg(w) for w in words[1:] if not (w.value or "-").startswith("-"))]


_PYTHON_ARCHIVES = {"zipfile": ("-e", "--extract", "-c", "--create"),
                    "tarfile": ("-e", "--extract", "-c", "--create")}


def _python_module(words: list[_Word]) -> list[PathArg]:
    """`python3 -m zipfile -e ARCHIVE DIR` and `-m tarfile -e ARCHIVE [DIR]` unpack into DIR
    (tarfile: here without one); `-c ARCHIVE ...` writes the archive."""
    # found after outside attack X (finding 3): -m clustered (`-Im`, `-OOm`) and the module a
    # runner module runs (`-m cProfile -m zipfile`, `-m runpy tarfile`) read as python reads them.
    found = python_module(words)
    if found is None:
        return []
    if found[0].value is None:
        return [PathArg(found[0].text, "unknown")]
    name, rest, _, unreadable = module_chain(found[0].value, found[1])
    if unreadable is not None:
        return [PathArg(f"({unreadable})", "unknown")]
    if name not in _PYTHON_ARCHIVES:
        return []
    module = _Word(name, name)
    dynamic = _dynamic([words[0], *rest])
    if dynamic:
        return dynamic
    values = [w.value or "" for w in rest]
    operands = [w for w in rest if not (w.value or "").startswith("-")]
    if {"-e", "--extract"} & set(values):
        # tarfile before Python 3.14 keeps an archive's absolute names and `../` unless a
        # filter (`--filter data`, `--filter tar`) says otherwise: anywhere.
        filters = [v.partition("=")[2] for v in values if v.startswith("--filter=")] + [
            (_at(rest, i + 1) or _Word("", "")).value or "" for i, v in enumerate(values) if v == "--filter"]
        safe = module.value == "zipfile" or filters[-1:] in (["data"], ["tar"])
        return [_under(_at(operands, 1))] + ([] if safe else [_ANYWHERE])
    if {"-c", "--create"} & set(values) and operands:
        return [_path_arg(operands[0])]
    return []


def _anywhere(words: list[_Word]) -> list[PathArg]:
    """unshar: a shell archive is a script that names its own files."""
    return [_ANYWHERE] if len(words) > 1 else []


# found after outside attack b11f (finding 10): gpgtar unpacks (`--extract`, `--decrypt`,
# `-x`, `-d`, any start of the long names) under -C/--directory, else here; gpg-zip (its
# deprecated script) runs tar -x here. Their --gpg, --tar and --*-args name a program or
# its arguments (`--tar-args '-C /etc'`): unknown (`_unpacker_code`).
_GPGTAR_LONG = frozenset({
    "--create", "--extract", "--encrypt", "--decrypt", "--sign", "--list-archive", "--symmetric",
    "--recipient", "--local-user", "--output", "--verbose", "--quiet", "--skip-crypto",
    "--dry-run", "--directory", "--files-from", "--null", "--gpg", "--gpg-args", "--tar-args",
    "--tar", "--utf8-strings", "--openpgp", "--cms", "--batch", "--yes", "--status-fd",
    "--with-log", "--set-filename", "--help", "--version",
})  # fmt: skip
_GPGTAR_UNPACKS = frozenset({"--extract", "--decrypt"})
_GPGTAR_PROGRAMS = frozenset({"--gpg", "--gpg-args", "--tar", "--tar-args"})
_GPGTAR_TAKES = "ruoCT"


def _gpgtar(words: list[_Word]) -> list[PathArg]:
    """gpgtar and gpg-zip: DIR/** of -C/--directory DIR (here without one) when they unpack,
    and the archive -o/--output names."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    unpacks = False
    for word in words[1:]:
        value = word.value or ""
        if value.startswith("--"):
            unpacks |= _long_option(value.partition("=")[0], _GPGTAR_LONG) in _GPGTAR_UNPACKS
        elif value.startswith("-"):
            letters = re.split(f"[{_GPGTAR_TAKES}]", value[1:], maxsplit=1)[0]
            unpacks |= bool(set(letters) & {"x", "d"})
    folders = [_tree(f) for f in _after_options(words, frozenset({"-C", "--directory"}))]
    output = _after_options(words, frozenset({"-o", "--output"}))
    return ((folders or [_HERE]) if unpacks else []) + output


def _ptar(words: list[_Word]) -> list[PathArg]:
    """ptar (Perl's Archive::Tar, which keeps no absolute name or `../`): `-x` unpacks here;
    `-c` writes the archive of -f."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    letters = "".join((w.value or "")[1:] for w in words[1:] if (w.value or "").startswith("-"))
    return ([_HERE] if "x" in letters else []) + _after_options(words, frozenset({"-f"}))


def _in_place(words: list[_Word]) -> list[PathArg]:
    """gzexe and bzexe rewrite each program named in place (a script that unpacks it), and
    keep the old one as NAME~."""
    dynamic = _dynamic(words)
    if dynamic:
        return dynamic
    operands = [w for w in words[1:] if not (w.value or "").startswith("-")]
    return [p for w in operands for p in (_path_arg(w), _path_arg(w._replace(
        value=f"{w.value}~", text=f"{w.text}~")))]


_CABEXTRACT = frozenset({"-d", "--directory"})
_AUNPACK = frozenset({"-X", "--extract-to"})
_UNAR = frozenset({"-o", "-output-directory", "--output-directory"})
_BY_NAME = {
    "unzip": _unzip, "bsdunzip": _unzip, "cpio": _cpio, "bsdcpio": _cpio, "ar": _ar,
    "dpkg-deb": lambda words: _dpkg_deb(words, False), "dpkg": lambda words: _dpkg_deb(words, True),
    "jar": _jar, "fastjar": _jar, "bsdtar": _bsdtar, "pax": _pax, "unsquashfs": _unsquashfs,
    "7z": _seven_zip, "7za": _seven_zip, "7zr": _seven_zip, "7zz": _seven_zip, "p7zip": _seven_zip,
    "unrar": _unrar, "rar": _unrar, "unace": _unrar, "arj": _unrar, "lha": _lha, "lhasa": _lha, "gem": _gem,
    "unar": lambda words: _named_folder(words, _UNAR, frozenset()),
    "cabextract": lambda words: _named_folder(words, _CABEXTRACT, frozenset(
        {"--list", "--test", "--pipe"}), "ltp"),
    "rpm2archive": _rpm2archive, "star": _bsdtar, "unshar": _anywhere,
    "aunpack": lambda words: _named_folder(words, _AUNPACK, frozenset()),
    "dtrx": lambda words: _named_folder(words, frozenset(), frozenset({"-l", "--list", "-t", "--table"})),
    "gpgtar": _gpgtar, "gpg-zip": _gpgtar, "ptar": _ptar, "unzipsfx": _unzip,
    "gzexe": _in_place, "bzexe": _in_place,
}  # fmt: skip
# binutils' ar under a target triplet's name, and its LLVM and GCC wrappers (x86_64-linux-gnu-ar,
# llvm-ar-15, gcc-ar-12).
_AR_NAMES = re.compile(r"(?:[\w.-]+-)?ar(?:-[0-9.]+)?")


def _extractor(name: str) -> bool:
    """Whether `name` is a program `_extracted` reads."""
    family = INTERPRETERS.fullmatch(name)
    return name in _BY_NAME or name in ARCHIVE_WRITERS or _AR_NAMES.fullmatch(name) is not None or (
        family is not None and family.lastgroup == "python")


def _extracted(name: str, words: list[_Word]) -> list[PathArg]:
    """What an unpacker writes, for each program `_extractor` names: DIR/** of the folder it
    unpacks into (`**` here when none is given), the archive it creates or rewrites, an
    unknown path when a word that decides is known only at run time or the names an archive
    holds may be absolute; nothing when it only lists, tests or prints."""
    reader = _BY_NAME.get(name)
    if reader is None and _AR_NAMES.fullmatch(name):
        reader = _ar
    if reader is None and name in ARCHIVE_WRITERS:
        return archive_writes(name, words)
    return (reader(words) if reader is not None else _python_module(words)) + archive_writes(name, words)


def _unpacker_code(name: str, words: list[_Word]) -> list[str | None]:
    """The code an unpacker runs (None: code known only at run time): cpio's --to-command and
    --rsh-command, bsdtar's as GNU tar's (-I, --use-compress-program...), star's
    compress-program=, the shared object of ar's --plugin, the JVM options of jar's -J
    (`-J-javaagent:F`)."""
    if name in ("cpio", "bsdcpio"):
        permuted = _permuted(words, 1, _CPIO)
        if permuted is None:
            return [None]
        return [a.value if a is not None else None for o, a in permuted[0]
                if o in ("--to-command", "--rsh-command")]
    if name == "bsdtar":
        return _tar_writes(words)[1]
    if name == "star":
        return [None] if any("compress-program" in (w.value or "compress-program") for w in words[1:]) else []
    values = [w.value for w in words[1:]]
    if _AR_NAMES.fullmatch(name):
        return [None] if any(v is None or v.startswith("--pl") for v in values) else []
    if name in ("jar", "fastjar"):
        return [None] if any(v is None or v.startswith("-J") for v in values) else []
    if name in ("gpgtar", "gpg-zip"):
        return [None] if any(v is None or (v.startswith("--") and _long_option(
            v.partition("=")[0], _GPGTAR_LONG) in _GPGTAR_PROGRAMS) for v in values) else []
    return []
