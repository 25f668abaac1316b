"""Earful's command line and the wiring of its stages (the composition root)."""
