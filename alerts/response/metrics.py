"""Metrics of the responder. Every label takes values from a fixed set created at start
(teams from the config, plus ``none`` and ``other``), so dashboards show zeros, not gaps."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge

from alerts.response.state import ACTIONS
from streams.metrics import StageMetrics

SOURCES = ("slack", "link")
SIGNATURE_ENDPOINTS = ("slack", "link", "api")
SIGNATURE_REASONS = ("missing", "malformed", "stale", "bad_signature", "replayed", "expired")
PRIORITIES = ("P1", "P2", "P3", "P4")
STEP_OUTCOMES = ("sent", "skipped_late")


class ResponseMetrics(StageMetrics):
    def __init__(
        self,
        registry: CollectorRegistry,
        consumes: Iterable[str],
        produces: Iterable[str],
        teams: Iterable[str],
        max_steps: int,
    ) -> None:
        super().__init__(registry, "responder", consumes, produces)
        self.teams = {*teams, "none"}
        self.max_steps = max_steps
        self.state_changes = Counter(
            "earful_alert_state_changes_total",
            "Acknowledge, resolve and snooze actions that changed an alert's state.",
            ["action", "source"],
            registry=registry,
        )
        self.sla_breaches = Counter(
            "earful_sla_breaches_total",
            "Alerts not acknowledged by their response deadline.",
            ["priority", "team"],
            registry=registry,
        )
        self.escalations = Counter(
            "earful_escalations_total",
            "Escalation steps, sent or skipped because they were overdue by too much.",
            ["step", "outcome"],
            registry=registry,
        )
        self.signature_failures = Counter(
            "earful_signature_failures_total",
            "Requests refused because their signature, link or token did not verify.",
            ["endpoint", "reason"],
            registry=registry,
        )
        self.pending = Gauge(
            "earful_sla_pending_alerts",
            "Alerts whose response SLA or escalation is still running.",
            registry=registry,
        )
        for action in ACTIONS:
            for source in SOURCES:
                self.state_changes.labels(action, source)
        for priority in PRIORITIES:
            for team in (*self.teams, "other"):
                self.sla_breaches.labels(priority, team)
        for step in (*map(str, range(1, max_steps + 1)), "other"):
            for outcome in STEP_OUTCOMES:
                self.escalations.labels(step, outcome)
        for endpoint in SIGNATURE_ENDPOINTS:
            for reason in SIGNATURE_REASONS:
                self.signature_failures.labels(endpoint, reason)

    def team_label(self, team: str | None) -> str:
        name = team or "none"
        return name if name in self.teams else "other"

    def step_label(self, step: int) -> str:
        return str(step) if 1 <= step <= self.max_steps else "other"
