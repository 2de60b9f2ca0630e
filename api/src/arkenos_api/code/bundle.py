"""The deterministic bundle of a file tree: the same files always give the same bytes.

A bundle is a gzip'd POSIX tar of the files only (the build creates folders as it unpacks),
sorted by path, every entry owned by 0:0 with mode 0644 and time 0, and gzip's own header time
0, so its sha256 names the content alone. The build command (``arkenos-build``) unpacks it
into the artifact's ``app/`` folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Mapping

FILE_MODE = 0o644


def freeze(files: Mapping[str, bytes]) -> bytes:
    """The bundle of ``files`` (path → content)."""
    raw = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in sorted(files):
            data = files[path]
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = FILE_MODE
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def digest_of(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"
