"""The messages of an analysis request: what to judge and extract (system), the transcript
(user), and, after an invalid answer, what was wrong with it. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence

from arkenos_crds.voiceagent import AnalysisSpec

TRUNCATED = "\n[the transcript is cut here: the call went on]"
ROLE_NAMES = {"user": "Caller", "agent": "Agent"}

Message = dict[str, str]


def system_prompt(spec: AnalysisSpec) -> str:
    lines = [
        "You analyse the transcript of a finished phone or browser call between a voice AI "
        "agent and a caller. Answer with JSON only, matching the given schema exactly.",
        "sentiment: the caller's overall sentiment. topics: what was discussed, at most "
        "10, a few words each.",
    ]
    if spec.summary:
        lines.append("summary: two to four sentences on what happened in the call.")
    if spec.success_criteria:
        lines.append(
            "success: true only if the call met these criteria, judged from the transcript "
            f"alone:\n{spec.success_criteria}"
        )
    if spec.fields:
        lines.append(
            "fields: each value as stated in the call, or null when the call does not state it:"
        )
        lines.extend(f"- {f.name} ({f.type}): {f.description}" for f in spec.fields)
    return "\n\n".join(lines)


def transcript_text(segments: Sequence[tuple[str, str]], max_chars: int) -> str:
    """``Caller: ...`` / ``Agent: ...`` lines, cut at ``max_chars``."""
    text = "\n".join(f"{ROLE_NAMES.get(role, role.title())}: {line}" for role, line in segments)
    if len(text) <= max_chars:
        return text
    return text[:max_chars] + TRUNCATED


def messages(spec: AnalysisSpec, transcript: str) -> list[Message]:
    return [
        {"role": "system", "content": system_prompt(spec)},
        {"role": "user", "content": f"Transcript:\n{transcript}"},
    ]


def correction(answer: str, problem: str) -> list[Message]:
    """What to add after an invalid answer, so the next one can be right."""
    return [
        {"role": "assistant", "content": answer},
        {
            "role": "user",
            "content": f"That answer is not valid: {problem}. Answer again with JSON only, "
            "matching the schema.",
        },
    ]
