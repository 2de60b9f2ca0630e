"""The model call of an analysis: one chat completion with the answer's JSON schema as a
structured output; an answer that does not validate is sent back with what is wrong, up to a
bounded number of answers; a provider error (after the client's own retries) ends it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import BaseModel, ValidationError

from arkenos_api.analysis.output import output_model, response_format
from arkenos_api.analysis.prompt import correction, messages
from arkenos_crds.voiceagent import AnalysisSpec

ERROR_LENGTH = 500


class FailureReason(StrEnum):
    NO_KEY = "NoKey"
    CREDENTIALS_ERROR = "CredentialsError"  # the credentials Secret is missing or unreadable
    PROVIDER_ERROR = "ProviderError"
    INVALID_OUTPUT = "InvalidOutput"
    NO_TRANSCRIPT = "NoTranscript"
    INVALID_AGENT = "InvalidAgent"  # the agent is gone, or its spec does not validate


class AnalysisFailed(Exception):
    def __init__(self, reason: FailureReason, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.reason, self.message, self.attempts = reason, message[:ERROR_LENGTH], attempts


@dataclass(frozen=True)
class Extraction:
    values: dict[str, Any]
    attempts: int
    input_tokens: int
    output_tokens: int


def _problem(answer: str | None, finish_reason: str, model: type[BaseModel]) -> str | None:
    """What is wrong with an answer, or None when it is valid."""
    if finish_reason == "length":
        return "the answer was cut off at the token limit"
    if not answer:
        return "the answer was empty"
    try:
        model.model_validate_json(answer)
    except ValidationError as exc:
        issues = exc.errors(include_url=False, include_input=False)
        if issues and issues[0]["type"] == "json_invalid":
            return "the answer is not JSON"
        return "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or 'answer'}: {issue['msg']}"
            for issue in issues[:10]
        )
    return None


def _provider_error(exc: openai.APIError) -> str:
    if isinstance(exc, openai.APIStatusError):
        return f"the model provider answered {exc.status_code}: {exc.message}"
    return f"the model provider could not be reached: {exc.message}"


#: The pydantic model of a valid answer and the response format asking for it.
Shape = tuple[type[BaseModel], ResponseFormatJSONSchema]


def answer_shape(spec: AnalysisSpec) -> Shape:
    answer_model = output_model(spec)
    return answer_model, cast(ResponseFormatJSONSchema, response_format(answer_model))


async def extract(
    client: openai.AsyncOpenAI,
    *,
    model_name: str,
    spec: AnalysisSpec,
    transcript: str,
    max_attempts: int,
    max_output_tokens: int,
    shape: Shape | None = None,
) -> Extraction:
    """The valid values of the call, or :class:`AnalysisFailed` saying why there are none."""
    answer_model, schema = shape or answer_shape(spec)
    conversation = messages(spec, transcript)
    used_in = used_out = 0
    problem = "no answer"
    for attempt in range(1, max_attempts + 1):
        try:
            completion = await client.chat.completions.create(
                model=model_name,
                messages=cast(list[ChatCompletionMessageParam], conversation),
                response_format=schema,
                max_completion_tokens=max_output_tokens,
            )
        except openai.APIError as exc:
            reason = FailureReason.PROVIDER_ERROR
            raise AnalysisFailed(reason, _provider_error(exc), attempt) from exc
        if completion.usage is not None:
            used_in += completion.usage.prompt_tokens
            used_out += completion.usage.completion_tokens
        if not completion.choices:
            problem = "the answer had no choices"
            continue
        choice = completion.choices[0]
        answer = choice.message.content
        refusal = choice.message.refusal
        found = (
            f"the model refused: {refusal}"
            if refusal
            else _problem(answer, choice.finish_reason, answer_model)
        )
        if found is None:
            values = json.loads(answer or "{}")
            return Extraction(values, attempt, used_in, used_out)
        problem = found
        conversation += correction(answer or "", problem)
    raise AnalysisFailed(
        FailureReason.INVALID_OUTPUT,
        f"no valid answer in {max_attempts} attempt(s); the last: {problem}",
        max_attempts,
    )
