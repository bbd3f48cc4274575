"""The parts registry is the one place a part is declared: everything else is derived from it."""

from __future__ import annotations

import importlib
import inspect

import makerkit
from makerkit.catalog.parts import FEATURES, PARTS, kinds_for_role, part, part_of_class
from makerkit.device.base import Device
from makerkit.device.kit import Kit


def test_every_part_has_its_class_factory_export_and_sim():
    for entry in PARTS:
        cls = getattr(importlib.import_module(entry.module), entry.cls)
        assert issubclass(cls, Device), entry
        assert getattr(makerkit, entry.cls) is cls and entry.cls in makerkit.__all__
        factory = getattr(Kit, entry.factory)
        assert factory.__name__ == entry.factory and entry.cls in factory.__doc__
        params = list(inspect.signature(cls).parameters)
        assert params[:len(entry.pins)] == list(entry.pins), entry      # the pins lead, in order
        assert "kit" in params
        if entry.sim is not None:
            assert callable(importlib.import_module(f"makerkit.sim.parts.{entry.sim}").make)
        if entry.feature is not None:
            assert entry.feature in FEATURES
        assert part(entry.factory) is entry and part_of_class(entry.cls) is entry


def test_roles_come_from_the_registry():
    assert kinds_for_role("led") == ("led", "pwm_led")
    assert kinds_for_role("dht") == ("dht11", "dht22")
    assert kinds_for_role("line") == ("line_sensor", "analog_line_sensor")
    assert kinds_for_role("button") == ("button",)
    assert kinds_for_role("nothing") == ("nothing",)


def test_a_missing_feature_names_the_part():
    import pytest
    from makerkit.errors import FeatureNotSupportedError
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        kit.firmware = type(kit.firmware)(name="StandardFirmata", version="2.5", protocol=(2, 5),
                                          is_makerkit=False)
        with pytest.raises(FeatureNotSupportedError) as info:
            kit.dht11("D4")
    assert "DHT11/DHT22" in str(info.value)
