"""Commands that write files the policy can name, so that they count as `>` on those files as a
redirection does: one table (`_WRITES`: tee, dd's of=, the copies whose last operand is the
destination...), and the programs with their own reader in program_writes (`_more_writes`).
Over about 600 lines: `_WRITES` and `_more_writes` are the one dispatch every writer's reader
hangs from (the readers themselves live in their own modules); splitting the dispatch would
give each writer two places to look."""

from __future__ import annotations

import re
from typing import NamedTuple

from bastion.command_control.policy.build_writes import BUILD_WRITERS
from bastion.command_control.policy.configured_writes import (
    _CONFIG_WRITES,
    CGROUP_WRITERS,
    _config_writes,
    _curl_writes,
    _reformime_writes,
    _uudecode_writes,
    _wget_writes,
    cgroup_writes,
)
from bastion.command_control.policy.extracts import _extracted, _extractor, _unpacker_code
from bastion.command_control.policy.mail_writes import _mail_recipients
from bastion.command_control.policy.options import (
    _after_options,
    _last_argument,
    _Options,
    _options,
    _permuted,
    _scan_options,
)
from bastion.command_control.policy.other_writes import (
    _CSPLIT,
    _DOS2UNIX,
    _FOLDER_WRITES,
    _SPLIT,
    _dos2unix_writes,
    _folder_writes,
    _prefix_writes,
    _rsync_writes,
    _xxd_writes,
    _yq_in_place,
    _yq_writes,
)
from bastion.command_control.policy.own_writes import OWN_WRITERS, PATCH
from bastion.command_control.policy.paths import PathArg, _operand_paths, _path_arg, names_at_use
from bastion.command_control.policy.program_writes import (
    _GIT_TREE_WRITERS,
    _git_config_writes,
    _git_writes,
    _history_writes,
    _mktemp_writes,
    _sqlite_writes,
    _ssh_keygen_writes,
)
from bastion.command_control.policy.programs import _connection_code
from bastion.command_control.policy.renames import _MMV, _RENAMERS, _mmv_writes, _rename_writes
from bastion.command_control.policy.script_readers import EXIM_NAMES, exim_code
from bastion.command_control.policy.scripts import _gawk_writes, _m4_writes, _sed_writes
from bastion.command_control.policy.source_removals import compressor_trees
from bastion.command_control.policy.tar import _tar_writes
from bastion.command_control.policy.toolchains import toolchain, toolchain_writes
from bastion.command_control.policy.transfers import TRANSFERS, transfer_copies, transfer_writes
from bastion.command_control.policy.words import _at, _Word
from bastion.command_control.policy.wrappers import _git_verb_index

# Commands that write files the policy can name, so that they count as `>` on those files as a
# redirection does: "all" (each operand: tee), "of" (dd's of=), or the options of a copy whose
# last operand (or -t DIR) is the destination.
# found after outside attack I (finding 4): `--no-target-directory`, `--recursive` and
# `--archive` are named so that any start of them is read as GNU getopt reads it (`--no-t`).
# found after outside attack W (finding 10's class): `--backup` takes a value only after `=`
# (`cp --backup SRC /etc/x` wrote /etc/x unjudged).
_COPY = _options("St", ("--suffix", "--target-directory"),
                 flags=("--no-target-directory", "--recursive", "--archive", "--symbolic", "--parents",
                        "--link", "--symbolic-link", "--backup"))


# found after outside attack O (finding 8): every option of OpenSSL 3's commands that names a
# file it writes (`openssl CMD -help` lists them as "outfile" or "dir", and a few as "val"), in
# both spellings: OpenSSL 3 reads `--out` as `-out` (and `-out=F` as `-out F`).
_OPENSSL_OUTPUTS = frozenset(f"{dashes}{name}" for dashes in ("-", "--") for name in (
    "out", "keyout", "certsout", "keylogfile", "msgfile", "sess_out", "writerand", "outdir",
    "certout", "chainout", "extracertsout", "cacertsout", "reqout", "rspout", "respout",
    "signer", "CAserial"))


class _Operand(NamedTuple):
    """A writer whose output is its operand number `index` after `options` (uniq IN OUT),
    and the value of each of `output` (patch -o FILE); `missing` names what it writes with
    no such operand (patch: the files the patch names)."""

    index: int
    options: _Options
    output: frozenset[str] = frozenset()
    missing: str = ""


