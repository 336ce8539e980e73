"""Bounds on what a client's session-channel requests leave in the server's memory.

asyncssh keeps every `env` request of a channel in the channel (`_env`), before or after the
session started, whatever their number or size (attack j19o: 8,000 requests of 30 KB on one
channel, +230 MB). The bastion reads a channel's environment once, when its session starts
(LANG, LC_* and BASTION_TICKET: bastion.ssh.negotiation, ProxyChannel._open). So, as OpenSSH's
sshd does (session.c: `env` only while the channel is larval, and not past 128 variables), an
`env` request is accepted only before the session starts, for at most MAX_ENV variables of at
most MAX_ENV_BYTES each; the rest are refused, the first refusal of a channel audited
(`channel.refused`, kind `env`, through the session's `env_refused`, capped a minute per person
as every channel refusal is).

The other requests asyncssh handles keep nothing that grows: a second pty-req, shell, exec or
subsystem is refused (`_term_type`, `_session_started`), a window change or signal replaces or
forwards one value, x11 and agent forwarding are off: each request is refused at once here and
audited as other refused forwards are (attack k20o F5), through the connection's
`forwarding_refused(kind)` (capped a minute per person and kind).
"""

from __future__ import annotations

from typing import Any

import asyncssh

MAX_ENV = 32          # variables one channel may set (OpenSSH's sshd: 128, AcceptEnv names only)
MAX_ENV_BYTES = 1024  # the name and value of one variable together

_HANDLER = "_process_env_request"


def env_problem(started: bool, env: dict[Any, Any], name: bytes, value: bytes) -> str | None:
    """None when a channel may take this `env` request, else why not (one line)."""
    if started:
        return "environment requested after the session started"
    if len(name) + len(value) > MAX_ENV_BYTES:
        return f"environment variable longer than {MAX_ENV_BYTES} bytes"
    if name not in env and len(env) >= MAX_ENV:
        return f"more than {MAX_ENV} environment variables"
    return None


def _process_env_request(self: asyncssh.SSHServerChannel, packet: Any) -> bool:
    """asyncssh's handler, bounded (see the module's docstring)."""
    name = packet.get_string()
    value = packet.get_string()
    packet.check_end()
    problem = env_problem(self._session_started, self._env, name, value)
    if problem is None:
        self._env[name] = value
        return True
    if not getattr(self, "_bastion_env_refused", False):
        self._bastion_env_refused = True
        note = getattr(self._session, "env_refused", None)
        if note is not None:
            note(problem)
    return False


def _refused(chan: asyncssh.SSHServerChannel, kind: str) -> bool:
    note = getattr(chan._conn.get_owner(), "forwarding_refused", None)
    if note is not None:
        note(kind)
    return False


def _process_x11_req_request(self: asyncssh.SSHServerChannel, packet: Any) -> bool:
    """`ssh -X`: refused (the server runs with x11_forwarding off), and audited."""
    packet.get_boolean()
    packet.get_string()
    packet.get_string()
    packet.get_uint32()
    packet.check_end()
    return _refused(self, "x11-req")


def _process_auth_agent_req_at_openssh_dot_com_request(self: asyncssh.SSHServerChannel,
                                                       packet: Any) -> bool:
    """`ssh -A`: refused (agent_forwarding off), and audited."""
    packet.check_end()
    return _refused(self, "auth-agent-req@openssh.com")


_REFUSERS = {"_process_x11_req_request": _process_x11_req_request,
             "_process_auth_agent_req_at_openssh_dot_com_request":
                 _process_auth_agent_req_at_openssh_dot_com_request}


def install() -> None:
    """Replace asyncssh's handler; ImportError when the asyncssh in use has none to replace
    (bastion.ssh.auth pins its version)."""
    if not callable(getattr(asyncssh.SSHServerChannel, _HANDLER, None)):
        raise ImportError(f"asyncssh.SSHServerChannel has no {_HANDLER} to bound")
    asyncssh.SSHServerChannel._process_env_request = _process_env_request  # type: ignore[method-assign]
    for name, handler in _REFUSERS.items():
        if not callable(getattr(asyncssh.SSHServerChannel, name, None)):
            raise ImportError(f"asyncssh.SSHServerChannel has no {name} to replace")
        setattr(asyncssh.SSHServerChannel, name, handler)
