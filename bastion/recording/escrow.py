"""Sealed keystrokes: keys typed without echo, encrypted to an escrow key the bastion cannot open.

The admin makes the escrow key pair offline (`bastion escrow keygen`) and gives the bastion only
the public half (`[recordings] escrow_key`). Each interactive channel gets a `Sealer`:

- a fresh X25519 key pair whose private half lives only in the Sealer's memory, never on disk;
- one AES-256-GCM key, HKDF-SHA256 over the X25519 shared secret with the escrow key, the info
  naming the scheme and both public keys;
- the nonce of the n-th sealed event of the channel is n (96 bits, big-endian); a key serves one
  channel only, so a nonce is never used twice under a key;
- the associated data binds the session id, the channel number and n, so an event that is
  altered, reordered, dropped from the middle, or moved to another channel or session does not
  open.

The channel's public X25519 key, the escrow key's fingerprint, the session and the channel go in
the cast header (`Sealer.header()`); `Opener` takes that header and the escrow private key and
opens the sealed events in the order they appear. Sealing is encryption, not a signature: anyone
with the public key could seal something. That a recording is the bastion's own is shown by its
SHA-256 in the audit chain, which `bastion recording unseal SESSION` checks.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bastion.config.escrow_key import EscrowError, EscrowKey
from bastion.text import visible

__all__ = ["SCHEME", "EscrowError", "EscrowKey", "Opener", "Sealer", "generate",
           "load_private_key", "public_key_of", "shown_keys"]

SCHEME = "x25519-hkdf-sha256-aes256gcm-v1"
_INFO = b"bastion escrow " + SCHEME.encode()


def generate() -> tuple[bytes, EscrowKey]:
    """A new escrow key pair: the private half as unencrypted PKCS#8 PEM, and the public key."""
    private = X25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return pem, public_key_of(private)


def load_private_key(data: bytes, source: str) -> X25519PrivateKey:
    """The escrow private key in `data` (PEM, as `generate` writes it); `source` names it in errors."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise EscrowError(f"{source}: the key is encrypted; give it decrypted "
                          "(openssl pkey -in FILE | bastion recording unseal ... --key -)") from None
    except (ValueError, UnsupportedAlgorithm):
        raise EscrowError(f"{source}: not a PEM private key") from None
    if not isinstance(key, X25519PrivateKey):
        raise EscrowError(f"{source}: not an X25519 key, so not an escrow key")
    return key


def public_key_of(private: X25519PrivateKey) -> EscrowKey:
    """The escrow public key that belongs to `private`."""
    return EscrowKey(private.public_key().public_bytes_raw())


class Sealer:
    """Seals the unechoed keys of one channel. Not thread-safe; one per channel, never reused."""

    def __init__(self, escrow: EscrowKey, session: str, channel: int) -> None:
        ephemeral = X25519PrivateKey.generate()
        self._public = ephemeral.public_key().public_bytes_raw()
        self._aead = AESGCM(_derive(ephemeral.exchange(X25519PublicKey.from_public_bytes(escrow.raw)),
                                    self._public, escrow.raw))
        self._escrow = escrow
        self._session = session
        self._channel = channel
        self._index = 0

    def header(self) -> dict[str, Any]:
        """What the cast header holds under "escrow": all `Opener` needs besides the private key."""
        return {"scheme": SCHEME, "key": self._escrow.fingerprint,
                "ephemeral": base64.b64encode(self._public).decode("ascii"),
                "session": self._session, "channel": self._channel}

    def seal(self, keys: bytes | str) -> str:
        """The next sealed event's data: base64 of AES-GCM(the bytes typed) with its tag. A str
        is encoded as UTF-8, lone surrogates as the bytes they stand for (surrogateescape, as
        `Redacted.keys` holds bytes that were not UTF-8)."""
        index = self._index
        self._index += 1
        plain = keys if isinstance(keys, bytes) else keys.encode("utf-8", "surrogateescape")
        sealed = self._aead.encrypt(_nonce(index), plain,
                                    _associated(self._session, self._channel, index))
        return base64.b64encode(sealed).decode("ascii")


class Opener:
    """Opens the sealed events of one channel, in the order they were sealed."""

    def __init__(self, private: X25519PrivateKey, header: Mapping[str, Any]) -> None:
        """`header` is the cast header's "escrow" value. Raises EscrowError when it is malformed
        or names another escrow key than `private`'s (the message names both fingerprints)."""
        if not isinstance(header, Mapping) or header.get("scheme") != SCHEME:
            scheme = header.get("scheme") if isinstance(header, Mapping) else None
            raise EscrowError(f"sealed with a scheme this bastion does not know: {scheme!r}")
        session, channel = header.get("session"), header.get("channel")
        if (not isinstance(session, str) or isinstance(channel, bool)
                or not isinstance(channel, int)):
            raise EscrowError("the escrow header names no session and channel")
        ours = public_key_of(private)
        if header.get("key") != ours.fingerprint:
            raise EscrowError(f"sealed to escrow key {visible(str(header.get('key')))}, "
                              f"not to the key given ({ours.fingerprint})")
        try:
            ephemeral = base64.b64decode(str(header.get("ephemeral")), validate=True)
            shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        except (binascii.Error, ValueError):
            raise EscrowError("the escrow header's ephemeral key is not an X25519 key") from None
        self._aead = AESGCM(_derive(shared, ephemeral, ours.raw))
        self.session: str = session
        self.channel: int = channel
        self._index = 0

    @property
    def opened(self) -> int:
        """How many events `open` has opened."""
        return self._index

    def open(self, data: str) -> str:
        """The keys sealed in the next event, one character a keystroke: a byte typed that is
        not UTF-8 is a lone surrogate (surrogateescape: `.encode("utf-8", "surrogateescape")`
        gives the bytes back; `shown_keys` spells it `\\xe4`). Raises EscrowError when it does
        not open: altered, out of order, from another channel or session, or sealed to another
        key."""
        index = self._index
        try:
            sealed = base64.b64decode(data, validate=True)
            plain = self._aead.decrypt(_nonce(index), sealed,
                                       _associated(self.session, self.channel, index))
        except (binascii.Error, ValueError, InvalidTag):
            raise EscrowError(f"sealed event {index + 1} does not open: it was altered, reordered, "
                              "or moved from another channel or session") from None
        self._index += 1
        return plain.decode("utf-8", "surrogateescape")


_ESCAPED_BYTE = re.compile(r"\\udc([89a-f][0-9a-f])")


def shown_keys(keys: str) -> str:
    """Opened keys made safe to show (`visible`), a byte that was not UTF-8 spelled `\\xe4`."""
    return _ESCAPED_BYTE.sub(r"\\x\1", visible(keys))


def _derive(shared: bytes, ephemeral: bytes, escrow: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO + ephemeral + escrow).derive(shared)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _associated(session: str, channel: int, index: int) -> bytes:
    # JSON, not concatenation: ("s1", 12) and ("s11", 2) must not read the same.
    return json.dumps([SCHEME, session, channel, index], separators=(",", ":")).encode()
