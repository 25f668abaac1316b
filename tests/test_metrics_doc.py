"""docs/metrics.md matches the code: every metric the code registers is documented with its
type and labels, and every documented metric is registered (except the marked pending
section, which names metrics other stages will emit)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from alerts.metrics import AlertMetrics
from streams.metrics import ScoringMetrics
from tests.support.catalogue import documented_metrics, registered_metrics


def test_every_registered_metric_is_documented_with_its_type_and_labels() -> None:
    registered = registered_metrics()
    documented = documented_metrics()
    assert len(registered) >= 13  # the scan found the metric classes
    missing = sorted(set(registered) - {n for n, d in documented.items() if not d.pending})
    assert not missing, f"add these to docs/metrics.md (with type, labels, unit): {missing}"
    for name, metric in registered.items():
        doc = documented[name]
        assert (doc.type, doc.labels) == (metric.type, metric.labels), (
            f"docs/metrics.md says {name} is a {doc.type} with labels {doc.labels}; "
            f"{metric.where} registers a {metric.type} with labels {metric.labels}"
        )


def test_every_documented_metric_is_registered_unless_marked_pending() -> None:
    registered = registered_metrics()
    for name, doc in documented_metrics().items():
        if doc.pending:
            assert name not in registered, (
                f"{name} is registered now ({registered[name].where}): move it from the "
                "Pending section of docs/metrics.md into the table of its stage"
            )
        else:
            assert name in registered, f"docs/metrics.md lists {name} but no code registers it"


def test_the_source_scan_agrees_with_the_live_registries() -> None:
    """The scan reads source text; the workers' metric classes must register the same."""
    registry = CollectorRegistry()
    ScoringMetrics(registry, ["raw"], ["scored"], brands=["b"])
    live = {f.name for f in registry.collect()}
    alerts_registry = CollectorRegistry()
    AlertMetrics(alerts_registry, ["alerts"], ["dead"])
    live |= {f.name for f in alerts_registry.collect()}
    scanned = {
        name.removesuffix("_total")
        for name, m in registered_metrics().items()
        if m.where.startswith(("streams/metrics.py", "alerts/metrics.py"))
    }
    assert scanned == live
