"""Suite-wide options. Contract tests run on the virtual kit by default and on a real kit with
``pytest --port=/dev/ttyUSB0 --board=uno``; tests marked ``hardware`` run only then."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--port", action="store", default=None, help="serial port of a real kit for hardware tests")
    parser.addoption("--board", action="store", default="uno", help="board profile of the real kit (with --port)")


@pytest.fixture
def kit_url(request):
    """The kit that contract tests drive: a real port when --port is given, else the virtual kit."""
    port = request.config.getoption("--port")
    board = request.config.getoption("--board")
    return port if port else f"sim://{board}"


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch):
    """Every test starts in English whatever the machine's locale, and a CLI run with --lang (which
    sets MAKERKIT_LANG for its process and the tools it starts) cannot leak into the next test."""
    monkeypatch.setenv("MAKERKIT_LANG", "en")


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium driven by playwright (scripts/test.sh installs both), one for the whole run:
    playwright's sync API cannot run two sessions on one thread at once."""
    import os
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield browser
        browser.close()


def pytest_collection_modifyitems(config, items):
    if config.getoption("--port"):
        return
    skip = pytest.mark.skip(reason="needs a real board: run pytest --port=PORT --board=BOARD")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)
