"""Benchmarks: `make bench` (python -m benchmarks) measures the claims API under load, the
work queue page and the override expiry; see benchmarks/__main__.py."""
