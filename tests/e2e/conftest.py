"""Browser tests: headless Debian Chromium driven by Playwright's sync API, against
pytest-django's `live_server`.

Playwright never downloads a browser here: it drives the system's `/usr/bin/chromium`
(Debian package `chromium`). Without it the tests are skipped locally and fail in CI
(`CI=true`), where browser tests must run.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

# Reports every CSP violation to Python (see `browser_errors`). Init scripts
# are injected by the browser itself: the page's CSP does not apply to them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__piloteCspViolation(
    `${e.violatedDirective} blocked ${e.blockedURI || "(inline)"} ` +
    `at ${e.sourceFile || e.documentURI}:${e.lineNumber}`
  );
});
"""


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true : les tests navigateur doivent s'exécuter)")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for every test of tests/e2e.

    Scoped to this package rather than the session: it closes, and its event loop stops, as
    soon as the browser tests are done, so the rest of the suite runs exactly as without them.
    """
    if not CHROMIUM.exists():
        _unavailable("Chromium absent : installez le paquet Debian chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright absent : installez les dépendances de développement")
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

    # Playwright's sync API runs an asyncio event loop in this thread (in a greenlet) for as
    # long as the browser lives, and marks it as the running loop between two calls. Django's
    # ORM sees that loop and refuses synchronous queries (SynchronousOnlyOperation), although
    # nothing here is asynchronous: the tests and pytest-django's fixtures query the database
    # from this thread between two Playwright calls, never from inside the loop. The switch
    # below disables only that safety check, and only while the browser lives: it must not
    # leak into other tests (subprocesses inherit it, and `check --deploy` rejects it).
    previous = os.environ.get(ALLOW_ASYNC_UNSAFE)
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ALLOW_ASYNC_UNSAFE, None)
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = previous


@pytest.fixture
def new_context(browser, live_server):
    """Factory of fresh browser contexts (French locale, Paris time), closed after the test."""
    contexts = []

    def _new_context(**kwargs):
        context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", **kwargs
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


class BrowserErrors:
    """Console errors, uncaught exceptions and CSP violations seen by a page."""

    def __init__(self):
        self.console: list[str] = []
        self.exceptions: list[str] = []
        self.csp: list[str] = []

    def all(self) -> list[str]:
        return (
            [f"console: {m}" for m in self.console]
            + [f"exception: {m}" for m in self.exceptions]
            + [f"CSP: {m}" for m in self.csp]
        )

    def assert_none(self):
        problems = self.all()
        assert not problems, "Erreurs dans le navigateur :\n" + "\n".join(problems)


@pytest.fixture
def browser_errors(context) -> BrowserErrors:
    """Console errors, uncaught exceptions and CSP violations of every page of `context`."""
    errors = BrowserErrors()
    context.expose_function("__piloteCspViolation", lambda report: errors.csp.append(report))
    context.add_init_script(CSP_LISTENER)

    def on_console(message):
        text = message.text
        if message.type == "error" or "Content Security Policy" in text:
            errors.console.append(f"{text} ({(message.location or {}).get('url', '?')})")

    context.on("console", on_console)
    context.on(
        "weberror",
        lambda web_error: errors.exceptions.append(web_error.error.stack or str(web_error.error)),
    )
    return errors


@pytest.fixture
def page(context, browser_errors):
    return context.new_page()


@pytest.fixture
def login_as(live_server):
    """Open an authenticated session for `user` in `context`, without going through the form
    (the form itself is tested once, in test_login_and_note.py)."""

    def _login_as(context, user):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return _login_as


@pytest.fixture
def axe_js() -> Path:
    return AXE_JS
