"""The SFTP file-operation log, fed with byte streams built here packet by packet."""

from __future__ import annotations

import hashlib
import json
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.command_control import sftplog
from bastion.command_control.sftplog import FileTransfer, SftpGate, SftpLog
from bastion.command_control.sftplog import log as sftplog_log
from tests.rows import each

READ, WRITE, APPEND, CREAT, TRUNC, EXCL = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
OK, EOF, NO_SUCH_FILE, PERMISSION_DENIED, FAILURE = 0, 1, 2, 3, 4


def u32(n: int) -> bytes:
    return struct.pack(">I", n)


def u64(n: int) -> bytes:
    return struct.pack(">Q", n)


def s(data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return u32(len(raw)) + raw


def packet(kind: int, *fields: bytes) -> bytes:
    body = bytes([kind]) + b"".join(fields)
    return u32(len(body)) + body


NO_ATTRS = u32(0)


def attrs_permissions(mode: int) -> bytes:
    return u32(0x04) + u32(mode)


def init() -> bytes:
    return packet(1, u32(3))


def version(v: int = 3) -> bytes:
    return packet(2, u32(v), s("posix-rename@openssh.com"), s("1"))


def open_(rid: int, path: bytes | str, pflags: int, attrs: bytes = NO_ATTRS) -> bytes:
    return packet(3, u32(rid), s(path), u32(pflags), attrs)


def close(rid: int, handle: bytes) -> bytes:
    return packet(4, u32(rid), s(handle))


def read(rid: int, handle: bytes, offset: int, length: int) -> bytes:
    return packet(5, u32(rid), s(handle), u64(offset), u32(length))


def write(rid: int, handle: bytes, offset: int, data: bytes) -> bytes:
    return packet(6, u32(rid), s(handle), u64(offset), s(data))


def path_request(kind: int, rid: int, *paths: str, attrs: bytes = b"") -> bytes:
    return packet(kind, u32(rid), *(s(p) for p in paths), attrs)


def extended(rid: int, name: str, *fields: bytes) -> bytes:
    return packet(200, u32(rid), s(name), *fields)


def status(rid: int, code: int, message: str = "") -> bytes:
    return packet(101, u32(rid), u32(code), s(message), s("en"))


def handle_reply(rid: int, handle: bytes) -> bytes:
    return packet(102, u32(rid), s(handle))


def data_reply(rid: int, data: bytes) -> bytes:
    return packet(103, u32(rid), s(data))


def name_reply(rid: int, *names: str) -> bytes:
    entries = b"".join(s(n) + s(n) + NO_ATTRS for n in names)
    return packet(104, u32(rid), u32(len(names)), entries)


def attrs_reply(rid: int) -> bytes:
    return packet(105, u32(rid), NO_ATTRS)


C, S = "client", "server"

UPLOAD = [
    (C, init()), (S, version()),
    (C, open_(1, "/srv/app/release.tar", WRITE | CREAT | TRUNC, attrs_permissions(0o644))),
    (S, handle_reply(1, b"\x00\x00\x00\x07")),
    (C, write(2, b"\x00\x00\x00\x07", 0, b"a" * 32768)),
    (C, write(3, b"\x00\x00\x00\x07", 32768, b"b" * 32768)),
    (S, status(2, OK)), (S, status(3, OK)),
    (C, write(4, b"\x00\x00\x00\x07", 65536, b"c" * 100)),
    (S, status(4, OK)),
    (C, close(5, b"\x00\x00\x00\x07")), (S, status(5, OK)),
]

DOWNLOAD = [
    (C, init()), (S, version()),
    (C, path_request(17, 1, "/etc/hosts")), (S, attrs_reply(1)),
    (C, open_(2, "/etc/hosts", READ)), (S, handle_reply(2, b"h0")),
    (C, read(3, b"h0", 0, 32768)), (C, read(4, b"h0", 32768, 32768)),
    (S, data_reply(3, b"x" * 32768)), (S, data_reply(4, b"y" * 200)),
    (C, read(5, b"h0", 32968, 32768)), (S, status(5, EOF, "EOF")),
    (C, close(6, b"h0")), (S, status(6, OK)),
]


def run(conversation: list[tuple[str, bytes]], chunk: int | None = None) -> SftpLog:
    log = SftpLog()
    for side, data in conversation:
        feed = log.client_data if side == C else log.server_data
        step = chunk or len(data)
        for i in range(0, len(data), step):
            feed(data[i:i + step])
    return log


def ops(log: SftpLog) -> list[dict]:
    return [op.as_dict() for op in log.operations]


def test_upload_sums_written_bytes_into_the_file_and_its_close():
    log = run(UPLOAD)
    assert log.unparsed is None
    assert log.version == 3
    assert log.files == [FileTransfer("/srv/app/release.tar", "write+create+truncate",
                                      bytes_written=65636, closed=True)]
    assert ops(log) == [
        {"op": "open", "request_id": 1, "path": "/srv/app/release.tar",
         "mode": "write+create+truncate", "attrs": {"permissions": "0644"}, "result": "ok"},
        {"op": "close", "request_id": 5, "path": "/srv/app/release.tar",
         "mode": "write+create+truncate", "bytes_read": 0, "bytes_written": 65636,
         "result": "ok"},
    ]


def test_download_counts_the_data_the_server_returned_not_what_was_asked():
    log = run(DOWNLOAD)
    assert log.files == [FileTransfer("/etc/hosts", "read", bytes_read=32968, closed=True)]
    assert [(o["op"], o["result"]) for o in ops(log)] == [
        ("stat", "ok"), ("open", "ok"), ("close", "ok")]


@each("chunk", [1, 3, 7, 4096])
def test_packets_split_anywhere_parse_the_same(chunk):
    for conversation in (UPLOAD, DOWNLOAD):
        whole, split = run(conversation), run(conversation, chunk)
        assert split.unparsed is None
        assert split.files == whole.files
        assert ops(split) == ops(whole)


def test_many_packets_in_one_chunk_parse():
    log = SftpLog()
    log.client_data(init() + path_request(17, 1, "/etc/hosts"))
    log.server_data(version() + attrs_reply(1))
    assert [(o.op, o.result) for o in log.operations] == [("stat", "ok")]


@each("sent, expected", [
    (path_request(13, 9, "/tmp/old.log"), {"op": "remove", "path": "/tmp/old.log"}),
    (path_request(15, 9, "/tmp/d"), {"op": "rmdir", "path": "/tmp/d"}),
    (path_request(14, 9, "/tmp/d", attrs=attrs_permissions(0o40755)),
     {"op": "mkdir", "path": "/tmp/d", "attrs": {"permissions": "0755"}}),
    (path_request(9, 9, "/usr/local/bin/tool", attrs=attrs_permissions(0o4755)),
     {"op": "setstat", "path": "/usr/local/bin/tool", "attrs": {"permissions": "4755"}}),
    (path_request(9, 9, "/f", attrs=u32(0x0F) + u64(10) + u32(0) + u32(0) + u32(0o600)
                  + u32(1) + u32(2)),
     {"op": "setstat", "path": "/f", "attrs": {"size": 10, "uid": 0, "gid": 0,
                                               "permissions": "0600", "atime": 1, "mtime": 2}}),
    (path_request(18, 9, "/a", "/b"), {"op": "rename", "path": "/a", "target": "/b"}),
    # OpenSSH sends SYMLINK as (target, link), the reverse of the draft.
    (path_request(20, 9, "/etc/passwd", "/tmp/link"),
     {"op": "symlink", "path": "/tmp/link", "target": "/etc/passwd"}),
    (path_request(7, 9, "/x"), {"op": "lstat", "path": "/x"}),
    (path_request(17, 9, "/x"), {"op": "stat", "path": "/x"}),
    (path_request(16, 9, "."), {"op": "realpath", "path": "."}),
    (path_request(19, 9, "/l"), {"op": "readlink", "path": "/l"}),
    (extended(9, "posix-rename@openssh.com", s("/a"), s("/b")),
     {"op": "rename", "path": "/a", "target": "/b"}),
    (extended(9, "hardlink@openssh.com", s("/a"), s("/b")),
     {"op": "hardlink", "path": "/a", "target": "/b"}),
    (extended(9, "statvfs@openssh.com", s("/")), {"op": "statvfs@openssh.com", "path": "/"}),
    (extended(9, "lsetstat@openssh.com", s("/l"), attrs_permissions(0o777)),
     {"op": "lsetstat", "path": "/l", "attrs": {"permissions": "0777"}}),
    (extended(9, "limits@openssh.com"), {"op": "limits@openssh.com"}),
    (path_request(13, 9, b"/tmp/\xff\xfename".decode("latin-1")),
     {"op": "remove", "path": "/tmp/\u00ff\u00fename"}),
    (packet(13, u32(9), s(b"/tmp/\xffx")), {"op": "remove", "path": "/tmp/\\xffx"}),
])
def test_path_operations_are_logged_with_the_server_result(sent, expected):
    log = run([(C, init()), (S, version()), (C, sent), (S, status(9, OK))])
    assert log.unparsed is None
    assert ops(log) == [{"request_id": 9, "result": "ok", **expected}]


def test_refused_operation_carries_the_status_and_message():
    log = run([(C, init()), (S, version()),
               (C, open_(1, "/etc/shadow", READ)),
               (S, status(1, PERMISSION_DENIED, "Permission denied")),
               (C, path_request(13, 2, "/nope")), (S, status(2, NO_SUCH_FILE, "No such file")),
               (C, path_request(13, 3, "/odd")), (S, packet(101, u32(3), u32(99)))])
    assert [(o["op"], o["result"], o.get("message")) for o in ops(log)] == [
        ("open", "permission_denied", "Permission denied"),
        ("remove", "no_such_file", "No such file"),
        ("remove", "status-99", None),
    ]
    assert log.files == []


def test_operation_without_reply_stays_pending():
    log = run([(C, init()), (S, version()), (C, path_request(13, 1, "/slow"))])
    assert ops(log) == [{"op": "remove", "request_id": 1, "path": "/slow", "result": "pending"}]


def test_failed_writes_are_counted_on_the_file():
    log = run([(C, init()), (S, version()),
               (C, open_(1, "/full/disk", WRITE | CREAT)), (S, handle_reply(1, b"h")),
               (C, write(2, b"h", 0, b"z" * 10)), (S, status(2, FAILURE, "No space")),
               (C, write(3, b"h", 10, b"z" * 10)), (S, status(3, OK))])
    assert log.files == [FileTransfer("/full/disk", "write+create", bytes_written=20, errors=1)]


def test_directory_listing_is_one_opendir_and_one_close_not_a_file():
    log = run([(C, init()), (S, version()),
               (C, path_request(11, 1, "/var/log")), (S, handle_reply(1, b"d")),
               (C, packet(12, u32(2), s(b"d"))), (S, name_reply(2, "syslog", "auth.log")),
               (C, packet(12, u32(3), s(b"d"))), (S, status(3, EOF)),
               (C, close(4, b"d")), (S, status(4, OK))])
    assert [(o["op"], o["path"], o["result"]) for o in ops(log)] == [
        ("opendir", "/var/log", "ok"), ("close", "/var/log", "ok")]
    assert log.files == []


def test_handle_operations_name_the_opened_path():
    log = run([(C, init()), (S, version()),
               (C, open_(1, "/etc/motd", READ | WRITE | APPEND)), (S, handle_reply(1, b"h")),
               (C, packet(8, u32(2), s(b"h"))), (S, attrs_reply(2)),
               (C, packet(10, u32(3), s(b"h"), attrs_permissions(0o600))), (S, status(3, OK)),
               (C, extended(4, "fsync@openssh.com", s(b"h"))), (S, status(4, OK))])
    assert [(o["op"], o["path"]) for o in ops(log)] == [
        ("open", "/etc/motd"), ("fstat", "/etc/motd"), ("fsetstat", "/etc/motd"),
        ("fsync@openssh.com", "/etc/motd")]
    assert log.files[0].mode == "read+write+append"


def test_handles_reused_after_close_map_to_the_new_file():
    conversation = [(C, init()), (S, version())]
    for rid, name in ((1, "/first"), (10, "/second")):
        conversation += [
            (C, open_(rid, name, WRITE)), (S, handle_reply(rid, b"0")),
            (C, write(rid + 1, b"0", 0, b"q" * rid)), (S, status(rid + 1, OK)),
            (C, close(rid + 2, b"0")), (S, status(rid + 2, OK)),
        ]
    log = run(conversation)
    assert [(f.path, f.bytes_written, f.closed) for f in log.files] == [
        ("/first", 1, True), ("/second", 10, True)]


def test_reply_to_an_unknown_request_is_ignored():
    log = run([(C, init()), (S, version()), (S, status(77, OK)), (S, data_reply(78, b"x"))])
    assert log.unparsed is None
    assert log.operations == []


def test_oversized_packet_stops_parsing_but_keeps_what_was_logged():
    log = run(UPLOAD[:4])
    log.client_data(u32(sftplog.MAX_PACKET + 1) + b"\x06" + b"x" * 1000)
    assert log.unparsed is not None and "packet length" in log.unparsed
    log.server_data(status(2, OK))
    log.client_data(path_request(13, 9, "/after"))
    assert [o.op for o in log.operations] == ["open"]
    assert log.summary()["unparsed"] == log.unparsed


def test_packet_at_the_size_limit_still_parses():
    payload = b"w" * (sftplog.MAX_PACKET - 25)  # type, id, handle, offset, data length
    largest = write(2, b"\x00\x00\x00\x07", 0, payload)
    assert len(largest) == 4 + sftplog.MAX_PACKET
    log = run([*UPLOAD[:4], (C, largest)])
    assert log.unparsed is None
    assert log.files[0].bytes_written == len(payload)


@each("server_version", [4, 6])
def test_other_protocol_versions_are_left_unparsed(server_version):
    log = run([(C, init()), (S, version(server_version)), (C, path_request(13, 1, "/x"))])
    assert log.unparsed == f"SFTP version {server_version} is not parsed (only 3)"
    assert log.operations == []


@each("bad", [
    packet(3, u32(1), u32(100) + b"short"),  # path longer than the packet
    packet(6, u32(1)),  # WRITE without a handle
    u32(0),  # empty packet
])
def test_malformed_packet_stops_parsing_without_raising(bad):
    log = run([(C, init()), (S, version()), (C, bad)])
    assert log.unparsed is not None


def test_requests_left_unanswered_cannot_grow_the_log_without_bound(monkeypatch):
    monkeypatch.setattr(sftplog_log, "MAX_PENDING", 4)
    log = run([(C, init()), (S, version())])
    for rid in range(4):
        log.client_data(read(rid, b"h", 0, 10))
    assert log.unparsed is None
    log.client_data(read(4, b"h", 0, 10))
    assert log.unparsed is not None and "unanswered" in log.unparsed


def test_operations_past_the_cap_are_counted_not_kept():
    log = SftpLog(max_operations=2)
    log.client_data(init())
    log.server_data(version())
    for rid in range(5):
        log.client_data(path_request(13, rid, f"/f{rid}"))
        log.server_data(status(rid, OK))
    assert [o.path for o in log.operations] == ["/f0", "/f1"]
    assert log.dropped == 3


def test_summary_is_json_ready():
    summary = json.loads(json.dumps(run(UPLOAD).summary()))
    written = b"a" * 32768 + b"b" * 32768 + b"c" * 100
    assert summary["files"] == [{"path": "/srv/app/release.tar", "mode": "write+create+truncate",
                                 "bytes_read": 0, "bytes_written": 65636, "errors": 0,
                                 "closed": True, "sha256": hashlib.sha256(written).hexdigest()}]
    assert [o["op"] for o in summary["operations"]] == ["open", "close"]
    assert (summary["version"], summary["unparsed"], summary["dropped"]) == (3, None, 0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.binary(max_size=64)), max_size=30))
