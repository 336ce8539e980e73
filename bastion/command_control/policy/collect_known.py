"""The collector's known values: variables the script set to literal strings (known.py).

Methods of `_Collector` (collect.py): whether `$NAME` may be read as its value here
(`_known_here`), setting and forgetting values as assignments and commands are walked
(`_known_assigned`, `_known_command`, `_forget`, `_forget_all`, `_lose`), and the state a
line leaves for the next statement of the script (`_known_after`)."""

from __future__ import annotations

from bastion.command_control.policy.known import _LOSES, BUILTINS, KnownValues, _keeps, knowable
from bastion.command_control.policy.variables import _hook_kind
from bastion.command_control.policy.words import _Known, _Word


class _KnownState:
    """Part of `_Collector` (collect.py): its known values."""

    def _known_start(self, known: KnownValues, off: bool) -> None:
        """Begin a line from `known`; `off`: nothing is known anywhere on it."""
        self._known = {} if off else dict(known.values)
        self._split_default = known.split_default and not off
        self._lost = known.lost
        self._known_off = off

    def _known_here(self) -> _Known | None:
        """The values `$NAME` reads as where the walk is: none in code another process runs
        (`bash -c`), in a function's body (run later, from a state not known here), or once
        the line lost them."""
        if not self._known or self._lost or self._foreign or self._in_function:
            return None
        return _Known(self._known, self._split_default)

    def _setting(self) -> bool:
        """Whether an assignment walked here certainly runs, once, in the shell itself."""
        return not (self._lost or self._known_off or self._foreign or self._in_function
                    or self._guarded)

    def _known_assigned(self, name: str, value: _Word, plain: bool) -> None:
        """After `NAME=value` (`plain`: an assignment statement of one whole, unsubscripted
        name, not appended): NAME holds value, or is forgotten."""
        if _hook_kind(name) is not None:
            self._lose()  # PS4='$((i=1))' assigns at each traced command
        elif plain and value.value is not None and self._setting() and \
                knowable(name, value.value):
            self._known[name] = value.value
        else:
            self._forget(name)
            if name == "IFS":
                self._split_default = False

    def _known_command(self, name: str | None, argv: list[str | None]) -> None:
        """Before the simple command `name argv` runs: a builtin that may assign, or a call of
        a function, forgets every value; some lose them for good (see known.py)."""
        if name is None or name in _LOSES or (name == "set" and not _keeps(name, argv)):
            self._lose()  # `set -k`, `set -T`, `set -o posix` change how later lines run
        elif name in self._functions:
            self._forget_all()
        elif name in BUILTINS and not _keeps(name, argv):
            self._forget_all()

    def _forget(self, name: str) -> None:
        if self._known.pop(name, None) is not None and self._loop:
            # An earlier pass of the loop read it: walked again from nothing known.
            self._redo = True

    def _forget_all(self) -> None:
        if self._known and self._loop:
            self._redo = True
        self._known = {}
        self._split_default = False

    def _lose(self) -> None:
        self._forget_all()
        self._lost = True

    def _known_after(self, given: KnownValues) -> KnownValues:
        """The state the line leaves for the next statement of the script: lost when the line
        holds a command the policy cannot read (it may define anything) or starts a shell or
        interpreter that reads commands from its stdin (`bash`, `exec sh`: the script's next
        statements run there, without the variables this shell did not export), nothing known
        when it was walked without values, else what the walk left."""
        if self._lost or any(c.unknown or c.reads_stdin for c in self.commands):
            return given.lose()
        if self._known_off or self._redo:
            return KnownValues((), False, False)
        return KnownValues(tuple(sorted(self._known.items())), self._split_default, False)
