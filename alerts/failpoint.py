"""Crash points for fault tests: ``EARFUL_FAILPOINT=<point>:<n>`` makes the alert worker
SIGKILL itself (no shutdown, no commit, no flush) the n-th time it reaches ``<point>``.

The points are the three moments a crash means something different for delivery:
``after_consume`` (a record read, nothing done), ``after_channel_answer`` (the channel
answered, the delivery log not yet written: the only window where a restart re-sends) and
``after_record`` (the outcome stored, the offset not yet committed). Read once when the
worker is built; unset, each point costs one attribute test. Never set in production.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from alerts.errors import AlertsError

FailpointName = Literal["after_consume", "after_channel_answer", "after_record"]
POINTS: tuple[str, ...] = get_args(FailpointName)
ENV = "EARFUL_FAILPOINT"


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class FailpointError(AlertsError):
    """EARFUL_FAILPOINT is set to something that names no crash point."""


@dataclass
class Failpoint:
    point: str | None = None
    nth: int = 1
    kill: Callable[[], None] = _kill_self
    reached: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Failpoint:
        spec = environ.get(ENV, "").strip()
        if not spec:
            return cls()
        point, _, count = spec.partition(":")
        if point not in POINTS or not (count or "1").isdigit() or int(count or "1") < 1:
            raise FailpointError(
                f"{ENV}={spec!r} names no crash point; "
                f"use one of {', '.join(POINTS)} with an optional :N (N >= 1), or unset it"
            )
        return cls(point, int(count or "1"))

    def reach(self, point: FailpointName) -> None:
        if self.point != point:
            return
        self.reached += 1
        if self.reached == self.nth:
            self.kill()
