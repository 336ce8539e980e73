"""Pre-authentication limits (pure): the per-source connection rate and the refusal bookkeeping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bastion.access import limits
from bastion.access.limits import MANY, ConnectionRate, RefusalLog


def test_a_burst_of_the_rate_is_allowed_then_one_a_refill():
    rate = ConnectionRate()
    assert [rate.allow("a", 6, 0.0) for _ in range(7)] == [True] * 6 + [False]
    assert rate.allow("b", 6, 0.0)          # another source has its own bucket
    # The refused attempt took a token too: 10 s (one token at 6 a minute) is not enough.
    assert not rate.allow("a", 6, 10.0)
    # A client that keeps away long enough gets a connection again.
    assert rate.allow("a", 6, 40.0)


def test_zero_means_no_limit_and_forgets_every_source():
    rate = ConnectionRate()
    assert all(rate.allow("a", 0, 0.0) for _ in range(1000))
    rate.allow("a", 3, 0.0)
    rate.sweep(0, 0.0)
    assert len(rate) == 0


def test_sweep_forgets_only_sources_whose_bucket_is_full_again():
    rate = ConnectionRate()
    for _ in range(3):
        rate.allow("busy", 3, 0.0)
    rate.allow("once", 3, 50.0)
    rate.sweep(3, 60.0)    # busy refilled by 60 s; once is still a token short
    assert len(rate) == 1
    rate.sweep(3, 71.0)
    assert len(rate) == 0


def test_a_flood_of_refusals_is_one_row_now_and_one_count_later():
    log = RefusalLog(window=60.0)
    assert log.note("a", "rate", 0.0) is True
    assert [log.note("a", "rate", t) for t in (1.0, 2.0, 30.0)] == [False] * 3
    assert log.note("a", "limit", 3.0) is True      # another reason is written on its own
    assert log.note("b", "rate", 3.0) is True       # and another source
    assert log.due(59.0) == []
    assert log.due(60.0) == [("a", "rate", 3)]
    assert log.due(63.0) == []                      # windows without more refusals: no row
    assert len(log) == 0


def test_a_refusal_after_the_window_opens_a_new_one_and_keeps_the_old_count():
    log = RefusalLog(window=60.0)
    log.note("a", "rate", 0.0)
    log.note("a", "rate", 10.0)
    assert log.note("a", "rate", 61.0) is True      # a new window, written at once
    log.note("a", "rate", 62.0)
    assert sorted(log.due(61.5)) == [("a", "rate", 1)]
    assert log.due(121.0) == [("a", "rate", 1)]


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.floats(0, 1000)), max_size=200),
       st.integers(1, 8))
def test_every_refusal_is_written_or_counted_exactly_once(events, budget):
    log = RefusalLog(window=60.0, budget=budget)
    written = counted = 0
    for source, t in sorted(events, key=lambda e: e[1]):
        written += log.note(source, "r", t)
        counted += sum(n for *_, n in log.due(t))
    counted += sum(n for *_, n in log.due(10_000.0))
    assert written + counted == len(events)


@given(st.integers(1, 100), st.lists(st.floats(0, 600), max_size=300))
def test_no_more_than_burst_plus_refill_are_allowed(per_minute, times):
    rate = ConnectionRate()
    times = sorted(times)
    allowed = sum(rate.allow("a", per_minute, t) for t in times)
    span = (times[-1] - times[0]) if times else 0.0
    assert allowed <= per_minute + span * per_minute / 60 + 1e-9


def test_a_flood_from_many_addresses_writes_at_most_the_budget_and_counts_the_rest():
    log = RefusalLog(window=60.0, budget=100)
    written = sum(log.note(f"10.0.{n // 256}.{n % 256}", "rate", 1.0) for n in range(10_000))
    assert written == 100
    assert len(log) <= 101                          # 100 sources and one count for the rest
    assert log.due(61.0) == [(MANY, "rate", 9_900)]
    # a new window, a new budget
    assert log.note("10.9.9.9", "rate", 62.0) is True


def test_past_max_sources_newcomers_share_one_bucket(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SOURCES", 3)
    rate = ConnectionRate()
    for source in ("a", "b", "c"):
        assert rate.allow(source, 2, 0.0)
    # d and e are newcomers once three sources are known: they share a bucket of 2
    assert [rate.allow(s, 2, 0.0) for s in ("d", "e", "f")] == [True, True, False]
    assert rate.allow("a", 2, 0.0)                  # known sources keep their own
    assert len(rate) == 4
