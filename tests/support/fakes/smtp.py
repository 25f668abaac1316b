"""A real SMTP server (aiosmtpd) on 127.0.0.1, with TLS from a throwaway CA (trustme),
optional login, and scripted replies to play 4yz/5yz failures."""

from __future__ import annotations

import ssl
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from earful.localkafka.broker import free_port

USERNAME, PASSWORD = "earful", "s3cret-pass"
ALLOW_AUTH_OVER_TLS = "ignore:Requiring AUTH while not requiring TLS:UserWarning"


@dataclass
class Delivered:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool
    login: str | None


@dataclass
class SmtpFake:
    host: str
    port: int
    ca_file: str | None
    delivered: list[Delivered] = field(default_factory=list)
    # Replies to give at DATA instead of accepting, one per message ("451 4.3.0 busy").
    data_replies: deque[str] = field(default_factory=deque)
    rcpt_replies: deque[str] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def smarthost(self) -> str:
        return f"{self.host}:{self.port}"


class _Handler:
    def __init__(self, state: SmtpFake) -> None:
        self.state = state

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        with self.state.lock:
            if self.state.rcpt_replies:
                return self.state.rcpt_replies.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.state.lock:
            if self.state.data_replies:
                return self.state.data_replies.popleft()
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            auth = session.auth_data
            login = auth.login.decode() if session.authenticated and auth else None
            self.state.delivered.append(
                Delivered(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    parsed,
                    server.transport.get_extra_info("sslcontext") is not None,
                    login,
                )
            )
        return "250 Message accepted for delivery"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USERNAME, PASSWORD)
    if ok:
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False, message="535 5.7.8 Authentication failed")


@contextmanager
def smtp_server(
    tmp_path: Path, tls: Literal["none", "starttls", "tls"] = "none", auth: bool = False
) -> Iterator[SmtpFake]:
    server_ctx: ssl.SSLContext | None = None
    ca_file: str | None = None
    if tls != "none":
        ca = trustme.CA()
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ctx)
        ca_path = tmp_path / "smtp-ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))
        ca_file = str(ca_path)
    state = SmtpFake("127.0.0.1", free_port(), ca_file)
    options: dict[str, Any] = {}
    if tls == "starttls":
        options.update(tls_context=server_ctx, require_starttls=True)
    if auth:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is TLS from the start
        # (tests then ignore its "AUTH without TLS" warning, see ALLOW_AUTH_OVER_TLS).
        options.update(
            authenticator=_authenticate, auth_required=True, auth_require_tls=tls == "starttls"
        )
    controller = Controller(
        _Handler(state),
        hostname=state.host,
        port=state.port,
        ssl_context=server_ctx if tls == "tls" else None,
        **options,
    )
    controller.start()
    try:
        yield state
    finally:
        controller.stop()
