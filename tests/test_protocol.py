"""The control protocol's input rules, pure: whatever a client sends, every reply can be encoded,
and every number is a number (JSON's true and false are not 1 and 0)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bastion import audit
from bastion.access import grants
from bastion.control import protocol
from bastion.control.operations import MAX_UNSENT, ControlConnection
from bastion.control.protocol import ProtocolError, decode, encode, require_unicode
from bastion.ssh.server import Bastion
from tests.conftest import ControlApp
from tests.rows import each

LONE = "\ud800"


@each("line", [
    b'{"op": "watch", "session": "\\ud800"}',
    b'{"op": "kill", "session": "s1", "reason": "x\\udfff"}',
    b'{"op": "sessions", "\\ud800": 1}',
    b'{"op": "sessions", "nested": [{"deep": ["\\udc00"]}]}',
    b'{"op": "\\ud800"}',
])
def test_a_lone_surrogate_anywhere_is_refused_with_a_plain_error(line):
    with pytest.raises(ProtocolError, match="no lone surrogates"):
        require_unicode(decode(line))


def test_the_refusal_of_a_lone_surrogate_is_an_encodable_reply_to_its_request(ctx):
    connection, sent = door(ctx)

    connection.handle_line(b'{"id": "\\ud800", "op": "watch", "session": "\\ud800"}')

    assert sent == [{"id": LONE, "ok": False,
                     "error": "strings must be valid Unicode (no lone surrogates)"}]


def test_characters_outside_the_basic_plane_are_fine_escaped_or_not():
    message = decode('{"op": "kill", "session": "s1", "reason": "\\ud83d\\ude00 😀"}'.encode())
    require_unicode(message)

    assert message["reason"] == "😀 😀"


@each("value", [LONE, {"k": LONE}, [LONE], {LONE: 1}, "fine ✓"])
def test_every_message_encodes_to_one_line_of_utf8_json(value):
    line = encode({"id": None, "ok": False, "error": value})

    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line.decode("utf-8"))["error"] == value


def door(ctx, actor: str = "local:test", app: Any = None,
         **flow: Any) -> tuple[ControlConnection, list[dict]]:
    """A control connection over `app` (ControlApp by default) whose replies land in the list;
    `flow`: its pause and resume callbacks."""
    sent: list[dict] = []
    connection = ControlConnection(app or ControlApp(ctx), actor,
                                   lambda d: sent.append(json.loads(d)), lambda: 0, lambda: None,
                                   lambda reason: None, **flow)
    return connection, sent


# Every field of the protocol that takes a number or a flag, with a value of the wrong kind.
NOT_NUMBERS: list[tuple[str, dict[str, Any], str]] = [
    ("revoke", {"serial": True}, "serial must be a whole number"),
    ("revoke", {"serial": False}, "serial must be a whole number"),
    ("revoke", {"serial": 1.0}, "serial must be a whole number"),
    ("revoke", {"serial": "1"}, "serial must be a whole number"),
    ("revoke", {"serial": 2**64}, "serial must be a whole number"),
    ("revoke", {"serial": 0}, "serial must be a whole number"),
    ("revoke", {"user": True}, "field 'user' is required"),
    ("audit", {"limit": True}, "limit must be a whole number"),
    ("audit", {"limit": 0}, "limit must be a whole number"),
    ("recording", {"session": "s1", "offset": True}, "offset must be a whole number"),
    ("recording", {"session": "s1", "offset": -1}, "offset must be a whole number"),
    ("recording", {"session": "s1", "channel": True}, "channel must be a whole number"),
    ("approve", {"request": "r1", "duration": True}, "duration"),
    ("sessions", {"all": 1}, "all must be true or false"),
    ("sessions", {"all": "yes"}, "all must be true or false"),
    ("requests", {"all": "no"}, "all must be true or false"),
]


@pytest.mark.parametrize(("op", "fields", "error"), NOT_NUMBERS)
def test_numbers_and_flags_of_the_wrong_kind_are_refused_and_change_nothing(
        ctx, enrol, op, fields, error):
    enrol("alice")
    certificate_1 = ctx.store.one("SELECT count(*) AS n FROM certificates")["n"]
    before = len(list(audit.export(ctx.store)))
    connection, sent = door(ctx)

    connection.handle_line(json.dumps({"id": 9, "op": op, **fields}).encode())

    assert len(sent) == 1 and sent[0]["id"] == 9 and sent[0]["ok"] is False
    assert error in sent[0]["error"]
    assert len(list(audit.export(ctx.store))) == before
    assert ctx.store.one("SELECT count(*) AS n FROM certificates WHERE revoked = 1")["n"] == 0
    assert certificate_1 == ctx.store.one("SELECT count(*) AS n FROM certificates")["n"]


def test_serial_true_does_not_revoke_serial_1(ctx, enrol, tmp_path):
    import asyncssh

    alice = enrol("alice")
    grant = grants.approve(ctx.store, ctx.config, grants.create_request(
        ctx.store, ctx.config, "alice", target="web01", login="deploy", ticket="INC-1",
        duration=600, reason="x")["id"], "local:test")
    cert = grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "alice", grant.ticket,
                                  asyncssh.read_private_key(str(alice.key_path))
                                  .convert_to_public(), client_addr=None)
    serial = grants.certs.cert_info(cert).serial
    connection, sent = door(ctx)

    connection.handle_line(json.dumps({"id": 1, "op": "revoke", "serial": True}).encode())
    connection.handle_line(json.dumps({"id": 2, "op": "revoke", "serial": serial}).encode())

    assert [m["ok"] for m in sent] == [False, True]
    assert grants.revoked_serials(ctx.store) == [serial]


# ---------------------------------------------------------------- the events the server pushes

def _pushed_event_names() -> set[str]:
    """Every event name the server code publishes (`.publish("name", ...)`) or sends as a literal
    (`{"event": "name", ...}`), read from its source. protocol.py is the client's side: its
    "closed" is the client telling its own reader that the connection ended, never sent."""
    names: set[str] = set()
    for path in (Path(__file__).resolve().parents[1] / "bastion").rglob("*.py"):
        if path.name == "protocol.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "publish" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (isinstance(key, ast.Constant) and key.value == "event"
                            and isinstance(value, ast.Constant)):
                        names.add(value.value)
    return names


def test_protocol_events_are_exactly_the_events_the_server_pushes():
    assert _pushed_event_names() == set(protocol.EVENTS)


def test_the_designs_events_are_all_in_the_protocol():
    designed = {"session_started", "session_ended", "output", "command", "verdict",
                "request_created", "request_decided", "command_held", "held_resolved", "revoked"}
    assert designed <= set(protocol.EVENTS)


def test_publishing_an_event_the_protocol_does_not_name_is_refused():
    received: list[dict[str, Any]] = []
    app = SimpleNamespace(subscribers=[received.append])
    with pytest.raises(ValueError, match="not an event of the control protocol"):
        Bastion.publish(app, "sesion_ended", session="s1")  # type: ignore[arg-type]
    assert received == []
    Bastion.publish(app, "session_ended", session="s1")  # type: ignore[arg-type]
    assert [m["event"] for m in received] == ["session_ended"]


class Unread:
    """A transport whose client reads nothing (or, with `reads`, everything) of what is sent."""

    def __init__(self, reads: bool = False) -> None:
        self.reads, self.unsent, self.aborted, self.writes = reads, 0, 0, 0

    def write(self, data: bytes) -> None:
        self.writes += 1
        self.unsent += 0 if self.reads else len(data)

    def abort(self) -> None:
        self.aborted += 1
        self.unsent = 0


@pytest.mark.parametrize("reads", [False, True])
def test_a_control_client_that_stops_reading_is_dropped_once_and_audited(ctx, reads):
    transport = Unread(reads)
    connection = ControlConnection(ControlApp(ctx), "local:sam", transport.write,
                                   lambda: transport.unsent, lambda: None, lambda reason: None,
                                   transport.abort)
    event = {"event": "request_created", "request": {"id": "r1", "reason": "x" * 60_000}}
    for _ in range(MAX_UNSENT // 60_000 + 50):
        connection.on_event(event)  # not `output`: queued whatever the buffer held, before
    dropped = [e for e in audit.export(ctx.store) if e["type"] == "control.dropped"]
    if reads:
        assert transport.aborted == 0 and not connection.closed and dropped == []
        return
    assert transport.aborted == 1 and connection.closed
    assert transport.writes <= MAX_UNSENT // 60_000 + 1
    assert [(e["actor"], e["data"]["unsent"] > MAX_UNSENT) for e in dropped] == [("local:sam", True)]
    connection.on_event(event)
    assert transport.writes <= MAX_UNSENT // 60_000 + 1 and transport.aborted == 1
