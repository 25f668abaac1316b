"""Streams: validate, score and route mentions (pure functions) inside thin Faust agents."""
