"""A scripted OpenAI-compatible server: chat completions (streamed text and tool calls, or
not streamed with a structured-output ``response_format``, see :mod:`.openai_structured`),
audio transcriptions and speech, as the openai SDK and livekit's openai plugin call them.

It checks the Bearer key like the real service (401 with OpenAI's error shape), answers
deterministically from a script, records every request for assertions, and can be told to fail
or to be slow. Build one with ``OpenAIDouble(api_key=...)`` and serve ``double.app()``.
"""

from __future__ import annotations

import array
import asyncio
import base64
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.doubles.openai_structured import (
    BadRequest,
    StructuredReply,
    check_request,
    completion,
    content_of,
)

SPEECH_SAMPLE_RATE = 24000
TONE_AMPLITUDE = 8000


@dataclass
class ToolCallReply:
    """Make the model call a tool with these JSON arguments."""

    name: str
    arguments: dict[str, Any]


@dataclass
class ChatRule:
    """When the last user message contains ``match``, answer with ``text`` or ``tool_call``.

    After the tool's result comes back, the model answers ``after_tool``, where ``{output}``
    is replaced by the tool's output, so a test can see what the LLM heard.
    """

    match: str
    text: str | None = None
    tool_call: ToolCallReply | None = None
    after_tool: str = "The tool answered: {output}"


@dataclass
class Fault:
    """The next ``count`` requests to ``path_prefix`` answer ``status`` (or hang ``delay``)."""

    path_prefix: str
    count: int
    status: int = 500
    delay: float = 0.0