_WRITES: dict[str, _Options | str | frozenset[str] | _Operand] = {
    "tee": "all",
    "dd": "of",
    # The file after an output option: find -fprint FILE, sort -o FILE, curl -o FILE ...
    "find": frozenset({"-fprint", "-fprint0", "-fprintf", "-fls"}),
    "sort": frozenset({"-o", "--output"}),
    "curl": frozenset({"-D", "--dump-header", "-c", "--cookie-jar", "--trace",
                       "--trace-ascii", "--stderr", "--libcurl", "--etag-save",
                       # caches curl reads and writes back (attack O, finding 8)
                       "--hsts", "--alt-svc", "--ssl-sessions"}),
    "cp": _COPY,
    "mv": _COPY,
    "ln": _COPY,
    # found after outside attack B: writers that were not counted as `>`
    "sponge": "all",
    "shuf": frozenset({"-o", "--output"}),
    "iconv": frozenset({"-o", "--output"}),
    "openssl": _OPENSSL_OUTPUTS,
    # found after outside attack E (finding 3): more writers (also `_more_writes`)
    "touch": "all",
    "time": frozenset({"-o", "--output"}),
    "valgrind": frozenset({"--log-file", "--xml-file"}),  # attack O
    "ssh": frozenset({"-E"}),
    "cpio": frozenset({"-O"}),
    "sdiff": frozenset({"-o", "--output"}),
    "htpasswd": _Operand(0, _options("Cr")),
    "gpg": frozenset({"-o", "--output"}),
    # found after outside attack W (finding 10): --group and --all-repeated take a value only
    # attached with `=`; script's -o (--output-limit) takes one and -t[FILE] writes FILE; xxd:
    # other_writes.
    "uniq": _Operand(1, _options("fsw", ("--skip-fields", "--skip-chars", "--check-chars"),
                                 flags=("--group", "--all-repeated", "--ignore-case", "--count",
                                        "--repeated", "--unique", "--zero-terminated"))),
    "script": _Operand(0, _options("cEIOBTmo", ("--command", "--echo", "--log-in", "--log-out",
                                               "--log-io", "--log-timing", "--logging-format",
                                               "--output-limit"),
                                   attached="t", flags=("--timing", "--append", "--return", "--flush",
                                                        "--force", "--quiet")),
                       frozenset({"-I", "--log-in", "-O", "--log-out", "-B", "--log-io", "-T",
                                  "--log-timing", "-t", "--timing"})),
    # found after outside attack G (finding 5): what makes a file or a node. Not mkdir: an
    # empty directory changes what no program reads, and a directory named only at run time
    # (Ansible's `mkdir -p "`echo ~/.ansible/tmp`"`) would be held for every deny rule's paths.
    # (attack W, finding 10: -Z is a flag and --context takes a value only after `=`; fallocate's
    # -x is --posix, a flag)
    "mkfifo": _Operand(-1, _options("m", ("--mode",), flags=("--context",))),
    # found after outside attack u30f (the makers): mkdir and rmdir make or remove each
    # operand (`mkdir -- PATH` is PATH, not a program), read by a table as touch is
    "mkdir": _Operand(-1, _options("m", ("--mode",), flags=("--context", "--parents", "--verbose"))),
    "rmdir": _Operand(-1, _options("", (), flags=("--parents", "--verbose",
                                                   "--ignore-fail-on-non-empty"))),
    "mknod": _Operand(0, _options("m", ("--mode",), flags=("--context",))),
    "fallocate": _Operand(0, _options("lo", ("--offset", "--length"),
                                      flags=("--posix", "--collapse-range", "--dig-holes",
                                             "--insert-range", "--keep-size", "--punch-hole",
                                             "--zero-range", "--verbose"))),
    "patch": _Operand(0, PATCH, frozenset({"-o", "--output", "-r", "--reject-file"}),
                      "(the files the patch names)"),
    "install": _options("gmoSt", ("--group", "--mode", "--owner", "--suffix", "--target-directory",
                                  "--strip-program"),
                        flags=("--no-target-directory", "--context", "--backup")),
    # found after outside attack O (finding 8): writers missing from this table
    "less": frozenset({"-o", "-O", "--log-file", "--LOG-FILE"}),
    "lesskey": frozenset({"-o", "--output"}),
    # sshd's log file, dropbear's pid file: read since they have a handler (attack k20f, 14)
    "sshd": frozenset({"-E"}), "dropbear": frozenset({"-P"}),
    "makemime": frozenset({"-o"}),
    "rsync": _options("eBfTM@", ("--rsh", "--block-size", "--filter", "--temp-dir", "--rsync-path",
                                # found after outside attack U: options that take a value
                                "--bwlimit", "--info", "--debug", "--max-delete", "--iconv",
                                "--modify-window", "--contimeout", "--port", "--address",
                                "--protocol", "--checksum-choice", "--cc", "--compress-choice",
                                "--zc", "--compress-level", "--zl", "--skip-compress", "--outbuf",
                                "--stop-after", "--stop-at", "--early-input", "--log-file-format",
                                "--sockopts", "--max-alloc", "--copy-as", "--checksum-seed",
                                "--remote-option", "--log-format", "--config", "--dparam", "--stderr",
                                "--exclude", "--include", "--exclude-from", "--include-from",
                                "--files-from", "--log-file", "--partial-dir", "--compare-dest",
                                "--copy-dest", "--link-dest", "--chmod", "--chown", "--usermap",
                                "--groupmap", "--backup-dir", "--suffix", "--password-file",
                                "--out-format", "--max-size", "--min-size", "--timeout",
                                "--write-batch", "--only-write-batch", "--read-batch"),
                      flags=("--recursive", "--archive", "--relative")),
    # found after outside attack S (finding 15): writers missing from this table, and their kin
    # (gettext's tools, Wireshark's capture tools); aria2c's and tic's folders, dos2unix and yq:
    # other_writes.
    **dict.fromkeys(("msgfmt", "msgmerge", "msgcat", "msgconv", "msguniq", "msginit", "xgettext"),
                    frozenset({"-o", "--output-file"})),
    "pandoc": frozenset({"-o", "--output", "--log"}),
    **dict.fromkeys(("tshark", "dumpcap", "mergecap"), frozenset({"-w"})),
    "editcap": _Operand(1, _options("aABcCDEFiIostSTw", ("--inject-secrets", "--capture-comment",
                                                          "--seed", "--compress", "--log-level",
                                                          "--log-domains", "--log-file",
                                                          "--log-fatal-domains", "--log-debug",
                                                          "--log-noisy")),
                        frozenset({"--log-file"})),
    "logrotate": frozenset({"-s", "--state", "-l", "--log"}),
    "aria2c": frozenset({"-o", "--out", "-l", "--log", "--save-session", "--save-cookies",
                         "--dht-file-path", "--dht-file-path6", "--server-stat-of"}),
}  # fmt: skip

