"""A polling cursor: the newest timestamp published and the ids seen at it.

Search APIs filter by time with second (or coarser) precision, so a poll asks for items
at or after the watermark and drops those already seen at exactly that time: no gap when
two items share a second, no repeat of the one already sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from connectors.runtime import SourceContext
from streams.records import Mention


@dataclass
class Watermark:
    time: float
    ids: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, saved: str | None, default_time: float) -> Watermark:
        if not saved:
            return cls(default_time)
        data = orjson.loads(saved)
        return cls(float(data["t"]), set(data["ids"]))

    def dump(self) -> str:
        time: float | int = int(self.time) if self.time == int(self.time) else self.time
        return orjson.dumps({"t": time, "ids": sorted(self.ids)}).decode()

    def is_new(self, time: float, item_id: str) -> bool:
        return time > self.time or (time == self.time and item_id not in self.ids)

    def advance(self, time: float, item_id: str) -> None:
        if time > self.time:
            self.time, self.ids = time, set()
        if time == self.time:
            self.ids.add(item_id)


async def offer_newer(
    ctx: SourceContext,
    mark: Watermark,
    items: Iterable[Any],
    stamp: Callable[[Any], tuple[float, str]],
    to_mention: Callable[[Any], Mention | None],
) -> None:
    """Offer the items newer than ``mark``, oldest first, advancing it. An item whose time
    cannot be read (stamp 0) is offered anyway, so that its rejection is counted."""
    for item in sorted(items, key=stamp):
        time, item_id = stamp(item)
        if time and not mark.is_new(time, item_id):
            if time == mark.time:
                ctx.skip("already_seen")
            continue
        await ctx.offer(item, to_mention)
        if time:
            mark.advance(time, item_id)
