"""Retention: `bastion audit purge` deletes audit events and session recordings past the retention.

What callers may rely on:
- Nothing is deleted when the audit chain does not verify: purging never hides a break.
- Events go as `audit.purge` says; the rest of the chain still verifies from its anchor.
- A recording goes only when the `recordings` table lists it, its session ended before the
  cutoff and the recording itself was closed before it. Recordings of active sessions, of
  sessions that ended later, recordings still open (a crash the server has not cleaned up yet)
  and files the table does not list are left alone.
- A recording's file is looked for by its name in HOME/recordings only, as the server does,
  whatever folder its row names: a row rewritten to name /etc/passwd deletes nothing outside.
- `recordings` rows go with their files; `sessions` rows stay (small, and events refer to them).
- One `recording.purged` event says how many files and bytes went.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from bastion import audit
from bastion.errors import BastionError
from bastion.store import Backend

RECORDING_SUFFIXES = (".cast", ".jsonl")


class RetentionError(BastionError):
    """A purge was refused; nothing was deleted."""


@dataclass(frozen=True)
class Purged:
    events: int
    recordings: int
    bytes: int
    missing: int = 0
    failed: tuple[str, ...] = ()


def purge(store: Backend, recordings: Path, older_than: float, actor: str) -> Purged:
    """Delete events before `older_than` (epoch seconds) and the recordings of sessions that ended
    before it, from the folder `recordings` (HOME/recordings).

    `recordings` counts files removed and `bytes` their sizes. A listed file already gone is no
    error: it counts in `missing` and its row goes. A file that cannot be removed is named in
    `failed` ("path: reason") and keeps its row, so the next purge tries again.
    """
    try:
        events = audit.purge(store, older_than, actor)
    except ValueError as exc:
        raise RetentionError(str(exc)) from None
    rows = store.all(
        "SELECT r.path, r.session_id FROM recordings r JOIN sessions s ON s.id = r.session_id "
        "WHERE s.state != 'active' AND s.ended < ? AND r.ended < ? ORDER BY r.path",
        (older_than, older_than))
    removed = missing = freed = 0
    failed: list[str] = []
    gone: list[dict] = []
    for row in rows:
        name = PurePath(row["path"]).name
        if not name.endswith(RECORDING_SUFFIXES):
            failed.append(f"{row['path']}: not the name of a recording")
            continue
        path = recordings / name
        try:
            size = path.lstat().st_size
            path.unlink()
        except FileNotFoundError:
            missing += 1
        except OSError as exc:
            failed.append(f"{path}: {exc.strerror or exc}")
            continue
        else:
            removed += 1
            freed += size
        gone.append(row)
    # Files first, rows after: if this write fails, the rows stay and the next purge counts
    # their files as missing and audits them then, rather than losing the files' trace.
    if gone:
        with store.transaction():
            for row in gone:
                store.execute("DELETE FROM recordings WHERE path = ?", (row["path"],))
            audit.record(store, "recording.purged", actor, recordings=removed, bytes=freed,
                         missing=missing, failed=len(failed), older_than=older_than,
                         sessions=len({row["session_id"] for row in gone}))
    return Purged(events, removed, freed, missing, tuple(failed))
