import base64
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, load_settings, parse_settings
from config.receivers import decode_webhook_secret

TESTDATA = Path(__file__).parent / "testdata" / "receivers"

# Each bad receivers config and the exact first issue (file:line: path: message).
EXPECTED = {
    "slack_two_modes.yaml": "slack_two_modes.yaml:5: receivers.0.slack_configs.0: a slack "
    "config needs exactly one of api_url (incoming webhook) and app_token",
    "slack_token_without_channel.yaml": "slack_token_without_channel.yaml:5: "
    "receivers.0.slack_configs.0: app_token needs a channel to post to",
    "email_password_in_clear.yaml": "email_password_in_clear.yaml:5: receivers.0.email_configs.0: "
    "auth_password would cross the network in clear text with tls: none",
    "pagerduty_short_key.yaml": "pagerduty_short_key.yaml:5: "
    "receivers.0.pagerduty_configs.0.routing_key: routing_key must be 32 characters, not 5",
    "webhook_bad_secret.yaml": "webhook_bad_secret.yaml:6: receivers.0.webhook_configs.0.secret: "
    "invalid webhook secret: a webhook secret must be 'whsec_' followed by base64",
    "receiver_without_integrations.yaml": "receiver_without_integrations.yaml:3: receivers.0: "
    "receiver 'empty' has no integrations",
    "teams_misspelt_key.yaml": "teams_misspelt_key.yaml:6: "
    "receivers.0.msteams_configs.0.webhook_uri: unknown key",
}
SECRETS = {
    "SLACK_TOKEN": "xoxb-secret-token-value",
    "SLACK_HOOK": "https://hooks.slack.example/services/T/B/secret-hook-path",
    "TEAMS_URL": "https://prod.example/workflows/1/triggers/manual/paths/invoke?sig=secret-sig",
    "SMTP_PASSWORD": "secret-smtp-password",
    "PD_KEY": "SecretRoutingKey0123456789abcdef",
    "HOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}
EVERY_INTEGRATION = """
receivers:
  - name: care
    slack_configs:
      - {app_token: "${SLACK_TOKEN}", channel: C0123ALERTS}
      - {api_url: "${SLACK_HOOK}", pacing: {per_second: 0.5, burst: 2}}
    msteams_configs: [{webhook_url: "${TEAMS_URL}"}]
    email_configs:
      - to: [care@acme.example]
        from: earful@acme.example
        smarthost: smtp.acme.example:587
        auth_username: earful
        auth_password: ${SMTP_PASSWORD}
    pagerduty_configs: [{routing_key: "${PD_KEY}", severity: {P1: critical, P2: critical}}]
    webhook_configs: [{url: "https://hooks.acme.example/earful", secret: "${HOOK_SECRET}"}]
    console_configs: [{stream: stderr}]
route: {receiver: care}
"""


def test_every_bad_config_in_testdata_has_an_expected_message() -> None:
    assert sorted(p.name for p in TESTDATA.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_receiver_config_names_file_line_and_fix(name: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(TESTDATA / name, environ={})
    first = caught.value.issues[0]
    rendered = first.render()
    assert rendered.split("\n")[0] == f"{TESTDATA}/{EXPECTED[name]}"
    assert first.fix and "fix: " in rendered
    for secret in ("hunter2", "xoxb-1", "not-base64-at-all"):
        assert secret not in str(caught.value)


def test_every_integration_parses_and_no_secret_ever_prints() -> None:
    settings = parse_settings(EVERY_INTEGRATION, "all.yaml", SECRETS)
    receiver = settings.receiver("care")
    kinds = [type(c).__name__ for c in receiver.integration_configs()]
    assert kinds == [
        "SlackConfig",
        "SlackConfig",
        "MSTeamsConfig",
        "EmailConfig",
        "WebhookConfig",
        "PagerDutyConfig",
        "ConsoleConfig",
    ]
    assert receiver.email_configs[0].tls == "starttls"
    assert receiver.slack_configs[0].pacing.per_second == 1
    assert receiver.slack_configs[1].pacing.burst == 2
    assert receiver.pagerduty_configs[0].severity["P2"] == "critical"
    shown = repr(settings) + str(settings.redacted())
    for secret in SECRETS.values():
        assert secret not in shown
    assert settings.redacted()["receivers"][0]["email_configs"][0]["from"] == "earful@acme.example"


@given(st.binary(min_size=24, max_size=64))
def test_any_well_formed_webhook_secret_decodes_to_its_key(key: bytes) -> None:
    assert decode_webhook_secret("whsec_" + base64.b64encode(key).decode()) == key


@given(st.binary(max_size=23) | st.binary(min_size=65, max_size=100))
def test_webhook_secrets_of_the_wrong_size_are_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match=r"24\.\.64 bytes"):
        decode_webhook_secret("whsec_" + base64.b64encode(key).decode())
