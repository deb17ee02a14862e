"""What a run's ingesters use from the outside world, built once per flow run and passed in (never patched).

Like Dagster resources: the flow (or the CLI, or a test) builds one :class:`Resources` and hands it to every
source of the run. It holds the Telegram client factory, the sleeper used for flood waits, the secret loader
for ``secret_block`` sources, and the run's :class:`connectors.telegram.TelegramAccounts` (one client per
account, shared by that account's sources). Close it at the end of the run (``with Resources(...) as r:``).
Nothing here imports Prefect: the flows pass Prefect's secret loader in.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from connectors.telegram import (
    TelegramAccounts,
    TelegramClientProtocol,
    TelegramCredentials,
    TelegramCredentialsError,
    TelethonClient,
    load_credentials,
)
from connectors.telegram_snapshot import snapshot_client
from telefeed.config import TelegramSource
from telefeed.models import utc_now

SecretLoader = Callable[[str], "str | Mapping[str, Any]"]
TelegramClientFactory = Callable[[TelegramSource], TelegramClientProtocol]
ENVIRONMENT_ACCOUNT = "environment"


def telegram_account(source: TelegramSource) -> str:
    """The account a source reads with: its snapshot file, its secret block, else the environment's credentials."""
    if source.snapshot:
        return f"snapshot:{source.snapshot}"
    return f"secret:{source.secret_block}" if source.secret_block else ENVIRONMENT_ACCOUNT


@dataclass
class Resources:
    """The outside world of one run: Telegram clients, the sleeper, secrets.

    Attributes:
        telegram_client: builds the client of a source's account (default: the snapshot client of a source with
            ``snapshot``, else the live Telethon client with :meth:`telegram_credentials`); called once per
            account per run.
        sleep: how flood waits are waited (tests record them instead).
        secret_loader: reads a named secret (the flows pass Prefect's Secret blocks); None: none installed.
        environ: the environment credentials are read from (default: ``os.environ``).
        now: the clock (which posts are young enough to re-read, first-run lookback).
    """

    telegram_client: TelegramClientFactory | None = None
    sleep: Callable[[float], None] = time.sleep
    secret_loader: SecretLoader | None = None
    environ: Mapping[str, str] | None = None
    now: Callable[[], datetime] = utc_now
    telegram: TelegramAccounts = field(default_factory=TelegramAccounts, init=False, repr=False)

    def telegram_credentials(self, source: TelegramSource) -> TelegramCredentials:
        """The credentials of ``source``'s account: its secret block (through the loader) over the environment."""
        secret = None
        if source.secret_block:
            if self.secret_loader is None:
                raise TelegramCredentialsError(
                    f"source {source.name}: secret_block is set but no secret loader was given "
                    "(run through the Prefect flow, or use environment variables)"
                )
            secret = self.secret_loader(source.secret_block)
        return load_credentials(os.environ if self.environ is None else self.environ, secret=secret)

    def open_telegram_client(self, source: TelegramSource) -> TelegramClientProtocol:
        """A new client for ``source``'s account: the factory's if one was given, else the snapshot client for a
        source with ``snapshot`` (a recorded channel, no credentials), else the live Telethon client."""
        if self.telegram_client is not None:
            return self.telegram_client(source)
        if source.snapshot:
            return snapshot_client(source.snapshot)
        return TelethonClient(self.telegram_credentials(source))

    def telegram_client_for(self, source: TelegramSource) -> TelegramClientProtocol:
        """The run's shared client of ``source``'s account (opened on first use, closed by :meth:`close`)."""
        return self.telegram.client(telegram_account(source), lambda: self.open_telegram_client(source))

    def close(self) -> None:
        """Disconnect every client the run opened."""
        self.telegram.close()

    def __enter__(self) -> Resources:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
