"""The escrow public key of `[recordings] escrow_key` (bastion.recording.escrow seals keys typed
without echo to it): a setting's value type, parsed and checked when the config loads."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from bastion.errors import BastionError

PUBLIC_PREFIX = "x25519:"


class EscrowError(BastionError):
    """An escrow key or a sealed event is unusable; the message is one line for the operator."""


@dataclass(frozen=True)
class EscrowKey:
    """An escrow public key: what `[recordings] escrow_key` holds, as `x25519:BASE64`."""

    raw: bytes

    @classmethod
    def parse(cls, text: str) -> EscrowKey:
        """The key in `text` (`x25519:` and the base64 of 32 bytes, surrounding blanks ignored).

        Refuses (EscrowError) anything else, and the few points no shared secret can come from.
        """
        text = text.strip()
        if not text.startswith(PUBLIC_PREFIX):
            raise EscrowError(f"an escrow key starts with {PUBLIC_PREFIX!r} "
                              "(`bastion escrow keygen` prints one)")
        try:
            raw = base64.b64decode(text[len(PUBLIC_PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            raise EscrowError("an escrow key is x25519: and base64; this is not base64") from None
        if len(raw) != 32:
            raise EscrowError(f"an escrow key holds 32 bytes, not {len(raw)}")
        try:
            # Low-order points give an all-zero secret, which cryptography refuses: refuse the key
            # at load time, not at the first redaction of a live session.
            X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(raw))
        except ValueError:
            raise EscrowError("this escrow key is not a usable X25519 public key") from None
        return cls(raw)

    @property
    def text(self) -> str:
        return PUBLIC_PREFIX + base64.b64encode(self.raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        """`SHA256:` and the unpadded base64 of the key's SHA-256, as OpenSSH writes them."""
        digest = base64.b64encode(hashlib.sha256(self.raw).digest()).decode("ascii")
        return "SHA256:" + digest.rstrip("=")
