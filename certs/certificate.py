"""Reading, checking and saving OpenSSH certificates.

asyncssh keeps a certificate's serial, key id, validity and type in private attributes.
`cert_info` is the one place in the product that reads them; everything else uses its
`CertInfo`.

Signatures: asyncssh checks a certificate's signature against the CA key embedded in it
whenever it decodes one (`import_certificate`, `read_certificate`, and the certificate a
client presents during authentication) and refuses a bad one with KeyImportError. So a
certificate object that exists was signed by `cert.signing_key`; whether that key is a CA
we trust is a separate question, answered by `verify_signed_by`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import asyncssh
from asyncssh.public_key import SSHOpenSSHCertificate

from certs.authority import CaKey, public_key_of
from certs.files import write_public_file

CRITICAL_OPTIONS = frozenset({"force-command", "source-address"})

# PROTOCOL.certkeys: SSH2_CERT_TYPE_USER = 1, SSH2_CERT_TYPE_HOST = 2.
_CERT_TYPES: dict[int, Literal["user", "host"]] = {1: "user", 2: "host"}


@dataclass(frozen=True)
class CertInfo:
    """What an OpenSSH certificate says, as plain values.

    `options` holds the critical options present: `source-address` as a tuple of CIDR
    strings ("203.0.113.5/32"), `force-command` as a string. `extensions` holds the names
    of the extensions present (e.g. "permit-pty"); asyncssh drops extensions it does not
    know when decoding, and refuses certificates with critical options it does not know.
    `signing_ca` is the CA's OpenSSH public key line without comment; `key_fingerprint`
    is the `SHA256:...` fingerprint of the certified key.
    """

    serial: int
    key_id: str
    cert_type: Literal["user", "host"]
    principals: tuple[str, ...]
    valid_after: int
    valid_before: int
    signing_ca: str
    signing_ca_fingerprint: str
    key_fingerprint: str
    options: Mapping[str, object]
    extensions: frozenset[str]

    def valid_at(self, now: float) -> bool:
        """True when `valid_after <= now < valid_before`, as OpenSSH and asyncssh judge it."""
        return self.valid_after <= now < self.valid_before


def cert_info(cert: asyncssh.SSHCertificate) -> CertInfo:
    """The fields of an OpenSSH certificate (not X.509; those raise ValueError)."""
    if not isinstance(cert, SSHOpenSSHCertificate):
        raise ValueError(f"not an OpenSSH certificate: {type(cert).__name__}")
    options: dict[str, object] = {}
    extensions: set[str] = set()
    for name, value in cert.options.items():
        if name == "source-address":
            options[name] = tuple(str(network) for network in value)
        elif name in CRITICAL_OPTIONS:
            options[name] = value
        else:
            extensions.add(name)
    signing_key = cert.signing_key
    return CertInfo(
        serial=cert._serial,
        key_id=cert._key_id,
        cert_type=_CERT_TYPES[cert._cert_type],
        principals=tuple(cert.principals),
        valid_after=cert._valid_after,
        valid_before=cert._valid_before,
        signing_ca=_line_without_comment(signing_key),
        signing_ca_fingerprint=signing_key.get_fingerprint("sha256"),
        key_fingerprint=cert.key.get_fingerprint("sha256"),
        options=options,
        extensions=frozenset(extensions),
    )


def load_certificate(source: str | bytes | os.PathLike[str]) -> asyncssh.SSHCertificate:
    """An OpenSSH certificate from its text (str or bytes) or from a file (a path object).

    A `str` is always taken as certificate text, never as a file name: pass a `Path` to
    read a file. Raises ValueError when the data is not one OpenSSH certificate or its
    signature does not verify against the CA key it names.
    """
    data = Path(source).read_bytes() if isinstance(source, os.PathLike) else source
    try:
        cert = asyncssh.import_certificate(data)
    except asyncssh.KeyImportError as exc:
        raise ValueError(f"not a valid OpenSSH certificate: {exc}") from exc
    if not isinstance(cert, SSHOpenSSHCertificate):
        raise ValueError("not an OpenSSH certificate (X.509 certificates are not accepted)")
    return cert


def verify_signed_by(cert: asyncssh.SSHCertificate, ca: CaKey) -> bool:
    """True when `cert` carries a valid signature by `ca`.

    Checks the signature afresh (it does not rely on how the object was made) and that
    the signing key is `ca`'s. Says nothing about validity times, principals or
    revocation.
    """
    if not isinstance(cert, SSHOpenSSHCertificate):
        return False
    try:
        reread = asyncssh.import_certificate(cert.export_certificate("openssh"))
    except asyncssh.KeyImportError:
        return False
    return reread.signing_key.public_data == public_key_of(ca).public_data


def certificate_line(cert: asyncssh.SSHCertificate) -> str:
    """The certificate as one OpenSSH line (`ssh-ed25519-cert-v01@openssh.com AAAA...`),
    without a trailing newline: what `cert ID` prints and what `-cert.pub` files hold."""
    return cert.export_certificate("openssh").decode("ascii").strip()


def certificate_path(key_path: Path) -> Path:
    """`<key_path>-cert.pub`, where ssh and sshd look for a key's certificate."""
    return key_path.with_name(key_path.name + "-cert.pub")


def write_certificate(cert: asyncssh.SSHCertificate, key_path: Path) -> Path:
    """Save `cert` beside its key as `<key_path>-cert.pub` (atomically replacing any old
    one) and return that path."""
    path = certificate_path(key_path)
    write_public_file(path, (certificate_line(cert) + "\n").encode("ascii"))
    return path


def _line_without_comment(key: asyncssh.SSHKey) -> str:
    algorithm, blob = key.export_public_key("openssh").decode("ascii").split()[:2]
    return f"{algorithm} {blob}"