_RECURSIVE = frozenset({"-r", "-R", "-a", "--recursive", "--archive"})
# found after outside attack I (finding 6): programs that change a file's mode, owner, ACL,
# attributes or what is seen at its name. With -R (and mount, which hides the tree under its
# target) they change everything under each operand too: DIR/**, a pattern, so that a rule
# protecting a file under it holds the line (`chmod -R o+w /etc`, `mount -t tmpfs x /etc`).
_TREE_CHANGERS = frozenset({"chmod", "chown", "chgrp", "setfacl", "chattr", "chcon", "mount", "bindfs"})


def _recursive_change(words: list[_Word]) -> bool:
    """Whether chmod, chown, chgrp, setfacl, chattr or chcon is given -R (in a cluster too) or
    --recursive (any start of it GNU getopt takes, `--rec`)."""
    for word in words[1:]:
        value = word.value
        if value is None or value == "--":
            return value is None  # an option known only at run time may be -R
        if value.startswith("--"):
            if len(value) > 2 and "--recursive".startswith(value):
                return True
        elif value.startswith("-") and "R" in value:
            return True
    return False


_RM = _options("", (), flags=("--recursive",))


def moved_away(words: list[_Word]) -> tuple[PathArg, ...]:
    """What mv takes away, judged as `rm -r` of it (attack j19f, finding 11): its sources, and
    with --exchange its destination too (swapped with the source); the trees of
    `_whole_trees`, a glob as written (`mv /b* /x`: a glob the rm rules read)."""
    permuted = _permuted(words, 1, _COPY)
    exchange = permuted is not None and any(o.startswith("--ex") for o, _ in permuted[0])
    trees = _whole_trees("mv", [*words, _Word("/dev/null", "/dev/null")] if exchange else words)
    return tuple(p._replace(text=p.text.removesuffix("/**")) if p.kind == "pattern" else p
                 for p in trees)


def _whole_trees(name: str, words: list[_Word]) -> tuple[PathArg, ...]:
    """The folders whose every file a command touches (found after outside attack M, finding
    7): what mv moves and ln links to (`mv /etc /tmp/v`, `ln -sfn /etc /tmp/e`: a second name
    for /etc/sudoers), what `cp -rs` and `cp -rl` link, what `rm -r` removes. A literal one is
    a "tree" path (a rule's file under it matches for certain), a glob DIR/** (it may)."""
    if name not in ("mv", "ln", "cp", "rm"):
        return ()
    permuted = _permuted(words, 1, _RM if name == "rm" else _COPY)
    if permuted is None:
        return ()
    found, operands = permuted
    options = {option for option, _ in found}
    if name == "rm":
        if not options & {"-r", "-R", "--recursive"}:
            return ()
        sources = operands
    else:
        # (`--symbolic` is a start of cp's `--symbolic-link`, which GNU getopt takes.)
        if name == "cp" and not (options & _RECURSIVE and options & {
                "-s", "-l", "--link", "--symbolic-link", "--symbolic"}):
            return ()
        targeted = _last_argument(found, {"-t", "--target-directory"})
        sources = operands if targeted or len(operands) < 2 else operands[:-1]
        # A relative symbolic link is read from the link's folder, not the working one
        # (`ln -s ../etc /tmp/e` names /etc): DEST's folder, or DEST itself being one.
        destination = targeted[1] if targeted else operands[-1] if len(operands) > 1 else None
        folder = destination.value if destination is not None else None
        if name == "ln" and options & {"-s", "--symbolic"} and folder and folder.startswith("/"):
            folders = [folder] if targeted else [folder, folder.rstrip("/").rpartition("/")[0] or "/"]
            sources = [*sources, *(_Word(f"{f.rstrip('/')}/{w.value}", w.text) for w in sources
                                   if w.value is not None and not w.value.startswith(("/", "~"))
                                   for f in folders)]
    trees: list[PathArg] = []
    for word in sources:
        if name != "rm" and options & {"-s", "--symbolic", "--symbolic-link"} and \
                names_at_use(word.value or ""):
            trees.append(PathArg(f"(what {word.value} names when the link is used)", "unknown"))
        path = _path_arg(word)
        if path.kind == "exact":
            trees.append(path._replace(kind="tree"))
        elif path.kind == "pattern":
            trees.append(path._replace(text=f"{path.text.rstrip('/')}/**"))
    return tuple(trees)


# A destination taken as the name itself, not a directory to copy into (cp, mv, ln, install).
_NO_TARGET = frozenset({"-T", "--no-target-directory"})


def _rsync_removes(words: list[_Word]) -> tuple[PathArg, ...]:
    """What rsync removes, as an `rm`: with --delete (and its kin), whatever is in the
    destination and not in the source (DEST/**); with --remove-source-files, the sources."""
    spec = _WRITES["rsync"]
    assert isinstance(spec, _Options)
    scanned = _scan_options(words, 1, spec)
    if scanned is None:
        return ()
    index, found = scanned
    options = {option for option, _ in found}
    operands = words[index:]
    removed: list[PathArg] = []
    if any(o.startswith("--delete") or o == "--del" for o in options) and operands:
        target = _path_arg(operands[-1])
        base = target.text.rstrip("/") or "/"
        removed.append(target if target.kind == "unknown" else PathArg(
            f"{base}{'' if base.endswith('/') else '/'}**", "pattern", target.tilde))
    if _removes_sources(found):
        removed += [_path_arg(w) for w in operands[:-1]]
    return tuple(removed)


def _removes_sources(found: list[tuple[str, _Word | None]]) -> bool:
    """--remove-source-files, its old name --remove-sent-files, a start of either (`--remov`)
    and either passed to the other end by -M/--remote-option, which a local copy's forked
    rsync reads too (found after outside attack k20f, finding 18)."""
    names = ("--remove-source-files", "--remove-sent-files")
    options = [o for o, _ in found] + [a.value.partition("=")[0] if a.value is not None else names[0]
                                       for o, a in found if o in ("-M", "--remote-option") and a]
    return any(len(o) > 6 and any(n.startswith(o) for n in names) for o in options)
