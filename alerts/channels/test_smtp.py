from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from alerts.channels.base import Action
from alerts.channels.smtp import EmailNotifier, build_message
from alerts.errors import DeliveryError
from config.receivers import EmailConfig
from earful.localkafka.broker import free_port
from tests.support.alerts import sample_alert
from tests.support.fakes.smtp import (
    ALLOW_AUTH_OVER_TLS,
    PASSWORD,
    USERNAME,
    SmtpFake,
    smtp_server,
)

pytestmark = pytest.mark.timeout(30)


def config(server: SmtpFake | None, **kw: Any) -> EmailConfig:
    data: dict[str, Any] = {
        "to": ["care@acme.example", "lead@acme.example"],
        "from": "earful@acme.example",
        "smarthost": server.smarthost if server else f"127.0.0.1:{free_port()}",
        "tls": "none",
        "timeout_seconds": 5,
    }
    data.update(kw)
    return EmailConfig.model_validate(data)


def link(alert_id: str, action: Action) -> str | None:
    return f"https://earful.example/a/{action}?id={alert_id}&sig=s"


async def send(cfg: EmailConfig, *alerts: Any) -> None:
    notifier = EmailNotifier(cfg, link_for=link)
    try:
        for alert in alerts or (sample_alert(),):
            await notifier.notify(alert)
    finally:
        await notifier.close()


async def test_plain_and_html_parts_with_threading_headers(tmp_path: Path) -> None:
    alert = sample_alert(text='<script>alert(1)</script> <a href="https://evil">bank</a>')
    with smtp_server(tmp_path) as server:
        await send(config(server), alert)
    (mail,) = server.delivered
    assert not mail.tls and mail.login is None
    message = mail.message
    assert mail.recipients == ["care@acme.example", "lead@acme.example"]
    assert message["Subject"] == "[Earful] air-care / acmeair / baggage"
    assert message["Message-ID"].startswith("<earful.") and message["Message-ID"].endswith(
        "@acme.example>"
    )
    assert message["In-Reply-To"] == message["References"]
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '> <script>alert(1)</script> <a href="https://evil">bank</a>' in plain
    assert "Acknowledge: https://earful.example/a/ack?id=mention:mastodon:1093&sig=s" in plain
    assert "<script>" not in html and 'href="https://evil"' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://earful.example/a/resolve?id=mention:mastodon:1093&amp;sig=s">' in html


async def test_a_group_shares_one_thread_and_another_group_does_not(tmp_path: Path) -> None:
    labels = {"team": "air-care", "brand": "acmeair", "topic": "baggage"}
    first = sample_alert(alert_id="mention:m:1", labels=labels)
    second = sample_alert(alert_id="mention:m:2", labels=labels)
    other = sample_alert(alert_id="mention:m:3", labels=labels | {"topic": "refunds"})
    with smtp_server(tmp_path) as server:
        await send(config(server), first, second, other)
    a, b, c = (d.message for d in server.delivered)
    assert a["References"] == b["References"] != c["References"]
    assert a["Subject"] == b["Subject"] != c["Subject"]
    assert len({a["Message-ID"], b["Message-ID"], c["Message-ID"]}) == 3


def test_message_id_is_stable_for_a_redelivered_alert() -> None:
    cfg = config(None)
    assert (
        build_message(sample_alert(), cfg)["Message-ID"]
        == (build_message(sample_alert(), cfg)["Message-ID"])
    )


def test_public_text_cannot_add_headers() -> None:
    alert = sample_alert(
        labels={"team": "t", "brand": "b\r\nBcc: victim@example.com", "topic": "x"}
    )
    message = build_message(alert, config(None))
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]


@pytest.mark.filterwarnings(ALLOW_AUTH_OVER_TLS)
@pytest.mark.parametrize("tls", ["starttls", "tls"])
async def test_tls_and_login(tmp_path: Path, tls: str) -> None:
    with smtp_server(tmp_path, tls=tls, auth=True) as server:  # type: ignore[arg-type]
        cfg = config(
            server,
            tls=tls,
            ca_file=server.ca_file,
            auth_username=USERNAME,
            auth_password=SecretStr(PASSWORD),
        )
        await send(cfg)
    (mail,) = server.delivered
    assert mail.tls and mail.login == USERNAME


async def test_wrong_password_is_permanent(tmp_path: Path) -> None:
    with smtp_server(tmp_path, tls="starttls", auth=True) as server:
        cfg = config(
            server,
            tls="starttls",
            ca_file=server.ca_file,
            auth_username=USERNAME,
            auth_password=SecretStr("wrong-password"),
        )
        with pytest.raises(DeliveryError) as caught:
            await send(cfg)
    assert not caught.value.retriable and caught.value.reason == "auth"
    assert "wrong-password" not in str(caught.value)
    assert server.delivered == []


async def test_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    with smtp_server(tmp_path, tls="starttls") as server, pytest.raises(DeliveryError) as caught:
        await send(config(server, tls="starttls"))  # no ca_file: system CAs only
    assert caught.value.reason == "connection"
    assert server.delivered == []


@pytest.mark.parametrize(
    ("where", "reply", "retriable", "reason"),
    [
        ("data", "451 4.3.0 Try again later", True, "smtp_4xx"),
        ("data", "552 5.3.4 Message too big", False, "smtp_5xx"),
        ("rcpt", "450 4.2.1 Mailbox busy", True, "smtp_4xx"),
        ("rcpt", "550 5.1.1 No such user", False, "smtp_5xx"),
    ],
)
async def test_smtp_replies_decide_retry(
    tmp_path: Path, where: str, reply: str, retriable: bool, reason: str
) -> None:
    with smtp_server(tmp_path) as server:
        replies = server.data_replies if where == "data" else server.rcpt_replies
        replies.extend([reply, reply])  # both recipients, or the one message
        with pytest.raises(DeliveryError) as caught:
            await send(config(server))
    assert (caught.value.retriable, caught.value.reason) == (retriable, reason)


async def test_nobody_listening_is_retriable() -> None:
    with pytest.raises(DeliveryError) as caught:
        await send(config(None))
    assert caught.value.retriable and caught.value.reason == "connection"


async def test_starttls_demanded_but_not_offered_is_permanent(tmp_path: Path) -> None:
    with smtp_server(tmp_path, tls="none") as server, pytest.raises(DeliveryError) as caught:
        await send(config(server, tls="starttls"))
    assert not caught.value.retriable and caught.value.reason == "destination"
    assert server.delivered == []
