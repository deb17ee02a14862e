"""The public web preview of a channel (``https://t.me/s/<channel>``), paginated backwards with ``?before=``.

Only the widget boundaries, ids and dates are read here (enough to paginate); each post's HTML is kept
whole for ``extraction.telegram.preview`` to map. Pages come from an http(s) ``base_url`` through
``connectors.http.HttpFetcher`` or, offline, from a ``page_archive`` folder whose ``index.json`` maps page
URLs to saved files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser

from connectors.http import Fetcher, FetchError, HttpLimits


@dataclass(slots=True)
class PreviewPost:
    """One message widget of a preview page."""

    post_id: int
    date: datetime | None
    html: str
    service: bool = False


@dataclass(slots=True)
class PreviewPage:
    """A parsed preview page: its posts (oldest first) and the id to ask ``?before=`` for older ones."""

    url: str
    posts: list[PreviewPost] = field(default_factory=list)
    before: int | None = None
    channel_title: str | None = None
    is_history: bool = True  # False: not a channel history page (``t.me/s`` redirected to the channel's page)


@dataclass(slots=True)
class PreviewRead:
    """Posts from one backwards walk (oldest first, deduplicated), and how the walk ended."""

    posts: list[PreviewPost] = field(default_factory=list)
    pages: int = 0
    channel_title: str | None = None
    reached_floor: bool = False  # walked down to the cursor / the window start / the channel's first post
    stopped_by_max_pages: bool = False
    error: str | None = None  # a later page failed; the posts read before it are still returned


def page_url(base_url: str, channel: str, before: int | None = None) -> str:
    """``https://t.me/s/<channel>`` or ``...?before=<id>``."""
    url = base_url if base_url.endswith("/") else base_url + "/"
    url += channel
    return f"{url}?before={before}" if before is not None else url


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_page(url: str, html: str) -> PreviewPage:
    """Split a preview page into message widgets (kept as HTML) and find the ``before`` link."""
    tree = LexborHTMLParser(html)
    page = PreviewPage(url=url, is_history=tree.css_first(".tgme_channel_history") is not None)
    title = tree.css_first(".tgme_channel_info_header_title")
    if title is not None:
        page.channel_title = title.text(strip=True) or None
    for widget in tree.css(".tgme_widget_message[data-post]"):
        _, _, id_text = (widget.attributes.get("data-post") or "").rpartition("/")
        if not id_text.isdigit():
            continue
        time_node = widget.css_first(".tgme_widget_message_date time")
        page.posts.append(
            PreviewPost(
                post_id=int(id_text),
                date=_parse_date(time_node.attributes.get("datetime")) if time_node is not None else None,
                html=widget.html or "",
                service="service_message" in (widget.attributes.get("class") or ""),
            )
        )
    page.posts.sort(key=lambda p: p.post_id)
    more = tree.css_first(".tme_messages_more[data-before]")
    if more is not None and (more.attributes.get("data-before") or "").isdigit():
        page.before = int(more.attributes["data-before"] or 0)
    elif page.posts and tree.css_first(".tme_messages_more") is not None:
        page.before = page.posts[0].post_id
    return page


def read_preview(
    channel: str,
    base_url: str,
    fetcher: Fetcher,
    *,
    stop_at_id: int | None = None,
    since: datetime | None = None,
    max_pages: int = 20,
    limits: HttpLimits | None = None,
) -> PreviewRead:
    """Walk the preview backwards from the newest page until a post ``<= stop_at_id`` or older than ``since``.

    Raises ``FetchError`` when the first page cannot be fetched or is not a channel history (a channel without
    a public preview: ``t.me/s/<name>`` redirects to ``t.me/<name>``); a later failure ends the walk with
    ``error`` set and the posts read so far.
    """
    read = PreviewRead()
    seen: dict[int, PreviewPost] = {}
    before: int | None = None
    while read.pages < max_pages:
        url = page_url(base_url, channel, before)
        try:
            result = fetcher.fetch(url, limits=limits)
        except FetchError as exc:
            if not read.pages:
                raise
            read.error = str(exc)
            break
        read.pages += 1
        page = parse_page(result.url, result.body.decode("utf-8", "replace"))
        if not page.is_history and not page.posts:
            if read.pages == 1:
                raise FetchError(f"{url}: channel has no public preview (the page at {result.url} lists no posts)")
            read.error = f"{url}: not a channel history page"
            break
        read.channel_title = read.channel_title or page.channel_title
        for post in page.posts:
            seen.setdefault(post.post_id, post)
        oldest = page.posts[0] if page.posts else None
        if oldest is None or page.before is None:
            read.reached_floor = True
            break
        if stop_at_id is not None and oldest.post_id <= stop_at_id:
            read.reached_floor = True
            break
        if since is not None and oldest.date is not None and oldest.date < since:
            read.reached_floor = True
            break
        if before is not None and page.before >= before:  # the page did not move backwards: stop, do not loop
            read.reached_floor = True
            break
        before = page.before
    else:
        read.stopped_by_max_pages = True
    read.posts = sorted(seen.values(), key=lambda p: p.post_id)
    return read
