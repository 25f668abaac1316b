"""Which team owns a mention: the first team whose non-empty filters all match."""

from __future__ import annotations

from collections.abc import Sequence

from config.schema import Team


def owning_team(
    teams: Sequence[Team],
    default: str | None,
    *,
    brand: str | None,
    source: str,
    lang: str | None,
    topics: Sequence[str] = (),
) -> str | None:
    for team in teams:
        if team.brands and brand not in team.brands:
            continue
        if team.sources and source not in team.sources:
            continue
        if team.languages and (lang or "").split("-")[0] not in team.languages:
            continue
        if team.topics and not set(team.topics) & set(topics):
            continue
        return team.name
    return default
