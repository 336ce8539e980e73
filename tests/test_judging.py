"""Judging time shared fairly between people (bastion.runtime.judging; attack K, finding 4: one
person piping costly statements on many channels held every session's keystrokes for seconds)."""

from __future__ import annotations

import pytest

from bastion.runtime.judging import JudgingBudget


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def budget(clock, **kw):
    return JudgingBudget(clock, person_rate=0.1, person_burst=1.0, **kw)


def test_a_person_within_their_burst_never_waits(clock):
    b = budget(clock)
    for _ in range(9):
        assert b.wait("mallory") == 0
        b.spend("mallory", 0.1)
    assert b.wait("mallory") == 0


def test_a_person_past_their_burst_waits_until_it_refills_and_others_do_not(clock):
    b = budget(clock)
    b.spend("mallory", 1.15)  # one statement at the work bound, past the burst
    assert b.wait("mallory") == pytest.approx(1.5)  # 0.15 s owed at 0.1 s per second
    assert b.wait("alice") == 0
    clock.now += 0.75
    assert b.wait("mallory") == pytest.approx(0.75)
    clock.now += 0.75
    assert b.wait("mallory") == 0


def test_no_one_waits_longer_than_max_wait_and_what_they_owed_beyond_is_forgiven(clock):
    b = budget(clock)
    b.spend("paste", 6.0)  # a 2 MB line that took seconds to judge
    assert b.wait("paste") == pytest.approx(2.0)
    clock.now += 2.0
    assert b.wait("paste") == 0


def test_quiet_people_never_wait_for_loud_ones(clock):
    b = budget(clock)
    for person in ("a", "b", "c", "d"):
        b.spend(person, 5.0)
    assert b.wait("quiet") == 0


def test_buckets_refill_no_further_than_their_burst(clock):
    b = budget(clock)
    clock.now += 3600
    b.spend("mallory", 1.1)
    assert b.wait("mallory") == pytest.approx(1.0)  # full at 1.0, not 360


def test_the_people_kept_are_bounded_and_full_buckets_go_first(clock, monkeypatch):
    import bastion.runtime.judging as judging

    monkeypatch.setattr(judging, "MAX_PEOPLE", 3)
    b = budget(clock)
    b.spend("owing", 2.0)
    for person in ("x", "y", "z", "w"):
        b.wait(person)
    assert "owing" in b.people and len(b.people) <= 3
    assert b.wait("owing") > 0  # what one owes is not forgotten by cycling through names
