from hypothesis import given
from hypothesis import strategies as st

from alerts.offsets import OffsetTracker

P0 = ("alerts", 0)


def test_commits_up_to_the_lowest_offset_still_pending() -> None:
    tracker = OffsetTracker()
    tickets = [tracker.begin(P0, offset) for offset in range(5)]
    for ticket in (tickets[0], tickets[2], tickets[3]):
        tracker.release(ticket)
    assert tracker.committable() == {P0: 1}  # offset 1 is still being delivered
    tracker.committed({P0: 1})
    assert tracker.committable() == {}
    tracker.release(tickets[1])
    assert tracker.committable() == {P0: 4}
    tracker.release(tickets[4])
    assert tracker.committable() == {P0: 5}


def test_a_record_routed_to_several_receivers_waits_for_all() -> None:
    tracker = OffsetTracker()
    ticket = tracker.begin(P0, 7)
    tracker.hold(ticket)
    tracker.hold(ticket)
    tracker.release(ticket)  # routing done
    tracker.release(ticket)  # first receiver
    assert tracker.committable() == {P0: 7}
    tracker.release(ticket)
    assert tracker.committable() == {P0: 8}


def test_work_of_a_revoked_partition_no_longer_counts() -> None:
    tracker = OffsetTracker()
    stale = tracker.begin(P0, 3)
    tracker.revoke(P0)
    assert not tracker.owns(stale) and tracker.committable() == {}
    tracker.assign(P0)
    fresh = tracker.begin(P0, 3)
    tracker.release(stale)  # finishing late changes nothing
    assert tracker.committable() == {P0: 3}
    tracker.release(fresh)
    assert tracker.committable() == {P0: 4}


@given(st.permutations(list(range(12))), st.integers(min_value=0, max_value=12))
def test_never_commits_past_an_unfinished_record(order: list[int], finished: int) -> None:
    tracker = OffsetTracker()
    tickets = {offset: tracker.begin(P0, offset) for offset in range(12)}
    done = set(order[:finished])
    for offset in order[:finished]:
        tracker.release(tickets[offset])
    committed = tracker.committable().get(P0, 0)
    assert all(offset in done for offset in range(committed))
    assert committed == 12 or committed not in done
