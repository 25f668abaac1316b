"""Local stand-ins for the networks connectors read (each speaks the real protocol on
127.0.0.1), and an in-memory sink and cursor store to run a source without Kafka."""
