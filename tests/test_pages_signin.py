"""Staff sign in on the pages as people do: a name and a password, once — the session is
shared by every tab, writes from the page carry its CSRF token, signing out ends it
everywhere; an admin manages accounts on the admin page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from layers.assignments import Scope, assign_blocking
from tests.live import served
from tests.test_pages import browser, until  # noqa: F401  (fixture and helper)

DISTRICT = "360190"
PASSWORD = "a long enough password"


def _account(name: str, role: str, scope: str) -> None:
    args = ["account", "create", "--name", name, "--role", role, "--scope", scope]
    result = CliRunner().invoke(cli, [*args, "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def base(databases, demo_template) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = databases.url(databases.create(template=demo_template))
    assign_blocking(url, scope=Scope(all=True), workers=1)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DATABASE_URL", url)
    _account("planner.chen", "planner", DISTRICT)
    _account("admin.liu", "admin", DISTRICT)
    monkeypatch.undo()
    with served(url) as address:
        yield address


def _sign_in(page: Any, name: str) -> None:
    page.fill("#gg-name", name)
    page.fill("#gg-password", PASSWORD)
    page.click(".gg-account-form button")
    page.locator(".gg-signed-in").wait_for()


def test_one_sign_in_serves_every_tab_and_sign_out_ends_it(browser, base):  # noqa: F811
    context = browser.new_context(locale="en-US")
    errors: list[str] = []
    try:
        first = context.new_page()
        first.on("pageerror", lambda error: errors.append(str(error)))
        first.goto(base + "/maps/planner?lang=en")
        _sign_in(first, "planner.chen")
        assert "planner.chen" in first.inner_text(".gg-who")
        assert first.evaluate("document.cookie") == ""  # HttpOnly: script cannot read it
        until(first, "() => document.querySelectorAll('path.gg-member-home').length > 0")

        second = context.new_page()  # a new tab: already signed in
        second.goto(base + "/maps/dispatch?lang=en")
        second.locator(".gg-signed-in").wait_for()
        assert second.locator(".gg-account-form").is_hidden()

        # a write from the page carries the session's CSRF token
        with second.expect_response(lambda r: r.url.endswith("/auth/sign-out")) as out:
            second.click(".gg-signout")
        assert out.value.status == 200
        assert out.value.request.headers.get("x-csrf-token")
        first.reload()
        first.locator(".gg-account-form").wait_for()  # signed out in every tab
        assert errors == []
    finally:
        context.close()


def test_a_wrong_password_is_said_and_keeps_the_form(browser, base):  # noqa: F811
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/maps/planner?lang=en")
        page.fill("#gg-name", "planner.chen")
        page.fill("#gg-password", "not the password")
        page.click(".gg-account-form button")
        until(page, "() => document.querySelector('.gg-needed').textContent.includes('wrong')")
        assert "wrong name or password" in page.inner_text(".gg-needed")
        assert page.locator(".gg-account-form").is_visible()
    finally:
        context.close()


def test_an_admin_creates_and_disables_an_account_on_the_admin_page(browser, base):  # noqa: F811
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/maps/admin?lang=en")
        _sign_in(page, "admin.liu")
        page.locator("#gg-accounts tr[data-name='planner.chen']").wait_for()
        form = page.locator("#gg-new-account")
        form.locator("input[name=name]").fill("dispatcher.he")
        form.locator("input[name=password]").fill(PASSWORD)
        form.locator("select[name=role]").select_option("dispatcher")
        form.locator("input[name=scope_code]").fill(DISTRICT)
        form.locator("button").click()
        row = page.locator("#gg-accounts tr[data-name='dispatcher.he']")
        row.wait_for()
        assert "dispatcher" in row.inner_text()
        row.get_by_role("button", name="Disable").click()
        until(
            page,
            "() => document.querySelector(\"tr[data-name='dispatcher.he'] td:nth-child(5)\").textContent === 'no'",
        )
        # the record lists the sign-in and the account changes
        page.select_option("#gg-record-action", "admin")
        until(
            page,
            "() => document.querySelector('#gg-records').textContent.includes('dispatcher.he')",
        )
        actions = page.locator("#gg-records tbody td:nth-child(5)").all_inner_texts()
        assert set(actions) == {"admin"}  # the filter shows only account changes
    finally:
        context.close()
