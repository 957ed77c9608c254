"""The conformance harness."""
