"""Bundles, wheels and deployed bundles for the build command's tests: a bundle is stored where
the API keeps bundles and recorded as a revision of the agent, as a deploy would (without the
deploy's syntax checks, so that broken code reaches the build)."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

from minio import Minio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.code.models import CodeRevision, CodeTree
from arkenos_api.workspaces.models import Workspace


def make_wheel(directory: Path, name: str = "greetlib", version: str = "1.0") -> Path:
    """A minimal, valid pure-Python wheel, so pip installs from a local directory offline."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f'GREETING = "hello from {name} {version}"\n',
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record_lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record_lines.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record_lines.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record_lines) + "\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def make_bundle(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


async def record_bundle(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: Minio,
    bucket: str,
    namespace: str,
    agent: str,
    data: bytes,
    *,
    name_digest: str | None = None,
) -> str:
    """Store a bundle under its digest (or under ``name_digest``, to fake a corrupted one) and
    record it as deployed for ``namespace/agent``; return the digest."""
    stored_as = name_digest or hashlib.sha256(data).hexdigest()
    client.put_object(bucket, f"bundles/{stored_as}.tar.gz", io.BytesIO(data), len(data))
    digest = f"sha256:{stored_as}"
    async with sessionmaker() as db:
        workspace = await db.scalar(select(Workspace).where(Workspace.namespace == namespace))
        assert workspace is not None
        tree = await db.scalar(
            select(CodeTree).where(
                CodeTree.workspace_id == workspace.id, CodeTree.agent_name == agent
            )
        )
        if tree is None:
            tree = CodeTree(workspace_id=workspace.id, agent_name=agent)
            db.add(tree)
            await db.flush()
        count = len(
            (await db.scalars(select(CodeRevision.id).where(CodeRevision.tree_id == tree.id))).all()
        )
        db.add(
            CodeRevision(
                tree_id=tree.id,
                number=count + 1,
                version_number=1,
                digest=digest,
                message="test bundle",
            )
        )
        await db.commit()
    return digest
