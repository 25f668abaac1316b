"""One module per channel; each turns an alert into the payload its service expects.

Build notifiers with ``alerts.channels.registry.build_notifier``; see docs/channels.md.
"""

from alerts.channels.base import Notifier, Receipt, StateUpdater

__all__ = ["Notifier", "Receipt", "StateUpdater"]
