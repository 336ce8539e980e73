"""Downloaders, copiers between here and elsewhere, GIO, and the writers that remove what they
read (found after outside attack W, findings 10, 11 and 14).

Each program here is read by its own grammar: `transfer_writes` gives the files it writes here
and the code it runs; `transfer_copies` the copies that land here as cp's would (a container's
or a bucket's file copied to a local folder: `docker cp c:/x /etc`, `aws s3 cp s3://b/k /etc/`);
`transfer_removals` what it removes (`zip -m`, `tar --remove-files`, `gio remove`, `aws s3 mv`
of a local file, `rclone move`, `rclone sync`'s destination, `journalctl --vacuum-time`),
judged as `rm -r` is. A program
whose verb is not known here is held (a write known only at run time), never allowed."""

from __future__ import annotations

import re
import urllib.parse
from typing import NamedTuple

from bastion.command_control.policy.configured_writes import _url_name, _wget2_writes
from bastion.command_control.policy.options import _after_options, _long_option, _options, _permuted
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.program_writes import _in_folder, git_removals
from bastion.command_control.policy.removers import other_removals
from bastion.command_control.policy.source_removals import archiver_removals, compressor_trees
from bastion.command_control.policy.tar import _TAR, _TAR_ARGUMENTS
from bastion.command_control.policy.words import _at, _Word


class Copy(NamedTuple):
    """Files copied (or moved) here: `sources` (their names as they land), `destination`, and
    cp's options that say how (`-r`, `-T`), for `cp` or `mv`."""

    program: str
    options: tuple[str, ...]
    sources: list[_Word]
    destination: _Word


_CONTAINER_COPIERS = frozenset({"docker", "podman", "nerdctl", "kubectl", "oc"})
_HTTP_CLIENTS = frozenset({"http", "https", "xh", "xhs"})
TRANSFERS = frozenset({"gio", "zip", "aws", "rclone", "wget2", "axel", "ddrescue", "dcfldd", "dc3dd",
                       "coredumpctl", *_CONTAINER_COPIERS, *_HTTP_CLIENTS})
# Those read whole here (a verb or option not known is judged here): the rest have verbs and
# options no table reads (`docker build -f F`, `kubectl apply -f F`), whose files stay judged
# as an unread program's (policy/unread.py).
READ_WHOLE = frozenset({"gio", "zip", "wget2", "dcfldd", "dc3dd", "ddrescue"})
_UNKNOWN = PathArg("(files a verb the policy does not read writes)", "unknown")

# A container's (`c:/x`, `ns/pod:/x`), a remote's (`remote:path`, `:s3:b/k`) or a bucket's
# (`s3://b/k`) file: not one here.
_ELSEWHERE = re.compile(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)?:|:[\w-]+:|[a-z][a-z0-9+.-]*://")
# GIO's URIs that name a file here: file:// (also on localhost) and admin:// (as root).
# GLib takes `file:/x`, `FILE:///x`, a host and %-escapes (attack Z, filter finding 3).
_GIO_LOCAL = re.compile(r"(?i)(?:file:(?://[^/]*)?|admin://)(/.*)", re.S)


def _local(word: _Word) -> bool:
    return word.value is None or _ELSEWHERE.match(word.value) is None


def _landing(word: _Word) -> _Word:
    """A remote file as the name it lands under (`c:/x/y` lands as `y`)."""
    if word.value is None or _local(word):
        return word
    name = _ELSEWHERE.sub("", word.value, count=1)
    return _Word(name.rstrip("/").rsplit("/", 1)[-1] or ".", word.text)


