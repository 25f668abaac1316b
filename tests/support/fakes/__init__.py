"""Test servers on 127.0.0.1 that speak the real APIs of Slack, Teams Workflows, PagerDuty
Events v2, a Standard Webhooks receiver and SMTP, checking what they receive as the
real services would."""
