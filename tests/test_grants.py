"""Requests, approvals and grants: ticket pattern, max duration, no self-approval, revocation."""

from __future__ import annotations

import pytest

from bastion import audit
from bastion.access import grants
from bastion.config import load_config
from tests.conftest import append_toml


def request(ctx, user="alice", **kw):
    args = {"target": "web01", "login": "deploy", "ticket": "INC-42", "duration": 1800,
            "reason": "disk full"} | kw
    return grants.create_request(ctx.store, ctx.config, user, **args)


def test_request_then_approval_creates_a_grant_for_the_window(ctx, enrol):
    enrol("alice")
    enrol("sam", "supervisor")
    req = request(ctx)
    assert req["id"].startswith("r") and req["state"] == "pending"
    grant = grants.approve(ctx.store, ctx.config, req["id"], "sam")
    assert (grant.user, grant.target, grant.login, grant.ticket) == ("alice", "web01", "deploy",
                                                                     "INC-42")
    assert grant.ends - grant.starts == pytest.approx(1800)
    assert grants.active_grants(ctx.store, "alice", "web01", "deploy") == [grant]


def test_nobody_approves_their_own_request(ctx, enrol):
    enrol("sam", "supervisor")
    req = request(ctx, user="sam")
    with pytest.raises(grants.GrantError, match="own request"):
        grants.approve(ctx.store, ctx.config, req["id"], "sam")
    with pytest.raises(grants.GrantError, match="own request"):
        grants.approve(ctx.store, ctx.config, req["id"], "local:sam")


def test_engineers_cannot_approve(ctx, enrol):
    enrol("alice")
    enrol("bob")
    req = request(ctx)
    with pytest.raises(grants.GrantError, match="may not approve"):
        grants.approve(ctx.store, ctx.config, req["id"], "bob")


@pytest.mark.parametrize("ticket", ["inc-42", "INC42", "INC-42; rm", "", "INC-42\n", "X-1"])
def test_ticket_must_match_the_pattern_as_a_whole(ctx, enrol, ticket):
    enrol("alice")
    with pytest.raises(grants.GrantError, match="ticket_pattern"):
        request(ctx, ticket=ticket)
    assert [e for e in audit.export(ctx.store) if e["type"] == "request.refused"]


def test_duration_over_the_role_maximum_is_refused(ctx, enrol):
    enrol("alice")
    with pytest.raises(grants.GrantError, match="max_duration 4h"):
        request(ctx, duration=4 * 3600 + 1)


@pytest.mark.parametrize(("kw", "message"), [
    ({"target": "nope"}, "unknown target"),
    ({"target": "db01", "login": "deploy"}, "not offered"),
    ({"target": "../etc"}, "invalid target"),
    ({"reason": "  "}, "reason is required"),
    ({"reason": "a\nb"}, "one line"),
])
def test_invalid_requests_say_why(ctx, enrol, kw, message):
    enrol("alice")
    with pytest.raises(grants.GrantError, match=message):
        request(ctx, **kw)


def test_role_auto_approval_and_auto_approve_targets(ctx, enrol, home):
    append_toml(home, '[roles.oncall]\napproval = "required"\nauto_approve_targets = ["db*"]\n')
    ctx.config = load_config(home.config_file)
    enrol("olga", "oncall")
    auto = request(ctx, user="olga", target="db01", login="postgres")
    assert auto["state"] == "approved" and auto["grant"]
    manual = request(ctx, user="olga")
    assert manual["state"] == "pending"


def test_decided_requests_cannot_be_decided_again(ctx, enrol):
    enrol("alice")
    enrol("sam", "supervisor")
    req = request(ctx)
    grants.deny(ctx.store, ctx.config, req["id"], "sam", "not now")
    with pytest.raises(grants.GrantError, match="denied, not pending"):
        grants.approve(ctx.store, ctx.config, req["id"], "sam")


def test_pending_requests_expire(ctx, enrol):
    enrol("alice")
    req = request(ctx)
    ctx.store.execute("UPDATE requests SET expires = 0 WHERE id = ?", (req["id"],))
    assert grants.list_requests(ctx.store) == []
    assert grants.get_request(ctx.store, req["id"])["state"] == "expired"


def test_revoking_a_ticket_ends_its_grants(ctx, enrol):
    enrol("alice")
    enrol("sam", "supervisor")
    g = grants.approve(ctx.store, ctx.config, request(ctx)["id"], "sam")
    other = grants.approve(ctx.store, ctx.config, request(ctx, ticket="INC-43")["id"], "sam")
    grants.revoke(ctx.store, actor="sam", ticket="INC-42", reason="done")
    assert grants.grant_is_live(ctx.store, g.id) == f"grant {g.id} was revoked: done"
    assert grants.grant_is_live(ctx.store, other.id) is None


