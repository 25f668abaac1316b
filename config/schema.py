"""The one declaration of Earful's settings, with cross-checks beyond types.

Every model forbids unknown keys, so a misspelt key is an error with its line, not a
silently ignored setting. Secrets are ``SecretStr`` and never print their value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from config.alerting import (
    DeliverySettings,
    Digest,
    Duration,
    InhibitRule,
    check_matchers,
    cross_check_alerting,
)
from config.base import Name, Strict, config_error
from config.kafka_security import KafkaSecurity
from config.receivers import INTEGRATION_KEYS, ConsoleConfig, Receiver, WebhookConfig
from config.response import ResponseSettings, response_problems
from config.scoring import PriorityThresholds, ScoringSettings, checked_query

__all__ = ["PriorityThresholds", "ScoringSettings"]

__all__ = ["ConsoleConfig", "Name", "Receiver", "Strict", "WebhookConfig", "config_error"]
TOPIC_ROLES = (
    "mentions_raw",
    "mentions_scored",
    "alerts",
    "dead_letters",
    "delivery_log",
    "delivery_audit",
    "alert_state",
    "silences",
    "connector_cursors",
    "spike_events",
)


class KafkaSettings(Strict):
    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "earful"
    topic_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]*$")] = ""
    replication_factor: Annotated[int, Field(ge=1, le=16)] = 1
    partitions: dict[str, Annotated[int, Field(ge=1, le=1024)]] = Field(
        default_factory=lambda: {
            "mentions_raw": 4,
            "mentions_scored": 4,
            "alerts": 4,
            "dead_letters": 1,
        }
    )
    security: KafkaSecurity = KafkaSecurity()
    # How long a consumer group waits for a silent member (a crashed or frozen worker)
    # before the others take its partitions: the longest a crash stops a partition.
    # Kafka's brokers accept 6 s to 30 min by default.
    session_timeout_seconds: Annotated[float, Field(ge=6, le=1800)] = 10.0

    @property
    def heartbeat_seconds(self) -> float:
        """A third of the session timeout, at most Kafka's usual 3 s: a member misses two
        heartbeats before the group gives up on it."""
        return min(3.0, self.session_timeout_seconds / 3)

    @field_validator("partitions")
    @classmethod
    def _known_topics(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(TOPIC_ROLES))
        if unknown:
            raise config_error(
                f"unknown topic {unknown[0]!r} in partitions",
                f"use one of: {', '.join(TOPIC_ROLES)}",
            )
        return value

    def partitions_for(self, role: str) -> int:
        single = ("dead_letters", "silences")
        return self.partitions.get(role, 1 if role in single else 4)


class Brand(Strict):
    name: Name
    keywords: list[Annotated[str, Field(min_length=1)]] = []
    handles: list[Annotated[str, Field(pattern=r"^@?[A-Za-z0-9_.]{1,64}$")]] = []
    query: str | None = None

    _query = field_validator("query")(checked_query)

    @model_validator(mode="after")
    def _something_to_match(self) -> Brand:
        if not self.keywords and not self.handles and not self.query:
            raise config_error(
                f"brand {self.name!r} has no keywords, handles or query, so it can match nothing",
                "add keywords: [...], handles: ['@yourbrand'] or query: '...' to the brand",
            )
        return self


class Team(Strict):
    """A team owns the mentions that match all of its non-empty filters."""

    name: Name
    brands: list[str] = []
    sources: list[str] = []
    languages: list[str] = []
    fallback_receiver: str | None = None
    topics: list[str] = []


class Route(Strict):
    """A node of the routing tree, with Alertmanager's names and semantics."""

    receiver: str | None = None
    matchers: list[str] = []
    continue_: bool = Field(default=False, alias="continue")
    routes: list[Route] = []
    group_by: list[str] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    digest: Digest | None = None
    fallback_receiver: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("matchers")
    @classmethod
    def _parse_matchers(cls, value: list[str]) -> list[str]:
        return check_matchers(value)


class RetrySettings(Strict):
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 6
    initial_backoff_seconds: Annotated[float, Field(gt=0, le=60)] = 0.5
    max_backoff_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0


class WorkerSettings(Strict):
    metrics_port: Annotated[int, Field(ge=0, le=65535)] = 0


class Workers(Strict):
    streams: WorkerSettings = WorkerSettings(metrics_port=9101)
    alerts: WorkerSettings = WorkerSettings(metrics_port=9102)


