"""Keep a producer's metadata on every topic it writes (the scoring agent, the alert
worker, the responder and the connectors all track theirs when they start).

aiokafka's client asks the broker for all topics until it tracks any, then only for the
topics it tracks. A send tracks its topic only when the client's metadata lacks it, so a
topic known from the first (all-topics) answer stays untracked; once any topic is tracked
(the tables' changelogs, created after the producer started, are), the next refresh drops
the untracked ones. Records waiting for such a topic then have no leader and the sender
refreshes the metadata in a loop without ever learning it: the agent, waiting for their
acknowledgement, stalls (3 of about 35 one-worker benchmark runs stopped at about 14,900 of
20,000 mentions, the worker spinning on metadata requests). The other workers' topics all
exist before their producers start, so this had not hit them; tracking costs one metadata
request at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


async def track_topics(client: Any, names: Iterable[str]) -> None:
    """Track ``names`` on an aiokafka client, and wait for its metadata to cover them."""
    pending = [client.add_topic(name) for name in sorted(set(names))]
    await asyncio.gather(*pending)
