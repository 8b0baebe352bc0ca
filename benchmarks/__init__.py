"""Benchmarks: `make bench` (python -m benchmarks.run) measures the claims API under load."""
