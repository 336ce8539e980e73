"""Programs that remove the files they read, judged as `rm -r` of them (found after outside
attack k20f, findings 8 and 9): a compressor given -r replaces every file under each folder it
names (`gzip -r /etc` leaves /etc/shadow.gz and no /etc/shadow), and the archivers that move
files into an archive (7-Zip's `-sdel`, rar's `m`/`mf` and `-df`, lha's and arj's `m`, arj's
`-d`, p7zip's wrapper). `zip -m` and `tar --remove-files` are read in transfers.py, a single
file a compressor replaces in writes.py (`gzip /etc/shadow` writes it).

A word known only at run time is not read as -r for a compressor (`gzip "$f"` in a loop stays
allowed, as writes.py does), but a pattern that may expand to an option is (`gzip ?r /etc`)."""

from __future__ import annotations

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word, may_be_option

# Compressors and decompressors with a recursive mode (-r; lzip's -R follows links too).
_RECURSIVE_COMPRESSORS = frozenset({
    "gzip", "gunzip", "pigz", "unpigz", "zstd", "zstdmt", "unzstd", "pzstd", "lz4", "lz4c",
    "unlz4", "lzip", "plzip", "clzip", "pdlzip", "lunzip", "lzop", "compress", "uncompress",
    "ncompress"})
# Those without one: a file they are given is replaced all the same (a pattern: below).
REPLACERS = _RECURSIVE_COMPRESSORS | {"bzip2", "pbzip2", "lbzip2", "bunzip2", "xz", "pxz", "unxz",
                                       "lzma", "unlzma", "brotli"}
# Those that keep their input unless told to remove it, and the options that tell them.
_KEEPERS = {"brotli": ("-j", "--rm"), "zstd": ("--rm",), "zstdmt": ("--rm",), "unzstd": ("--rm",),
            "pzstd": ("--rm",),
            "lz4": ("--rm",), "lz4c": ("--rm",), "unlz4": ("--rm",),
            "lzop": ("-U", "--delete", "--unlink")}
# Options after which nothing is written: to stdout, test, list; and keep (written, not removed).
_QUIET_LONG = ("--stdout", "--to-stdout", "--test", "--list")


def _long(value: str, names: tuple[str, ...]) -> bool:
    """Whether `value` (a long option, `=VALUE` dropped) is one of `names` or a start of one
    that getopt takes (three letters past the dashes at least)."""
    option = value.partition("=")[0]
    return any(name == option or (len(option) > 4 and name.startswith(option)) for name in names)


def _compressor_reading(name: str, words: list[_Word]) -> tuple[bool, bool, bool, list[_Word]]:
    """(recursive, writes no file, removes its input, operands) for a compressor with a
    recursive mode."""
    recursive = told = quiet = keeps = False
    operands: list[_Word] = []
    ended = False
    removers = _KEEPERS.get(name, ())
    for word in words[1:]:
        value = word.value
        if value is None:
            operands.append(word)  # not counted as an option: log rotation loops stay allowed
            continue
        if ended or value == "-" or not value.startswith("-"):
            if not ended and may_be_option(word):
                recursive = True  # `touch ./-r; gzip ?r /etc`
            operands.append(word)
            continue
        if value == "--":
            ended = True
        elif value.startswith("--"):
            recursive = recursive or _long(value, ("--recursive", "--dereference-recursive"))
            quiet = quiet or _long(value, _QUIET_LONG)
            keeps = keeps or _long(value, ("--keep",))
            told = told or _long(value, tuple(o for o in removers if o.startswith("--")))
        else:
            letters = value[1:]
            # (-R is lzip's --dereference-recursive, pigz's --rsyncable)
            recursive = recursive or "r" in letters or ("R" in letters and "lz" in name)
            # (lz4's -l is its legacy format: a write)
            quiet = quiet or any(letter in letters for letter in ("ct" if "lz4" in name else "ctl"))
            keeps = keeps or (name not in _KEEPERS and "k" in letters)
            told = told or any(o[1:] in letters for o in removers if len(o) == 2)
    removes = (told if name in _KEEPERS else not keeps) and not quiet
    return recursive, quiet, removes, operands


