"""Telegram raw items of every kind (API, preview, export, service message, comment): one external id rule and
one builder. Pure: no IO."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from extraction.telegram.comment import comment_external_id
from extraction.telegram.post import post_external_id
from telefeed.models import RawItem


def item_message_ids(payload: Mapping[str, Any]) -> list[int]:
    """The message ids of a Telegram raw item (oldest first): an album's messages, one message, or a preview post."""
    if "messages" in payload:
        return [int(m["id"]) for m in payload["messages"]]
    if "message" in payload:
        return [int(payload["message"]["id"])]
    return [int(payload["post_id"])]


def item_external_id(payload: Mapping[str, Any]) -> str:
    """A Telegram raw item's external id, from its payload: ``<username or channel id>:<first message id>`` for a
    post, an album or a service message (the same through the three kinds), ``<post's id>/comment/<id>`` for a
    comment."""
    first = item_message_ids(payload)[0]
    if "post" in payload:
        return comment_external_id(payload["post"]["external_id"], first)
    channel = payload["channel"]
    return post_external_id(channel.get("username"), channel.get("id"), first)


def telegram_raw_item(source: str, kind: str, payload: dict[str, Any], fetched_at: datetime) -> RawItem:
    """A Telegram raw item of any kind, its external id built from its payload (:func:`item_external_id`)."""
    return RawItem(source, item_external_id(payload), kind, payload, fetched_at)