# `pushd +1`, `popd -2`, `~1`, `~-1`: entries of the directory stack.
_DIRSTACK = re.compile(r"[+-]?[0-9]+")


def _written(words: list[_Word], spec: _Options | str | frozenset[str] | _Operand
             ) -> list[PathArg]:
    """The files a writer among _WRITES writes. A copy to D writes D and, D being perhaps a
    directory, D/NAME for each source NAME (`cp shadow /etc` writes /etc/shadow)."""
    if isinstance(spec, frozenset):
        return _after_options(words, spec)
    if isinstance(spec, _Operand):
        permuted = _permuted(words, 1, spec.options)
        if permuted is None:
            return [PathArg(words[0].text + " ...", "unknown")]
        found, operands = permuted
        written = _after_options(words, spec.output) if spec.output else []
        if spec.index < 0:
            return written + [_path_arg(w) for w in operands]
        operand = _at(operands, spec.index)
        if operand is not None:
            written.append(_path_arg(operand))
        elif spec.missing:
            written.append(PathArg(spec.missing, "unknown"))
        return written
    if spec == "all":
        return [p for p in _operand_paths(words) if p.text != "-"]
    if spec == "of":
        return [_path_arg(w, w.value[3:], w.text.startswith("of=~"))
                for w in words[1:] if w.value is not None and w.value.startswith("of=")] + [
            PathArg(w.text, "unknown") for w in words[1:] if w.value is None]
    assert isinstance(spec, _Options)
    # GNU cp, mv, ln and install permute: `cp SRC DEST -rT` (attack I, finding 4). A word
    # known only at run time past the first operand is taken as an operand, and may be `-rT`.
    scanned = _scan_options(words, 1, spec)
    if scanned is None:
        return [PathArg(words[0].text + " ...", "unknown")]
    known = {id(w): w for w in words}
    stand_in = [w if w.value is not None else w._replace(value="\0") for w in words]
    known.update({id(s): w for s, w in zip(stand_in, words, strict=True)})
    permuted = _permuted(stand_in, 1, spec)
    assert permuted is not None  # every word is known now
    found, operands = permuted[0], [known[id(w)] for w in permuted[1]]
    unseen = any(w.value is None and not w.fresh for w in operands)
    program = (words[0].value or "").rsplit("/", 1)[-1]
    if program.endswith("install") and any(option in ("-d", "--directory") for option, _ in found):
        return [_path_arg(w) for w in operands]  # `install -d DIR...` makes each DIR
    # A recursive copy also writes everything under what it creates (`cp -a etc /` may
    # replace /etc/shadow): that is a glob, so a rule it could meet holds the line. A moved
    # directory carries its tree, and a symbolic link to one makes its tree appear at the
    # link's name (`mv d /etc/sudoers.d`, `ln -sT d /etc/sudoers.d`).
    options = {option for option, _ in found}
    recursive = bool(options & _RECURSIVE) or program == "mv" or (
        program == "ln" and bool(options & {"-s", "--symbolic"}))
    tree = "/**" if recursive else ""
    if unseen and program != "rsync":
        options |= _NO_TARGET  # the unknown word may be `-T`: DEST itself, and its tree
        recursive = True
    if program == "rsync" and options >= {"--server", "--sender"}:
        # The remote end of a pull sends the files its operands name (rsync refuses --sender
        # without --server); only its own files are written (`--log-file`).
        # attack U: it deletes them (any name of the option: attack k20f, finding 18)
        removed = [_path_arg(w) for w in operands[1:]] if _removes_sources(found) else []
        return removed + _rsync_writes(found, PathArg("(the folder of a pull's sender)", "unknown"))
    # found after outside attack S (finding 1): rsync's `-t` is `--times` and it has no
    # target-directory option; read as cp's, `rsync -a -t SRC /etc/x` wrote nothing.
    option = None if program == "rsync" else _last_argument(found, {"-t", "--target-directory"})
    if option is not None:
        if option[1] is None:
            return []
        destination, sources = known.get(id(option[1]), option[1]), operands
    elif program != "rsync" and options & _NO_TARGET and operands and not (
            _path_arg(operands[-1]).kind == "unknown" and unseen and len(operands) >= 2):
        # `cp -rT SRC DEST`: SRC's contents land in DEST itself, DEST/** when recursive.
        target = _path_arg(operands[-1])
        if not recursive or target.kind == "unknown":
            return [target]
        base = target.text.rstrip("/") or "/"
        return [target, PathArg(f"{base}{'' if base.endswith('/') else '/'}**", "pattern",
                                 target.tilde)]
    elif len(operands) >= 2 or (operands and program == "rsync" and "--read-batch" in options):
        destination, sources = operands[-1], operands[:-1]
    else:
        return []
    target = _path_arg(destination)
    written = [target] + (_rsync_writes(found, target) if program == "rsync" else [])
    base = target.text.rstrip("/") or "/"
    joiner = "" if base.endswith("/") else "/"
    if target.kind == "unknown" and options & _NO_TARGET:
        # The destination itself, or a word that may be `-T`: DEST's tree, filled in as above.
        written.append(PathArg(f"{base}{joiner}**", "unknown", target.tilde))
    # found after outside attack M (finding 6): a destination known only at run time is still
    # judged with each source's name under it, as a text known only at run time, so that
    # what stands for it (`find /etc -exec cp sudoers {} ;`: each file found) fills it in.
    unknown = target.kind == "unknown"
    # found after outside attack M (finding 5): `cp --parents a/b D` writes D/a/b, `rsync -R
    # s/./a/b D` D/a/b, and `rsync --files-from=LIST` whatever names LIST holds (D/**).
    nested = (program == "cp" and "--parents" in options) or (
        program == "rsync" and bool(options & {"-R", "--relative"}))
    # `--files-from=LIST` writes whatever names LIST holds, `--read-batch=F` whatever the
    # batch holds (attack S, finding 2): anything under D.
    if program == "rsync" and options & {"--files-from", "--read-batch"}:
        written.append(PathArg(f"{base}{joiner}**", "unknown" if unknown else "pattern", target.tilde))
    for source in sources:
        if source.value is None:
            # A name known only at run time lands in the directory: any one name in it.
            written.append(PathArg(f"{base}{joiner}*{tree}", "unknown" if unknown else "pattern",
                                   target.tilde))
            continue
        if program == "rsync" and _RSYNC_REMOTE.match(source.value):
            source = remote_source(_RSYNC_REMOTE.sub("", source.value, count=1), source)
        name = _landing_name(source.value) if nested else source.value.rstrip("/").rsplit("/", 1)[-1]
        if name is None:
            written.append(PathArg(f"{base}{joiner}**", "unknown" if unknown else "pattern",
                                   target.tilde))
            continue
        # found after outside attack K (finding 1): a source whose last part is `..` names a
        # folder's contents as `.` does (`cp -r sub/.. /etc` fills /etc itself).
        if recursive and (name in ("", ".", "..") or source.value.endswith("/")):
            written.append(PathArg(f"{base}{joiner}**", "unknown" if unknown else "pattern",
                                   target.tilde))
        elif name and name not in (".", ".."):
            kind = "pattern" if target.kind == "pattern" or source.glob or recursive else "exact"
            written.append(PathArg(f"{base}{joiner}{name}", "unknown" if unknown else "pattern"
                                   if source.glob or target.kind == "pattern" else "exact", target.tilde))
            if recursive:
                written.append(PathArg(f"{base}{joiner}{name}{tree}", "unknown" if unknown else kind,
                                       target.tilde))
    return written


