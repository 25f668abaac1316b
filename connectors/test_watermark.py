from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.watermark import Watermark

items = st.lists(st.tuples(st.integers(0, 20), st.text("abc", min_size=1, max_size=2)))


@given(items, items)
def test_a_poll_after_a_restart_sends_exactly_what_was_not_sent(
    first: list[tuple[int, str]], later: list[tuple[int, str]]
) -> None:
    """Items arrive in two polls (the second may repeat the first's last second, as a
    ``>=`` filter does); each distinct item is sent once, except ones older than the
    watermark, which a ``>=`` query would not return anyway."""
    mark = Watermark.load(None, 0)
    sent: list[tuple[int, str]] = []
    for batch in (first, later):
        mark = Watermark.load(mark.dump(), 0)  # a restart between polls
        visible = sorted({i for i in batch if i[0] >= mark.time})
        for time, item in visible:
            if mark.is_new(time, item):
                sent.append((time, item))
                mark.advance(time, item)
    assert len(sent) == len(set(sent))
    assert set(sent) == set(sorted(set(first))) | {
        i for i in set(later) if i[0] >= max((t for t, _ in first), default=0)
    }
