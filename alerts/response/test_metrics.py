from prometheus_client import CollectorRegistry

from alerts.response.metrics import ResponseMetrics


def test_label_values_exist_at_start_and_stay_bounded() -> None:
    registry = CollectorRegistry()
    metrics = ResponseMetrics(registry, ["t"], ["t"], ["air-care"], max_steps=3)
    zero = registry.get_sample_value
    assert zero("earful_sla_breaches_total", {"priority": "P1", "team": "air-care"}) == 0
    assert zero("earful_sla_breaches_total", {"priority": "P4", "team": "other"}) == 0
    assert zero("earful_escalations_total", {"step": "3", "outcome": "sent"}) == 0
    assert zero("earful_alert_state_changes_total", {"action": "snooze", "source": "link"}) == 0
    assert zero("earful_signature_failures_total", {"endpoint": "slack", "reason": "replayed"}) == 0
    assert metrics.team_label("air-care") == "air-care"
    assert metrics.team_label(None) == "none"
    assert metrics.team_label("someone-typed-this") == "other"
    assert metrics.step_label(2) == "2" and metrics.step_label(99) == "other"