def _landing_name(source: str) -> str | None:
    """Where under the destination `cp --parents` and `rsync -R` put `source`: the whole path
    (rsync's from a `/./` on), its leading `/` dropped; None when a `..` makes it unsure."""
    marker = source.find("/./")
    relative = source[marker + 3:] if marker >= 0 else source.removeprefix("./")
    relative = relative.strip("/")
    if ".." in relative.split("/"):
        return None
    return relative


_COMPRESSORS = {"gzip": ".gz", "pigz": ".gz", "bzip2": ".bz2", "pbzip2": ".bz2", "xz": ".xz",
                "lzma": ".lzma", "zstd": ".zst", "lz4": ".lz4", "lzip": ".lz", "compress": ".Z",
                "plzip": ".lz", "lzop": ".lzo", "brotli": ".br", "zstdmt": ".zst", "pzstd": ".zst",
                "pixz": ".xz", "pxz": ".xz", "lbzip2": ".bz2", "lz4c": ".lz4"}  # (attack W: zstdmt...)
_DECOMPRESSORS = {"gunzip": ".gz", "bunzip2": ".bz2", "unxz": ".xz", "unlzma": ".lzma",
                  "unzstd": ".zst", "uncompress": ".Z", "unpigz": ".gz", "unlz4": ".lz4"}
# found after outside attack u30f (finding 11): the other suffix-stripping decompressors and
# decryptors (each writes NAME without its suffix beside NAME, or NAME with it: bcrypt
# toggles), which the unread reading judged only as NAME and NAME/**.
_COMPRESSORS |= {"lrzip": ".lrz", "bzip3": ".bz3", "snzip": ".sz", "ccrypt": ".cpt",
                 "ccencrypt": ".cpt", "mcrypt": ".nc", "aescrypt": ".aes",
                 "clzip": ".lz", "pdlzip": ".lz", "tarlz": ".lz"}
_DECOMPRESSORS |= {"lrunzip": ".lrz", "bunzip3": ".bz3", "snunzip": ".sz", "ccdecrypt": ".cpt",
                   "mdecrypt": ".nc", "bcrypt": ".bfe", "lunzip": ".lz", "unlzip": ".lz"}
# found after outside attack O (finding 8): the compressors' own output options (`brotli -o F`,
# `lzop -o F`, `zstd -o F`; a folder: `lzop -p DIR`, `zstd --output-dir-flat DIR`), and the
# letters that send the output to stdout, test or list (lz4's -l is its legacy format: a write).
_COMPRESSOR_OUTPUT = frozenset({"-o", "--output"})
_COMPRESSOR_FOLDER = frozenset({"--output-dir-flat", "--output-dir-mirror", "--path"})
_NO_FILE_LETTERS = {"lz4": "ct", "unlz4": "ct", "lz4c": "ct", "lrzip": "ti", "lrunzip": "ti",
                    "ccrypt": "c", "ccencrypt": "c", "ccdecrypt": "c", "mcrypt": "", "mdecrypt": "",
                    "aescrypt": "", "bcrypt": "", "snzip": "c", "snunzip": "c", "bzip3": "ct",
                    "bunzip3": "ct"}
_FOLDER_LETTER = {"lzop": "-p", "lrzip": "-O", "lrunzip": "-O"}  # an output folder's option


# OpenSSH scp's options that take an argument.
_SCP = _options("cDFiJloPSX")
# scp's colon(): `[user@]host:path` (`[v6]:path`) or an scp:// URI names a remote file; a `/`
# before any `:` makes the word a local path.
_SCP_REMOTE = re.compile(r"scp://|(?:[^/:\[]*@)?(?:\[[^\]/]*\]|[^/:\[]+):")
# rsync's remote sources: `rsync://HOST/MODULE/PATH`, `HOST::MODULE/PATH`, `[USER@]HOST:PATH`
_RSYNC_REMOTE = re.compile(r"rsync://[^/]*/|(?:[^/:\[]*@)?[^/:\[]+::?")


