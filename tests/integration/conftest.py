"""Cross-component tests reuse the API's own fixtures: the app with its PostgreSQL database,
the emulated cluster and its TokenReview authority."""

from tests.api.conftest import (  # noqa: F401 - fixtures, registered by import
    api,
    cluster,
    database_url,
    master_keys,
    providers,
    settings,
)
