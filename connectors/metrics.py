"""Prometheus metrics of the connectors, per connector. Every reason and kind label is
created at start so dashboards show zeros, not gaps."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge

from connectors.errors import ErrorKind, RejectReason

SKIP_REASONS = ("not_matching", "already_seen", "deleted", "not_a_post")


class ConnectorMetrics:
    def __init__(self, registry: CollectorRegistry, connectors: Iterable[str]) -> None:
        self.registry = registry
        self.fetched = Counter(
            "earful_connector_fetched_total",
            "Items read from the source (before matching and validation).",
            ["connector"],
            registry=registry,
        )
        self.published = Counter(
            "earful_connector_published_total",
            "Mentions written to the raw topic.",
            ["connector"],
            registry=registry,
        )
        self.rejected = Counter(
            "earful_connector_rejected_total",
            "Payloads that could not become a mention, by reason; never published.",
            ["connector", "reason"],
            registry=registry,
        )
        self.skipped = Counter(
            "earful_connector_skipped_total",
            "Valid items deliberately not published (no brand term, seen before, deleted).",
            ["connector", "reason"],
            registry=registry,
        )
        self.errors = Counter(
            "earful_connector_errors_total",
            "Failures talking to the source or to Kafka, by kind.",
            ["connector", "kind"],
            registry=registry,
        )
        self.last_success = Gauge(
            "earful_connector_last_success_timestamp_seconds",
            "When the source last answered successfully (Unix time).",
            ["connector"],
            registry=registry,
        )
        self.lag = Gauge(
            "earful_connector_lag_seconds",
            "Age of the newest mention published: how far behind the source we are.",
            ["connector"],
            registry=registry,
        )
        for name in connectors:
            self.fetched.labels(name)
            self.published.labels(name)
            self.last_success.labels(name)
            self.lag.labels(name)
            for reason in RejectReason:
                self.rejected.labels(name, reason.value)
            for kind in ErrorKind:
                self.errors.labels(name, kind.value)
            for skip in SKIP_REASONS:
                self.skipped.labels(name, skip)