def _scp_writes(words: list[_Word]) -> list[PathArg]:
    """What scp writes here (found after outside attack S, finding 11): a local destination,
    as cp writes it (-r as cp -r), whether the sources are local (scp then runs cp) or remote
    (a download: a remote source's name is its path's last part). Only -r is carried over:
    scp's other letters mean other things to cp (`-T`, `-p`...)."""
    dynamic = next((i for i, w in enumerate(words) if w.value is None), len(words))
    index, found = _scan_options(words[:dynamic], 1, _SCP) or (1, [])
    if {o for o, _ in found} & {"-t", "-f"}:
        return []  # the remote end of a legacy scp: its stream is judged (`_scp`, scp.server_mode)
    if index == dynamic < len(words):
        return [PathArg("(scp options known only at run time)", "unknown")]
    # OpenSSH's scp reads options only up to the first operand (its own BSD getopt: attack
    # s28o, finding 1): `scp evil -t -l DIR` copies evil, -t and -l into DIR. GNU's permuted
    # reading is judged as well, so that no spelling is read more leniently.
    written = _scp_copy(found, words[index:])
    permuted = _permuted(words, 1, _SCP)
    if permuted is not None and not {o for o, _ in permuted[0]} & {"-t", "-f"}:
        written += [p for p in _scp_copy(*permuted) if p not in written]
    return written


def _scp_copy(found: list[tuple[str, _Word | None]], operands: list[_Word]) -> list[PathArg]:
    """What an scp copy given these options and operands writes here (`_scp_writes`)."""
    if len(operands) < 2:
        return []
    destination = operands[-1]
    if destination.value is None:
        return [PathArg(destination.text, "unknown")]
    if _SCP_REMOTE.match(destination.value):
        return []
    options = {o for o, _ in found}
    # With -T (no check of the names the remote sends) or -r (a tree the remote names), a
    # legacy download lands under any name there (attack u30f, finding 8).
    unchecked = bool(options & {"-T", "-r"})
    sources = [w if w.value is None or not _SCP_REMOTE.match(w.value) else
               remote_source(_SCP_REMOTE.sub("", w.value, count=1), w) if not unchecked else
               _Word(None, w.text) for w in operands[:-1]]
    recursive = [_Word("-r", "-r")] if "-r" in options else []
    return _written([_Word("cp", "cp"), *recursive, _Word("--", "--"), *sources, destination], _COPY)


# a pattern or braces, and what the remote shell legacy scp (-O) hands the path to expands
_REMOTE_PATTERN = re.compile(r"[*?\[{\\$`~]")


def remote_source(path: str, word: _Word) -> _Word:
    """A remote source's path as the copy lands it here: a pattern or braces in its last part
    are expanded over there, whatever the local quoting (`scp 'h:/x/*' /etc/`, `rsync
    'h:/x/sudoer[s]' /etc/`: attack s28f, finding 24), so the name it lands under is any one."""
    head, _, last = path.rstrip("/").rpartition("/")
    if _REMOTE_PATTERN.search(last):
        return _Word(f"{head}/*", word.text, True)
    return _Word(path or None, word.text, word.glob)


_MAILERS = frozenset({"mail", "mailx", "s-nail", "Mail"})
_MORE_WRITERS = frozenset({"scp", "sftp", "rsync", "sed", "tar", "gtar", "gnutar", "sqlite3", *_MAILERS,
                           "strace", "ltrace", "curl", "wget",
                           "mktemp", "ssh-keygen", "git", "split", "csplit", "tcpdump",
                           *_COMPRESSORS, *_DECOMPRESSORS, *_RENAMERS, *_MMV,
                           # found after outside attack O (findings 1, 6 and 8)
                           "history", "uudecode", "reformime", "modprobe", *_CONFIG_WRITES,
                           # found after outside attack S (finding 15)
                           *_FOLDER_WRITES, *_DOS2UNIX, "yq", "gawk", "awk", "m4", "xxd",
                           *CGROUP_WRITERS})  # attacks f15f (finding 7) and h17f (finding 4)


