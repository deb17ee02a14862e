"""``telegram_comment`` raw items (a comment on a post, read from the channel's discussion group through the
API) -> ``kind="comment"`` documents linked to their post."""

from __future__ import annotations

from extraction.telegram.api import api_post, peer_channel_id
from extraction.telegram.post import post_to_document, post_url
from telefeed.models import Document, RawItem

COMMENT_ITEM = "telegram_comment"


def comment_external_id(post_external_id: str, comment_id: int) -> str:
    """``<post external id>/comment/<comment id>``: a comment's id is its message id in the discussion group."""
    return f"{post_external_id}/comment/{comment_id}"


def comment_to_document(item: RawItem) -> Document:
    """A ``telegram_comment`` item -> a ``kind="comment"`` document linked to its post (``post_external_id``).

    The payload is ``{"channel": <the post's channel>, "post": {"external_id", "message_id"}, "message": ...}``.
    """
    channel = item.payload.get("channel") or {}
    post_ref = item.payload.get("post") or {}
    message = item.payload.get("message") or {}
    discussion_id = peer_channel_id(message.get("peer_id"))
    post = api_post({"channel": {"id": discussion_id}, "messages": [message]})
    document = post_to_document(item.source, post)
    post_id = int(post_ref["message_id"])
    post_link = post_url(channel.get("username"), channel.get("id"), post_id)
    sender = message.get("from_id") or {}
    document.kind = "comment"
    document.external_id = comment_external_id(str(post_ref["external_id"]), post.message_id)
    document.url = f"{post_link}?comment={post.message_id}" if post_link else None
    document.author = post.post_author
    document.metadata.update(
        {
            "channel_id": channel.get("id"),
            "channel_username": (channel.get("username") or "").lower() or None,
            "channel_title": channel.get("title"),
            "discussion_id": discussion_id,
            "comment_id": post.message_id,
            "post_external_id": post_ref["external_id"],
            "post_message_id": post_id,
            "from_user_id": sender.get("user_id"),
            "from_channel_id": sender.get("channel_id"),
        }
    )
    return document
