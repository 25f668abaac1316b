"""Metrics of the alert workers: the shared stage metrics plus delivery outcomes."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter

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


class AlertMetrics(StageMetrics):
    def __init__(
        self, registry: CollectorRegistry, consumes: Iterable[str], produces: Iterable[str]
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
