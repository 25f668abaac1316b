"""deploy/: the Prometheus rules pass promtool's checks and unit tests, and the dashboard,
rules and docker-compose.yml only use metrics, files and ports that exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.loader import load_settings
from tests.support.catalogue import ROOT, documented_metrics, metric_names_in, registered_metrics

DEPLOY = ROOT / "deploy"
RULES = sorted((DEPLOY / "prometheus" / "rules").glob("*.yml"))
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))


def promtool(*args: str) -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(
            "promtool is missing: install Debian's 'prometheus' package "
            "(apt-get install prometheus; ./dev test does it when run as root)"
        )
    result = subprocess.run([found, *args], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def known_metrics() -> set[str]:
    """Registered by the code, or named in docs/metrics.md's pending section."""
    return set(registered_metrics()) | {n for n, d in documented_metrics().items() if d.pending}


def rule_groups() -> list[dict[str, Any]]:
    return [g for path in RULES for g in yaml.safe_load(path.read_text())["groups"]]


@pytest.mark.timeout(60)
def test_rules_pass_promtool_check_and_unit_tests() -> None:
    assert RULES
    out = promtool("check", "rules", *map(str, RULES))
    assert out.count("SUCCESS") == len(RULES)
    tests = sorted((DEPLOY / "prometheus" / "tests").glob("*.yml"))
    assert tests
    assert "SUCCESS" in promtool("test", "rules", *map(str, tests))
    promtool("check", "config", "--syntax-only", str(DEPLOY / "prometheus" / "prometheus.yml"))


def test_rules_read_only_metrics_that_exist_and_every_alert_has_a_runbook() -> None:
    known = known_metrics()
    recorded = {r["record"] for g in rule_groups() for r in g["rules"] if "record" in r}
    operations = (ROOT / "docs" / "operations.md").read_text().lower()
    for group in rule_groups():
        for rule in group["rules"]:
            unknown = metric_names_in(rule["expr"]) - known
            assert not unknown, f"{rule.get('alert') or rule['record']} reads unknown {unknown}"
            for name in set(re.findall(r"earful:[a-z0-9_:]+", rule["expr"])):
                assert name in recorded, f"{name} is not a recording rule"
            if "alert" in rule:
                anchor = rule["annotations"]["runbook"].split("#", 1)[1]
                assert f"### {anchor}" in operations, f"no runbook section for {rule['alert']}"


def test_alerts_cover_what_sres_are_woken_for() -> None:
    exprs = {r["alert"]: r["expr"] for g in rule_groups() for r in g["rules"] if "alert" in r}
    wanted = {
        "EarfulConsumerLagGrowing": "earful:consumer_lag_messages",
        "EarfulDeadLettersRising": "earful_dead_letters_total",
        "EarfulChannelFailing": "earful_alerts_failed_total",
        "EarfulConnectorSilent": "earful_connector_published_total",
        "EarfulSLABreached": "earful_sla_breaches_total",
    }
    for alert, metric in wanted.items():
        assert metric in exprs[alert]


def test_dashboard_panels_query_metrics_the_code_emits() -> None:
    assert DASHBOARDS
    registered = set(registered_metrics())
    datasource = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]["uid"]
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text())
        assert dashboard["uid"] and dashboard["title"]
        titles = [p["title"].lower() for p in dashboard["panels"]]
        for topic in (
            "throughput",
            "lag",
            "latency",
            "dead letters",
            "delivery failures",
            "sentiment per brand",
        ):
            assert any(topic in t for t in titles), f"{path.name} has no {topic} panel"
        ids = [p["id"] for p in dashboard["panels"]]
        assert len(ids) == len(set(ids))
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] == datasource
            assert panel["targets"], panel["title"]
            for target in panel["targets"]:
                names = metric_names_in(target["expr"])
                assert names, f"{panel['title']}: {target['expr']} reads no Earful metric"
                assert names <= registered, f"{panel['title']} reads {names - registered}"


@pytest.mark.timeout(60)
def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """promtool parses each panel's query, written out as a recording rule."""
    exprs = [
        target["expr"].replace("$__rate_interval", "5m")
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
    ]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query{i}", "expr": expr} for i, expr in enumerate(exprs)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    assert f"SUCCESS: {len(exprs)} rules found" in promtool("check", "rules", str(path))


def test_compose_runs_kafka_every_worker_prometheus_and_provisioned_grafana() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kafka", "streams", "alerts", "prometheus", "grafana"} <= set(services)
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert (ROOT / source).exists(), f"{name} mounts missing {source}"
    prometheus = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {
        job["job_name"]: (sd["names"][0], sd["port"])
        for job in prometheus["scrape_configs"]
        for sd in job["dns_sd_configs"]
    }
    for kind in ("streams", "alerts", "responder"):
        command = services[kind]["command"]
        port = int(command[command.index("--metrics-port") + 1])
        assert command[:2] == ["worker", kind]
        assert targets[f"earful-{kind}"] == (kind, port)
        assert f":{port}/healthz" in " ".join(services[kind]["healthcheck"]["test"])
        env = services[kind]["environment"]
        assert env["EARFUL_METRICS_HOST"] == "0.0.0.0"
        assert env["EARFUL_KAFKA_BOOTSTRAP"].endswith("kafka:9092}")
        assert env["EARFUL_CONFIG"].startswith("/etc/earful/")
    assert "/etc/prometheus/rules/*.yml" in prometheus["rule_files"]
    provider = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "earful.yml").read_text()
    )["providers"][0]
    grafana_mounts = dict(v.split(":")[:2] for v in services["grafana"]["volumes"])
    assert grafana_mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]


def test_the_config_compose_mounts_reads_kafka_security_from_the_environment() -> None:
    env = {
        "EARFUL_KAFKA_BOOTSTRAP": "kafka-1.example:9096",
        "EARFUL_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "EARFUL_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "EARFUL_KAFKA_USERNAME": "earful",
        "EARFUL_KAFKA_PASSWORD": "from-a-secret-store",
    }
    kafka = load_settings(ROOT / "config" / "earful.yaml", env).kafka
    assert kafka.bootstrap_servers == "kafka-1.example:9096"
    assert kafka.security.security_protocol == "SASL_SSL"
    assert kafka.security.password is not None
    assert kafka.security.password.get_secret_value() == "from-a-secret-store"
    assert load_settings(ROOT / "config" / "earful.yaml", {}).kafka.security.password is None


def test_dev_installs_promtool_before_the_tests() -> None:
    dev = (ROOT / "dev").read_text()
    assert "apt-get install" in dev and "prometheus" in dev
    assert dev.index("ensure_promtool\n") < dev.index('"$VENV/bin/python" -m pytest')
