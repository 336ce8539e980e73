"""Attack j19o, at the store and the two doors' parsers: rights that outlive the person (a removed
user's requests, held commands and grants; a name enrolled again), requests judged again at their
decision, filed requests rate limited whatever their outcome, numbers and text bounded on the
CLI and the SSH command interface, and `env` requests bounded per channel."""

from __future__ import annotations

import asyncio
import io
import logging

import asyncssh
import pytest

from bastion import audit, cli
from bastion.access import grants, limits, sessions, users
from bastion.config import load_config
from bastion.ssh import channel_requests
from bastion.ssh import commands as ssh_commands
from bastion.store import now
from tests.conftest import append_toml


def request(ctx, user="bob", **kw):
    args = {"target": "web01", "login": "deploy", "ticket": "INC-1", "duration": 1800,
            "reason": "disk full"} | kw
    return grants.create_request(ctx.store, ctx.config, user, **args)


def events(ctx, kind):
    return [e for e in audit.export(ctx.store) if e["type"] == kind]


def new_key():
    return asyncssh.generate_private_key("ssh-ed25519").convert_to_public()


# -- 1. what a removal closes; a name enrolled again starts empty --------------------------------

def test_removal_closes_pending_requests_and_held_commands_and_nothing_passes_to_a_new_bob(
        ctx, enrol):
    enrol("bob")
    enrol("sue", "supervisor")
    pending = request(ctx)
    session = sessions.create(ctx.store, user="bob", target="web01", login="deploy",
                              ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
    held = sessions.hold(ctx.store, session, "bob", "rm -rf /srv", "careful", 60)

    users.remove(ctx.store, "bob", "local:admin")

    assert grants.get_request(ctx.store, pending["id"])["state"] == "denied"
    assert grants.list_requests(ctx.store) == []
    (denied,) = events(ctx, "request.denied")
    assert (denied["data"]["request"], denied["data"]["reason"]) == (pending["id"], "user removed")
    assert sessions.held_state(ctx.store, held)["state"] == "rejected"
    assert [e["data"]["reason"] for e in events(ctx, "command.rejected")] == ["user removed"]
    with pytest.raises(grants.GrantError, match="not pending"):
        grants.approve(ctx.store, ctx.config, pending["id"], "sue")
    with pytest.raises(sessions.SessionError):
        sessions.decide_held(ctx.store, ctx.config, held, "sue", confirm=True)

    # A row made for the name after the removal (however it came) is not the next person's.
    t = now()
    ctx.store.execute("INSERT INTO grants(id, request_id, user, target, login, ticket, starts, "
                      "ends, kind) VALUES ('g99', NULL, 'bob', 'web01', 'root', 'INC-1', ?, ?, "
                      "'request')", (t, t + 3600))
    ctx.store.execute("INSERT INTO mfa_failures(user, at) VALUES ('bob', ?)", (t,))
    users.add(ctx.store, "bob", "engineer", new_key(), "local:admin")
    assert grants.active_grants(ctx.store, "bob") == []
    assert grants.list_requests(ctx.store, user="bob") == []
    assert ctx.store.one("SELECT count(*) AS n FROM mfa_failures WHERE user = 'bob'")["n"] == 0


def test_a_request_of_someone_locked_or_removed_cannot_be_decided(ctx, enrol):
    enrol("bob")
    enrol("sue", "supervisor")
    req = request(ctx)
    users.lock(ctx.store, "bob", "lost laptop", "sue")
    for decide in (lambda: grants.approve(ctx.store, ctx.config, req["id"], "sue"),
                   lambda: grants.deny(ctx.store, ctx.config, req["id"], "sue")):
        with pytest.raises(grants.GrantError, match="bob is locked"):
            decide()
    assert grants.active_grants(ctx.store, "bob") == []
    # A removal that somehow left the request pending still cannot be approved.
    ctx.store.execute("UPDATE users SET removed = 1 WHERE name = 'bob'")
    with pytest.raises(grants.GrantError, match="bob was removed"):
        grants.approve(ctx.store, ctx.config, req["id"], "sue")


def test_vendor_issued_again_under_a_removed_name_gets_only_its_new_grant(ctx):
    key = new_key()
    _, first = grants.issue_vendor(ctx.store, ctx.config, ctx.user_ca, name="acme", key=key,
                                   target="web01", login="deploy", ticket="INC-1",
                                   duration=3600, actor="local:admin")
    users.remove(ctx.store, "acme", "local:admin")
    t = now()  # a grant for the name made after the removal, however it came
    ctx.store.execute("INSERT INTO grants(id, request_id, user, target, login, ticket, starts, "
                      "ends, kind) VALUES ('g99', NULL, 'acme', 'db01', 'postgres', 'INC-1', ?, ?, "
                      "'vendor')", (t, t + 3600))
    _, second = grants.issue_vendor(ctx.store, ctx.config, ctx.user_ca, name="acme", key=key,
                                    target="web01", login="deploy", ticket="INC-2",
                                    duration=3600, actor="local:admin")
    assert [g.id for g in grants.active_grants(ctx.store, "acme")] == [second.id]
    assert grants.grant_is_live(ctx.store, first.id) is not None


# -- 2. a request is judged again when it is decided --------------------------------------------

def test_an_approval_is_judged_by_the_requesters_role_at_the_decision(ctx, enrol, home):
    append_toml(home, '[roles.junior]\napproval = "required"\nmax_duration = "30m"\n'
                      'user_cert_ttl = "15m"\ntargets = ["web*"]\nlogins = ["deploy"]\n')
    ctx.config = load_config(home.config_file)
    enrol("ann")
    enrol("sue", "supervisor")
    long = request(ctx, "ann", duration=4 * 3600)
    asked = request(ctx, "ann", duration=3600, ticket="INC-2")
    other = request(ctx, "ann", target="db01", login="postgres", ticket="INC-3")
    users.set_role(ctx.store, "ann", "junior", "local:admin")  # demoted while they wait

    grant = grants.approve(ctx.store, ctx.config, long["id"], "sue")
    assert grant.ends - grant.starts == pytest.approx(1800)  # cut to the role's maximum now
    with pytest.raises(grants.GrantError, match="max_duration 30m"):
        grants.approve(ctx.store, ctx.config, asked["id"], "sue", duration=3600)
    with pytest.raises(grants.GrantError, match="may not use target db01"):
        grants.approve(ctx.store, ctx.config, other["id"], "sue")
    assert grants.get_request(ctx.store, other["id"])["state"] == "pending"
    assert [g.id for g in grants.active_grants(ctx.store, "ann")] == [grant.id]


# -- 4. filed requests are rate limited whatever becomes of them --------------------------------

def test_auto_approved_requests_are_rate_limited_and_the_refusals_are_one_row(ctx, enrol, home):
    append_toml(home, '[roles.dev]\napproval = "auto"\nmax_duration = "4h"\n'
                      'targets = ["web*"]\nlogins = ["deploy"]\n')
    ctx.config = load_config(home.config_file)
    enrol("eve", "dev")
    enrol("bob")
    refusals = limits.RefusalLog()
    made = [request(ctx, "eve", ticket=f"INC-{i}", refusals=refusals)
            for i in range(grants.REQUESTS_PER_MINUTE)]
    assert {r["state"] for r in made} == {"approved"}
    for i in range(50):
        with pytest.raises(grants.GrantError, match="in the last minute"):
            request(ctx, "eve", ticket=f"INC-{100 + i}", refusals=refusals)
    assert len(grants.active_grants(ctx.store, "eve")) == grants.REQUESTS_PER_MINUTE
    assert len(events(ctx, "request.refused")) == 1
    assert refusals.due(float("inf")) == [("eve", grants.REQUESTS_REFUSED, 49)]
    assert request(ctx, "bob")["state"] == "pending"  # someone else is not held back
    ctx.store.execute("UPDATE requests SET created = created - 61 WHERE user = 'eve'")
    assert request(ctx, "eve", ticket="INC-999")["state"] == "approved"


# -- 3. numbers and text on the CLI and the SSH command interface -------------------------------

@pytest.mark.parametrize("argv", [
    ["revoke", "--serial", str(2**63)], ["revoke", "--serial", "0"], ["revoke", "--serial", "-1"],
    ["revoke", "--serial", "9" * 5000], ["replay", "s1", "--speed", "nan"],
    ["replay", "s1", "--speed", "1e-320"], ["tui", "--port", "70000"],
])
def test_cli_numbers_out_of_range_are_one_line_usage_errors(argv, home):
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["--home", str(home.path), *argv], out, err) == 2
    assert "internal error" not in err.getvalue()
    assert "must be" in err.getvalue() or "invalid" in err.getvalue()


