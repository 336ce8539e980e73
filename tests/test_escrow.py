"""Sealing keys typed without echo (bastion.recording.escrow): the construction, its keys, and how sealed
events sit in a cast. Pure: no server, no network."""

from __future__ import annotations

import base64
import io
import json
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bastion import audit, config, recording
from bastion.access import sessions
from bastion.cli import main
from bastion.command_control.terminal import CommandLineTracker, KeystrokeRedactor, Redacted
from bastion.recording import CastRecorder, escrow, read_cast, replay, unseal_cast
from bastion.recording.escrow import EscrowError, EscrowKey, Opener, Sealer
from bastion.store import STORE_BUSY, StoreError
from tests.conftest import set_server_key
from tests.rows import each


def pair() -> tuple[object, EscrowKey]:
    pem, public = escrow.generate()
    return escrow.load_private_key(pem, "test"), public


PRIVATE, PUBLIC = pair()
OTHER_PRIVATE, _ = pair()


def sealed(session: str = "s1", channel: int = 1, keys: tuple[str, ...] = ("hunter2", "touch x"),
           to: EscrowKey = PUBLIC) -> tuple[dict, list[str]]:
    sealer = Sealer(to, session, channel)
    return sealer.header(), [sealer.seal(k) for k in keys]


def flip(data: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(data))
    raw[at] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_sealed_keys_open_in_order_with_the_escrow_private_key():
    header, events = sealed(keys=("hunter2", "touch /tmp/x", "pässwörd ☃"))
    opener = Opener(PRIVATE, header)
    assert [opener.open(e) for e in events] == ["hunter2", "touch /tmp/x", "pässwörd ☃"]
    assert opener.opened == 3


def test_the_header_names_the_key_and_the_channel_but_no_secret():
    header, events = sealed()
    assert header == {"scheme": escrow.SCHEME, "key": PUBLIC.fingerprint,
                      "ephemeral": header["ephemeral"], "session": "s1", "channel": 1}
    assert len(base64.b64decode(header["ephemeral"])) == 32
    assert all("hunter2" not in e and "touch" not in e for e in events)


def test_every_channel_seals_under_its_own_key():
    one, two = sealed(), sealed()
    assert one[0]["ephemeral"] != two[0]["ephemeral"]
    assert one[1] != two[1]  # the same keys, the same session and channel, other bytes


def _moved_from(session: str, channel: int) -> tuple[dict, list[str]]:
    header, events = sealed()
    _, foreign = sealed(session=session, channel=channel)
    return header, [foreign[0], events[1]]


def _header(**changes: object) -> tuple[dict, list[str]]:
    header, events = sealed()
    return header | changes, events


# Each case: what an attacker (or an accident) did to a sealed channel, and what the error says.
DO_NOT_OPEN = {
    "tampered ciphertext": lambda: (sealed()[0], [flip(sealed()[1][0])]),
    "tampered tag": lambda: (lambda h, e: (h, [flip(e[0], -1)]))(*sealed()),
    "truncated": lambda: (lambda h, e: (h, [e[0][:8]]))(*sealed()),
    "not base64": lambda: (sealed()[0], ["not base64!"]),
    "empty": lambda: (sealed()[0], [""]),
    "reordered": lambda: (lambda h, e: (h, [e[1], e[0]]))(*sealed()),
    "one dropped from the middle": lambda: (lambda h, e: (h, [e[1]]))(*sealed()),
    "replayed": lambda: (lambda h, e: (h, [e[0], e[0]]))(*sealed()),
    "moved from another channel": lambda: _moved_from("s1", 2),
    "moved from another session": lambda: _moved_from("s2", 1),
    "header claims another channel": lambda: _header(channel=2),
    "header claims another session": lambda: _header(session="s2"),
    "header with another ephemeral key": lambda: _header(ephemeral=sealed()[0]["ephemeral"]),
}


@each("case", DO_NOT_OPEN)
def test_sealed_events_that_were_altered_or_moved_do_not_open(case):
    header, events = DO_NOT_OPEN[case]()
    opener = Opener(PRIVATE, header)
    with pytest.raises(EscrowError) as err:
        for event in events:
            opener.open(event)
    message = str(err.value)
    assert "\n" not in message
    assert "does not open: it was altered, reordered, or moved from another channel or session" \
        in message


