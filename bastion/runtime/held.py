"""Memory held by stdin gates for statements not yet sent, bounded per connection, per person
and for the server (attack v31o, finding 4).

A shell reading its commands from stdin (`ssh host bash -s < deploy.sh`) gets each statement
only once it is judged, and a statement is judged once it is whole: until then the gate holds
it (`statements.MAX_HELD`, 64 MiB, bounds one statement, here-document bodies included). That
bound held one channel: ten channels of one connection, each sent `cat <<'E'` and a body
without its end, took the bastion from 61 MB to 705 MB, and fifty such connections would take
it over.

So every stdin gate reports what it holds (its unfinished statement, the statements cut but not
yet judged, the one held for a supervisor) under its connection and its person, and a new
byte held past `PER_CONNECTION`, `PER_PERSON` or `PER_SERVER` is refused (a gate's first
`statements.MAX_CODE` bytes are always taken, so an everyday statement is never refused): the statement then
overflows, and the policy's `uncertain` action applies to it as to an over-long statement
(deny drops it up to its end, with a verdict row and an audit event). A script with one big
here-document (up to PER_CONNECTION) on one channel still runs; what is refused is holding
more at once. Honest cost: two channels of one connection each holding half of it, or one
person's (or everyone's) big deploys at the same moment past the other bounds, get the
`uncertain` action for the statement that passes the bound.

Pure: no I/O.
"""

from __future__ import annotations

from bastion.config.sizes import format_size

PER_CONNECTION = 64 * 1024 * 1024
PER_PERSON = 128 * 1024 * 1024
PER_SERVER = 512 * 1024 * 1024


class HeldBudget:
    """What each holder (a stdin gate) holds, summed per connection, per person and in all."""

    def __init__(self, *, per_connection: int = PER_CONNECTION, per_person: int = PER_PERSON,
                 per_server: int = PER_SERVER) -> None:
        self.per_connection = per_connection
        self.per_person = per_person
        self.per_server = per_server
        self.total = 0
        self.connections: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self._holders: dict[int, tuple[str, str, int]] = {}  # id(holder): connection, person, size

    def hold(self, holder: object, connection: str, person: str, size: int, *,
             force: bool = False) -> str | None:
        """`holder` now holds `size` bytes: None when that is within every bound (and taken),
        else why not (and nothing changes). Holding less is always taken, and so is what is
        held already (`force`: bytes moved from one part of a gate to another)."""
        _, _, before = self._holders.get(id(holder), (connection, person, 0))
        grow = size - before
        if grow > 0 and not force:
            for used, bound, what in (
                    (self.connections.get(connection, 0), self.per_connection, "this connection"),
                    (self.people.get(person, 0), self.per_person, "this person's connections"),
                    (self.total, self.per_server, "the server")):
                if used + grow > bound:
                    return (f"the statements held unfinished on {what} would pass "
                            f"{format_size(bound, binary=True)}")
        self.release(holder)
        if size > 0:
            self._holders[id(holder)] = (connection, person, size)
            self._add(connection, person, size)
        return None

    def release(self, holder: object) -> None:
        """`holder` holds nothing any more (its channel closed)."""
        entry = self._holders.pop(id(holder), None)
        if entry is not None:
            self._add(entry[0], entry[1], -entry[2])

    def _add(self, connection: str, person: str, size: int) -> None:
        self.total += size
        for table, key in ((self.connections, connection), (self.people, person)):
            table[key] = table.get(key, 0) + size
            if table[key] <= 0:
                del table[key]
