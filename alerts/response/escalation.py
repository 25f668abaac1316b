"""Escalation chains: which chain an alert follows, when each step is due, and the alert
each step sends (pure).

A step is an ``Alert`` of kind ``escalation`` written to the alerts topic, routed like any
alert. Its id is ``escalation:<original alert id>:<step>`` (steps count from 1 across
repeats), so each step is sent once and the delivery log de-duplicates a repeat. Labels:
the original's, with ``kind="escalation"``, ``escalation_step``, ``escalation_action``
(``notify_again``, ``notify_receiver``, ``page``), ``escalated_alert_id`` and, when the
step names one, ``receiver`` (the receiver it targets). ``page`` also raises the priority
to P1.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.response.records import AlertState
from config.matchers import parse_matcher
from config.response import EscalationChain
from streams.records import Alert

PREFIX = "escalation:"


def chain_for(chains: list[EscalationChain], labels: dict[str, str]) -> EscalationChain | None:
    """The first chain whose matchers all match (a chain without matchers matches all)."""
    for chain in chains:
        if all(parse_matcher(m).matches(labels) for m in chain.matchers):
            return chain
    return None


def escalation_id(alert_id: str, step: int) -> str:
    return f"{PREFIX}{alert_id}:{step}"


def parse_escalation_id(alert_id: str) -> tuple[str, int] | None:
    """(original alert id, step) of an escalation alert id, else None."""
    if not alert_id.startswith(PREFIX):
        return None
    original, _, step = alert_id[len(PREFIX) :].rpartition(":")
    return (original, int(step)) if original and step.isdigit() else None


def _waited(chain: EscalationChain, through: int) -> timedelta:
    """Total wait of steps 1..through."""
    return timedelta(seconds=sum(chain.step(n).wait_seconds for n in range(1, through + 1)))


def step_due(
    chain: EscalationChain,
    deadline: datetime,
    step: int,
    first_unfired: int,
    state: AlertState | None,
) -> datetime:
    """When ``step`` is due, given the first step not yet sent and the alert's state.

    Step n is due ``deadline`` plus the waits of steps 1..n; a snooze (or the time the
    previous step said the next one was due) moves the first unsent step to its ``until``
    if that is later, and the steps after it follow with their own waits.
    """
    due = deadline + _waited(chain, first_unfired)
    if state is not None and state.state in ("snoozed", "escalated") and state.until:
        due = max(due, state.until)
    return due + (_waited(chain, step) - _waited(chain, first_unfired))


def escalation_alert(
    original: Alert, chain: EscalationChain, step: int, now: datetime, sla_text: str
) -> Alert:
    """The alert sent for ``step`` of ``chain`` about ``original``."""
    spec = chain.step(step)
    labels = {
        **original.labels,
        "kind": "escalation",
        "escalation_step": str(step),
        "escalation_action": spec.action,
        "escalation_chain": chain.name,
        "escalated_alert_id": original.alert_id,
    }
    if spec.receiver is not None:
        labels["receiver"] = spec.receiver
    priority = "P1" if spec.action == "page" else original.priority
    labels["priority"] = priority
    return Alert(
        alert_id=escalation_id(original.alert_id, step),
        kind="escalation",
        team=original.team,
        priority=priority,
        labels=labels,
        summary=f"Not acknowledged {sla_text}: {original.summary}"[:500],
        reasons=[
            f"escalation step {step} of {chain.step_count()} ({spec.action}) in chain "
            f"{chain.name!r}",
            *original.reasons,
        ],
        created_at=now,
        mention=original.mention,
    )
