"""One module per channel; each turns an alert into the payload its service expects."""

from alerts.channels.base import Notifier

__all__ = ["Notifier"]