def test_arbitrary_bytes_never_raise(chunks):
    log = SftpLog()
    log.client_data(init())
    log.server_data(version())
    for from_client, data in chunks:
        (log.client_data if from_client else log.server_data)(data)
    json.dumps(log.summary())


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_valid_packets_with_fuzzed_fields_never_raise(data):
    log = run(UPLOAD[:4])
    kind = data.draw(st.sampled_from([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                      19, 20, 200, 101, 102, 103, 104, 105, 201]))
    body = data.draw(st.binary(max_size=40))
    (log.server_data if kind > 100 else log.client_data)(packet(kind, body))
    json.dumps(log.summary())


def test_a_download_in_order_gets_the_digest_of_what_was_read():
    log = run(DOWNLOAD)
    assert log.files[0].sha256 == hashlib.sha256(b"x" * 32768 + b"y" * 200).hexdigest()


def test_writes_out_of_order_leave_no_digest():
    log = run([*UPLOAD[:4], (C, write(2, b"\x00\x00\x00\x07", 100, b"late")),
               (C, write(3, b"\x00\x00\x00\x07", 0, b"early"))])
    assert log.files[0].sha256 is None and log.files[0].as_dict()["sha256"] is None


# --------------------------------------------------------------------------------------------
# The gate: requests judged by path before they reach the server