def _operands(words: list[_Word], start: int, takes: frozenset[str], flags: frozenset[str] = frozenset()
              ) -> tuple[list[_Word], list[str]]:
    """Operands and options (names only) from `start`, each option of `takes` taking the next
    word unless given `=VALUE`; a long option in neither table is taken to take one too, a
    short one not (fail closed: the callers treat every local operand as perhaps written)."""
    operands: list[_Word] = []
    options: list[str] = []
    index = start
    while index < len(words):
        value = words[index].value
        index += 1
        if value is None or not value.startswith("-") or value == "-":
            operands.append(words[index - 1])
            continue
        if value == "--":
            operands += words[index:]
            break
        head, has_value, _ = value.partition("=")
        options.append(head)
        if not has_value and (head in takes or (head.startswith("--") and head not in flags)):
            index += 1
    return operands, options


def _verb(words: list[_Word], takes: frozenset[str]) -> tuple[str | None, int]:
    """The first operand (a subcommand) after a program's own options, and the index after it."""
    index = 1
    while index < len(words):
        value = words[index].value
        if value is None:
            return None, index
        if not value.startswith("-"):
            return value, index + 1
        index += 2 if value in takes else 1
    return None, index


# --- container and cloud copiers --------------------------------------------------------------
_GLOBAL_VALUES = frozenset({"-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
                            "--url", "--connection", "--root", "--runroot", "-n", "--namespace",
                            "--kubeconfig", "--cluster", "--user", "-s", "--server", "--token",
                            "--profile", "--region", "--endpoint-url", "--output", "--query"})
_AWS_FLAGS = frozenset({"--recursive", "--dryrun", "--quiet", "--follow-symlinks",
                        "--no-follow-symlinks", "--no-guess-mime-type", "--only-show-errors",
                        "--no-progress", "--ignore-glacier-warnings", "--force-glacier-transfer",
                        "--size-only", "--exact-timestamps", "--delete", "--no-overwrite", "--debug",
                        "--no-verify-ssl", "--no-paginate", "--no-sign-request", "--no-cli-pager",
                        "--cli-auto-prompt", "--no-cli-auto-prompt"})
_RCLONE_FLAGS = frozenset({"--progress", "--dry-run", "--interactive", "--checksum", "--update",
                           "--copy-links", "--links", "--no-traverse", "--create-empty-src-dirs",
                           "--delete-excluded", "--ignore-existing", "--size-only", "--metadata",
                           "--fast-list", "--immutable", "--inplace", "--no-update-modtime",
                           "--verbose", "--quiet", "--ignore-times", "--ignore-size",
                           "--no-check-dest", "--use-json-log", "--stats-one-line", "--read-only",
                           "--allow-other", "--allow-non-empty", "--daemon", "--resync"})
_RCLONE_DIRS = frozenset({"copy", "sync", "move", "bisync", "mount", "nfsmount", "cmount"})
_RCLONE_FILES = frozenset({"copyto", "moveto", "copyurl"})
_RCLONE_REMOVES = frozenset({"delete", "purge", "deletefile", "rmdir", "rmdirs", "cleanup", "dedupe"})
_RCLONE_READS = frozenset({"ls", "lsl", "lsd", "lsf", "lsjson", "cat", "check", "checksum", "md5sum",
                           "sha1sum", "hashsum", "size", "about", "listremotes", "version", "tree",
                           "ncdu", "help", "link", "backend", "selfupdate-check", "cryptcheck"})


# rclone's on-the-fly remotes (`:BACKEND[,PARAM=VALUE...]:PATH`, attack s28f, finding 6): the
# local backend is a path here (`rclone purge :local:/etc`); the backends that wrap another
# remote, named by a parameter or by their RCLONE_<BACKEND>_* variables (`:alias,remote=/etc:`),
# may be one too: unknown, as a remote a chosen configuration names is (`--config F`; the
# RCLONE_CONFIG* variables are held where they are set: policy/variables.py).
_RCLONE_ON_THE_FLY = re.compile(r":([\w-]+)((?:,[^:]*)?):(.*)", re.S)
_RCLONE_WRAPPERS = frozenset({"alias", "union", "combine", "crypt", "chunker", "hasher",
                              "compress", "cache"})


