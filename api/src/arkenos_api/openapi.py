"""Write the app's OpenAPI document, the committed copy the dashboard's client is built from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arkenos_api.app import create_app
from arkenos_api.settings import Environment, Settings

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "openapi.json"


def openapi_document() -> dict[str, Any]:
    # Building the document needs no database or cluster; settings only satisfy the class.
    settings = Settings(
        environment=Environment.DEVELOPMENT,
        database_url="postgresql+asyncpg://unused@localhost/unused",
    )
    return create_app(settings).openapi()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True) + "\n"


def write(path: Path = DEFAULT_PATH) -> Path:
    path.write_text(render())
    return path
