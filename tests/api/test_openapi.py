"""The committed OpenAPI document matches the app (regenerate with `make openapi`), and every
route is typed and documented."""

from __future__ import annotations

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
