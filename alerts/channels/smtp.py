"""Email over SMTP (``email_configs``): plain text plus HTML, threaded per group.

Every alert of a group (labels named by ``thread_by``, by default team, brand and topic)
has the same subject and ``In-Reply-To``/``References`` pointing at one thread id, so
mail clients show a group as one conversation. ``Message-ID`` is derived from the alert
id: a redelivered alert carries the same id and clients collapse the copy. SMTP replies
4yz are retried, 5yz are not.
"""

from __future__ import annotations

import hashlib
import html
import ssl
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from alerts.channels.base import ACTIONS, LinkFor, Receipt, no_links
from alerts.channels.content import AlertView, printable, truncate, view
from alerts.channels.pacing import Pacer, destination_key
from alerts.errors import DeliveryError
from config.receivers import EmailConfig
from streams.records import Alert

ACTION_TITLES = {"ack": "Acknowledge", "resolve": "Resolve", "snooze": "Snooze"}
TEXT_CHARS = 20_000
AUTH_CODES = {530, 534, 535, 538}


def thread_key(alert: Alert, thread_by: list[str]) -> str:
    return "\x00".join(f"{name}={alert.labels.get(name, '')}" for name in thread_by)


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[1]


def message_id(alert_id: str, sender: str) -> str:
    return f"<earful.{hashlib.sha256(alert_id.encode()).hexdigest()[:32]}@{_domain(sender)}>"


def thread_id(alert: Alert, config: EmailConfig) -> str:
    digest = hashlib.sha256(thread_key(alert, config.thread_by).encode()).hexdigest()[:32]
    return f"<earful.thread.{digest}@{_domain(config.from_)}>"


def subject_for(alert: Alert, config: EmailConfig) -> str:
    """Stable per thread (clients also thread by subject): the group's label values."""
    values = [alert.labels.get(name, "") for name in config.thread_by]
    topic = " / ".join(v for v in values if v) or "alerts"
    return _header(f"[Earful] {topic}")


def build_message(alert: Alert, config: EmailConfig, link_for: LinkFor = no_links) -> EmailMessage:
    shown = view(alert)
    links = [(ACTION_TITLES[a], url) for a in ACTIONS if (url := link_for(alert.alert_id, a))]
    message = EmailMessage()
    message["From"] = config.from_
    message["To"] = ", ".join(config.to)
    message["Subject"] = subject_for(alert, config)
    message["Date"] = format_datetime(alert.created_at)
    message["Message-ID"] = message_id(alert.alert_id, config.from_)
    root = thread_id(alert, config)
    message["In-Reply-To"] = root
    message["References"] = root
    message["X-Earful-Alert-Id"] = _header(alert.alert_id)
    if alert.priority in ("P1", "P2"):
        message["Importance"] = "high"
        message["X-Priority"] = "1"
    message.set_content(plain_body(shown, links))
    message.add_alternative(html_body(shown, links), subtype="html")
    return message


def plain_body(shown: AlertView, links: list[tuple[str, str]]) -> str:
    lines = [shown.title, ""]
    lines += [f"{label}: {value}" for label, value in shown.facts()]
    lines += ["", *(f"> {line}" for line in truncate(shown.text, TEXT_CHARS).splitlines())]
    if shown.reasons:
        lines += ["", "Why: " + "; ".join(shown.reasons)]
    if shown.url:
        lines += ["", f"Post: {shown.url}"]
    if links:
        lines += ["", *(f"{title}: {url}" for title, url in links)]
    return "\n".join(lines) + "\n"


