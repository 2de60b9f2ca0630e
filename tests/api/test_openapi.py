"""The committed OpenAPI document matches the app (regenerate with `make openapi`), and every
route is typed and documented."""

from __future__ import annotations

from typing import Any

from arkenos_api.openapi import DEFAULT_PATH, openapi_document, render


def test_committed_openapi_is_current() -> None:
    assert DEFAULT_PATH.read_text() == render(), "api/openapi.json is stale: run `make openapi`"


def test_every_operation_has_a_summary_and_typed_success_response() -> None:
    document = openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), f"{method} {path} has no description"
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, f"{method} {path} documents no success response"
            for code in success:
                if code == "204":
                    continue
                content = operation["responses"][code].get("content", {})
                assert content, f"{method} {path} {code} has no typed body"


def _has_example(media: dict[str, Any], schemas: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = media.get("schema", {})
    schema = schema.get("items", schema) if schema.get("type") == "array" else schema
    if "example" in schema or "examples" in schema:
        return True
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    return "example" in schema or "examples" in schema


def test_every_body_has_an_example() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
            bodies += [
                (code, response.get("content", {}))
                for code, response in operation["responses"].items()
                if code.startswith("2")
            ]
            for where, content in bodies:
                for media in content.values():
                    if not _has_example(media, schemas):
                        missing.append(f"{method} {path} {where}")
    assert missing == []
