"""Small testing sources and sinks: a webhook receiver, worker processes, topic readers."""
