"""The audit events as a SIEM reads them: every event names its node, session-scoped ones carry the
session's user, target, login, ticket and client inside the hashed row, `audit export` adds ECS
fields beside the row's own, and docs/AUDIT.md stays true to the registry and to the code."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bastion import audit
from bastion.access import sessions
from bastion.cli import main
from bastion.command_control.sftplog import FileTransfer
from bastion.store import Store, dumps

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def configured() -> Iterator[None]:
    """The node name and syslog destination are per process: no test sees another's."""
    audit.chain._node = None
    yield
    audit.chain._node = None
    audit.configure_syslog("")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bastion.db", create=True)
    yield s
    s.close()


def start_session(store: Store) -> str:
    return sessions.create(store, user="alice", target="web01", login="root", ticket="INC-42",
                           grant_id="g1", serial=7, client_addr="10.1.2.3")


# ---------------------------------------------------------------- what is stored and exported

def test_session_scoped_events_carry_the_session_inside_the_hashed_row(store, monkeypatch):
    monkeypatch.setenv("BASTION_NODE", "bastion-b")
    sid = start_session(store)
    audit.record(store, "command.verdict", "alice", session=sid, channel=1, line="uptime",
                 verdict="allow", rule="defaults.unmatched")
    held = sessions.hold(store, sid, "alice", "reboot", "confirm-power", 60)
    sessions.expire_held(store, held)
    audit.record(store, "user.locked", "local:sam", user="bob", reason="left")
    rows = {e["type"]: e for e in audit.export(store)}
    access = {"user": "alice", "target": "web01", "login": "root", "ticket": "INC-42",
              "client": "10.1.2.3"}
    for kind in ("session.started", "command.verdict", "command.held", "command.expired"):
        assert rows[kind]["data"]["access"] == access, kind
        assert rows[kind]["data"]["node"] == "bastion-b"
    assert "access" not in rows["user.locked"]["data"]
    # Inside the chain: changing the copied user breaks the row's hash.
    with store.transaction():
        row = store.one("SELECT seq, data FROM events WHERE type = 'command.verdict'")
        data = json.loads(row["data"])
        data["access"]["user"] = "mallory"
        store.execute("UPDATE events SET data = ? WHERE seq = ?", (dumps(data), row["seq"]))
    assert audit.verify(store).bad_seq == row["seq"]


