"""The packages' layering (docs/ARCHITECTURE.md, "Packages"): imports flow one way.

    cli, tui -> ssh, control -> runtime -> command_control, recording, access -> store, audit -> config

`bastion.errors` and `bastion.text` sit below everything; `certs` is outside bastion and pure.
A package may import its own layer only where that makes no circle between packages (ssh imports
control for the `bastion-control` subsystem door; control never imports ssh). The walk reads
every import, including those inside functions and under TYPE_CHECKING: a type is a dependency.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.rows import each

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A package imports packages of a lower rank, or of its own rank without a circle.
RANKS = {
    "errors": 0, "text": 0, "certs": 0,
    "config": 1,
    "store": 2, "audit": 2,
    "access": 4, "recording": 4, "command_control": 4,
    "runtime": 5,
    "ssh": 6, "control": 6,
    "cli": 7, "tui": 7,
}
# Modules of bastion's top level that belong to a package: the public name of the control
# protocol (README, "Control API") and `python -m bastion`.
ALIASES = {"bastion.protocol": "control", "bastion.__main__": "cli", "bastion": "base"}
# Pure packages: no event loop, no SSH (certs handles key and certificate types, its job).
PURE = {"command_control": {"asyncio", "asyncssh"}, "certs": {"asyncio"}}


def package_of(module: str) -> str | None:
    if module in ALIASES:
        return ALIASES[module]
    parts = module.split(".")
    if parts[0] in ("certs", "tui"):
        return parts[0]
    if parts[0] == "bastion" and len(parts) > 1:
        return parts[1]
    return None


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> list[Path]:
    return sorted(p for top in ("bastion", "certs", "tui") for p in (ROOT / top).rglob("*.py"))


@functools.cache
def parsed(path: Path) -> ast.Module:
    """Each source parsed once for the whole file's checks (parsing every module is most of their cost)."""
    return ast.parse(path.read_text(), str(path))


@functools.cache
def imports(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports (line, dotted name), `from X import y` read as X.y as well,
    so that `from bastion import audit` names the package audit."""
    found = []
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


@functools.cache
def edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) -> where, for every import between packages."""
    out: dict[tuple[str, str], list[str]] = {}
    for path in sources():
        here = package_of(module_name(path))
        for line, name in imports(path):
            there = package_of(name)
            if here == "base" or there in (None, "base") or there == here:
                continue
            out.setdefault((here, there), []).append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return out


def test_every_package_has_a_rank():
    packages = {package_of(module_name(p)) for p in sources()} - {"base"}
    assert packages <= set(RANKS), packages - set(RANKS)


def test_no_import_goes_up_a_layer():
    against = [where for (a, b), wheres in edges().items() if RANKS[b] > RANKS[a] for where in wheres]
    assert against == []


def test_no_circle_between_packages():
    graph: dict[str, set[str]] = {}
    for a, b in edges():
        graph.setdefault(a, set()).add(b)
    circles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                circles.append(" -> ".join([*path, nxt]))
            elif nxt not in path and nxt > path[0]:  # each circle once, from its smallest name
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert circles == []


@each("package", sorted(PURE))
def test_pure_packages_import_no_event_loop(package):
    banned = PURE[package]
    found = [f"{p.relative_to(ROOT)}:{line} imports {name}" for p in sources()
             if package_of(module_name(p)) == package
             for line, name in imports(p) if name.split(".")[0] in banned]
    assert found == []


def test_the_walk_sees_an_import_against_the_flow(tmp_path):
    """The checks above can fail: a store module importing the SSH server is an upward edge."""
    source = "def f():\n    from bastion.ssh import server\n"
    path = tmp_path / "x.py"
    path.write_text(source)
    assert (2, "bastion.ssh.server") in imports(path)
    assert RANKS[package_of("bastion.ssh.server")] > RANKS[package_of("bastion.store")]


# No module over about 600 lines unless its docstring says why (naming the size it is past).
ABOUT_600 = 620


def test_no_module_is_over_about_600_lines_unless_its_docstring_says_why():
    long = []
    for path in sources():
        lines = path.read_text().count("\n")
        doc = ast.get_docstring(parsed(path)) or ""
        if lines > ABOUT_600 and "about 600 lines" not in doc:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []
