"""What keeps the bastion honest when its store or its disk fails: session rows that wait for the
store, recordings that wait for the disk, and the check that refuses new sessions while
recordings cannot be kept (fail closed)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bastion import recording
from bastion.access import sessions
from bastion.errors import BastionError
from bastion.store import StoreError

log = logging.getLogger("bastion.runtime.health")


class Health:
    """Rows and recordings held back by a fault, finished by the enforcement loop once they can
    be written. Needs `self.store`, `self.config` and `self.home` (the running server's)."""

    store: Any
    config: Any
    home: Any

    def __init__(self) -> None:
        self.rows_to_end: dict[str, tuple[str, str, str, float]] = {}
        self.stalled_recordings: list[tuple[Any, Callable[[], str], str]] = []
        self.store_failing_since: float | None = None
        self.disk_ok = True

    def end_session_row(self, session_id: str, state: str, reason: str, actor: str) -> None:
        """Mark a session row ended; while the store fails, keep trying from the enforcement
        loop (the session itself is already over: only its row waits)."""
        at = time.time()  # when it ended: before the store's busy wait, before the log line
        try:
            sessions.end(self.store, session_id, state, reason, actor, at=at)
        except StoreError as exc:
            log.error("session %s ended (%s) but its row is not updated yet: %s", session_id,
                      reason, exc)
            self.rows_to_end[session_id] = (state, reason, actor, at)

    def defer_session_row(self, session_id: str, state: str, reason: str, actor: str) -> None:
        """A session ended now whose row the store cannot take now: `retry_ended_rows` writes it."""
        self.rows_to_end[session_id] = (state, reason, actor, time.time())

    def retry_ended_rows(self) -> None:
        for session_id, (state, reason, actor, at) in list(self.rows_to_end.items()):
            sessions.end(self.store, session_id, state, reason, actor, at=at)  # StoreError: next pass
            del self.rows_to_end[session_id]
            log.info("session %s row updated: %s", session_id, state)

    def stall_recording(self, recorder: Any, closer: Callable[[], str], user: str) -> None:
        """A recording that could not be written or closed (a full disk, a failed store):
        kept, with what it still had to write, and finished by `finish_stalled_recordings`
        once that works, so that nothing it held is lost."""
        log.error("recording %s could not be finished; it will be once it can be written",
                  recorder.path.name)
        self.stalled_recordings.append((recorder, closer, user))

    def finish_stalled_recordings(self) -> None:
        for item in list(self.stalled_recordings):
            recorder, closer, user = item
            try:
                if not recorder.resume():
                    continue
                digest = closer()
                sessions.close_recording(self.store, recorder.path, digest, user)
            except (recording.RecordingError, OSError, StoreError):
                continue  # still failing: the next pass tries again
            self.stalled_recordings.remove(item)
            log.warning("recording %s finished after its fault", recorder.path.name)

    def check_can_record(self) -> None:
        """Refuse new sessions while recordings cannot be kept (fail closed)."""
        if not self.recordings_usable():
            raise BastionError("the bastion cannot record sessions right now (recordings "
                               "folder full or unwritable); try again later")

    def recordings_usable(self) -> bool:
        folder: Path = self.home.recordings
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return False
        return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK) and (
            free >= self.config.server.recordings_min_free)

    def disk_changed(self) -> bool:
        """Look at the recordings folder again: True while it is usable. A change either way is
        logged once."""
        ok = self.recordings_usable()
        if ok != self.disk_ok:
            log.log(logging.WARNING if ok else logging.ERROR, "recordings folder %s",
                    "usable again" if ok else
                    "below recordings_min_free or unwritable: new sessions are refused")
        self.disk_ok = ok
        return ok
