from alerts.dispatch import Flush
from alerts.notifications import notifications_for
from alerts.test_dispatch import GROUPED, make_alert, make_unit, node


def test_a_group_of_one_is_the_alert_itself() -> None:
    unit = make_unit(make_alert("mention:a"), GROUPED)
    (notification,) = notifications_for(Flush("group", ("k",), [unit]))
    assert notification.id == "mention:a" and notification.alert is unit.alert
    assert not notification.multi


def test_several_alerts_become_one_summary_with_a_stable_id() -> None:
    units = [make_unit(make_alert(f"m:{i}", brand="acme"), GROUPED) for i in range(3)]
    (one,) = notifications_for(Flush("group", ("k",), units))
    (again,) = notifications_for(Flush("group", ("k",), list(reversed(units))))
    assert one.id == again.id and one.id.startswith("group:care:")
    assert one.multi and one.alert.kind == "digest" and one.alert.alert_id == one.id
    assert one.alert.labels["count"] == "3" and one.alert.labels["brand"] == "acme"
    assert one.alert.summary == "3 alerts for care about acme"
    assert one.alert.reasons == [f"[P2] summary of m:{i}" for i in range(3)]


def test_a_digest_is_split_to_its_size_limit() -> None:
    digesting = node(digest={"priorities": ["P4"], "every": "daily", "max_items": 2})
    units = [make_unit(make_alert(f"m:{i}", priority="P4"), digesting) for i in range(5)]
    notes = notifications_for(Flush("digest", ("k",), units, window_start=86400.0))
    assert [len(n.units) for n in notes] == [2, 2, 1]
    assert len({n.id for n in notes}) == 3
    assert all(n.alert.labels["window_start"] == "1970-01-02T00:00:00+00:00" for n in notes)
    assert notes[0].alert.summary.startswith("Digest for care: 2 alerts since 1970-01-02")


def test_a_resumed_notification_keeps_the_id_it_was_sent_under() -> None:
    units = [make_unit(make_alert(f"m:{i}"), GROUPED) for i in range(2)]
    (notification,) = notifications_for(Flush("resume", ("resume", "care", 0, "group:old"), units))
    assert notification.id == "group:old" == notification.alert.alert_id
    # Only one of them read again (the others were on a partition now elsewhere): same id.
    (alone,) = notifications_for(Flush("resume", ("resume", "care", 0, "group:old"), units[:1]))
    assert alone.id == "group:old" == alone.alert.alert_id and alone.alert.kind == "digest"


def test_a_repeat_gets_its_own_idempotency_key() -> None:
    unit = make_unit(make_alert("m:1"), GROUPED, repeat=True)
    (notification,) = notifications_for(Flush("group", ("k",), [unit]))
    assert notification.id == "m:1@alerts/0/0" == notification.alert.alert_id
