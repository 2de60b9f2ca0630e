"""Structured logging: kopf's JSON formatter, with the object's namespace/name on each line.

Handlers get kopf's object logger; code that acts on an object outside a kopf handler (for
example an agent reconciled because its Secret changed) takes :func:`object_logger`, which
adds the same ``object`` field kopf's own loggers add.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import kopf

LOGGER = logging.getLogger("arkenos_operator")
REFKEY = "object"


def configure_logging(log_format: str, debug: bool = False) -> None:
    kopf.configure(
        debug=debug,
        log_format=kopf.LogFormat.JSON if log_format == "json" else kopf.LogFormat.FULL,
        log_refkey=REFKEY,
    )


class _ObjectAdapter(logging.LoggerAdapter[logging.Logger]):
    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        kwargs["extra"] = {**(kwargs.get("extra") or {}), **(self.extra or {})}
        return msg, kwargs


def object_logger(kind: str, namespace: str | None, name: str) -> logging.LoggerAdapter[Any]:
    """A logger whose records carry the object reference under the JSON key ``object``."""
    ref = {"kind": kind, "namespace": namespace, "name": name}
    return _ObjectAdapter(LOGGER, {"k8s_ref": ref})
