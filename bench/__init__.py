"""Benchmarks: each one prints a ratio against a baseline measured in the same run."""
