"""Responding to alerts: acknowledge/resolve/snooze endpoints, silences, SLAs and escalation.

Runs as its own process (``earful worker responder``): an HTTP server for Slack
interactivity, signed links and the silences API, and an SLA engine that escalates alerts
nobody acknowledged in time.
"""