PROTECTED = "/etc/sudoers"


class Gate:
    """An SftpGate whose judge refuses any operation on PROTECTED, and what passed each way."""

    def __init__(self) -> None:
        self.judged: list[tuple[str, tuple[str, ...]]] = []
        self.out = {C: bytearray(), S: bytearray()}
        self.gate = SftpGate(self.judge, self.out[S].extend, self.out[C].extend)

    def judge(self, op: str, paths: tuple[str, ...], raw: bool) -> str | None:
        assert raw is False
        self.judged.append((op, paths))
        return "denied: protected" if PROTECTED in paths else None

    def run(self, conversation: list[tuple[str, bytes]], chunk: int | None = None) -> SftpGate:
        for side, data in conversation:
            feed = self.gate.from_client if side == C else self.gate.from_target
            step = chunk or len(data)
            for i in range(0, len(data), step):
                feed(data[i:i + step])
        return self.gate


def refused(rid: int, message: str = "denied: protected") -> bytes:
    return status(rid, PERMISSION_DENIED, message)


HANDLE = b"\x00\x00\x00\x07"


@each(("request_", "judged"), [
    (open_(9, "/etc/sudoers", WRITE | APPEND), [(">", ("/etc/sudoers",))]),
    (open_(9, "/etc/sudoers", CREAT | TRUNC), [(">", ("/etc/sudoers",))]),
    (open_(9, "/etc/sudoers", READ), [("<", ("/etc/sudoers",))]),
    (open_(9, "/etc/sudoers", 0), [("<", ("/etc/sudoers",))]),
    (open_(9, "/etc/sudoers", READ | WRITE), [(">", ("/etc/sudoers",))]),
    (path_request(13, 9, "/etc/sudoers"), [("rm", ("/etc/sudoers",))]),
    (path_request(18, 9, "/etc/sudoers", "/tmp/x"), [("mv", ("/etc/sudoers", "/tmp/x"))]),
    (path_request(18, 9, "/tmp/x", "/etc/sudoers"), [("mv", ("/tmp/x", "/etc/sudoers"))]),
    (extended(9, "posix-rename@openssh.com", s("/tmp/x"), s("/etc/sudoers")),
     [("mv", ("/tmp/x", "/etc/sudoers"))]),
    (extended(9, "hardlink@openssh.com", s("/etc/sudoers"), s("/tmp/l")),
     [("ln", ("/etc/sudoers", "/tmp/l"))]),
    (path_request(20, 9, "/etc/sudoers", "/tmp/l"), [("ln -s", ("/etc/sudoers", "/tmp/l"))]),
    (path_request(14, 9, "/etc/sudoers", attrs=NO_ATTRS), [("mkdir", ("/etc/sudoers",))]),
    (path_request(15, 9, "/etc/sudoers"), [("rmdir", ("/etc/sudoers",))]),
    (path_request(9, 9, "/etc/sudoers", attrs=attrs_permissions(0o4777)),
     [("chmod 4777", ("/etc/sudoers",))]),
    (path_request(9, 9, "/etc/sudoers", attrs=u32(0x01 | 0x02) + u64(0) + u32(0) + u32(0)),
     [("chown 0:0", ("/etc/sudoers",))]),  # the first refusal decides
    (extended(9, "lsetstat@openssh.com", s("/etc/sudoers"), u32(0x08) + u32(1) + u32(2)),
     [("touch 2", ("/etc/sudoers",))]),
])
def test_each_request_that_changes_or_reads_a_file_is_judged_and_refused_in_protocol(
        request_, judged):
    g = Gate()
    gate = g.run([(C, init()), (S, version()), (C, request_)])
    assert g.judged[: len(judged)] == judged
    assert gate.failed is None
    assert bytes(g.out[S]) == init()  # the refused request never reached the server
    assert bytes(g.out[C]) == version() + refused(9)
    assert gate.log.operations[-1].result == "refused"


