"""The fast reference implementation."""
