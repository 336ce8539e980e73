"""GNU tar's writes and code, read as tar reads its words: the old bundled letters first (`tar
czf F ...`), then options anywhere before `--` (GNU tar permutes: `tar xf A --to-command=CMD`,
`tar -x A -f X -P`), any unambiguous start of a long name, from the table of every option
tar 1.34 knows that takes a value."""

from __future__ import annotations

import re

from bastion.command_control.policy.options import _last_argument, _options, _permuted
from bastion.command_control.policy.paths import HERE, PathArg, _path_arg
from bastion.command_control.policy.program_writes import _in_folder
from bastion.command_control.policy.words import _at, _Word

_TAR_ARGUMENTS = "fCTXbHgKLNVIF"
_TAR = _options(_TAR_ARGUMENTS, (
    "--file", "--directory", "--files-from", "--exclude-from", "--blocking-factor",
    "--to-command", "--checkpoint-action", "--use-compress-program", "--info-script",
    "--new-volume-script", "--rsh-command", "--rmt-command", "--index-file",
    "--listed-incremental", "--volno-file", "--hole-detection", "--level", "--sparse-version",
    "--add-file", "--exclude", "--exclude-ignore", "--exclude-ignore-recursive", "--exclude-tag",
    "--exclude-tag-all", "--exclude-tag-under", "--group", "--group-map", "--mode", "--mtime",
    "--owner", "--owner-map", "--sort", "--xattrs-exclude", "--xattrs-include",
    "--tape-length", "--record-size", "--format", "--label", "--starting-file",
    "--newer-mtime", "--newer", "--after-date", "--suffix", "--strip-components",
    "--transform", "--xform", "--no-quote-chars", "--quote-chars", "--quoting-style",
    "--warning", "--pax-option"),
    # Options without a value (or with one only attached) whose name starts another's: an
    # exact name is not taken for the longer one (`--checkpoint`, `--checkpoint-action`).
    flags=("--checkpoint", "--one-top-level", "--absolute-names", "--remove-files", "--extract",
           "--get", "--create", "--append", "--update", "--catenate", "--concatenate",
           "--delete", "--force-local", "--occurrence", "--backup", "--totals",
           "--atime-preserve"))
_TAR_CODE = frozenset({"-I", "--use-compress-program", "--to-command", "-F", "--info-script",
                       "--new-volume-script", "--rsh-command", "--rmt-command"})
_WRITES_ARCHIVE = frozenset({"-c", "-r", "-u", "-A", "--create", "--append", "--update",
                             "--catenate", "--concatenate", "--delete"})
# A remote archive: `HOST:FILE` (a colon before any slash), unless --force-local.
_REMOTE = re.compile(r"[^/]*:")


def _tar_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """tar: the archive of -c, -r, -u, -A, --delete (also in the old bundled form `tar cf F`);
    the index and incremental files; what -x unpacks: DIR/** for each -C DIR (or ** here), and
    for --one-top-level=DIR that DIR/** in each; with -P anywhere (unknown); the operands
    --remove-files removes; the code of -I, --to-command, --checkpoint-action=exec=, -F... An
    archive on another host (`-f HOST:FILE`) runs a remote shell: unknown."""
    first = words[1].value if len(words) > 1 else None
    bundled: list[tuple[str, _Word | None]] = []
    start = 1
    if first is not None and first and not first.startswith("-"):
        start = 2  # `tar czf F ...`: the letters' arguments follow in order
        for letter in first:
            argument = None
            if letter in _TAR_ARGUMENTS:
                argument = _at(words, start)
                start += 1
            bundled.append((f"-{letter}", argument))
    permuted = _permuted(words, start, _TAR)
    if permuted is None:
        return [PathArg("(tar options known only at run time)", "unknown")], [None]
    found = bundled + permuted[0]
    members = permuted[1]
    seen = {option for option, _ in found}
    paths: list[PathArg] = []
    codes: list[str | None] = []
    archive = _last_argument(found, {"-f", "--file"})
    if archive is not None and archive[1] is not None and "--force-local" not in seen and (
            archive[1].value is None or _REMOTE.match(archive[1].value)):
        paths.append(PathArg(f"(a remote archive: {archive[1].text})", "unknown"))
    elif seen & _WRITES_ARCHIVE and archive is not None and archive[1] is not None and \
            archive[1].value != "-":
        paths.append(_path_arg(archive[1]))
    folders = [a for o, a in found if o in ("-C", "--directory") and a is not None]
    if seen & {"-x", "--extract", "--get"}:
        # What an archive holds lands under -C DIR (or here), by names the line cannot see
        # (attack M, finding 5's class); with -P anywhere.
        if seen & {"-P", "--absolute-names"}:
            paths.append(PathArg("(the names an archive holds)", "unknown"))
        paths += [_in_folder(f, "**") for f in folders]
        # a member before the first -C lands here (-C applies to the names after it)
        first = next((i for i, w in enumerate(words) if (w.value or "").startswith(
            ("-C", "--directory", "--dir", "--di")) or (i == 1 and "C" in (w.value or "")
                                                         and not (w.value or "").startswith("-"))),
                     len(words))
        if not folders or any(i < first for i, w in enumerate(words) if any(w is m for m in members)):
            paths.append(HERE)
        # a member named on the line is a write of that name in the folder (`tar -xf A
        # .k5login`: attack u30f, finding 18), and of all under it (it may be a folder)
        for member in members if seen & {"-x", "--extract", "--get"} else []:
            index = next((i for i, w in enumerate(words) if w is member), len(words))
            before = [a for i, w in enumerate(words[:index]) for a in folders
                      if a is _at(words, i + 1) and w.value in ("-C", "--directory")]
            for folder in before[-1:] or (folders if index > first else []) or [None]:
                if member.value is None or member.value.startswith("~") or member.value == "-C":
                    continue  # (tar strips a leading `/`: the name is under the folder too)
                named = _in_folder(folder, member.value.lstrip("/") or ".")
                paths += [named] if named.kind == "unknown" else [
                    named, PathArg(f"{named.text.rstrip('/')}/**", "pattern", named.tilde)]
        for option, argument in found:
            if option == "--one-top-level" and argument is not None:
                top = argument.value
                if top is None or top.startswith(("/", "~")):
                    paths.append(_in_folder(argument, "**"))
                else:
                    paths += [_in_folder(f, f"{top.rstrip('/')}/**") for f in folders or [None]]
    if "--remove-files" in seen:
        # attack U: what it archived is removed, each operand from the -C before it or here
        removed = [_path_arg(m) for m in members]
        paths += removed + [PathArg(f"{p.text.rstrip('/')}/**", "pattern", p.tilde)
                            for p in removed if p.kind != "unknown"]
        paths += [_in_folder(f, "**") for f in folders]
    for option, argument in found:
        if option in ("--index-file", "--listed-incremental", "-g", "--volno-file") and \
                argument is not None:
            paths.append(_path_arg(argument))
        elif option in _TAR_CODE or (option == "--checkpoint-action" and argument is not None
                                     and (argument.value or "exec").startswith("exec")):
            value = argument.value if argument is not None else ""
            if option == "--checkpoint-action" and value is not None:
                value = value.partition("=")[2]
            codes.append(value)
    return paths, codes
