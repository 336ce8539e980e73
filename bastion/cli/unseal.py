"""`bastion recording unseal`'s reading of one recording: the SHA-256 the store holds for it is
checked, and the recording unsealed, from one opening of the file (attack b37o, finding 3:
hashed on one opening and read on another, a file renamed over it in between was shown as the
bastion's own). See docs/ARCHITECTURE.md (recordings)."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bastion.runtime.home import Context


def unsealed(ctx: Context | None, path: Path, keys: Mapping[str, Any]) -> Any:
    """`path` unsealed with `keys` (recording.Unsealed); with a home at hand (`ctx`), only when
    it is the recording the bastion closed (RecordingError otherwise)."""
    from bastion import recording
    from bastion.recording.escrow import EscrowError

    try:
        opened = open(path, "rb")  # kept open across the check and the reading
    except OSError as exc:
        raise recording.RecordingError(f"cannot read recording {path}: {exc.strerror}") from None
    with opened:
        if ctx is not None:
            _check_stored_digest(ctx, path, opened)
        same = f"/proc/self/fd/{opened.fileno()}"  # this opening, whatever is renamed over path
        try:
            return recording.unseal_cast(Path(same), keys)
        except (EscrowError, recording.RecordingError) as exc:
            raise type(exc)(str(exc).replace(same, str(path))) from None


def _check_stored_digest(ctx: Context, path: Path, opened: Any) -> None:
    """Anyone can seal to a public key: only a recording whose SHA-256 is the one stored (and
    chained) when it closed is the bastion's own. Found by the file's name, however the home is
    spelled (attack a36o, finding 2)."""
    from bastion import recording
    from bastion.access import sessions

    stored = sessions.stored_digests(ctx.store, path.name)
    if not stored:
        with contextlib.suppress(OSError):
            if os.path.samefile(path.parent, ctx.home.recordings):
                raise recording.RecordingError(f"{path}: not a recording the bastion made (the "
                                               "store holds none of that name)")
        return
    if len(stored) > 1:
        raise recording.RecordingError(f"{path}: the store holds {len(stored)} of that name")
    if (digest := stored[0]) is None:
        return
    actual = hashlib.file_digest(opened, "sha256").hexdigest()
    opened.seek(0)
    if actual != digest:
        raise recording.RecordingError(f"{path}: not the recording the bastion closed (its SHA-256 "
                                       "differs from the one in the store and the audit chain)")
