"""One message in, one outcome out: the pure core the agent and ``earful score`` share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from streams.records import Alert, ScoredMention
from streams.scoring import Scorer
from streams.validation import Rejection, parse_mention

SUMMARY_CHARS = 280


@dataclass(frozen=True)
class Scored:
    scored: ScoredMention
    alert: Alert | None


Outcome = Scored | Rejection


def process(raw: bytes | None, scorer: Scorer, now: datetime | None = None) -> Outcome:
    """Validate, score and (when a response is needed) raise an alert. Never raises."""
    parsed = parse_mention(raw)
    if isinstance(parsed, Rejection):
        return parsed
    scored = scorer.score(parsed, now)
    return Scored(scored, alert_for(scored))


def alert_for(scored: ScoredMention) -> Alert | None:
    if not scored.needs_response:
        return None
    labels = {
        "kind": "mention",
        "team": scored.team or "",
        "brand": scored.brand or "",
        "source": scored.source,
        "lang": scored.lang or "",
        "priority": scored.priority,
    }
    text = " ".join(scored.text.split())
    summary = text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"
    return Alert(
        alert_id=f"mention:{scored.id}",
        kind="mention",
        team=scored.team,
        priority=scored.priority,
        labels=labels,
        summary=summary,
        reasons=scored.reasons,
        created_at=scored.scored_at,
        mention=scored,
    )
