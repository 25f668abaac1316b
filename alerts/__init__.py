"""Alerts: route each alert to its receivers and deliver it, at least once, without repeats."""