# Imported here, below the Strict/Name/config_error it builds on, to avoid an import cycle.
from config.connectors import Connectors  # noqa: E402


class Settings(Strict):
    """Everything Earful reads from ``earful.yaml``."""

    version: Literal[1] = 1
    kafka: KafkaSettings = KafkaSettings()
    brands: list[Brand] = []
    teams: list[Team] = []
    default_team: str | None = None
    scoring: ScoringSettings = ScoringSettings()
    receivers: list[Receiver] = []
    route: Route = Route(receiver="console")
    retry: RetrySettings = RetrySettings()
    workers: Workers = Workers()
    response: ResponseSettings = ResponseSettings()
    inhibit_rules: list[InhibitRule] = []
    delivery: DeliverySettings = DeliverySettings()
    connectors: Connectors = []

    @model_validator(mode="after")
    def _cross_check(self) -> Settings:
        problems = list(cross_check(self))
        if problems:
            raise PydanticCustomError(
                "earful_cross_check",
                "{count} cross-check problems",
                {"count": len(problems), "problems": problems},
            )
        return self

    def receiver(self, name: str) -> Receiver:
        return next(r for r in self.receivers if r.name == name)

    def redacted(self) -> dict[str, Any]:
        """The settings as plain data, secrets shown as ``**********``."""
        return self.model_dump(mode="json", by_alias=True)


Problem = tuple[tuple[str | int, ...], str, str]


def cross_check(settings: Settings) -> list[Problem]:
    """Checks that span sections; each problem names its location, message and fix."""
    problems: list[Problem] = []
    _unique(problems, "brands", [b.name for b in settings.brands])
    _unique(problems, "teams", [t.name for t in settings.teams])
    _unique(problems, "receivers", [r.name for r in settings.receivers])
    brands = {b.name for b in settings.brands}
    teams = {t.name for t in settings.teams}
    _team_references(problems, settings.teams, "brands", brands, "brands:")
    topics = {t.name for t in settings.scoring.topics}
    _team_references(problems, settings.teams, "topics", topics, "scoring.topics:")
    if settings.default_team is not None and settings.default_team not in teams:
        problems.append(
            (
                ("default_team",),
                f"undefined team {settings.default_team!r} as default_team",
                f"use one of {sorted(teams) or 'the teams you define'}",
            )
        )
    if settings.route.receiver is None:
        problems.append(
            (
                ("route",),
                "root route must have a receiver",
                "add receiver: <name> to route: so unmatched alerts still go somewhere",
            )
        )
    receivers = {r.name for r in settings.receivers} | {"console"}
    _check_route(problems, settings.route, ("route",), receivers)
    problems.extend(response_problems(settings.response, receivers, teams))
    problems.extend(cross_check_alerting(settings))
    for i, receiver in enumerate(settings.receivers):
        if not receiver.integration_configs():
            problems.append(
                (
                    ("receivers", i),
                    f"receiver {receiver.name!r} has no integrations",
                    f"add one of {', '.join(INTEGRATION_KEYS)} to it",
                )
            )
    return problems


def _team_references(
    problems: list[Problem], teams: list[Team], field: str, defined: set[str], section: str
) -> None:
    """Each name a team filters on (its brands, its topics) must be defined."""
    for i, team in enumerate(teams):
        for j, name in enumerate(getattr(team, field)):
            if name not in defined:
                problems.append(
                    (
                        ("teams", i, field, j),
                        f"undefined {field[:-1]} {name!r} in team {team.name!r}",
                        f"define it under {section} or use one of "
                        f"{sorted(defined) or f'the {field} you define'}",
                    )
                )


def _unique(problems: list[Problem], section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            problems.append(
                (
                    (section, i, "name"),
                    f"duplicate name {name!r} in {section}",
                    "give each entry its own name",
                )
            )
        seen.add(name)


def _check_route(
    problems: list[Problem], route: Route, at: tuple[str | int, ...], receivers: set[str]
) -> None:
    if route.receiver is not None and route.receiver not in receivers:
        problems.append(
            (
                (*at, "receiver"),
                f"undefined receiver {route.receiver!r} used in route",
                f"define it under receivers: or use one of {sorted(receivers)}",
            )
        )
    for i, child in enumerate(route.routes):
        _check_route(problems, child, (*at, "routes", i), receivers)
