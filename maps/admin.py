"""The admin page (/maps/admin): staff accounts of the admin's jurisdiction (create, disable,
reset a password) and the processing record (who read or changed personal data). No map:
plain HTML in the pages' shell; its script reads its settings from a JSON data block (data,
not script: the CSP allows no inline script)."""

from __future__ import annotations

import html
import json

from maps.base import FAVICON, PAGE_CSS, PageOptions, config, header, sign_in_box

ROLES = ("dispatcher", "planner", "admin")
ACTIONS = ("read", "write", "export", "sign_in", "sign_out", "admin")


def _form(options: PageOptions) -> str:
    w = {key: html.escape(value) for key, value in options.words.items()}
    roles = "".join(f'<option value="{r}">{w["role_" + r]}</option>' for r in ROLES)
    fields = (
        f'<label>{w["account_name"]}<input name="name" required maxlength="64" '
        'pattern="[A-Za-z0-9_.@\\-]{2,64}" autocomplete="off"></label>'
        f'<label>{w["display_name"]}<input name="display_name" maxlength="100"></label>'
        f'<label>{w["password"]}<input name="password" type="password" required '
        'minlength="10" maxlength="200" autocomplete="new-password"></label>'
        f'<label>{w["role"]}<select name="role">{roles}</select></label>'
        f'<label>{w["scope"]}<input name="scope_code" required maxlength="32"></label>'
    )
    return (
        f'<form class="gg-admin-form" id="gg-new-account" hidden><h3>{w["new_account"]}</h3>'
        f'{fields}<button type="submit" class="gg-primary">{w["create"]}</button></form>'
    )


ACCOUNT_COLUMNS = (
    "account_name", "display_name", "role", "scope", "active", "locked", "sessions", "actions",
)  # fmt: skip
RECORD_COLUMNS = (
    "record_time", "record_actor", "role", "scope", "record_action", "record_target",
    "record_rows",
)  # fmt: skip


def _heads(words: dict[str, str], keys: tuple[str, ...]) -> str:
    return "".join(f'<th scope="col">{words[key]}</th>' for key in keys)


def _sections(options: PageOptions) -> str:
    w = {key: html.escape(value) for key, value in options.words.items()}
    actions = "".join(f'<option value="{a}">{html.escape(a)}</option>' for a in ACTIONS)
    return (
        '<main class="gg-admin">'
        f'<section aria-labelledby="gg-accounts-title"><h2 id="gg-accounts-title">'
        f"{w['accounts']}</h2>"
        '<p class="gg-status" id="gg-status" role="status" aria-live="polite"></p>'
        '<table class="gg-table" id="gg-accounts"><thead><tr>'
        + _heads(w, ACCOUNT_COLUMNS)
        + "</tr></thead><tbody></tbody></table>"
        + _form(options)
        + "</section>"
        f'<section aria-labelledby="gg-records-title"><h2 id="gg-records-title">{w["records"]}'
        f'</h2><label>{w["record_action"]} <select id="gg-record-action">'
        f'<option value="">{w["all_actions"]}</option>{actions}</select></label>'
        '<table class="gg-table" id="gg-records"><thead><tr>'
        + _heads(w, RECORD_COLUMNS)
        + "</tr></thead><tbody></tbody></table>"
        f'<button type="button" id="gg-older" hidden>{w["older"]}</button></section></main>'
    )


def build_admin(options: PageOptions) -> str:
    w = options.words
    settings = json.dumps(config(options, page="admin"), ensure_ascii=False)
    # a JSON block is data to the browser: escape what could end it early
    settings = settings.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f'<!DOCTYPE html><html lang="{options.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(w['admin_title'])}</title>"
        f'<link rel="icon" href="{html.escape(options.static(FAVICON))}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{html.escape(options.static(PAGE_CSS))}">'
        f'<script type="application/json" id="gg-config">{settings}</script>'
        f'<script type="module" src="{html.escape(options.static("js/admin/main.js"))}">'
        "</script></head>"
        '<body class="gg-page gg-admin-page">'
        + header(options, title=w["admin_title"], subtitle=w["admin_subtitle"])
        + f'<section class="gg-controls">{sign_in_box(options)}</section>'
        + _sections(options)
        + "</body></html>"
    )
