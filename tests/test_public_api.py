"""The public API of ``import makerkit``: a pinned ``__all__``, lazy loading, nothing opened on import."""

import subprocess
import sys

import makerkit

EXPECTED = [
    "AnalogLineSensor", "Button", "Buzzer", "DHT11", "DHT22", "DistanceSensor", "I2C", "Kit", "LED",
    "LightSensor", "LineSensor", "MakerkitError", "Motor", "MotorDriver", "PWMLED", "Potentiometer",
    "Servo", "connect", "pause",
]
# what a student does not use lives in its module
NOT_STUDENT = {"FirmataClient": "makerkit.device.client", "FirmwareInfo": "makerkit.device.handshake",
               "FirmwareWarning": "makerkit.device.handshake", "KitIdentity": "makerkit.device.handshake"}


def test_all_is_pinned():
    assert makerkit.__all__ == EXPECTED


def test_every_name_resolves_and_is_in_dir():
    for name in makerkit.__all__:
        assert getattr(makerkit, name) is not None
        assert name in dir(makerkit)
    assert makerkit.LED.__module__ == "makerkit.device.outputs"
    assert issubclass(makerkit.MakerkitError, Exception)


def test_the_rest_lives_in_its_module():
    import importlib
    for name, module in NOT_STUDENT.items():
        assert name not in makerkit.__all__
        assert getattr(importlib.import_module(module), name).__module__ == module
        assert name in importlib.import_module("makerkit.device").__all__


def test_unknown_name_is_an_attribute_error():
    try:
        makerkit.NoSuchThing
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_light_and_starts_no_thread():
    code = ("import sys, threading, makerkit; "
            "heavy = [m for m in ('serial', 'paho', 'esptool', 'adafruit_blinka', 'makerkit.device') if m in sys.modules]; "
            "print(threading.active_count(), heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "1 []"


def test_device_import_does_not_bring_in_blinka():
    code = ("import sys, makerkit; makerkit.connect; makerkit.LED; "
            "print('adafruit_blinka' in sys.modules, 'serial' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False False"
