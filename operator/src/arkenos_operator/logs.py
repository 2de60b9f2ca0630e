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
#: kopf's per-object logger: at INFO it writes a line for every handler that succeeds, event
#: and timer handlers included: several lines per agent and per watch event, which cost a
#: tenth of the operator's CPU at a thousand agents and say nothing the conditions do not.
KOPF_OBJECTS = logging.getLogger("kopf.objects")


def configure_logging(log_format: str, debug: bool = False) -> None:
    kopf.configure(
        debug=debug,
        log_format=kopf.LogFormat.JSON if log_format == "json" else kopf.LogFormat.FULL,
        log_refkey=REFKEY,
    )
    # Failures (temporary and permanent) are warnings or errors and still logged, and posted
    # as Kubernetes Events; our own lines (e.g. why an object did not converge) are unchanged.
    KOPF_OBJECTS.setLevel(logging.DEBUG if debug else logging.WARNING)


class _ObjectAdapter(logging.LoggerAdapter[logging.Logger]):
    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        kwargs["extra"] = {**(kwargs.get("extra") or {}), **(self.extra or {})}
        return msg, kwargs


def object_logger(kind: str, namespace: str | None, name: str) -> logging.LoggerAdapter[Any]:
    """A logger whose records carry the object reference under the JSON key ``object``."""
    ref = {"kind": kind, "namespace": namespace, "name": name}
    return _ObjectAdapter(LOGGER, {"k8s_ref": ref})
