"""How this package puts keys, certificates and KRLs on disk.

Private keys are created mode 0600 by the `open()` that makes them, so no umask and no
moment between create and chmod ever leaves them readable by others, and they are moved
into place by a hard link, which never replaces a key that is already there. Public files
(`.pub`, `-cert.pub`, KRLs) are replaced atomically, so a reader such as sshd sees the old
file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644


def create_private_file(path: Path, data: bytes) -> bool:
    """Create `path` holding `data`, mode 0600, unless it already exists.

    Returns True when this call created the file, False when a file was already there (it
    is left untouched). The parent folder is created mode 0700 when missing. The data is
    on disk (fsynced, and the folder entry too) before this returns True.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = _temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        _fsync_folder(path.parent)
        return True
    finally:
        temp.unlink(missing_ok=True)


def write_public_file(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (mode 0644 less the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PUBLIC_MODE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_folder(path.parent)


def check_private_mode(path: Path) -> None:
    """Refuse a private key file that group or others may access, as OpenSSH does.

    Raises PermissionError naming the file and its mode.
    """
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PermissionError(
            f"{path}: private key file is accessible by group or others "
            f"(mode {mode:04o}); run: chmod 600 {path}"
        )


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _fsync_folder(folder: Path) -> None:
    # Durability of the new name, not correctness: some filesystems refuse fsync on a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
