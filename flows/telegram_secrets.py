"""Prefect glue for Telegram credentials: read a Secret block named by a source's ``secret_block``.

The block's value is a JSON object (or a dict) with ``api_id``, ``api_hash`` and ``session`` (a Telethon
StringSession) or ``session_file``. Importing this module installs the loader in the Telegram pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telefeed.pipeline import telegram


def load_secret(name: str) -> str | Mapping[str, Any]:
    """The value of the Prefect Secret block ``name`` (never logged)."""
    from prefect.blocks.system import Secret

    block: Any = Secret.load(name)
    value = block.get()
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


telegram.set_secret_loader(load_secret)