BAD_HEADERS = {
    "sealed to another escrow key": (lambda h: h, OTHER_PRIVATE,
                                     f"sealed to escrow key {PUBLIC.fingerprint}, not to the key"),
    "claims another key": (lambda h: h | {"key": "SHA256:AAAA"}, PRIVATE,
                           "sealed to escrow key SHA256:AAAA"),
    "claims a key that is an escape sequence": (lambda h: h | {"key": "\x1b[2J\u202e"}, PRIVATE,
                                                r"sealed to escrow key \\x1b\[2J\\u202e, not"),
    "unknown scheme": (lambda h: h | {"scheme": "rot13"}, PRIVATE, "scheme this bastion does not know"),
    "not an object": (lambda h: ["x"], PRIVATE, "scheme this bastion does not know"),
    "no session": (lambda h: {k: v for k, v in h.items() if k != "session"}, PRIVATE,
                   "names no session and channel"),
    "channel is a boolean": (lambda h: h | {"channel": True}, PRIVATE, "names no session and channel"),
    "ephemeral key not base64": (lambda h: h | {"ephemeral": "%%"}, PRIVATE, "ephemeral key is not"),
    "ephemeral key too short": (lambda h: h | {"ephemeral": "AAAA"}, PRIVATE, "ephemeral key is not"),
}


@each("case", BAD_HEADERS)
def test_a_header_that_cannot_open_its_channel_is_refused_in_one_line(case):
    change, key, expected = BAD_HEADERS[case]
    with pytest.raises(EscrowError, match=expected.replace("+", r"\+")) as err:
        Opener(key, change(sealed()[0]))
    assert "\n" not in str(err.value)


def test_public_key_text_round_trips_and_fingerprint_is_openssh_style():
    assert EscrowKey.parse(f"  {PUBLIC.text}\n") == PUBLIC
    assert PUBLIC.text.startswith("x25519:") and len(PUBLIC.text) == 7 + 44
    assert PUBLIC.fingerprint.startswith("SHA256:") and len(PUBLIC.fingerprint) == 7 + 43
    assert escrow.public_key_of(PRIVATE) == PUBLIC


BAD_PUBLIC_KEYS = {
    "": "starts with 'x25519:'",
    "4CzVhdYrR9siw4E2QEBty6lcX+75AptVJgzg52YdKjw=": "starts with 'x25519:'",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl":
        "starts with 'x25519:'",
    "x25519:not base64!": "not base64",
    "x25519:AAAA": "holds 32 bytes, not 3",
    "x25519:" + base64.b64encode(bytes(33)).decode(): "holds 32 bytes, not 33",
    # Low-order points: every shared secret with them is zero.
    "x25519:" + base64.b64encode(bytes(32)).decode(): "not a usable X25519 public key",
    "x25519:" + base64.b64encode(b"\x01" + bytes(31)).decode(): "not a usable X25519 public key",
}


@each("text", BAD_PUBLIC_KEYS)
def test_a_bad_escrow_public_key_is_refused_in_one_line(text):
    with pytest.raises(EscrowError, match=BAD_PUBLIC_KEYS[text]):
        EscrowKey.parse(text)


