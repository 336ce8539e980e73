"""Attack b37o (a short round on the fixes of a36o), findings 1-4.

1. A recording a crash left open was closed at the next start by the path as the home was
   spelled then: a home spelled through a link (or `..`) matched no row, so the digest stayed
   empty (unseal then skipped its check) and every start marked the file again.
2. `audit` read and decoded every row whole before cutting its texts: 100 exec commands of
   250,000 control characters held the loop 6 s for the console's refresh. Rows are now read as
   their start past 64 K characters, a session's last command past 4,096 (test_attack_a36o.py);
   exec commands past 64 KiB are not judged (4).
3. `recording unseal` hashed the file on one opening and unsealed it from another: a forged file
   renamed over it in between was shown as the bastion's own. Both now read one opening.
4. Exec commands had no bound: held ones of 250 KB cost every `held` listing seconds. Past
   64 KiB, as an unfinished statement on stdin, the `uncertain` action applies.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace

from bastion.access import sessions
from bastion.cli import unseal
from bastion.command_control.statements.splitter import MAX_CODE
from bastion.recording import CastRecorder
from bastion.runtime.home import Home
from bastion.ssh import judge
from bastion.ssh.server import close_interrupted_recordings
from tests.test_escrow import PRIVATE, _key_file, run
from tests.test_gate import exec_channel, make_app, make_live
from tests.test_gate import store as store  # the fixture


def _open_cast(ctx, spelled: Path) -> Path:
    path = ctx.home.recordings / "s1-1.cast"
    CastRecorder(path, width=80, height=24, title="t", env={}, clock=lambda: 1.0).close()
    sid = sessions.create(ctx.store, user="alice", target="web01", login="deploy",
                          ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
    sessions.add_recording(ctx.store, sid, spelled / "recordings" / path.name, 1, "cast")
    return path


def test_a_recording_a_crash_left_open_is_closed_with_its_digest_however_the_home_is_spelled(
        ctx, tmp_path):
    link = tmp_path / "srv"
    link.symlink_to(ctx.home.path.parent)
    path = _open_cast(ctx, ctx.home.path.resolve())  # the server before the crash
    close_interrupted_recordings(SimpleNamespace(store=ctx.store,
                                                 home=Home(link / ctx.home.path.name)))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sessions.stored_digests(ctx.store, path.name) == [digest]
    assert sessions.open_recordings(ctx.store) == []  # the next start leaves it alone
    with path.open("a") as f:  # altered after it closed: refused
        f.write('[9.0, "i", "forged"]\n')
    code, _out, err = run("--home", str(ctx.home.path), "recording", "unseal", "s1", "--key",
                         str(_key_file(tmp_path, PRIVATE)))
    assert code == 1 and "not the recording the bastion closed" in err


def test_unseal_checks_and_reads_one_opening_of_the_file(ctx, tmp_path, monkeypatch):
    path = _open_cast(ctx, ctx.home.path)
    sessions.close_recording(ctx.store, path, hashlib.sha256(path.read_bytes()).hexdigest(),
                             "system")
    forged = tmp_path / "forged.cast"
    forged.write_bytes(path.read_bytes() + b'[9.0, "i", "forged keys"]\n')
    real_copy = unseal._copy_hashed

    def swapped_after_the_check(source, copy, offset):  # a forged file renamed over it
        hashed = real_copy(source, copy, offset)
        os.replace(forged, path)
        return hashed

    monkeypatch.setattr(unseal, "_copy_hashed", swapped_after_the_check)
    code, out, err = run("--home", str(ctx.home.path), "recording", "unseal", "s1", "--key",
                         str(_key_file(tmp_path, PRIVATE)))
    assert code == 0, err
    assert "forged keys" not in out  # what was checked is what is shown
    assert "forged keys" in path.read_text()  # the swap happened


async def test_an_exec_command_past_64_kib_is_not_judged_and_is_refused(store):
    app = make_app(store)
    ch = exec_channel(make_live(store, app), "true '" + "\x01" * MAX_CODE + "'")
    why = await judge.judge_exec(app, ch)  # type: ignore[arg-type]
    assert why is not None and why.startswith("denied: the command is longer than 64 KiB")
    (row,) = store.all("SELECT line, verdict, rule FROM commands")
    # refused whatever the `uncertain` action, its row keeping the start (attack c38o, finding 1)
    assert (row["verdict"], row["rule"]) == ("deny", "exec.too_long")
    assert len(row["line"]) == 4096 and row["line"].endswith(f"…[{MAX_CODE + 7} chars]")
    ch.command = "true '" + "x" * (MAX_CODE - 10) + "'"  # within the bound: judged
    assert await judge.judge_exec(app, ch) is None  # type: ignore[arg-type]
