"""Tables of records (sessions, requests, held commands, events) that keep the cursor on its record.

Times on the console are UTC, as in the CLI, and written short: a supervisor reads them at a
glance, so "15:25Z", "3m05s" and "27m" rather than full timestamps.

Whatever a record holds came from someone: a command, a reason, a ticket. A cell is never read
as Rich markup (`[black on black]` in a command stays those characters), and its control, bidi
and invisible characters are spelled out (`bastion.text.visible`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from bastion.config.durations import format_span
from bastion.text import visible

Clock = Callable[[], float]
Record = dict[str, Any]


def clock_time(epoch: float | None) -> str:
    """HH:MMZ in UTC; "-" when unknown."""
    if epoch is None:
        return "-"
    return time.strftime("%H:%MZ", time.gmtime(epoch))


def span(seconds: float | None) -> str:
    """A duration in its two largest units: 42s, 3m05s, 1h02m, 2d03h; "-" when unknown."""
    return "-" if seconds is None else format_span(seconds)


def countdown(deadline: float | None, now: float, *, warn_below: float) -> Text:
    """Time left until `deadline`, red below `warn_below` seconds, "over" once it has passed."""
    if deadline is None:
        return Text("-")
    left = deadline - now
    if left <= 0:
        return Text("over", style="bold red")
    return Text(span(left), style="bold red" if left < warn_below else "")


def plain(value: object) -> Text:
    """`value` as text to show: never markup, every hidden character spelled out."""
    return Text(visible(str(value)))


def clip(text: str | None, width: int) -> str:
    """One line of at most `width` characters (an ellipsis marks the cut), hidden characters
    spelled out first, so a newline or a carriage return shows as `\\n` or `\\r`."""
    line = visible(text or "")
    return line if len(line) <= width else line[: width - 1] + "…"


def _cell(value: str | Text) -> Text:
    # DataTable reads a str cell as markup: every str becomes plain Text here, in one place.
    return value if isinstance(value, Text) else plain(value)


@dataclass(frozen=True)
class Column:
    """A column: its key, header, how a record becomes its cell at a given time, and a fixed width."""

    key: str
    label: str
    cell: Callable[[Record, float], str | Text]
    width: int | None = None


class RecordTable(DataTable):
    """Rows are records keyed by their `id`; `show` updates in place so the cursor stays put.

    Cells that depend on the time (durations, countdowns) are recomputed by `tick`.
    """

    def __init__(self, columns: list[Column], clock: Clock, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.columns_spec = columns
        self.clock = clock
        self.records: dict[str, Record] = {}

    def on_mount(self) -> None:
        for column in self.columns_spec:
            self.add_column(column.label, key=column.key, width=column.width)

    def show(self, records: list[Record]) -> None:
        """Make the table hold exactly these records, in this order for new ones."""
        wanted = {str(r["id"]): r for r in records}
        for key in [k for k in self.records if k not in wanted]:
            self.remove_row(key)
            del self.records[key]
        now = self.clock()
        for key, record in wanted.items():
            cells = [_cell(column.cell(record, now)) for column in self.columns_spec]
            if key in self.records:
                for column, value in zip(self.columns_spec, cells, strict=True):
                    self.update_cell(key, column.key, value, update_width=column.width is None)
            else:
                self.add_row(*cells, key=key)
            self.records[key] = record

    def replace(self, records: list[Record]) -> None:
        """Show these records in exactly this order (for listings that are newest first)."""
        self.clear()
        self.records = {}
        self.show(records)

    def tick(self) -> None:
        self.show(list(self.records.values()))

    @property
    def selected(self) -> Record | None:
        """The record under the cursor, if any."""
        if not self.records or self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0))
        return self.records.get(str(row_key.value))