def test_export_adds_ecs_fields_beside_the_rows_own(store):
    audit.chain._node = "bastion-a"
    sid = start_session(store)
    audit.record(store, "command.verdict", "alice", session=sid, channel=1, line="rm -rf /",
                 verdict="deny", rule="no-root-wipe")
    audit.record(store, "request.approved", "local:sam", request="r3", grant="g2", user="bob",
                 target="db01", login="postgres", ticket="CHG-9", ends=1.0, reason="")
    audit.record(store, "auth.refused", "(empty)", client="::1", reason="unknown key",
                 proven=False)
    verdict, approved, refused = list(audit.export(store))[-3:]
    assert set(verdict) >= {"seq", "at", "type", "code", "actor", "data", "prev_hash", "hash"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", verdict["@timestamp"])
    assert audit.iso_time(0.5) == "1970-01-01T00:00:00.500000Z"
    assert verdict["event"] == {"action": "command.verdict", "code": "C001",
                                "sequence": verdict["seq"], "kind": "event",
                                "dataset": "bastion.audit", "category": ["process"]}
    assert verdict["observer"] == {"name": "bastion-a", "product": "bastion", "type": "proxy"}
    assert verdict["user"] == {"name": "alice", "effective": {"name": "root"}}
    assert verdict["source"] == {"address": "10.1.2.3", "ip": "10.1.2.3"}
    assert verdict["destination"] == {"address": "web01"}
    assert verdict["bastion"] == {"session": sid, "ticket": "INC-42"}
    # Not session-scoped: the actor acts on someone.
    assert approved["user"] == {"name": "local:sam", "target": {"name": "bob"}}
    assert approved["destination"] == {"address": "db01"}
    assert approved["bastion"] == {"ticket": "CHG-9"}
    assert refused["source"] == {"address": "::1", "ip": "::1"}
    assert refused["event"]["category"] == ["authentication"]


def test_rows_written_before_the_change_still_verify_and_export(store, capsys):
    """Rows as an older bastion wrote them (no node, no access), then new ones: one chain."""
    prev = audit.GENESIS
    with store.transaction():
        for seq, data in enumerate([{"user": "u1", "role": "engineer", "key": None},
                                    {"session": "s1", "reason": "client disconnected",
                                     "state": "ended"}], 1):
            kind = "user.added" if seq == 1 else "session.ended"
            row = {"seq": seq, "at": 1_700_000_000.0 + seq, "type": kind,
                   "code": audit.EVENT_TYPES[kind].code, "actor": "alice", "data": dumps(data),
                   "prev_hash": prev}
            row["hash"] = prev = audit.chain._row_hash(row)
            store.execute("INSERT INTO events(seq, at, type, code, actor, data, prev_hash, hash) "
                          "VALUES (:seq, :at, :type, :code, :actor, :data, :prev_hash, :hash)", row)
    audit.record(store, "user.unlocked", "local:sam", user="u1")
    assert audit.verify(store).ok and audit.verify(store).rows == 3
    old, ended, new = audit.export(store)
    assert old["user"] == {"name": "alice", "target": {"name": "u1"}} and "observer" not in old
    assert "observer" not in ended and ended["bastion"] == {"session": "s1"}
    assert ended["@timestamp"] == "2023-11-14T22:13:22.000000Z"
    assert new["data"]["node"] == audit.node_name()


def test_the_cli_export_prints_one_json_line_per_event(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["--home", str(home), "init", "--hostname", "bastion.test"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "audit", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    event = json.loads(lines[0])
    assert event["type"] == "bastion.init" and event["event"]["code"] == "B001"
    assert event["observer"]["name"] == audit.node_name()


def test_with_audit_syslog_events_every_event_follows_its_head_as_a_json_line(store):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    try:
        audit.configure_syslog(f"udp:127.0.0.1:{receiver.getsockname()[1]}", events=True)
        sid = start_session(store)
        head = receiver.recv(65536).decode()
        line = receiver.recv(65536).decode()
    finally:
        receiver.close()
    exported = next(e for e in audit.export(store) if e["type"] == "session.started")
    assert f"audit head seq={exported['seq']} hash={exported['hash']}" in head
    assert line.startswith("<86>bastion[") and line.endswith("\0")
    sent = json.loads(line.split("]: ", 1)[1].rstrip("\0"))
    assert sent == json.loads(json.dumps(exported)) and sent["bastion"]["session"] == sid


def test_syslog_lines_are_ascii_whatever_a_user_typed(store):
    typed = "echo ok #\u009b2J\u0085Dec  6 sshd[1]: Accepted\u202e\u2028 caf\u00e9 \U0001f600"
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    try:
        audit.configure_syslog(f"udp:127.0.0.1:{receiver.getsockname()[1]}", events=True)
        audit.record(store, "command.verdict", "alice", line=typed, verdict="allow",
                     rule="defaults.unmatched")
        head, line = receiver.recv(65536), receiver.recv(65536)
    finally:
        receiver.close()
    assert head.isascii() and line.isascii(), line
    assert json.loads(line.decode().split("]: ", 1)[1].rstrip("\0"))["data"]["line"] == typed


def test_record_refuses_to_be_told_its_own_fields(store):
    with pytest.raises(ValueError, match="written by record itself"):
        audit.record(store, "user.added", "local:test", user="x", node="forged")


# ---------------------------------------------------------------- the schema stays true

def test_docs_audit_md_is_generated_from_the_registry():
    written = (ROOT / "docs" / "AUDIT.md").read_text(encoding="utf-8")
    assert written == audit.schema_markdown(), (
        "docs/AUDIT.md is out of date: regenerate it with "
        "python -c 'from bastion import audit; print(audit.schema_markdown(), end=\"\")' "
        "> docs/AUDIT.md")


def test_every_field_an_event_declares_is_explained_and_every_explanation_is_used():
    declared = {f for t in audit.EVENT_TYPES.values() for f in t.fields}
    assert declared - set(audit.FIELDS) == set()
    assert set(audit.FIELDS) - declared == set(audit.AUTOMATIC_FIELDS)
    assert not declared & set(audit.AUTOMATIC_FIELDS)


def test_file_transfer_declares_every_field_of_an_sftp_transfer():
    fields = {f.name for f in dataclasses.fields(FileTransfer) if not f.name.startswith("_")}
    fields |= set(FileTransfer("/x", "read").as_dict())
    assert fields - set(audit.EVENT_TYPES["file.transfer"].fields) == set()


# Functions that record one event type whatever their caller passes: name -> (event, fixed fields).
RECORDERS = {"audit_refusal": ("auth.refused", {"client", "reason", "proven"}),
             "_acted": ("control.action", {"op"})}


def _event_names(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _event_names(node.body) + _event_names(node.orelse)
    return []


def recorded_calls() -> Iterator[tuple[str, int, str, set[str]]]:
    """(file, line, event, keyword names) for every call in bastion/ that records an event whose
    type is written in the call."""
    for path in sorted((ROOT / "bastion").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            keywords = {k.arg for k in node.keywords if k.arg is not None}
            if name in ("record", "record_or_log") and len(node.args) >= 2:
                for event in _event_names(node.args[1]):
                    yield path.name, node.lineno, event, keywords
            elif name == "note_refusal" and node.args:  # Bastion.note_refusal(event, user, kind)
                for event in _event_names(node.args[0]):
                    yield path.name, node.lineno, event, keywords | {"kind", "repeated"}
            elif name in RECORDERS and path.name in ("server.py", "operations.py"):
                event, fixed = RECORDERS[name]
                yield path.name, node.lineno, event, keywords | fixed


def test_every_event_the_code_records_uses_only_fields_its_type_declares():
    calls = list(recorded_calls())
    assert len(calls) > 50  # the scan finds the code's calls (a scan that finds none proves nothing)
    wrong = [f"{file}:{line}: {event} does not declare {sorted(keywords - set(t.fields))}"
             for file, line, event, keywords in calls
             if (t := audit.EVENT_TYPES.get(event)) is None or keywords - set(t.fields)]
    assert wrong == []
    # sessions.end picks its event by the end state: the scan cannot read which.
    assert {event for _, _, event, _ in calls} >= set(audit.EVENT_TYPES) - {
        "session.ended", "session.killed", "session.interrupted"}
