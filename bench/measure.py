"""The figures taken with the real OpenSSH client along one path of the rig.

Each function runs one trial and returns its figure; it raises MeasureError when the trial did not
complete as it should (wrong byte count, a non-zero exit, a timeout), and never waits longer than
its timeout. MB is 10**6 bytes.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import threading
import time

from bench.rig import Rig

MB = 1_000_000
READ_CHUNK = 1 << 20
SCREEN = (24, 80)
# The end of a shell prompt ("$ " or "# ", after any colour codes). The bastion refuses a line
# typed before the shell has shown its prompt, so every session waits for one, as a person does.
PROMPT = re.compile(rb"[$#%>] (?:\x1b\[[0-9;]*m)*$")
READY = (b"echo READY-$((1+1))", b"READY-2")  # the command's echo never contains the marker
DONE = (b"echo DONE-$((6*7))", b"DONE-42")
_KEEP = 2048  # bytes of output kept to find a marker split across reads and to report errors


class MeasureError(RuntimeError):
    """A trial did not complete as it should; the message says what was seen."""


def exec_throughput(rig: Rig, path: str, size: int, timeout: float = 300) -> float:
    """MB/s of `head -c SIZE /dev/zero` run as an exec command, from the first byte received
    to the end of the stream (session set-up is a figure of its own)."""
    proc = subprocess.Popen(rig.ssh(path, f"head -c {size} /dev/zero"), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                            env=rig.ssh_env())
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        buffer = bytearray(READ_CHUNK)
        first_at = end_at = 0.0
        first = total = 0
        while n := proc.stdout.readinto(buffer):
            if not total:
                first_at, first = time.perf_counter(), n
            total += n
        end_at = time.perf_counter()
        err = proc.stderr.read()
        code = proc.wait()
    finally:
        watchdog.cancel()
    if code != 0 or total != size:
        raise MeasureError(f"{path}: exec stream got {total} of {size} bytes, exit {code}: "
                           f"{err[-300:]!r}")
    return (total - first) / max(end_at - first_at, 1e-9) / MB


def pty_bulk(rig: Rig, path: str, size: int, timeout: float = 300) -> float:
    """Seconds for SIZE bytes of `seq` output printed in an interactive shell (`ssh -tt`), from
    the command line's submit key to the marker printed after it."""
    term = SshTerminal(rig, path, pty=False)
    try:
        term.expect(PROMPT, 30)
        term.send(READY[0] + b"\n")
        term.expect(READY[1], 30)
        received = term.received
        start = time.perf_counter()
        term.send(b"seq 1000000000 | head -c %d; %s\n" % (size, DONE[0]))
        term.expect(DONE[1], timeout)
        seconds = time.perf_counter() - start
        if term.received - received < size:
            raise MeasureError(f"{path}: only {term.received - received} of {size} bytes arrived")
        term.send(b"exit\n")
        term.wait(30)
    finally:
        term.close()
    return seconds


def keystroke_echo(rig: Rig, path: str, count: int, gap: float = 0.02, warmup: int = 5
                   ) -> list[float]:
    """Milliseconds from writing one key to its echo, for `count` keys typed to `cat` in a pty
    (the target's line discipline echoes), `gap` seconds apart. The client is `ssh -tt` on a pty
    of this process, as a person's terminal is."""
    term = SshTerminal(rig, path, pty=True)
    latencies: list[float] = []
    try:
        term.expect(PROMPT, 30)
        term.send(READY[0] + b"; exec cat\n")
        term.expect(READY[1], 30)
        for i in range(warmup + count):
            key = bytes([ord("a") + i % 26])
            start = time.perf_counter()
            term.send(key)
            term.expect(key, 10)
            if i >= warmup:
                latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(gap)
        term.send(b"\x03")  # interrupts cat, which ends the session
        term.wait(30)
    finally:
        term.close()
    return latencies


