"""python's modules by their other spellings (outside attack z35f, finding 5): `-m PKG.__main__`
is `-m PKG` (runpy runs a package's `__main__`; `-m PKG` itself runs `PKG.__main__`), pip's
`pip.__pip-runner__` is pip, and a package's folder or its `__main__.py` given as the script
(`python3 /usr/lib/python3/dist-packages/pip config ...`) runs that package as `-m PKG` does.
The tables (collect_modules, shells, verb_readers) key on the plain name; these give it."""

from __future__ import annotations

import re

# Other modules that are a package's command line under another name.
_ALIASES = {"pip.__pip-runner__": "pip",
            # the REPL programs' entry modules, run as main by `-m`, run the script given after
            # them as the program does (outside attack c38f, finding 11)
            "bpython.curtsies": "bpython", "bpython.cli": "bpython", "bpython.urwid": "bpython",
            "bpython.simplerepl": "bpython", "ptpython.entry_points.run_ptpython": "ptpython",
            "ptpython.entry_points.run_ptipython": "ptipython",
            "IPython.terminal.ipapp": "IPython"}
ALIASES = frozenset(_ALIASES)
# A package's folder or its `__main__.py` (or compiled one): the package's name.
_PACKAGE_PATH = re.compile(r"(?:.*/)?([A-Za-z_][A-Za-z0-9_]*)/*(?:/__main__\.pyc?)?/*")


def canonical_module(module: str) -> str:
    """The module `python3 -m MODULE` runs, by the name the tables use: `pip.__main__`,
    `pip.__main__.__main__`... and `pip.__pip-runner__` are `pip`."""
    while module.endswith(".__main__"):
        module = module[: -len(".__main__")]
    return _ALIASES.get(module, module)


def package_of_script(path: str, known: frozenset[str] | set[str]) -> str | None:
    """The package among `known` a script word runs when it is that package's folder or its
    `__main__.py` (`.../site-packages/pip`, `.../pip/`, `.../pip/__main__.py`), else None.
    A word that is a package's bare name (`python3 pip`) is its folder in the working one."""
    if path.rstrip("/").endswith("pip/__pip-runner__.py") and "pip" in known:
        return "pip"  # pip's runner by its file
    found = _PACKAGE_PATH.fullmatch(path)
    if found is None:
        return None
    name = found.group(1)
    return name if name in known else None
