"""The records that travel between stages, defined once.

``Mention`` is the versioned contract with integrators (schema v1, published as
``streams/mention.schema.json``); ``ScoredMention`` and ``Alert`` are Earful's output
contracts. Every stage imports them from here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
MAX_TEXT_CHARS = 40_000
MAX_MESSAGE_BYTES = 1_000_000

Identifier = Annotated[str, Field(min_length=1, max_length=512)]


class _Record(BaseModel):
    # Unknown fields are ignored so that producers can add optional fields first
    # (minor versions) without consumers dead-lettering their messages.
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class Author(_Record):
    id: Identifier
    handle: Annotated[str, Field(min_length=1, max_length=256)]
    followers: Annotated[int, Field(ge=0)] | None = None
    verified: bool | None = None


class Mention(_Record):
    """A post, reply, review or comment that mentions a brand (mention schema v1)."""

    schema_version: Literal[1] = Field(description="Major version of this schema; always 1.")
    id: Annotated[
        str,
        Field(
            pattern=r"^[a-z0-9_.-]+:\S+$",
            max_length=512,
            description="Globally unique: source, colon, the source's own id (mastodon:1093).",
        ),
    ]
    source: Annotated[
        str,
        Field(
            pattern=r"^[a-z0-9_.-]{1,64}$",
            description="The network or feed, e.g. mastodon, reddit, rss.",
        ),
    ]
    text: Annotated[str, Field(max_length=MAX_TEXT_CHARS, description="The post's text.")]
    created_at: AwareDatetime = Field(description="When it was posted (RFC 3339, with offset).")
    author: Author
    url: Annotated[str, Field(pattern=r"^https?://", max_length=2048)] | None = None
    lang: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = Field(
        default=None, description="BCP 47 language tag if the source knows it."
    )
    in_reply_to: Identifier | None = Field(
        default=None, description="Id (in this schema) of the mention this one answers."
    )
    conversation_id: Identifier | None = Field(
        default=None, description="Thread id; the Kafka key, so a thread stays on one worker."
    )
    brand: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="The brand, if the connector already knows it."
    )

    def partition_key(self) -> str:
        """Keeps a conversation on one partition, and so on one worker."""
        return self.conversation_id or self.in_reply_to or self.id


SentimentLabel = Literal["negative", "neutral", "positive"]
Priority = Literal["P1", "P2", "P3", "P4"]


class Sentiment(_Record):
    label: SentimentLabel
    polarity: Annotated[float, Field(ge=-1, le=1)]
    textblob_polarity: Annotated[float, Field(ge=-1, le=1)]
    assessed: bool = True


class Urgency(_Record):
    score: Annotated[float, Field(ge=0, le=1)]


class ScoredMention(Mention):
    """A mention plus what Earful decided about it, and why."""

    sentiment: Sentiment
    urgency: Urgency
    priority: Priority
    needs_response: bool
    team: str | None
    reasons: list[str]
    scored_at: datetime
    scorer: str
    topics: list[str] = []


AlertKind = Literal["mention", "crisis", "crisis_resolved", "escalation", "digest"]


class Alert(_Record):
    """Something a team must look at; ``alert_id`` is stable across retries and restarts."""

    alert_id: str
    kind: AlertKind
    team: str | None
    priority: Priority
    labels: dict[str, str]
    summary: str
    reasons: list[str]
    created_at: datetime
    mention: ScoredMention | None = None


class DeadLetterReason(StrEnum):
    """Why a message was dead-lettered; a fixed set, so metrics stay bounded."""

    TOO_LARGE = "too_large"
    NOT_UTF8 = "not_utf8"
    NOT_JSON = "not_json"
    NOT_AN_OBJECT = "not_an_object"
    UNSUPPORTED_VERSION = "unsupported_schema_version"
    SCHEMA_VIOLATION = "schema_violation"
    DELIVERY_FAILED = "delivery_failed"
    PROCESSING_ERROR = "processing_error"


DLQ_HEADER_PREFIX = "earful.dlq."