def _ed25519_pem(password: bytes | None = None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


BAD_PRIVATE_KEYS = {
    "empty": (b"", "not a PEM private key"),
    "the public key": (PUBLIC.text.encode(), "not a PEM private key"),
    "an Ed25519 key": (_ed25519_pem(), "not an X25519 key"),
    "an encrypted key": (_ed25519_pem(b"secret"), "the key is encrypted"),
}


@each("case", BAD_PRIVATE_KEYS)
def test_a_file_that_is_not_an_escrow_private_key_is_refused_naming_it(case):
    data, expected = BAD_PRIVATE_KEYS[case]
    with pytest.raises(EscrowError, match=f"^keyfile: .*{expected}"):
        escrow.load_private_key(data, "keyfile")


# -- sealed events in a cast --------------------------------------------------------------------

def record(path: Path, *items: bytes | str, session: str = "s1", channel: int = 1) -> Path:
    """A sealed cast of channel `channel` whose input is `items` (bytes echoed, Redacted blind)."""
    rec = CastRecorder(path, width=80, height=24, title="t", env={"TERM": "xterm"},
                       timestamp=1700000000, clock=lambda: 5.0,
                       sealer=Sealer(PUBLIC, session, channel))
    rec.output(b"$ ")
    for item in items:
        rec.input(item)
        rec.output(b"\r\n$ ")
    rec.close()
    return path


def test_blind_keys_are_written_as_the_marker_then_sealed_never_in_clear(tmp_path):
    path = record(tmp_path / "s1-1.cast", b"sudo ls\r", Redacted("hunter2"), b"\r")
    assert b"hunter2" not in path.read_bytes()
    header, events = read_cast(path)
    assert header["escrow"]["key"] == PUBLIC.fingerprint
    codes = [(code, data if code != "s" else "SEALED") for _, code, data in events if code != "o"]
    mark = ("m", "keys typed without echo: [redacted 7 keystrokes]")
    assert codes == [("i", "sudo ls\r"), mark, ("i", "[redacted 7 keystrokes]"), ("s", "SEALED"),
                     ("i", "\r")]
    opened = unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    assert (opened.key, opened.session, opened.channel) == (PUBLIC.fingerprint, "s1", 1)
    assert [(code, text) for _, _, code, text in opened.events] == [
        ("i", "sudo ls\r"), mark, ("i", "[redacted 7 keystrokes]"), ("s", "hunter2"), ("i", "\r")]
    assert (opened.sealed, opened.redactions, opened.flags) == (1, 1, {})


def test_without_an_escrow_key_blind_keys_leave_only_the_marker(tmp_path):
    path = tmp_path / "s1-1.cast"
    rec = CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 5.0)
    rec.input(Redacted("hunter2"))
    rec.close()
    header, events = read_cast(path)
    assert "escrow" not in header and b"hunter2" not in path.read_bytes()
    assert [(c, d) for _, c, d in events] == [
        ("m", "keys typed without echo: [redacted 7 keystrokes]"), ("i", "[redacted 7 keystrokes]")]
    opened = unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    assert (opened.key, opened.sealed, opened.redactions, opened.flags) == (None, 0, 1, {})


def test_players_skip_the_sealed_event(tmp_path):
    path = record(tmp_path / "s1-1.cast", b"a", Redacted("secret"), b"\r")
    out = io.BytesIO()
    replay(path, out, sleep=lambda _s: None)
    assert out.getvalue() == b"$ \r\n$ \r\n$ \r\n$ "
    # asciinema 2 plays "o" only; asciinema 3 keeps a one-character code it does not know as
    # "other" and plays nothing for it.
    codes = {json.loads(raw)[1] for raw in path.read_text().splitlines()[1:]}
    assert codes == {"o", "i", "m", recording.SEALED} and len(recording.SEALED) == 1


def test_text_that_merely_looks_like_a_marker_does_not_stop_the_unseal(tmp_path):
    path = record(tmp_path / "s1-1.cast", b"[redacted 3 keystrokes]", Redacted("abc"))
    opened = unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    assert [t for _, _, c, t in opened.events if c == "s"] == ["abc"]


@pytest.mark.parametrize("sealed", [True, False])
def test_a_marker_typed_by_the_user_is_told_apart_from_a_real_redaction(tmp_path, sealed):
    # Attack D, finding 15: `[redacted 12 keystrokes]` typed and echoed was an "i" event the
    # same as a real marker, and unseal counted it. A real one follows its "m" event.
    path = tmp_path / "s1-1.cast"
    rec = CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 5.0,
                       sealer=Sealer(PUBLIC, "s1", 1) if sealed else None)
    rec.input(b"[redacted 12 keystrokes]")
    rec.output(b"[redacted 12 keystrokes]")
    rec.input(Redacted("hunter2"))
    rec.close()
    opened = unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    typed = next(line for line, _, code, text in opened.events
                 if code == "i" and text == "[redacted 12 keystrokes]")
    assert opened.redactions == 1
    assert opened.flags == {typed: "typed text that reads like a redaction marker: the bastion "
                                   "marked no redaction here"}
    code, out, err = run("--home", str(tmp_path / "no-home"), "recording", "unseal", str(path),
                         "--key", str(_key_file(tmp_path, PRIVATE)))
    assert code == 0, err
    assert "i  [redacted 12 keystrokes]   <- typed text that reads like a redaction marker" in out
    assert "i  [redacted 7 keystrokes]\n" in out


def test_a_real_marker_whose_sealed_event_was_removed_is_flagged(tmp_path):
    path = record(tmp_path / "s1-1.cast", b"sudo ls\r", Redacted("hunter2"), b"\r")
    _edit(path, lambda rows: [r for r in rows if r.split(",")[1:2] != [' "s"']])
    opened = unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    assert (opened.sealed, opened.redactions) == (0, 0)
    assert list(opened.flags.values()) == [
        "a redaction whose sealed event is missing: it was removed from the recording"]


