"""Two-step SSH authentication: a proven key or user certificate, then a TOTP code.

asyncssh cannot require "publickey, then keyboard-interactive" on its own: its server has no
notion of partial success. This module is the only place in the product that reaches into
asyncssh's private authentication machinery to add it. At import it replaces asyncssh's
server `publickey` handler with one that, for connections owned by a `TwoFactorServer`,
checks the key or certificate itself, verifies the signature, asks the server for a
`Decision` and answers accordingly; connections owned by any other `asyncssh.SSHServer` are
handed to asyncssh's own handler unchanged. It also wraps asyncssh's per-request dispatch
(`lookup_server_auth`), so that every authentication request, whatever its method, is
checked against the connection's user name before any handler sees it.

What a client can rely on, for a `TwoFactorServer`:
- A connection authenticates one user name: the one in its first authentication request.
  A request for any other name disconnects the client ("Change of username or service not
  allowed", as OpenSSH does), whatever the method and whatever came before; asyncssh itself
  disconnects on any service but ssh-connection. So the name a key or certificate was proven
  for, the name whose TOTP is checked and the name the connection runs as are one name.
- The first list of methods offered is `publickey` alone. Keyboard-interactive is offered
  only after a key or certificate has been proven by a verified signature and the server
  answered `Decision.NEED_TOTP`, so nobody can spray TOTP guesses before proving a key.
  Once the key step succeeded, `publickey` is no longer offered on that connection.
- An unsigned probe is answered "key acceptable" when the key could be accepted (a known
  key, or a certificate that passes every check), and with a plain failure otherwise, as
  OpenSSH answers: whoever holds a public key learns whether it could be accepted for that
  name (SECURITY.md says why). A probe never reaches `key_proven` and never yields partial
  success.
- Other refusals before a key is proven say only "permission denied": nothing tells the
  client which user names or targets exist. Refusals after proof carry the server's reason
  as an authentication banner line, `bastion: <reason>`.
- Password, host-based and GSS authentication are never offered and always refused.
- After `max_key_failures` failed key attempts, or `max_totp_failures` wrong codes, the
  connection is closed. A wrong code does not send the client back to the key step.

asyncssh 2.24 is required (the pin in pyproject.toml); importing this module with any other
version, or one missing the private pieces used here, raises ImportError.

It stays one module, past the size the other modules keep (about 600 lines): it is one
workaround of asyncssh's private API, and the replaced handler, the per-request name check and
the import-time check of the internals they use must be read, pinned and changed together.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

import asyncssh
from asyncssh import auth as _asyncssh_auth
from asyncssh import connection as _asyncssh_connection
from asyncssh import public_key as _asyncssh_public_key
from asyncssh.packet import Boolean, SSHPacket, String

from bastion.text import one_line

__all__ = ["TOTP_PROMPT", "Decision", "Outcome", "Proof", "TwoFactorServer", "auth_options"]

TOTP_PROMPT = "TOTP code: "
NAME_CHANGE_REASON = "Change of username or service not allowed"

_PINNED_ASYNCSSH = "2.24"
_BANNER_PREFIX = "bastion: "
_BANNER_MAX_REASON = 200
_GENERIC_POST_PROOF_FAILURE = "authentication is temporarily unavailable, try again later"

_log = logging.getLogger(__name__)


# The private pieces replaced or called below. Instance attributes cannot be checked here
# (ServerAuth._conn, _username and _method; SSHServerConnection._cert_options; a
# certificate's _serial and _key_id): tests/test_auth.py exercises every one of them.
_REQUIRED = (
    ("asyncssh.auth._server_auth_handlers[b'publickey']",
     lambda: _asyncssh_auth._server_auth_handlers[b"publickey"]),
    ("asyncssh.auth._ServerPublicKeyAuth._start",
     lambda: _asyncssh_auth._ServerPublicKeyAuth._start),
    ("asyncssh.auth.ServerAuth.send_packet", lambda: _asyncssh_auth.ServerAuth.send_packet),
    ("asyncssh.auth.ServerAuth.send_failure", lambda: _asyncssh_auth.ServerAuth.send_failure),
    ("asyncssh.auth.ServerAuth.send_success", lambda: _asyncssh_auth.ServerAuth.send_success),
    ("asyncssh.auth.MSG_USERAUTH_PK_OK", lambda: _asyncssh_auth.MSG_USERAUTH_PK_OK),
    ("asyncssh.public_key.decode_ssh_certificate",
     lambda: _asyncssh_public_key.decode_ssh_certificate),
    ("asyncssh.public_key.decode_ssh_public_key",
     lambda: _asyncssh_public_key.decode_ssh_public_key),
    ("asyncssh.public_key.SSHOpenSSHCertificate.validate",
     lambda: _asyncssh_public_key.SSHOpenSSHCertificate.validate),
    ("asyncssh.public_key.CERT_TYPE_USER", lambda: _asyncssh_public_key.CERT_TYPE_USER),
    ("asyncssh.SSHServerConnection.get_userauth_request_data",
     lambda: asyncssh.SSHServerConnection.get_userauth_request_data),
)


def _check_asyncssh() -> None:
    """Raise ImportError unless asyncssh is the version whose private handler we replace."""
    version = getattr(asyncssh, "__version__", "unknown")
    if version.split(".")[:2] != _PINNED_ASYNCSSH.split("."):
        raise ImportError(
            f"bastion.ssh.auth requires asyncssh {_PINNED_ASYNCSSH}.x, found {version}: it "
            "replaces asyncssh's private server publickey handler. Re-check asyncssh/auth.py "
            "and connection.py against bastion/ssh/auth.py before moving the pin."
        )
    missing = []
    for name, lookup in _REQUIRED:
        try:
            lookup()
        except (AttributeError, KeyError):
            missing.append(name)
    if missing:
        raise ImportError(
            f"bastion.ssh.auth cannot install its publickey handler on asyncssh {version}: "
            f"missing {', '.join(missing)}"
        )


_check_asyncssh()


class Outcome(Enum):
    """The three kinds of `Decision`."""

    ACCEPT = "accept"
    NEED_TOTP = "need_totp"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Decision:
    """What the server decided about one authentication step.

    `Decision.ACCEPT`: fully authenticated. `Decision.NEED_TOTP`: the key step succeeded
    (partial success) and the client must now answer the TOTP prompt. `Decision.REFUSE(reason)`:
    the step fails and, after the key is proven, `reason` is shown to the client as the
    banner line `bastion: <reason>`.
    """

    outcome: Outcome
    reason: str = ""

    ACCEPT: ClassVar[Decision]
    NEED_TOTP: ClassVar[Decision]

    def __post_init__(self) -> None:
        if (self.outcome is Outcome.REFUSE) != bool(self.reason.strip()):
            raise ValueError("a refusal needs a reason, and only a refusal has one")

    @classmethod
    def REFUSE(cls, reason: str) -> Decision:
        """A refusal; `reason` (one line) is shown to a client that proved a key."""
        return cls(Outcome.REFUSE, reason)


Decision.ACCEPT = Decision(Outcome.ACCEPT)
Decision.NEED_TOTP = Decision(Outcome.NEED_TOTP)


@dataclass(frozen=True)
class Proof:
    """A key step that succeeded: the signature verified and `key_proven` did not refuse.

    `key` is the client's public key (for a certificate, the certified key); `cert` is the
    checked OpenSSH user certificate, or None for a plain key.
    """

    username: str
    key: asyncssh.SSHKey
    cert: asyncssh.SSHCertificate | None
    client_addr: str


@dataclass
class _ConnectionState:
    """Authentication state of one client connection (one TwoFactorServer instance)."""

    conn: asyncssh.SSHServerConnection
    username: str
    """The name of the first authentication request: the only one this connection may use."""
    proof: Proof | None = None
    key_failures: int = 0
    totp_failures: int = 0


class _KeyReply(Enum):
    KEY_ACCEPTABLE = "pk_ok"
    FAILURE = "failure"
    PARTIAL_SUCCESS = "partial_success"
    SUCCESS = "success"


_SEALED = frozenset({
    "begin_auth",
    "validate_gss_principal",
    "host_based_auth_supported",
    "validate_host_public_key",
    "validate_host_ca_key",
    "validate_host_based_user",
    "public_key_auth_supported",
    "validate_public_key",
    "validate_ca_key",
    "password_auth_supported",
    "validate_password",
    "change_password",
    "kbdint_auth_supported",
    "get_kbdint_challenge",
    "validate_kbdint_response",
})


class TwoFactorServer(asyncssh.SSHServer):
    """An asyncssh server requiring a proven key or user certificate, then (if asked) TOTP.

    Subclasses implement `known_key`, `user_cas`, `key_proven`, `totp_check`, `refused` and
    `name_changed`,
    and must not override asyncssh's authentication callbacks (`begin_auth`,
    `validate_public_key`, `get_kbdint_challenge`, ...): defining one raises TypeError,
    because this class answers them to keep the two steps in order. One instance serves
    one client connection, as asyncssh's `server_factory` creates it.

    Pass `auth_options()` to `asyncssh.create_server` / `listen` along with the server.
    """

    max_key_failures: ClassVar[int] = 6
    """Failed key attempts (probes of unacceptable keys included) before hanging up."""
    max_totp_failures: ClassVar[int] = 3
    """Wrong TOTP codes before hanging up."""

    _bastion_auth: _ConnectionState | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = sorted(_SEALED & set(vars(cls)))
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: TwoFactorServer owns "
                "SSH authentication; implement known_key, user_cas, key_proven, totp_check, "
                "refused and name_changed instead"
            )

    # -- what subclasses implement ---------------------------------------------------------

    def known_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        """May this plain (uncertified) key be accepted for `username`? No side effects.

        Asked for unsigned probes and again before a signed request reaches `key_proven`,
        so an unknown key never gets further than a generic refusal.
        """
        raise NotImplementedError

    def user_cas(self) -> Sequence[asyncssh.SSHKey]:
        """The CA keys whose user certificates are accepted."""
        raise NotImplementedError

    def key_proven(self, username: str, key: asyncssh.SSHKey,
                   cert: asyncssh.SSHCertificate | None, client_addr: str) -> Decision:
        """Decide after the client proved possession of `key` for `username`.

        Called only after the signature verified, and for a plain key only when `known_key`
        said yes; for a certificate only after it was checked: signed by one of `user_cas()`,
        a user certificate, `username` among its principals, now within its validity, and
        its source-address (if any) containing `client_addr`.
        """
        raise NotImplementedError

    def totp_check(self, username: str, code: str) -> Decision:
        """ACCEPT or REFUSE(reason) the code typed at the TOTP prompt (after NEED_TOTP)."""
        raise NotImplementedError

    def refused(self, username: str, client_addr: str, reason: str, *, proven: bool) -> None:
        """Told about every refusal, for the audit log.

        `proven` is False for refusals before a key was proven (the client saw only a
        generic failure, `reason` is for the log alone) and True after (the client saw
        `reason`).
        """
        raise NotImplementedError

    def name_changed(self, first: str, second: str, client_addr: str) -> None:
        """Told when a client asked to authenticate as `second` after `first` on one
        connection; it is being disconnected. Both names are the client's, unchecked."""
        raise NotImplementedError

    # -- what the server knows once the key step succeeded --------------------------------

    @property
    def proof(self) -> Proof | None:
        """The proven key step for the current user name, or None.

        Once asyncssh reports `auth_completed`, this is what authenticated the connection.
        """
        return self._bastion_auth.proof if self._bastion_auth else None

    # -- asyncssh's authentication callbacks, answered here --------------------------------

    def begin_auth(self, username: str) -> bool:
        # asyncssh calls this for every new name. A second name is refused before any of its
        # requests is looked at (_check_request); dropping the proof here as well keeps a
        # proof from ever outliving its name, should that check be bypassed.
        state = self._bastion_auth
        if state is not None and state.username != username:
            state.proof = None
        # Never False: asyncssh would then admit the client without authentication.
        return True

    def public_key_auth_supported(self) -> bool:
        return self.proof is None

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Only asyncssh's own handler calls this; ours replaces it, so reaching here means
        # the handler is not installed. Fail closed.
        return False

    def validate_ca_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        state = self._bastion_auth
        return bool(state and state.proof and state.totp_failures < self.max_totp_failures)

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str
                             ) -> bool | tuple[str, str, str, tuple[tuple[str, bool], ...]]:
        proof = self.proof
        if proof is None or proof.username != username:
            return False
        return ("", "", "", ((TOTP_PROMPT, False),))

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        state = self._bastion_auth
        proof = self.proof
        if state is None or proof is None or proof.username != username:
            return False
        if len(responses) == 1:
            decision = self._ask(self.totp_check, username, responses[0])
        else:
            decision = Decision.REFUSE("expected one answer to the TOTP prompt")
        if decision.outcome is Outcome.ACCEPT:
            _enforce_certificate_options(state.conn, proof.cert)
            return True
        if decision.outcome is not Outcome.REFUSE:
            decision = Decision.REFUSE(_GENERIC_POST_PROOF_FAILURE)
        self._refuse(state, username, proof.client_addr, decision.reason, proven=True)
        state.totp_failures += 1
        if state.totp_failures >= self.max_totp_failures:
            # asyncssh sends the failure reply synchronously once this returns; hang up
            # right after it, so the client still sees the banner and the failure.
            asyncio.get_running_loop().call_soon(_hang_up, state.conn)
        return False

    def password_auth_supported(self) -> bool:
        return False

    def validate_password(self, username: str, password: str) -> bool:
        return False

    def change_password(self, username: str, old_password: str, new_password: str) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def validate_host_public_key(self, client_host: str, client_addr: str,
                                 client_port: int, key: asyncssh.SSHKey) -> bool:
        return False

    def validate_host_ca_key(self, client_host: str, client_addr: str,
                             client_port: int, key: asyncssh.SSHKey) -> bool:
        return False

    def validate_host_based_user(self, username: str, client_host: str,
                                 client_username: str) -> bool:
        return False

    def validate_gss_principal(self, username: str, user_principal: str, host: str) -> bool:
        return False

    # -- the key step ----------------------------------------------------------------------

    def _check_request(self, conn: asyncssh.SSHServerConnection, username: str) -> bool:
        """Every authentication request passes here first: False disconnects the client."""
        state = self._bastion_auth
        if state is None or state.conn is not conn:
            state = self._bastion_auth = _ConnectionState(conn, username)
        if username == state.username:
            return True
        state.proof = None
        try:
            self.name_changed(state.username, username, _client_addr(conn))
        except Exception:
            _log.exception("recording a change of user name failed")
        conn.disconnect(asyncssh.DISC_PROTOCOL_ERROR, NAME_CHANGE_REASON)
        return False

    def _key_step(self, conn: asyncssh.SSHServerConnection, username: str, key_data: bytes,
                  signed_data: bytes | None, signature: bytes | None) -> _KeyReply:
        """Judge one publickey request; `signature` is None for an unsigned probe."""
        state = self._bastion_auth
        if state is None or state.conn is not conn or state.username != username:
            # _check_request saw this request first; reaching here otherwise is a bug.
            return _KeyReply.FAILURE
        client_addr = _client_addr(conn)
        if state.proof is not None:
            # publickey is no longer offered once the key step succeeded.
            return _KeyReply.FAILURE

        try:
            key, cert, problem = self._examine(username, key_data, client_addr)
        except Exception:
            _log.exception("checking a client key for %r failed", username)
            key, cert, problem = None, None, "internal error while checking the key"
        if problem is not None or key is None:
            return self._fail_key_step(state, username, client_addr, problem or "no key")
        if signature is None:
            return _KeyReply.KEY_ACCEPTABLE
        if signed_data is None or not key.verify(signed_data, signature):
            return self._fail_key_step(state, username, client_addr,
                                       "signature does not verify")

        proof = Proof(username, key, cert, client_addr)
        decision = self._ask(self.key_proven, username, key, cert, client_addr)
        if decision.outcome is Outcome.ACCEPT:
            state.proof = proof
            _enforce_certificate_options(conn, cert)
            return _KeyReply.SUCCESS
        if decision.outcome is Outcome.NEED_TOTP:
            state.proof = proof
            return _KeyReply.PARTIAL_SUCCESS
        self._refuse(state, username, client_addr, decision.reason, proven=True)
        state.key_failures += 1
        return _KeyReply.FAILURE

    def _examine(self, username: str, key_data: bytes, client_addr: str) -> tuple[
            asyncssh.SSHKey | None, asyncssh.SSHCertificate | None, str | None]:
        """Decode the client's key or certificate; return (key, cert, problem or None)."""
        try:
            cert = _asyncssh_public_key.decode_ssh_certificate(key_data)
        except asyncssh.KeyImportError as cert_error:
            try:
                key = _asyncssh_public_key.decode_ssh_public_key(key_data)
            except asyncssh.KeyImportError:
                return None, None, f"unreadable key or certificate ({cert_error})"
            if not self.known_key(username, key):
                return key, None, "key not acceptable for this user name"
            return key, None, None
        return cert.key, cert, self._certificate_problem(username, cert, client_addr)

    def _certificate_problem(self, username: str, cert: asyncssh.SSHCertificate,
                             client_addr: str) -> str | None:
        """Why this (signature-checked by decoding) certificate is not acceptable, or None."""
        if not isinstance(cert, _asyncssh_public_key.SSHOpenSSHCertificate):
            return "only OpenSSH certificates are accepted"
        label = _certificate_label(cert)
        if cert.signing_key.public_data not in {ca.public_data for ca in self.user_cas()}:
            return f"{label} is not signed by a user CA"
        try:
            # Checks the certificate type and the validity window. Its principal check
            # treats an empty list as "anyone", so the principal is checked below too.
            cert.validate(_asyncssh_public_key.CERT_TYPE_USER, username)
        except ValueError as error:
            return f"{label}: {error}"
        if username not in cert.principals:
            return f"{label} is not valid for user name {username!r}"
        if "force-command" in cert.options:
            return f"{label} carries force-command, which the bastion does not enforce"
        allowed = cert.options.get("source-address")
        if allowed is not None and not _address_in(client_addr, allowed):
            return f"{label} does not allow source address {client_addr}"
        return None

    def _fail_key_step(self, state: _ConnectionState, username: str, client_addr: str,
                       reason: str) -> _KeyReply:
        self._refuse(state, username, client_addr, reason, proven=False)
        state.key_failures += 1
        return _KeyReply.FAILURE

    def _ask(self, hook: Callable[..., Decision], username: str, *args: Any) -> Decision:
        """Call a decision hook; anything but a Decision, or an exception, refuses."""
        try:
            decision = hook(username, *args)
        except Exception:
            _log.exception("%s failed for %r", hook.__name__, username)
            return Decision.REFUSE(_GENERIC_POST_PROOF_FAILURE)
        if not isinstance(decision, Decision):
            _log.error("%s returned %r, not a Decision", hook.__name__, decision)
            return Decision.REFUSE(_GENERIC_POST_PROOF_FAILURE)
        return decision

    def _refuse(self, state: _ConnectionState, username: str, client_addr: str,
                reason: str, *, proven: bool) -> None:
        if proven:
            state.conn.send_auth_banner(f"{_BANNER_PREFIX}{one_line(reason, _BANNER_MAX_REASON)}\n")
        try:
            self.refused(username, client_addr, reason, proven=proven)
        except Exception:
            _log.exception("recording a refusal for %r failed", username)

    def _key_failures_exhausted(self) -> bool:
        state = self._bastion_auth
        return bool(state and state.key_failures >= self.max_key_failures)


