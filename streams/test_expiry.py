"""Dedupe entries are forgotten once expired, in their own partition, never while live."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from streams import duplicates
from streams.expiry import ExpiringTable, Expiry, NotedTable, seen_expiry, similar_expiry


def tables(window: float = 60, remember: float = 600) -> tuple[Expiry, NotedTable, NotedTable]:
    expiry = Expiry({})
    seen: dict[str, Any] = {}
    similar: dict[str, Any] = {}
    expiry.tables["seen"] = ExpiringTable("seen", seen, seen_expiry(remember))
    expiry.tables["similar"] = ExpiringTable("similar", similar, similar_expiry(window))
    return expiry, NotedTable("seen", seen, expiry), NotedTable("similar", similar, expiry)


def test_entries_go_once_expired_and_only_from_their_partition() -> None:
    expiry, seen, similar = tables(window=60, remember=600)
    seen.partition = similar.partition = 0
    assert duplicates.check("a:1", "the flight is late", 1000.0, seen, similar, 60).kind == "new"  # type: ignore[union-attr]
    seen.partition = similar.partition = 1
    assert duplicates.check("a:2", "my bag is lost", 1000.0, seen, similar, 60).kind == "new"  # type: ignore[union-attr]
    assert expiry.sweep(0, 1059.0) == 0  # nothing due yet
    assert expiry.sweep(0, 1061.0) == 1  # partition 0's similar entry, not partition 1's
    assert len(similar) == 1 and len(seen) == 2
    assert expiry.sweep(1, 1700.0) == 2
    assert expiry.sweep(0, 1700.0) == 1
    assert len(seen) == 0 and len(similar) == 0
    assert expiry.pending(0) == expiry.pending(1) == 0


def test_an_entry_written_again_is_kept_until_its_new_expiry() -> None:
    expiry, seen, similar = tables(window=60)
    duplicates.check("a:1", "the flight is late", 1000.0, seen, similar, 60)
    # Counted on 50 s later: the entry is rewritten, but "since" stays the first alert's.
    assert (
        duplicates.check("a:2", "The flight is LATE!", 1050.0, seen, similar, 60).kind == "similar"
    )  # type: ignore[union-attr]
    similar[next(iter(similar))] = ["a:1", 1040.0, 1]  # as if its window had restarted
    assert expiry.sweep(0, 1070.0) == 0  # both heap entries seen, neither really expired
    assert len(similar) == 1
    assert expiry.sweep(0, 1101.0) == 1


def test_each_event_deletes_a_bounded_number() -> None:
    expiry, seen, _ = tables(remember=60)
    for i in range(10):
        seen[f"a:{i}"] = 0.0
    assert [expiry.sweep(0, 100.0) for _ in range(4)] == [4, 4, 2, 0]


@given(
    writes=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 30), st.floats(0, 1000)), max_size=60
    ),
    now=st.floats(0, 2000),
)
def test_sweeping_removes_exactly_the_expired_entries(
    writes: list[tuple[int, int, float]], now: float
) -> None:
    expiry, seen, _ = tables(remember=100)
    last_write: dict[str, float] = {}
    for partition, key, at in writes:
        seen.partition = partition
        name = f"a:{key}:{partition}"  # ids keep their partition, as keyed mentions do
        seen[name] = at
        last_write[name] = at
    for partition in range(3):
        while expiry.sweep(partition, now):
            pass
    assert set(seen) == {name for name, at in last_write.items() if at + 100 > now}
