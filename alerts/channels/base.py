"""What every channel implements."""

from __future__ import annotations

from typing import Protocol

from streams.records import Alert


class Notifier(Protocol):
    """Sends one alert; raises :class:`alerts.errors.DeliveryError` when it was not accepted."""

    integration: str

    async def notify(self, alert: Alert) -> None: ...

    async def close(self) -> None: ...
