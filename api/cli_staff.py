"""`gridgis token` (API clients) and `gridgis account` (people who sign in on the pages):
staff credentials, each with a role and a jurisdiction."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import console, errors, fail, url_of
from layers import accounts
from layers.db import connect, connect_async, run_blocking
from layers.tokens import (
    DEFAULT_DAYS,
    TokenError,
    create_token,
    list_tokens,
    revoke_token,
    rotate_token,
)

token_app = typer.Typer(
    help="Staff tokens for API clients: a role and a jurisdiction.", no_args_is_help=True
)
account_app = typer.Typer(
    help="Staff accounts: sign in on the pages with a name and a password.", no_args_is_help=True
)


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="dispatcher, planner or admin")],
    scope: Annotated[str, typer.Option(help="area code: a community, street or district")],
    label: Annotated[str | None, typer.Option(help="who or what the token is for")] = None,
    days: Annotated[
        int, typer.Option(min=1, max=3660, help="days until it expires")
    ] = DEFAULT_DAYS,
) -> None:
    """Create a token; it is printed once (last line) and only its hash is stored."""
    try:
        with connect(url_of(ctx)) as conn:
            token = create_token(conn, role=role, scope_code=scope, label=label, days=days)
            conn.commit()
    except TokenError as error:
        raise fail(str(error)) from error
    errors.print(f"{role} token for {scope} (keep it secret; it is not shown again):")
    typer.echo(token)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    table = Table()
    for column in ("id", "role", "scope", "label", "created", "expires", "state"):
        table.add_column(column)
    with connect(url_of(ctx)) as conn:
        for row in list_tokens(conn):
            table.add_row(*(str(value) if value is not None else "" for value in row))
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="the id from `token list`")]
) -> None:
    with connect(url_of(ctx)) as conn:
        revoked = revoke_token(conn, token_id=token_id)
        conn.commit()
    if not revoked:
        raise fail(f"no active token with id {token_id}")
    console.print(f"token {token_id} revoked (running API workers stop accepting it at once)")


@token_app.command("rotate")
def token_rotate(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="the id from `token list`")],
    days: Annotated[
        int, typer.Option(min=1, max=3660, help="days until it expires")
    ] = DEFAULT_DAYS,
) -> None:
    """Replace a token: a new one with the same role, jurisdiction and label is printed
    once (last line); the old one stops working at once."""
    try:
        with connect(url_of(ctx)) as conn:
            token = rotate_token(conn, token_id=token_id, days=days)
            conn.commit()
    except TokenError as error:
        raise fail(str(error)) from error
    errors.print(f"token {token_id} replaced (keep the new one secret; it is not shown again):")
    typer.echo(token)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise fail("the two passwords differ")
    return first


@account_app.command("create")
def account_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="the sign-in name (letters, digits, . _ @ -)")],
    role: Annotated[str, typer.Option(help="dispatcher, planner or admin")],
    scope: Annotated[str, typer.Option(help="area code: a community, street or district")],
    display_name: Annotated[str, typer.Option(help="the name shown on the pages")] = "",
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Create an account (the password is asked for, never given on the command line)."""
    password = _password(password_stdin)

    async def create() -> int:
        async with await connect_async(url_of(ctx)) as conn:
            return await accounts.create_account(
                conn,
                name=name,
                password=password,
                role=role,
                scope_code=scope,
                display_name=display_name,
            )

    try:
        account_id = run_blocking(create)
    except accounts.AccountError as error:
        raise fail(str(error)) from error
    console.print(f"account {name} ({role}, {scope}) created with id {account_id}")


@account_app.command("list")
def account_list(ctx: typer.Context) -> None:
    table = Table()
    for column in ("id", "name", "display name", "role", "scope", "active", "locked"):
        table.add_column(column)
    with connect(url_of(ctx)) as conn:
        rows = conn.execute(
            "SELECT id, name, display_name, role, scope_code, active, "
            "coalesce(locked_until > now(), false) FROM accounts ORDER BY name"
        ).fetchall()
    for row in rows:
        table.add_row(*(str(value) for value in row))
    console.print(table)


def _change(ctx: typer.Context, name: str, **change: object) -> None:
    async def update() -> bool:
        async with await connect_async(url_of(ctx)) as conn:
            cursor = await conn.execute("SELECT id FROM accounts WHERE name = %s", (name,))
            row = await cursor.fetchone()
            if row is None:
                return False
            await accounts.update_account(conn, int(row[0]), **change)  # type: ignore[arg-type]
            return True

    try:
        found = run_blocking(update)
    except accounts.AccountError as error:
        raise fail(str(error)) from error
    if not found:
        raise fail(f"no account named '{name}'")


@account_app.command("disable")
def account_disable(ctx: typer.Context, name: str) -> None:
    """Stop an account from signing in; its open sessions end at once."""
    _change(ctx, name, active=False)
    console.print(f"account {name} disabled")


@account_app.command("enable")
def account_enable(ctx: typer.Context, name: str) -> None:
    _change(ctx, name, active=True)
    console.print(f"account {name} enabled")


@account_app.command("password")
def account_password(
    ctx: typer.Context,
    name: str,
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Set a new password (and unlock the account); its open sessions end."""
    _change(ctx, name, password=_password(password_stdin))
    console.print(f"account {name}: password changed")
