"""Where unzip and cpio unpack what an archive holds: names the line cannot see, so a folder's
whole tree (DIR/**; `**` in the working directory). tar's -x is read with its other options
(program_writes)."""

from __future__ import annotations

from bastion.command_control.policy.options import _options, _permuted
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

_EXTRACTORS = frozenset({"unzip", "cpio"})
_CPIO = _options("DEFHIMORs", ("--directory", "--file", "--format", "--pattern-file", "--message",
                              "--owner", "--rsh-command", "--to-command", "--block-size", "--io-size"),
                 flags=("--extract", "--pass-through", "--create", "--absolute-filenames"))


def _under(folder: _Word | None) -> PathArg:
    if folder is None:
        return PathArg("**", "pattern")
    path = _path_arg(folder)
    if path.kind == "unknown":
        return path
    base = path.text.rstrip("/") or "/"
    return PathArg(f"{base}{'' if base.endswith('/') else '/'}**", "pattern", path.tilde)


def _extracted(name: str, words: list[_Word]) -> list[PathArg]:
    """What `unzip` (into -d DIR) and `cpio -i` (into -D DIR) or `cpio -p DIR` unpack: DIR/**,
    or `**` here; nothing when they only list, test or print. A name known only at run time
    among their options: unknown."""
    if name == "unzip":
        folder: _Word | None = None
        for index, word in enumerate(words[1:], start=1):
            value = word.value
            if value is None:
                return [PathArg(word.text, "unknown")]
            if value == "-d":
                folder = words[index + 1] if index + 1 < len(words) else None
            elif value.startswith("-d"):
                folder = _Word(value[2:], value[2:])
            elif value.startswith("-") and not value.startswith("--") and set(value[1:]) & set("lptvcZz"):
                return []
        return [_under(folder)]
    permuted = _permuted(words, 1, _CPIO)
    if permuted is None:
        return [PathArg("(cpio options known only at run time)", "unknown")]
    found, operands = permuted
    options = {option for option, _ in found}
    written: list[PathArg] = []
    if options & {"--absolute-filenames"}:
        written.append(PathArg("(the names an archive holds)", "unknown"))
    if options & {"-p", "--pass-through"}:
        written += [_under(w) for w in operands[:1]]
    elif options & {"-i", "--extract"} and not options & {"-t", "--list"}:
        folders = [a for o, a in found if o in ("-D", "--directory")]
        written.append(_under(folders[-1] if folders else None))
    return written
