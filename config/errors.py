"""Errors raised for configuration that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a config file: where it is, what is wrong, and how to fix it."""

    file: str
    line: int | None
    path: str
    message: str
    fix: str

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        at = f" {self.path}:" if self.path else ""
        return f"{where}:{at} {self.message}\n    fix: {self.fix}"


class ConfigError(Exception):
    """A config file was unreadable, malformed or inconsistent.

    ``str(error)`` lists every issue found, each with its file, line and fix, so a
    person can correct them all in one pass.
    """

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.issues)
        head = f"invalid configuration ({count} problem{'s' if count != 1 else ''}):"
        return "\n".join([head, *(issue.render() for issue in self.issues)])