def test_allowed_requests_pass_as_they_came_and_are_logged_with_the_server_result():
    g = Gate()
    gate = g.run(UPLOAD)
    assert bytes(g.out[S]) == b"".join(d for side, d in UPLOAD if side == C)
    assert bytes(g.out[C]) == b"".join(d for side, d in UPLOAD if side == S)
    assert g.judged == [(">", ("/srv/app/release.tar",)), ("chmod 0644", ("/srv/app/release.tar",))]
    assert gate.log.files[0].closed and gate.summary()["failed"] is None


def test_every_attribute_a_setstat_changes_is_judged():
    g = Gate()
    attrs = u32(0x01 | 0x02 | 0x04 | 0x08) + u64(7) + u32(1) + u32(2) + u32(0o640) + u32(3) + u32(4)
    g.run([(C, init()), (S, version()), (C, path_request(9, 9, "/srv/f", attrs=attrs))])
    assert g.judged == [("chmod 0640", ("/srv/f",)), ("chown 1:2", ("/srv/f",)),
                        ("truncate 7", ("/srv/f",)), ("touch 4", ("/srv/f",))]


def test_a_handle_request_is_judged_on_the_path_it_was_opened_for():
    g = Gate()
    g.run([(C, init()), (S, version()), (C, open_(1, "/etc/passwd", READ)),
           (S, handle_reply(1, HANDLE)), (C, packet(10, u32(2), s(HANDLE), attrs_permissions(0o777)))])
    assert g.judged[-1] == ("chmod 0777", ("/etc/passwd",))