def auth_options(login_timeout: float = 60.0) -> dict[str, Any]:
    """Keyword arguments for `asyncssh.create_server`/`listen` serving a TwoFactorServer.

    Publickey and keyboard-interactive on (the server decides when each is offered),
    password, host-based and GSS off, no authorized_keys of asyncssh's own (the server
    decides which keys are known), and `login_timeout` seconds to finish authenticating
    before the connection is closed. asyncssh has no limit on attempts of its own: the
    server class counts them (`max_key_failures`, `max_totp_failures`).
    """
    return {
        "public_key_auth": True,
        "kbdint_auth": True,
        "password_auth": False,
        "host_based_auth": False,
        "gss_host": None,
        "authorized_client_keys": None,
        "login_timeout": login_timeout,
    }


_OriginalPublicKeyAuth: type = _asyncssh_auth._ServerPublicKeyAuth


class _TwoFactorPublicKeyAuth(_OriginalPublicKeyAuth):  # type: ignore[misc, valid-type]
    """asyncssh's server publickey handler, deciding through TwoFactorServer when it owns
    the connection."""

    _bastion = True

    async def _start(self, packet: SSHPacket) -> None:
        owner = self._conn.get_owner()
        if not isinstance(owner, TwoFactorServer):
            await super()._start(packet)
            return

        signed = packet.get_boolean()
        algorithm = packet.get_string()
        key_data = packet.get_string()
        signature = packet.get_string() if signed else None
        packet.check_end()

        # The bytes the client signed: session id + this request up to the signature.
        signed_data = (self._conn.get_userauth_request_data(
            self._method, Boolean(True), String(algorithm), String(key_data))
            if signed else None)
        reply = owner._key_step(self._conn, self._username, key_data,
                                      signed_data, signature)

        if reply is _KeyReply.KEY_ACCEPTABLE:
            self.send_packet(_asyncssh_auth.MSG_USERAUTH_PK_OK, String(algorithm),
                             String(key_data))
        elif reply is _KeyReply.SUCCESS:
            await self.send_success()
        elif reply is _KeyReply.PARTIAL_SUCCESS:
            self.send_failure(partial_success=True)
        else:
            self.send_failure()
            if owner._key_failures_exhausted():
                _hang_up(self._conn)


