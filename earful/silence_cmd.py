"""``earful silence add|list|expire``: manage silences through the responder's HTTP API.

The API lives in the responder (``earful worker responder``); this command is its client,
as amtool is Alertmanager's. ``--url`` (or ``EARFUL_RESPONDER_URL``) says where it runs,
default ``http://<response.listen_host>:<response.listen_port>``; ``--token`` (or
``EARFUL_API_TOKEN``) is the bearer token, default the first of ``response.api_tokens``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import httpx

from config import load_settings

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> float:
    """Seconds in ``90s``, ``30m``, ``2h``, ``1d`` or combinations such as ``1h30m``."""
    found = _DURATION.match(text.strip())
    if not text.strip() or found is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30m, 2h or 1d12h")
    days, hours, minutes, seconds = (int(part or 0) for part in found.groups())
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise argparse.ArgumentTypeError("a duration must be longer than zero")
    return float(total)


def _client(args: argparse.Namespace) -> httpx.Client:
    response = load_settings(args.config).response
    url = args.url or os.environ.get("EARFUL_RESPONDER_URL")
    url = url or f"http://{response.listen_host}:{response.listen_port}"
    token = args.token or os.environ.get("EARFUL_API_TOKEN")
    if token is None and response.api_tokens:
        token = response.api_tokens[0].get_secret_value()
    if not token:
        raise SystemExit(
            "earful: no API token: pass --token, set EARFUL_API_TOKEN or response.api_tokens"
        )
    return httpx.Client(
        base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def _call(args: argparse.Namespace, method: str, path: str, **kw: Any) -> Any:
    with _client(args) as client:
        try:
            response = client.request(method, path, **kw)
        except httpx.TransportError as error:
            raise SystemExit(
                f"earful: cannot reach the responder at {client.base_url}: {error} "
                "(is 'earful worker responder' running? see --url)"
            ) from None
    if response.status_code >= 400:
        try:
            message = response.json().get("error", response.text)
        except ValueError:
            message = response.text
        raise SystemExit(f"earful: {response.status_code}: {message}")
    return response.json()


def cmd_add(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {
        "matchers": args.matchers,
        "created_by": args.author,
        "comment": args.comment,
    }
    if args.ends_at:
        body["ends_at"] = args.ends_at
    else:
        body["duration_seconds"] = args.duration
    if args.starts_at:
        body["starts_at"] = args.starts_at
    print(_call(args, "POST", "/api/v1/silences", json=body)["silence_id"])
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    params = {"status": args.status} if args.status else {}
    silences = _call(args, "GET", "/api/v1/silences", params=params)
    out = sys.stdout
    print(f"{'ID':36}  {'STATUS':8}  {'ENDS AT':27}  {'BY':12}  MATCHERS / COMMENT", file=out)
    for s in silences:
        print(
            f"{s['id']:36}  {s['status']:8}  {s['ends_at']:27}  {s['created_by'][:12]:12}  "
            f"{' '.join(s['matchers'])}  # {s['comment']}",
            file=out,
        )
    return 0


def cmd_expire(args: argparse.Namespace) -> int:
    for silence_id in args.ids:
        expired = _call(args, "DELETE", f"/api/v1/silences/{silence_id}")
        print(f"{expired['id']} expired at {expired['ends_at']}")
    return 0


def add_silence_parser(sub: Any) -> None:
    """Register ``silence`` under the ``earful`` command."""
    silence = sub.add_parser("silence", help="add, list or expire silences (via the responder)")
    silence.add_argument("--url", default=None, help="responder URL ($EARFUL_RESPONDER_URL)")
    silence.add_argument("--token", default=None, help="API bearer token ($EARFUL_API_TOKEN)")
    actions = silence.add_subparsers(dest="silence_command", required=True)

    def action(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        parser = actions.add_parser(name, help=help)
        parser.set_defaults(func=func)
        return parser

    add = action("add", cmd_add, "silence alerts matching every matcher, e.g. 'team=\"care\"'")
    add.add_argument("matchers", nargs="+", help='label matchers: team="care" brand=~"acme.*"')
    ends = add.add_mutually_exclusive_group()
    ends.add_argument("--duration", type=parse_duration, default=parse_duration("1h"))
    ends.add_argument("--ends-at", default=None, help="RFC 3339 end, instead of --duration")
    add.add_argument("--starts-at", default=None, help="RFC 3339 start (default: now)")
    add.add_argument("--comment", required=True, help="why (shown to everyone who lists it)")
    add.add_argument("--author", default=os.environ.get("USER") or getpass.getuser())

    listing = action("list", cmd_list, "list silences, active first")
    listing.add_argument("--status", choices=["active", "pending", "expired"], default=None)

    expire = action("expire", cmd_expire, "end silences now")
    expire.add_argument("ids", nargs="+")
