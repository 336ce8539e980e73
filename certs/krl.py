"""OpenSSH Key Revocation Lists (the format of OpenSSH's PROTOCOL.krl).

A KRL revokes certificates by (CA, serial). Targets load it with sshd's `RevokedKeys`;
`ssh-keygen -Q -f FILE CERT` checks a certificate against it. The KRL written here has
the header, then one certificates section per CA that has revoked serials: runs of three
or more consecutive serials as ranges, the rest as one serial list. It carries no
signature section (OpenSSH 9.4 and later refuse KRLs that have one); it is distributed by
trusted means.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from certs.authority import CaKey, public_key_of
from certs.files import write_public_file

KRL_MAGIC = b"SSHKRL\n\0"
KRL_FORMAT_VERSION = 1
KRL_SECTION_CERTIFICATES = 1
KRL_SECTION_CERT_SERIAL_LIST = 0x20
KRL_SECTION_CERT_SERIAL_RANGE = 0x21

_MAX_UINT64 = 2**64 - 1
# A range subsection costs 21 bytes, a serial in the list 8: ranges pay from 3 serials on.
_MIN_RANGE = 3


def encode_krl(
    revoked: Mapping[CaKey, Iterable[int]],
    *,
    version: int,
    comment: str = "",
    generated_date: int | None = None,
) -> bytes:
    """The KRL revoking, for each CA in `revoked`, the certificate serials it maps to.

    `version` should grow each time the list changes (sshd does not require it, people
    comparing two files do). `generated_date` defaults to now. CAs may be given in any
    `CaKey` form; two entries naming the same CA are merged; a CA with no serials adds
    nothing, so an empty mapping gives a valid KRL that revokes nothing. The same input
    gives the same bytes.

    Raises ValueError for a serial outside 1..2**64-1 (OpenSSH treats serial 0 as "none"
    and refuses to load a KRL that lists it) or a version outside 0..2**64-1.
    """
    if not 0 <= version <= _MAX_UINT64:
        raise ValueError(f"KRL version must be within 0..2**64-1, got {version}")
    if generated_date is None:
        generated_date = int(time.time())

    serials_by_ca: dict[bytes, set[int]] = {}
    for ca, serials in revoked.items():
        wanted = serials_by_ca.setdefault(public_key_of(ca).public_data, set())
        for serial in serials:
            if isinstance(serial, bool) or not isinstance(serial, int):
                raise TypeError(f"revoked serial must be an int, got {serial!r}")
            if not 1 <= serial <= _MAX_UINT64:
                raise ValueError(f"revoked serial must be within 1..2**64-1, got {serial}")
            wanted.add(serial)

    parts = [
        KRL_MAGIC,
        struct.pack(">IQQQ", KRL_FORMAT_VERSION, version, generated_date, 0),
        _string(b""),
        _string(comment.encode("utf-8")),
    ]
    for ca_blob in sorted(serials_by_ca):
        serials = serials_by_ca[ca_blob]
        if serials:
            parts.append(bytes([KRL_SECTION_CERTIFICATES]))
            parts.append(_string(_certificates_section(ca_blob, sorted(serials))))
    return b"".join(parts)


def write_krl(
    path: Path,
    revoked: Mapping[CaKey, Iterable[int]],
    *,
    version: int,
    comment: str = "",
) -> None:
    """Write `encode_krl(revoked, version=..., comment=...)` to `path`, atomically.

    sshd re-reads its `RevokedKeys` file on each authentication and refuses every
    certificate when that file is unreadable, so the file is replaced in one step and
    is never seen half-written.
    """
    write_public_file(path, encode_krl(revoked, version=version, comment=comment))


def _certificates_section(ca_blob: bytes, serials: list[int]) -> bytes:
    parts = [_string(ca_blob), _string(b"")]
    singles: list[int] = []
    for first, last in _runs(serials):
        if last - first + 1 >= _MIN_RANGE:
            parts.append(bytes([KRL_SECTION_CERT_SERIAL_RANGE]))
            parts.append(_string(struct.pack(">QQ", first, last)))
        else:
            singles.extend(range(first, last + 1))
    if singles:
        parts.append(bytes([KRL_SECTION_CERT_SERIAL_LIST]))
        parts.append(_string(b"".join(struct.pack(">Q", serial) for serial in singles)))
    return b"".join(parts)


def _runs(sorted_serials: list[int]) -> Iterable[tuple[int, int]]:
    first = last = sorted_serials[0]
    for serial in sorted_serials[1:]:
        if serial == last + 1:
            last = serial
        else:
            yield first, last
            first = last = serial
    yield first, last


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data
