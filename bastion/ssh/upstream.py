"""The upstream connection: the SSH connection from the bastion to a session's target, and the
target end of each relayed channel on it (UpstreamSide).

The TCP socket to the target is opened first, then an ephemeral Ed25519 key gets a target-CA
certificate whose source-address is that socket's own local address (or the configured egress
addresses), valid a few minutes, principal the login or TARGET:LOGIN; SSH then runs over the
socket. The target's host key must be one that is pinned or signed by a configured host CA.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import asyncssh

import certs
from bastion.access import grants
from bastion.config import Target
from bastion.errors import BastionError
from bastion.store import now

if TYPE_CHECKING:
    from bastion.runtime.app import Runtime
    from bastion.ssh.live import Identity
    from bastion.ssh.proxy import ProxyChannel

CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
           "aes128-ctr", "aes256-ctr")
CONNECT_TIMEOUT = 10.0
# What the other side may send on a channel before the bastion takes it, client and target alike
# (asyncssh's default is 2 MiB): a paused channel holds this much outside every budget (attack
# y34o, finding 3: ten paused channels held 32 MiB). Uploads and downloads then run at most
# this much a round trip (512 KiB at 50 ms: 10 MiB/s).
WINDOW = 512 * 1024


class UpstreamError(BastionError):
    """The target could not be reached or could not be trusted."""


def target_known_hosts(target: Target) -> tuple[list, list, list]:
    """asyncssh's (trusted host keys, trusted host CAs, revoked) for one target. No TOFU."""
    keys = [asyncssh.import_public_key(k) for k in target.host_keys]
    if target.host_key_file:
        try:
            text = Path(target.host_key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UpstreamError(f"target {target.name}: cannot read host_key_file: "
                                f"{exc.strerror}") from None
        keys += [asyncssh.import_public_key(line) for line in text.splitlines()
                 if line.strip() and not line.startswith("#")]
    cas = [asyncssh.import_public_key(k) for k in target.host_ca_keys]
    return keys, cas, []



async def connect(app: Runtime, ident: Identity, grant: grants.Grant, session_id: str
                  ) -> asyncssh.SSHClientConnection:
    """Open the session's connection to its target, as described above; UpstreamError (one
    line, for the user) when the target cannot be reached or trusted."""
    target = ident.target
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UpstreamError(f"target {target.name} ({target.host}) cannot be resolved: "
                            f"{exc.strerror or exc}") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        await asyncio.wait_for(loop.sock_connect(sock, address), CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        sock.close()
        why = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise UpstreamError(f"target {target.name} is not reachable "
                            f"({target.host}:{target.port}: {why})") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    source = list(app.config.server.egress_addresses) or [sock.getsockname()[0]]
    key = certs.generate_ephemeral_key()
    principal = f"{target.name}:{ident.login}" if target.principals == "scoped" else ident.login
    valid_after, valid_before = certs.validity_window(
        now(), app.config.server.target_cert_ttl, backdate=int(app.config.server.cert_backdate))
    with app.store.transaction():
        serial = app.store.next_serial()
        key_id = certs.format_key_id(operator=ident.user, ticket=grant.ticket,
                                     grant=grant.id, session=session_id)
        cert = certs.mint_user_certificate(
            app.target_ca, key.convert_to_public(), serial=serial, key_id=key_id,
            principals=[principal], valid_after=valid_after, valid_before=valid_before,
            permit_pty=True, permit_port_forwarding=ident.role.forwarding,
            permit_agent_forwarding=False, permit_x11_forwarding=False, permit_user_rc=False,
            source_address=source)
        grants.record_certificate(app.store, cert, "target", user=ident.user,
                                  grant_ids=(grant.id,), ticket=grant.ticket,
                                  session_id=session_id)
    try:
        known_hosts = target_known_hosts(target)
        return await asyncio.wait_for(asyncssh.connect(
            target.host, target.port, sock=sock, username=ident.login,
            client_keys=[(key, cert)], known_hosts=known_hosts, agent_path=None,
            agent_forwarding=False, x11_forwarding=False, config=None,
            preferred_auth="publickey", encryption_algs=CIPHERS,
            keepalive_interval=30, keepalive_count_max=3,
        ), CONNECT_TIMEOUT)
    except asyncssh.HostKeyNotVerifiable:
        sock.close()
        raise UpstreamError(f"target {target.name} presented a host key that is not pinned "
                            "or signed by a trusted host CA; refusing to connect") from None
    except asyncssh.PermissionDenied:
        sock.close()
        raise UpstreamError(f"target {target.name} refused the bastion's certificate for "
                            f"{ident.login} (is TrustedUserCAKeys set to the target CA?)") from None
    except TimeoutError:
        sock.close()
        raise UpstreamError(f"target {target.name} did not complete the SSH handshake within "
                            f"{CONNECT_TIMEOUT:g}s ({target.host}:{target.port})") from None
    except (OSError, asyncssh.Error) as exc:
        sock.close()
        raise UpstreamError(f"target {target.name}: SSH connection failed: "
                            f"{getattr(exc, 'reason', None) or exc}") from None


class UpstreamSide(asyncssh.SSHClientSession):
    """The target end of one relayed channel: its output goes to the client."""

    def __init__(self, proxy: ProxyChannel) -> None:
        self.proxy = proxy
        self.exit_status: int | None = None
        self.exit_signal: tuple | None = None

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.proxy.from_target(data, datatype)

    def eof_received(self) -> bool:
        self.proxy.target_eof()
        return True

    def exit_status_received(self, status: int) -> None:
        self.exit_status = status

    def exit_signal_received(self, signal: str, core_dumped: bool, msg: str, lang: str) -> None:
        self.exit_signal = (signal, core_dumped, msg, lang)

    def pause_writing(self) -> None:
        self.proxy.hold_client("target")

    def resume_writing(self) -> None:
        self.proxy.release_client("target")

    def connection_lost(self, exc: Exception | None) -> None:
        self.proxy.target_closed(self, exc)
