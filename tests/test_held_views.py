"""A held command as supervisors see it before they open it: the held table (console and
`bastion held`) and the console's notice. Padding must not push the rest of a command out of
sight, and a command shown cut says so and how long it is."""

from __future__ import annotations

import io
import json

from bastion import cli
from bastion.access import sessions
from bastion.text import shown_command
from tests.rows import each
from tui.views import HELD_COLUMNS, SESSION_COLUMNS, held_notice

PADDED = "systemctl restart nginx" + " " * 1500 + "; reboot"


@each(("text", "width", "shown"), [
    (PADDED, 48, "systemctl restart nginx [1500 spaces] ; reboot"),
    (PADDED, None, "systemctl restart nginx [1500 spaces] ; reboot"),
    ("ls  -l   /tmp", 48, "ls  -l   /tmp"),  # a few spaces are shown as they are
    ("a\t" * 3 + "\u3000" * 9 + "b", None, "a\\x09a\\x09a [10 blank or hidden: \\x09\\u3000] b"),
    ("a\t\t\tb", None, "a\\x09\\x09\\x09b"),  # three are shown as they are
    ("x" * 200, 48, "x" * 36 + "…[200 chars]"),
    ("echo " + " " * 40 + "x" * 100, 30, "echo [41 spaces] x…[145 chars]"),
    ("y" * 48, 48, "y" * 48),
], ids=["padded-cell", "padded-whole", "few-spaces", "hidden-whitespace", "few-tabs", "long",
        "padded-and-long", "exactly-the-width"])
def test_a_command_is_shown_whole_or_cut_with_its_length(text, width, shown):
    assert shown_command(text, width) == shown
    assert width is None or len(shown) <= width


def test_the_held_table_and_the_notice_show_what_follows_the_padding():
    held = {"id": "h1", "session_id": "s4", "user": "alice", "command": PADDED, "since": 0}
    (command,) = [c for c in HELD_COLUMNS if c.key == "command"]
    assert command.cell(held, 0).endswith("; reboot")
    assert "; reboot" in held_notice(held) and "[1500 spaces]" in held_notice(held)
    long = held | {"command": "rm -rf /srv/" + "a" * 300}
    assert command.cell(long, 0).endswith("…[312 chars]")
    assert held_notice(long).split("\n")[0].endswith("…[312 chars]")
    (last,) = [c for c in SESSION_COLUMNS if c.key == "last"]
    assert last.cell({"last_command": PADDED}, 0) == "systemctl restart…[1531 chars]"


def test_bastion_held_spells_padding_out_and_json_keeps_the_command(home, ctx):
    sid = sessions.create(ctx.store, user="alice", target="web01", login="root", ticket="INC-1",
                          grant_id="g1", serial=None, client_addr="127.0.0.1")
    sessions.hold(ctx.store, sid, "alice", PADDED, "confirm-power", 60)
    out = io.StringIO()
    assert cli.main(["--home", str(home.path), "held"], out=out, err=io.StringIO()) == 0
    row = out.getvalue().splitlines()[1]
    assert "systemctl restart nginx [1500 spaces] ; reboot" in row and len(row) < 200
    out = io.StringIO()
    assert cli.main(["--home", str(home.path), "held", "--json"], out=out, err=io.StringIO()) == 0
    assert json.loads(out.getvalue())[0]["command"] == PADDED