def test_a_handle_the_gate_never_saw_opened_is_refused():
    g = Gate()
    g.run([(C, init()), (S, version()), (C, packet(10, u32(2), s(b"forged"), attrs_permissions(0o777)))])
    assert bytes(g.out[C]).endswith(refused(2, "a handle the bastion did not see opened"))
    assert bytes(g.out[S]) == init()


@each("request_", [
    extended(9, "made-up@example.com", s("/etc/sudoers")),
    extended(9, "copy-file", s("/a"), s("/b")),
    packet(99, u32(9), s("/etc")),
])
def test_unknown_extensions_and_request_types_are_refused(request_):
    g = Gate()
    g.run([(C, init()), (S, version()), (C, request_)])
    assert bytes(g.out[S]) == init()
    reply = bytes(g.out[C])[len(version()):]
    assert reply.startswith(u32(len(reply) - 4) + bytes([101]) + u32(9) + u32(PERMISSION_DENIED))
    assert b"not allowed through the bastion" in reply


@each("request_", [
    extended(9, "statvfs@openssh.com", s("/")),
    extended(9, "expand-path@openssh.com", s("~")),
    extended(9, "limits@openssh.com"),
    path_request(17, 9, "/etc/sudoers"),  # stat reads metadata only
    path_request(11, 9, "/etc"),
])
def test_metadata_requests_pass(request_):
    g = Gate()
    g.run([(C, init()), (S, version()), (C, request_)])
    assert bytes(g.out[S]) == init() + request_


