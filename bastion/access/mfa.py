"""TOTP second factor (RFC 6238: 30 s steps, 6 digits, SHA-1, so any authenticator app works).

Secrets are encrypted at rest with AES-GCM under HOME/secret.key (mode 0600), bound to the user name.
A code is accepted for the current step or one step either side, and only for a step later than the
last one accepted for that user: the step is claimed by one conditional UPDATE, so two connections
racing with the same code cannot both win. Five failures in fifteen minutes lock the user until
`bastion user unlock`. Every success, failure, replay and lockout is an audit event.
"""

from __future__ import annotations

import hmac
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

import pyotp
import segno
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bastion import audit
from bastion.errors import BastionError
from bastion.store import Backend, now
from bastion.text import digits
from certs.files import create_private_file

STEP = 30
DIGITS = 6
DRIFT_STEPS = 1
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60
ISSUER = "bastion"


class SecretKeyError(BastionError):
    """The key that encrypts TOTP secrets is missing or unusable."""


def load_or_create_secret_key(path: Path) -> bytes:
    """The 256-bit key under the home folder, created 0600 on first use; when two processes
    create it at once, both use the one that landed first."""
    if not path.exists():
        create_private_file(path, AESGCM.generate_key(bit_length=256))
    data = path.read_bytes()
    if len(data) != 32:
        raise SecretKeyError(f"{path}: not a 32-byte key")
    return data


class SecretBox:
    """Encrypts TOTP secrets; the user name is the associated data so rows cannot be swapped."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, user: str, secret: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, secret.encode(), user.encode())

    def open(self, user: str, blob: bytes) -> str:
        try:
            return self._aead.decrypt(blob[:12], blob[12:], user.encode()).decode()
        except Exception:  # InvalidTag and malformed blobs alike: never use a secret we can't trust
            raise SecretKeyError(f"TOTP secret for {user!r} cannot be decrypted") from None


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str

    def qr_text(self) -> str:
        """A QR code of the provisioning URI drawn with terminal block characters."""
        out = io.StringIO()
        segno.make(self.uri, error="m").terminal(out=out, compact=True, border=2)
        return out.getvalue()


def enrol(store: Backend, box: SecretBox, user: str, hostname: str) -> Enrolment:
    """Create (or replace) the user's TOTP secret; returns the secret and otpauth:// URI to show once."""
    secret = pyotp.random_base32(length=32)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(
        name=f"{user}@{hostname}", issuer_name=ISSUER
    )
    with store.transaction():
        store.execute(
            "INSERT INTO mfa(user, secret, last_step, enrolled) VALUES (?, ?, -1, ?) "
            "ON CONFLICT(user) DO UPDATE SET secret = excluded.secret, last_step = -1, "
            "enrolled = excluded.enrolled",
            (user, box.seal(user, secret), now()),
        )
        store.execute("DELETE FROM mfa_failures WHERE user = ?", (user,))
    return Enrolment(secret=secret, uri=uri)


def is_enrolled(store: Backend, user: str) -> bool:
    """True when the user has a TOTP secret."""
    return store.one("SELECT 1 FROM mfa WHERE user = ?", (user,)) is not None


@dataclass(frozen=True)
class TotpResult:
    ok: bool
    reason: str = ""


def verify(store: Backend, box: SecretBox, user: str, code: str, *, actor_addr: str = "",
           at: float | None = None) -> TotpResult:
    """Check a code for a user; records the audit event and the failure count. Never raises for bad codes."""
    t = now() if at is None else at
    row = store.one(
        "SELECT m.secret, m.last_step, u.locked FROM mfa m JOIN users u ON u.name = m.user "
        "WHERE m.user = ? AND u.removed = 0", (user,)
    )
    if row is None:
        audit.record(store, "mfa.failure", user, reason="not enrolled", client=actor_addr)
        return TotpResult(False, "TOTP is not enrolled for this user")
    if row["locked"]:
        audit.record(store, "mfa.failure", user, reason="user locked", client=actor_addr)
        return TotpResult(False, "user is locked")
    code = code.strip().replace(" ", "")
    step = _matching_step(box.open(user, row["secret"]), code, t)
    if step is None:
        return _failure(store, user, "wrong code", actor_addr, t)
    claimed = store.execute(
        "UPDATE mfa SET last_step = ? WHERE user = ? AND last_step < ?", (step, user, step)
    ).rowcount
    if claimed != 1:
        audit.record(store, "mfa.replay", user, step=step, client=actor_addr)
        return _failure(store, user, "code already used", actor_addr, t, audit_it=False)
    audit.record(store, "mfa.success", user, step=step, client=actor_addr)
    return TotpResult(True)


def _matching_step(secret: str, code: str, t: float) -> int | None:
    if len(code) != DIGITS or not digits(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP)
    current = int(t // STEP)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compare every candidate so timing does not reveal which step matched.
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _failure(store: Backend, user: str, reason: str, addr: str, t: float,
             *, audit_it: bool = True) -> TotpResult:
    with store.transaction():
        store.execute("INSERT INTO mfa_failures(user, at) VALUES (?, ?)", (user, t))
        store.execute("DELETE FROM mfa_failures WHERE user = ? AND at < ?", (user, t - FAILURE_WINDOW))
        recent = store.one(
            "SELECT count(*) AS n FROM mfa_failures WHERE user = ? AND at >= ?",
            (user, t - FAILURE_WINDOW),
        )["n"]
        if audit_it:
            audit.record(store, "mfa.failure", user, reason=reason, failures=recent, client=addr)
        if recent >= MAX_FAILURES:
            locked = store.execute(
                "UPDATE users SET locked = 1, lock_reason = ? WHERE name = ? AND locked = 0",
                ("too many TOTP failures", user),
            ).rowcount
            if locked:
                audit.record(store, "mfa.lockout", user, failures=recent, client=addr)
            return TotpResult(False, "too many failed codes: user locked, ask an admin to unlock")
    return TotpResult(False, reason)


def current_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows now (for the demo and tests)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).at(now() if at is None else at)