@dataclass
class OpenAIDouble:
    api_key: str
    rules: list[ChatRule] = field(default_factory=list)
    #: What transcriptions return, in order; the last one repeats.
    transcripts: list[str] = field(default_factory=lambda: ["hello"])
    #: Added latency, to model a real provider's time to first byte.
    chat_delay: float = 0.0
    transcription_delay: float = 0.0
    speech_delay: float = 0.0
    #: Seconds of audio each speech request returns.
    speech_seconds: float = 0.3
    #: Speech is silence, or a tone of this frequency (callers over a real media path can
    #: only tell the agent's speech from the line's silence by its energy).
    speech_tone_hz: float = 0.0
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    #: Answers to non-streamed structured-output requests, in order; the last one repeats.
    #: Empty: every answer is made from the requested schema (valid).
    structured: list[StructuredReply] = field(default_factory=list)
    _transcript_index: int = 0
    _structured_index: int = 0

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth, self._inject_faults])
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        app.router.add_post("/v1/audio/speech", self._speech)
        return app

    def chat_requests(self) -> list[dict[str, Any]]:
        return [body for path, body in self.requests if path.endswith("/chat/completions")]

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _error(401, "Incorrect API key provided.", "invalid_api_key")
        response: web.StreamResponse = await handler(request)
        return response

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Any) -> web.StreamResponse:
        for fault in self.faults:
            if fault.count > 0 and request.path.startswith(fault.path_prefix):
                fault.count -= 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                return _error(fault.status, "injected failure", "server_error")
        response: web.StreamResponse = await handler(request)
        return response

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append((request.path, body))
        for required in ("model", "messages"):
            if required not in body:
                return _error(400, f"Missing required parameter: '{required}'.", None)
        if self.chat_delay:
            await asyncio.sleep(self.chat_delay)
        if not body.get("stream"):
            return self._structured_reply(body)
        text, tool_call = self._reply_for(body["messages"])
        chunks = _chat_chunks(body["model"], text, tool_call)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for chunk in chunks:
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = _usage_chunk(body["model"], body["messages"], text, tool_call)
            await response.write(f"data: {json.dumps(usage)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    def _structured_reply(self, body: dict[str, Any]) -> web.Response:
        try:
            schema = check_request(body)
        except BadRequest as exc:
            return _error(400, exc.message, None, exc.param)
        reply = StructuredReply()
        if self.structured:
            reply = self.structured[min(self._structured_index, len(self.structured) - 1)]
            self._structured_index += 1
        if reply.status is not None:
            return _error(reply.status, "scripted provider error", "server_error")
        prompt = sum(len(_content_text(m.get("content")).split()) for m in body["messages"])
        return web.json_response(completion(body["model"], content_of(reply, schema), prompt))

    def _reply_for(self, messages: list[dict[str, Any]]) -> tuple[str, ToolCallReply | None]:
        last = messages[-1] if messages else {}
        if last.get("role") == "tool":
            rule = self._rule_for(_last_user_text(messages))
            template = rule.after_tool if rule else "The tool answered: {output}"
            return template.replace("{output}", _content_text(last.get("content"))), None
        user_text = _last_user_text(messages)
        rule = self._rule_for(user_text)
        if rule is None:
            return f"You said: {user_text}", None
        if rule.tool_call is not None:
            return "", rule.tool_call
        return rule.text or "", None

    def _rule_for(self, user_text: str) -> ChatRule | None:
        return next((r for r in self.rules if r.match.lower() in user_text.lower()), None)

    async def _transcribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return _error(400, "Missing required parameter: 'file'.", None)
        audio = upload.file.read()
        if not audio.startswith(b"RIFF"):
            return _error(400, "Invalid file format.", None)
        self.requests.append((request.path, {**fields, "audio_bytes": len(audio)}))
        if "model" not in fields:
            return _error(400, "Missing required parameter: 'model'.", None)
        if self.transcription_delay:
            await asyncio.sleep(self.transcription_delay)
        index = min(self._transcript_index, len(self.transcripts) - 1)
        self._transcript_index += 1
        return web.json_response({"text": self.transcripts[index]})

    async def _speech(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append((request.path, body))
        if body.get("response_format") != "pcm":
            return _error(400, "this double speaks only response_format=pcm", None)
        if self.speech_delay:
            await asyncio.sleep(self.speech_delay)
        pcm = _speech_pcm(self.speech_seconds, self.speech_tone_hz)
        if body.get("stream_format", "audio") == "audio":
            return web.Response(body=pcm, content_type="audio/pcm")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        step = 2 * SPEECH_SAMPLE_RATE // 10  # 100 ms per event
        for start in range(0, len(pcm), step):
            delta = base64.b64encode(pcm[start : start + step]).decode()
            event = {"type": "speech.audio.delta", "delta": delta}
            await response.write(f"data: {json.dumps(event)}\n\n".encode())
        done = {"type": "speech.audio.done", "usage": {"input_tokens": 5, "output_tokens": 50}}
        await response.write(f"data: {json.dumps(done)}\n\n".encode())
        await response.write_eof()
        return response


def _speech_pcm(seconds: float, tone_hz: float) -> bytes:
    samples = int(SPEECH_SAMPLE_RATE * seconds)
    if not tone_hz:
        return bytes(2 * samples)
    wave = (
        TONE_AMPLITUDE * math.sin(2 * math.pi * tone_hz * n / SPEECH_SAMPLE_RATE)
        for n in range(samples)
    )
    return array.array("h", (round(v) for v in wave)).tobytes()


def _error(status: int, message: str, code: str | None, param: str | None = None) -> web.Response:
    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return web.json_response(body, status=status)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return _content_text(message.get("content"))
    return ""


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-double",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _chat_chunks(model: str, text: str, tool_call: ToolCallReply | None) -> list[dict[str, Any]]:
    chunks = [_chunk(model, {"role": "assistant", "content": ""}, None)]
    if tool_call is not None:
        arguments = json.dumps(tool_call.arguments)
        head = {"index": 0, "id": "call_double_1", "type": "function"}
        head["function"] = {"name": tool_call.name, "arguments": ""}
        chunks.append(_chunk(model, {"tool_calls": [head]}, None))
        # Arguments arrive in pieces, as the real API streams them.
        for start in range(0, len(arguments), 8):
            piece = {"index": 0, "function": {"arguments": arguments[start : start + 8]}}
            chunks.append(_chunk(model, {"tool_calls": [piece]}, None))
        chunks.append(_chunk(model, {}, "tool_calls"))
        return chunks
    for word in text.split(" "):
        chunks.append(_chunk(model, {"content": word + " "}, None))
    chunks.append(_chunk(model, {}, "stop"))
    return chunks


def _usage_chunk(
    model: str, messages: list[dict[str, Any]], text: str, tool_call: ToolCallReply | None
) -> dict[str, Any]:
    prompt = sum(len(_content_text(m.get("content")).split()) for m in messages) + len(messages)
    completion = len(text.split()) + (len(json.dumps(tool_call.arguments)) if tool_call else 0)
    chunk = _chunk(model, {}, None)
    chunk["choices"] = []
    chunk["usage"] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    return chunk
