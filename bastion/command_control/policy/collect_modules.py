"""The collector's handlers for python's `-m` modules that write, serve or run things, and for
pip's options that name what it writes (outside attack U, item 3).

Methods of `_Collector` (collect.py). A module not listed here is what it was: a script run
by the interpreter (a program's peer, README); those that read code from stdin or the line are
collect_interpreters.py's, zipfile's and tarfile's archives extracts.py's."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from bastion.command_control.policy.model import SimpleCommand
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _at, _Site, _Word


def _word(value: str) -> _Word:
    return _Word(value, value)


# Modules read as the program they copy (`-m gzip -d F` writes F as gunzip does; `-m sqlite3`
# opens a database and reads SQL, whose ATTACH writes any file, as sqlite3 does).
_AS_PROGRAM = {"gzip": "gzip", "sqlite3": "sqlite3", "pip": "pip",
               # servers of a terminal and code for whoever connects (attack v31f, finding 8)
               "jupyter": "jupyter", "jupyterlab": "jupyter-lab", "notebook": "jupyter-notebook",
               "jupyter_server": "jupyter-server", "nbclassic": "jupyter-nbclassic",
               "jupyterhub": "jupyterhub", "marimo": "marimo",
               # a debugger's server for whoever connects (attack z35f, finding 17)
               "debugpy": "debugpy", "debugpy.adapter": "debugpy",
               # the package and environment managers' CLIs (attack y34f, finding 1: `-m dotenv
               # -f /etc/sudoers.d/ops set K V` is `dotenv -f ... set K V`)
               **{m: m for m in ("dotenv", "poetry", "pdm", "hatch", "pipx", "uv", "pipenv")}}
# Options (of the modules below) whose value is the next word, so that it is no operand.
_VALUED = frozenset({"--prompt", "--indent", "-p", "-m", "--main", "--python", "-d", "-s",
                     "-x", "-r", "-j", "-o", "-e", "--invalidation-mode", "-b", "--bind",
                     "--protocol", "-t"})
# pip's options naming a folder it fills (DIR/**) or a file it writes; any start of a long one
# (optparse takes unambiguous abbreviations) is that option, but the options spelled in full
# that start the same way (`--pre`, `--root-user-action`).
_PIP_FOLDERS = frozenset({"--target", "--prefix", "--root", "--src", "--cache-dir", "--dest",
                          "--wheel-dir", "--build", "--download", "--download-cache",
                          "--build-directory"})
_PIP_FILES = frozenset({"--log", "--log-file", "--report", "--local-log"})
_PIP_OTHERS = frozenset({"--pre", "--root-user-action", "--progress-bar", "--prefer-binary",
                         "--require-virtualenv", "--require-hashes", "--requirement",
                         "--retries", "--resume-retries"})
_PIP_SHORT_FOLDERS = {"t": "--target", "d": "--dest", "w": "--wheel-dir", "b": "--build"}
_PIP_SHORT_VALUED = frozenset("rceifC")


def _operands(words: list[_Word]) -> list[_Word] | None:
    """A module's operands: words that are no option nor an option's value (None: a word
    known only at run time)."""
    operands: list[_Word] = []
    index = 0
    while index < len(words):
        value = words[index].value
        if value is None:
            return None
        if value == "--":
            return operands + words[index + 1:]
        if value.startswith("-") and value != "-":
            index += 2 if value in _VALUED else 1
            continue
        operands.append(words[index])
        index += 1
    return operands


def _pip_writes(words: list[_Word]) -> list[PathArg]:
    """What pip writes by its options: each folder option's DIR/**, each file option's FILE."""
    written: list[PathArg] = []
    index = 1
    while index < len(words):
        value = words[index].value
        index += 1
        if value is None:
            written.append(PathArg("(an option of pip known only at run time)", "unknown"))
            continue
        if value == "--":
            break
        option, argument = "", None
        if value.startswith("--"):
            head, has_value, attached = value.partition("=")
            if head in _PIP_OTHERS:
                continue
            starts = [o for o in (*_PIP_FOLDERS, *_PIP_FILES) if o == head or (
                len(head) > 2 and o.startswith(head))]
            if not starts:
                continue
            option = starts[0] if len(starts) == 1 else "--target"
            argument = _word(attached) if has_value else _at(words, index)
            index += 0 if has_value else 1
        elif value.startswith("-") and value != "-":
            for offset, letter in enumerate(value[1:], start=2):
                if letter in _PIP_SHORT_FOLDERS:
                    option = _PIP_SHORT_FOLDERS[letter]
                    rest = value[offset:]
                    argument = _word(rest) if rest else _at(words, index)
                    index += 0 if rest else 1
                    break
                if letter in _PIP_SHORT_VALUED:
                    index += 0 if value[offset:] else 1
                    break
        if not option:
            continue
        if argument is None or argument.value is None:
            written.append(PathArg(f"(the folder pip's {option} names)", "unknown"))
        elif option in _PIP_FILES:
            if argument.value != "-":
                written.append(_path_arg(argument))
        else:
            path = _path_arg(argument)
            written.append(path if path.kind == "unknown" else
                           path._replace(text=f"{path.text.rstrip('/')}/**", kind="pattern"))
    return written


class _Modules:
    """Part of `_Collector` (collect.py): python's `-m` modules and pip (module docstring)."""

    def _touched(self, operation: str, paths: list[PathArg], site: _Site) -> None:
        """A `>` (write) or `<` (read) pseudo-command for each of `paths`."""
        for path in paths:
            self.commands.append(SimpleCommand(operation, (operation, path.text), site.text, "",
                                               path.kind == "unknown", site.wrappers,
                                               self._in_dirs((path,))))

    def _python_module(self, name: str, module: str, rest: list[_Word], words: list[_Word],
                       site: _Site) -> bool:
        """`python3 -m MODULE ARGS` for the modules that write files, serve a folder or copy a
        program: the files they write (`-m venv DIR`: DIR/**), read, or the program they copy
        judged (`-m gzip -d F`, `-m pip install --target DIR`). False for any other module."""
        if module in _AS_PROGRAM:
            self._plain(name, words, site)
            return self._inner([_word(_AS_PROGRAM[module]), *rest], site, name)
        if module not in _MODULE_WRITES:
            return False
        self._plain(name, words, site)
        operands = _operands(rest)
        values = [w.value for w in rest]
        if operands is None:
            self._unknown(site, words, f"python's module {module} given words known only at run time")
            return True
        written, read = _MODULE_WRITES[module](values, operands)
        if site.dynamic:  # `xargs virtualenv`: the folder is a word xargs appends
            written = [*written, PathArg("(a path appended at run time)", "unknown")]
        if "--cgi" in values:
            self._unknown(site, words, "http.server --cgi runs the scripts it serves")
        self._touched(">", written, site)
        self._touched("<", read, site)
        return True

    def _virtualenv(self, name: str, words: list[_Word], site: _Site) -> bool:
        """virtualenv (and pyvenv) DIR: as `python3 -m venv DIR`, DIR/**."""
        return self._python_module(name, "venv", words[1:], words, site)

    def _pip(self, name: str, words: list[_Word], site: _Site) -> bool:
        """pip: the folders and files its options name (`--target DIR`: DIR/**; `--log F`), and
        `pip config edit`'s editor (code)."""
        self._plain(name, words, site)
        self._touched(">", _pip_writes(words), site)
        values = [w.value for w in words]
        if "config" in values and "edit" in values:
            at = next((i for i, v in enumerate(values) if v == "--editor"), None)
            if at is not None:
                self._code(_at(words, at + 1), site, name)
        if "config" in values and ("set" in values or "unset" in values):
            home = "--global" not in values and "--site" not in values
            target = PathArg("~/.config/pip/pip.conf", "exact", True) if home else \
                PathArg("/etc/pip.conf", "exact") if "--global" in values else \
                PathArg("(the environment's pip.conf)", "unknown")
            self._touched(">", [target], site)
        return True


