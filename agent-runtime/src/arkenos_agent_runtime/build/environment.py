"""The environments the build gives to code it did not write: the import probe (user code)
and pip (whose sdists run setup code). Neither inherits the builder's own environment, which
may hold object storage credentials: each gets only what it needs to run."""

from __future__ import annotations

import os
from collections.abc import Mapping

#: What any Python process needs to start and find its tools and locale.
_BASE = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "PYTHONPATH", "VIRTUAL_ENV")
#: What pip needs to reach the package index through the cluster's proxy and trust its CA.
_PIP_NETWORK = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PIP_CERT",
)


def _pick(source: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: source[name] for name in names if name in source}


def probe_env(source: Mapping[str, str] | None = None) -> dict[str, str]:
    """The import probe's environment: the base only, and no user site or bytecode writes."""
    env = _pick(os.environ if source is None else source, _BASE)
    return {**env, "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def pip_env(source: Mapping[str, str] | None = None) -> dict[str, str]:
    """pip's environment: the base and its network settings; no pip.conf is read."""
    source = os.environ if source is None else source
    return {**_pick(source, _BASE + _PIP_NETWORK), "PIP_CONFIG_FILE": os.devnull}