def compressor_trees(name: str, words: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    """A recursive compressor's writes (DIR/**: a file beside each one under DIR) and removals
    (each DIR, as `rm -r DIR`); nothing when it writes to stdout. Not recursive, the files a
    pattern names are removed (`gzip /etc/*`; find's `-exec gzip {} +` gives it /etc/**); a
    literal file's replacement is judged as a write of it (writes.py)."""
    if name not in REPLACERS:
        return [], []
    recursive, quiet, removes, operands = _compressor_reading(name, words)
    if quiet:
        return [], []
    if not recursive or name not in _RECURSIVE_COMPRESSORS:
        patterns = [p for p in (_path_arg(w) for w in operands) if p.kind == "pattern"]
        return [], patterns if removes else []
    written: list[PathArg] = []
    removed: list[PathArg] = []
    for word in operands:
        path = _path_arg(word)
        if path.kind == "unknown":
            # `gzip -r "$d"` is held as `rm -r "$d"` is (a file's name known only at run
            # time, `gzip "$f"`, is not counted: above)
            removed.append(path)
            continue
        if path.text == "-":
            continue
        written.append(path._replace(text=f"{path.text.rstrip('/')}/**", kind="pattern"))
        removed.append(path._replace(kind="tree") if path.kind == "exact" else path)
    return written, removed if removes else []


# --- archivers that move their files into the archive ---------------------------------------------
_SEVEN_ZIP = frozenset({"7z", "7za", "7zr", "7zz", "7zzs"})
_HERE = _Word(".", ".")  # no file named: the archiver takes everything in the folder it runs in


def _archived(operands: list[_Word]) -> list[PathArg]:
    """The files an archiver's operands after the archive name (a list `@F`: unknown)."""
    removed: list[PathArg] = []
    for word in operands[1:] or [_HERE]:
        if word.value is not None and word.value.startswith("@"):
            removed.append(PathArg(f"(the names {word.value[1:]} lists)", "unknown"))
            continue
        path = _path_arg(word)
        removed.append(path._replace(kind="tree") if path.kind == "exact" else path)
    return removed


def _split(words: list[_Word], start: int) -> tuple[list[str], list[_Word], bool]:
    """Switches (`-x`, lower-cased) and operands after `start`; whether one is dynamic."""
    switches: list[str] = []
    operands: list[_Word] = []
    ended = dynamic = False
    for word in words[start:]:
        value = word.value
        if value is None or (not ended and may_be_option(word)):
            # a pattern may expand to a switch (`touch ./-sdel; 7z a ?sdel x.7z f`); a word
            # known only at run time is not counted (`7z a x.7z "$f"` in a loop)
            dynamic = dynamic or value is not None
            operands.append(word)
        elif not ended and value == "--":
            ended = True
        elif not ended and value.startswith("-") and len(value) > 1:
            switches.append(value.lower())
        else:
            operands.append(word)
    return switches, operands, dynamic


def archiver_removals(name: str, words: list[_Word]) -> list[PathArg]:
    """What 7z/7za/7zr/7zz `-sdel`, rar `m`/`mf`/`-df`, lha `m`, arj `m`/`-d` and p7zip remove
    as they archive: each file named after the archive (everything here when none is)."""
    if name == "p7zip":
        switches, operands, _ = _split(words, 1)
        if any(s in ("-c", "-k", "-h", "--help") for s in switches):
            return []
        return [p._replace(kind="tree") if p.kind == "exact" else p
                for p in (_path_arg(w) for w in operands)]
    if name not in _SEVEN_ZIP and name not in ("rar", "lha", "lhasa", "arj"):
        return []
    if len(words) < 2:
        return []
    verb = words[1].value
    if verb is None:
        return [PathArg(f"({name}'s command, known only at run time)", "unknown")]
    verb = verb.lower()
    switches, operands, dynamic = _split(words, 2)
    if name in _SEVEN_ZIP:
        moves = any(s.startswith("-sdel") for s in switches)
    elif name == "rar":
        moves = verb in ("m", "mf") or any(s.startswith(("-df", "-dr", "-dw")) for s in switches)
    elif name == "arj":
        moves = verb == "m" or any(s == "-d" or s.startswith("-d1") or s.startswith("-d2")
                                   for s in switches)
    else:  # lha: `m` (also `-m`, with option letters after it)
        moves = verb.lstrip("-")[:1] == "m"
    if not moves:
        return [PathArg(f"({name}'s switches, known only at run time)", "unknown")] if dynamic else []
    return _archived(operands)
