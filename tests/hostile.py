"""A hostile SSH client for authentication tests: every userauth request is the test's to write.

asyncssh's own client picks the user name once, tries methods in its own order and answers
what the server asks. An attacker's client does none of that. `attempt()` runs key exchange
with asyncssh, then sends one scripted request per `Step`, in order, whatever the server
said before, and records every reply:

    outcome = await attempt("127.0.0.1", port, [
        Step.signed("mallory", mallory_key),          # partial success: key proven
        Step.signed("root@web01", bob_key),           # another name, another person's key
        Step.kbdint("root@web01", mallory_totp),      # answered with the wrong person's code
    ])
    assert outcome.disconnect == "Change of username or service not allowed"

Steps (each takes the user name, and `service=` to send another service than ssh-connection):
- `Step.none(user)`, `Step.password(user, text)`;
- `Step.probe(user, key, cert=None)`: an unsigned publickey request ("would you take this?");
- `Step.signed(user, key, cert=None, claim=None)`: a signed publickey request, with `cert` its
  certificate; `claim` sends another public key (or certificate) than the one that signs;
- `Step.kbdint(user, *answers)`: a keyboard-interactive request; each prompt the server sends
  is answered with the next answer (a string, or a callable called when the prompt arrives,
  for a TOTP code that must be fresh); with no answers left, the script moves on unanswered;
- `Step.answers(*answers)`: an info response nobody asked for (no request is sent first);
- `Step.raw(user, method, *fields)`: any method name with any (already encoded) fields.

The `Outcome` holds each reply with the index of the step it answered (`failure`, `partial`
for partial success, `pk_ok`, `prompt` with the prompt texts, `success`), the banners,
the server's disconnect reason if it hung up, and on success the open connection (the
caller closes it). A script that ends without success ends the connection (`refused`).

This reaches into asyncssh's client internals (`try_next_auth`, `_auth`, `_session_id`,
`_force_close`), which is fine for a test tool: the pinned asyncssh version is checked by
bastion.ssh.auth at import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncssh
from asyncssh import auth as asyncssh_auth
from asyncssh.packet import Boolean, Byte, SSHPacket, String, UInt32

__all__ = ["Outcome", "Reply", "Step", "attempt"]

SERVICE = "ssh-connection"
_MSG_USERAUTH_REQUEST = 50
_MSG_USERAUTH_PK_OK = _MSG_USERAUTH_INFO_REQUEST = 60
_MSG_USERAUTH_INFO_RESPONSE = 61

Answer = str | Callable[[], str]


@dataclass(frozen=True)
class Step:
    """One scripted authentication request; build it with the class methods."""

    kind: str
    user: str = ""
    method: str = ""
    service: str = SERVICE
    keypair: Any = None
    claim: Any = None
    responses: tuple[Answer, ...] = ()
    fields: tuple[bytes, ...] = ()

    @classmethod
    def none(cls, user: str, *, service: str = SERVICE) -> Step:
        return cls("request", user, "none", service)

    @classmethod
    def password(cls, user: str, text: str, *, service: str = SERVICE) -> Step:
        return cls("request", user, "password", service,
                   fields=(Boolean(False), String(text)))

    @classmethod
    def probe(cls, user: str, key: asyncssh.SSHKey, cert: asyncssh.SSHCertificate | None = None,
              *, service: str = SERVICE) -> Step:
        return cls("probe", user, "publickey", service, keypair=_keypair(key, cert))

    @classmethod
    def signed(cls, user: str, key: asyncssh.SSHKey, cert: asyncssh.SSHCertificate | None = None,
               *, claim: asyncssh.SSHKey | asyncssh.SSHCertificate | None = None,
               service: str = SERVICE) -> Step:
        return cls("signed", user, "publickey", service, keypair=_keypair(key, cert),
                   claim=claim)

    @classmethod
    def kbdint(cls, user: str, *answers: Answer, service: str = SERVICE) -> Step:
        return cls("request", user, "keyboard-interactive", service, responses=answers,
                   fields=(String(""), String("")))

    @classmethod
    def answers(cls, *answers: Answer) -> Step:
        return cls("answers", responses=answers)

    @classmethod
    def raw(cls, user: str, method: str, *fields: bytes, service: str = SERVICE) -> Step:
        return cls("request", user, method, service, fields=fields)


@dataclass(frozen=True)
class Reply:
    """What the server answered to step number `step`."""

    step: int
    kind: str  # failure | partial | pk_ok | prompt | success
    methods: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    banners: list[str] = field(default_factory=list)
    disconnect: str | None = None
    refused: bool = False
    conn: asyncssh.SSHClientConnection | None = None

    @property
    def authenticated(self) -> bool:
        return self.conn is not None

    def kinds(self) -> list[tuple[int, str]]:
        """(step, reply kind) for every reply, in order: the shape of the conversation."""
        return [(reply.step, reply.kind) for reply in self.replies]

    @property
    def prompts(self) -> list[str]:
        return [p for reply in self.replies for p in reply.prompts]


def _keypair(key: asyncssh.SSHKey, cert: asyncssh.SSHCertificate | None) -> Any:
    return asyncssh.load_keypairs([(key, cert)] if cert is not None else [key])[0]


def _public_blob(item: Any) -> tuple[bytes, bytes]:
    """(algorithm, public data) of a key or certificate a step claims."""
    if isinstance(item, asyncssh.SSHCertificate):
        return item.algorithm, item.public_data
    public = item.convert_to_public() if item.public_data is None else item
    return public.algorithm, public.public_data


class _Scripted(asyncssh_auth.ClientAuth):
    """asyncssh's client auth slot, filled by one step: sends it, takes the 60-replies."""

    def __init__(self, driver: _Driver, index: int, step: Step) -> None:
        self._driver, self._index, self._step = driver, index, step
        self._left = list(step.responses)
        super().__init__(driver.conn, step.method.encode())

    async def _start(self) -> None:
        step, conn = self._step, self._conn
        if step.kind == "answers":
            self._send_answers([a() if callable(a) else a for a in step.responses])
            return
        fields = step.fields
        if step.kind in ("probe", "signed"):
            algorithm, public = (_public_blob(step.claim) if step.claim is not None else
                                 (step.keypair.algorithm, step.keypair.public_data))
            fields = (Boolean(step.kind == "signed"), String(algorithm), String(public))
        packet = b"".join((Byte(_MSG_USERAUTH_REQUEST), String(step.user), String(step.service),
                           String(step.method), *fields))
        if step.kind == "signed":
            packet += String(step.keypair.sign(String(conn._session_id) + packet))
        conn.send_userauth_packet(_MSG_USERAUTH_REQUEST, packet[1:], trivial=False)

    def _send_answers(self, answers: Sequence[str]) -> None:
        self.send_packet(_MSG_USERAUTH_INFO_RESPONSE, UInt32(len(answers)),
                         b"".join(String(a) for a in answers), trivial=False)

    def auth_succeeded(self) -> None:
        # asyncssh calls this for partial success too; a full success never reaches
        # try_next_auth again, so the driver turns it into "partial" there.
        self._driver.replies.append(Reply(self._index, "success"))

    def auth_failed(self) -> None:
        self._driver.replies.append(
            Reply(self._index, "failure", tuple(m.decode() for m in self._conn._auth_methods)))

    def _process_60(self, _pkttype: int, _pktid: int, packet: SSHPacket) -> None:
        if self._step.method != "keyboard-interactive":
            self._driver.replies.append(Reply(self._index, "pk_ok"))
            self._driver.advance()
            return
        packet.get_string(), packet.get_string(), packet.get_string()
        prompts = []
        for _ in range(packet.get_uint32()):
            prompts.append(packet.get_string().decode("utf-8", "replace"))
            packet.get_boolean()
        self._driver.replies.append(Reply(self._index, "prompt", prompts=tuple(prompts)))
        if not self._left:
            self._driver.advance()
            return
        answer = self._left.pop(0)
        self._send_answers([answer() if callable(answer) else answer for _ in prompts])

    _packet_handlers = {_MSG_USERAUTH_PK_OK: _process_60}