def echo_under_flood(rig: Rig, flood_bytes: int, floods: int, gap: float = 0.02,
                     timeout: float = 300) -> dict[str, list[float]]:
    """Keystroke echo of a quiet session along the bastion while another session floods it.

    The quiet session types to `cat` in a pty, a key every `gap` seconds, the whole time. The
    other runs `bash` without a pty and sends, `floods` times, an unfinished statement of
    `flood_bytes` (`echo '` then two-byte lines, the quote never closed until the end), then
    `echo FLOOD-DONE-N`. Returns {"echo_ms": the latencies of keys typed while a flood was on
    its way, "flood_s": the seconds from each flood's first byte to its marker}."""
    quiet = SshTerminal(rig, "bastion", pty=True)
    flood = subprocess.Popen(rig.ssh("bastion", "bash"), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
                             env=rig.ssh_env())
    windows: list[tuple[float, float]] = []
    failure: list[str] = []

    def send_floods() -> None:
        seen = b""
        try:
            for n in range(floods):
                body = b"echo '" + b"x\n" * max(1, (flood_bytes - 8) // 2) + b"'\n"
                marker = b"FLOOD-DONE-%d" % n
                start = time.monotonic()
                view = memoryview(body + b"echo " + marker + b"\n")
                while view:
                    view = view[os.write(flood.stdin.fileno(), view):]
                while marker not in seen:
                    chunk = os.read(flood.stdout.fileno(), READ_CHUNK)
                    if not chunk:
                        raise MeasureError(f"the flooding session ended before {marker!r}")
                    seen = seen[-64:] + chunk
                windows.append((start, time.monotonic()))
        except (OSError, MeasureError) as exc:
            failure.append(str(exc))

    latencies: list[float] = []
    try:
        quiet.expect(PROMPT, 30)
        quiet.send(READY[0] + b"; exec cat\n")
        quiet.expect(READY[1], 30)
        sender = threading.Thread(target=send_floods, daemon=True)
        deadline = time.monotonic() + timeout
        sender.start()
        typed: list[tuple[float, float]] = []
        i = 0
        while sender.is_alive():
            if time.monotonic() > deadline:
                raise MeasureError("the floods did not go through in time")
            key = bytes([ord("a") + i % 26])
            i += 1
            at = time.monotonic()
            quiet.send(key)
            quiet.expect(key, 60)
            typed.append((at, (time.monotonic() - at) * 1000))
            time.sleep(gap)
        if failure:
            raise MeasureError(failure[0])
        latencies = [ms for at, ms in typed if any(a <= at <= b for a, b in windows)]
        quiet.send(b"\x03")
        quiet.wait(30)
    finally:
        quiet.close()
        flood.kill()
        flood.wait()
    return {"echo_ms": latencies, "flood_s": [b - a for a, b in windows]}


def session_setup(rig: Rig, path: str, timeout: float = 60) -> float:
    """Seconds for `ssh DEST true`: connect, authenticate with the certificate, run, exit."""
    start = time.perf_counter()
    result = subprocess.run(rig.ssh(path, "true"), stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=timeout, env=rig.ssh_env())
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise MeasureError(f"{path}: `ssh true` exited {result.returncode}: "
                           f"{result.stderr[-300:]!r}")
    return seconds


def negotiated_ciphers(rig: Rig, path: str) -> list[str]:
    """The ciphers OpenSSH's client negotiated along `path` (one per direction and hop)."""
    result = subprocess.run(rig.ssh(path, "true", options=("-v",)), stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=60, env=rig.ssh_env())
    found = []
    for line in result.stderr.decode(errors="replace").splitlines():
        if "kex: server->client cipher:" in line:
            found.append(line.split("cipher:", 1)[1].split()[0])
    return found


def marker_end(data: bytes, marker: bytes | re.Pattern[bytes]) -> int | None:
    """Where the first `marker` (bytes, or a pattern) in `data` ends; None if it is not there."""
    if isinstance(marker, bytes):
        found = data.find(marker)
        return found + len(marker) if found >= 0 else None
    match = marker.search(data)
    return match.end() if match else None


class SshTerminal:
    """An interactive `ssh -tt` session driven by this process, on a pty (as a person's terminal)
    or on pipes (cheaper to read in bulk). `received` counts the bytes the client printed."""

    def __init__(self, rig: Rig, path: str, *, pty: bool) -> None:
        args = rig.ssh(path, tty=True)
        self.received = 0
        self._tail = b""
        if pty:
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *SCREEN, 0, 0))
            # The pty keeps its default (cooked) modes: ssh sends them to the target as a
            # person's terminal would, then makes its own end raw. Nothing is typed before the
            # target has printed something, so nothing is echoed locally.
            try:
                self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave,
                                             env=rig.ssh_env(), start_new_session=True)
            finally:
                os.close(slave)
            self._read_fd = self._write_fd = master
            self._owned = [master]
        else:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, env=rig.ssh_env(), bufsize=0)
            self._read_fd = self.proc.stdout.fileno()
            self._write_fd = self.proc.stdin.fileno()
            self._owned = []

    def send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._write_fd, view):]

    def expect(self, marker: bytes | re.Pattern[bytes], timeout: float) -> None:
        """Wait until `marker` (bytes, or a pattern) has been printed; output before it and the
        marker are consumed."""
        deadline = time.monotonic() + timeout
        while True:
            end = marker_end(self._tail, marker)
            if end is not None:
                self._tail = self._tail[end:]
                return
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read_fd], [], [], left)[0]:
                raise MeasureError(f"timed out waiting for {marker!r}; last output "
                                   f"{self._tail[-300:]!r}")
            try:
                chunk = os.read(self._read_fd, READ_CHUNK)
            except OSError:  # EIO: the pty's other end is closed
                chunk = b""
            if not chunk:
                raise MeasureError(f"session ended before {marker!r}; last output "
                                   f"{self._tail[-300:]!r}")
            self.received += len(chunk)
            self._tail = self._tail[-_KEEP:] + chunk

    def wait(self, timeout: float) -> int:
        """Wait for ssh to exit, reading (and dropping) what it prints meanwhile."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise MeasureError("ssh did not exit")
            if select.select([self._read_fd], [], [], min(left, 0.1))[0]:
                try:
                    if not os.read(self._read_fd, READ_CHUNK):
                        break
                except OSError:
                    break
        return self.proc.wait(max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for fd in self._owned:
            os.close(fd)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()
