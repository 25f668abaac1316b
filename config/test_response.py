import re
from pathlib import Path

import pytest

from config import ConfigError, parse_settings

BASE = """\
version: 1
teams: [{name: care}]
receivers:
  - name: lead
    console_configs: [{stream: stdout}]
response:
"""


def first_issue(section: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_settings(BASE + section, "r.yaml", {})
    return caught.value.issues[0].render()


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "  escalation:\n    - name: care\n      steps:\n"
            "        - {action: page, receiver: pagerduty}\n",
            "r.yaml:10: response.escalation.0.steps.0.receiver: undefined receiver 'pagerduty' "
            "used in escalation chain 'care'",
        ),
        (
            "  business_hours:\n    - team: bank\n",
            "r.yaml:8: response.business_hours.0.team: undefined team 'bank' in business_hours",
        ),
        (
            "  business_hours:\n    - {team: care, timezone: Mars/Olympus}\n",
            "response.business_hours.0.timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            "  business_hours:\n    - {team: care, start: '9am'}\n",
            "response.business_hours.0.start: '9am' is not a time of day",
        ),
        (
            "  escalation:\n    - name: care\n      steps: [{action: notify_receiver}]\n",
            "escalation step notify_receiver needs a receiver",
        ),
        (
            "  escalation:\n    - name: care\n      steps: [{receiver: lead}]\n",
            "a notify_again step goes to the alert's own receivers",
        ),
        (
            "  escalation:\n    - name: care\n      matchers: ['team==\"care\"']\n"
            "      steps: [{}]\n",
            "malformed matcher",
        ),
        ("  link_signing_key: short\n", "link_signing_key is shorter than 32 characters"),
        ("  sla: {P5: {respond_within_seconds: 60}}\n", "response.sla.P5"),
    ],
)
def test_bad_response_settings_name_the_line_and_the_fix(section: str, expected: str) -> None:
    rendered = first_issue(section)
    assert expected in rendered
    assert "\n    fix: " in rendered


def test_secrets_never_print() -> None:
    settings = parse_settings(
        BASE + "  slack_signing_secret: s3cr3t-value\n  api_tokens: [t0k3n-value]\n"
        "  link_signing_key: " + "k" * 40 + "\n",
        "r.yaml",
        {},
    )
    shown = repr(settings) + str(settings.redacted())
    assert "s3cr3t-value" not in shown and "t0k3n-value" not in shown and "k" * 40 not in shown


def test_chains_count_steps_across_repeats() -> None:
    settings = parse_settings(
        BASE + "  escalation:\n    - name: care\n      repeat: 2\n"
        "      steps: [{}, {wait_seconds: 60, action: page, receiver: lead}]\n",
        "r.yaml",
        {},
    )
    chain = settings.response.escalation[0]
    assert chain.step_count() == 6 and settings.response.max_steps() == 6
    assert chain.step(4).action == "page" and chain.step(5).action == "notify_again"


def test_empty_secrets_from_unset_variables_turn_features_off() -> None:
    settings = parse_settings(
        BASE + "  slack_signing_secret: ${SLACK:-}\n  link_signing_key: ${LINK:-}\n"
        "  api_tokens: ['${TOKEN:-}']\n",
        "r.yaml",
        {},
    )
    response = settings.response
    assert response.slack_signing_secret is None and response.link_signing_key is None
    assert response.api_tokens == []


def test_the_examples_in_docs_responding_md_are_valid() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "responding.md").read_text()
    response, route = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    receivers = "".join(
        f"  - {{name: {name}, console_configs: [{{stream: stdout}}]}}\n"
        for name in ("air-care-lead", "air-care-pagerduty", "air-care-slack")
    )
    text = f"version: 1\nteams: [{{name: air-care}}]\nreceivers:\n{receivers}{response}{route}"
    settings = parse_settings(text, "responding.md", {"EARFUL_LINK_SIGNING_KEY": "k" * 32})
    assert settings.response.escalation[0].step_count() == 6
    assert settings.response.slack_signing_secret is None  # ${SLACK_SIGNING_SECRET:-} unset
