import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.channels.base import StateUpdater
from alerts.channels.console import ConsoleNotifier
from alerts.channels.msteams import MSTeamsNotifier
from alerts.channels.pacing import Pacer
from alerts.channels.pagerduty import PagerDutyNotifier
from alerts.channels.registry import build_notifier
from alerts.channels.slack import SlackNotifier
from alerts.channels.smtp import EmailNotifier
from alerts.channels.webhook import WebhookNotifier
from alerts.metrics import INTEGRATIONS
from config.loader import parse_settings
from config.receivers import (
    ConsoleConfig,
    EmailConfig,
    IntegrationConfig,
    MSTeamsConfig,
    PagerDutyConfig,
    SlackConfig,
    WebhookConfig,
)
from tests.support.alerts import sample_alert

CONFIGS: list[tuple[IntegrationConfig, type, bool]] = [
    (SlackConfig(app_token=SecretStr("xoxb-1"), channel="C1"), SlackNotifier, True),
    (MSTeamsConfig(webhook_url=SecretStr("https://teams.example/x")), MSTeamsNotifier, False),
    (
        EmailConfig.model_validate(
            {"to": ["a@acme.example"], "from": "e@acme.example", "smarthost": "mx.example:587"}
        ),
        EmailNotifier,
        False,
    ),
    (WebhookConfig(url="https://hooks.example/"), WebhookNotifier, False),
    (PagerDutyConfig(routing_key=SecretStr("k" * 32)), PagerDutyNotifier, True),
    (ConsoleConfig(stream="stderr"), ConsoleNotifier, False),
]


@pytest.mark.parametrize(("config", "kind", "updates"), CONFIGS)
async def test_each_config_builds_its_notifier(
    config: IntegrationConfig, kind: type, updates: bool
) -> None:
    notifier = build_notifier("care", config, pacer=Pacer())
    assert isinstance(notifier, kind)
    assert notifier.integration in INTEGRATIONS
    assert isinstance(notifier, StateUpdater) is updates
    await notifier.close()


async def test_one_pacer_is_shared_by_the_notifiers_it_is_given() -> None:
    pacer = Pacer()
    first = build_notifier("a", CONFIGS[0][0], pacer=pacer)
    second = build_notifier("b", CONFIGS[0][0], pacer=pacer)
    assert isinstance(first, SlackNotifier) and isinstance(second, SlackNotifier)
    assert first.target.pacer is second.target.pacer is pacer
    assert first.target.destination == second.target.destination
    await first.close()
    await second.close()


async def test_console_writes_to_the_chosen_stream(capsys: pytest.CaptureFixture[str]) -> None:
    notifier = build_notifier("care", ConsoleConfig(stream="stderr"))
    assert isinstance(notifier, ConsoleNotifier)
    await notifier.notify(sample_alert())
    assert "lost my bag" in capsys.readouterr().err


def test_the_documented_example_builds_a_notifier_per_integration() -> None:
    docs = Path(__file__).parents[2] / "docs" / "channels.md"
    example = re.search(r"```yaml\n(.*?)```", docs.read_text(), re.S)
    assert example is not None
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "TEAMS_WORKFLOW_URL": "https://teams.example/workflows/1",
        "SMTP_PASSWORD": "pw",
        "EARFUL_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "PAGERDUTY_ROUTING_KEY": "k" * 32,
    }
    settings = parse_settings(example.group(1), "docs/channels.md", environ)
    configs = settings.receiver("air-care").integration_configs()
    kinds = [build_notifier("air-care", c).integration for c in configs]
    assert kinds == ["slack", "msteams", "email", "webhook", "pagerduty"]
