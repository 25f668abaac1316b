"""One alert per mention id, and one per burst of near-identical texts: the pure core.

``seen`` and ``similar`` are mappings: plain dicts in tests, changelog-backed Faust tables
in the agent, so a restarted worker remembers what it alerted on.

How the count reaches people: the first mention of a text alerts at once (nobody waits
for a count). Later near-identical mentions within ``window_seconds`` raise no alert of
their own; they increment the first alert's count, and at 1, 5, 10, 25, 50, 100, 250, ...
similar mentions a short follow-up alert ``<first alert id>:similar:<N>`` says
"+N similar" with the label ``similar_to`` naming the first alert. So a repost storm of
500 copies produces 1 alert and 8 follow-ups instead of 500 alerts, and a receiver that
threads by ``similar_to`` shows them under the first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

from streams.records import Alert

URL = re.compile(r"https?://\S+|www\.\S+")
HANDLE = re.compile(r"(?<!\w)[@\uff20]\w+")
REPOST_PREFIX = re.compile(r"^\s*(?:rt|repost|via)\b[:\s]*", re.IGNORECASE)
NOT_WORD = re.compile(r"[\W_]+")


def fingerprint(text: str) -> str:
    """Equal for reposts and copies that differ only in handles, links, case, punctuation,
    numbers or spacing."""
    text = REPOST_PREFIX.sub("", HANDLE.sub(" ", URL.sub(" ", text)))
    words = NOT_WORD.sub(" ", text.lower()).split()
    normalised = " ".join("0" if w.isdigit() else w for w in words)
    return hashlib.blake2b(normalised.encode(), digest_size=12).hexdigest()


def is_milestone(count: int) -> bool:
    """1, 5, 10, 25, 50, 100, 250, 500, 1000, ..."""
    if count == 1:
        return True
    magnitude = 1
    while magnitude * 10 <= count:
        magnitude *= 10
    return count in (magnitude, int(2.5 * magnitude), 5 * magnitude) and count >= 5


@dataclass(frozen=True)
class Verdict:
    kind: Literal["new", "same_id", "similar"]
    first_alert_id: str
    similar_count: int = 0

    @property
    def announce(self) -> bool:
        return self.kind == "similar" and is_milestone(self.similar_count)


def check(
    alert_id: str | None,
    text: str,
    now: float,
    seen: MutableMapping[str, Any],
    similar: MutableMapping[str, Any],
    window_seconds: float,
) -> Verdict | None:
    """Decide, and record, what a scored mention means for alerts. ``alert_id`` is None
    when the mention raises no alert itself (a repost, say): it still counts as similar
    to an earlier alert on the same text. None: nothing to do with alerts."""
    if alert_id is not None and alert_id in seen:
        return Verdict("same_id", alert_id)
    if alert_id is not None:
        seen[alert_id] = now
    key = fingerprint(text)
    entry = similar.get(key)
    if entry is not None and now - float(entry[1]) <= window_seconds:
        first, since, count = str(entry[0]), float(entry[1]), int(entry[2]) + 1
        similar[key] = [first, since, count]
        return Verdict("similar", first, count)
    if alert_id is None:
        return None
    similar[key] = [alert_id, now, 0]
    return Verdict("new", alert_id)


def follow_up(alert: Alert, verdict: Verdict) -> Alert:
    """The "+N similar" alert for a near copy of an earlier alert."""
    return alert.model_copy(
        update={
            "alert_id": f"{verdict.first_alert_id}:similar:{verdict.similar_count}",
            "labels": {**alert.labels, "similar_to": verdict.first_alert_id},
            "summary": f"+{verdict.similar_count} similar to {verdict.first_alert_id}: "
            + alert.summary,
            "reasons": [
                *alert.reasons,
                f"near-duplicate: {verdict.similar_count} similar mentions since the first",
            ],
        }
    )
