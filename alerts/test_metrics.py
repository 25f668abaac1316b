from prometheus_client import CollectorRegistry

from alerts.metrics import FALLBACK_OUTCOMES, INTEGRATIONS, SUPPRESSION_REASONS, AlertMetrics


def test_every_label_value_exists_at_zero_from_the_start() -> None:
    registry = CollectorRegistry()
    AlertMetrics(registry, ["alerts"], ["audit"], receivers=["care", "console"])
    value = registry.get_sample_value
    for reason in SUPPRESSION_REASONS:
        assert value("earful_alerts_suppressed_total", {"reason": reason}) == 0
    for outcome in FALLBACK_OUTCOMES:
        assert value("earful_alert_fallback_notifications_total", {"outcome": outcome}) == 0
    for integration in INTEGRATIONS:
        labels = {"integration": integration}
        assert value("earful_alert_delivery_latency_seconds_count", labels) == 0
    for receiver in ("care", "console"):
        assert value("earful_alert_queue_depth", {"receiver": receiver}) == 0
    assert value("earful_alert_dedupe_hits_total") == 0


def test_no_label_takes_a_value_from_alert_content() -> None:
    registry = CollectorRegistry()
    AlertMetrics(registry, [], [], receivers=["care"])
    labels = {
        name
        for family in registry.collect()
        if family.name.startswith("earful_alert")
        for sample in family.samples
        for name in sample.labels
    }
    # team and priority come from the alert but are mapped onto bounded sets (the config's
    # teams plus none/other; P1..P4), checked below.
    assert labels <= {"integration", "reason", "receiver", "outcome", "le", "team", "priority"}
    values = {
        (name, value)
        for family in registry.collect()
        for sample in family.samples
        for name, value in sample.labels.items()
        if name in ("team", "priority")
    }
    assert {v for n, v in values if n == "team"} == {"none", "other"}
    assert {v for n, v in values if n == "priority"} == {"P1", "P2", "P3", "P4"}


def test_outcomes_by_team_and_priority_start_at_zero_and_stay_bounded() -> None:
    registry = CollectorRegistry()
    metrics = AlertMetrics(registry, consumes=[], produces=[], teams=["air-care"])
    zero = {"team": "air-care", "priority": "P1", "integration": "slack", "outcome": "failed"}
    assert registry.get_sample_value("earful_alert_outcomes_total", zero) == 0
    metrics.observe_outcome("air-care", "P2", "webhook", "delivered")
    metrics.observe_outcome("a-team-from-elsewhere", "P2", "webhook", "delivered")
    metrics.observe_outcome(None, "P4", "console", "delivered")

    def value(team: str, priority: str, integration: str) -> float | None:
        labels = {
            "team": team,
            "priority": priority,
            "integration": integration,
            "outcome": "delivered",
        }
        return registry.get_sample_value("earful_alert_outcomes_total", labels)

    assert value("air-care", "P2", "webhook") == 1
    assert value("other", "P2", "webhook") == 1
    assert value("none", "P4", "console") == 1
    assert value("a-team-from-elsewhere", "P2", "webhook") is None


def test_teams_can_be_added_after_construction_as_the_worker_does() -> None:
    registry = CollectorRegistry()
    metrics = AlertMetrics(registry, consumes=[], produces=[])
    metrics.add_teams(["bank-care"])
    metrics.observe_outcome("bank-care", "P3", "email", "failed")
    labels = {"team": "bank-care", "priority": "P3", "integration": "email", "outcome": "failed"}
    assert registry.get_sample_value("earful_alert_outcomes_total", labels) == 1
