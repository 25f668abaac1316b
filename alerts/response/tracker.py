"""The SLA timers of the alerts one responder owns, rebuilt from Kafka after a restart (pure).

The responder reads the alerts topic in its own consumer group and commits, per
partition, the offset of the oldest alert whose timers still run (a low watermark). After
a restart it therefore reads again every alert still pending, together with the
escalation alerts it already wrote for them (same partition, later offsets), and the
alert-state topic tells which were acknowledged or snoozed. Timers are computed from the
alert's ``created_at``, so they do not move when the process restarts.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.response.escalation import chain_for, parse_escalation_id, step_due
from alerts.response.records import AlertState
from alerts.response.sla import response_deadline
from alerts.response.state import stops_escalation
from config.response import EscalationChain, ResponseSettings
from streams.records import Alert

SLA_KINDS = ("mention", "crisis")


@dataclass
class Pending:
    alert: Alert
    partition: int
    offset: int
    key: bytes | None
    deadline: datetime
    chain: EscalationChain | None
    fired: int = 0  # highest step found in the alerts topic (sent by us, now or before)
    handled: int = 0  # highest step sent or skipped as too late in this run
    breached: bool = False

    def next_step(self) -> int:
        return max(self.fired, self.handled) + 1

    def finished(self) -> bool:
        steps = self.chain.step_count() if self.chain else 0
        return self.breached and self.next_step() > steps


@dataclass(frozen=True)
class Breach:
    pending: Pending


@dataclass(frozen=True)
class StepDue:
    pending: Pending
    step: int
    due: datetime
    next_due: datetime | None
    late: bool  # more than max_lateness_seconds overdue: skipped, not sent


@dataclass
class SlaTracker:
    response: ResponseSettings
    pending: dict[str, Pending] = field(default_factory=dict)
    states: dict[str, AlertState] = field(default_factory=dict)
    consumed: dict[int, int] = field(default_factory=dict)  # partition -> next offset
    _queue: list[tuple[datetime, int, str]] = field(default_factory=list)
    _sequence: int = 0

    def see_alert(
        self, alert: Alert, partition: int, offset: int, key: bytes | None = None
    ) -> None:
        """An alert read from the alerts topic (an escalation marks its step as sent)."""
        self.consumed[partition] = max(self.consumed.get(partition, 0), offset + 1)
        parsed = parse_escalation_id(alert.alert_id) if alert.kind == "escalation" else None
        if parsed is not None:
            original, step = parsed
            if original in self.pending:
                tracked = self.pending[original]
                tracked.fired = max(tracked.fired, step)
            return
        if alert.kind not in SLA_KINDS or alert.alert_id in self.pending:
            return
        deadline = response_deadline(self.response, alert.priority, alert.team, alert.created_at)
        if deadline is None or stops_escalation(self.states.get(alert.alert_id)):
            return
        chain = chain_for(self.response.escalation, alert.labels)
        pending = Pending(alert, partition, offset, key, deadline, chain)
        self.pending[alert.alert_id] = pending
        self._schedule(pending)

    def see_state(self, state: AlertState) -> None:
        self.states[state.alert_id] = state
        if stops_escalation(state):
            self.pending.pop(state.alert_id, None)

    def forget_partitions(self, partitions: set[int]) -> None:
        """Another responder owns these now (a rebalance)."""
        for alert_id in [a for a, p in self.pending.items() if p.partition in partitions]:
            del self.pending[alert_id]
        for partition in partitions:
            self.consumed.pop(partition, None)

    def due(self, now: datetime, ready: set[int]) -> list[Breach | StepDue]:
        """What is due at ``now`` on the partitions that have caught up (``ready``).

        Only alerts whose next check time has come are looked at (a heap), so an idle tick
        costs nothing however many alerts are pending.
        """
        events: list[Breach | StepDue] = []
        recheck: list[Pending] = []
        looked_at: set[str] = set()
        while self._queue and self._queue[0][0] <= now:
            _, _, alert_id = heapq.heappop(self._queue)
            item = self.pending.get(alert_id)
            if item is None or alert_id in looked_at:
                # Acknowledged, resolved or forgotten since it was queued, or queued twice
                # (read again after a rebalance): one look, one entry back in the queue.
                continue
            looked_at.add(alert_id)
            if item.partition in ready:
                events.extend(self._check(item, now))
            if item.finished():
                del self.pending[alert_id]
            else:
                recheck.append(item)
        for item in recheck:
            self._schedule(item)
        return events

    def _check(self, item: Pending, now: datetime) -> list[Breach | StepDue]:
        events: list[Breach | StepDue] = []
        state = self.states.get(item.alert.alert_id)
        if not item.breached and now >= item.deadline:
            item.breached = True
            responded = state is not None and state.state == "snoozed"
            if not responded and item.fired == 0:
                events.append(Breach(item))
        step = item.next_step()
        if item.chain is not None and step <= item.chain.step_count():
            when = step_due(item.chain, item.deadline, step, step, state)
            if now >= when:
                following = step + 1 if step < item.chain.step_count() else None
                after = (
                    step_due(item.chain, item.deadline, following, step, state)
                    if following
                    else None
                )
                lateness = timedelta(seconds=self.response.max_lateness_seconds)
                events.append(StepDue(item, step, when, after, now - when > lateness))
        return events

    def _next_check(self, item: Pending) -> datetime:
        """When this alert next needs a look: its deadline, else its next step."""
        if not item.breached:
            return item.deadline
        step = item.next_step()
        assert item.chain is not None and step <= item.chain.step_count()
        return step_due(item.chain, item.deadline, step, step, self.states.get(item.alert.alert_id))

    def _schedule(self, item: Pending) -> None:
        self._sequence += 1
        heapq.heappush(self._queue, (self._next_check(item), self._sequence, item.alert.alert_id))

    def mark_handled(self, event: StepDue) -> None:
        event.pending.handled = max(event.pending.handled, event.step)

    def commit_offsets(self) -> dict[int, int]:
        """Per partition, the offset to commit: the oldest pending alert, else all consumed."""
        offsets = dict(self.consumed)
        for item in self.pending.values():
            if item.partition in offsets:
                offsets[item.partition] = min(offsets[item.partition], item.offset)
        return offsets