def _rclone_local(word: _Word) -> _Word:
    """`:local:PATH` and `:local,PARAMS:PATH` as the local PATH they name."""
    match = _RCLONE_ON_THE_FLY.fullmatch(word.value or "")
    if match is None or match.group(1).lower() != "local":
        return word
    return _Word(match.group(3) or ".", word.text)


def _rclone_unread(word: _Word) -> bool:
    """An operand whose place rclone reads from something the policy does not: a wrapping
    backend, a local one with quoted parameters (a `:` inside them), or `--config FILE`."""
    value = word.value or ""
    if value == "--config" or value.startswith("--config="):
        return True
    match = _RCLONE_ON_THE_FLY.fullmatch(value)
    return match is not None and (match.group(1).lower() in _RCLONE_WRAPPERS or (
        match.group(1).lower() == "local" and any(q in match.group(2) for q in "\"'")))


def _copies(name: str, words: list[_Word]) -> tuple[list[Copy], list[PathArg], list[PathArg]]:
    """The copies landing here, other files written, and files removed, of the container and
    cloud copiers (docker/podman/nerdctl/kubectl/oc cp, aws s3 cp/sync/mv, rclone)."""
    if name == "aws":
        service, index = _verb(words, _GLOBAL_VALUES)
        verb, after = _verb([_Word("aws", "aws"), *words[index:]], _GLOBAL_VALUES)
        index += after - 1
        if service == "s3api" and verb in ("get-object", "get-object-torrent"):
            operands = _operands(words, index, frozenset(), _AWS_FLAGS)[0]
            return [], [_path_arg(w) for w in operands[-1:] if _local(w)], []
        if service != "s3" or verb not in ("cp", "sync", "mv"):
            return [], [], []
        operands, options = _operands(words, index, frozenset(), _AWS_FLAGS)
        recursive = verb == "sync" or "--recursive" in options
        local = [w for w in operands if _local(w)]
        removed = [_tree(w) for w in local if verb == "mv" and w is operands[0]]
        if verb == "sync" and "--delete" in options:
            removed += [_under(w) for w in local[-1:] if w is operands[-1]]
        if len(operands) >= 2 and not _local(operands[-1]):
            return [], [], removed
        return _landed("cp", recursive, operands, local), [], removed
    if name == "rclone":
        if any(_rclone_unread(w) for w in words[1:]) and _verb(
                words, frozenset({"--config", "--log-file"}))[0] not in _RCLONE_READS:
            return [], [_UNKNOWN], []
        words = [_rclone_local(w) for w in words]
        verb, index = _verb(words, frozenset({"--config", "--log-file"}))
        operands, options = _operands(words, index, frozenset(), _RCLONE_FLAGS)
        local = [w for w in operands if _local(w)]
        written = [_path_arg(w) for w in _after_options(words, frozenset({"--log-file"}))]
        written += [_under(w) for w in _after_options_words(words, "--backup-dir")]
        if verb in _RCLONE_READS or verb in ("version", "genautocomplete", "completion"):
            return [], written, []
        if verb in _RCLONE_REMOVES:
            return [], written, [_tree(w) for w in local]
        if verb not in _RCLONE_DIRS and verb not in _RCLONE_FILES:
            return [], [*written, _UNKNOWN], []
        removed = [_tree(w) for w in local[:1] if verb in ("move", "moveto") and w is operands[0]]
        targets = [w for w in local if w is not operands[0] or len(operands) < 2]
        if verb in ("sync", "bisync"):
            removed += [_under(w) for w in targets]
        if verb in _RCLONE_FILES:
            return [], [*written, *(_path_arg(w) for w in targets)], removed
        return [], [*written, *(p for w in targets for p in (_path_arg(w), _under(w)))], removed
    verb, index = _verb(words, _GLOBAL_VALUES)
    if verb == "container":
        verb, after = _verb([_Word(name, name), *words[index:]], frozenset())
        index += after - 1
    if verb != "cp":
        return [], [], []
    operands = _operands(words, index, frozenset({"-c", "--container", "--retries", "-n", "--namespace"}),
                         frozenset({"--archive", "--follow-link", "--quiet", "--no-preserve",
                                    "--overwrite"}))[0]
    return _landed("cp", True, operands, [w for w in operands if _local(w)]), [], []


