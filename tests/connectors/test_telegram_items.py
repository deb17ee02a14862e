"""Telegram raw items of every kind take their external id from one rule (``extraction.telegram.item_external_id``),
and the ids are the ones telefeed has always stored (``<username or channel id>:<first message id>``,
``<post id>/comment/<message id>``), so rows landed before keep matching. Real Telethon objects, no network."""

from __future__ import annotations

from datetime import timedelta

from telethon.tl.types import Message, MessageActionPinMessage, MessageService, PeerChannel

from connectors.telegram import ChannelRef, api_comment_items, api_raw_items, message_payload
from extraction.telegram import EXPORT_ITEM, PREVIEW_ITEM, telegram_item_to_document, telegram_raw_item
from tests.support.fake_telegram import BASE_DATE, CHANNEL_ID, CHANNEL_TITLE, severny_vestnik_messages

FETCHED_AT = BASE_DATE + timedelta(days=1)
CHANNEL = ChannelRef(CHANNEL_ID, 987654321, "Severny_Vestnik", CHANNEL_TITLE)
DISCUSSION_ID = 1700000003


def test_api_posts_albums_and_service_messages_keep_their_ids() -> None:
    payloads = [message_payload(m) for m in severny_vestnik_messages()]
    items = api_raw_items("api", CHANNEL, "Severny_Vestnik", payloads, FETCHED_AT)
    assert [i.external_id for i in items.posts] == [
        "severny_vestnik:101",
        "severny_vestnik:102",
        "severny_vestnik:103",  # the album 103-105: its first message
        "severny_vestnik:106",
        "severny_vestnik:107",
        "severny_vestnik:109",
    ]
    assert [i.external_id for i in items.services] == ["severny_vestnik:108"]
    # the post mapping builds the same id from the same payload (it refuses a raw item whose id differs)
    assert [telegram_item_to_document(i).external_id for i in items.posts] == [i.external_id for i in items.posts]


def test_a_channel_without_username_is_keyed_by_its_id() -> None:
    payloads = [message_payload(m) for m in severny_vestnik_messages()]
    items = api_raw_items("api", ChannelRef(CHANNEL_ID, None), None, payloads, FETCHED_AT)
    assert [i.external_id for i in items.posts][:3] == ["1500000001:101", "1500000001:102", "1500000001:103"]
    assert [i.external_id for i in items.services] == ["1500000001:108"]


def test_comments_keep_their_ids_and_thread_service_messages_are_left_out() -> None:
    def comment(comment_id: int) -> Message:
        date = BASE_DATE + timedelta(hours=1, minutes=comment_id - 500)
        return Message(id=comment_id, peer_id=PeerChannel(DISCUSSION_ID), date=date, message=f"comment {comment_id}")

    thread = [
        comment(501),
        comment(502),
        MessageService(id=503, peer_id=PeerChannel(DISCUSSION_ID), date=BASE_DATE, action=MessageActionPinMessage()),
    ]
    items = api_comment_items(
        "api", CHANNEL, "Severny_Vestnik", "severny_vestnik:107", 107, [message_payload(m) for m in thread], FETCHED_AT
    )
    assert [i.external_id for i in items] == ["severny_vestnik:107/comment/501", "severny_vestnik:107/comment/502"]
    assert [telegram_item_to_document(i).external_id for i in items] == [i.external_id for i in items]


def test_preview_and_export_items_get_the_api_path_ids() -> None:
    preview = telegram_raw_item(
        "web", PREVIEW_ITEM, {"channel": {"username": "Severny_Vestnik"}, "post_id": 103, "html": ""}, FETCHED_AT
    )
    export = telegram_raw_item(
        "export",
        EXPORT_ITEM,
        {"channel": {"id": CHANNEL_ID, "username": None}, "messages": [{"id": 103}, {"id": 104}]},
        FETCHED_AT,
    )
    assert (preview.external_id, export.external_id) == ("severny_vestnik:103", "1500000001:103")
