from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.dispatch import RESUME_WAIT_SECONDS, Dispatcher, Unit
from alerts.offsets import OffsetTracker
from alerts.routing import RouteNode
from config.schema import Route
from streams.records import Alert

TRACKER = OffsetTracker()


def make_alert(alert_id: str, priority: str = "P2", **labels: str) -> Alert:
    return Alert(
        alert_id=alert_id,
        kind="mention",
        team=labels.get("team", "care"),
        priority=priority,  # type: ignore[arg-type]
        labels={"kind": "mention", "team": "care", "priority": priority, **labels},
        summary=f"summary of {alert_id}",
        reasons=["r"],
        created_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


def make_unit(alert: Alert, node: RouteNode, offset: int = 0, **extra: object) -> Unit:
    ticket = TRACKER.begin(("alerts", 0), offset)
    return Unit(
        alert, dict(alert.labels), node, node.receiver, 0, "webhook", f"alerts/0/{offset}",
        ticket, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def node(**route: object) -> RouteNode:
    return RouteNode.build(Route.model_validate({"receiver": "care", **route}))


GROUPED = node(group_by=["conversation"], group_wait="30s", group_interval="5m")


def test_default_sends_every_alert_at_once_on_its_own() -> None:
    dispatcher = Dispatcher()
    root = node()
    for i in range(3):
        dispatcher.add(make_unit(make_alert(f"a{i}"), root), now=100.0)
    flushes = dispatcher.due(100.0)
    assert sorted(len(f.units) for f in flushes) == [1, 1, 1]
    assert dispatcher.next_deadline() is None


def test_group_waits_group_wait_then_group_interval() -> None:
    dispatcher = Dispatcher()
    dispatcher.add(make_unit(make_alert("a", conversation="t1"), GROUPED), now=0.0)
    dispatcher.add(make_unit(make_alert("b", conversation="t1"), GROUPED), now=10.0)
    dispatcher.add(make_unit(make_alert("c", conversation="t2"), GROUPED), now=10.0)
    assert dispatcher.due(29.9) == []
    first = dispatcher.due(30.0)
    assert [[u.alert.alert_id for u in f.units] for f in first] == [["a", "b"]]
    # A late joiner waits for the group's interval, not for a new group_wait.
    dispatcher.add(make_unit(make_alert("d", conversation="t1"), GROUPED), now=31.0)
    assert [u.alert.alert_id for f in dispatcher.due(40.0) for u in f.units] == ["c"]
    assert dispatcher.due(329.9) == []
    assert [u.alert.alert_id for f in dispatcher.due(330.0) for u in f.units] == ["d"]


def test_a_quiet_group_is_dropped_and_starts_again_with_group_wait() -> None:
    dispatcher = Dispatcher()
    dispatcher.add(make_unit(make_alert("a", conversation="t1"), GROUPED), now=0.0)
    dispatcher.due(30.0)
    dispatcher.due(30.0 + 300.0)  # a whole interval with nothing new
    dispatcher.add(make_unit(make_alert("b", conversation="t1"), GROUPED), now=1000.0)
    assert dispatcher.next_deadline() == 1030.0


def test_low_priority_goes_to_the_digest_of_its_hour() -> None:
    digesting = node(digest={"priorities": ["P4"], "every": "hourly"})
    dispatcher = Dispatcher()
    dispatcher.add(make_unit(make_alert("low", priority="P4"), digesting), now=7200.0 + 5)
    dispatcher.add(make_unit(make_alert("high", priority="P1"), digesting), now=7200.0 + 5)
    assert [u.alert.alert_id for f in dispatcher.due(7205.0) for u in f.units] == ["high"]
    assert dispatcher.next_deadline() == 10800.0
    (digest,) = dispatcher.due(10800.0)
    assert digest.kind == "digest" and digest.window_start == 7200.0
    assert [u.alert.alert_id for u in digest.units] == ["low"]


def test_an_interrupted_notification_is_re_formed_under_its_id() -> None:
    dispatcher = Dispatcher()
    dispatcher.add(make_unit(make_alert("a"), GROUPED, resume_id="group:x"), now=0.0)
    dispatcher.add(make_unit(make_alert("b"), GROUPED, resume_id="group:x"), now=1.0)
    assert dispatcher.due(RESUME_WAIT_SECONDS - 0.1) == []
    (flush,) = dispatcher.due(RESUME_WAIT_SECONDS)
    assert flush.kind == "resume" and flush.key[-1] == "group:x" and len(flush.units) == 2


def test_drop_removes_units_of_revoked_partitions() -> None:
    dispatcher = Dispatcher()
    keep = make_unit(make_alert("keep"), GROUPED)
    gone = make_unit(make_alert("gone"), GROUPED)
    dispatcher.add(keep, 0.0)
    dispatcher.add(gone, 0.0)
    assert dispatcher.drop(lambda u: u is gone) == [gone]
    assert [u for f in dispatcher.due(60.0) for u in f.units] == [keep]


arrivals = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=2000, allow_nan=False),
        st.sampled_from(["t1", "t2", "t3"]),
        st.sampled_from(["P1", "P3", "P4"]),
    ),
    max_size=30,
)
routes = st.sampled_from(
    [
        node(),
        GROUPED,
        node(group_by=["..."], group_wait="10s", group_interval="1m"),
        node(group_wait="5s", digest={"priorities": ["P4"], "every": "hourly"}),
    ]
)


@settings(max_examples=150, deadline=None)
@given(arrivals, routes)
def test_every_alert_is_flushed_once_within_its_wait(
    timeline: list[tuple[float, str, str]], root: RouteNode
) -> None:
    dispatcher = Dispatcher()
    added: dict[str, float] = {}
    flushed: list[str] = []
    longest = max(root.group_wait, root.group_interval)

    def flush_until(limit: float | None) -> None:
        while (deadline := dispatcher.next_deadline()) is not None and (
            limit is None or deadline <= limit
        ):
            for flush in dispatcher.due(deadline):
                for unit in flush.units:
                    waited = deadline - added[unit.alert.alert_id]
                    if flush.kind == "digest":
                        assert deadline % 3600 == 0 and 0 <= waited <= 3600
                    else:
                        assert 0 <= waited <= longest + 1e-9
                    flushed.append(unit.alert.alert_id)

    for i, (at, thread, priority) in enumerate(sorted(timeline)):
        flush_until(at)
        alert = make_alert(f"a{i}", priority, conversation=thread)
        dispatcher.add(make_unit(alert, root), at)
        added[alert.alert_id] = at
    flush_until(None)
    assert sorted(flushed) == sorted(added)
    assert dispatcher.pending() == 0
