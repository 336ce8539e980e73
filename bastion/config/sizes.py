"""Byte counts written for people: the one formatter (config's `parse_size` reads sizes)."""

from __future__ import annotations


def format_size(count: int, *, binary: bool = False) -> str:
    """`count` bytes for a message. Decimal (the units `parse_size` reads) to one place,
    "1.5 KB", for amounts measured; `binary=True` in whole KiB or MiB (rounded down), "64 KiB",
    for limits that are powers of two. Below one unit: "200 bytes"."""
    if binary:
        units: tuple[tuple[str, int], ...] = (("MiB", 1 << 20), ("KiB", 1 << 10))
    else:
        units = (("GB", 10**9), ("MB", 10**6), ("KB", 10**3))
    for unit, scale in units:
        if count >= scale:
            return f"{count // scale} {unit}" if binary else f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
