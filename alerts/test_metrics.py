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
    assert labels <= {"integration", "reason", "receiver", "outcome", "le"}