def _edit(path: Path, change) -> Path:
    rows = path.read_text().splitlines()
    path.write_text("\n".join(change(rows)) + "\n")
    return path


def _sealed_rows(rows: list[str]) -> list[int]:
    return [i for i, row in enumerate(rows) if row.split(",")[1:2] == [' "s"']]


def _swap_sealed(rows: list[str]) -> list[str]:
    a, b = _sealed_rows(rows)[:2]
    rows[a], rows[b] = rows[b], rows[a]
    return rows


def _marker_count(rows: list[str]) -> list[str]:
    i = _sealed_rows(rows)[0] - 1
    rows[i] = rows[i].replace("[redacted 2 keystrokes]", "[redacted 3 keystrokes]")
    return rows


def _header_field(**changes: object):
    def change(rows: list[str]) -> list[str]:
        header = json.loads(rows[0])
        header["escrow"] |= changes
        return [json.dumps(header), *rows[1:]]
    return change


def _drop_marker(rows: list[str]) -> list[str]:
    i = _sealed_rows(rows)[0]
    return rows[:i - 1] + rows[i:]


def _drop_header_escrow(rows: list[str]) -> list[str]:
    header = json.loads(rows[0])
    del header["escrow"]
    return [json.dumps(header), *rows[1:]]


def _from_other_cast(other: Path):
    def change(rows: list[str]) -> list[str]:
        foreign = other.read_text().splitlines()
        rows[_sealed_rows(rows)[0]] = foreign[_sealed_rows(foreign)[0]]
        return rows
    return change


# Each case: a cast edited after the fact, the line the error names, and what it says.
TAMPERED = {
    "sealed events swapped": (lambda o: _swap_sealed, "does not open"),
    "sealed event from another channel": (lambda o: _from_other_cast(o["channel"]), "does not open"),
    "sealed event from another session": (lambda o: _from_other_cast(o["session"]), "does not open"),
    "header names another session": (lambda o: _header_field(session="s9"), "does not open"),
    "header names another channel": (lambda o: _header_field(channel=7), "does not open"),
    "marker count changed": (lambda o: _marker_count, "not as many as its marker says"),
    "marker removed": (lambda o: _drop_marker, "does not follow its redaction marker"),
    "header's escrow removed": (lambda o: _drop_header_escrow, "the header names no escrow key"),
}


@pytest.mark.parametrize("case", TAMPERED)
def test_a_tampered_cast_does_not_unseal_and_the_error_names_file_and_line(tmp_path, case):
    others = {"channel": record(tmp_path / "s1-2.cast", Redacted("zz"), Redacted("yy"), channel=2),
              "session": record(tmp_path / "s2-1.cast", Redacted("zz"), Redacted("yy"),
                                session="s2")}
    path = record(tmp_path / "s1-1.cast", Redacted("ab"), b"x", Redacted("cd"))
    change, expected = TAMPERED[case]
    _edit(path, change(others))
    with pytest.raises(EscrowError, match=rf"^{path}:\d+: .*{expected}") as err:
        unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    assert "\n" not in str(err.value)


def test_a_hostile_header_key_is_named_with_its_escapes_spelled_out(tmp_path):
    path = _edit(record(tmp_path / "s1-1.cast", Redacted("ab")), _header_field(key="\x1b]0;x\x07"))
    with pytest.raises(EscrowError, match=r"sealed to escrow key \\x1b\]0;x\\x07;"):
        unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})


def test_a_cast_sealed_to_a_key_not_given_names_the_key_it_needs(tmp_path):
    path = record(tmp_path / "s1-1.cast", Redacted("ab"))
    other = escrow.public_key_of(OTHER_PRIVATE).fingerprint
    with pytest.raises(EscrowError, match=rf"sealed to escrow key {re.escape(PUBLIC.fingerprint)}; "
                                          rf"no key given is that one \(given: {re.escape(other)}\)"):
        unseal_cast(path, {other: OTHER_PRIVATE})


# -- the command line ---------------------------------------------------------------------------

