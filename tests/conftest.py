"""Root conftest: registers the shared test substrate (PostgreSQL, the Kubernetes emulator)."""

pytest_plugins = [
    "tests.substrate.postgres",
    "tests.substrate.kubernetes",
    "tests.substrate.s3",
]
