"""Metrics of the alert workers: the shared stage metrics plus delivery outcomes."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from streams.metrics import StageMetrics

INTEGRATIONS = ("console", "webhook", "slack", "msteams", "email", "pagerduty")
FAILURE_REASONS = (
    "timeout",
    "connection",
    "rate_limited",
    "http_4xx",
    "http_5xx",
    "auth",  # credentials refused: fix the token, key or password
    "destination",  # channel, workflow or endpoint gone or not reachable by us
    "payload",  # the service refused what we sent
    "service_error",  # the service reported its own failure
    "smtp_4xx",
    "smtp_5xx",
    "other",
)
SUPPRESSION_REASONS = ("silenced", "inhibited")
ALERT_OUTCOMES = ("delivered", "failed")
FALLBACK_OUTCOMES = ("delivered", "failed", "none_configured")
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400)


class AlertMetrics(StageMetrics):
    def __init__(
        self,
        registry: CollectorRegistry,
        consumes: Iterable[str],
        produces: Iterable[str],
        receivers: Iterable[str] = (),
        teams: Iterable[str] = (),
    ) -> None:
        super().__init__(registry, "alerts", consumes, produces)
        self.delivered = Counter(
            "earful_alerts_delivered_total",
            "Alerts a channel accepted.",
            ["integration"],
            registry=registry,
        )
        self.failed = Counter(
            "earful_alerts_failed_total",
            "Alerts given up on after retries, by reason.",
            ["integration", "reason"],
            registry=registry,
        )
        self.retries = Counter(
            "earful_alert_delivery_retries_total",
            "Delivery attempts that will be retried.",
            ["integration", "reason"],
            registry=registry,
        )
        for integration in INTEGRATIONS:
            self.delivered.labels(integration)
            for reason in FAILURE_REASONS:
                self.failed.labels(integration, reason)
                self.retries.labels(integration, reason)
        self.suppressed = Counter(
            "earful_alerts_suppressed_total",
            "Alerts not sent because a silence or an inhibition rule covered them.",
            ["reason"],
            registry=registry,
        )
        self.dedupe_hits = Counter(
            "earful_alert_dedupe_hits_total",
            "Alerts not sent again because the delivery log had them already.",
            registry=registry,
        )
        self.queue_depth = Gauge(
            "earful_alert_queue_depth",
            "Deliveries waiting for a free slot, per receiver.",
            ["receiver"],
            registry=registry,
        )
        self.latency = Histogram(
            "earful_alert_delivery_latency_seconds",
            "From the alert's publication to its acceptance by a channel (grouping included).",
            ["integration"],
            buckets=DELIVERY_BUCKETS,
            registry=registry,
        )
        self.fallbacks = Counter(
            "earful_alert_fallback_notifications_total",
            "Fallback receivers told about an alert that could not be delivered.",
            ["outcome"],
            registry=registry,
        )
        for reason in SUPPRESSION_REASONS:
            self.suppressed.labels(reason)
        for outcome in FALLBACK_OUTCOMES:
            self.fallbacks.labels(outcome)
        for integration in INTEGRATIONS:
            self.latency.labels(integration)
        self.outcomes = Counter(
            "earful_alert_outcomes_total",
            "Alerts a channel accepted or that were given up on, by team and priority.",
            ["team", "priority", "integration", "outcome"],
            registry=registry,
        )
        self.message_updates = Counter(
            "earful_alert_message_updates_total",
            "Sent messages updated to show an alert's new state (Slack chat.update, "
            "PagerDuty acknowledge/resolve), or that could not be.",
            ["integration", "outcome"],
            registry=registry,
        )
        for integration in ("slack", "pagerduty"):
            for outcome in ("updated", "failed"):
                self.message_updates.labels(integration, outcome)
        self.teams: frozenset[str] = frozenset()
        self.add_receivers(receivers)
        self.add_teams(teams)

    def add_teams(self, teams: Iterable[str]) -> None:
        """Teams come from the config (plus ``none`` and ``other``): a bounded label."""
        self.teams = self.teams | frozenset(teams)
        for team in (*sorted(self.teams), "none", "other"):
            for priority in ("P1", "P2", "P3", "P4"):
                for integration in INTEGRATIONS:
                    for outcome in ALERT_OUTCOMES:
                        self.outcomes.labels(team, priority, integration, outcome)

    def observe_outcome(
        self, team: str | None, priority: str, integration: str, outcome: str
    ) -> None:
        label = "none" if team is None else team if team in self.teams else "other"
        self.outcomes.labels(label, priority, integration, outcome).inc()

    def add_receivers(self, receivers: Iterable[str]) -> None:
        """Receiver names come from the config, so this label stays bounded."""
        for receiver in receivers:
            self.queue_depth.labels(receiver)
