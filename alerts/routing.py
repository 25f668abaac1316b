"""The routing tree: Alertmanager's depth-first matching, first match wins unless ``continue``.

Each node also carries its grouping (``group_by``, ``group_wait``, ``group_interval``,
``repeat_interval``), digest and fallback settings, inherited from its parent when unset,
as in Alertmanager.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from config.alerting import Digest
from config.matchers import Matcher, parse_matcher
from config.schema import Route
from streams.records import Alert

GROUP_BY_ALL = "..."
# Earful's defaults send at once (a mention waits for no one); Alertmanager's are 30s/5m.
DEFAULT_GROUP_WAIT = 0.0
DEFAULT_GROUP_INTERVAL = 0.0
DEFAULT_REPEAT_INTERVAL = 4 * 3600.0


@dataclass(frozen=True)
class RouteNode:
    receiver: str
    matchers: tuple[Matcher, ...]
    continue_: bool
    routes: tuple[RouteNode, ...]
    path: str = "0"
    group_by: tuple[str, ...] = ()
    group_wait: float = DEFAULT_GROUP_WAIT
    group_interval: float = DEFAULT_GROUP_INTERVAL
    repeat_interval: float = DEFAULT_REPEAT_INTERVAL
    digest: Digest | None = None
    fallback_receiver: str | None = None

    @classmethod
    def build(cls, route: Route, parent: RouteNode | None = None, path: str = "0") -> RouteNode:
        base = parent or _ROOT_DEFAULTS
        node = replace(
            base,
            receiver=route.receiver or base.receiver,
            matchers=tuple(parse_matcher(m) for m in route.matchers),
            continue_=route.continue_,
            routes=(),
            path=path,
            group_by=base.group_by if route.group_by is None else tuple(route.group_by),
            group_wait=base.group_wait if route.group_wait is None else route.group_wait,
            group_interval=(
                base.group_interval if route.group_interval is None else route.group_interval
            ),
            repeat_interval=(
                base.repeat_interval if route.repeat_interval is None else route.repeat_interval
            ),
            digest=route.digest or base.digest,
            fallback_receiver=route.fallback_receiver or base.fallback_receiver,
        )
        children = tuple(
            cls.build(child, node, f"{path}.{i}") for i, child in enumerate(route.routes)
        )
        return replace(node, routes=children)

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

    def group_labels(self, labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
        """The label values that decide which group an alert joins at this node."""
        if GROUP_BY_ALL in self.group_by:
            return tuple(sorted(labels.items()))
        return tuple((name, labels.get(name, "")) for name in self.group_by)

    def digests(self, alert: Alert) -> bool:
        return self.digest is not None and alert.priority in self.digest.priorities


_ROOT_DEFAULTS = RouteNode(receiver="console", matchers=(), continue_=False, routes=())


def alert_labels(alert: Alert) -> dict[str, str]:
    """The labels routing, grouping, silences and inhibition see: the alert's own, plus
    ``conversation`` (the thread's id) so that a thread can be grouped or silenced."""
    labels = dict(alert.labels)
    if alert.mention is not None:
        labels.setdefault("conversation", alert.mention.partition_key())
    return labels


def routes_for(root: RouteNode, labels: dict[str, str]) -> list[RouteNode]:
    """Matching nodes, at most one per receiver (the first in tree order)."""
    seen: dict[str, RouteNode] = {}
    for node in root.match(labels):
        seen.setdefault(node.receiver, node)
    return list(seen.values())


def receivers_for(root: RouteNode, labels: dict[str, str]) -> list[str]:
    """Receiver names for ``labels``, each once, in tree order."""
    return [node.receiver for node in routes_for(root, labels)]
