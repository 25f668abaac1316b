"""Builds the notifier for one integration of a receiver's config."""

from __future__ import annotations

import sys

import httpx

from alerts.channels.base import LinkFor, Notifier, no_links
from alerts.channels.console import ConsoleNotifier
from alerts.channels.msteams import MSTeamsNotifier
from alerts.channels.pacing import Pacer
from alerts.channels.pagerduty import PagerDutyNotifier
from alerts.channels.slack import SlackNotifier
from alerts.channels.smtp import EmailNotifier
from alerts.channels.webhook import WebhookNotifier
from config.receivers import (
    ConsoleConfig,
    EmailConfig,
    IntegrationConfig,
    MSTeamsConfig,
    PagerDutyConfig,
    SlackConfig,
    WebhookConfig,
)


def build_notifier(
    receiver_name: str,
    integration_config: IntegrationConfig,
    *,
    pacer: Pacer | None = None,
    link_for: LinkFor = no_links,
    client: httpx.AsyncClient | None = None,
) -> Notifier:
    """The notifier for ``integration_config`` (one entry of ``receiver.integration_configs()``).

    Pass one ``pacer`` to every call of a worker so destinations shared by several
    receivers share one budget; ``link_for`` gives the signed acknowledge/resolve links
    for Teams and email buttons; ``client`` is for tests (HTTP channels only).
    """
    pacer = pacer or Pacer()
    config = integration_config
    if isinstance(config, SlackConfig):
        return SlackNotifier(config, pacer=pacer, client=client)
    if isinstance(config, MSTeamsConfig):
        return MSTeamsNotifier(config, link_for=link_for, pacer=pacer, client=client)
    if isinstance(config, EmailConfig):
        return EmailNotifier(config, link_for=link_for, pacer=pacer)
    if isinstance(config, WebhookConfig):
        return WebhookNotifier(config, client, pacer=pacer)
    if isinstance(config, PagerDutyConfig):
        return PagerDutyNotifier(config, pacer=pacer, client=client)
    if isinstance(config, ConsoleConfig):
        stream = sys.stderr if config.stream == "stderr" else sys.stdout
        return ConsoleNotifier(receiver_name, stream)
    raise TypeError(f"no notifier for {type(config).__name__}")
