"""Small RSS feeds for tests: ``items`` dated entries with a title, a link, an id and a one-line description."""

from __future__ import annotations


def rss_feed(name: str, items: int, ids_are_links: bool = False) -> bytes:
    """An RSS 2.0 feed ``name`` of ``items`` entries; each entry's guid is ``name-N`` (relative), or its link."""
    entries = "".join(
        f"<item><title>{name} {n}</title><link>https://{name}.example/{n}</link>"
        f"<guid>{f'https://{name}.example/{n}' if ids_are_links else f'{name}-{n}'}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 0{n % 10}:00:00 +0000</pubDate><description>{name} story {n}.</description></item>"
        for n in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{entries}</channel></rss>'.encode()
