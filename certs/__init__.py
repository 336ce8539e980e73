"""Certificate authorities, certificate minting and reading, and KRL export.

Pure and synchronous; depends on asyncssh and cryptography only, never on `bastion`.
"""

# First, before any module below imports asyncssh: its import-time warnings are filtered there.
from certs import deprecations  # noqa: F401
from certs.authority import (
    DEFAULT_BACKDATE_SECONDS,
    CaKey,
    CertificateAuthority,
    generate_ephemeral_key,
    load_or_create_ca,
    load_or_create_host_key,
    mint_host_certificate,
    mint_user_certificate,
    plain_network,
    public_key_of,
    validity_window,
)
from certs.certificate import (
    CertInfo,
    cert_info,
    certificate_line,
    certificate_path,
    load_certificate,
    verify_signed_by,
    write_certificate,
)
from certs.keyid import format_key_id, parse_key_id
from certs.krl import encode_krl, write_krl

__all__ = [
    "DEFAULT_BACKDATE_SECONDS",
    "CaKey",
    "CertInfo",
    "CertificateAuthority",
    "cert_info",
    "certificate_line",
    "certificate_path",
    "encode_krl",
    "format_key_id",
    "generate_ephemeral_key",
    "load_certificate",
    "load_or_create_ca",
    "load_or_create_host_key",
    "mint_host_certificate",
    "mint_user_certificate",
    "parse_key_id",
    "plain_network",
    "public_key_of",
    "validity_window",
    "verify_signed_by",
    "write_certificate",
    "write_krl",
]
