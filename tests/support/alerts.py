"""Alerts for channel tests, with the public parts (text, handle, URL) chosen by the test."""

from __future__ import annotations

from datetime import UTC, datetime

from streams.records import Alert, Author, Priority, ScoredMention, Sentiment, Urgency

WHEN = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def sample_alert(
    *,
    alert_id: str = "mention:mastodon:1093",
    text: str = "@acmeair lost my bag again, third time this year",
    handle: str = "traveller",
    url: str | None = "https://mastodon.example/@traveller/1093",
    reasons: list[str] | None = None,
    priority: Priority = "P2",
    labels: dict[str, str] | None = None,
) -> Alert:
    mention = ScoredMention(
        schema_version=1,
        id=alert_id.removeprefix("mention:"),
        source="mastodon",
        text=text,
        created_at=WHEN,
        author=Author(id="u1", handle=handle),
        url=url,
        brand="acmeair",
        sentiment=Sentiment(label="negative", polarity=-0.6, textblob_polarity=-0.5),
        urgency=Urgency(score=0.7),
        priority=priority,
        needs_response=True,
        team="air-care",
        reasons=reasons if reasons is not None else ["negative sentiment -0.60", "complaint"],
        scored_at=WHEN,
        scorer="test",
    )
    return Alert(
        alert_id=alert_id,
        kind="mention",
        team="air-care",
        priority=priority,
        labels=labels
        if labels is not None
        else {
            "kind": "mention",
            "team": "air-care",
            "brand": "acmeair",
            "topic": "baggage",
            "source": "mastodon",
            "priority": priority,
        },
        summary=" ".join(text.split())[:280],
        reasons=mention.reasons,
        created_at=WHEN,
        mention=mention,
    )
