"""The command line as an admin uses it: real commands, real files, OpenSSH's own tools as the judge."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bastion.cli import main
from tests.conftest import make_key, ssh_keygen


def bastion(home, *args, check=None):
    """Run the real console entry point in a subprocess, as an admin would."""
    proc = subprocess.run([sys.executable, "-m", "bastion", "--home", str(home.path), *args],
                          capture_output=True, text=True, timeout=60)
    if check is not None:
        assert proc.returncode == check, proc.stderr
    return proc


def test_init_creates_the_contract_layout_with_private_modes(tmp_path):
    home = tmp_path / "h"
    proc = subprocess.run([sys.executable, "-m", "bastion", "--home", str(home), "init",
                           "--hostname", "bastion.example.com"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in ("ca/user_ca", "ca/user_ca.pub", "ca/target_ca", "ca/target_ca.pub", "ca/host_ca",
                 "ca/host_ca.pub", "host_key", "host_key-cert.pub", "bastion.db", "bastion.toml",
                 "policy.toml", "recordings"):
        assert (home / name).exists(), name
    for name in ("ca/user_ca", "ca/target_ca", "ca/host_ca", "host_key", "bastion.db", "secret.key"):
        assert (home / name).stat().st_mode & 0o077 == 0, name
    out = proc.stdout
    assert "TrustedUserCAKeys" in out and "AuthorizedKeysFile none" in out
    assert "PasswordAuthentication no" in out and "KbdInteractiveAuthentication no" in out
    assert "AuthorizedPrincipalsFile" in out
    assert "@cert-authority bastion.example.com ssh-ed25519 " in out
    host = ssh_keygen("-L", "-f", str(home / "host_key-cert.pub")).stdout
    assert "host certificate" in host and "bastion.example.com" in host
    # idempotent: nothing changes the second time
    before = (home / "ca/user_ca").read_bytes()
    again = subprocess.run([sys.executable, "-m", "bastion", "--home", str(home), "init"],
                           capture_output=True, text=True)
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert (home / "ca/user_ca").read_bytes() == before


def test_commands_refuse_a_home_that_does_not_exist(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bastion", "--home", str(tmp_path / "none"),
                           "requests"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "not a bastion home" in proc.stderr and "Traceback" not in proc.stderr


def test_bastion_home_environment_variable_is_used(home):
    env = dict(os.environ, BASTION_HOME=str(home.path))
    proc = subprocess.run([sys.executable, "-m", "bastion", "user", "list", "--json"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


def test_usage_errors_exit_2(home):
    proc = bastion(home, "revoke")
    assert proc.returncode == 2 and "usage:" in proc.stderr
    proc = bastion(home, "frobnicate")
    assert proc.returncode == 2


def test_user_add_prints_the_totp_uri_and_a_qr_code(home, tmp_path):
    path, _ = make_key(tmp_path, "alice")
    proc = bastion(home, "user", "add", "alice", "--role", "engineer", "--key", f"{path}.pub",
                   check=0)
    assert "otpauth://totp/bastion:alice%40" in proc.stdout
    assert "issuer=bastion" in proc.stdout
    assert "█" in proc.stdout or "▀" in proc.stdout or "▄" in proc.stdout
    listed = json.loads(bastion(home, "user", "list", "--json", check=0).stdout)
    assert listed == [{"name": "alice", "role": "engineer", "locked": False, "lock_reason": None,
                       "keys": 1, "totp": True}]


def test_a_key_belongs_to_one_user_only(home, tmp_path):
    path, _ = make_key(tmp_path, "alice")
    bastion(home, "user", "add", "alice", "--role", "engineer", "--key", f"{path}.pub", check=0)
    proc = bastion(home, "user", "add", "mallory", "--role", "engineer", "--key", f"{path}.pub")
    assert proc.returncode == 1 and "already belongs to alice" in proc.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["user", "add", "Bad Name", "--role", "engineer", "--key", "/dev/null"], "invalid user name"),
    (["user", "add", "bob\n", "--role", "engineer", "--key", "/dev/null"], "invalid user name"),
    (["user", "add", "bob", "--role", "wizard", "--key", "/dev/null"], "role 'wizard'"),
    (["user", "add", "bob", "--role", "engineer", "--key", "/nonexistent"], "cannot read key"),
    (["user", "add", "bob", "--role", "engineer", "--key", "/etc/hostname"], "not an OpenSSH public key"),
    (["approve", "r999"], "no such request"),
    (["revoke", "--serial", "99999"], "no certificate with serial"),
])
def test_bad_input_gets_one_line_and_exit_1(home, args, message):
    proc = bastion(home, *args)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_private_key_given_as_public_key_is_refused(home, tmp_path):
    path, _ = make_key(tmp_path, "bob")
    proc = bastion(home, "user", "add", "bob", "--role", "engineer", "--key", str(path))
    assert proc.returncode == 1 and "private key" in proc.stderr


def test_vendor_certificate_fields_seen_by_ssh_keygen(home, tmp_path):
    path, _ = make_key(tmp_path, "acme")
    out = tmp_path / "acme-cert.pub"
    proc = bastion(home, "vendor", "issue", "--name", "acme", "--key", f"{path}.pub", "--target",
                   "web01", "--login", "deploy", "--ticket", "CHG-9", "--duration", "2h", "--out",
                   str(out), check=0)
    assert "single use" in proc.stdout and "ssh -p 2222" in proc.stdout
    listing = ssh_keygen("-L", "-f", str(out)).stdout
    assert "user certificate" in listing
    assert "operator=acme" in listing and "ticket=CHG-9" in listing and "kind=vendor" in listing
    assert "deploy@web01" in listing
    serial = int(listing.split("Serial: ")[1].split()[0])
    assert serial != 0
    user_ca_fp = ssh_keygen("-l", "-f", str(home.user_ca) + ".pub").stdout.split()[1]
    assert f"Signing CA: ED25519 {user_ca_fp}" in listing
    extensions = listing.split("Extensions:")[1]
    assert "permit-pty" in extensions
    for forbidden in ("permit-port-forwarding", "permit-agent-forwarding",
                      "permit-X11-forwarding", "permit-user-rc"):
        assert forbidden not in extensions
    valid = listing.split("Valid: from ")[1].split("\n")[0]
    assert " to " in valid and "forever" not in valid


def test_krl_lists_revoked_certificates_for_ssh_keygen(home, tmp_path):
    certs_out = []
    for name, ticket in (("acme", "CHG-1"), ("acme2", "CHG-2")):
        path, _ = make_key(tmp_path, name)
        out = tmp_path / f"{name}-cert.pub"
        bastion(home, "vendor", "issue", "--name", name, "--key", f"{path}.pub", "--target",
                "web01", "--login", "deploy", "--ticket", ticket, "--duration", "1h", "--out",
                str(out), check=0)
        certs_out.append(out)
    bastion(home, "revoke", "--ticket", "CHG-1", "--reason", "done", check=0)
    krl = tmp_path / "revoked.krl"
    bastion(home, "krl", "--out", str(krl), check=0)
    revoked = ssh_keygen("-Q", "-f", str(krl), str(certs_out[0]))
    assert "REVOKED" in revoked.stdout
    fine = ssh_keygen("-Q", "-f", str(krl), str(certs_out[1]))
    assert fine.returncode == 0 and "ok" in fine.stdout


def test_request_listing_and_decisions_from_the_cli(ctx, enrol, home, capsys):
    from bastion.access import grants

    enrol("alice")
    req = grants.create_request(ctx.store, ctx.config, "alice", target="web01", login="deploy",
                                ticket="INC-42", duration=1800, reason="disk full")
    assert main(["--home", str(home.path), "requests", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [req["id"]]
    assert main(["--home", str(home.path), "approve", req["id"], "--duration", "10m"]) == 0
    assert f"request {req['id']} approved" in capsys.readouterr().out
    grant = grants.active_grants(ctx.store, "alice")[0]
    assert grant.ends - grant.starts == pytest.approx(600)


@pytest.mark.parametrize(("name", "mode"), [("secret.key", 0o644), ("ca/user_ca", 0o640),
                                            ("bastion.db", 0o604), ("ca", 0o755)])
def test_serve_refuses_a_home_whose_secrets_are_open_to_others(home, name, mode):
    (home.path / name).chmod(mode)
    proc = bastion(home, "serve", "--listen", "127.0.0.1:0")
    assert proc.returncode == 1
    assert "permissions too open" in proc.stderr and name.split("/")[-1] in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_files_the_bastion_creates_are_private(home):
    bastion(home, "user", "list", check=0)
    for path in home.path.rglob("*"):
        assert path.stat().st_mode & 0o077 == 0, path
