"""Browser tests: pytest-playwright driving Debian's Chromium against live_server.

Never `playwright install`: it downloads a browser, which fails here. A local run
without /usr/bin/chromium skips these tests and says why; CI (CI or
KB_REQUIRE_BROWSER set) fails instead, so a missing browser cannot pass silently.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
BROWSER_DIR = Path(__file__).parent
# Installed by `make test` (npm ci, from package-lock.json beside this file).
AXE_JS = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"


def _browser_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("KB_REQUIRE_BROWSER"))


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if BROWSER_DIR in Path(item.fspath).parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM.exists() or _browser_required():
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` runs the browser tests"
    )
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"CI needs Chromium at {CHROMIUM} (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script, to evaluate in a page (CSP forbids injecting it as a <script>)."""
    if AXE_JS.exists():
        return AXE_JS.read_text()
    message = f"axe-core is not installed at {AXE_JS}: `make test` runs npm ci in tests/browser"
    if _browser_required():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls that tests
    and database teardown make between browser steps are still plain synchronous code."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _live_database(transactional_db):
    """live_server runs in another thread: the tests need real commits, not a rolled-back atomic."""


_ASSET_TYPES = {"script", "stylesheet", "image", "font", "media"}


def _is_resource_status_message(text: str) -> bool:
    # Chromium logs every 4xx document as "Failed to load resource"; a form re-rendered
    # with a 400 is expected. Failed sub-resources are caught by the response hook.
    return text.startswith("Failed to load resource: the server responded with a status of")


@pytest.fixture
def page_errors(page):
    """Console errors, uncaught exceptions, CSP violations and failed scripts/styles/images."""
    errors = []

    def on_console(msg):
        if msg.type == "error" and not _is_resource_status_message(msg.text):
            errors.append(msg.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type in _ASSET_TYPES:
            errors.append(f"{response.status} {response.request.resource_type} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", on_response)
    return errors


@pytest.fixture
def site(live_server):
    """Absolute URLs on the live server: site('/questions/')."""
    return lambda path="/": f"{live_server.url}{path}"
