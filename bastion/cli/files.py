"""Reading files a command line names, bounded: a key file, a log file (attacks k20o, m22o).
A directory, a FIFO or a device that never ends (/dev/zero) is a one-line error, never a wait
or a read until memory runs out."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from typing import TextIO

from bastion.errors import BastionError

MAX_KEY_FILE = 64 * 1024  # a key file is a few KB


def read_small(source: str) -> bytes:
    """A key file (or `-`, standard input), read to at most MAX_KEY_FILE: a directory, a FIFO,
    a device that never ends (/dev/zero) or anything larger is a one-line error, never a wait
    or a read until memory runs out (attack k20o F1)."""
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_KEY_FILE + 1)
        else:
            fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as f:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise BastionError(f"{source}: cannot read key: not a regular file")
                data = f.read(MAX_KEY_FILE + 1)
    except OSError as exc:
        raise BastionError(f"{source}: cannot read key: {exc.strerror or exc}") from None
    if len(data) > MAX_KEY_FILE:
        raise BastionError(f"{source}: cannot read key: larger than {MAX_KEY_FILE // 1024} KB")
    return data


MAX_LOG_LINE = 64 * 1024  # a syslog line is a few KB at most


def bounded_lines(lines: TextIO) -> Iterator[str]:
    """The lines of a log file, each read to at most MAX_LOG_LINE characters: a longer line is
    left out whole (no head line is that long), never held in memory."""
    while piece := lines.readline(MAX_LOG_LINE):
        if piece.endswith("\n") or len(piece) < MAX_LOG_LINE:
            yield piece
            continue
        while (rest := lines.readline(MAX_LOG_LINE)) and not rest.endswith("\n"):
            pass
