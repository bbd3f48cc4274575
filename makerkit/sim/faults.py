"""Wire a virtual kit wrong on purpose: the faults a wiring check finds, for tests and for a
teacher who shows a class what a loose wire looks like.

    inject(kit.sim.world, "unplugged", "D4")          # the DHT on D4 is pulled out
    inject(world, "i2c-moved", "0x38", "0x39")        # the AHT20 answers at 0x39
    inject_spec(world, "stuck:D4")                    # the form `makerkit lesson ... --sim-fault` takes

Kinds (arguments after the kind, separated by ``:`` in a spec):

=================  ===============================================================================
``unplugged PIN``  the DHT or HC-SR04 on PIN is pulled out: no answer, no echo
``no-echo PIN``    the HC-SR04 with PIN hears no echo (the same as ``unplugged``)
``stuck PIN [L]``  the input is held at level L (default 0: a button on the pull-up stuck pressed)
``no-pull PIN``    the pin's pull resistor is missing: an input that nothing drives floats
``pin-busy PIN``   another circuit drives PIN low (a motor driver pin that is not free)
``rail PIN``       the analog pin reads full scale (the signal wire touches 5V)
``i2c-absent A``   nothing answers at I2C address A
``i2c-moved A B``  the device at address A answers at B instead
=================  ===============================================================================
"""

from __future__ import annotations

from typing import Callable

from ..errors import UsageError


def _address(text: str) -> int:
    try:
        value = int(str(text), 0)
    except ValueError:
        value = -1
    if not 0x08 <= value <= 0x77:
        raise UsageError(en=f"{text!r} is not an I2C address (0x08 to 0x77).",
                         zh=f"{text!r} 不是 I2C 地址（0x08 到 0x77）。")
    return value


def _i2c_absent(world, address: str) -> None:
    world.i2c_devices.pop(_address(address), None)


def _i2c_moved(world, address: str, to: str) -> None:
    device = world.i2c_devices.pop(_address(address), None)
    if device is not None:
        world.i2c_devices[_address(to)] = device


FAULTS: dict[str, Callable] = {
    "unplugged": lambda world, pin: world.unplug(pin),
    "no-echo": lambda world, pin: world.unplug(pin),
    "stuck": lambda world, pin, level="0": world.set_input(pin, int(level)),
    "no-pull": lambda world, pin: world.remove_pull(pin),
    "pin-busy": lambda world, pin: world.set_input(pin, 0),
    "rail": lambda world, pin: world.set_analog(pin, 1.0),
    "i2c-absent": _i2c_absent,
    "i2c-moved": _i2c_moved,
}


def inject(world, kind: str, *args: str) -> None:
    """Put the fault ``kind`` (see the module docstring) into the virtual kit's ``world``."""
    fn = FAULTS.get(kind)
    if fn is None:
        raise UsageError(en=f"There is no wiring fault called {kind!r}. Faults: {', '.join(FAULTS)}.",
                         zh=f"没有叫 {kind!r} 的接线故障。可用的故障：{'、'.join(FAULTS)}。")
    try:
        fn(world, *args)
    except TypeError:
        raise UsageError(en=f"The fault {kind!r} takes other arguments (see `makerkit lesson check --help`).",
                         zh=f"故障 {kind!r} 的参数不对（见 `makerkit lesson check --help`）。") from None


def inject_spec(world, spec: str) -> None:
    """Inject a fault written as ``KIND:ARG[:ARG]`` ("unplugged:D4", "i2c-moved:0x38:0x39")."""
    kind, *args = [piece.strip() for piece in str(spec).split(":")]
    inject(world, kind, *args)
