"""Attack k20o, store and CLI level: a demotion fits the person's live grants to the new role at
once (F6); addresses spelled ::ffff:a.b.c.d are the IPv4 address everywhere (F8); hostile CLI
arguments are one-line errors (F1, F4)."""

from __future__ import annotations

import io
import time

import asyncssh
import pytest

import certs
from bastion import audit, cli
from bastion.access import grants, users
from tests.conftest import append_toml

INTERN = """
[roles.intern]
approval = "required"
max_duration = "30m"
user_cert_ttl = "10m"
targets = ["web01"]
logins = ["deploy"]
"""


def run(home, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["--home", str(home.path), *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_demotion_cuts_and_revokes_grants_and_cert_mints_only_what_the_role_allows(home):
    from bastion.runtime.home import open_home

    append_toml(home, INTERN)
    ctx = open_home(home)
    try:
        key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
        users.add(ctx.store, "alice", "engineer", key, "local:t")

        def grant(login: str, ticket: str):
            r = grants.create_request(ctx.store, ctx.config, "alice", target="web01",
                                      login=login, ticket=ticket, duration=4 * 3600, reason="x")
            return grants.approve(ctx.store, ctx.config, r["id"], "local:sam")

        root, deploy = grant("root", "INC-1"), grant("deploy", "INC-2")
        grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "alice", "INC-1", key,
                               client_addr=None)
    finally:
        ctx.close()
    assert run(home, "user", "set-role", "alice", "intern")[0] == 0

    ctx = open_home(home)
    try:
        live = {g.id: g for g in grants.active_grants(ctx.store, "alice")}
        assert root.id not in live                               # intern may not log in as root
        assert live[deploy.id].ends == pytest.approx(deploy.starts + 1800)  # 4h cut to 30m
        assert grants.live_certificates(ctx.store, "alice") == []  # the root one went with it
        with pytest.raises(grants.GrantError, match="no active grant for INC-1"):
            grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "alice", "INC-1", key,
                                   client_addr=None)
        cert = grants.mint_for_grants(ctx.store, ctx.config, ctx.user_ca, "alice", "INC-2", key,
                                      client_addr=None)
        assert certs.cert_info(cert).valid_before <= time.time() + 1800
        kinds = {e["type"] for e in audit.export(ctx.store)}
        assert {"grant.revoked", "grant.shortened"} <= kinds
    finally:
        ctx.close()


@pytest.mark.parametrize(("pinned", "written"), [
    ("::ffff:10.1.2.3", "10.1.2.3/32"), ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
    ("10.1.2.3", "10.1.2.3/32"), ("2001:db8::/64", "2001:db8::/64")])
def test_an_ipv4_client_on_a_dual_stack_listener_is_pinned_as_ipv4(ctx, pinned, written):
    # attack k20o F8: the pin and the login check spell the client the same way.
    from bastion.ssh.auth import _address_in, ipv4_spelled

    key = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    cert = certs.mint_user_certificate(ctx.user_ca, key, serial=1, key_id="k",
                                       principals=["root@web01"], valid_after=0,
                                       valid_before=2**40, source_address=[pinned])
    allowed = cert.options["source-address"]
    assert [str(n) for n in allowed] == [written]
    client = pinned.split("/")[0]
    assert _address_in(client, allowed) and _address_in(ipv4_spelled(client), allowed)
    assert ipv4_spelled("::ffff:10.1.2.3") == "10.1.2.3" and ipv4_spelled("::1") == "::1"


def one_line_refusal(result: tuple[int, str, str], code: int = 1) -> str:
    assert result[0] == code and result[2].count("\n") == 1, result
    assert "internal error" not in result[2]
    return result[2]


def test_hostile_cli_arguments_are_one_line_errors_and_no_vendor_grant_is_left(home, tmp_path):
    # attack k20o F1, F4
    import os

    from tests.conftest import make_key

    assert "not a regular file" in one_line_refusal(run(home, "krl", "--out", str(tmp_path)))
    assert "cannot write" in one_line_refusal(run(home, "krl", "--out", "/proc/nothing/x"))
    big = tmp_path / "big.pub"
    big.write_bytes(b"ssh-ed25519 " + b"A" * 70_000)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for key, problem in (("/dev/zero", "not a regular file"), (str(fifo), "not a regular file"),
                         (str(tmp_path), "cannot read key"), (str(big), "larger than 64 KB")):
        assert problem in one_line_refusal(
            run(home, "user", "add", "zed", "--role", "engineer", "--key", key))
        assert problem in one_line_refusal(
            run(home, "recording", "unseal", "x.cast", "--key", key))
    path, _ = make_key(tmp_path, "acme")
    vendor = ("vendor", "issue", "--name", "acme", "--key", f"{path}.pub", "--target", "web01",
              "--login", "deploy", "--ticket", "CHG-1", "--duration", "1h")
    for bad in ("1.2.3.4/33", "abc", "1.2.3.4/8", " 1.2.3.4"):
        code, _, err = run(home, *vendor, "--out", str(tmp_path / "o"), "--source-address", bad)
        assert code == 2 and "--source-address" in err and "internal error" not in err
    for out in (str(tmp_path), str(tmp_path / "missing" / "o")):
        assert "cannot write" in one_line_refusal(run(home, *vendor, "--out", out))
    from bastion.runtime.home import open_home

    ctx = open_home(home)
    try:
        assert ctx.store.all("SELECT id FROM grants") == []
        assert ctx.store.all("SELECT serial FROM certificates WHERE kind = 'vendor'") == []
        assert users.get(ctx.store, "acme") is None
    finally:
        ctx.close()
    cast = tmp_path / "list.cast"
    key = tmp_path / "esc.key"
    assert run(home, "escrow", "keygen", "--out", str(key))[0] == 0
    for value in ("[]", '{"a": 1}'):
        header = '{"version": 2, "width": 80, "height": 24, "escrow": {"key": VALUE}}\n'
        cast.write_text(header.replace("VALUE", value))
        assert "escrow key is not a string" in one_line_refusal(
            run(home, "recording", "unseal", str(cast), "--key", str(key)))
