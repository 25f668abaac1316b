"""``earful routes test label=value ...``: which receivers a set of labels reaches
(like Alertmanager's ``amtool config routes test``)."""

from __future__ import annotations

import argparse
import re

from alerts.routing import RouteNode, routes_for
from config import load_settings

_LABEL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def parse_labels(pairs: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for pair in pairs:
        found = _LABEL.match(pair)
        if found is None:
            raise SystemExit(
                f"earful routes test: {pair!r} is not label=value (e.g. team=air-care priority=P1)"
            )
        value = found[2]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        labels[found[1]] = value
    return labels


def cmd_routes_test(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    labels = parse_labels(args.labels)
    nodes = routes_for(RouteNode.build(settings.route), labels)
    receivers = [node.receiver for node in nodes]
    print(",".join(receivers))
    if args.verbose:
        for node in nodes:
            group_by = ",".join(node.group_by) or "(all in one group)"
            digest = (
                f" digest={node.digest.every} for {','.join(node.digest.priorities)}"
                if node.digest
                else ""
            )
            print(
                f"  {node.receiver}: route {node.path} group_by={group_by} "
                f"group_wait={node.group_wait:g}s group_interval={node.group_interval:g}s "
                f"repeat_interval={node.repeat_interval:g}s{digest}"
            )
    if args.verify_receivers is not None:
        expected = [r for r in args.verify_receivers.split(",") if r]
        if expected != receivers:
            print(f"WARNING: expected receivers {','.join(expected)}, got {','.join(receivers)}")
            return 1
    return 0


def add_routes_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    routes = sub.add_parser("routes", help="inspect the routing tree")
    routes_sub = routes.add_subparsers(dest="routes_command", required=True)
    test = routes_sub.add_parser(
        "test", help="print the receivers an alert with these labels reaches"
    )
    test.add_argument("labels", nargs="*", metavar="label=value")
    test.add_argument(
        "--config",
        default=argparse.SUPPRESS,
        help="config file (default: $EARFUL_CONFIG, else config/earful.yaml)",
    )
    test.add_argument(
        "--verify-receivers",
        default=None,
        metavar="R1,R2",
        help="exit 1 unless exactly these receivers are reached, in this order",
    )
    test.add_argument(
        "-v", "--verbose", action="store_true", help="show each route's grouping settings"
    )
    test.set_defaults(func=cmd_routes_test)
