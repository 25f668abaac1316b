"""Pure scoring: the same functions score a live stream and an offline file."""

from streams.scoring.scorer import SCORER_VERSION, Scorer, build_scorer


def compiled() -> bool:
    """Whether the scoring modules loaded are the native build (``EARFUL_NATIVE=1 pip
    install .``, compiled by mypyc) rather than plain Python."""
    from streams.scoring import sentiment

    return not (sentiment.__file__ or "").endswith(".py")


__all__ = ["SCORER_VERSION", "Scorer", "build_scorer", "compiled"]
