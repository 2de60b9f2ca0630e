"""Benchmarks (`make bench`). Each ``bench_*.py`` module prints its figures and writes them to
``bench-results/<name>.json``; they are measurements, not pass/fail tests."""
