"""A server-sent events parser (the WHATWG ``text/event-stream`` format), pure and
incremental: feed it lines as they arrive, get whole events back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    event: str
    data: str
    id: str | None = None
    retry: int | None = None


class SSEParser:
    """Lines in, events out. A comment line (``:thump``) is a heartbeat: it yields nothing
    but counts in ``heartbeats``."""

    def __init__(self) -> None:
        self.heartbeats = 0
        self.last_event_id: str | None = None
        self._event = ""
        self._data: list[str] = []
        self._retry: int | None = None
        self._has_data = False

    def feed_line(self, line: str) -> ServerSentEvent | None:
        line = line.rstrip("\r\n")
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.heartbeats += 1
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._event = value
        elif field == "data":
            self._data.append(value)
            self._has_data = True
        elif field == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif field == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        event = None
        if self._has_data:
            event = ServerSentEvent(
                self._event or "message", "\n".join(self._data), self.last_event_id, self._retry
            )
        self._event, self._data, self._has_data, self._retry = "", [], False, None
        return event