def _lookup_server_auth(conn: asyncssh.SSHServerConnection, username: str, method: bytes,
                        packet: SSHPacket) -> Any:
    """asyncssh's per-request dispatch, with TwoFactorServer's check of the user name first."""
    owner = conn.get_owner()
    if isinstance(owner, TwoFactorServer) and not owner._check_request(conn, username):
        return None
    return _asyncssh_auth.lookup_server_auth(conn, username, method, packet)


_lookup_server_auth._bastion = True  # type: ignore[attr-defined]


def _install() -> None:
    # A re-import finds its own earlier replacements in place: replacing those is fine.
    handlers = _asyncssh_auth._server_auth_handlers
    current = handlers[b"publickey"]
    if current is not _OriginalPublicKeyAuth and not getattr(current, "_bastion", False):
        raise ImportError(
            f"asyncssh's publickey handler was already replaced by {current!r}; "
            "bastion.ssh.auth will not stack on another replacement"
        )
    # connection.py imported lookup_server_auth by name: that binding is the one it calls.
    lookup = _asyncssh_connection.lookup_server_auth
    if lookup is not _asyncssh_auth.lookup_server_auth and not getattr(lookup, "_bastion", False):
        raise ImportError(
            f"asyncssh's lookup_server_auth was already replaced by {lookup!r}; "
            "bastion.ssh.auth will not stack on another replacement"
        )
    handlers[b"publickey"] = _TwoFactorPublicKeyAuth
    _asyncssh_connection.lookup_server_auth = _lookup_server_auth


