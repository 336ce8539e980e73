"""Session recordings: the asciicast v2 contract, digests, faults, replay and crash recovery."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from bastion import recording
from bastion.recording import (
    CastRecorder,
    ExecRecord,
    RecordingError,
    cast_path,
    exec_record_path,
    interrupt_recording,
    read_cast,
    read_exec_record,
    replay,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cast(tmp_path: Path) -> Path:
    return tmp_path / "s1-0.cast"


def recorder(path: Path, clock: FakeClock, **kwargs) -> CastRecorder:
    return CastRecorder(path, width=80, height=24, title="deploy@web01 INC-42",
                        env={"TERM": "xterm-256color", "SHELL": "/bin/bash"},
                        timestamp=1700000000, clock=clock, **kwargs)


def lines(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8").split("\n")


def test_file_is_asciicast_v2_header_then_one_json_array_per_event(cast, clock):
    rec = recorder(cast, clock)
    clock.advance(0.25)
    rec.output(b"$ ")
    clock.advance(0.5)
    rec.input(b"l")
    clock.advance(0.000001)
    rec.resize(120, 40)
    clock.advance(1)
    rec.marker("verdict allow: ls")
    rec.close()

    raw = lines(cast)
    assert raw[-1] == ""  # every line, the last included, ends in a newline
    header = json.loads(raw[0])
    assert header == {"version": 2, "width": 80, "height": 24, "timestamp": 1700000000,
                      "title": "deploy@web01 INC-42",
                      "env": {"TERM": "xterm-256color", "SHELL": "/bin/bash"}}
    events = [json.loads(line) for line in raw[1:-1]]
    assert events == [[0.25, "o", "$ "], [0.75, "i", "l"], [0.750001, "r", "120x40"],
                      [1.750001, "m", "verdict allow: ls"]]
    assert all(isinstance(e[0], float) for e in events)
    assert read_cast(cast) == (header, [tuple(e) for e in events])


def test_character_split_across_chunks_arrives_whole_in_the_next_event(cast, clock):
    rec = recorder(cast, clock)
    euro, smile = "€".encode(), "😀".encode()
    rec.output(b"price " + euro[:1])
    clock.advance()
    rec.output(euro[1:] + b" " + smile[:2])
    clock.advance()
    rec.output(smile[2:3])
    clock.advance()
    rec.output(smile[3:])
    rec.close()
    _, events = read_cast(cast)
    assert [data for _, _, data in events] == ["price ", "€ ", "😀"]


def test_input_and_output_are_decoded_as_separate_streams(cast, clock):
    rec = recorder(cast, clock)
    rec.output("é".encode()[:1])
    rec.input("ü".encode()[:1])
    rec.output("é".encode()[1:])
    clock.advance()
    rec.input("ü".encode()[1:])
    rec.close()
    _, events = read_cast(cast)
    assert [(code, data) for _, code, data in events] == [("o", "é"), ("i", "ü")]


@pytest.mark.parametrize("chunks, expected", [
    ([b"ok \xff\xfe end"], "ok \ufffd\ufffd end"),
    ([b"\xc3("], "\ufffd("),
    ([b"cut at close \xe2\x82"], "cut at close \ufffd"),
    ([b"nul \x00 esc \x1b[31m del \x7f"], "nul \x00 esc \x1b[31m del \x7f"),
    ([b"line sep \xe2\x80\xa8 ok"], "line sep \u2028 ok"),
])
def test_bytes_that_are_not_utf8_become_replacement_characters(cast, clock, chunks, expected):
    rec = recorder(cast, clock)
    for chunk in chunks:
        rec.output(chunk)
    rec.close()
    cast.read_bytes().decode("utf-8")  # the file itself stays valid UTF-8
    _, events = read_cast(cast)
    assert "".join(data for _, _, data in events) == expected


def test_redaction_marker_passed_as_text_is_written_as_is(cast, clock):
    rec = recorder(cast, clock)
    rec.input(b"sudo true\r")
    clock.advance()
    rec.input("[redacted 8 keystrokes]")
    rec.close()
    _, events = read_cast(cast)
    assert [(code, data) for _, code, data in events] == [
        ("i", "sudo true\r"), ("i", "[redacted 8 keystrokes]")]
    assert rec.bytes_in == len(b"sudo true\r") + len("[redacted 8 keystrokes]")


def test_byte_counts_are_the_raw_bytes_relayed(cast, clock):
    rec = recorder(cast, clock)
    rec.output(b"\xff" * 10)
    rec.output("é".encode())
    rec.input(b"ab")
    assert (rec.bytes_out, rec.bytes_in) == (12, 2)
    rec.close()


def test_marker_reaches_the_disk_at_once(cast, clock):
    rec = recorder(cast, clock)
    rec.output(b"some output")
    rec.marker("supervisor sam watching")
    _, events = read_cast(cast)  # the recorder is still open
    assert [(code, data) for _, code, data in events] == [
        ("o", "some output"), ("m", "supervisor sam watching")]
    rec.close()


def test_output_is_batched_until_flush(cast, clock):
    rec = recorder(cast, clock)
    header_size = cast.stat().st_size
    rec.output(b"x" * 100)
    assert cast.stat().st_size == header_size
    rec.flush()
    assert read_cast(cast)[1] == [(0.0, "o", "x" * 100)]
    rec.close()


def test_bulk_output_is_written_as_whole_lines_without_flush(cast, clock):
    rec = recorder(cast, clock)
    for _ in range(200):
        clock.advance(0.001)
        rec.output(b"0123456789\n" * 372)  # about 4 KiB
    on_disk = cast.read_bytes()
    assert len(on_disk) > recording.FLUSH_BYTES
    assert on_disk.endswith(b"\n")
    read_cast(cast)  # strict: no partial line
    rec.close()


def test_an_event_older_than_the_digest_interval_is_written_with_the_next(cast, clock):
    rec = recorder(cast, clock, digest_interval=5.0)
    rec.output(b"first")
    clock.advance(4.9)
    rec.input(b"a")
    assert read_cast(cast)[1] == []
    clock.advance(0.2)
    rec.input(b"b")
    assert [data for _, _, data in read_cast(cast)[1]] == ["first", "a", "b"]
    rec.close()


def test_output_chunks_close_in_time_are_one_event(cast, clock):
    rec = recorder(cast, clock)
    rec.output(b"a")
    clock.advance(recording.COALESCE_SECONDS / 2)
    rec.output(b"b")
    clock.advance(1)
    rec.output(b"c")
    rec.input(b"q")
    rec.output(b"d")
    rec.close()
    _, events = read_cast(cast)
    assert [(code, data) for _, code, data in events] == [
        ("o", "ab"), ("o", "c"), ("i", "q"), ("o", "d")]
    assert events[0][0] == 0.0


def test_event_times_never_go_backwards(cast):
    times = iter([10.0, 11.0, 9.0, 12.0, 12.0])
    rec = CastRecorder(cast, width=80, height=24, title="", env={}, clock=lambda: next(times))
    rec.input(b"a")
    rec.input(b"b")
    rec.input(b"c")
    rec.close()
    assert [at for at, _, _ in read_cast(cast)[1]] == [1.0, 1.0, 2.0]


@pytest.mark.parametrize("cols, rows", [(0, 24), (80, -1), (80.0, 24), (True, 24)])
def test_resize_to_a_nonsense_size_is_refused(cast, clock, cols, rows):
    rec = recorder(cast, clock)
    with pytest.raises(ValueError):
        rec.resize(cols, rows)
    rec.close()


def test_close_returns_sha256_of_the_file_and_is_idempotent(cast, clock):
    rec = recorder(cast, clock)
    rec.output(b"hello\r\n")
    assert not rec.closed
    digest = rec.close()
    assert digest == hashlib.sha256(cast.read_bytes()).hexdigest()
    assert rec.closed
    assert rec.close() == digest
    with pytest.raises(RecordingError, match="closed"):
        rec.output(b"late")


def test_running_digest_covers_a_whole_line_prefix_of_the_final_file(cast, clock):
    rec = recorder(cast, clock)
    rec.output(b"before the checkpoint\n")
    rec.output(b"\xe2\x82")  # half a character: not yet an event
    rec.flush()
    offset, digest = rec.running_digest()
    clock.advance()
    rec.output(b"\xac after\n")
    final = rec.close()

    data = cast.read_bytes()
    assert final == hashlib.sha256(data).hexdigest()
    assert 0 < offset < len(data)
    assert hashlib.sha256(data[:offset]).hexdigest() == digest
    assert data[:offset].endswith(b"\n")
    assert read_cast(cast)[1][-1][2] == "€ after\n"


def test_recording_file_is_private(cast, clock):
    old = os.umask(0)
    try:
        recorder(cast, clock).close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(cast.stat().st_mode) == 0o600


def test_existing_recording_is_never_overwritten(cast, clock):
    cast.write_bytes(b"evidence")
    with pytest.raises(RecordingError, match="already exists"):
        recorder(cast, clock)
    assert cast.read_bytes() == b"evidence"


def test_symlink_in_place_of_the_recording_is_refused(tmp_path, cast, clock):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    cast.symlink_to(victim)
    with pytest.raises(RecordingError):
        recorder(cast, clock)
    assert victim.read_bytes() == b"keep"


def test_recordings_folder_that_is_a_file_gives_one_clear_error(tmp_path, clock):
    blocker = tmp_path / "recordings"
    blocker.write_text("not a folder")
    with pytest.raises(RecordingError, match=r"cannot create recording .*recordings/s1-0\.cast"):
        recorder(blocker / "s1-0.cast", clock)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_recordings_folder_not_writable_gives_recording_error(tmp_path, clock):
    folder = tmp_path / "recordings"
    folder.mkdir(mode=0o500)
    try:
        with pytest.raises(RecordingError, match="Permission denied"):
            recorder(folder / "s1-0.cast", clock)
    finally:
        folder.chmod(0o700)


def test_full_disk_at_creation_gives_recording_error_and_leaks_no_descriptor(cast, clock):
    opened: list[int] = []

    def dev_full(_path: Path) -> int:
        opened.append(os.open("/dev/full", os.O_WRONLY))
        return opened[-1]

    with pytest.raises(RecordingError, match="No space left on device"):
        recorder(cast, clock, opener=dev_full)
    with pytest.raises(RecordingError, match="No space left on device"):
        ExecRecord(cast, session_id="s1", channel=0, kind="exec", command="id", opener=dev_full)
    for fd in opened:
        with pytest.raises(OSError):
            os.fstat(fd)


def test_write_failure_mid_session_is_raised_and_every_later_call_fails(cast, clock):
    read_end, write_end = os.pipe()

    def pipe(_path: Path) -> int:
        return write_end

    rec = recorder(cast, clock, opener=pipe)
    os.close(read_end)  # the disk goes away
    rec.output(b"buffered")
    with pytest.raises(RecordingError, match="cannot write recording"):
        rec.flush()
    with pytest.raises(RecordingError, match="cannot write recording"):
        rec.output(b"more")
    with pytest.raises(RecordingError, match="cannot write recording"):
        rec.marker("kill")
    with pytest.raises(RecordingError, match="cannot write recording"):
        rec.close()
    assert not rec.closed


class Disk:
    """The descriptor a recorder writes to, made full and then given space again (dup2 of
    /dev/full, then of the file itself in append mode, onto that same descriptor)."""

    def __init__(self) -> None:
        self.fd = -1
        self.path: Path | None = None

    def opener(self, path: Path) -> int:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        return self.fd

    def fill(self) -> None:
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, self.fd)
        os.close(full)

    def free(self) -> None:
        again = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        os.dup2(again, self.fd)
        os.close(again)


def test_a_recording_that_hit_a_full_disk_is_finished_with_everything_once_space_is_back(
        cast, clock):
    disk = Disk()
    rec = recorder(cast, clock, opener=disk.opener)
    rec.output(b"before the disk filled up")
    rec.flush()
    disk.fill()
    rec.output(b"held in memory")
    with pytest.raises(RecordingError, match="No space left on device"):
        rec.flush()
    assert rec.resume() is False            # still full: nothing changes, nothing is lost
    with pytest.raises(RecordingError):
        rec.close()
    disk.free()
    assert rec.resume() is True
    rec.marker("session ended: the recording could not be written")
    digest = rec.close()
    assert digest == hashlib.sha256(cast.read_bytes()).hexdigest()
    _, events = read_cast(cast)
    assert [(code, text) for _, code, text in events] == [
        ("o", "before the disk filled up"), ("o", "held in memory"),
        ("m", "session ended: the recording could not be written")]


def test_an_exec_record_whose_end_line_hit_a_full_disk_gets_it_once(tmp_path):
    disk = Disk()
    path = tmp_path / "s1-1.jsonl"
    rec = ExecRecord(path, session_id="s1", channel=1, kind="exec", command="id",
                     opener=disk.opener)
    rec.stdout(b"uid=0(root)\n")
    disk.fill()
    with pytest.raises(RecordingError, match="No space left on device"):
        rec.close(exit_status=0)
    disk.free()
    assert rec.resume() is True
    digest = rec.close(exit_status=0)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.read_bytes().count(b"\n") == 2
    assert read_exec_record(path)["stdout"]["bytes"] == 12


@pytest.mark.parametrize("session, channel", [("../etc", 0), ("s1", "0/../x"), ("", 0),
                                              (".hidden", 1)])
def test_recording_names_cannot_leave_the_recordings_folder(tmp_path, session, channel):
    with pytest.raises(ValueError):
        cast_path(tmp_path, session, channel)
    with pytest.raises(ValueError):
        exec_record_path(tmp_path, session, channel)


def test_recording_names_follow_the_design(tmp_path):
    assert cast_path(tmp_path, "s7f3", 2) == tmp_path / "s7f3-2.cast"
    assert exec_record_path(tmp_path, "s7f3", 3) == tmp_path / "s7f3-3.jsonl"


HEADER = b'{"version": 2, "width": 80, "height": 24}\n'


@pytest.mark.parametrize("content, where", [
    (b"", "empty file"),
    (b"not json\n", ":1: not JSON"),
    (b'[2, "o", "x"]\n', ":1: the header must be a JSON object"),
    (b'{"version": 1, "width": 80, "height": 24}\n', ":1: not asciicast version 2"),
    (b'{"version": true, "width": 80, "height": 24}\n', ":1: not asciicast version 2"),
    (b'{"version": 2, "width": 0, "height": 24}\n', ":1: header width"),
    (b'{"version": 2, "width": 80}\n', ":1: header height"),
    (b'{"version": 2, "width": 80, "height": 24, "env": []}\n', ":1: header env"),
    (HEADER + b'[0.1, "o", "a"]\n{"t": 1}\n', ":3: an event must be"),
    (HEADER + b'[0.1, "o"]\n', ":2: an event must be"),
    (HEADER + b'[-1, "o", "a"]\n', ":2: an event must be"),
    (HEADER + b'["0.1", "o", "a"]\n', ":2: an event must be"),
    (HEADER + b'[0.1, "o", 5]\n', ":2: an event must be"),
    (HEADER + b'[0.1, "o", "a"]\n\n[0.2, "o", "b"]\n', ":3: not JSON"),
    (HEADER + b'[0.1, "o", "\xff"]\n', ":2: not UTF-8"),
    (HEADER + b'[0.1, "o", "a"]\n[0.2, "o", "b', ":3: not JSON"),
])
def test_read_cast_rejects_malformed_files_naming_the_line(tmp_path, content, where):
    path = tmp_path / "bad.cast"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=f"{path}{where}" if where[0] == ":" else where):
        read_cast(path)


def test_read_cast_skips_a_truncated_last_line_only_when_asked(tmp_path):
    path = tmp_path / "cut.cast"
    path.write_bytes(HEADER + b'[0.1, "o", "a"]\n[0.2, "o", "b')
    header, events = read_cast(path, allow_truncated=True)
    assert header["width"] == 80
    assert events == [(0.1, "o", "a")]


def test_read_cast_never_skips_a_damaged_line_in_the_middle(tmp_path):
    path = tmp_path / "bad.cast"
    path.write_bytes(HEADER + b'[0.1, "o", "a\n[0.2, "o", "b"]\n')
    with pytest.raises(RecordingError, match=":2: not JSON"):
        read_cast(path, allow_truncated=True)


def test_read_cast_accepts_a_complete_last_line_without_newline(tmp_path):
    path = tmp_path / "ok.cast"
    path.write_bytes(HEADER + b'[0.1, "o", "a"]')
    assert read_cast(path)[1] == [(0.1, "o", "a")]


def test_replay_plays_all_output_in_order_with_capped_scaled_gaps(cast, clock):
    rec = recorder(cast, clock)
    clock.advance(0.5)
    rec.output(b"one ")
    clock.advance(1.0)
    rec.input(b"x")
    rec.marker("alert")
    clock.advance(60)  # the user went for coffee
    rec.output(b"two ")
    clock.advance(0.25)
    rec.output("thr€e".encode())
    rec.close()

    slept: list[float] = []
    out = io.BytesIO()
    replay(cast, out, speed=2.0, sleep=slept.append, max_idle=2.0)
    assert out.getvalue() == "one two thr€e".encode()
    assert slept == [0.25, 1.0, 0.125]


def test_replay_writes_text_to_a_text_writer(cast, clock):
    rec = recorder(cast, clock)
    rec.output("ü\r\n".encode())
    rec.close()
    out = io.StringIO()
    replay(cast, out, sleep=lambda _s: None)
    assert out.getvalue() == "ü\r\n"


def test_replay_without_idle_cap_keeps_the_real_gap(cast, clock):
    rec = recorder(cast, clock)
    clock.advance(30)
    rec.output(b"late")
    rec.close()
    slept: list[float] = []
    replay(cast, io.BytesIO(), sleep=slept.append, max_idle=None)
    assert slept == [30.0]


def crashed_recording(cast: Path, clock: FakeClock) -> bytes:
    """A recording whose process died mid-write: flushed events, then half a line."""
    rec = recorder(cast, clock)
    clock.advance(1.5)
    rec.output(b"last words\n")
    rec.flush()
    intact = cast.read_bytes()
    with open(cast, "ab") as f:
        f.write(b'[2.000000, "o", "cut of')
    return intact


def test_interrupted_recording_is_cut_to_its_last_event_and_marked(cast, clock):
    intact = crashed_recording(cast, clock)
    digest = interrupt_recording(cast)

    data = cast.read_bytes()
    assert data.startswith(intact)
    assert digest == hashlib.sha256(data).hexdigest()
    _, events = read_cast(cast)  # strict: valid asciicast v2 again
    assert events == [(1.5, "o", "last words\n"), (1.5, "m", "session interrupted")]


def test_interrupted_recording_without_events_gets_the_marker_at_zero(cast, clock):
    rec = recorder(cast, clock)
    rec.flush()
    interrupt_recording(cast)
    assert read_cast(cast)[1] == [(0.0, "m", "session interrupted")]


def test_interrupted_recording_whose_last_line_lacks_only_the_newline(tmp_path):
    path = tmp_path / "s.cast"
    path.write_bytes(HEADER + b'[0.5, "o", "a"]')
    interrupt_recording(path)
    assert read_cast(path)[1] == [(0.5, "o", "a"), (0.5, "m", "session interrupted")]


@pytest.mark.parametrize("content", [b"", b'{"version": 2, "wid',
                                     HEADER + b'garbage\n[0.1, "o", "a"]\n'])
def test_interrupt_refuses_files_that_are_not_crash_damage(tmp_path, content):
    path = tmp_path / "s.cast"
    path.write_bytes(content)
    with pytest.raises(RecordingError):
        interrupt_recording(path)
    assert path.read_bytes() == content


def test_interrupt_of_a_missing_recording_is_a_recording_error(tmp_path):
    with pytest.raises(RecordingError, match="cannot read recording"):
        interrupt_recording(tmp_path / "missing.cast")


@pytest.mark.skipif(shutil.which("asciinema") is None, reason="asciinema not installed")
def test_asciinema_plays_the_recording(cast, clock):
    rec = recorder(cast, clock)
    rec.output(b"hello from web01 \xe2\x82")
    clock.advance(0.5)
    rec.output(b"\xac\r\n")
    rec.input("[redacted 4 keystrokes]")
    rec.resize(100, 30)
    rec.marker("verdict deny: rm -rf /")
    rec.output(b"bye\r\n")
    rec.close()
    played = subprocess.run(["asciinema", "play", "-i", "0.01", "-s", "100", str(cast)],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=30,
                            check=True)
    assert "hello from web01 €\r\nbye\r\n".encode() in played.stdout


def test_exec_record_digests_each_stream_as_it_flows(tmp_path):
    path = tmp_path / "s1-1.jsonl"
    times = iter([1700000000.0, 1700000042.5])
    rec = ExecRecord(path, session_id="s1", channel=1, kind="exec",
                     command="tar czf - /etc", clock=lambda: next(times))
    stdout = [os.urandom(1000) for _ in range(5)]
    for chunk in stdout:
        rec.stdout(chunk)
    rec.stdin(b"secret input")
    rec.stderr(b"tar: removing leading /\n")
    assert (rec.bytes_in, rec.bytes_out) == (12, 5000 + 24)
    digest = rec.close(exit_status=0)

    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rec.close(exit_status=1) == digest
    assert b"secret input" not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = read_exec_record(path)
    assert record == {
        "version": 1, "session": "s1", "channel": 1, "kind": "exec",
        "command": "tar czf - /etc", "started": 1700000000.0, "ended": 1700000042.5,
        "exit_status": 0, "exit_signal": None,
        "stdin": {"bytes": 12, "sha256": hashlib.sha256(b"secret input").hexdigest()},
        "stdout": {"bytes": 5000, "sha256": hashlib.sha256(b"".join(stdout)).hexdigest()},
        "stderr": {"bytes": 24,
                   "sha256": hashlib.sha256(b"tar: removing leading /\n").hexdigest()},
    }
    with pytest.raises(RecordingError, match="closed"):
        rec.stdout(b"late")


def test_exec_record_of_sftp_carries_the_file_operations(tmp_path):
    path = tmp_path / "s1-2.jsonl"
    rec = ExecRecord(path, session_id="s1", channel=2, kind="subsystem", command="sftp")
    summary = {"version": 3, "unparsed": None, "dropped": 0,
               "operations": [{"op": "open", "path": "/etc/hosts", "result": "ok"}],
               "files": [{"path": "/etc/hosts", "mode": "read", "bytes_read": 220}]}
    rec.close(exit_status=None, exit_signal="TERM", sftp=summary)
    record = read_exec_record(path)
    assert record["sftp"] == summary
    assert (record["kind"], record["exit_signal"]) == ("subsystem", "TERM")


def test_exec_record_of_a_killed_process_shows_no_end(tmp_path):
    path = tmp_path / "s1-3.jsonl"
    ExecRecord(path, session_id="s1", channel=3, kind="exec", command="sleep 100")
    record = read_exec_record(path)
    assert record["command"] == "sleep 100"
    assert record["ended"] is None


def test_exec_record_refuses_to_overwrite(tmp_path):
    path = tmp_path / "s1-1.jsonl"
    path.write_text("old")
    with pytest.raises(RecordingError, match="already exists"):
        ExecRecord(path, session_id="s1", channel=1, kind="exec", command="id")
    assert path.read_text() == "old"


@pytest.mark.parametrize("content, message", [
    (b"", "expected 1 or 2 lines"),
    (b'{"version": 1}\n{}\n{}\n', "expected 1 or 2 lines"),
    (b"[1]\n", ":1: not a JSON object"),
    (b'{"version": 2}\n', "not an exec record"),
    (b'{"version": 1}\n{"ended": 1', ":2: not JSON"),
])
def test_read_exec_record_rejects_what_exec_record_does_not_write(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        read_exec_record(path)


def _cast_file(path: Path, events: list[tuple[float, str, str]], tail: bytes = b"") -> Path:
    header = {"version": 2, "width": 80, "height": 24, "timestamp": 1, "title": "t", "env": {}}
    lines = [json.dumps(header)] + [json.dumps(list(e)) for e in events]
    path.write_bytes(("\n".join(lines) + "\n").encode() + tail)
    return path


def _pages(path: Path, budget: int, *, resume: bool) -> list[recording.CastPage]:
    pages, offset, at = [], 0, None
    while offset is not None:
        page = recording.cast_page(path, offset, budget, resume=at if resume else None)
        pages.append(page)
        offset, at = page.following, page.resume
    return pages


@pytest.mark.parametrize("budget", [1, 40, 100, 10_000])
@pytest.mark.parametrize("resume", [False, True])
def test_pages_of_a_cast_hold_every_event_once_in_order(tmp_path, budget, resume):
    events = [(i / 10, "o", "x" * (i % 7) + "é\n") for i in range(50)]
    path = _cast_file(tmp_path / "c.cast", events)
    pages = _pages(path, budget, resume=resume)
    assert [tuple(e) for p in pages for e in p.events] == read_cast(path)[1]
    assert all(p.header == read_cast(path)[0] for p in pages)
    assert all(p.events for p in pages)  # each page holds at least one event
    assert pages[-1].following is None


def test_a_page_past_the_end_is_empty_and_a_cut_last_line_ends_the_cast(tmp_path):
    path = _cast_file(tmp_path / "c.cast", [(0.0, "o", "a"), (0.1, "o", "b")], tail=b'[0.2, "o", "c')
    assert recording.cast_page(path, 5, 100).events == []
    assert recording.cast_page(path, 1, 100).events == [[0.1, "o", "b"]]
    assert recording.cast_page(path, 1, 100).following is None


def test_a_page_far_into_a_cast_parses_only_its_own_events(tmp_path, monkeypatch):
    """The control `recording` operation pages through a long recording (attack I, finding 8):
    the lines before the page are counted, never parsed, so page N costs page N's events."""
    path = _cast_file(tmp_path / "c.cast", [(i / 1000, "o", "k") for i in range(20_000)])
    parsed = []
    real = recording.cast._parse_cast_line
    monkeypatch.setattr(recording.cast, "_parse_cast_line",
                        lambda p, n, raw: parsed.append(n) or real(p, n, raw))
    page = recording.cast_page(path, 19_000, 170)
    assert page.events[0] == [19.0, "o", "k"] and len(page.events) == 10
    assert len(parsed) == 1 + 11  # the header, the page's events and the one that starts the next
    parsed.clear()
    assert recording.cast_page(path, page.following, 170, resume=page.resume).events[0] == [19.01, "o", "k"]
    assert len(parsed) == 1 + 11