def _landed(program: str, recursive: bool, operands: list[_Word], local: list[_Word]) -> list[Copy]:
    """Sources landing in a local destination, cp's way; with the operands unsure (not two),
    each local one is a destination."""
    options = ("-r",) if recursive else ()
    if len(operands) == 2 and any(operands[1] is w for w in local):
        return [Copy(program, options, [_landing(operands[0])], operands[1])]
    if len(operands) == 2:
        return []
    return [Copy(program, ("-r", "-T"), [_Word(".", ".")], w) for w in local]


def _tree(word: _Word) -> PathArg:
    path = _path_arg(word)
    return path._replace(kind="tree") if path.kind == "exact" else path


def _under(word: _Word) -> PathArg:
    path = _path_arg(word)
    if path.kind == "unknown":
        return path
    return path._replace(text=f"{path.text.rstrip('/')}/**", kind="pattern")


def _after_options_words(words: list[_Word], option: str) -> list[_Word]:
    return [_Word(p.text, p.text) if p.kind != "unknown" else _Word(None, p.text)
            for p in _after_options(words, frozenset({option}))]


# --- GIO ---------------------------------------------------------------------------------------
_GIO_VALUES = frozenset({"-t", "--type", "-c", "--etag", "-a", "--attributes"})
_GIO_READS = frozenset({"info", "list", "ls", "tree", "cat", "monitor", "version", "help"})


def _gio_word(word: _Word) -> _Word | None:
    """A GIO location as a file here (None for one elsewhere: sftp://, smb://, trash://)."""
    if word.value is None:
        return word
    local = _GIO_LOCAL.fullmatch(word.value)
    if local is not None:
        path = urllib.parse.unquote(local.group(1))
        return _Word(path, path)
    return None if re.match(r"(?i)[a-z][a-z0-9+.-]*:", word.value) else word


def _gio(words: list[_Word]) -> tuple[list[Copy], list[PathArg], list[PathArg], list[str | None]]:
    """`gio VERB`: copy and move as cp and mv (move removes its sources), save/set/mkdir/mount
    write their operand, remove and trash remove, rename writes the new name beside the file
    and removes the old; open and launch run the program a file's type or .desktop names."""
    verb, index = _verb(words, frozenset())
    operands, options = _operands(words, index, _GIO_VALUES)
    here = [w for w in (_gio_word(o) for o in operands) if w is not None]
    if verb in _GIO_READS or (verb is None and not operands):
        return [], [], [], []
    if verb in ("open", "launch"):
        return [], [], [], [None]
    if verb in ("copy", "move"):
        program = "cp" if verb == "copy" else "mv"
        flags = ("-T",) if {"-T", "--no-target-directory"} & set(options) else ()
        target = _gio_word(operands[-1]) if operands else None
        sources = [_Word(_landing_name(o), o.text) if _gio_word(o) is None else _gio_word(o)
                   for o in operands[:-1]]
        copies = [Copy(program, flags, [s for s in sources if s is not None], target)] \
            if target is not None and len(operands) >= 2 else []
        removed = [_tree(w) for o in operands[:-1] if (w := _gio_word(o)) is not None] \
            if verb == "move" else []
        return copies, [], removed, []
    if verb in ("remove", "rm", "trash"):
        restore = verb == "trash" and bool({"--restore"} & set(options))
        return [], [_UNKNOWN] if restore else [], [] if restore else [_tree(w) for w in here], []
    if verb == "rename" and len(operands) == 2:
        source, name = here[0] if here else None, operands[1].value
        if source is None:
            return [], [], [], []
        if source.value is None or name is None:
            return [], [PathArg(source.text, "unknown")], [_tree(source)], []
        folder = source.value.rstrip("/").rpartition("/")[0] if "/" in source.value else "."
        return [], [PathArg(f"{folder or '/'}/{name}".replace("//", "/"))], [_tree(source)], []
    if verb in ("save", "mkdir", "mount"):
        return [], [_path_arg(w) for w in here], [], []
    if verb == "set":
        return [], [_path_arg(w) for w in here[:1]], [], []
    if verb == "mime":
        return [], [PathArg("~/.config/mimeapps.list", "exact", True)] if len(operands) > 1 else [], [], []
    return [], [_UNKNOWN], [], []


