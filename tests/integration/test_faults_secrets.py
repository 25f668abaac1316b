"""Secrets in the config (a webhook signing secret, Slack tokens, a Slack webhook URL)
never show in the streams and alert workers' logs or ``/metrics``, even at debug level and
when the channels holding them fail and are retried and dead-lettered."""

from __future__ import annotations

import base64
import secrets
import time
from pathlib import Path

import orjson
import pytest

from earful.localkafka.broker import free_port
from streams.topics import ALERTS, DEAD_LETTERS, DELIVERY_AUDIT, MENTIONS_RAW, topic_name
from tests.conftest import SettingsFactory
from tests.support.fakes.slack import BOT_TOKEN, FakeSlack
from tests.support.faults import alert_ids, report, wait_for_ids
from tests.support.kafka import publish, read_topic
from tests.support.mentions import mention
from tests.support.processes import start_worker, stop, worker_logs
from tests.support.receivers import recording_server
from tests.support.scrape import get

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

# streams, alerts. The alert worker, which holds the channel secrets, logs at debug.
LOG_LEVELS = ("info", "debug")

COMPLAINTS = [
    "@acmeair lost my bag again, the worst service ever, nobody answers",
    "@acmeair my flight was cancelled and nobody answers the phone. Still waiting!",
    "@acmeair there is smoke in the cabin and the crew ignores us",
]


@pytest.mark.timeout(300)
def test_no_secret_reaches_logs_or_metrics(make_settings: SettingsFactory, tmp_path: Path) -> None:
    signing_key = base64.b64encode(secrets.token_bytes(32)).decode()
    webhook_secret = f"whsec_{signing_key}"
    wrong_token = f"xoxb-{secrets.token_hex(16)}"  # refused by Slack: logged as an error
    hook_path = f"/services/T0SECRET/B0SECRET/{secrets.token_hex(12)}"
    secret_values = [webhook_secret, signing_key, BOT_TOKEN, wrong_token, hook_path]
    ports = {"streams": free_port(), "alerts": free_port()}

    def broken(_: object) -> tuple[int, dict[str, str], bytes]:
        return 500, {"content-type": "text/plain"}, b"internal error"

    slack = FakeSlack()
    with recording_server() as hook, recording_server(broken) as broken_hook, slack.serve():
        channel = {"channel": "#care-alerts", "app_url": slack.api_url}
        settings, config = make_settings(
            receivers=[
                {
                    "name": "care",
                    "webhook_configs": [{"url": hook.url, "secret": webhook_secret}],
                    "slack_configs": [
                        {"app_token": BOT_TOKEN, **channel},
                        {"app_token": wrong_token, **channel},
                        {"api_url": broken_hook.url + hook_path},
                    ],
                }
            ],
            route={"receiver": "care"},
            retry={"max_attempts": 2, "initial_backoff_seconds": 0.05, "max_backoff_seconds": 0.1},
        )
        bootstrap, prefix = settings.kafka.bootstrap_servers, settings.kafka.topic_prefix
        running = [
            start_worker(kind, config, tmp_path, "--metrics-port", str(port), "--log-level", level)
            for (kind, port), level in zip(ports.items(), LOG_LEVELS, strict=True)
        ]
        try:
            texts = [f"{COMPLAINTS[i % 3]} (case {chr(97 + i)})" for i in range(6)]
            publish(
                bootstrap,
                topic_name(MENTIONS_RAW, prefix),
                [mention(i, t) for i, t in enumerate(texts)],
            )
            alerts = read_topic(bootstrap, topic_name(ALERTS, prefix), expect=6, timeout=120)
            raised = [orjson.loads(r.value or b"")["alert_id"] for r in alerts]
            received = wait_for_ids(hook, raised, timeout=120, settle=0)
            # Both failing Slack integrations dead-letter every alert after their retries.
            dead = read_topic(
                bootstrap, topic_name(DEAD_LETTERS, prefix), expect=2 * len(raised), timeout=120
            )
            audit = read_topic(bootstrap, topic_name(DELIVERY_AUDIT, prefix), expect=1, timeout=30)
            time.sleep(1)  # the last log lines are written
            scraped = {kind: get(port, "/metrics") for kind, port in ports.items()}
        finally:
            for process in running:
                stop(process)

    logs = "\n".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    # The probes reached every path that could print a secret.
    assert raised and set(alert_ids(received)) == set(raised), worker_logs(tmp_path)
    assert all(r.headers.get("webhook-signature", "").startswith("v1,") for r in received)
    assert len(slack.messages) == len(raised)
    assert len(broken_hook.wait_for(0)) == 2 * len(raised)
    assert len(dead) == 2 * len(raised) and "invalid_auth" in logs
    assert all(status == 200 for status, _ in scraped.values()), scraped
    found = 0
    for name, text in {
        "logs": logs.encode(),
        "streams /metrics": scraped["streams"][1],
        "alerts /metrics": scraped["alerts"][1],
        "dead letters": b"".join(repr(r).encode() for r in dead),
        "audit": b"".join(r.value or b"" for r in audit),
    }.items():
        leaked = [s for s in secret_values if s.encode() in text]
        found += len(leaked)
        assert not leaked, f"{name} shows {len(leaked)} secret value(s)"
    report(
        "secrets in logs and /metrics",
        alerts_raised=len(raised),
        webhook_received=len(received),
        slack_posted=len(slack.messages),
        failing_requests=len(broken_hook.wait_for(0)),
        dead_lettered=len(dead),
        log_bytes=len(logs),
        metrics_bytes=sum(len(body) for _, body in scraped.values()),
        secret_values_checked=len(secret_values),
        secrets_found=found,
    )
