"""The ``telefeed telegram`` group: ``login`` creates the session the ``telegram`` sources use (old name:
``telegram-login``)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from telefeed.cli_common import console, fail

telegram_app = typer.Typer(help="Telegram: log in once and save the session.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``telegram`` group to ``app``, and ``telegram-login`` as a hidden alias."""
    telegram_app.command("login")(telegram_login)
    app.add_typer(telegram_app, name="telegram")
    app.command("telegram-login", hidden=True)(telegram_login)


def telegram_login(
    session_file: Annotated[
        str | None,
        typer.Option("--session-file", help="Write the session to this file (mode 0600) instead of printing it."),
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Phone number of the account (asked if omitted).")
    ] = None,
) -> None:
    """Log in to Telegram once and save the session (a 0600 file, or a StringSession for TELEGRAM_SESSION).

    The API id and hash come from TELEGRAM_API_ID / TELEGRAM_API_HASH or are asked for (the hash hidden).
    """
    from connectors.telegram import ENV_API_HASH, ENV_API_ID, interactive_login, session_path

    api_id_text = os.environ.get(ENV_API_ID) or typer.prompt("API id (from my.telegram.org)")
    api_hash = os.environ.get(ENV_API_HASH) or typer.prompt("API hash", hide_input=True)
    try:
        api_id = int(str(api_id_text).strip())
    except ValueError:
        raise fail(f"{ENV_API_ID} must be a number") from None
    result = interactive_login(
        api_id,
        api_hash,
        session_file,
        phone=lambda: phone or typer.prompt("Phone number (international format)"),
        code=lambda: typer.prompt("Login code sent by Telegram"),
        password=lambda: typer.prompt("Two-step verification password", hide_input=True),
    )
    if session_file:
        path = session_path(session_file)
        console.print(f"Session saved to {path} (mode 0600). Set TELEGRAM_SESSION_FILE={path}")
        return
    console.print(
        "Set the line below as TELEGRAM_SESSION (or store it in a Prefect Secret block). "
        "It grants full access to the account: keep it out of logs and git."
    )
    typer.echo(result)