def run(*args: str, stdin: bytes = b"", monkeypatch=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_config_line(tmp_path):
    out_file = tmp_path / "escrow.key"
    code, out, err = run("--home", str(tmp_path / "no-home"), "escrow", "keygen",
                         "--out", str(out_file))
    assert code == 0, err
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    key = escrow.public_key_of(escrow.load_private_key(out_file.read_bytes(), "k"))
    assert Path(f"{out_file}.pub").read_text() == key.text + "\n"
    assert f'escrow_key = "{key.text}"' in out and key.fingerprint in out
    again = run("escrow", "keygen", "--out", str(out_file))
    assert again[0] == 1 and again[2] == f"bastion: {out_file} already exists; refusing to overwrite it\n"


def test_the_printed_key_is_accepted_by_bastion_toml_and_a_bad_one_refused_naming_the_line(home):
    set_server_key(home, "escrow_key", f'"{PUBLIC.text}"')
    assert config.load_config(home.config_file).recordings.escrow_key == PUBLIC
    set_server_key(home, "escrow_key", '"x25519:AAAA"')
    with pytest.raises(config.ConfigError, match=r"bastion\.toml:\d+: recordings\.escrow_key: "
                                                 "an escrow key holds 32 bytes, not 3"):
        config.load_config(home.config_file)


def test_unseal_of_a_file_offline_shows_hostile_keys_escaped(tmp_path, monkeypatch):
    hostile = "\x1b]52;c;cHduZWQ=\x07\u202eevil"
    path = record(tmp_path / "s1-1.cast", b"cat > x\r", Redacted(hostile))
    key_file = _key_file(tmp_path, PRIVATE)
    code, out, err = run("--home", str(tmp_path / "no-home"), "recording", "unseal", str(path),
                         "--key", "-", stdin=key_file.read_bytes(), monkeypatch=monkeypatch)
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out
    assert "  s  \\x1b]52;c;cHduZWQ=\\x07\\u202eevil\n" in out
    assert "  i  cat > x\\x0d\n" in out
    code, out, err = run("--home", str(tmp_path / "no-home"), "recording", "unseal", str(path),
                         "--key", str(key_file), "--json")
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["text"] == hostile
    assert "\x1b" not in out and "\u202e" not in out


def test_keys_typed_that_are_not_utf8_are_sealed_byte_for_byte_and_shown_spelled_out(tmp_path):
    # Attack D, finding 14: the keys were decoded with U+FFFD before sealing, so a Latin-1
    # terminal's 'ä' (one byte) or an 8-bit meta key was lost from the escrow copy.
    tracker = CommandLineTracker(80, 24)
    redactor = KeystrokeRedactor(tracker)
    for chunk in (b"Password: ",):
        tracker.feed_output(chunk)
        redactor.feed_output(chunk)
    released = redactor.feed_input(b"p\xe4ss\xff\r")
    tracker.feed_output(b"\r\n")
    released += redactor.feed_output(b"\r\n")
    marker = released[0]
    assert (marker, marker.raw) == ("[redacted 5 keystrokes]", b"p\xe4ss\xff")
    path = record(tmp_path / "s1-1.cast", b"read -s x\r", marker, b"\r")
    opened = unseal_cast(path, {PUBLIC.fingerprint: PRIVATE})
    keys = next(text for _, _, code, text in opened.events if code == "s")
    assert keys.encode("utf-8", "surrogateescape") == b"p\xe4ss\xff"
    code, out, err = run("--home", str(tmp_path / "no-home"), "recording", "unseal", str(path),
                         "--key", str(_key_file(tmp_path, PRIVATE)))
    assert code == 0, err
    assert "  s  p\\xe4ss\\xff\n" in out


def test_keys_sealed_as_utf8_text_before_raw_bytes_open_as_they_did():
    # The plaintext was the keys as UTF-8 (bytes that were not UTF-8 already U+FFFD): valid
    # UTF-8 is what raw bytes of UTF-8 typing are, so older recordings open unchanged.
    sealer = Sealer(PUBLIC, "s1", 1)
    opener = Opener(PRIVATE, sealer.header())
    old = sealer.seal("p\ufffdss wörd")  # a str without lone surrogates: the same plaintext
    assert opener.open(old) == "p\ufffdss wörd"


def _session_with_cast(ctx, *items: bytes | str, key: EscrowKey = PUBLIC) -> tuple[str, Path]:
    sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy", ticket="INC-1",
                          grant_id=None, serial=None, client_addr="127.0.0.1")
    path = ctx.home.recordings / f"{sid}-1.cast"
    sessions.add_recording(ctx.store, sid, path, 1, "cast")
    rec = CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0,
                       sealer=Sealer(key, sid, 1))
    for item in items:
        rec.input(item)
    sessions.close_recording(ctx.store, path, rec.close(), "alice")
    return sid, path


def _key_file(tmp_path: Path, private, name: str = "escrow.key") -> Path:
    path = tmp_path / name
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path


