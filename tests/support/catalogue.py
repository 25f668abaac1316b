"""What metrics the code registers (read from its source) and what docs/metrics.md lists,
so tests can hold the docs, the dashboard and the rules to the code."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("connectors", "streams", "alerts", "earful", "config")
METRIC_TYPES = {
    "Counter": "counter",
    "Gauge": "gauge",
    "Histogram": "histogram",
    "Summary": "summary",
    "Info": "info",
    "Enum": "enum",
}
PENDING_HEADING = "## Pending"
# What a histogram or summary exports besides its own name.
SUFFIXES = ("_bucket", "_count", "_sum", "_created")


@dataclass(frozen=True)
class Metric:
    name: str
    type: str
    labels: tuple[str, ...]
    where: str


def registered_metrics() -> dict[str, Metric]:
    """Every ``Counter("earful_...", ..., [labels])`` (and Gauge, Histogram, ...) in the
    packages, by name. A metric declared twice must be declared the same way."""
    found: dict[str, Metric] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name.startswith("test_"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                metric = _metric_call(node, where)
                if metric is None:
                    continue
                other = found.get(metric.name)
                if other and (other.type, other.labels) != (metric.type, metric.labels):
                    raise AssertionError(
                        f"{metric.name} declared differently at {other.where} and {metric.where}"
                    )
                found.setdefault(metric.name, metric)
    return found


def _metric_call(node: ast.AST, where: str) -> Metric | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    kind = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if kind not in METRIC_TYPES or not node.args:
        return None
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and str(first.value).startswith("earful_")):
        return None
    labels: tuple[str, ...] = ()
    names = (
        node.args[2]
        if len(node.args) > 2
        else next((k.value for k in node.keywords if k.arg == "labelnames"), None)
    )
    if isinstance(names, ast.List | ast.Tuple):
        labels = tuple(str(e.value) for e in names.elts if isinstance(e, ast.Constant))
    return Metric(str(first.value), METRIC_TYPES[kind], labels, where)


@dataclass(frozen=True)
class DocumentedMetric:
    name: str
    type: str
    labels: tuple[str, ...]
    pending: bool


def documented_metrics(path: Path = ROOT / "docs" / "metrics.md") -> dict[str, DocumentedMetric]:
    """Rows of the tables in docs/metrics.md: ``| `name` | type | `label`, ... | ...``.
    Rows under the "## Pending" heading are names other stages will emit."""
    found: dict[str, DocumentedMetric] = {}
    pending = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            pending = line.startswith(PENDING_HEADING)
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not re.fullmatch(r"`earful_[a-z0-9_]+`", cells[0]):
            continue
        name = cells[0].strip("`")
        labels = tuple(re.findall(r"`([a-z_]+)`", cells[2]))
        found[name] = DocumentedMetric(name, cells[1], labels, pending)
    return found


def metric_names_in(expr: str) -> set[str]:
    """``earful_*`` metric names a PromQL expression reads, histogram suffixes removed."""
    names = set()
    for name in re.findall(r"\bearful_[a-z0-9_]+", expr):
        for suffix in SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        names.add(name)
    return names
