"""Local broker helpers that need no broker."""

from __future__ import annotations

import base64

from earful.localkafka.broker import new_cluster_id


def test_cluster_ids_are_kafka_shaped_and_never_read_as_an_option() -> None:
    # One id in 64 would start with "-" if drawn naively; 2,000 draws meet that case.
    ids = [new_cluster_id() for _ in range(2000)]
    assert not [i for i in ids if i.startswith("-")]
    assert {len(i) for i in ids} == {22}
    assert all(len(base64.urlsafe_b64decode(i + "==")) == 16 for i in ids)
    assert len(set(ids)) == len(ids)
