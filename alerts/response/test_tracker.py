from datetime import UTC, datetime, timedelta

from alerts.response.escalation import (
    chain_for,
    escalation_alert,
    escalation_id,
    parse_escalation_id,
)
from alerts.response.records import AlertState
from alerts.response.tracker import Breach, SlaTracker, StepDue
from config.response import EscalationChain, ResponseSettings
from streams.records import Alert

T0 = datetime(2026, 11, 22, 12, tzinfo=UTC)
CHAIN = EscalationChain.model_validate(
    {
        "name": "care",
        "matchers": ['team="care"'],
        "steps": [
            {"wait_seconds": 0, "action": "notify_again"},
            {"wait_seconds": 120, "action": "notify_receiver", "receiver": "lead"},
            {"wait_seconds": 60, "action": "page", "receiver": "pager"},
        ],
        "repeat": 1,
    }
)
RESPONSE = ResponseSettings.model_validate(
    {
        "sla": {"P2": {"respond_within_seconds": 60, "business_hours": False}},
        "escalation": [CHAIN.model_dump()],
        "max_lateness_seconds": 3600,
    }
)


def alert(alert_id: str = "mention:test:1", team: str = "care", kind: str = "mention") -> Alert:
    return Alert(
        alert_id=alert_id,
        kind=kind,  # type: ignore[arg-type]
        team=team,
        priority="P2",
        labels={"team": team, "priority": "P2", "kind": kind, "brand": "acme"},
        summary="flight cancelled",
        reasons=["service_failure"],
        created_at=T0,
    )


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(tracker: SlaTracker, seconds: float) -> list[Breach | StepDue]:
    events = tracker.due(at(seconds), {0})
    for event in events:
        if isinstance(event, StepDue):
            tracker.mark_handled(event)
    return events


def steps(events: list[Breach | StepDue]) -> list[int]:
    return [e.step for e in events if isinstance(e, StepDue)]


def test_steps_come_due_after_the_deadline_with_their_waits_and_repeat() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(), 0, 5)
    assert run(tracker, 59) == []
    first = run(tracker, 60)
    assert isinstance(first[0], Breach) and steps(first) == [1]
    assert steps(run(tracker, 179)) == []
    assert steps(run(tracker, 180)) == [2]
    assert steps(run(tracker, 240)) == [3]
    assert steps(run(tracker, 240)) == [4]  # the chain repeats: notify again at once
    assert steps(run(tracker, 360)) == [5]
    assert steps(run(tracker, 420)) == [6]
    assert run(tracker, 10_000) == [] and tracker.pending == {}


def test_an_acknowledged_alert_is_never_escalated() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(), 0, 5)
    tracker.see_state(
        AlertState(alert_id="mention:test:1", state="acknowledged", by="x", at=at(30))
    )
    assert run(tracker, 1000) == []
    assert tracker.commit_offsets() == {0: 6}


def test_a_snooze_holds_the_chain_until_it_ends() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(), 0, 5)
    tracker.see_state(
        AlertState(alert_id="mention:test:1", state="snoozed", by="x", at=at(10), until=at(300))
    )
    assert run(tracker, 299) == []  # snoozed in time: no breach either
    assert steps(run(tracker, 300)) == [1]
    assert steps(run(tracker, 420)) == [2]


def test_after_a_restart_sent_steps_are_not_sent_again_and_the_schedule_holds() -> None:
    before = SlaTracker(RESPONSE)
    before.see_alert(alert(), 0, 5, b"thread-1")
    [_, step_one] = run(before, 61)
    assert isinstance(step_one, StepDue) and step_one.next_due == at(180)

    # What a new process reads again: the alert, the escalation it wrote, the state.
    after = SlaTracker(RESPONSE)
    after.see_state(
        AlertState(alert_id="mention:test:1", state="escalated", by="r", at=at(61), until=at(180))
    )
    after.see_alert(alert(), 0, 5, b"thread-1")
    sent = escalation_alert(alert(), CHAIN, 1, at(61), "1 s after SLA")
    after.see_alert(sent, 0, 9)
    assert steps(run(after, 120)) == []
    assert steps(run(after, 180)) == [2]
    assert after.commit_offsets() == {0: 5}


def test_partitions_that_have_not_caught_up_fire_nothing() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(), 1, 0)
    assert tracker.due(at(1000), {0}) == []
    assert steps(tracker.due(at(1000), {1})) == [1]


def test_steps_overdue_by_more_than_the_lateness_limit_are_marked_late() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(), 0, 0)
    [_, event] = tracker.due(at(60 + 3601), {0})
    assert isinstance(event, StepDue) and event.late


def test_the_watermark_is_the_oldest_alert_still_running() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert("mention:a"), 0, 3)
    tracker.see_alert(alert("mention:b"), 0, 4)
    tracker.see_alert(alert("mention:c", kind="digest"), 0, 7)
    assert tracker.commit_offsets() == {0: 3}
    tracker.see_state(AlertState(alert_id="mention:a", state="resolved", by="x", at=at(1)))
    assert tracker.commit_offsets() == {0: 4}


def test_alerts_no_chain_matches_breach_and_are_done() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(team="other"), 0, 0)
    [breach] = run(tracker, 60)
    assert isinstance(breach, Breach)
    assert tracker.pending == {}


def test_escalation_alerts_carry_routable_labels() -> None:
    original = alert()
    page = escalation_alert(original, CHAIN, 3, at(240), "3 min after SLA")
    assert page.alert_id == "escalation:mention:test:1:3" == escalation_id(original.alert_id, 3)
    assert page.kind == "escalation" and page.priority == "P1"
    assert page.labels == {
        "team": "care",
        "brand": "acme",
        "kind": "escalation",
        "priority": "P1",
        "escalation_step": "3",
        "escalation_action": "page",
        "escalation_chain": "care",
        "escalated_alert_id": "mention:test:1",
        "receiver": "pager",
    }
    again = escalation_alert(original, CHAIN, 4, at(240), "3 min after SLA")
    assert "receiver" not in again.labels and again.priority == "P2"
    assert parse_escalation_id(page.alert_id) == ("mention:test:1", 3)
    assert parse_escalation_id("mention:test:1") is None
    assert chain_for([CHAIN], {"team": "care"}) is CHAIN
    assert chain_for([CHAIN], {"team": "bank"}) is None


def test_an_alert_read_again_after_a_rebalance_is_escalated_once() -> None:
    tracker = SlaTracker(RESPONSE)
    tracker.see_alert(alert(), 0, 5)
    tracker.forget_partitions({0})
    tracker.see_alert(alert(), 0, 5)  # the partition came back to this responder
    assert steps(run(tracker, 60)) == [1]
    assert steps(run(tracker, 61)) == []
    assert steps(run(tracker, 180)) == [2]
