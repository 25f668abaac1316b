"""One message in, one outcome out: the pure core the agent and ``earful score`` share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from config.schema import Settings
from streams.records import Alert, Priority, ScoredMention
from streams.scoring import Scorer
from streams.spikes import SpikeEvent
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
    return mention_alert(scored) if scored.needs_response else None


def mention_alert(scored: ScoredMention) -> Alert:
    """The alert for a mention (also the base of a "+N similar" follow-up)."""
    labels = {
        "kind": "mention",
        "team": scored.team or "",
        "brand": scored.brand or "",
        "source": scored.source,
        "lang": scored.lang or "",
        "priority": scored.priority,
        # Comma-joined, in config order, so routes can match one with topic=~".*baggage.*".
        "topic": ",".join(scored.topics),
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


def crisis_alert(event: SpikeEvent, settings: Settings, now: datetime) -> Alert:
    """The one alert a crisis raises (and the one its end raises), with its evidence."""
    series, _, name = event.key.partition(":")
    brand = name if series == "brand" else ""
    topic = name if series == "topic" else ""
    team = next(
        (
            t.name
            for t in settings.teams
            if (brand and brand in t.brands) or (topic and topic in t.topics)
        ),
        settings.default_team,
    )
    resolved = event.kind == "crisis_resolved"
    priority: Priority = "P3" if resolved else "P1"
    share = f"{event.negative_share:.0%} negative"
    summary = (
        f"crisis over for {event.key}: {event.volume} mentions in the last window, "
        f"threshold {event.threshold:.0f}"
        if resolved
        else f"crisis on {event.key}: {event.volume} mentions in one window ({share}), "
        f"usually {event.baseline_median:.0f} (threshold {event.threshold:.0f})"
    )
    reasons = [
        f"volume {event.volume} >= threshold {event.threshold:.1f} "
        f"(median {event.baseline_median:.1f} + sensitivity x spread, "
        f"MAD {event.baseline_mad:.1f})",
        f"negative share {event.negative_share:.2f}",
        *(f"example: {e}" for e in event.examples),
    ]
    return Alert(
        alert_id=event.crisis_id + (":resolved" if resolved else ""),
        kind=event.kind,
        team=team,
        priority=priority,
        labels={
            "kind": event.kind,
            "team": team or "",
            "brand": brand,
            "topic": topic,
            "source": "",
            "lang": "",
            "priority": priority,
        },
        summary=summary,
        reasons=reasons,
        created_at=now,
    )
