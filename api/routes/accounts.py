"""Admins manage staff accounts in their jurisdiction and read the processing record (who
read or changed personal data, when, in which scope, how many rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AdminDep, TokenCache
from api.deps import ConnectionDep
from api.errors import BadRequest, NotFound
from layers import accounts, audit
from layers.areas import areas_below
from layers.db import Connection
from layers.tokens import Staff

router = APIRouter(tags=["Accounts and records (admin)"])
NAME = r"^[A-Za-z0-9_.@-]{2,64}$"
TEXT = r"^[^\x00-\x1f\x7f]*$"  # no control characters


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=200)
    role: str = Field(pattern=r"^(dispatcher|planner|admin)$")
    scope_code: str = Field(min_length=1, max_length=32)
    display_name: str = Field(default="", max_length=100, pattern=TEXT)


class AccountChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    role: str | None = Field(default=None, pattern=r"^(dispatcher|planner|admin)$")
    scope_code: str | None = Field(default=None, min_length=1, max_length=32)
    password: str | None = Field(default=None, min_length=accounts.MIN_PASSWORD, max_length=200)
    display_name: str | None = Field(default=None, max_length=100, pattern=TEXT)


async def _within(conn: Connection, admin: Staff, area: str) -> None:
    """An area the admin may give an account: their own or one below it. Others are
    answered like unknown ones."""
    if area not in await areas_below(conn, area_code=admin.scope_code):
        raise NotFound(f"no area with code '{area}' in your jurisdiction")


async def _account_within(conn: Connection, admin: Staff, account_id: int) -> None:
    scope = await accounts.account_scope(conn, account_id)
    if scope is None or scope not in await areas_below(conn, area_code=admin.scope_code):
        raise NotFound(f"no account {account_id} in your jurisdiction")


@router.get("/accounts", summary="Staff accounts in your jurisdiction (admin)")
async def list_accounts(conn: ConnectionDep, admin: AdminDep) -> Response:
    areas = await areas_below(conn, area_code=admin.scope_code)
    body = await accounts.accounts_json(conn, areas=areas)
    return Response(body, media_type="application/json")


@router.post("/accounts", status_code=201, summary="Create a staff account (admin)")
async def create_account(body: NewAccount, conn: ConnectionDep, admin: AdminDep) -> dict[str, int]:
    await _within(conn, admin, body.scope_code)
    try:
        account_id = await accounts.create_account(
            conn,
            name=body.name,
            password=body.password,
            role=body.role,
            scope_code=body.scope_code,
            display_name=body.display_name,
            created_by=admin.account_id,
        )
    except accounts.AccountError as error:
        raise BadRequest(str(error)) from error
    detail = f"created {body.name} ({body.role}, {body.scope_code})"
    await audit.record(conn, admin, action="admin", target="/accounts", rows=1, detail=detail)
    return {"id": account_id}


@router.patch("/accounts/{account_id}", summary="Change or disable a staff account (admin)")
async def change_account(
    account_id: int, body: AccountChange, request: Request, conn: ConnectionDep, admin: AdminDep
) -> dict[str, bool]:
    await _account_within(conn, admin, account_id)
    if body.scope_code is not None:
        await _within(conn, admin, body.scope_code)
    try:
        await accounts.update_account(conn, account_id, **body.model_dump(exclude_none=True))
    except accounts.AccountError as error:
        raise BadRequest(str(error)) from error
    # This worker forgets the account's sessions now; the others as the database tells them.
    cache: TokenCache = request.app.state.token_cache
    cache.drop(f"account:{account_id}")
    changed = ", ".join(k for k in body.model_dump(exclude_none=True) if k != "password")
    detail = f"account {account_id}: {changed or 'password'}"
    await audit.record(conn, admin, action="admin", target="/accounts", rows=1, detail=detail)
    return {"changed": True}


@router.get("/audit", summary="The processing record of your jurisdiction, newest first (admin)")
async def audit_records(
    conn: ConnectionDep,
    admin: AdminDep,
    action: Annotated[str | None, Query(pattern="^(" + "|".join(audit.ACTIONS) + ")$")] = None,
    since: datetime | None = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    areas = await areas_below(conn, area_code=admin.scope_code)
    body, count = await audit.records_json(
        conn,
        areas=areas,
        include_unscoped=False,
        action=action,
        since=since,
        before=before,
        limit=limit,
    )
    await audit.record(conn, admin, action="read", target="/audit", rows=count)
    return Response(body, media_type="application/json")
