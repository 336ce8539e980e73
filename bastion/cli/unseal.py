"""`bastion recording unseal`'s reading of one recording: the file is copied once into a private
unlinked temporary file, hashed as it is copied, checked against what the store holds for it,
and the copy is unsealed: what is shown is the bytes that were hashed (attack b37o, finding 3: a
file renamed over it between two openings; attack c38o, finding 3: `/proc/self/fd/N` reopened
the same inode, which its writer could append to or rewrite in place). See docs/ARCHITECTURE.md
(recordings)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from bastion.runtime.home import Context


def unsealed(ctx: Context | None, path: Path, keys: Mapping[str, Any]) -> tuple[Any, str]:
    """`path` unsealed with `keys` (recording.Unsealed), and a note ("" when the whole file is
    vouched for, or when no home is at hand) saying what of a recording the bastion has not
    closed with a digest was checked; with a home at hand (`ctx`), only when it is the recording
    the bastion wrote (RecordingError otherwise)."""
    from bastion import recording
    from bastion.recording.escrow import EscrowError

    try:
        opened = open(path, "rb")
    except OSError as exc:
        raise recording.RecordingError(f"cannot read recording {path}: {exc.strerror}") from None
    with opened, tempfile.TemporaryFile() as copy:
        seal = _stored_seal(ctx, path) if ctx is not None else None
        offset = seal.running[0] if seal is not None and seal.running is not None else 0
        whole, prefix, size = _copy_hashed(opened, copy, offset)
        note = _check(path, seal, whole, prefix, size) if seal is not None else ""
        same = f"/proc/self/fd/{copy.fileno()}"  # the copy: nobody else writes it
        try:
            return recording.unseal_cast(Path(same), keys), note
        except (EscrowError, recording.RecordingError) as exc:
            raise type(exc)(str(exc).replace(same, str(path))) from None


def _copy_hashed(source: IO[bytes], copy: IO[bytes], offset: int) -> tuple[str, str | None, int]:
    """Copy `source` into `copy` in one pass: (hex SHA-256 of all of it, of its first `offset`
    bytes (None when it is shorter), its size)."""
    whole, prefix, size = hashlib.sha256(), hashlib.sha256(), 0
    while chunk := source.read(1 << 20):
        whole.update(chunk)
        if size < offset:
            prefix.update(chunk[:offset - size])
        size += len(chunk)
        copy.write(chunk)
    copy.flush()
    copy.seek(0)
    return whole.hexdigest(), prefix.hexdigest() if size >= offset else None, size


def _stored_seal(ctx: Context, path: Path) -> Any:
    """What the store holds for the recording named as `path` (sessions.Seal), None for a file
    from anywhere. Found by the file's name, however the home is spelled (attack a36o, 2)."""
    from bastion import recording
    from bastion.access import sessions

    stored = sessions.stored_seals(ctx.store, path.name)
    if not stored:
        with contextlib.suppress(OSError):
            if os.path.samefile(path.parent, ctx.home.recordings):
                raise recording.RecordingError(f"{path}: not a recording the bastion made (the "
                                               "store holds none of that name)")
        return None
    if len(stored) > 1:
        raise recording.RecordingError(f"{path}: the store holds {len(stored)} of that name")
    return stored[0]


def _check(path: Path, seal: Any, whole: str, prefix: str | None, size: int) -> str:
    """Anyone can seal to a public key: only a recording whose SHA-256 is the one stored (and
    chained) when it closed is the bastion's own. One the bastion has not closed with a digest
    (still open, or closed unreadable after a crash) is checked up to its running digest, and
    the note says so (attack c38o, finding 4); one closed as altered is refused."""
    from bastion import recording
    from bastion.access import sessions

    if seal.digest == sessions.ALTERED:
        raise recording.RecordingError(
            f"{path}: altered: when the bastion closed it after a crash, its start was not what "
            "the bastion wrote (see its recording.closed event); not vouched for")
    if seal.digest is not None:
        if whole != seal.digest:
            raise recording.RecordingError(
                f"{path}: not the recording the bastion closed (its SHA-256 differs from the one "
                "in the store and the audit chain)")
        return ""
    if seal.running is None:
        return (f"{path.name}: not closed with a digest, and no running digest stored: nothing "
                "of it is vouched for")
    offset, digest = seal.running
    if prefix != digest:
        raise recording.RecordingError(
            f"{path}: not the recording the bastion wrote (its first {offset} bytes differ from "
            "the running digest in the store)")
    return (f"{path.name}: not closed with a digest: its first {offset} bytes match the running "
            f"digest the bastion stored; the {size - offset} bytes after them are not vouched for")
