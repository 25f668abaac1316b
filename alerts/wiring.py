"""Build every receiver's notifiers from config: one pacer per worker, signed links when
the responder is configured for them (else Teams and email show no action buttons)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from alerts.channels.base import Action, LinkFor, Notifier, no_links
from alerts.channels.pacing import Pacer
from alerts.channels.registry import build_notifier
from alerts.response.links import link_for
from config.receivers import IntegrationConfig
from config.schema import Settings

NotifierFactory = Callable[[str, IntegrationConfig], Notifier]
_LINK_ACTION = {"ack": "acknowledge", "resolve": "resolve", "snooze": "snooze"}


def signed_links(settings: Settings, clock: Callable[[], datetime] | None = None) -> LinkFor:
    if settings.response.link_signing_key is None:
        return no_links
    now = clock or (lambda: datetime.now(UTC))

    def links(alert_id: str, action: Action) -> str | None:
        return link_for(alert_id, _LINK_ACTION[action], settings, now())

    return links


def notifier_factory(settings: Settings) -> NotifierFactory:
    pacer = Pacer()
    links = signed_links(settings)

    def build(receiver: str, config: IntegrationConfig) -> Notifier:
        return build_notifier(receiver, config, pacer=pacer, link_for=links)

    return build
