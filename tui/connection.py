"""How the console reaches a bastion: the local control socket, or the SSH door with key + TOTP.

The console is a client of the control protocol only (`bastion.control.protocol`); it never opens the
bastion's database or files. A connector is a coroutine function `(on_event, code) -> Client`:
`code` is the TOTP code the console asked for (None for the local socket, which needs none).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from bastion.control.protocol import ControlClient, ControlError

EventSink = Callable[[dict[str, Any]], None]


class Client(Protocol):
    """What the console uses of `bastion.control.protocol.ControlClient` (tests may pass a stand-in)."""

    hello: dict[str, Any] | None

    async def request(self, op: str, **fields: Any) -> dict[str, Any]: ...

    async def close(self) -> None: ...


Connector = Callable[[EventSink, str | None], Awaitable[Client]]


class ConnectionProblem(Exception):
    """The console cannot reach the bastion; the text is one line for the person at the keyboard."""


def socket_path(home: str | None) -> Path:
    """HOME/control.sock, HOME chosen as every bastion command does: --home, $BASTION_HOME, ./var."""
    chosen = home or os.environ.get("BASTION_HOME") or "var"
    return Path(chosen).absolute() / "control.sock"


def local_connector(path: Path) -> Connector:
    """The Unix socket door: the bastion names the caller by its OS user (local:NAME)."""

    async def connect(on_event: EventSink, code: str | None) -> Client:
        try:
            return await ControlClient.open_unix(str(path), on_event=on_event)
        except (OSError, ControlError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ConnectionProblem(f"cannot reach the bastion at {path}: {reason}"
                                    " (is `bastion serve` running?)") from None

    return connect


def split_destination(destination: str) -> tuple[str, str]:
    """USER@HOST as (user, host); the user name may not be empty and the host is after the last @."""
    user, at, host = destination.rpartition("@")
    if not at or not user or not host:
        raise ConnectionProblem(f"--connect wants USER@HOST, not {destination!r}")
    return user, host


def identity_files(identity: str | None) -> list[str]:
    """The key files to offer: --identity, else the OpenSSH defaults that exist."""
    if identity:
        if not Path(identity).is_file():
            raise ConnectionProblem(f"no such identity file: {identity}")
        return [identity]
    ssh_dir = Path.home() / ".ssh"
    found = [str(ssh_dir / name) for name in ("id_ed25519", "id_ecdsa", "id_rsa")
             if (ssh_dir / name).is_file()]
    if not found:
        raise ConnectionProblem("no identity: pass --identity KEY (your enrolled private key)")
    return found


def default_known_hosts() -> str:
    """~/.ssh/known_hosts, which must vouch for the bastion (its @cert-authority line)."""
    path = Path.home() / ".ssh" / "known_hosts"
    if not path.is_file():
        raise ConnectionProblem(f"no {path}: add the bastion's @cert-authority line that "
                                "`bastion init` printed")
    return str(path)


def ssh_connector(host: str, port: int, user: str, *, identity: str | None,
                  known_hosts: str | None = None) -> Connector:
    """The SSH door (`bastion-control` subsystem): the enrolled key, then the TOTP code.

    The bastion's host key is always checked against `known_hosts` (default ~/.ssh/known_hosts);
    the key files are read now, so a missing or unreadable key fails before any prompt.
    """
    import asyncssh

    files = identity_files(identity)
    try:
        keys = asyncssh.load_keypairs(files)
    except (OSError, asyncssh.KeyImportError) as exc:
        raise ConnectionProblem(f"cannot load {', '.join(files)}: {exc}") from None
    hosts = known_hosts or default_known_hosts()

    async def connect(on_event: EventSink, code: str | None) -> Client:
        where = f"{user}@{host}:{port}"
        try:
            return await ControlClient.open_ssh(
                host, port, user, client_keys=list(keys), known_hosts=hosts,
                totp=lambda: code or "", on_event=on_event)
        except asyncssh.PermissionDenied:
            raise ConnectionProblem(f"{where}: permission denied (the enrolled key and a "
                                    "current TOTP code are needed)") from None
        except (asyncssh.ChannelOpenError, ControlError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            raise ConnectionProblem(f"{where} did not open the console: {reason} (only "
                                    "supervisors and admins may)") from None
        except (OSError, asyncssh.Error) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
            raise ConnectionProblem(f"cannot reach the bastion at {host}:{port}: {reason}") from None

    return connect
