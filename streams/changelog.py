"""A Faust table written without Faust's per-write send path.

Every ``table[key] = value`` on a Faust table sends its changelog record through
``Topic.send_soon``: a future message, a pending message, the producer buffer's queue and
a chain of callbacks and sensors. For the dedupe tables, which take one or two writes per
alert and one delete per expired entry, that cost as much CPU as scoring the mentions
(py-spy on a worker draining a backlog: 24% of its busy time each).

``QueuedTable`` changes the table's store at once, so reads see the write, and queues the
changelog record. The agent sends the queue with the rest of the event's records, to the
partition of the event in hand (where Faust puts a table write too), and counts their
acknowledgements with the batch's, so an offset is committed only once the state it
produced is written. The records are the ones Faust writes: key and value by the table's
codecs (JSON), a delete as a record without a value. So a worker
rebuilds the table from its changelog as before.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from functools import cached_property
from typing import Any

from faust.serializers import codecs


class QueuedTable(MutableMapping[str, Any]):
    """``table``'s store, read and written in memory; ``drain`` hands over the changelog
    records (key, value or None for a delete) of the writes since the last drain."""

    def __init__(self, table: Any) -> None:
        self.table = table
        conf = table.app.conf
        self._key_codec = table.key_serializer or conf.key_serializer
        self._value_codec = table.value_serializer or conf.value_serializer
        self._queued: list[tuple[bytes, bytes | None]] = []

    @cached_property
    def store(self) -> MutableMapping[str, Any]:
        # Not at build time: the store is a service, bound to the event loop current when
        # it is made, and the worker picks its loop later (a store made earlier hangs the
        # worker's stop).
        store: MutableMapping[str, Any] = self.table.data
        return store

    @cached_property
    def topic(self) -> str:
        name: str = self.table.changelog_topic.get_topic_name()
        return name

    def __getitem__(self, key: str) -> Any:
        return self.store[key]

    def __contains__(self, key: object) -> bool:
        return key in self.store

    def get(self, key: str, default: Any = None) -> Any:
        return self.store.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.store[key] = value
        self._queued.append(
            (codecs.dumps(self._key_codec, key), codecs.dumps(self._value_codec, value))
        )

    def __delitem__(self, key: str) -> None:
        del self.store[key]
        self._queued.append((codecs.dumps(self._key_codec, key), None))

    def __iter__(self) -> Iterator[str]:
        return iter(self.store)

    def __len__(self) -> int:
        return len(self.store)

    def drain(self) -> list[tuple[bytes, bytes | None]]:
        queued, self._queued = self._queued, []
        return queued
