"""Connector settings: the ``connectors:`` list, one entry per source Earful listens to.

Each entry has a ``name`` (what ``earful connect NAME`` runs), a ``type`` that picks its
options, and retry bounds. Tokens are ``SecretStr`` (write ``${ENV}`` in YAML) or a
``token_file`` whose first line is the token; they never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, SecretStr, model_validator

from config.schema import Name, Strict, config_error

HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+", max_length=2048)]
WsUrl = Annotated[str, Field(pattern=r"^wss?://[^\s/]+", max_length=2048)]
Term = Annotated[str, Field(min_length=1, max_length=128)]
MENTION_FIELDS = (
    "id",
    "text",
    "created_at",
    "author.id",
    "author.handle",
    "author.followers",
    "author.verified",
    "url",
    "lang",
    "in_reply_to",
    "conversation_id",
    "brand",
)


class ConnectorBase(Strict):
    name: Name
    brand: Annotated[str, Field(max_length=64)] | None = None
    retry_initial_seconds: Annotated[float, Field(gt=0, le=60)] = 1.0
    retry_max_seconds: Annotated[float, Field(gt=0, le=3600)] = 300.0
    checkpoint_seconds: Annotated[float, Field(ge=0, le=300)] = 1.0


class TokenMixin(Strict):
    token: SecretStr | None = None
    token_file: Path | None = None

    def secret(self) -> str | None:
        """The token from config or from the first line of ``token_file``."""
        if self.token is not None:
            return self.token.get_secret_value()
        if self.token_file is not None:
            return self.token_file.read_text(encoding="utf-8").strip()
        return None

    def token_needed_by(self) -> str | None:
        """What needs the token (for the error message), or None when it is optional."""
        return None

    @model_validator(mode="after")
    def _one_token_source(self) -> TokenMixin:
        if self.token is not None and self.token_file is not None:
            raise config_error(
                "both token and token_file are set", "keep one of them (token: ${ENV_VAR})"
            )
        what = self.token_needed_by()
        if what and self.token is None and self.token_file is None:
            raise config_error(
                f"{what} needs a token",
                "add token: ${YOUR_TOKEN_VAR} or token_file: /path/to/token",
            )
        return self


class MastodonConnector(ConnectorBase, TokenMixin):
    type: Literal["mastodon"]
    instance_url: HttpUrl
    stream: Literal["public", "public:local", "hashtag", "user"] = "public"
    tag: Annotated[str, Field(pattern=r"^[^\s#]+$", max_length=128)] | None = None
    match: list[Term] = []
    backfill_limit: Annotated[int, Field(ge=0, le=10_000)] = 400

    @model_validator(mode="after")
    def _tag_for_hashtag(self) -> MastodonConnector:
        if self.stream == "hashtag" and not self.tag:
            raise config_error("stream 'hashtag' needs a tag", "add tag: yourbrand (without the #)")
        return self

    def token_needed_by(self) -> str | None:
        return "stream 'user'" if self.stream == "user" else None


class BlueskyConnector(ConnectorBase):
    type: Literal["bluesky"]
    jetstream_url: WsUrl = "wss://jetstream2.us-east.bsky.network/subscribe"
    match: list[Term] = []
    rewind_seconds: Annotated[float, Field(ge=0, le=3600)] = 5.0


class HackerNewsConnector(ConnectorBase):
    type: Literal["hackernews"]
    api_url: HttpUrl = "https://hn.algolia.com"
    query: Term
    tags: str = "(story,comment)"
    poll_seconds: Annotated[float, Field(ge=0.01, le=86_400)] = 60.0
    start_days_back: Annotated[float, Field(ge=0, le=3650)] = 1.0


class RssConnector(ConnectorBase):
    type: Literal["rss"]
    feeds: Annotated[list[HttpUrl], Field(min_length=1)]
    source: Annotated[str, Field(pattern=r"^[a-z0-9_.-]{1,64}$")] = "rss"
    match: list[Term] = []
    poll_seconds: Annotated[float, Field(ge=0.01, le=86_400)] = 300.0
    remember_entries: Annotated[int, Field(ge=10, le=100_000)] = 1000


class RedditConnector(ConnectorBase, TokenMixin):
    """Reddit's OAuth API as a script app; ``token``/``token_file`` is its client secret."""

    type: Literal["reddit"]
    client_id: Annotated[str, Field(min_length=1, max_length=128)]
    query: Term
    subreddits: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{2,32}$")]] = []
    user_agent: Annotated[str, Field(min_length=8)] = "earful:connector:v0.1 (by /u/earful)"
    api_url: HttpUrl = "https://oauth.reddit.com"
    auth_url: HttpUrl = "https://www.reddit.com/api/v1/access_token"
    poll_seconds: Annotated[float, Field(ge=0.01, le=86_400)] = 60.0
    start_days_back: Annotated[float, Field(ge=0, le=3650)] = 1.0

    def token_needed_by(self) -> str:
        return "reddit (the app's client secret)"