def _more_writes(name: str, words: list[_Word], values: dict[str, str | None] | None = None
                 ) -> tuple[list[PathArg], list[str | None]]:
    """Files written and code run by the writers not in _WRITES' simple forms (`values`: the
    variables the line set)."""
    if _extractor(name):
        return _extracted(name, words), _unpacker_code(name, words)
    if name in BUILD_WRITERS:
        return BUILD_WRITERS[name](words), []
    if toolchain(name) is not None:  # compilers and binary tools (attack W, finding 9)
        return toolchain_writes(name, words, values)
    if name in TRANSFERS:  # downloaders, copiers, gio, zip (attack W, findings 10, 11, 14)
        written, codes = transfer_writes(name, words)
        if name == "wget2":  # its startup file in $XDG_CONFIG_HOME/wget or ~/.config/wget
            written += [PathArg(f"(the files a startup file in ${home} names)", "unknown")
                        for home in ("HOME", "XDG_CONFIG_HOME") if home in (values or {})]
        for copy in transfer_copies(name, words):
            written += _written([_Word(copy.program, copy.program), *(_Word(o, o) for o in copy.options),
                                 _Word("--", "--"), *copy.sources, copy.destination], _COPY)
        return written, codes
    if name in OWN_WRITERS:  # read programs' own files, patch's backups (attack X)
        return OWN_WRITERS[name](words)
    if name in EXIM_NAMES:  # `exim4 -be '${run{CMD}}'` (attack v31f, finding 9)
        return [], exim_code(words)
    if name not in _MORE_WRITERS:
        return [], []
    if name == "scp":
        return _scp_writes(words), _connection_code(name, words)
    if name in _MAILERS:
        return _mail_recipients(words)
    if name in _FOLDER_WRITES:
        homes = ("HOME", "XDG_CONFIG_HOME") if name == "aria2c" else ()  # its aria2.conf
        return _folder_writes(name, words) + [
            PathArg(f"(the files a startup file in ${home} names)", "unknown")
            for home in homes if home in (values or {})], []
    if name in _DOS2UNIX:
        return _dos2unix_writes(words), []
    if name == "yq":
        return _yq_writes(words), []
    if name == "xxd":
        return _xxd_writes(words), []
    if name in ("sftp", "rsync"):
        return (_sftp_fetch(words) if name == "sftp" else []), _connection_code(name, words)
    if name == "sed":
        return _sed_writes(words)
    if name in ("gawk", "awk", "m4"):  # awk is gawk where gawk is installed (Debian's alternatives)
        return _gawk_writes(words) if name != "m4" else _m4_writes(words), []
    if name in ("tar", "gtar", "gnutar"):
        return _tar_writes(words)
    if name == "sqlite3":
        return _sqlite_writes(words)
    if name in _RENAMERS:
        return _rename_writes(words), []
    if name in _MMV:
        return _mmv_writes(words), []
    if name in ("strace", "ltrace"):
        written = _after_options(words, frozenset({"-o", "--output"}))
        codes: list[str | None] = [p.text[1:] for p in written if p.text[:1] in "|!"]
        return [p for p in written if p.text[:1] not in "|!"], codes
    if name == "mktemp":
        return _mktemp_writes(words, (values or {}).get("TMPDIR", "")), []
    if name in ("curl", "wget"):
        written, codes = (_curl_writes(words), []) if name == "curl" else _wget_writes(words)
        # A home the line chose holds a startup file an earlier line may have written
        # (`HOME=/tmp/h wget URL`, /tmp/h/.wgetrc: `output_document = F`; attack O).
        homes = ("HOME", "XDG_CONFIG_HOME", "CURL_HOME") if name == "curl" else ("HOME",)
        written += [PathArg(f"(the files a startup file in ${home} names)", "unknown")
                    for home in homes if home in (values or {})]
        return written, codes
    if name == "history":
        return _history_writes(words), []
    if name == "uudecode":
        return _uudecode_writes(words), []
    if name == "reformime":
        return _reformime_writes(words)
    if name in _CONFIG_WRITES:
        return _config_writes(name, words), []
    if name in CGROUP_WRITERS:
        return cgroup_writes(name, words), []
    if name == "modprobe":
        # A configuration's `install MODULE COMMAND` runs COMMAND (attack O, finding 6).
        return [], [None] if _after_options(words, frozenset({"-C", "--config"})) else []
    if name == "ssh-keygen":
        return _ssh_keygen_writes(words), []
    if name == "git":
        return _git_config_writes(words) + _git_writes(words, values), []
    if name == "split":
        scanned = _scan_options(words, 1, _SPLIT)
        codes = [a.value if a is not None else None for o, a in (scanned[1] if scanned else [])
                 if o == "--filter"]
        return _prefix_writes(words, _SPLIT, 1, "", "x"), codes
    if name == "csplit":
        return _prefix_writes(words, _CSPLIT, 0, "-f", "xx"), []
    if name == "tcpdump":
        return _after_options(words, frozenset({"-w"})), [
            p.text for p in _after_options(words, frozenset({"-z"}))]
    if name in _COMPRESSORS or name in _DECOMPRESSORS:
        named = [p for p in _after_options(words, _COMPRESSOR_OUTPUT) if p.text != "-"]
        folders = _after_options(words, _COMPRESSOR_FOLDER | (
            {_FOLDER_LETTER[name]} if name in _FOLDER_LETTER else set()))
        named += [p if p.kind == "unknown" else p._replace(
            text=f"{p.text.rstrip('/')}/**", kind="pattern") for p in folders]
        named += compressor_trees(name, words)[0]  # -r: beside each file under DIR (k20f, 8)
        values = [w.value or "" for w in words[1:]]
        letters = set(_NO_FILE_LETTERS.get(name, "ctl"))
        if any(v in ("-c", "--stdout", "--to-stdout", "-t", "--test") or (
                v in ("-l", "--list") and "l" in letters) or (
                v.startswith("-") and not v.startswith("--") and set(v[1:]) & letters)
               for v in values):
            return named, []
        decompress = name in _DECOMPRESSORS or any(
            v in ("-d", "--decompress", "--uncompress") or (
                v.startswith("-") and not v.startswith("--") and "d" in v) for v in values)
        suffix = _DECOMPRESSORS.get(name) or _COMPRESSORS.get(name, "")
        # A name known only at run time (`gzip "$f"` in a loop) is not counted: held, it
        # would hold everyday log rotation (SECURITY.md, what remains).
        paths = [p for p in _operand_paths(words) if p.text != "-" and p.kind != "unknown"]
        # Another suffix (`-S .x`) or the name stored in the archive (`-N`): decompressed, a
        # file may come under any name beside it (attack M, finding 8).
        if decompress and any(v in ("-N", "--name") or v.startswith(("-S", "--suffix", "--suf"))
                              or (v.startswith("-") and not v.startswith("--")
                                  and set(v[1:]) & set("NS")) for v in values):
            return named + paths + [p._replace(text=f"{p.text.rpartition('/')[0] or '.'}/*",
                                               kind="pattern") for p in paths], []
        # Each file is replaced: compressed, FILE goes and FILE.gz comes; decompressed, the
        # other way round.
        return named + paths + [
            p._replace(text=p.text[: -len(suffix)] if p.text.endswith(suffix) else f"{p.text}*")
            if decompress else p._replace(text=p.text + suffix)
            for p in paths if p.kind != "unknown"], []
    return [], []