def _landing_name(word: _Word) -> str:
    value = word.value or ""
    return value.split("://", 1)[-1].rstrip("/").rsplit("/", 1)[-1] or "."


# --- downloaders and disk copiers ---------------------------------------------------------------
# dcfldd's and dc3dd's written files (`NAME=FILE`) and programs (`NAME:=COMMAND`); every
# `...log` (dcfldd's verifylog: attack s28f, finding 3) and dc3dd's fhod (hof= on a device).
_DD_FILES = re.compile(r"(of|hof|ofs|hofs|fhod|wipe|hwipe|[a-z0-9]*log)(:?)=(.*)", re.S)
_DDRESCUE_VALUES = frozenset("abceiKmosTxZ")


def _downloads(name: str, words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """What the downloaders and disk copiers write here (and run)."""
    if name == "wget2":
        return _wget2_writes(words)
    if name in _HTTP_CLIENTS or name == "axel":
        named = _after_options(words, frozenset({"-o", "--output"}))
        written = named + _after_options(words, frozenset({"--session"}))
        if name == "axel":  # -o may name a folder: the download lands in it
            written += [p._replace(text=f"{p.text.rstrip('/')}/*", kind="pattern") for p in named
                        if p.kind != "unknown"]
        download = name == "axel" or any(
            w.value in ("-d", "--download") or (w.value or "").startswith("--download")
            or re.fullmatch(r"-[a-zA-Z]*d[a-zA-Z]*", w.value or "") for w in words[1:])
        if download and not named:  # the URL's name (or any) here
            urls = [w for w in words[1:] if w.value is None or "://" in w.value or (
                not w.value.startswith("-") and "." in w.value and name != "axel")]
            written += [_in_folder(None, _url_name(w) if name == "axel" else "*") for w in urls[:1]]
        return [p for p in written if p.text != "-"], []
    if name == "ddrescue":
        operands = _permuted(words, 1, _options("abceiKmosTxZ", (
            "--max-error-rate", "--min-read-rate", "--cluster-size", "--input-position",
            "--output-position", "--size", "--domain-mapfile", "--mapfile-interval", "--skip-size",
            "--timeout", "--cpass", "--pause-on-error", "--pause-on-pass", "--extend-outfile",
            "--sector-size", "--max-read-rate", "--log-events", "--log-rates", "--log-reads",
            "--max-errors", "--max-slow-reads", "--command-mode")))
        if operands is None:
            return [PathArg("(ddrescue's operands known only at run time)", "unknown")], []
        logs = _after_options(words, frozenset({"--log-events", "--log-rates", "--log-reads"}))
        return logs + [_path_arg(w) for w in operands[1][1:]], []
    if name in ("dcfldd", "dc3dd"):
        written: list[PathArg] = []
        codes: list[str | None] = []
        for word in words[1:]:
            if word.value is None:
                written.append(PathArg(word.text, "unknown"))
                continue
            match = _DD_FILES.fullmatch(word.value)
            if match is None:
                continue
            if match.group(2):  # `of:=COMMAND`, `hashlog:=COMMAND`: output to a program
                codes.append(match.group(3))
            elif match.group(1) in ("ofs", "hofs"):
                written.append(PathArg(f"{match.group(3)}*", "pattern",
                                       word.text.startswith(f"{match.group(1)}=~")))
            else:
                # bash expands a tilde after `NAME=` in any word (`of=~root/../etc/sudoers`:
                # attack r27f, finding 1), as for dd's.
                written.append(_path_arg(word, match.group(3),
                                         word.text.startswith(f"{match.group(1)}=~")))
        return written, codes
    if name == "coredumpctl":
        written = _after_options(words, frozenset({"-o", "--output"}))
        verb = next((w.value for w in words[1:] if w.value and not w.value.startswith("-")), None)
        debugger = _after_options(words, frozenset({"--debugger", "-A", "--debugger-arguments"}))
        codes: list[str | None] = []
        if verb in ("debug", "gdb"):
            codes = [None] if debugger else ["gdb"]
        return written, codes
    return [], []


# --- zip ----------------------------------------------------------------------------------------
# Info-ZIP's options that take a value (its own parser: some short options are two letters).
_ZIP_PAIRS = ("tt", "TT", "lf", "ds", "UN")
_ZIP_SINGLE = "bntxiOPZs"
_ZIP_LONG = frozenset({"--temp-path", "--suffixes", "--from-date", "--before-date", "--exclude",
                       "--include", "--output-file", "--password", "--compression-method",
                       "--split-size", "--dot-size", "--logfile-path", "--unzip-command", "--unicode"})
_ZIP_FLAGS = frozenset({"--move", "--names-stdin", "--recurse-paths", "--recurse-patterns", "--test",
                        "--quiet", "--verbose", "--update", "--freshen", "--delete", "--copy-entries",
                        "--junk-paths", "--encrypt", "--symlinks", "--grow", "--filesync"})


def _zip(words: list[_Word]) -> tuple[list[PathArg], list[PathArg], list[str | None]]:
    """zip: the archive (the first operand; -O/--output-file instead), its log (-lf); with -m
    (--move) each file it archives is removed; -TT/--unzip-command run a program."""
    written: list[PathArg] = []
    codes: list[str | None] = []
    operands: list[_Word] = []
    options: set[str] = set()
    output: list[PathArg] = []
    listed = False
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None:
            operands.append(word)
            continue
        if not value.startswith("-") or value == "-":
            operands.append(word)
            continue
        argument: _Word | None = None
        option = value
        if value.startswith("--"):
            head, has_value, rest = value.partition("=")
            option = _long_option(head, _ZIP_LONG | _ZIP_FLAGS)
            if option in _ZIP_LONG:
                argument = _Word(rest, rest) if has_value else _at(words, index)
                index += 0 if has_value else 1
        else:
            pair = next((p for p in _ZIP_PAIRS if value[1:3] == p), None)
            letter = next((i for i, c in enumerate(value[1:], start=1) if c in _ZIP_SINGLE), None)
            if pair is not None:
                option = f"-{pair}"
                rest = value[3:].removeprefix("=")
                argument = _Word(rest, rest) if rest else _at(words, index)
                index += 0 if rest else 1
            elif letter is not None:
                options.update(f"-{c}" for c in value[1:letter])
                option = f"-{value[letter]}"
                rest = value[letter + 1:].removeprefix("=")
                argument = _Word(rest, rest) if rest else _at(words, index)
                index += 0 if rest else 1
            else:
                options.update(f"-{c}" for c in value[1:])
        options.add(option)
        if option in ("-O", "--output-file", "-lf", "--logfile-path") and argument is not None:
            (output if option in ("-O", "--output-file") else written).append(_path_arg(argument))
        elif option in ("-TT", "--unzip-command") and value not in ("-TT", "--unzip-command"):
            codes.append(argument.value if argument is not None else None)
        elif option in ("-x", "-i", "--exclude", "--include") and not operands:
            listed = True  # a list of names to the next option: the archive may be any operand
    archive = operands if listed else operands[:1]
    written += output or [_path_arg(w) for w in archive if w.value != "-"]
    removed: list[PathArg] = []
    if options & {"-m", "--move"}:
        removed = [_tree(w) for w in operands[1:]]
        if options & {"-@", "--names-stdin"}:  # names read from stdin, removed too
            removed.append(PathArg("(the names zip reads from stdin)", "unknown"))
    return written, removed, codes


# --- tar --remove-files --------------------------------------------------------------------------
def _tar_removals(words: list[_Word]) -> list[PathArg]:
    """What `tar --remove-files` (any start of it, `--remo`) removes: each member it archives,
    also under each -C DIR; names from a list (-T) are known only at run time."""
    first = words[1].value if len(words) > 1 else None
    start = 1
    if first and not first.startswith("-"):
        start = 2 + sum(1 for letter in first if letter in _TAR_ARGUMENTS)
    permuted = _permuted(words, start, _TAR)
    if permuted is None:
        return [PathArg("(tar options known only at run time)", "unknown")]
    found, members = permuted
    names = {_long_option(o, frozenset({"--remove-files", "--recursion", "--record-size",
                                       "--recursive-unlink", "--restrict", "--rsh-command"}))
             for o, _ in found if o.startswith("--")}
    if "--remove-files" not in names:
        return []
    removed = [_tree(w) for w in members]
    folders = [a.value for o, a in found if o in ("-C", "--directory") and a is not None]
    removed += [PathArg(f"{(f or '.').rstrip('/')}/{w.value}", "tree") for f in folders for w in members
                if f is not None and w.value is not None and not w.value.startswith("/")]
    if any(o in ("-T", "--files-from") for o, _ in found):
        removed.append(PathArg("(the names a list holds)", "unknown"))
    return removed


def _journal_removals(words: list[_Word]) -> list[PathArg]:
    """`journalctl --vacuum-size/--vacuum-time/--vacuum-files` (any start of them) and
    `--rotate` remove archived journal files: those of -D DIR (--directory), else the system's."""
    values = [w.value for w in words[1:]]
    if not any(v is None or (len(v) > 4 and v.startswith("--") and any(
            name.startswith(v.partition("=")[0]) for name in ("--vacuum-size", "--vacuum-time",
                                                              "--vacuum-files", "--rotate")))
               for v in values):
        return []
    folders = _after_options(words, frozenset({"-D", "--directory"}))
    return [p._replace(kind="tree") if p.kind == "exact" else p for p in folders] or [
        PathArg("/var/log/journal", "tree"), PathArg("/run/log/journal", "tree")]


# --- the three readings ----------------------------------------------------------------------------
def transfer_writes(name: str, words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """The files a program of TRANSFERS writes here (not counting `transfer_copies`), and the
    code it runs (a string judged as shell code, or None: known only at run time)."""
    if name == "gio":
        _, written, _, codes = _gio(words)
        return written, codes
    if name == "zip":
        written, _, codes = _zip(words)
        return written, codes
    if name in _CONTAINER_COPIERS or name in ("aws", "rclone"):
        return _copies(name, words)[1], []
    return _downloads(name, words)


def transfer_copies(name: str, words: list[_Word]) -> list[Copy]:
    """The copies of a program of TRANSFERS that land here, for cp's reading."""
    if name == "gio":
        return _gio(words)[0]
    if name in _CONTAINER_COPIERS or name in ("aws", "rclone"):
        return _copies(name, words)[0]
    return []


def transfer_removals(name: str, words: list[_Word]) -> list[PathArg]:
    """The files a command removes as it copies or archives them, judged as `rm -r` is."""
    if name == "gio":
        return _gio(words)[2]
    if name == "zip":
        return _zip(words)[1]
    if name in ("tar", "gtar", "gnutar"):
        return _tar_removals(words)
    if name == "journalctl":
        return _journal_removals(words)
    if name in _CONTAINER_COPIERS or name in ("aws", "rclone"):
        return _copies(name, words)[2]
    if name == "git":
        return git_removals(words)
    # `gzip -r DIR`, `7z a -sdel A F`, `rar m A F` (attack k20f, findings 8 and 9)
    # `wipe -rf /etc`, `srm -r`, `trash-put`, `tmpwatch 0 /etc`, `fdupes -rdN` (attack s28f, 21)
    return archiver_removals(name, words) + compressor_trees(name, words)[1] + \
        other_removals(name, words)
