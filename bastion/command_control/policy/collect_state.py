"""The collector's shell state across children and repeats: forks, snapshots and rejoins.

Methods of `_Collector` (collect.py): code walked in a child of the shell keeps the state the
line model carries apart (`_apart`, `_snapshot`, `_rejoin`), code that may run any number of
times is walked until the state stops moving (`_again`, `_moves`), and a fork of the collector
for code walked on its own is merged back (`_fork`, `_merge`)."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from bastion.command_control.policy.paths import PathArg, _bounded

if TYPE_CHECKING:
    from bastion.command_control.policy.collect import _Collector


class _State:
    """Part of `_Collector` (collect.py): its shell state across children and repeats: forks, snapshots
    and rejoins."""

    def _fork(self) -> _Collector:
        """A collector that goes on from this one's state without changing it."""
        self._spend(len(self._assumed) + len(self._codes) + len(self._numbers) + len(self._values)
                    + len(self._fresh_used) + len(self._tainted) + len(self._stack) + 1)
        fork = copy.copy(self)
        fork.commands = []
        for name in ("_numbers", "_tainted", "_assoc", "_fresh", "_stale", "_movers"):
            setattr(fork, name, set(getattr(self, name)))
        for name in ("_assumed", "_codes", "_fresh_used", "_dirs", "_roots"):
            setattr(fork, name, list(getattr(self, name)))
        fork._stack = [list(level) for level in self._stack]
        fork._values, fork._line_fds = dict(self._values), dict(self._line_fds)
        fork._attached = dict(self._attached)
        fork._known = dict(self._known)
        return fork

    def _merge(self, fork: _Collector, walked: int) -> None:
        """Take in what a second reading of the same code (`fork`) found: its other commands
        (those of the first reading are `self.commands[walked:]`), and the state it left, as
        what either reading may have done (the directories of both, a value the two set apart
        unknown, a number only if both keep it one)."""
        self.work = fork.work
        seen = set(self.commands[walked:])
        for command in fork.commands:
            if command not in seen:
                seen.add(command)
                self.commands.append(command)
        for name in ("_assumed", "_codes", "_fresh_used"):
            mine = getattr(self, name)
            mine.extend(getattr(fork, name)[len(mine):])
        self._tainted |= fork._tainted
        self._stale |= fork._stale
        self._numbers &= fork._numbers
        self._fresh &= fork._fresh
        self._dirs = _bounded(self._dirs + fork._dirs)
        for name in set(self._values) | set(fork._values):
            if self._values.get(name, "") != fork._values.get(name, ""):
                self._values[name] = None
        if fork._stack != self._stack:
            self._stack.clear()  # directories pushed apart: `popd` goes somewhere unknown
        for fd in set(self._line_fds) | set(fork._line_fds):
            if self._line_fds.get(fd) != fork._line_fds.get(fd):
                self._line_fds[fd] = ("unknown", None)
        self._known = {k: v for k, v in self._known.items() if fork._known.get(k) == v}
        self._split_default &= fork._split_default
        self._lost |= fork._lost
        self._redo |= fork._redo
        self._histexpand |= fork._histexpand
        self._cdable_vars |= fork._cdable_vars
        self._movers |= fork._movers
        self._hook_moves |= fork._hook_moves

    @contextlib.contextmanager
    def _apart(self, certain: bool = True) -> Iterator[None]:
        """Code walked inside runs in a child of the shell (a subshell, a substitution, an
        element of a pipeline, a `&` job, a program such as `bash -c` or `env`): the shell state
        the line model carries (the directories a `cd` chose, the directory stack, the values
        HOME and CDPATH take, numbers, associative arrays, mktemp paths, descriptors) is as it
        was before it afterwards, whatever the child did. With `certain` False the code may run
        in the shell itself or in a child (the last element of a pipeline under `shopt -s
        lastpipe`, a function body that may run later or never): afterwards the state is what
        either may have left (both directories, a value set apart unknown). Flags that only
        widen what is judged (`_tainted`, `_stale`, `_histexpand`, `_cdable_vars`) and what
        `finish` checks are kept from the child."""
        saved = self._snapshot()
        try:
            yield
        finally:
            self._rejoin(saved, certain)

    def _moves(self) -> tuple[Any, ...]:
        """What a `cd` or `pushd` in code walked again would find changed: the directories,
        the stack, HOME and CDPATH (every value, with `cdable_vars`)."""
        values = self._values if self._cdable_vars else \
            (self._values.get("HOME", ""), self._values.get("CDPATH", ""))
        return tuple(self._dirs), str(self._stack), str(values)

    def _again(self, walk: Callable[[], None]) -> None:
        """Code that may run any number of times (a loop's body and condition): walked once;
        if that pass moved the directories (or the stack, HOME, CDPATH), walked again from
        what either the start or the end of a pass may be; a pass that still moves them
        (`cd ..`) leaves a directory known only at run time among them."""
        before, moves = self._snapshot(), self._moves()
        walk()
        if self._moves() == moves:
            return
        self._rejoin(before, certain=False)
        widened, moves = self._snapshot(), self._moves()
        walk()
        if not set(self._dirs) <= set(widened[0]) or self._moves()[1] != moves[1]:
            self._dirs = _bounded([*self._dirs, PathArg("(a directory known only at run time)",
                                                        "unknown")])
            self._stack = []
        self._rejoin(widened, certain=False)

    def _snapshot(self) -> tuple[Any, ...]:
        """A copy of the shell state `_apart` keeps apart."""
        self._spend(len(self._dirs) + len(self._values) + len(self._numbers) + len(self._assoc)
                    + len(self._fresh) + len(self._line_fds) + len(self._stack) + 1)
        return (list(self._dirs), list(self._roots), [list(level) for level in self._stack],
                dict(self._values), set(self._numbers), set(self._assoc), set(self._fresh),
                dict(self._line_fds), dict(self._known), self._split_default)

    def _rejoin(self, saved: tuple[Any, ...], certain: bool) -> None:
        """The state `saved` again (`certain`), or what either it or the present may be."""
        dirs, roots, stack, values, numbers, assoc, fresh, fds, known, split = saved
        if certain:
            self._dirs, self._roots, self._stack = dirs, roots, stack
            self._values, self._numbers, self._assoc = values, numbers, assoc
            self._fresh, self._line_fds = fresh, fds
            self._known, self._split_default = known, split
        else:
            # Known values either state may hold (a forgotten one stays forgotten).
            self._known = {k: v for k, v in self._known.items() if known.get(k) == v}
            self._split_default &= split
            self._dirs = _bounded(dirs + self._dirs)
            self._roots = _bounded(roots + self._roots)
            if stack != self._stack:
                self._stack = []  # pushed apart: `popd` goes somewhere unknown
            for name in set(values) | set(self._values):
                if values.get(name, "") != self._values.get(name, ""):
                    self._values[name] = None
            self._numbers &= numbers
            self._assoc &= assoc
            self._fresh &= fresh
            for fd in set(fds) | set(self._line_fds):
                if fds.get(fd) != self._line_fds.get(fd):
                    self._line_fds[fd] = ("unknown", None)
