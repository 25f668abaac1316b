"""Silences: validating a request to create, update or expire one, and the set of known
silences as read from the compacted silences topic (pure).

A silence must name at least one matcher that does not match an empty label value:
otherwise it would silence every alert, which is never what someone means.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from alerts.response.errors import InvalidRequestError
from alerts.response.records import Silence
from config.matchers import MatcherSyntaxError, parse_matcher

MAX_DURATION = timedelta(days=366)


class SilenceRequest(BaseModel):
    """The body of ``POST /api/v1/silences``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    matchers: Annotated[list[str], Field(min_length=1, max_length=50)]
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    duration_seconds: Annotated[float, Field(gt=0)] | None = None
    created_by: Annotated[str, Field(min_length=1, max_length=256)]
    comment: Annotated[str, Field(min_length=1, max_length=4096)]


def describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "body"
        message = "unknown field" if item["type"] == "extra_forbidden" else item["msg"]
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_request(body: Any) -> SilenceRequest:
    if not isinstance(body, dict):
        raise InvalidRequestError('the body must be a JSON object: {"matchers": [...], ...}')
    try:
        return SilenceRequest.model_validate(body)
    except ValidationError as error:
        raise InvalidRequestError(describe(error)) from None


def check_matchers(matchers: list[str]) -> None:
    parsed = []
    for i, text in enumerate(matchers):
        try:
            parsed.append(parse_matcher(text))
        except MatcherSyntaxError as error:
            raise InvalidRequestError(f"matchers.{i}: {error}") from None
    if all(m.matches({}) for m in parsed):
        raise InvalidRequestError(
            "these matchers also match alerts without those labels, so the silence would "
            'mute every alert; add a matcher on a value, e.g. team="care"'
        )


def build_silence(
    request: SilenceRequest,
    now: datetime,
    existing: Silence | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> Silence:
    """A valid silence from a request (an update keeps the id and, if absent, the start)."""
    check_matchers(request.matchers)
    if (request.ends_at is None) == (request.duration_seconds is None):
        raise InvalidRequestError("give exactly one of ends_at (RFC 3339) and duration_seconds")
    starts_at = request.starts_at or (existing.starts_at if existing else now)
    ends_at = request.ends_at or starts_at + timedelta(seconds=request.duration_seconds or 0)
    if ends_at <= starts_at:
        raise InvalidRequestError("ends_at must be later than starts_at")
    if ends_at <= now:
        raise InvalidRequestError("ends_at is in the past, so the silence would never apply")
    if ends_at - starts_at > MAX_DURATION:
        raise InvalidRequestError("a silence may last at most 366 days; renew it instead")
    return Silence(
        id=existing.id if existing else new_id(),
        matchers=request.matchers,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=request.created_by,
        comment=request.comment,
    )


def expired(silence: Silence, now: datetime) -> Silence:
    """The silence ended now (kept, as Alertmanager keeps expired silences for history)."""
    return silence.model_copy(update={"ends_at": now, "starts_at": min(silence.starts_at, now)})
