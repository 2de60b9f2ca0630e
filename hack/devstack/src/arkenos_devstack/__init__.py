"""The local stack: the real servers (built from pinned Go modules or taken from Debian) run as
processes on 127.0.0.1, for the test suite, the benchmarks and `make dev`."""