class _Driver:
    def __init__(self, steps: Sequence[Step], outcome: Outcome) -> None:
        self.steps = list(steps)
        self.replies = outcome.replies
        self.next = 0
        self.conn: Any = None

    def try_next_auth(self, *, next_method: bool = False) -> None:
        if self.replies and self.replies[-1].kind == "success":
            last = self.replies.pop()
            self.replies.append(Reply(last.step, "partial",
                                      tuple(m.decode() for m in self.conn._auth_methods)))
        self.advance()

    def advance(self) -> None:
        conn = self.conn
        if conn._auth is not None:
            conn._auth.cancel()
            conn._auth = None
        if self.next >= len(self.steps):
            conn._force_close(asyncssh.PermissionDenied("the script ended without success"))
            return
        index, self.next = self.next, self.next + 1
        conn._auth = _Scripted(self, index, self.steps[index])


class _Client(asyncssh.SSHClient):
    def __init__(self, driver: _Driver, outcome: Outcome) -> None:
        self.driver, self.outcome = driver, outcome

    def connection_made(self, conn: asyncssh.SSHClientConnection) -> None:
        self.driver.conn = conn
        conn.try_next_auth = self.driver.try_next_auth  # type: ignore[method-assign]
        conn._preferred_auth = []  # record the methods the server offers, unfiltered

    def auth_banner_received(self, msg: str, lang: str) -> None:
        self.outcome.banners.append(msg)

    def auth_completed(self) -> None:
        last = self.outcome.replies[-1] if self.outcome.replies else None
        if last is None or last.kind != "success":
            self.outcome.replies.append(Reply(max(self.driver.next - 1, 0), "success"))


async def attempt(host: str, port: int, steps: Sequence[Step], *, timeout: float = 15,
                  **options: Any) -> Outcome:
    """Connect, run the script, and return what the server answered (never raises for a
    refusal or a disconnect; those are in the Outcome). `options` go to asyncssh.connect
    (known_hosts defaults to None: the tests that care check host keys themselves)."""
    outcome = Outcome()
    driver = _Driver(steps, outcome)
    options = {"known_hosts": None, **options}
    try:
        outcome.conn = await asyncio.wait_for(asyncssh.connect(
            host, port, username="-", client_factory=lambda: _Client(driver, outcome),
            client_keys=None, agent_path=None, password=None, config=None,
            preferred_auth="publickey", **options), timeout)
    except asyncssh.PermissionDenied as exc:
        if exc.reason == "the script ended without success":
            outcome.refused = True
        else:
            outcome.disconnect = exc.reason
    except asyncssh.DisconnectError as exc:
        outcome.disconnect = exc.reason
    except ConnectionError:
        outcome.disconnect = "connection lost"
    except TimeoutError:
        outcome.disconnect = "no answer"
    return outcome