def test_a_path_holding_a_nul_byte_is_refused():
    g = Gate()
    g.run([(C, init()), (S, version()), (C, open_(9, b"/etc/sudoers\x00.txt", WRITE))])
    assert bytes(g.out[C]).endswith(refused(9, "a path holding a NUL byte"))


def test_the_gate_answer_waits_for_the_end_of_the_server_packet_in_flight():
    g = Gate()
    reply = data_reply(3, b"z" * 1000)
    g.run([(C, init()), (S, version()), (S, reply[:500]), (C, path_request(13, 9, PROTECTED)),
           (S, reply[500:])])
    assert bytes(g.out[C]) == version() + reply + refused(9)


@each(("side", "data", "why"), [
    (C, packet(3, u32(9), u32(100), b"short"), "malformed request"),
    (C, u32(sftplog.MAX_PACKET + 1) + b"x" * 10, "at most"),
    (S, version(4), "version 4"),
])
def test_what_cannot_be_followed_fails_the_stream_and_passes_nothing_more(side, data, why):
    g = Gate()
    gate = g.run([(C, init())] + ([(S, version())] if side == C else []))
    before = {k: len(v) for k, v in g.out.items()}
    gate.from_client(data) if side == C else gate.from_target(data)
    assert gate.failed is not None and why in gate.failed
    gate.from_client(path_request(17, 5, "/x"))
    gate.from_target(status(5, OK))
    assert {k: len(v) for k, v in g.out.items()} == before


