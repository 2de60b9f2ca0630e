"""Request and response bodies of the code routes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from arkenos_api.code.paths import MAX_PATH_LENGTH
from arkenos_crds.meta import SHA256_DIGEST
from arkenos_crds.voiceagent import VoiceAgentSpec

FILE_VERSION = r"^sha256:[a-f0-9]{64}$"


class _Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Template(StrEnum):
    STARTER = "starter"
    BLANK = "blank"


class TreeCreate(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": {"template": "starter"}})

    template: Template = Field(
        default=Template.STARTER,
        description="starter: the runtime's starter agent; blank: an empty entrypoint.",
    )


class FileEntry(_Schema):
    path: str
    version: str = Field(description="sha256 of the content; send it back to change the file.")
    size: int


class TreeOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "agent": "support-bot",
                "version": 3,
                "files": [{"path": "agent.py", "version": "sha256:" + "a" * 64, "size": 912}],
                "totalBytes": 912,
                "limits": {"fileBytes": 262144, "files": 500, "totalBytes": 5242880},
            }
        }
    )

    agent: str
    version: int = Field(description="Number of the draft's version; each change adds one.")
    files: list[FileEntry]
    total_bytes: int
    limits: dict[str, int]


class FileOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "path": "agent.py",
                "version": "sha256:" + "a" * 64,
                "size": 12,
                "content": "print('hi')\n",
                "treeVersion": 4,
            }
        }
    )

    path: str
    version: str
    size: int
    content: str
    tree_version: int


class FileWrite(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"content": "print('hi')\n", "baseVersion": "sha256:" + "a" * 64}
        }
    )

    content: str = Field(description="The whole file, UTF-8 text.")
    base_version: str | None = Field(
        default=None,
        pattern=FILE_VERSION,
        description="version of the file this edit was made from; leave out to create a new "
        "file. A stale or missing one gets 409.",
    )


class FileRename(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"from": "helpers.py", "to": "lib/helpers.py", "baseVersion": None}
        }
    )

    from_path: str = Field(alias="from", min_length=1, max_length=MAX_PATH_LENGTH)
    to_path: str = Field(alias="to", min_length=1, max_length=MAX_PATH_LENGTH)
    base_version: str = Field(pattern=FILE_VERSION, description="version of the file renamed.")


class CodeIssueOut(_Schema):
    path: str
    line: int | None = None
    message: str


class ValidationOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "ok": False,
                "version": 4,
                "issues": [{"path": "agent.py", "line": 3, "message": "syntax error: ..."}],
            }
        }
    )

    ok: bool
    version: int
    issues: list[CodeIssueOut]


class DeployRequest(_Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"message": "Answer in French", "resourceVersion": "812"}}
    )

    message: str = Field(min_length=1, max_length=500, description="What changed, for people.")
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Tree version to deploy (default: draft)."
    )
    resource_version: str | None = Field(
        default=None,
        max_length=64,
        description="resourceVersion of the VoiceAgent the deploy was made against; a stale "
        "one gets 409. Required when the agent exists.",
    )
    spec: VoiceAgentSpec | None = Field(
        default=None,
        description="Creates the VoiceAgent (mode Custom) on the first deploy when it does not "
        "exist; its source is set to the new bundle.",
    )


class RollbackRequest(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": {"resourceVersion": "815"}})

    resource_version: str = Field(min_length=1, max_length=64)
    message: str | None = Field(default=None, max_length=500)


class RevisionState(StrEnum):
    #: Written into the VoiceAgent; the operator has not built it yet.
    BUILDING = "Building"
    BUILD_FAILED = "BuildFailed"
    #: Built; pods rolling out.
    DEPLOYING = "Deploying"
    SERVING = "Serving"
    #: A later revision replaced it.
    SUPERSEDED = "Superseded"


class RevisionOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "number": 2,
                "digest": "sha256:" + "b" * 64,
                "version": 4,
                "message": "Answer in French",
                "author": "dev@example.com",
                "createdAt": "2026-12-01T10:00:00Z",
                "state": "Serving",
                "stateMessage": "1 of 1 pods available.",
            }
        }
    )

    number: int
    digest: str = Field(pattern=SHA256_DIGEST)
    version: int = Field(description="Tree version the bundle was frozen from.")
    message: str
    rollback_of: int | None = None
    author: str | None = None
    created_at: datetime
    state: RevisionState
    state_message: str | None = None


class FileDiff(_Schema):
    path: str
    change: str = Field(description="Added, Removed or Modified.")
    diff: str = Field(description="Unified diff.")


class DiffOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "from": 1,
                "to": 2,
                "files": [{"path": "agent.py", "change": "Modified", "diff": "--- a/agent.py"}],
            }
        }
    )

    from_revision: int = Field(alias="from")
    to_revision: int = Field(alias="to")
    files: list[FileDiff]


class BuildLogOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "job": "support-bot-build-1a2b3c4d5e",
                "pod": "support-bot-build-1a2b3c4d5e-x7k2p",
                "digest": "sha256:" + "b" * 64,
                "current": True,
                "state": "Running",
                "lines": ["Collecting httpx==0.28.1", "Installing collected packages: httpx"],
            }
        }
    )

    job: str = Field(description="The build Job.")
    pod: str = Field(description="The Job's newest pod, whose log this is.")
    digest: str = Field(description="The bundle the build builds.")
    current: bool = Field(description="Whether that is the bundle the agent names now.")
    state: str = Field(description="Running, Succeeded or Failed (from the Job's conditions).")
    lines: list[str] = Field(description="The log's last lines, oldest first.")
