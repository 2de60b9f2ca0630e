"""Safe unpacking of bundles and reproducible packing of artifacts (tar.gz)."""

from __future__ import annotations

import gzip
import tarfile
from pathlib import Path

from arkenos_agent_runtime.build.errors import BuildError


def unpack(archive: Path, dest: Path) -> None:
    """Unpack regular files and directories only, never outside ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, .., links out of dest and devices.
            tar.extractall(dest, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BuildError(f"the archive could not be unpacked: {exc}") from exc


def pack(source: Path, archive: Path) -> None:
    """Pack ``source`` so that the same files give the same bytes (sorted, no timestamps)."""

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mtime = 0
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with (
        archive.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in sorted(source.rglob("*")):
            if "__pycache__" in path.parts:
                continue
            tar.add(path, arcname=str(path.relative_to(source)), recursive=False, filter=normalise)
