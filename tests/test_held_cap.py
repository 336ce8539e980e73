"""Commands waiting for a supervisor are capped per person, as pending requests are (attack
m22o, finding 2: 8 connections of one person held 80 commands, each a row and an audit event)."""
import pytest

from bastion.access import sessions


def test_a_person_holds_at_most_max_held_commands_and_another_person_is_not_counted(ctx):
    session = sessions.create(ctx.store, user="bob", target="web01", login="deploy",
                              ticket="INC-1", grant_id=None, serial=None, client_addr="127.0.0.1")
    for i in range(sessions.MAX_HELD):
        sessions.hold(ctx.store, session, "bob", f"reboot {i}", "confirm-power", 60)
    with pytest.raises(sessions.HeldLimit, match="already have 10 commands waiting"):
        sessions.hold(ctx.store, session, "bob", "reboot", "confirm-power", 60)
    assert len(sessions.list_held(ctx.store)) == sessions.MAX_HELD
    sessions.hold(ctx.store, session, "ann", "reboot", "confirm-power", 60)  # her own count
    first = sessions.list_held(ctx.store)[0]["id"]
    sessions.cancel_held(ctx.store, first, "bob")  # one decided: room for one more
    sessions.hold(ctx.store, session, "bob", "reboot", "confirm-power", 60)
