"""Receivers and their integrations, with Alertmanager's key names where it has them.

A receiver is a name plus any number of integrations (``slack_configs``,
``msteams_configs``, ``email_configs``, ``webhook_configs``, ``pagerduty_configs``,
``console_configs``). URLs that carry a credential, tokens, keys and passwords are
``SecretStr``: they never print, and errors about them never quote them.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from config.base import Name, Strict, config_error

HttpUrl = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2048)]
Timeout = Annotated[float, Field(gt=0, le=120)]
PdSeverity = Literal["critical", "error", "warning", "info"]
INTEGRATION_KEYS = (
    "slack_configs",
    "msteams_configs",
    "email_configs",
    "webhook_configs",
    "pagerduty_configs",
    "console_configs",
)


class Pacing(Strict):
    """A token bucket per destination: ``per_second`` on average, ``burst`` at once."""

    per_second: Annotated[float, Field(gt=0, le=1000)]
    burst: Annotated[int, Field(ge=1, le=1000)] = 1


def decode_webhook_secret(text: str) -> bytes:
    """The key bytes of a Standard Webhooks secret (``whsec_`` + base64, 24 to 64 bytes)."""
    raw = text.removeprefix("whsec_")
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a webhook secret must be 'whsec_' followed by base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError(f"a webhook secret must decode to 24..64 bytes, not {len(key)}")
    return key


class WebhookConfig(Strict):
    """A JSON POST per alert, signed per the Standard Webhooks spec when ``secret`` is set."""

    url: HttpUrl
    secret: SecretStr | None = None
    # Older secrets still signed with during a rotation, so receivers can switch over.
    previous_secrets: list[SecretStr] = []
    timeout_seconds: Timeout = 10.0
    pacing: Pacing | None = None

    @field_validator("secret", "previous_secrets")
    @classmethod
    def _well_formed(cls, value: SecretStr | list[SecretStr] | None) -> object:
        for secret in value if isinstance(value, list) else [value]:
            if secret is None:
                continue
            try:
                decode_webhook_secret(secret.get_secret_value())
            except ValueError as error:
                raise config_error(
                    f"invalid webhook secret: {error}",
                    'generate one with: python -c "import base64,os;'
                    "print('whsec_'+base64.b64encode(os.urandom(32)).decode())\"",
                ) from None
        return value

    @model_validator(mode="after")
    def _rotation_needs_current(self) -> WebhookConfig:
        if self.previous_secrets and self.secret is None:
            raise config_error(
                "previous_secrets is set but secret is not",
                "set secret: to the new key and keep the old ones in previous_secrets:",
            )
        return self


class ConsoleConfig(Strict):
    stream: Literal["stdout", "stderr"] = "stdout"


class SlackConfig(Strict):
    """Either a bot token (``app_token`` + ``channel``: chat.postMessage, buttons, updates)
    or an incoming webhook (``api_url``: the simple mode, no updates)."""

    api_url: SecretStr | None = None
    app_token: SecretStr | None = None
    app_url: HttpUrl = "https://slack.com/api"
    channel: Annotated[str, Field(pattern=r"^[#@]?[A-Za-z0-9._-]{1,80}$")] | None = None
    timeout_seconds: Timeout = 10.0
    pacing: Pacing = Pacing(per_second=1, burst=1)

    @model_validator(mode="after")
    def _one_mode(self) -> SlackConfig:
        if (self.api_url is None) == (self.app_token is None):
            raise config_error(
                "a slack config needs exactly one of api_url (incoming webhook) and app_token",
                "use app_token: ${SLACK_BOT_TOKEN} with channel:, or api_url: ${SLACK_WEBHOOK_URL}",
            )
        if self.app_token is not None and self.channel is None:
            raise config_error(
                "app_token needs a channel to post to",
                "add channel: C0123456789 (the channel id) or channel: '#care-alerts'",
            )
        if self.api_url is not None and not self.api_url.get_secret_value().startswith(
            ("https://", "http://")
        ):
            raise config_error(
                "api_url must be an http(s) URL",
                "copy the incoming webhook URL from the Slack app's settings",
            )
        return self


class MSTeamsConfig(Strict):
    """A Teams Workflows ("When a Teams webhook request is received") URL."""

    webhook_url: SecretStr
    timeout_seconds: Timeout = 10.0
    pacing: Pacing = Pacing(per_second=4, burst=4)

    @field_validator("webhook_url")
    @classmethod
    def _is_url(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith(("https://", "http://")):
            raise config_error(
                "webhook_url must be an http(s) URL",
                "copy the URL from the Teams workflow's webhook trigger",
            )
        return value


Address = Annotated[str, Field(pattern=r"^[^@\s<>]+@[^@\s<>]+$", max_length=320)]


class EmailConfig(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    to: Annotated[list[Address], Field(min_length=1)]
    from_: Address = Field(alias="from")
    smarthost: Annotated[str, Field(pattern=r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")]
    hello: str = "localhost"
    auth_username: str | None = None
    auth_password: SecretStr | None = None
    tls: Literal["none", "starttls", "tls"] = "starttls"
    ca_file: str | None = None
    tls_insecure_skip_verify: bool = False
    # Alerts whose labels agree on these share one mail thread.
    thread_by: list[str] = ["team", "brand", "topic"]
    timeout_seconds: Timeout = 30.0
    pacing: Pacing = Pacing(per_second=2, burst=5)

    @model_validator(mode="after")
    def _auth_is_safe(self) -> EmailConfig:
        if (self.auth_username is None) != (self.auth_password is None):
            raise config_error(
                "auth_username and auth_password go together",
                "set both, or neither for a relay that needs no login",
            )
        host = self.smarthost.rsplit(":", 1)[0]
        local = host in ("localhost", "127.0.0.1", "[::1]")
        if self.auth_password is not None and self.tls == "none" and not local:
            raise config_error(
                "auth_password would cross the network in clear text with tls: none",
                "use tls: starttls (port 587) or tls: tls (port 465)",
            )
        return self

    @property
    def host(self) -> str:
        return self.smarthost.rsplit(":", 1)[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.smarthost.rsplit(":", 1)[1])


class PagerDutyConfig(Strict):
    routing_key: SecretStr
    url: HttpUrl = "https://events.pagerduty.com/v2/enqueue"
    source: Annotated[str, Field(min_length=1, max_length=255)] = "earful"
    client: str = "Earful"
    client_url: HttpUrl | None = None
    severity: dict[Literal["P1", "P2", "P3", "P4"], PdSeverity] = {
        "P1": "critical",
        "P2": "error",
        "P3": "warning",
        "P4": "info",
    }
    timeout_seconds: Timeout = 10.0
    pacing: Pacing = Pacing(per_second=2, burst=10)

    @field_validator("routing_key")
    @classmethod
    def _key_length(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) != 32:
            raise config_error(
                f"routing_key must be 32 characters, not {len(value.get_secret_value())}",
                "copy the Integration Key of the service's Events API v2 integration",
            )
        return value


IntegrationConfig = (
    SlackConfig | MSTeamsConfig | EmailConfig | WebhookConfig | PagerDutyConfig | ConsoleConfig
)


class Receiver(Strict):
    name: Name
    slack_configs: list[SlackConfig] = []
    msteams_configs: list[MSTeamsConfig] = []
    email_configs: list[EmailConfig] = []
    webhook_configs: list[WebhookConfig] = []
    pagerduty_configs: list[PagerDutyConfig] = []
    console_configs: list[ConsoleConfig] = []

    def integrations(self) -> list[WebhookConfig | ConsoleConfig]:
        """The webhook and console integrations only (what the first worker could send)."""
        return [*self.webhook_configs, *self.console_configs]

    def integration_configs(self) -> list[IntegrationConfig]:
        """Every integration, in a fixed order; pass each to ``build_notifier``."""
        return [
            *self.slack_configs,
            *self.msteams_configs,
            *self.email_configs,
            *self.webhook_configs,
            *self.pagerduty_configs,
            *self.console_configs,
        ]
