"""The certificate key id: who, why and for what, readable in every sshd log line.

A key id looks like `bastion operator=alice ticket=INC-42 grant=g3 session=s9`: the word
`bastion`, then `name=value` fields separated by single spaces, the known fields first in
a fixed order and any others after them sorted by name. sshd logs it verbatim for every
login ("... ID bastion operator=alice ..."), so a target's own logs name the person and
the ticket behind each connection.
"""

from __future__ import annotations

import re

KEY_ID_PREFIX = "bastion"
FIELD_ORDER = ("operator", "ticket", "grant", "session")

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def format_key_id(**fields: str | int | None) -> str:
    """The key id for the given fields; fields whose value is None are left out.

    Values are written with `str()`; `parse_key_id` gives them back as strings. The
    same fields always give the same string.

    Raises ValueError for a field name that is not lower-case `[a-z][a-z0-9_]*`, or a
    value that is empty or holds whitespace, `=` or a non-printable character.
    """
    present = {name: value for name, value in fields.items() if value is not None}
    known = [name for name in FIELD_ORDER if name in present]
    others = sorted(name for name in present if name not in FIELD_ORDER)
    parts = [KEY_ID_PREFIX]
    for name in known + others:
        if not _NAME.fullmatch(name):
            raise ValueError(f"invalid key id field name {name!r}")
        value = str(present[name])
        if not _is_good_value(value):
            raise ValueError(
                f"key id field {name}={value!r}: values must be non-empty, printable, "
                "without spaces or '='"
            )
        parts.append(f"{name}={value}")
    return " ".join(parts)


def parse_key_id(key_id: str) -> dict[str, str]:
    """The fields of a key id made by `format_key_id`.

    Raises ValueError for any other string: another prefix, a field without `=`, an
    empty value, a bad name, or a field given twice.
    """
    words = key_id.split(" ")
    if words[0] != KEY_ID_PREFIX:
        raise ValueError(f"not a bastion key id: {key_id!r}")
    fields: dict[str, str] = {}
    for word in words[1:]:
        name, sep, value = word.partition("=")
        if not sep or not _NAME.fullmatch(name) or not _is_good_value(value):
            raise ValueError(f"malformed key id field {word!r} in {key_id!r}")
        if name in fields:
            raise ValueError(f"key id field {name!r} given twice in {key_id!r}")
        fields[name] = value
    return fields


def _is_good_value(value: str) -> bool:
    return (
        bool(value)
        and "=" not in value
        and value.isprintable()
        and not any(ch.isspace() for ch in value)
    )
