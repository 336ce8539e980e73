"""Session recordings: asciicast v2 files for interactive channels, JSON lines for the others.

The cast format is a contract (README.md, "Recordings"); recording/cast.py describes it, writes
it (`CastRecorder`) and reads it back (`iter_cast`, `read_cast`, `interrupt_recording`).
Non-interactive channels (exec commands, sftp, scp, forwarded connections) get an `ExecRecord`
(recording/exec_record.py). recording/files.py creates the files (0600, never overwritten) and
writes them whole lines at a time, so a process killed at any moment leaves a valid recording up
to its last flush; a failure to write raises `RecordingError`, and the caller ends the session
(fail closed). recording/playback.py plays a cast (`bastion replay`) and opens its sealed keys
(`bastion recording unseal`); escrow.py seals them, escapes.py filters what a replay may draw.

This module re-exports the public names: `recording.CastRecorder`, `recording.replay`.
"""

from bastion.recording.cast import (
    COALESCE_MAX_CHARS,
    COALESCE_SECONDS,
    FLUSH_BYTES,
    REDACTION_MARK,
    SEALED,
    CastPage,
    CastRecorder,
    RecordingAltered,
    cast_page,
    interrupt_recording,
    iter_cast,
    read_cast,
)
from bastion.recording.exec_record import ExecRecord, read_exec_record
from bastion.recording.files import RecordingError, cast_path, exec_record_path, open_private_file
from bastion.recording.playback import Unsealed, replay, unseal_cast

__all__ = [
    "COALESCE_MAX_CHARS",
    "COALESCE_SECONDS",
    "FLUSH_BYTES",
    "REDACTION_MARK",
    "SEALED",
    "CastPage",
    "CastRecorder",
    "ExecRecord",
    "RecordingAltered",
    "RecordingError",
    "Unsealed",
    "cast_page",
    "cast_path",
    "exec_record_path",
    "interrupt_recording",
    "iter_cast",
    "open_private_file",
    "read_cast",
    "read_exec_record",
    "replay",
    "unseal_cast",
]