# Makers of folders: a name known only at run time (`mkdir -p "$d"`, `xargs mkdir`) is not
# counted, as the unread reading did not count it (a new empty folder replaces no file).
_MAKERS = frozenset({"mkdir", "rmdir"})
# Writers that run a command: what xargs appends to them is held as that command already.
_APPENDED_COMMAND = frozenset({"time", "strace", "ltrace", "ssh", "find", "script"})


def _appended_writes(name: str, words: list[_Word]) -> bool:
    """Whether words appended at run time (xargs, parallel, find -exec +) may name a file the
    command `name` writes: each writer of _WRITES and _MORE_WRITERS, git only for subcommands
    that write files. Not the writers that run a command (`_APPENDED_COMMAND`), nor the
    compressors: a name known only at run time is not counted for them (`_more_writes`), so
    that everyday log rotation is not held."""
    if name in _COMPRESSORS or name in _DECOMPRESSORS or name in _APPENDED_COMMAND or \
            name in _MAKERS:
        return False
    if name == "yq":
        return _yq_in_place(words)
    if _extractor(name):
        # An unpacker that writes with the words it has (`xargs unzip`, not `xargs ar t`):
        # appended words may name its folder.
        return bool(_extracted(name, words))
    if name == "git":
        index = _git_verb_index(words)
        verb = words[index].value if index < len(words) else None
        return verb in _GIT_TREE_WRITERS or verb in ("config", "archive", "format-patch", "bundle",
                                                     "worktree", "init", "clone")
    return name in _WRITES or name in _MORE_WRITERS or name in TRANSFERS or toolchain(name) is not None


_POSIX_SPLITS = 6  # the first operand is among the first few words that are no option


def posix_orders(words: list[_Word]) -> list[list[_Word]]:
    """`words` as GNU getopt reads them under POSIXLY_CORRECT, for each place the first operand
    may stand (the options' values are not known here): an `--` put before a word that is no
    option, where an option comes after it. [] when no option follows an operand."""
    end = next((i for i, w in enumerate(words) if w.value == "--"), len(words))
    last = max((i for i in range(1, end) if words[i].value is not None
                and words[i].value.startswith("-") and len(words[i].value) > 1), default=0)
    splits = [i for i in range(1, last) if words[i].value is not None
              and not (words[i].value.startswith("-") and len(words[i].value) > 1)]
    dash = _Word("--", "--")
    return [[*words[:i], dash, *words[i:]] for i in splits[:_POSIX_SPLITS]]


_SFTP = _options("BbcDFiJloPRSsX")  # `-s SUBSYSTEM` takes a value (attack v31f, finding 7)
# what sftp's own line splitter (makeargv) reads as quoting or a word's end
_SFTP_SPLITS = " \t'\"\\"


def _sftp_fetch(words: list[_Word]) -> list[PathArg]:
    """What `sftp HOST:PATH [LOCAL]` writes here: a destination with a path that is no folder is
    fetched into the working folder under its last part (any name, for a pattern: attack s28f,
    finding 24). sftp reads options only up to its destination (BSD getopt). sftp pastes both
    paths into its own `get` line and splits and unquotes it itself: a quote, blank or backslash
    in either makes it unknown (attack u30f, finding 7; v31f, finding 3). With -r a tree lands
    there, under any names: LOCAL/** (a PATH ending in `/`, `.` or `..` lands in LOCAL itself:
    attack v31f, finding 18)."""
    scanned = _scan_options(words, 1, _SFTP)
    if scanned is None:
        return [PathArg("(sftp options known only at run time)", "unknown")]
    index, found = scanned
    if index >= len(words):
        return []
    recursive = any(option == "-r" for option, _ in found)
    destination = words[index]
    if destination.value is None:
        return [PathArg(destination.text, "unknown")]
    value = destination.value
    if value.startswith("sftp://"):
        rest = value[len("sftp://"):]
        path = rest.partition("/")[2] if "/" in rest else ""
    elif _SCP_REMOTE.match(value):
        path = _SCP_REMOTE.sub("", value, count=1)
    else:
        return []
    local = words[index + 1] if index + 1 < len(words) else None
    if local is None and (not path or path.endswith("/")):
        return []  # a folder: the session starts there
    if any(c in path for c in _SFTP_SPLITS):
        # sftp pastes the path into its own `get` line, which it splits and unquotes itself
        # (`sftp 'h:/x/y /etc/sudoers'`: attack u30f, finding 7)
        return [PathArg(f"(a path sftp splits itself: {path})", "unknown")]
    landed = remote_source(path or ".", destination)
    name = (landed.value or "").rstrip("/").rsplit("/", 1)[-1] if path.rstrip("/") else ""
    if local is not None:
        # the second operand is where it lands here: a file, or a folder it lands in
        if local.value is None:
            return [PathArg(local.text, "unknown")]
        if any(c in local.value for c in _SFTP_SPLITS):
            # `sftp h:/x/y '"/etc/sudoers"'`: unquoted by sftp (attack v31f, finding 3)
            return [PathArg(f"(a path sftp splits itself: {local.value})", "unknown")]
        target = _path_arg(local)
        base = target.text.rstrip("/")
        if recursive or not name or name in (".", ".."):
            # a tree (or a folder's contents) under any names, in LOCAL or LOCAL/NAME
            return [target, PathArg(f"{base}/**", "pattern", target.tilde)]
        under = PathArg(f"{base}/{name}",
                        "pattern" if landed.glob else target.kind, target.tilde)
        return [target, under]
    if name in ("", ".", ".."):
        return []
    fetched = [PathArg(name, "pattern" if landed.glob else "exact")]
    if recursive:
        fetched.append(PathArg(f"{name}/**", "pattern"))
    return fetched
