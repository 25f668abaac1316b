"""Pure scoring: the same functions score a live stream and an offline file."""

from streams.scoring.scorer import SCORER_VERSION, Scorer, build_scorer

__all__ = ["SCORER_VERSION", "Scorer", "build_scorer"]