@each(("conversation", "why"), [
    # INIT(6) and, in the same write, a v6 OPEN (path, desired-access READ_DATA, flags
    # TRUNCATE_EXISTING): read as v3 it was a read of PROTECTED's sibling (attack q26o, finding 2).
    ([(C, packet(1, u32(6)) + packet(3, u32(5), s("/srv/f"), u32(READ), u32(4), u32(0)))],
     "before the server's VERSION"),
    ([(C, open_(5, "/srv/f", READ))], "a request before INIT"),
    ([(C, init()), (S, version()), (C, init())], "a second INIT"),
])
def test_a_request_the_gate_cannot_read_yet_ends_the_stream_unpassed(conversation, why):
    g = Gate()
    gate = g.run(conversation)
    assert gate.failed is not None and why in gate.failed
    assert b"/srv/f" not in g.out[S] and g.judged == []


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(st.integers(1, 50))
def test_the_gate_gives_the_same_result_however_packets_are_split(chunk):
    conversation = [*UPLOAD, (C, path_request(13, 9, PROTECTED)), (S, status(9, OK))]
    whole, split = Gate(), Gate()
    whole.run(conversation)
    split.run(conversation, chunk=chunk)
    assert split.out == whole.out and split.judged == whole.judged


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.booleans(), st.binary(max_size=64)), max_size=30))
def test_the_gate_never_raises_on_arbitrary_bytes(chunks):
    g = Gate()
    for from_client, data in chunks:
        (g.gate.from_client if from_client else g.gate.from_target)(data)
    json.dumps(g.gate.summary())


