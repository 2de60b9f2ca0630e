"""Root conftest: registers the shared test substrate (PostgreSQL, the Kubernetes emulator, the
real Kubernetes control plane)."""

pytest_plugins = [
    "tests.substrate.postgres",
    "tests.substrate.kubernetes",
    "tests.substrate.controlplane",
]
