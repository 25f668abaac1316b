"""The routing tree: Alertmanager's depth-first matching, first match wins unless ``continue``."""

from __future__ import annotations

from dataclasses import dataclass

from config.matchers import Matcher, parse_matcher
from config.schema import Route


@dataclass(frozen=True)
class RouteNode:
    receiver: str
    matchers: tuple[Matcher, ...]
    continue_: bool
    routes: tuple[RouteNode, ...]

    @classmethod
    def build(cls, route: Route, parent_receiver: str = "console") -> RouteNode:
        receiver = route.receiver or parent_receiver
        return cls(
            receiver=receiver,
            matchers=tuple(parse_matcher(m) for m in route.matchers),
            continue_=route.continue_,
            routes=tuple(cls.build(child, receiver) for child in route.routes),
        )

    def match(self, labels: dict[str, str]) -> list[RouteNode]:
        """The nodes whose receivers get an alert with these labels (root always matches)."""
        if not all(m.matches(labels) for m in self.matchers):
            return []
        found: list[RouteNode] = []
        for child in self.routes:
            matched = child.match(labels)
            found.extend(matched)
            if matched and not child.continue_:
                break
        return found or [self]


def receivers_for(root: RouteNode, labels: dict[str, str]) -> list[str]:
    """Receiver names for ``labels``, each once, in tree order."""
    return list(dict.fromkeys(node.receiver for node in root.match(labels)))
