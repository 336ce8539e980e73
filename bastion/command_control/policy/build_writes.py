"""Where builds write, as far as their command line says (found after outside attack U). A
build's recipes (a Makefile, CMakeLists.txt, meson.build, an install script) are code the
policy does not read, as it does not read a script it is asked to run: what they write on
their own is not counted. What the line names is: the build folder cmake configures (`-B DIR`,
else the working directory) and builds (`--build DIR`), meson's and ninja's (`setup DIR`,
`-C DIR`), and an install's destination, every file under it (`cmake --install B --prefix P`,
`-DCMAKE_INSTALL_PREFIX=P`, `meson install --destdir P`, `make install DESTDIR=P` and make's
other directory variables: `prefix=`, `sysconfdir=`...)."""

from __future__ import annotations

import re
from collections.abc import Callable

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

_RUN_TIME = PathArg("(build options known only at run time)", "unknown")
_HERE = PathArg("**", "pattern")
# make's variables naming where `install` puts files (GNU's directory variables, DESTDIR).
_INSTALL_VARIABLE = re.compile(r"DESTDIR|INSTALL_ROOT|prefix|PREFIX|exec_prefix|[a-z]*dir|[A-Z]*DIR")
# cmake's options that run no configure step (they print, run a script or a tool, or build).
_CMAKE_NO_CONFIGURE = ("-E", "-P", "--build", "--install", "--open", "--help", "--version",
                       "-h", "-N", "--system-information", "--workflow", "--find-package")


# Options whose value, known only at run time, names no file (`make -j$(nproc)`).
_COUNTS = ("-j", "--jobs", "-l", "--load-average", "--max-load", "--parallel")


def _unread(words: list[_Word]) -> bool:
    """Whether an option is given a value known only at run time that may name a folder (any
    but a count: `-j$(nproc)`). A whole word known only at run time (`cmake "$builddir"`,
    `make $target`) is taken for an operand, as builds are everywhere written (SECURITY.md)."""
    return any(w.value is None and w.text.startswith("-") and not w.text.startswith(_COUNTS)
               for w in words[1:])


def _tree(word: _Word | None) -> PathArg:
    if word is None or word.value is None:
        return PathArg(word.text if word is not None else "(a folder known only at run time)",
                       "unknown")
    path = _path_arg(word)
    if path.kind == "unknown":
        return path
    return PathArg(f"{path.text.rstrip('/') or ''}/**", "pattern", path.tilde)


def _value(words: list[_Word], index: int, option: str) -> tuple[_Word | None, int] | None:
    """The value of `option` at words[index] (attached: `-BDIR`, `--prefix=P`; else the next
    word), with the index after it; None when the word is not that option."""
    value = words[index].value or ""
    if value == option:
        return (words[index + 1] if index + 1 < len(words) else None), index + 2
    for joint in ("=", ""):
        if value.startswith(option + joint) and len(value) > len(option + joint) and (
                joint or not option.startswith("--")):
            rest = value[len(option + joint):]
            return _Word(rest, rest, words[index].glob), index + 1
    return None


def _options_named(words: list[_Word], options: tuple[str, ...]) -> list[tuple[str, _Word | None]]:
    found: list[tuple[str, _Word | None]] = []
    index = 1
    while index < len(words):
        for option in options:
            taken = _value(words, index, option)
            if taken is not None:
                found.append((option, taken[0]))
                index = taken[1]
                break
        else:
            index += 1
    return found


def _cmake(words: list[_Word]) -> list[PathArg]:
    """cmake: configuring writes the build folder (`-B`, else here); `--build DIR` writes DIR;
    an install prefix (`--install B --prefix P`, `-DCMAKE_INSTALL_PREFIX=P`, `--install-prefix`)
    names where the install writes."""
    if _unread(words):
        return [_RUN_TIME]
    found = _options_named(words, ("-B", "--build", "--prefix", "--install-prefix", "-D"))
    written = [_tree(a) for o, a in found if o in ("-B", "--build", "--prefix", "--install-prefix")]
    for option, argument in found:
        name, equals, prefix = (argument.value or "").partition("=") if argument else ("", "", "")
        if option == "-D" and equals and name.partition(":")[0] == "CMAKE_INSTALL_PREFIX":
            written.append(_tree(_Word(prefix, prefix)))
    values = [w.value or "" for w in words[1:]]
    configures = not any(v.startswith(_CMAKE_NO_CONFIGURE) for v in values)
    if configures and not any(o == "-B" for o, _ in found) and len(values) > 0:
        written.append(_HERE)
    return written


def _make(words: list[_Word]) -> list[PathArg]:
    """make: `-C DIR` builds in DIR; its install targets write where every directory variable
    given on the line says (`DESTDIR=P`, `prefix=P`, `sysconfdir=P`)."""
    if _unread(words):
        return [_RUN_TIME]
    written = [_tree(a) for _, a in _options_named(words, ("-C", "--directory"))]
    targets = [w.value or "" for w in words[1:] if "=" not in (w.value or "")]
    if not any(t.startswith("install") for t in targets):
        return written
    for word in words[1:]:
        name, equals, folder = (word.value or "").partition("=")
        if equals and _INSTALL_VARIABLE.fullmatch(name):
            written.append(_tree(_Word(folder, folder)))
    return written


def _meson(words: list[_Word]) -> list[PathArg]:
    """meson: `setup DIR` and `-C DIR` write the build folder, `--destdir` and `--prefix` the
    install's destination."""
    if _unread(words):
        return [_RUN_TIME]
    found = _options_named(words, ("-C", "--destdir", "--prefix"))
    written = [_tree(a) for _, a in found]
    operands = [w for w in words[2:] if not (w.value or "").startswith("-")]
    if (words[1].value if len(words) > 1 else None) == "setup" and operands:
        written.append(_tree(operands[0]))
    return written


def _ninja(words: list[_Word]) -> list[PathArg]:
    """ninja: `-C DIR` builds in DIR (its outputs are there)."""
    if _unread(words):
        return [_RUN_TIME]
    return [_tree(a) for _, a in _options_named(words, ("-C",))]


BUILD_WRITERS: dict[str, Callable[[list[_Word]], list[PathArg]]] = {
    "cmake": _cmake, "make": _make, "gmake": _make, "bmake": _make, "pmake": _make,
    "meson": _meson, "ninja": _ninja, "samu": _ninja,
}  # fmt: skip