def _value(values: list[str | None], *options: str) -> str | None:
    """The word after the last of `options` (or attached with `=`), if any."""
    found = None
    for index, value in enumerate(values):
        for option in options:
            if value == option and index + 1 < len(values):
                found = values[index + 1]
            elif value is not None and value.startswith(f"{option}=") and option.startswith("--"):
                found = value.partition("=")[2]
    return found


def _trees(operands: list[_Word]) -> list[PathArg]:
    paths = [_path_arg(o) for o in operands]
    return [p if p.kind == "unknown" else p._replace(text=f"{p.text.rstrip('/')}/**", kind="pattern")
            for p in paths]


def _venv(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    return _trees(operands), []


def _ensurepip(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    root = _value(values, "--root")
    return ([_path_arg(_word(root))._replace(kind="pattern", text=f"{root.rstrip('/')}/**")]
            if root else []), []


def _http_server(values: list[str | None], operands: list[_Word]
                 ) -> tuple[list[PathArg], list[PathArg]]:
    folder = _value(values, "-d", "--directory") or "."
    return [], [PathArg(f"{folder.rstrip('/')}/**", "pattern")]


_Reader = Callable[[list[str | None], list[_Word]], tuple[list[PathArg], list[PathArg]]]


def _uu(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    if len(operands) >= 2:
        return [_path_arg(operands[1])], []
    if "-d" in values:
        return [PathArg("(the file a uuencoded header names)", "unknown")], []
    return [], []


def _compileall(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    if not operands or "-i" in values:
        return [PathArg("(the folders compileall compiles)", "unknown")], []
    return _trees(operands), []


def _py_compile(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    if not operands or any(o.value == "-" for o in operands):
        return [PathArg("(the files py_compile reads from stdin)", "unknown")], []
    paths = [_path_arg(o) for o in operands]
    return [p if p.kind == "unknown" else PathArg(
        f"{posixpath.dirname(p.text) or '.'}/__pycache__/*", "pattern", p.tilde) for p in paths], []


def _second(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    return [_path_arg(o) for o in operands[1:2]], []


def _zipapp(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    output = _value(values, "-o", "--output")
    if output:
        return [_path_arg(_word(output))], []
    return [PathArg(f"{(o.value or '').rstrip('/')}.pyz", "exact") for o in operands[:1]], []


def _pydoc(values: list[str | None], operands: list[_Word]) -> tuple[list[PathArg], list[PathArg]]:
    return ([PathArg("*.html", "pattern")] if "-w" in values else []), []


_MODULE_WRITES: dict[str, _Reader] = {
    "venv": _venv, "virtualenv": _venv, "ensurepip": _ensurepip, "http.server": _http_server,
    "uu": _uu,
    "compileall": _compileall, "py_compile": _py_compile, "json.tool": _second,
    "zipapp": _zipapp, "pydoc": _pydoc,
}
