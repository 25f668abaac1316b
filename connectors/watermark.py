"""A polling cursor: the newest timestamp published and the ids seen at it.

Search APIs filter by time with second (or coarser) precision, so a poll asks for items
at or after the watermark and drops those already seen at exactly that time: no gap when
two items share a second, no repeat of the one already sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson


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