@pytest.mark.parametrize("selector", ["grant of web01", "grant of db01", "ticket", "user"])
def test_a_certificate_covering_several_grants_is_revoked_with_any_one_of_them(
        ctx, enrol, tmp_path, selector):
    """Attack report A, F7: `cert INC-1` covers web01 and db01; revoking the web01 grant alone
    left the certificate valid for both, and out of the KRL."""
    import asyncssh

    from bastion.cli import main
    from tests.conftest import ssh_keygen

    enrol("alice")
    enrol("sam", "supervisor")
    web = grants.approve(ctx.store, ctx.config, request(ctx, ticket="INC-1")["id"], "sam")
    db = grants.approve(ctx.store, ctx.config, request(ctx, target="db01", login="postgres",
                                                       ticket="INC-1", duration=3600)["id"], "sam")
    key = asyncssh.generate_private_key("ssh-ed25519")
    cert = grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "alice", "INC-1",
                                  key.convert_to_public(), client_addr=None)
    serial = certs_info(cert).serial
    assert sorted(cert.principals) == ["deploy@web01", "postgres@db01"]

    selected = {"grant of web01": {"grant": web.id}, "grant of db01": {"grant": db.id},
                "ticket": {"ticket": "INC-1"}, "user": {"user": "alice"}}[selector]
    grants.revoke(ctx.store, actor="sam", reason="done", **selected)

    for principal in cert.principals:
        _row, problem = grants.certificate_problem(ctx.store, serial, principal)
        assert problem == f"certificate {serial} was revoked"
    assert serial in grants.revoked_serials(ctx.store)
    cert_file = tmp_path / "alice-cert.pub"
    cert.write_certificate(str(cert_file))
    krl = tmp_path / "revoked.krl"
    assert main(["--home", str(ctx.home.path), "krl", "--out", str(krl)]) == 0
    checked = ssh_keygen("-Q", "-f", str(krl), str(cert_file))
    assert "REVOKED" in checked.stdout, checked


def certs_info(cert):
    import certs

    return certs.cert_info(cert)


def test_revoke_needs_exactly_one_selector(ctx):
    with pytest.raises(grants.GrantError, match="exactly one"):
        grants.revoke(ctx.store, actor="x", user="a", ticket="INC-1")


def test_grant_selection_prefers_the_named_ticket_else_the_latest_end():
    a = grants.Grant("g1", "u", "t", "l", "INC-1", 0, 100, "request", "r1")
    b = grants.Grant("g2", "u", "t", "l", "INC-2", 0, 200, "request", "r2")
    assert grants.select_grant([a, b], None) is b
    assert grants.select_grant([a, b], "INC-1") is a
    assert grants.select_grant([a, b], "INC-9") is None


def test_pending_requests_are_capped_per_user_and_a_flood_of_refusals_is_one_row(ctx, enrol):
    from bastion.access import limits

    enrol("alice")
    enrol("bob")
    enrol("sam", "supervisor")
    refusals = limits.RefusalLog()
    made = [request(ctx, refusals=refusals) for _ in range(grants.MAX_PENDING)]

    for kw in ({}, {}, {"ticket": "bad ticket"}, {"ticket": "INC-9", "reason": "other"}):
        with pytest.raises(grants.GrantError):
            request(ctx, refusals=refusals, **kw)
    refused = [e for e in audit.export(ctx.store) if e["type"] == "request.refused"]
    assert len(refused) == 1 and "already have 10 pending" in refused[0]["data"]["problem"]
    assert len(grants.list_requests(ctx.store, user="alice")) == grants.MAX_PENDING
    # The rest are counted, to be written as one row when the minute is over.
    assert refusals.due(float("inf")) == [("alice", grants.REQUESTS_REFUSED, 3)]
    # Someone else is not held back, and a decided request makes room again.
    assert request(ctx, "bob", refusals=refusals)["state"] == "pending"
    grants.deny(ctx.store, ctx.config, made[0]["id"], "sam")
    assert request(ctx, refusals=refusals)["state"] == "pending"


def test_expired_requests_do_not_count_against_the_cap(ctx, enrol):
    enrol("alice")
    for _ in range(grants.MAX_PENDING):
        request(ctx)
    ctx.store.execute("UPDATE requests SET expires = 0 WHERE user = 'alice'")

    assert request(ctx)["state"] == "pending"