def _events(ctx, kind: str) -> list[dict]:
    return [e for e in audit.export(ctx.store) if e["type"] == kind]


def test_unseal_of_a_session_on_the_bastion_is_audited(ctx, home, tmp_path):
    sid, _ = _session_with_cast(ctx, b"sudo -s\r", Redacted("hunter2"), b"\r")
    code, out, err = run("--home", str(home.path), "recording", "unseal", sid,
                         "--key", str(_key_file(tmp_path, PRIVATE)))
    assert code == 0, err
    assert "  s  hunter2\n" in out and f"session {sid} channel 1" in out
    event = _events(ctx, "recording.unsealed")[-1]
    assert event["code"] == "S601" and event["actor"].startswith("local:")
    own = {k: v for k, v in event["data"].items() if k not in audit.AUTOMATIC_FIELDS}
    assert own == {"path": f"{sid}-1.cast", "session": sid, "channel": 1,
                   "key": PUBLIC.fingerprint, "sealed": 1}
    assert event["data"]["access"]["user"] == "alice"
    assert "hunter2" not in json.dumps(list(audit.export(ctx.store)))


def test_unseal_of_a_file_in_a_home_is_audited_in_that_home(ctx, home, tmp_path):
    _, path = _session_with_cast(ctx, Redacted("hunter2"))
    code, out, err = run("--home", str(tmp_path / "elsewhere"), "recording", "unseal", str(path),
                         "--key", str(_key_file(tmp_path, PRIVATE)))
    assert code == 0 and "  s  hunter2\n" in out, err
    assert _events(ctx, "recording.unsealed")[-1]["data"]["path"] == path.name


REFUSED = {
    "wrong key": (lambda path: None, OTHER_PRIVATE, "sealed to escrow key"),
    "altered after it closed": (lambda path: path.write_text(path.read_text().replace(
        '"[redacted 7 keystrokes]"', '"[redacted 8 keystrokes]"')), PRIVATE,
        "not the recording the bastion closed"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_an_unseal_that_fails_says_why_in_one_line_and_is_audited(ctx, home, tmp_path, case):
    sid, path = _session_with_cast(ctx, Redacted("hunter2"))
    change, private, expected = REFUSED[case]
    change(path)
    code, out, err = run("--home", str(home.path), "recording", "unseal", sid,
                         "--key", str(_key_file(tmp_path, private)))
    assert code == 1 and out == ""
    assert err.startswith("bastion: ") and expected in err and err.count("\n") == 1
    failed = _events(ctx, "recording.unseal_failed")[-1]
    assert failed["code"] == "S602" and expected in failed["data"]["error"]
    assert not _events(ctx, "recording.unsealed")


def test_after_a_key_rotation_each_recording_opens_with_the_key_it_names(ctx, home, tmp_path):
    new_private, new_public = pair()
    old_sid, _ = _session_with_cast(ctx, Redacted("old-secret"))
    new_sid, _ = _session_with_cast(ctx, Redacted("new-secret"), key=new_public)
    old_key, new_key = _key_file(tmp_path, PRIVATE, "old"), _key_file(tmp_path, new_private, "new")
    code, out, err = run("--home", str(home.path), "recording", "unseal", new_sid, "--key", str(old_key))
    assert code == 1 and f"sealed to escrow key {new_public.fingerprint}" in err
    for sid, secret in ((old_sid, "old-secret"), (new_sid, "new-secret")):
        code, out, err = run("--home", str(home.path), "recording", "unseal", sid,
                             "--key", str(old_key), "--key", str(new_key))
        assert code == 0 and f"  s  {secret}\n" in out, err


def test_an_unseal_that_cannot_be_audited_shows_nothing(ctx, home, tmp_path, monkeypatch):
    sid, _ = _session_with_cast(ctx, Redacted("hunter2"))

    def store_busy(*args, **kwargs):
        raise StoreError(STORE_BUSY)
    monkeypatch.setattr(audit, "record", store_busy)
    code, out, err = run("--home", str(home.path), "recording", "unseal", sid,
                         "--key", str(_key_file(tmp_path, PRIVATE)))
    assert (code, out, err) == (1, "", f"bastion: {STORE_BUSY}\n")


def test_unseal_without_a_key_or_with_stdin_twice_is_a_usage_error(home):
    assert run("--home", str(home.path), "recording", "unseal", "s1")[0] == 2
    code, _, err = run("--home", str(home.path), "recording", "unseal", "s1", "--key", "-",
                       "--key", "-")
    assert code == 2 and "standard input can be given once" in err
