"""The shape of one agent's analysis, built from its ``spec.analysis``: a pydantic model that
validates the model's answer (strictly: a Number is a JSON number, a Boolean a JSON boolean)
and whose JSON schema is the structured-output schema sent with the request. One source for
both, so what is asked for is exactly what is accepted. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from arkenos_crds.voiceagent import AnalysisSpec


class Sentiment(StrEnum):
    POSITIVE = "Positive"
    NEUTRAL = "Neutral"
    NEGATIVE = "Negative"


MAX_TOPICS = 10
SCHEMA_NAME = "call_analysis"
FIELD_TYPES: dict[str, type] = {"String": str, "Number": float, "Boolean": bool}
#: Structured outputs want every object closed and every property required (nullable instead).
STRICT = ConfigDict(extra="forbid", strict=True, protected_namespaces=())


def _fields_model(spec: AnalysisSpec) -> type[BaseModel]:
    # Field names are the user's (snake_case, but "json" or "copy" would shadow BaseModel's
    # methods): positional attribute names carry them as aliases.
    definitions: dict[str, Any] = {
        f"field_{index}": (
            FIELD_TYPES[field.type] | None,
            Field(alias=field.name, description=f"{field.description} (null if not stated)"),
        )
        for index, field in enumerate(spec.fields)
    }
    return create_model("ExtractedFields", __config__=STRICT, **definitions)


def output_model(spec: AnalysisSpec) -> type[BaseModel]:
    """The model of a valid answer for ``spec``."""
    definitions: dict[str, Any] = {}
    if spec.summary:
        definitions["summary"] = (str, Field(description="A short summary of the call."))
    if spec.success_criteria:
        definitions["success"] = (
            bool,
            Field(description="Whether the call met the success criteria."),
        )
    definitions["sentiment"] = (Sentiment, Field(description="The caller's overall sentiment."))
    definitions["topics"] = (
        list[str],
        Field(max_length=MAX_TOPICS, description="The topics discussed, a few words each."),
    )
    if spec.fields:
        definitions["fields"] = (_fields_model(spec), Field(description="Extracted values."))
    return create_model("CallAnalysis", __config__=STRICT, **definitions)


def response_format(model: type[BaseModel]) -> dict[str, Any]:
    """The ``response_format`` of a chat completion asking for ``model``'s JSON."""
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": model.model_json_schema()},
    }
