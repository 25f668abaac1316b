"""Load ``earful.yaml`` into :class:`Settings`, reporting every problem with file and line."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from config.errors import ConfigError, ConfigIssue
from config.schema import Settings

DEFAULT_CONFIG_PATH = Path(__file__).with_name("earful.yaml")
MAX_CONFIG_BYTES = 1_000_000
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read and validate a config file (default: ``$EARFUL_CONFIG`` or the bundled example)."""
    env = os.environ if environ is None else environ
    chosen = Path(path or env.get("EARFUL_CONFIG") or DEFAULT_CONFIG_PATH)
    try:
        size = chosen.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise _single(
                str(chosen),
                None,
                f"file is {size} bytes, over the limit of {MAX_CONFIG_BYTES}",
                "a config this large is a mistake: check the path",
            )
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _single(
            str(chosen),
            None,
            "file not found",
            "pass an existing file, or copy config/earful.yaml and edit it",
        ) from None
    except UnicodeDecodeError as error:
        raise _single(
            str(chosen),
            None,
            f"not UTF-8 text ({error.reason} at byte {error.start})",
            "save the file as UTF-8",
        ) from None
    except (IsADirectoryError, PermissionError) as error:
        raise _single(
            str(chosen), None, error.strerror or str(error), "pass a readable YAML file"
        ) from None
    return parse_settings(text, str(chosen), env)


def parse_settings(
    text: str, filename: str = "<config>", environ: Mapping[str, str] | None = None
) -> Settings:
    env = os.environ if environ is None else environ
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        raise _single(
            filename,
            line,
            f"YAML syntax error: {problem}",
            "check indentation, colons and quotes on this line",
        ) from None
    except Exception as error:  # ruamel raises several unrelated types for bad input
        raise _single(
            filename, None, f"YAML could not be read: {error}", "check the file is YAML"
        ) from None
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, CommentedMap):
        raise _single(
            filename,
            1,
            "the top level must be a mapping of sections",
            "start with sections such as kafka:, brands:, teams:, route:",
        )
    issues: list[ConfigIssue] = []
    data = _substitute_env(tree, (), env, filename, tree, issues)
    if issues:
        raise ConfigError(issues)
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_issues_from(error, filename, tree)) from None


def _substitute_env(
    node: Any,
    at: tuple[str | int, ...],
    env: Mapping[str, str],
    filename: str,
    tree: CommentedMap,
    issues: list[ConfigIssue],
) -> Any:
    """Plain Python data with ``${NAME}`` / ``${NAME:-default}`` replaced from the environment."""
    if isinstance(node, Mapping):
        return {
            k: _substitute_env(v, (*at, k), env, filename, tree, issues) for k, v in node.items()
        }
    if isinstance(node, list):
        return [
            _substitute_env(v, (*at, i), env, filename, tree, issues) for i, v in enumerate(node)
        ]
    if isinstance(node, str) and "${" in node:

        def replace(found: re.Match[str]) -> str:
            name, default = found[1], found[2]
            if name in env:
                return env[name]
            if default is not None:
                return default
            issues.append(
                ConfigIssue(
                    filename,
                    _line_of(tree, at),
                    _dotted(at),
                    f"environment variable {name} is not set",
                    f"export {name}=... or write ${{{name}:-default}}",
                )
            )
            return ""

        return _ENV_REF.sub(replace, node)
    return node


def _issues_from(error: ValidationError, filename: str, tree: CommentedMap) -> list[ConfigIssue]:
    issues = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        if item["type"] == "earful_cross_check":
            for at, message, fix in ctx["problems"]:
                issues.append(ConfigIssue(filename, _line_of(tree, at), _dotted(at), message, fix))
            continue
        at = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        issues.append(
            ConfigIssue(
                filename,
                _line_of(tree, at),
                _dotted(at),
                _message(item),
                ctx.get("fix") or _fix_for(item, at),
            )
        )
    return issues


def _message(item: Any) -> str:
    if item["type"] == "extra_forbidden":
        return "unknown key"
    if item["type"] == "missing":
        return "required key is missing"
    return str(item["msg"])


def _fix_for(item: Any, at: tuple[str | int, ...]) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "remove it, or check its spelling against docs/configuration.md"
    if kind == "missing":
        return f"add {at[-1]}: to this section" if at else "add the missing key"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"give a value of the right type (got {item.get('input')!r})"
    if kind == "literal_error":
        return "use one of the values listed"
    return "correct the value as the message says"


def _line_of(tree: Any, at: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest part of ``at`` found in the YAML tree."""
    line: int | None = 1 if at else None
    node = tree
    for part in at:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _dotted(at: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in at)


def _single(filename: str, line: int | None, message: str, fix: str) -> ConfigError:
    return ConfigError([ConfigIssue(filename, line, "", message, fix)])
