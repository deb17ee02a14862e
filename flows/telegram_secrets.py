"""Prefect glue for the run's resources: Telegram credentials from a Secret block named by a source's
``secret_block``.

The block's value is a JSON object (or a dict) with ``api_id``, ``api_hash`` and ``session`` (a Telethon
StringSession) or ``session_file``. :func:`flow_resources` builds a run's :class:`telefeed.resources.Resources`
with this loader; nothing is installed at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telefeed.resources import Resources


def load_secret(name: str) -> str | Mapping[str, Any]:
    """The value of the Prefect Secret block ``name`` (never logged)."""
    from prefect.blocks.system import Secret

    block: Any = Secret.load(name)
    value = block.get()
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def flow_resources() -> Resources:
    """The resources of a flow run: live Telegram clients, real sleeps, Prefect Secret blocks."""
    return Resources(secret_loader=load_secret)
