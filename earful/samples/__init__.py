"""Sample mentions written for the demo and the tests (not taken from any data set)."""