class XRule(Strict):
    value: Annotated[str, Field(min_length=1, max_length=1024)]
    tag: Annotated[str, Field(max_length=256)] | None = None


class XConnector(ConnectorBase, TokenMixin):
    """X API v2 filtered stream; ``token`` is the app's bearer token."""

    type: Literal["x"]
    rules: Annotated[list[XRule], Field(min_length=1)]
    api_url: HttpUrl = "https://api.x.com"
    backfill_minutes: Annotated[int, Field(ge=0, le=5)] = 0

    def token_needed_by(self) -> str:
        return "x (the app's bearer token)"


class YouTubeConnector(ConnectorBase, TokenMixin):
    """YouTube Data API v3 ``commentThreads.list``; ``token`` is an API key."""

    type: Literal["youtube"]
    videos: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{6,20}$")]] = []
    channels: list[Annotated[str, Field(pattern=r"^UC[A-Za-z0-9_-]{10,40}$")]] = []
    search_terms: Term | None = None
    api_url: HttpUrl = "https://www.googleapis.com"
    poll_seconds: Annotated[float, Field(ge=0.01, le=86_400)] = 900.0
    daily_quota_units: Annotated[int, Field(ge=1, le=10_000_000)] = 10_000
    start_days_back: Annotated[float, Field(ge=0, le=3650)] = 1.0

    @model_validator(mode="after")
    def _something_to_watch(self) -> YouTubeConnector:
        if not self.videos and not self.channels:
            raise config_error(
                "youtube needs videos or channels to read comments from",
                "add videos: [VIDEO_ID] or channels: [UC...channel id]",
            )
        return self

    def token_needed_by(self) -> str:
        return "youtube (an API key)"


class HttpIngestConnector(ConnectorBase, TokenMixin):
    type: Literal["http_ingest"]
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8088
    max_body_bytes: Annotated[int, Field(ge=1024, le=100_000_000)] = 10_000_000
    max_batch: Annotated[int, Field(ge=1, le=100_000)] = 1000

    def token_needed_by(self) -> str:
        return "http_ingest"


REQUIRED_FIELDS = ("id", "text", "created_at", "author.id", "author.handle")


def _known_fields(mapping: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(mapping) - set(MENTION_FIELDS))
    if unknown:
        raise config_error(
            f"unknown mention field {unknown[0]!r} in mapping",
            f"map onto these fields: {', '.join(MENTION_FIELDS)}",
        )
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    if mapping and missing:
        raise config_error(
            f"the mapping has no {', '.join(missing)}",
            f"map every required field: {', '.join(REQUIRED_FIELDS)}",
        )
    return mapping


FieldMapping = Annotated[
    dict[str, Annotated[str, Field(min_length=1)]], AfterValidator(_known_fields)
]


class MappedRecords(Strict):
    """Records of someone else's shape: ``mapping`` says which field is which, and
    ``source`` names the network in the mentions."""

    source: Annotated[str, Field(pattern=r"^[a-z0-9_.-]{1,64}$")] | None = None
    mapping: FieldMapping = {}

    @model_validator(mode="after")
    def _mapping_needs_source(self) -> MappedRecords:
        if self.mapping and self.source is None:
            raise config_error(
                "a mapping needs a source: the network the records come from",
                "add source: reviews (lowercase letters, digits, _ . -)",
            )
        return self


class FilesConnector(ConnectorBase, MappedRecords):
    type: Literal["files"]
    paths: Annotated[list[Path], Field(min_length=1)]
    format: Literal["jsonl", "csv"] = "jsonl"
    progress: bool = True

    @model_validator(mode="after")
    def _csv_mapping(self) -> FilesConnector:
        if self.format == "csv" and not self.mapping:
            raise config_error(
                "csv files need a mapping from mention fields to columns",
                "add mapping: {id: review_id, text: body, created_at: date, "
                "author.id: user, author.handle: user}",
            )
        return self


class KafkaTopicConnector(ConnectorBase, MappedRecords):
    """Someone else's topic, mapped onto mentions. Without ``mapping`` its values must
    already be mentions in schema v1."""

    type: Literal["kafka"]
    topic: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,249}$")]
    bootstrap_servers: str | None = None
    start_from: Literal["earliest", "latest"] = "earliest"


Connector = Annotated[
    MastodonConnector
    | BlueskyConnector
    | HackerNewsConnector
    | RedditConnector
    | RssConnector
    | XConnector
    | YouTubeConnector
    | HttpIngestConnector
    | FilesConnector
    | KafkaTopicConnector,
    Field(discriminator="type"),
]


def _unique_names(connectors: list[Connector]) -> list[Connector]:
    seen: set[str] = set()
    for connector in connectors:
        if connector.name in seen:
            raise config_error(
                f"duplicate connector name {connector.name!r}", "give each connector its own name"
            )
        seen.add(connector.name)
    return connectors


Connectors = Annotated[list[Connector], AfterValidator(_unique_names)]