def html_body(shown: AlertView, links: list[tuple[str, str]]) -> str:
    """Every public value is HTML-escaped: a post cannot add markup, scripts or links."""
    e = html.escape
    rows = "".join(
        f"<tr><th align='left'>{e(label)}</th><td>{e(value)}</td></tr>"
        for label, value in shown.facts()
    )
    text = e(truncate(shown.text, TEXT_CHARS)).replace("\n", "<br>")
    parts = [
        f"<h2>{e(shown.title)}</h2>",
        f"<table>{rows}</table>",
        f"<blockquote>{text}</blockquote>",
    ]
    if shown.reasons:
        parts.append(f"<p><small>Why: {e('; '.join(shown.reasons))}</small></p>")
    if shown.url:
        parts.append(f'<p><a href="{e(shown.url)}">{e(shown.url)}</a></p>')
    if links:
        anchors = " | ".join(f'<a href="{e(url)}">{e(title)}</a>' for title, url in links)
        parts.append(f"<p>{anchors}</p>")
    return "<!DOCTYPE html><html><body>" + "".join(parts) + "</body></html>\n"


def _header(value: str) -> str:
    """One line, no control characters: public text must not add headers."""
    return truncate(" ".join(printable(value).split()), 200)


def classify_smtp(error: Exception) -> DeliveryError:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in error.recipients]
        retriable = all(400 <= c < 500 for c in codes)
        return DeliveryError(
            f"SMTP refused every recipient (codes {sorted(set(codes))})",
            retriable=retriable,
            reason="smtp_4xx" if retriable else "smtp_5xx",
        )
    if isinstance(error, aiosmtplib.SMTPResponseException):
        code = error.code
        if code in AUTH_CODES:
            return DeliveryError(
                f"SMTP login refused ({code}): check auth_username and auth_password",
                retriable=False,
                reason="auth",
            )
        retriable = 400 <= code < 500
        return DeliveryError(
            f"SMTP {code}: {printable(error.message)[:200]}",
            retriable=retriable,
            reason="smtp_4xx" if retriable else "smtp_5xx",
        )
    if isinstance(error, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return DeliveryError("SMTP timed out", retriable=True, reason="timeout")
    if isinstance(error, aiosmtplib.SMTPNotSupported) or type(error) is aiosmtplib.SMTPException:
        # e.g. STARTTLS or AUTH asked for but not offered: the config and server disagree
        return DeliveryError(
            f"SMTP server does not support what the config asks: {error}",
            retriable=False,
            reason="destination",
        )
    return DeliveryError(
        f"could not talk to the SMTP server ({type(error).__name__})",
        retriable=True,
        reason="connection",
    )


class EmailNotifier:
    integration = "email"

    def __init__(
        self,
        config: EmailConfig,
        *,
        link_for: LinkFor = no_links,
        pacer: Pacer | None = None,
    ) -> None:
        self.config = config
        self.link_for = link_for
        self.pacer = pacer or Pacer()
        self.destination = destination_key("email", config.smarthost, *config.to)
        self._tls_context = self._make_tls_context()

    def _make_tls_context(self) -> ssl.SSLContext | None:
        if self.config.tls == "none":
            return None
        context = ssl.create_default_context(cafile=self.config.ca_file)
        if self.config.tls_insecure_skip_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def notify(self, alert: Alert) -> Receipt | None:
        config = self.config
        message = build_message(alert, config, self.link_for)
        password = config.auth_password.get_secret_value() if config.auth_password else None
        await self.pacer.acquire(self.destination, config.pacing)
        try:
            refused, _ = await aiosmtplib.send(
                message,
                hostname=config.host,
                port=config.port,
                username=config.auth_username,
                password=password,
                local_hostname=config.hello,
                use_tls=config.tls == "tls",
                start_tls=config.tls == "starttls",
                tls_context=self._tls_context,
                timeout=config.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            raise classify_smtp(error) from None
        if refused:
            codes = sorted({r.code for r in refused.values()})
            retriable = all(400 <= c < 500 for c in codes)
            raise DeliveryError(
                f"SMTP refused {len(refused)} of {len(config.to)} recipients (codes {codes})",
                retriable=retriable,
                reason="smtp_4xx" if retriable else "smtp_5xx",
            )
        return Receipt(self.integration, {"message_id": str(message["Message-ID"])})

    async def close(self) -> None:
        return None
