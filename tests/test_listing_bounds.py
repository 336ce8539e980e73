"""What the console asks for every few seconds runs on the server's one loop: its work must not
grow with the history (attack a10o F1). Rows and query plans are counted, never time."""

from __future__ import annotations

import sqlite3

import pytest

from bastion.access import grants, sessions
from bastion.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "a.db", create=True)
    with s.transaction():
        for i in range(sessions.MAX_ENDED_LISTED + 50):
            s.execute("INSERT INTO sessions(id, user, target, login, ticket, state, started) "
                      "VALUES (?, 'alice', 'web', 'root', 'T-1', ?, ?)",
                      (f"s{i}", "active" if i in (0, 300) else "ended", float(i)))
            s.execute("INSERT INTO recordings(path, session_id, channel, kind, started) "
                      "VALUES (?, ?, 0, 'cast', ?)", (f"/r/s{i}.cast", f"s{i}", float(i)))
        for i in range(sessions.MAX_ALERTS_COUNTED + 20):
            s.execute("INSERT INTO commands(session_id, channel, at, line, verdict) "
                      "VALUES ('s0', 0, ?, ?, ?)", (float(i), f"echo {i}", "deny" if i % 2 else "allow"))
    yield s
    s.close()


def test_the_supervisors_listing_holds_the_live_and_only_the_newest_ended_sessions(store):
    live = sessions.list_for_supervisors(store)
    assert [r["id"] for r in live] == ["s0", "s300"]
    assert live[0]["recordings"] == ["s0.cast"] and live[0]["last_command"] == "echo 1019"
    assert live[0]["alerts"] == 510 and live[1]["alerts"] == 0
    every = sessions.list_for_supervisors(store, include_ended=True)
    ids = {r["id"] for r in every}
    assert len(every) == sessions.MAX_ENDED_LISTED + 2  # the newest ended ones and the two live
    assert {"s0", "s300", f"s{sessions.MAX_ENDED_LISTED + 49}"} <= ids and "s1" not in ids
    assert all(r["recordings"] == [f"{r['id']}.cast"] for r in every)


def test_alerts_are_counted_up_to_a_bound(store):
    with store.transaction():
        for _ in range(sessions.MAX_ALERTS_COUNTED):
            store.execute("INSERT INTO commands(session_id, channel, at, line, verdict) "
                          "VALUES ('s0', 0, 0, 'x', 'deny')")
    assert sessions.list_for_supervisors(store)[0]["alerts"] == sessions.MAX_ALERTS_COUNTED


def test_no_listing_query_scans_the_commands_table(store):
    plans: list[str] = []
    conn = sqlite3.connect(store.path)
    sql: list[str] = []
    original = store.all

    def traced(q, params=()):
        sql.append(q)
        return original(q, params)

    store.all = traced
    sessions.list_for_supervisors(store, include_ended=True)
    for q in sql:
        plans += [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + q.replace("?", "NULL"))]
    assert plans and not [p for p in plans if p.startswith("SCAN c") or p.startswith("SCAN commands")]


def test_a_users_request_history_is_read_newest_first_and_bounded(store):
    with store.transaction():
        for i in range(30):
            store.execute("INSERT INTO requests(id, user, target, login, ticket, reason, duration, "
                          "state, created, expires) VALUES (?, 'alice', 'web', 'root', 'T-1', 'r', 60, "
                          "'denied', ?, 0)", (f"r{i}", float(i)))
    rows = grants.list_requests(store, state=None, user="alice", newest=20)
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(10, 30)]


def test_listings_on_the_ssh_interface_are_bounded_and_say_so_the_cli_lists_all(
        ctx, enrol, home, monkeypatch):
    # attack k20o F10: `requests --all` / `sessions --all` over SSH run on the server's loop.
    import asyncio
    import io

    from bastion import cli
    from bastion.ssh import commands
    from tests.test_grants_j19o import _App, _Server

    enrol("sue", "supervisor")
    with ctx.store.transaction():
        for i in range(8):
            ctx.store.execute(
                "INSERT INTO requests(id, user, target, login, ticket, reason, duration, state, "
                "created, expires) VALUES (?, 'amy', 'web01', 'root', 'T-1', 'x', 60, 'denied', "
                "?, ?)", (f"r{i + 1}", float(i), float(i)))
            ctx.store.execute("INSERT INTO sessions(id, user, target, login, ticket, state, "
                              "started) VALUES (?, 'amy', 'web01', 'root', 'T-1', ?, ?)",
                              (f"s{i + 1}", "active" if i == 0 else "ended", float(i)))
    monkeypatch.setattr(commands, "LISTED", 3)
    door = commands.CommandSession(_App(ctx), "sue", _Server())

    def run(line):
        out, err = io.StringIO(), io.StringIO()
        return asyncio.run(door.execute(line, out, err)), out.getvalue(), err.getvalue()

    code, out, err = run("requests --all")
    assert code == 0 and [w for w in out.split() if w[:1] == "r" and w[1:].isdigit()] == ["r6", "r7", "r8"]
    assert "only the newest 3 are listed" in err and "bastion requests --all" in err
    code, out, err = run("sessions --all")
    listed = [w for w in out.split() if w.startswith("s") and w[1:].isdigit()]
    assert code == 0 and listed == ["s1", "s6", "s7", "s8"] and "only the newest 3" in err
    code, out, err = run("requests")
    assert (code, out, err) == (0, "(none)\n", "")
    cli_out = io.StringIO()
    assert cli.main(["--home", str(home.path), "requests", "--all"], cli_out, io.StringIO()) == 0
    assert "r1" in cli_out.getvalue().split() and "r8" in cli_out.getvalue().split()
