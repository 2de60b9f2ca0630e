"""Root conftest: registers the shared test substrate (PostgreSQL, the Kubernetes emulator,
the real Kubernetes control plane, the real LiveKit, S3-compatible storage)."""

pytest_plugins = [
    "tests.substrate.postgres",
    "tests.substrate.kubernetes",
    "tests.substrate.s3",
    "tests.substrate.livekit_server",
    "tests.substrate.controlplane",
]