@pytest.mark.parametrize("argv", [["kill", "r\udcff"], ["deny", "r\udcff"],
                                  ["revoke", "--user", "\udcff"], ["user", "lock", "\udcff"]])
def test_cli_arguments_that_are_not_utf8_are_refused_plainly(argv, home, ctx):
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["--home", str(home.path), *argv], out, err) == 2
    assert err.getvalue().endswith("is not valid UTF-8 text\n")
    assert err.getvalue().count("\n") == 1


class _App:
    def __init__(self, ctx):
        self.store, self.config, self.ctx = ctx.store, ctx.config, ctx
        self.request_refusals = None

    def note_refusal(self, *args, **kwargs):
        pass


class _Server:
    client_addr = "127.0.0.1"
    certificates_issued = 0
    proof = None
    enrolled = None  # any enrolment of the name (the check is tested in test_attack_k20o)

    def is_ending(self):
        return False


def test_every_ssh_command_is_answered_whatever_goes_wrong(ctx, enrol, monkeypatch, caplog):
    enrol("sue", "supervisor")
    door = ssh_commands.CommandSession(_App(ctx), "sue", _Server())

    def run(line):
        out, err = io.StringIO(), io.StringIO()
        return asyncio.run(door.execute(line, out, err)), err.getvalue()

    code, err = run(f"revoke --serial {2**63}")
    assert code == 2 and "from 1 to" in err
    code, err = run("kill r\udcff")
    assert code == 2 and err == "bastion: the command is not valid UTF-8 text\n"

    def broken(*args, **kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(grants, "list_requests", broken)
    with caplog.at_level(logging.ERROR, logger="bastion.ssh.commands"):
        code, err = run("requests")
    assert code == 1 and err.count("\n") == 1 and "OverflowError" in err
    assert len([r for r in caplog.records if r.exc_info]) == 1


# -- 5. env requests ------------------------------------------------------------------------------

def test_env_requests_are_bounded_in_number_size_and_time():
    env = {}
    assert channel_requests.env_problem(False, env, b"LANG", b"C.UTF-8") is None
    assert "after the session" in channel_requests.env_problem(True, env, b"LANG", b"C")
    assert "longer" in channel_requests.env_problem(False, env, b"X", b"A" * 30000)
    full = {f"X{i}".encode(): b"" for i in range(channel_requests.MAX_ENV)}
    assert "more than" in channel_requests.env_problem(False, full, b"Y", b"")
    assert channel_requests.env_problem(False, full, b"X1", b"again") is None  # replaces one
