from urllib.parse import urlencode

import orjson
import pytest

from alerts.response.errors import InvalidRequestError, SignatureError
from alerts.response.slack_verify import (
    ReplayGuard,
    parse_interaction,
    slack_signature,
    verify_slack_request,
)

# The worked example of Slack's "Verifying requests from Slack" guide
# (https://api.slack.com/authentication/verifying-requests-from-slack), also used by the
# test suites of Slack's own SDKs.
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TIMESTAMP = "1531420618"
BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    b"G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook"
    b"-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F39770"
    b"0885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10"
    b"d2c447fce8b6703c"
)
SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
NOW = float(TIMESTAMP)


def test_slacks_published_example_signature() -> None:
    assert slack_signature(SECRET, TIMESTAMP, BODY) == SIGNATURE
    verify_slack_request(SECRET, TIMESTAMP, SIGNATURE, BODY, NOW)


@pytest.mark.parametrize(
    ("secret", "timestamp", "signature", "body", "reason"),
    [
        ("wrong-secret", TIMESTAMP, SIGNATURE, BODY, "bad_signature"),
        (SECRET, TIMESTAMP, SIGNATURE, BODY + b"&x=1", "bad_signature"),
        (SECRET, TIMESTAMP, SIGNATURE.replace("v0=a", "v0=b"), BODY, "bad_signature"),
        (SECRET, TIMESTAMP, SIGNATURE.replace("v0=", "v1="), BODY, "bad_signature"),
        (SECRET, str(int(TIMESTAMP) + 1), SIGNATURE, BODY, "bad_signature"),
        (SECRET, None, SIGNATURE, BODY, "missing"),
        (SECRET, TIMESTAMP, None, BODY, "missing"),
        (SECRET, "12.5", SIGNATURE, BODY, "malformed"),
    ],
)
def test_bad_requests_are_refused(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, reason: str
) -> None:
    with pytest.raises(SignatureError) as caught:
        verify_slack_request(secret, timestamp, signature, body, NOW)
    assert caught.value.reason == reason


@pytest.mark.parametrize("skew", [301, -301, 86400])
def test_requests_more_than_five_minutes_off_are_stale(skew: int) -> None:
    with pytest.raises(SignatureError) as caught:
        verify_slack_request(SECRET, TIMESTAMP, SIGNATURE, BODY, NOW + skew)
    assert caught.value.reason == "stale"


@pytest.mark.parametrize("skew", [0, 299, -299, 300])
def test_requests_within_five_minutes_pass(skew: int) -> None:
    verify_slack_request(SECRET, TIMESTAMP, SIGNATURE, BODY, NOW + skew)


def test_a_replayed_request_is_refused_the_second_time() -> None:
    guard = ReplayGuard()
    guard.check(SIGNATURE, NOW)
    with pytest.raises(SignatureError) as caught:
        guard.check(SIGNATURE, NOW + 10)
    assert caught.value.reason == "replayed"
    guard.check("v0=other", NOW + 10)


def test_the_replay_guard_forgets_what_the_clock_check_refuses_anyway() -> None:
    guard = ReplayGuard()
    guard.check(SIGNATURE, NOW)
    guard.check("v0=later", NOW + 601)
    assert SIGNATURE not in guard._seen


def block_actions(action_id: str, value: str, user: dict[str, str]) -> bytes:
    # Shape of Slack's block_actions interaction payload (trimmed to what we read, plus
    # neighbours so that extra fields are proven harmless).
    payload = {
        "type": "block_actions",
        "user": user,
        "api_app_id": "A02",
        "container": {"type": "message", "message_ts": "1548426417.840180"},
        "trigger_id": "12466734323.1395872398",
        "team": {"id": "T02", "domain": "acme"},
        "channel": {"id": "C02", "name": "air-care"},
        "response_url": "https://hooks.slack.com/actions/T02/1/abc",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "earful-actions",
                "text": {"type": "plain_text", "text": "Acknowledge"},
                "value": value,
                "type": "button",
                "action_ts": "1548426417.840180",
            }
        ],
    }
    return urlencode({"payload": orjson.dumps(payload).decode()}).encode()


@pytest.mark.parametrize(
    ("action_id", "action"),
    [("earful_ack", "acknowledge"), ("earful_resolve", "resolve"), ("earful_snooze", "snooze")],
)
def test_button_clicks_are_read_from_the_payload(action_id: str, action: str) -> None:
    body = block_actions(action_id, "mention:test:1", {"id": "U1", "username": "mira"})
    click = parse_interaction(body)
    assert (click.action, click.alert_id, click.user) == (action, "mention:test:1", "slack:mira")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"payload=not-json",
        b"other=1",
        urlencode({"payload": '{"actions": []}'}).encode(),
        block_actions("someone_elses_button", "x", {"id": "U1"}),
        block_actions("earful_ack", "", {"id": "U1"}),
    ],
)
def test_payloads_without_an_earful_button_are_invalid(body: bytes) -> None:
    with pytest.raises(InvalidRequestError):
        parse_interaction(body)
