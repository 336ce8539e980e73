"""Tables of rows checked in one test each: `each`, parametrize's shape without its cost.

A parametrized test is one pytest item per row, and under pytest-xdist every item costs about
10 ms of CPU on top of the check itself (three reports through the controller, the terminal's
dot, the plugins' hooks), several times what judging a policy row costs (1.5 ms). The suite's
tables held over 16,000 rows: as one test each, `make test` took 491 s of CPU instead of 657 s
(2,606 items instead of 18,972).

`each` takes parametrize's arguments and stacks the same way; the test it makes runs every row
(every combination, when stacked) and fails once, listing each row that failed with its own
message, so that a failure reads as it did row by row and one failing row never hides another.

Only for tests whose rows share nothing that one row could change for the next: fixtures of
the whole session (`default_policy`) or none. Tests given a fresh `tmp_path`, World or store
per row keep `pytest.mark.parametrize`.
"""

from __future__ import annotations

import inspect
import itertools
import traceback
from collections.abc import Callable, Iterable, Sequence

import pytest

SHOWN = 2000  # characters of a failing row's values, and of its message


def each(argnames: str | Sequence[str], argvalues: Iterable, ids: Sequence[str] | None = None,
         ) -> Callable[[Callable], Callable]:
    """As `pytest.mark.parametrize(argnames, argvalues, ids=...)`, in one test (see above)."""
    names = ([n.strip() for n in argnames.split(",")] if isinstance(argnames, str)
             else list(argnames))
    rows = [_row(value, names, None if ids is None else ids[i])
            for i, value in enumerate(argvalues)]
    if not rows:
        raise ValueError(f"each({argnames!r}): no rows")

    def decorate(test: Callable) -> Callable:
        inner, tables = getattr(test, "_each", (test, []))
        tables = [(names, rows), *tables]
        given = {name for table_names, _ in tables for name in table_names}
        signature = inspect.signature(inner)
        missing = given - set(signature.parameters)
        if missing:
            raise TypeError(f"{inner.__name__} takes no {sorted(missing)}")

        def run(**fixtures):
            failures, total = [], 0
            for combination in itertools.product(*(table_rows for _, table_rows in tables)):
                total += 1
                values = {}
                for (table_names, _), (_, row) in zip(tables, combination, strict=True):
                    values.update(zip(table_names, row, strict=True))
                try:
                    inner(**fixtures, **values)
                except Exception as error:  # an assertion or a crash: both are the row's failure
                    failures.append(_failure(combination, error))
            if failures:
                pytest.fail(f"{len(failures)} of {total} rows failed:\n" + "\n".join(failures),
                            pytrace=False)

        run.__signature__ = signature.replace(parameters=[
            p for p in signature.parameters.values() if p.name not in given])
        run.__name__, run.__qualname__ = inner.__name__, inner.__qualname__
        run.__module__, run.__doc__ = inner.__module__, inner.__doc__
        run._each = (inner, tables)
        return run

    return decorate


def _row(value, names: list[str], label: str | None) -> tuple[str | None, tuple]:
    if isinstance(value, type(pytest.param(None))):
        if value.marks:
            raise ValueError("each() takes no marks: keep pytest.mark.parametrize for this test")
        label, value = value.id or label, value.values
        value = value if len(names) > 1 else value[0]
    row = tuple(value) if len(names) > 1 else (value,)
    if len(row) != len(names):
        raise ValueError(f"row {value!r} does not give {names}")
    return label, row


def _failure(combination, error: Exception) -> str:
    shown = ", ".join(label or ", ".join(repr(v) for v in row) for label, row in combination)
    if isinstance(error, AssertionError):
        message = str(error) or "assert failed"
    else:
        message = "".join(traceback.format_exception(error, limit=-3)).rstrip()
    return f"- [{_cut(shown)}]\n  " + _cut(message).replace("\n", "\n  ")


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN] + f"…[{len(text)} chars]"
