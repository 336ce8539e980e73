"""Certificate authorities, the bastion's host key, and minting OpenSSH certificates.

Every certificate field is written out here. asyncssh's `generate_user_certificate`
defaults to any principal, no expiry, serial 0 and every permission on; nothing minted
through this module relies on one of those defaults.

Minting is a signature and some byte packing, with the CA key already in memory: callers
load each CA once (`load_or_create_ca`) and mint with it for the life of the process.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from certs.files import check_private_mode, create_private_file, write_public_file

KEY_ALGORITHM = "ssh-ed25519"
DEFAULT_BACKDATE_SECONDS = 60

_MAX_UINT64 = 2**64 - 1


@dataclass(frozen=True)
class CertificateAuthority:
    """One CA, loaded once and kept in memory.

    `key` is the private key (it signs); `public_key` the same key without its private
    half; `public_line` the OpenSSH public key line, comment included, as written to the
    `.pub` file (what targets put in `TrustedUserCAKeys` and clients after
    `@cert-authority`); `fingerprint` is `SHA256:...` as `ssh-keygen -l` prints it.
    Two authorities are equal when their public keys are.
    """

    key: asyncssh.SSHKey = field(repr=False, compare=False)
    public_key: asyncssh.SSHKey = field(repr=False, compare=False)
    public_line: str = field(compare=False)
    fingerprint: str


CaKey = CertificateAuthority | asyncssh.SSHKey | str
"""A CA named by its authority, its key (public or private), or its OpenSSH public line."""


def public_key_of(ca: CaKey) -> asyncssh.SSHKey:
    """The public key of a CA given in any of the `CaKey` forms.

    Raises ValueError when a string is not an OpenSSH public key line.
    """
    if isinstance(ca, CertificateAuthority):
        return ca.public_key
    if isinstance(ca, asyncssh.SSHKey):
        return ca.convert_to_public()
    if isinstance(ca, str):
        return asyncssh.import_public_key(ca)
    raise TypeError(f"not a CA key: {type(ca).__name__}")


def load_or_create_ca(path: Path, comment: str) -> CertificateAuthority:
    """Load the Ed25519 CA whose OpenSSH private key is at `path`, creating it if absent.

    A new key file is mode 0600 from its creation; the folder is created mode 0700 if
    missing. The public key is (re)written to `<path>.pub` whenever that file is missing or
    does not match the private key, which is the one source of truth. `comment` is used
    only when the key is created. Calling this again returns the same key.

    Raises PermissionError for an existing key file accessible by group or others, and
    ValueError for one that is not an unencrypted Ed25519 OpenSSH key.
    """
    key = _load_or_create_key(path, comment)
    public_line = key.export_public_key("openssh").decode("ascii").strip()
    public_path = path.with_name(path.name + ".pub")
    wanted = (public_line + "\n").encode("ascii")
    if not public_path.exists() or public_path.read_bytes() != wanted:
        write_public_file(public_path, wanted)
    return CertificateAuthority(
        key=key,
        public_key=key.convert_to_public(),
        public_line=public_line,
        fingerprint=key.get_fingerprint("sha256"),
    )


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """Load the bastion's Ed25519 host key at `path`, creating it (mode 0600) if absent.

    Same guarantees and errors as `load_or_create_ca`; no `.pub` file is written (clients
    trust the host CA, not this key).
    """
    return _load_or_create_key(path, "bastion host key")


def generate_ephemeral_key() -> asyncssh.SSHKey:
    """A fresh Ed25519 private key that lives in memory only (one per upstream connection)."""
    return asyncssh.generate_private_key(KEY_ALGORITHM)


def validity_window(
    now: float, ttl_seconds: float, backdate: int = DEFAULT_BACKDATE_SECONDS
) -> tuple[int, int]:
    """`(valid_after, valid_before)` for a certificate minted at `now` to live `ttl_seconds`.

    `valid_after` is `backdate` seconds before `now` so that a host whose clock is a little
    behind still accepts the certificate; `valid_before` is never later than `now +
    ttl_seconds` (rounded down), so a caller that caps the TTL at a grant's end is never
    given a certificate that outlives the grant.

    Raises ValueError for a TTL that is not positive, a negative backdate, or a window
    that would be empty once rounded to whole seconds.
    """
    if not ttl_seconds > 0:
        raise ValueError(f"certificate TTL must be positive, got {ttl_seconds}")
    if backdate < 0:
        raise ValueError(f"backdate must not be negative, got {backdate}")
    valid_after = max(0, math.floor(now) - backdate)
    valid_before = math.floor(now + ttl_seconds)
    if valid_before <= valid_after:
        raise ValueError(f"certificate TTL {ttl_seconds}s is too short to be expressed in seconds")
    return valid_after, valid_before


def mint_user_certificate(
    ca: CertificateAuthority,
    subject_public_key: asyncssh.SSHKey,
    *,
    serial: int,
    key_id: str,
    principals: Sequence[str],
    valid_after: int,
    valid_before: int,
    permit_pty: bool = True,
    permit_port_forwarding: bool = False,
    permit_agent_forwarding: bool = False,
    permit_x11_forwarding: bool = False,
    permit_user_rc: bool = False,
    source_address: Sequence[str] | None = None,
    force_command: str | None = None,
) -> asyncssh.SSHCertificate:
    """Sign an OpenSSH user certificate for `subject_public_key` with `ca`.

    The certificate holds exactly: `serial`, `key_id`, `principals`, the window
    `valid_after <= t < valid_before` (Unix seconds), the extensions whose `permit_*` flag
    is True and no others, and the critical options `source-address` (addresses or CIDR
    networks, e.g. "203.0.113.5" or "10.0.0.0/8") and `force-command` only when given.

    Raises ValueError, naming the field, for a serial outside 1..2**64-1, an empty or
    non-printable key id, no principals (or a principal that is empty or holds whitespace,
    a comma or a control character), `valid_before <= valid_after`, an empty
    `source_address` list (it would mean "from anywhere"), an address that does not parse,
    or an empty `force_command`.
    """
    _check_common(subject_public_key, serial, key_id, principals, valid_after, valid_before)
    networks = _source_networks(source_address)
    if force_command is not None and not force_command:
        raise ValueError("force_command must not be empty (use None for no forced command)")
    return ca.key.generate_user_certificate(
        subject_public_key,
        key_id,
        version=1,
        serial=serial,
        principals=list(principals),
        valid_after=valid_after,
        valid_before=valid_before,
        force_command=force_command,
        source_address=networks,
        permit_x11_forwarding=bool(permit_x11_forwarding),
        permit_agent_forwarding=bool(permit_agent_forwarding),
        permit_port_forwarding=bool(permit_port_forwarding),
        permit_pty=bool(permit_pty),
        permit_user_rc=bool(permit_user_rc),
        # True means "do not add the no-touch-required extension"; Ed25519 keys have no
        # touch to require, and the extension must never appear unasked.
        touch_required=True,
        sig_alg=KEY_ALGORITHM,
        comment=None,
    )


def mint_host_certificate(
    ca: CertificateAuthority,
    host_public_key: asyncssh.SSHKey,
    *,
    serial: int,
    key_id: str,
    principals: Sequence[str],
    valid_after: int,
    valid_before: int,
) -> asyncssh.SSHCertificate:
    """Sign an OpenSSH host certificate for `host_public_key` with `ca`.

    `principals` are the host names clients may reach it by. Same checks and errors as
    `mint_user_certificate`.
    """
    _check_common(host_public_key, serial, key_id, principals, valid_after, valid_before)
    return ca.key.generate_host_certificate(
        host_public_key,
        key_id,
        version=1,
        serial=serial,
        principals=list(principals),
        valid_after=valid_after,
        valid_before=valid_before,
        sig_alg=KEY_ALGORITHM,
        comment=None,
    )


def _load_or_create_key(path: Path, comment: str) -> asyncssh.SSHKey:
    if not path.exists():
        new_key = asyncssh.generate_private_key(KEY_ALGORITHM, comment=comment)
        if create_private_file(path, new_key.export_private_key("openssh")):
            return new_key
        # Another process created it first: fall through and use theirs.
    check_private_mode(path)
    try:
        key = asyncssh.read_private_key(path)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise ValueError(f"{path}: cannot load private key: {exc}") from exc
    if key.get_algorithm() != KEY_ALGORITHM:
        raise ValueError(f"{path}: expected an {KEY_ALGORITHM} key, found {key.get_algorithm()}")
    return key


def _check_common(
    subject: asyncssh.SSHKey,
    serial: int,
    key_id: str,
    principals: Sequence[str],
    valid_after: int,
    valid_before: int,
) -> None:
    if not isinstance(subject, asyncssh.SSHKey):
        raise TypeError(f"the certified key must be an SSHKey, not {type(subject).__name__}")
    _check_uint64("serial", serial)
    if serial == 0:
        # Serial 0 is what OpenSSH treats as "no serial": it can never be revoked by a KRL.
        raise ValueError("serial must be positive (0 means unrevocable to OpenSSH)")
    if not isinstance(key_id, str) or not key_id or not key_id.isprintable():
        raise ValueError(f"key_id must be a non-empty printable string, got {key_id!r}")
    if isinstance(principals, str):
        raise ValueError(f"principals must be a sequence of names, not the string {principals!r}")
    if not principals:
        raise ValueError("principals must not be empty (an empty list means any principal)")
    for principal in principals:
        if (
            not isinstance(principal, str)
            or not principal
            or "," in principal
            or not principal.isprintable()
            or any(ch.isspace() for ch in principal)
        ):
            raise ValueError(f"invalid principal {principal!r}")
    _check_uint64("valid_after", valid_after)
    _check_uint64("valid_before", valid_before)
    if valid_before <= valid_after:
        raise ValueError(
            f"valid_before ({valid_before}) must be later than valid_after ({valid_after})"
        )


def _check_uint64(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 0 <= value <= _MAX_UINT64:
        raise ValueError(f"{name} must be within 0..2**64-1, got {value}")


def _source_networks(
    source_address: Sequence[str] | None,
) -> list[str] | None:
    if source_address is None:
        return None
    if isinstance(source_address, str):
        raise ValueError(
            f"source_address must be a sequence of addresses, not the string {source_address!r}"
        )
    if not source_address:
        raise ValueError("source_address must not be empty (use None for no restriction)")
    networks = []
    for address in source_address:
        try:
            networks.append(str(plain_network(address)))
        except ValueError as exc:
            raise ValueError(f"invalid source address {address!r}: {exc}") from None
    return networks


def plain_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A strict network (host bits clear), an IPv4-mapped one (::ffff:a.b.c.d/96+n) as the IPv4
    network it means (how a dual-stack listener spells IPv4 clients: the login check compares
    the IPv4 address, attack k20o F8). ValueError when it is not one."""
    network = ipaddress.ip_network(text)
    mapped = getattr(network.network_address, "ipv4_mapped", None)
    if mapped is not None and network.prefixlen >= 96:
        return ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    return network
