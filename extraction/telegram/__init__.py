"""Telegram posts -> documents. Pure: no IO.

Three raw shapes come in, one per way of reading a channel, each mapped by its own module:

* ``telegram_message`` (Telethon, :mod:`.api`): ``{"channel": {...}, "messages": [Message.to_dict() made
  JSON-safe, ...]}``; an album (messages sharing ``grouped_id``) is one raw item with every message of the group.
* ``telegram_preview_post`` (``t.me/s/<channel>``, :mod:`.preview`): ``{"channel": {...}, "post_id": n,
  "html": "<div ...>"}``.
* ``telegram_export_message`` (Telegram Desktop ``result.json``, :mod:`.export`): ``{"channel": {...},
  "messages": [...]}``.

Each describes its messages as :class:`~.post.MessagePart` s and :func:`~.post.build_post` makes the
:class:`~.post.Post`; every ``Post`` becomes a document the same way (:func:`~.post.post_to_document`), so the
same message read through different paths lands the same fields.
"""

from __future__ import annotations

from extraction.normalise import NormaliseError
from extraction.telegram.api import api_media, api_post, is_service_message
from extraction.telegram.comment import COMMENT_ITEM, comment_external_id, comment_to_document
from extraction.telegram.export import export_album_groups, export_date, export_media, export_post, export_text
from extraction.telegram.items import item_external_id, item_message_ids, telegram_raw_item
from extraction.telegram.post import (
    API_ITEM,
    EXPORT_ITEM,
    PREVIEW_ITEM,
    SERVICE_ITEM,
    MessagePart,
    Post,
    PostChannel,
    build_post,
    channel_key,
    counter_snapshot,
    entity_lists,
    post_external_id,
    post_to_document,
    post_url,
    username_from_url,
    utf16_len,
    utf16_slice,
)
from extraction.telegram.preview import parse_count, preview_post, preview_text
from telefeed.models import Document, RawItem

__all__ = [
    "API_ITEM",
    "COMMENT_ITEM",
    "EXPORT_ITEM",
    "PREVIEW_ITEM",
    "SERVICE_ITEM",
    "MessagePart",
    "Post",
    "PostChannel",
    "api_media",
    "api_post",
    "build_post",
    "channel_key",
    "comment_external_id",
    "comment_to_document",
    "counter_snapshot",
    "entity_lists",
    "export_album_groups",
    "export_date",
    "export_media",
    "export_post",
    "export_text",
    "is_service_message",
    "item_external_id",
    "item_message_ids",
    "parse_count",
    "post_external_id",
    "post_to_document",
    "post_url",
    "preview_post",
    "preview_text",
    "telegram_item_to_document",
    "telegram_raw_item",
    "username_from_url",
    "utf16_len",
    "utf16_slice",
]

_MAPPERS = {API_ITEM: api_post, PREVIEW_ITEM: preview_post, EXPORT_ITEM: export_post}


def telegram_item_to_document(item: RawItem) -> Document:
    """Map any Telegram raw item (API, preview, export) to its post document (a comment to its comment).

    Raises:
        NormaliseError: the payload does not hold a usable post.
    """
    if item.item_kind == COMMENT_ITEM:
        return comment_to_document(item)
    mapper = _MAPPERS.get(item.item_kind)
    if mapper is None:
        raise NormaliseError(f"not a Telegram post item: {item.item_kind}")
    document = post_to_document(item.source, mapper(item.payload))
    if document.external_id != item.external_id:
        raise NormaliseError(f"external id mismatch: raw {item.external_id!r}, post {document.external_id!r}")
    return document