def test_a_gate_out_of_time_leaves_requests_waiting_and_resumes_them_in_order():
    requests = b"".join(path_request(13, rid, f"/tmp/f{rid}") for rid in range(50))
    whole = Gate()
    whole.run([(C, init()), (S, version()), (C, requests)])
    sliced = Gate()
    sliced.gate.slice = 0.0  # out of time after every request
    sliced.run([(C, init()), (S, version()), (C, requests)])
    rounds = 0
    while sliced.gate.waiting:
        sliced.gate.resume()
        rounds += 1
    assert rounds == 49
    assert sliced.out == whole.out and sliced.judged == whole.judged


# -- values the client chooses ---------------------------------------------------------------------

def test_a_request_id_reused_before_its_answer_fails_the_stream():
    """With two opens under id 5, the first's handle would be taken for the second's path: data
    written to one file recorded against the other, and an fsetstat judged on the decoy."""
    g = Gate()
    real, decoy = open_(5, "/srv/real", WRITE | CREAT), open_(5, "/srv/decoy", WRITE | CREAT)
    gate = g.run([(C, init()), (S, version()), (C, real + decoy)])
    assert gate.failed is not None and "request id 5 reused" in gate.failed
    assert bytes(g.out[S]) == init() + real
    gate.from_target(handle_reply(5, HANDLE))
    gate.from_client(packet(10, u32(7), s(HANDLE), attrs_permissions(0o777)))
    assert bytes(g.out[S]) == init() + real and bytes(g.out[C]) == version()


def test_a_refused_request_cannot_reuse_a_waiting_id_either():
    g = Gate()
    gate = g.run([(C, init()), (S, version()), (C, open_(5, "/srv/real", READ)),
                  (C, path_request(13, 5, PROTECTED))])
    assert gate.failed is not None and "reused" in gate.failed
    assert bytes(g.out[C]) == version()  # no refusal under an id the server still owes


def test_a_request_id_may_be_used_again_once_answered():
    g = Gate()
    gate = g.run([(C, init()), (S, version()), (C, open_(5, "/srv/a", READ)),
                  (S, handle_reply(5, b"h1")), (C, open_(5, "/srv/b", READ)),
                  (S, handle_reply(5, b"h2")), (C, packet(10, u32(5), s(b"h1"), attrs_permissions(0o600)))])
    assert gate.failed is None
    assert g.judged[-1] == ("chmod 0600", ("/srv/a",))
    assert [f.path for f in gate.log.files] == ["/srv/a", "/srv/b"]


def test_the_log_alone_stops_at_a_reused_request_id():
    log = run([(C, init()), (S, version()), (C, open_(5, "/srv/a", READ)),
               (C, open_(5, "/srv/b", READ)), (S, handle_reply(5, b"h1"))])
    assert log.unparsed is not None and "reused" in log.unparsed
    assert log.files == []


def test_a_handle_guessed_before_the_server_gave_it_out_is_refused():
    g = Gate()
    opened = open_(1, "/srv/authorized_keys", READ)
    g.run([(C, init()), (S, version()), (C, opened),
           (C, packet(10, u32(2), s(HANDLE), attrs_permissions(0o777))),
           (S, handle_reply(1, HANDLE))])
    assert refused(2, "a handle the bastion did not see opened") in bytes(g.out[C])
    assert bytes(g.out[S]) == init() + opened


@each(("request_", "judged"), [
    (open_(9, "/srv/x", WRITE | CREAT, attrs_permissions(0o4755)),
     [(">", ("/srv/x",)), ("chmod 4755", ("/srv/x",))]),
    (open_(9, "/srv/x", WRITE, attrs_permissions(0o4755)), [(">", ("/srv/x",))]),  # no create
    (open_(9, "/srv/x", WRITE | CREAT), [(">", ("/srv/x",))]),  # no permissions sent
    (path_request(14, 9, "/srv/d", attrs=attrs_permissions(0o3777)),
     [("mkdir", ("/srv/d",)), ("chmod 3777", ("/srv/d",))]),
])
def test_the_permissions_a_file_or_folder_is_created_with_are_judged_as_a_chmod(request_, judged):
    g = Gate()
    g.run([(C, init()), (S, version()), (C, request_)])
    assert g.judged == judged
