import pytest

from makerkit.sim import VirtualKit


@pytest.fixture
def uno():
    kit = VirtualKit("uno")
    yield kit
    kit.close()


@pytest.fixture
def esp32():
    kit = VirtualKit("esp32")
    yield kit
    kit.close()
