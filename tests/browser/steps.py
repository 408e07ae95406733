"""Steps every browser test takes the same way: watch the page for Content Security Policy violations and script
errors, log in through the login form, follow a link of the main navigation, wait for a flash message."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import TIMEOUT_MS

#: The demo ministry and the password of every demo account (`edms seed-demo`).
DEMO_ORGANIZATION = 'Минцифры Энской обл.'
DEMO_PASSWORD = 'Demo2026pass'


def watch_console(page: Any) -> tuple[list[str], list[str]]:
    """The CSP violations reported on the console and the uncaught script errors of the page, collected as they
    happen (a test asserts both lists are empty at its end)."""
    csp_errors: list[str] = []
    page_errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == 'error' and 'Content Security Policy' in message.text:
            csp_errors.append(message.text)

    page.on('console', on_console)
    page.on('pageerror', lambda error: page_errors.append(str(error)))
    return csp_errors, page_errors


def log_in(
    page: Any,
    base_url: str,
    login: str,
    *,
    organization: str = DEMO_ORGANIZATION,
    password: str = DEMO_PASSWORD,
    lands_on: str = '/cards/',
) -> None:
    """Log out whoever was logged in, log in through the form and wait for the start page of the user's role."""
    page.context.clear_cookies()
    page.goto(f'{base_url}/login')
    page.get_by_label('Организация').select_option(label=organization)
    page.get_by_label('Логин').fill(login)
    page.get_by_label('Пароль').fill(password)
    page.get_by_role('button', name='Войти').click()
    page.wait_for_url(f'{base_url}{lands_on}')


def nav(page: Any, name: str) -> None:
    """Follow the main navigation's link called exactly `name`."""
    page.get_by_role('navigation').get_by_role('link', name=name, exact=True).click()


def flash(page: Any, text: str) -> None:
    """Wait for a flash message containing `text`."""
    page.get_by_role('alert').filter(has_text=text).wait_for(timeout=TIMEOUT_MS)
