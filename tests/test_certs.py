"""The certs package, judged by OpenSSH's own ssh-keygen wherever OpenSSH has a say."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import asyncssh
import pytest

import certs
from tests.rows import each

SSH_KEYGEN = "/usr/bin/ssh-keygen"
NOW = 1_800_000_000


@pytest.fixture
def user_ca(tmp_path: Path) -> certs.CertificateAuthority:
    return certs.load_or_create_ca(tmp_path / "ca" / "user_ca", "bastion user CA")


@pytest.fixture
def target_ca(tmp_path: Path) -> certs.CertificateAuthority:
    return certs.load_or_create_ca(tmp_path / "ca" / "target_ca", "bastion target CA")


@pytest.fixture
def host_ca(tmp_path: Path) -> certs.CertificateAuthority:
    return certs.load_or_create_ca(tmp_path / "ca" / "host_ca", "bastion host CA")


def mint(ca: certs.CertificateAuthority, **overrides: object) -> asyncssh.SSHCertificate:
    fields: dict[str, object] = {
        "serial": 17,
        "key_id": certs.format_key_id(operator="alice", ticket="INC-42", grant="g3", session="s9"),
        "principals": ["deploy@web01"],
        "valid_after": NOW - 60,
        "valid_before": NOW + 3600,
    }
    fields.update(overrides)
    return certs.mint_user_certificate(ca, certs.generate_ephemeral_key(), **fields)


def save(cert: asyncssh.SSHCertificate, folder: Path, name: str) -> Path:
    return certs.write_certificate(cert, folder / name)


def keygen_listing(cert_path: Path) -> dict[str, object]:
    """`ssh-keygen -L` output as {field: value}, list-valued for the indented sections."""
    result = subprocess.run(
        [SSH_KEYGEN, "-L", "-f", str(cert_path)],
        capture_output=True,
        text=True,
        check=True,
        env={"TZ": "UTC", "PATH": os.environ.get("PATH", "")},
    )
    listing: dict[str, object] = {}
    section: list[str] | None = None
    for line in result.stdout.splitlines()[1:]:
        depth = len(line) - len(line.lstrip())
        text = line.strip()
        if depth > 8 and section is not None:
            section.append(text)
            continue
        name, _, value = text.partition(":")
        value = value.strip()
        if name in ("Principals", "Critical Options", "Extensions"):
            section = [] if value in ("", "(none)") else [value]
            listing[name] = section
        else:
            section = None
            listing[name] = value
    return listing


def krl_check(krl: Path, cert_path: Path) -> str:
    """What `ssh-keygen -Q` says about one certificate: "REVOKED" or "ok"."""
    result = subprocess.run(
        [SSH_KEYGEN, "-Q", "-f", str(krl), str(cert_path)], capture_output=True, text=True
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout.rsplit(":", 1)[1].strip()


def utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S")


# --- user certificates as OpenSSH reads them ---------------------------------------------


def test_user_cert_shows_exactly_what_was_minted(tmp_path, user_ca):
    cert = mint(
        user_ca,
        serial=4242,
        principals=["deploy@web01", "root@web01"],
        source_address=["203.0.113.5"],
    )
    listing = keygen_listing(save(cert, tmp_path, "alice"))

    assert listing["Type"] == "ssh-ed25519-cert-v01@openssh.com user certificate"
    assert listing["Key ID"] == '"bastion operator=alice ticket=INC-42 grant=g3 session=s9"'
    assert listing["Serial"] == "4242"
    assert listing["Valid"] == f"from {utc(NOW - 60)} to {utc(NOW + 3600)}"
    assert listing["Principals"] == ["deploy@web01", "root@web01"]
    assert listing["Critical Options"] == ["source-address 203.0.113.5/32"]
    assert listing["Extensions"] == ["permit-pty"]
    assert listing["Signing CA"] == f"ED25519 {user_ca.fingerprint} (using ssh-ed25519)"


@pytest.mark.parametrize(
    ("permissions", "critical_options", "extensions"),
    [
        ({}, [], ["permit-pty"]),
        ({"permit_pty": False}, [], []),
        (
            {
                "permit_port_forwarding": True,
                "permit_agent_forwarding": True,
                "permit_x11_forwarding": True,
                "permit_user_rc": True,
            },
            [],
            [
                "permit-X11-forwarding",
                "permit-agent-forwarding",
                "permit-port-forwarding",
                "permit-pty",
                "permit-user-rc",
            ],
        ),
        ({"permit_port_forwarding": True}, [], ["permit-port-forwarding", "permit-pty"]),
        (
            {"force_command": "/usr/bin/uptime", "source_address": ["10.0.0.0/8", "2001:db8::1"]},
            ["force-command /usr/bin/uptime", "source-address 10.0.0.0/8,2001:db8::1/128"],
            ["permit-pty"],
        ),
    ],
)
def test_user_cert_carries_only_the_permissions_asked_for(
    tmp_path, user_ca, permissions, critical_options, extensions
):
    listing = keygen_listing(save(mint(user_ca, **permissions), tmp_path, "k"))
    assert listing["Critical Options"] == critical_options
    assert listing["Extensions"] == extensions


def test_host_cert_is_a_host_certificate_for_its_names(tmp_path, host_ca):
    host_key_path = tmp_path / "host_key"
    host_key = certs.load_or_create_host_key(host_key_path)
    cert = certs.mint_host_certificate(
        host_ca,
        host_key,
        serial=1,
        key_id="bastion host bastion.example.com",
        principals=["bastion.example.com", "bastion"],
        valid_after=NOW - 60,
        valid_before=NOW + 86400 * 365,
    )
    cert_path = certs.write_certificate(cert, host_key_path)
    listing = keygen_listing(cert_path)

    assert cert_path == tmp_path / "host_key-cert.pub"
    assert listing["Type"] == "ssh-ed25519-cert-v01@openssh.com host certificate"
    assert listing["Principals"] == ["bastion.example.com", "bastion"]
    assert listing["Extensions"] == []
    assert listing["Signing CA"] == f"ED25519 {host_ca.fingerprint} (using ssh-ed25519)"
    assert listing["Public key"] == f"ED25519-CERT {host_key.get_fingerprint('sha256')}"


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"serial": 0}, "serial"),
        ({"serial": -1}, "serial"),
        ({"serial": 2**64}, "serial"),
        ({"principals": []}, "principals"),
        ({"principals": "deploy"}, "principals"),
        ({"principals": [""]}, "principal"),
        ({"principals": ["deploy,root"]}, "principal"),
        ({"principals": ["deploy root"]}, "principal"),
        ({"valid_after": NOW, "valid_before": NOW}, "valid_before"),
        ({"valid_after": NOW, "valid_before": NOW - 1}, "valid_before"),
        ({"key_id": ""}, "key_id"),
        ({"key_id": "bastion operator=alice\nFAKE LOG LINE"}, "key_id"),
        ({"source_address": []}, "source_address"),
        ({"source_address": ["not-an-address"]}, "source address"),
        ({"source_address": ["10.0.0.1/8"]}, "source address"),
        ({"force_command": ""}, "force_command"),
    ],
)
def test_mint_refuses_unsafe_or_meaningless_fields(user_ca, overrides, message):
    with pytest.raises(ValueError, match=message):
        mint(user_ca, **overrides)


def test_host_mint_refuses_serial_zero_and_empty_principals(host_ca):
    host_key = certs.generate_ephemeral_key()
    common = {"key_id": "bastion host", "valid_after": NOW, "valid_before": NOW + 60}
    with pytest.raises(ValueError, match="serial"):
        certs.mint_host_certificate(host_ca, host_key, serial=0, principals=["h"], **common)
    with pytest.raises(ValueError, match="principals"):
        certs.mint_host_certificate(host_ca, host_key, serial=1, principals=[], **common)


# --- validity window -------------------------------------------------------------------------


@each(
    ("now", "ttl", "backdate", "window"),
    [
        (NOW, 3600, 60, (NOW - 60, NOW + 3600)),
        (NOW + 0.9, 300, 60, (NOW - 60, NOW + 300)),
        (NOW, 59.5, 0, (NOW, NOW + 59)),
        (30, 60, 60, (0, 90)),
    ],
)
def test_validity_window_backdates_start_and_never_outlives_ttl(now, ttl, backdate, window):
    assert certs.validity_window(now, ttl, backdate) == window


@each(("ttl", "backdate"), [(0, 60), (-5, 60), (60, -1), (0.5, 0)])
def test_validity_window_refuses_empty_windows(ttl, backdate):
    with pytest.raises(ValueError):
        certs.validity_window(NOW, ttl, backdate)


def test_validity_window_defaults_to_one_minute_backdate():
    assert certs.validity_window(NOW, 600) == (NOW - 60, NOW + 600)


# --- key ids ---------------------------------------------------------------------------------


def test_key_id_orders_known_fields_then_others_sorted():
    key_id = certs.format_key_id(
        session="s9", zone="eu", grant="g3", request="r17", ticket="INC-42", operator="alice"
    )
    assert key_id == "bastion operator=alice ticket=INC-42 grant=g3 session=s9 request=r17 zone=eu"


@each(
    "fields",
    [
        {"operator": "alice", "ticket": "INC-42", "grant": "g3", "session": "s9"},
        {"operator": "acme", "ticket": "CHG-9"},
        {"operator": "sam", "request": "r17", "source": "203.0.113.5"},
        {},
    ],
)
def test_key_id_round_trips(fields):
    assert certs.parse_key_id(certs.format_key_id(**fields)) == fields


def test_key_id_leaves_out_fields_given_as_none_and_writes_ints():
    key_id = certs.format_key_id(operator="alice", ticket=None, grant=3)
    assert key_id == "bastion operator=alice grant=3"
    assert certs.parse_key_id(key_id) == {"operator": "alice", "grant": "3"}


@each(
    "fields",
    [
        {"operator": "alice smith"},
        {"operator": "alice=admin"},
        {"operator": ""},
        {"ticket": "INC-42\tx"},
        {"ticket": "INC-42\nsession=s1"},
        {"Operator": "alice"},
    ],
)
def test_key_id_refuses_values_that_would_break_parsing(fields):
    with pytest.raises(ValueError):
        certs.format_key_id(**fields)


@each(
    "text",
    [
        "alice",
        "teleport operator=alice",
        "bastion operator",
        "bastion operator=",
        "bastion operator=alice  ticket=INC-1",
        "bastion operator=alice operator=mallory",
        "bastion operator=a=b",
    ],
)
def test_parse_key_id_refuses_what_format_key_id_never_makes(text):
    with pytest.raises(ValueError):
        certs.parse_key_id(text)


# --- reading certificates ---------------------------------------------------------------------


def test_cert_info_reads_back_every_field(tmp_path, user_ca):
    subject = certs.generate_ephemeral_key()
    cert = certs.mint_user_certificate(
        user_ca,
        subject,
        serial=99,
        key_id="bastion operator=alice",
        principals=["web01:deploy"],
        valid_after=NOW - 60,
        valid_before=NOW + 60,
        source_address=["198.51.100.7"],
        force_command="uptime",
    )
    expected = certs.CertInfo(
        serial=99,
        key_id="bastion operator=alice",
        cert_type="user",
        principals=("web01:deploy",),
        valid_after=NOW - 60,
        valid_before=NOW + 60,
        signing_ca=" ".join(user_ca.public_line.split()[:2]),
        signing_ca_fingerprint=user_ca.fingerprint,
        key_fingerprint=subject.get_fingerprint("sha256"),
        options={"force-command": "uptime", "source-address": ("198.51.100.7/32",)},
        extensions=frozenset({"permit-pty"}),
    )
    line = certs.certificate_line(cert)
    path = save(cert, tmp_path, "k")

    assert certs.cert_info(cert) == expected
    assert certs.cert_info(certs.load_certificate(line)) == expected
    assert certs.cert_info(certs.load_certificate(line.encode())) == expected
    assert certs.cert_info(certs.load_certificate(path)) == expected
    assert "\n" not in line


def test_cert_info_validity_is_half_open(user_ca):
    info = certs.cert_info(mint(user_ca, valid_after=NOW, valid_before=NOW + 10))
    assert [info.valid_at(t) for t in (NOW - 1, NOW, NOW + 9.9, NOW + 10)] == [
        False,
        True,
        True,
        False,
    ]


def test_tampered_certificate_is_refused_on_load(user_ca):
    line = certs.certificate_line(mint(user_ca, key_id="bastion operator=alice"))
    algorithm, blob = line.split()[:2]
    raw = base64.b64decode(blob)
    forged = raw.replace(b"operator=alice", b"operator=admin")
    assert forged != raw
    forged_line = f"{algorithm} {base64.b64encode(forged).decode()}"

    # Same length, same structure: only the signature no longer matches.
    with pytest.raises(ValueError, match="not a valid OpenSSH certificate"):
        certs.load_certificate(forged_line)


def test_load_certificate_refuses_a_plain_public_key(user_ca):
    with pytest.raises(ValueError):
        certs.load_certificate(user_ca.public_line)


def test_verify_signed_by_names_the_right_ca_only(user_ca, target_ca):
    cert = mint(user_ca)
    assert certs.verify_signed_by(cert, user_ca)
    assert certs.verify_signed_by(cert, user_ca.public_line)
    assert certs.verify_signed_by(cert, user_ca.public_key)
    assert not certs.verify_signed_by(cert, target_ca)
    assert not certs.verify_signed_by(cert, target_ca.public_line)


# --- key files --------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_ca_private_key_is_0600_even_with_an_open_umask(tmp_path):
    old_umask = os.umask(0)
    try:
        ca = certs.load_or_create_ca(tmp_path / "ca" / "user_ca", "bastion user CA")
        host_key_path = tmp_path / "host_key"
        certs.load_or_create_host_key(host_key_path)
    finally:
        os.umask(old_umask)

    assert mode(tmp_path / "ca" / "user_ca") == 0o600
    assert mode(tmp_path / "ca") == 0o700
    assert mode(host_key_path) == 0o600
    assert (tmp_path / "ca" / "user_ca.pub").read_text() == ca.public_line + "\n"
    assert ca.public_line.endswith(" bastion user CA")
    assert sorted(p.name for p in (tmp_path / "ca").iterdir()) == ["user_ca", "user_ca.pub"]


def test_ca_public_file_is_what_ssh_keygen_derives_from_the_private_key(tmp_path, user_ca):
    derived = subprocess.run(
        [SSH_KEYGEN, "-y", "-f", str(tmp_path / "ca" / "user_ca")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[:2]
    assert (tmp_path / "ca" / "user_ca.pub").read_text().split()[:2] == derived


def test_load_or_create_ca_is_idempotent(tmp_path, user_ca):
    key_path = tmp_path / "ca" / "user_ca"
    before = key_path.read_bytes()

    again = certs.load_or_create_ca(key_path, "another comment")

    assert again == user_ca
    assert again.fingerprint == user_ca.fingerprint
    assert key_path.read_bytes() == before
    assert again.public_line.endswith(" bastion user CA")


def test_missing_ca_public_file_is_rewritten_from_the_private_key(tmp_path, user_ca):
    public_path = tmp_path / "ca" / "user_ca.pub"
    public_path.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogus tampered\n")
    certs.load_or_create_ca(tmp_path / "ca" / "user_ca", "bastion user CA")
    assert public_path.read_text() == user_ca.public_line + "\n"

    public_path.unlink()
    certs.load_or_create_ca(tmp_path / "ca" / "user_ca", "bastion user CA")
    assert public_path.read_text() == user_ca.public_line + "\n"


def test_host_key_is_created_once(tmp_path):
    path = tmp_path / "host_key"
    first = certs.load_or_create_host_key(path)
    second = certs.load_or_create_host_key(path)
    assert first.public_data == second.public_data
    assert first.get_algorithm() == "ssh-ed25519"


def test_key_file_readable_by_others_is_refused(tmp_path, user_ca):
    key_path = tmp_path / "ca" / "user_ca"
    key_path.chmod(0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        certs.load_or_create_ca(key_path, "bastion user CA")


def test_key_file_of_another_algorithm_is_refused(tmp_path):
    key_path = tmp_path / "host_key"
    key_path.write_bytes(asyncssh.generate_private_key("ecdsa-sha2-nistp256").export_private_key())
    key_path.chmod(0o600)
    with pytest.raises(ValueError, match="ssh-ed25519"):
        certs.load_or_create_host_key(key_path)


def test_ephemeral_keys_are_distinct_ed25519_keys():
    first, second = certs.generate_ephemeral_key(), certs.generate_ephemeral_key()
    assert first.get_algorithm() == second.get_algorithm() == "ssh-ed25519"
    assert first.public_data != second.public_data


# --- KRL ---------------------------------------------------------------------------------------


def test_krl_revokes_listed_serials_of_that_ca_only(tmp_path, user_ca, target_ca):
    krl = tmp_path / "revoked.krl"
    certs.write_krl(krl, {user_ca: [20, 5, 6, 7, 8], target_ca: []}, version=7, comment="test")

    verdicts = {
        serial: krl_check(krl, save(mint(user_ca, serial=serial), tmp_path, f"u{serial}"))
        for serial in (4, 5, 6, 8, 9, 19, 20, 21)
    }
    other_ca = krl_check(krl, save(mint(target_ca, serial=5), tmp_path, "t5"))

    assert verdicts == {
        4: "ok",
        5: "REVOKED",
        6: "REVOKED",
        8: "REVOKED",
        9: "ok",
        19: "ok",
        20: "REVOKED",
        21: "ok",
    }
    assert other_ca == "ok"


def test_krl_lists_as_ssh_keygen_reads_it(tmp_path, user_ca, target_ca):
    krl = tmp_path / "revoked.krl"
    certs.write_krl(
        krl,
        {user_ca.public_line: [3, 1, 2, 10], target_ca: {40}, user_ca: [11]},
        version=12,
        comment="bastion revocations",
    )
    listing = subprocess.run(
        [SSH_KEYGEN, "-Q", "-l", "-f", str(krl)], capture_output=True, text=True, check=True
    ).stdout

    assert "# KRL version 12" in listing
    assert "# Comment: bastion revocations" in listing
    serials_by_ca: dict[str, list[str]] = {}
    for line in listing.splitlines():
        if line.startswith("# CA key ssh-ed25519 "):
            current = serials_by_ca.setdefault(line.split()[-1], [])
        elif line.startswith("serial: "):
            current.append(line.removeprefix("serial: "))
    assert serials_by_ca == {user_ca.fingerprint: ["1-3", "10-11"], target_ca.fingerprint: ["40"]}


def test_empty_krl_is_valid_and_revokes_nothing(tmp_path, user_ca):
    krl = tmp_path / "revoked.krl"
    certs.write_krl(krl, {}, version=1)
    assert krl_check(krl, save(mint(user_ca, serial=1), tmp_path, "k")) == "ok"


def test_krl_is_the_same_bytes_for_the_same_revocations(user_ca, target_ca):
    first = certs.encode_krl({user_ca: [3, 1], target_ca: [9]}, version=2, generated_date=NOW)
    second = certs.encode_krl(
        {target_ca.public_line: [9], user_ca.public_key: [1, 3, 3]}, version=2, generated_date=NOW
    )
    assert first == second
    assert first.startswith(b"SSHKRL\n\0\0\0\0\1")


@pytest.mark.parametrize("serial", [0, -1, 2**64])
def test_krl_refuses_serials_openssh_cannot_revoke(user_ca, serial):
    with pytest.raises(ValueError, match="serial"):
        certs.encode_krl({user_ca: [serial]}, version=1)
