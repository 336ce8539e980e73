"""tests/rows.py's `each`: every row runs, and a failure names each failing row."""

from __future__ import annotations

import inspect

import pytest

from tests.rows import each


def test_every_combination_runs_and_every_failing_row_is_named() -> None:
    seen = []

    @each("sudo", ["", "sudo "], ids=["plain", "sudo"])
    @each(("line", "want"), [("ls", True), ("rm", False), pytest.param("id", True, id="who")])
    def check(fixture, line, want, sudo):
        seen.append(sudo + line)
        assert want, f"{line} refused"
        if line == "id" and sudo:
            raise KeyError("crash")

    assert list(inspect.signature(check).parameters) == ["fixture"]
    with pytest.raises(pytest.fail.Exception) as failed:
        check(fixture=None)
    assert sorted(seen) == sorted(s + line for s in ("", "sudo ") for line in ("ls", "rm", "id"))
    message = str(failed.value)
    assert message.startswith("3 of 6 rows failed:")
    assert "- [plain, 'rm', False]\n  rm refused" in message
    assert "- [sudo, 'rm', False]" in message
    assert "- [sudo, who]" in message and "KeyError: 'crash'" in message


def test_a_table_that_passes_passes_and_one_with_marks_is_refused() -> None:
    @each("n", [1, 2, 3])
    def check(n):
        assert n > 0

    check()
    with pytest.raises(ValueError, match="no marks"):
        each("n", [pytest.param(1, marks=pytest.mark.slow)])
