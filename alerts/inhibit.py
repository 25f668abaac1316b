"""Inhibition with Alertmanager's rules: while a source alert is open, target alerts with
the same values of the ``equal`` labels are suppressed.

Earful's alerts are events, so "open" is tracked: an alert matching a rule's
``source_matchers`` opens it; an alert of kind ``<kind>_resolved`` (e.g.
``crisis_resolved``) with the same ``equal`` labels closes it, and so does the source
alert's state becoming ``resolved`` on the alert-state topic. The newest event wins, so
the order in which several partitions are read does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from config.alerting import InhibitRule
from config.matchers import Matcher, parse_matcher

RESOLVED_SUFFIX = "_resolved"


@dataclass(frozen=True)
class CompiledRule:
    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]

    @classmethod
    def build(cls, rule: InhibitRule) -> CompiledRule:
        return cls(
            tuple(parse_matcher(m) for m in rule.source_matchers),
            tuple(parse_matcher(m) for m in rule.target_matchers),
            tuple(rule.equal),
        )

    def is_source(self, labels: dict[str, str]) -> bool:
        return all(m.matches(labels) for m in self.source)

    def is_target(self, labels: dict[str, str]) -> bool:
        return all(m.matches(labels) for m in self.target)

    def scope(self, labels: dict[str, str]) -> tuple[str, ...]:
        return tuple(labels.get(name, "") for name in self.equal)


@dataclass
class _SourceState:
    open: bool
    at: datetime
    alert_id: str


@dataclass
class Inhibitor:
    rules: tuple[CompiledRule, ...]
    _state: dict[tuple[int, tuple[str, ...]], _SourceState] = field(default_factory=dict)

    @classmethod
    def build(cls, rules: list[InhibitRule]) -> Inhibitor:
        return cls(tuple(CompiledRule.build(r) for r in rules))

    def observe(self, alert_id: str, labels: dict[str, str], at: datetime) -> None:
        """Take note of an alert that may open or close an inhibition."""
        kind = labels.get("kind", "")
        resolved = kind.endswith(RESOLVED_SUFFIX)
        as_source = {**labels, "kind": kind.removesuffix(RESOLVED_SUFFIX)} if resolved else labels
        for i, rule in enumerate(self.rules):
            if not rule.is_source(as_source):
                continue
            key = (i, rule.scope(as_source))
            known = self._state.get(key)
            if known is None or at >= known.at:
                self._state[key] = _SourceState(not resolved, at, alert_id)

    def observe_state(self, alert_id: str, state: str, at: datetime) -> None:
        """A source alert resolved by a person (the alert-state topic) closes it too."""
        if state != "resolved":
            return
        for known in self._state.values():
            if known.alert_id == alert_id and known.open and at >= known.at:
                known.open = False
                known.at = at

    def inhibited_by(self, labels: dict[str, str]) -> str | None:
        """The id of the open source alert that inhibits an alert with ``labels``, if any."""
        for i, rule in enumerate(self.rules):
            # As in Alertmanager, an alert matching both sides is never inhibited by it.
            if not rule.is_target(labels) or rule.is_source(labels):
                continue
            state = self._state.get((i, rule.scope(labels)))
            if state is not None and state.open:
                return state.alert_id
        return None

    def open_sources(self) -> int:
        return sum(1 for s in self._state.values() if s.open)