_install()


def _enforce_certificate_options(conn: asyncssh.SSHServerConnection,
                                 cert: asyncssh.SSHCertificate | None) -> None:
    # asyncssh enforces a certificate's permit-* extensions (pty, forwarding) only when its
    # own validator accepted the certificate; ours replaced it, so hand the options over.
    # asyncssh clears them at every auth request, so this runs right before success.
    # Port forwarding is the exception: the server owner decides it (connection_requested),
    # checking the certificate's permit-port-forwarding itself, so that a refusal is audited
    # (asyncssh would refuse it silently, before asking the owner).
    if cert is not None:
        conn._cert_options = {**cert.options, "permit-port-forwarding": True}


def _hang_up(conn: asyncssh.SSHServerConnection) -> None:
    conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE,
                    "Too many authentication failures")


def _client_addr(conn: asyncssh.SSHServerConnection) -> str:
    peer = conn.get_extra_info("peername")  # ::ffff:a.b.c.d as a.b.c.d, as the server spells it
    return ipv4_spelled(str(peer[0])) if peer else ""


def _address_in(client_addr: str, networks: Sequence[Any]) -> bool:
    try:
        address = ipaddress.ip_address(client_addr)
    except ValueError:
        return False
    # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def ipv4_spelled(client_addr: str) -> str:
    """An IPv4 client as a.b.c.d whatever the listener: the one spelling every pin, count and
    comparison uses (certs.plain_network for networks; attack k20o F8)."""
    try:
        address = ipaddress.ip_address(client_addr)
    except ValueError:
        return client_addr
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped) if mapped is not None else client_addr


def _certificate_label(cert: asyncssh.SSHCertificate) -> str:
    # asyncssh keeps serial and key id private; they name the certificate in audit records.
    serial = getattr(cert, "_serial", "?")
    key_id = getattr(cert, "_key_id", "?")
    return f"certificate serial {serial} key id {key_id!r}"
