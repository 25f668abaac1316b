"""Test servers on 127.0.0.1 that speak real protocols: the channels' APIs (Slack, Teams
Workflows, PagerDuty Events v2, a Standard Webhooks receiver, SMTP), checking what they
receive as the real services would, and the networks connectors read; plus an in-memory
sink and cursor store to run a source without Kafka."""
