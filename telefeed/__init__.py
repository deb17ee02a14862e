"""telefeed: Telegram channels and news feeds into a DuckDB warehouse."""

__version__ = "0.1.0"
