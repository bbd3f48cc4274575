"""Contract tests run on a virtual kit of every board profile, or on the one real kit named by --port."""

import pytest

from makerkit.catalog import board_ids


def pytest_generate_tests(metafunc):
    if "kit_url" not in metafunc.fixturenames:
        return
    port = metafunc.config.getoption("--port")
    urls = [port] if port else [f"sim://{board}" for board in board_ids()]
    metafunc.parametrize("kit_url", urls)
