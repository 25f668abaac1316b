"""A queued table changes its store at once and hands over the records Faust would write."""

from __future__ import annotations

from typing import Any

import faust
from faust.serializers import codecs
from hypothesis import given
from hypothesis import strategies as st

from streams.changelog import QueuedTable


def faust_table(name: str = "alerted-mentions") -> Any:
    app = faust.App("earful-test-changelog", store="memory://", autodiscover=False)
    return app.Table(name, default=None, partitions=4)


def test_writes_are_read_back_at_once_and_queued_as_faust_records() -> None:
    table = faust_table()
    queued = QueuedTable(table)
    queued["x:1"] = 1700000000.5
    queued["fp"] = ["x:1", 1700000000.5, 0]
    assert queued["x:1"] == 1700000000.5 and "fp" in queued and len(queued) == 2
    assert table.data["fp"] == ["x:1", 1700000000.5, 0]  # the table's own store
    del queued["x:1"]
    assert "x:1" not in queued and queued.get("x:1") is None
    assert queued.topic == table.changelog_topic.get_topic_name()
    assert queued.topic.endswith("alerted-mentions-changelog")
    assert queued.drain() == [
        # Faust's tables encode keys and values as JSON.
        (b'"x:1"', b"1700000000.5"),
        (b'"fp"', b'["x:1",1700000000.5,0]'),
        (b'"x:1"', None),  # a delete: a record without a value, as Faust writes one
    ]
    assert queued.drain() == []


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)


@given(st.dictionaries(st.text(min_size=1), json_values, max_size=6))
def test_the_queued_records_replay_to_the_same_entries(entries: dict[str, Any]) -> None:
    """What a worker rebuilds from the records (decoded by the app's codecs, as Faust does)
    is what was written."""
    queued = QueuedTable(faust_table())
    for key, value in entries.items():
        queued[key] = value
    replayed = {
        codecs.loads("json", key): codecs.loads("json", value)
        for key, value in queued.drain()
        if value is not None
    }
    assert replayed == entries == dict(queued.items())


def test_the_store_is_made_on_first_use_not_when_the_app_is_built() -> None:
    """The store is a service bound to the event loop current when it is made; one made
    with the app, before the worker picked its loop, hung the worker's stop."""
    table = faust_table()
    queued = QueuedTable(table)
    assert table._data is None
    queued["k"] = 1
    assert table._data is queued.store and table.data["k"] == 1
