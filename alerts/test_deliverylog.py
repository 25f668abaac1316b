from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from alerts.deliverylog import DeliveryLog
from alerts.records import DeliveryLogEntry, delivery_log_key

T0 = datetime(2026, 11, 22, 9, tzinfo=UTC)
KEY = delivery_log_key("mention:x:1", "care", "webhook")


def entry(state: str = "delivered", at: datetime = T0, source: str = "a/0/5") -> DeliveryLogEntry:
    return DeliveryLogEntry(state=state, notification_id="n-1", at=at, source=source)  # type: ignore[arg-type]


def decide(log: DeliveryLog, source: str, published: datetime, now: datetime) -> str:
    return log.decide(KEY, source=source, published=published, now=now, repeat_interval=3600).action


def test_an_unknown_alert_is_sent() -> None:
    assert decide(DeliveryLog(), "a/0/5", T0, T0) == "send"


def test_the_same_record_read_again_is_a_duplicate() -> None:
    log = DeliveryLog()
    log.put(KEY, entry())
    later = T0 + timedelta(days=3)  # even long after, e.g. a replay from the beginning
    assert decide(log, "a/0/5", T0 - timedelta(seconds=1), later) == "duplicate"


def test_a_republished_alert_waits_for_the_repeat_interval() -> None:
    log = DeliveryLog()
    log.put(KEY, entry())
    published = T0 + timedelta(minutes=10)
    assert decide(log, "a/0/9", published, T0 + timedelta(minutes=10)) == "duplicate"
    decision = log.decide(
        KEY,
        source="a/0/9",
        published=T0 + timedelta(hours=2),
        now=T0 + timedelta(hours=2),
        repeat_interval=3600,
    )
    assert decision.action == "send" and decision.repeat


def test_a_dead_lettered_alert_published_again_is_sent_at_once() -> None:
    log = DeliveryLog()
    log.put(KEY, entry("dead_lettered"))
    replayed = T0 + timedelta(minutes=5)  # e.g. `earful dlq replay` after the fix
    assert decide(log, "a/1/40", replayed, replayed) == "send"
    assert decide(log, "a/0/5", T0, replayed) == "duplicate"  # its own record read again


def test_an_interrupted_send_is_resumed_under_its_id() -> None:
    log = DeliveryLog()
    log.put(KEY, entry("sending"))
    decision = log.decide(KEY, source="a/0/5", published=T0, now=T0, repeat_interval=0)
    assert (decision.action, decision.notification_id) == ("resume", "n-1")


def test_records_from_the_topic_keep_the_newest_and_tombstones_delete() -> None:
    log = DeliveryLog()
    newer = entry(at=T0 + timedelta(seconds=5))
    log.apply(SimpleNamespace(key=KEY.encode(), value=newer.model_dump_json().encode()))
    log.apply(SimpleNamespace(key=KEY.encode(), value=entry("sending").model_dump_json().encode()))
    assert log.get(KEY) == newer
    log.apply(SimpleNamespace(key=KEY.encode(), value=b"not json"))
    assert log.get(KEY) == newer
    log.apply(SimpleNamespace(key=KEY.encode(), value=None))
    assert log.get(KEY) is None and len(log) == 0


def test_an_outcome_older_than_the_memory_is_forgotten() -> None:
    log = DeliveryLog(remember_seconds=3600)
    old_key = delivery_log_key("mention:x:old", "care", "webhook")
    log.put(old_key, entry(at=T0))
    log.put(KEY, entry(at=T0 + timedelta(minutes=30)))
    assert len(log) == 2
    log.put(
        delivery_log_key("mention:x:new", "care", "webhook"),
        entry(at=T0 + timedelta(hours=1, seconds=1)),
    )
    assert log.get(old_key) is None and log.get(KEY) is not None
    assert log.for_alert("mention:x:old") == {} and log.forgotten == 1
    # Published again after it was forgotten: sent as new.
    later = T0 + timedelta(hours=2)
    assert (
        log.decide(old_key, source="a/0/9", published=later, now=later, repeat_interval=60).action
        == "send"
    )


def test_an_entry_written_again_is_kept_until_its_new_outcome_is_old() -> None:
    log = DeliveryLog(remember_seconds=3600)
    log.put(KEY, entry(at=T0))
    log.put(KEY, entry(at=T0 + timedelta(minutes=50)))
    log.put(
        delivery_log_key("mention:x:2", "care", "webhook"), entry(at=T0 + timedelta(minutes=70))
    )
    assert log.get(KEY) is not None  # its first write expired, its second has not


@given(st.lists(st.integers(0, 600), max_size=300))
def test_memory_holds_only_the_window_however_outcomes_arrive(steps: list[int]) -> None:
    log = DeliveryLog(remember_seconds=600)
    at = T0
    for i, step in enumerate(steps):
        at += timedelta(seconds=step)
        log.put(delivery_log_key(f"mention:x:{i}", "care", "webhook"), entry(at=at))
        oldest = min(e.at for e in log._entries.values())
        assert at - oldest <= timedelta(seconds=600)
    assert len(log) + log.forgotten == len(steps)


def test_without_a_memory_limit_nothing_is_forgotten() -> None:
    log = DeliveryLog()
    for day in range(30):
        log.put(
            delivery_log_key(f"mention:x:{day}", "care", "webhook"),
            entry(at=T0 + timedelta(days=day)),
        )
    assert len(log) == 30
