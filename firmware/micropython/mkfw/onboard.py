"""The board's own sensors, sampled by the firmware itself (MicroPython-compatible).

A board with sensors of its own (the 掌控板's light and sound sensors) publishes them every
``interval`` seconds of its configuration (``makerkit deploy --interval N``), with no lesson script
running: a class set shows up on the dashboard as soon as it is switched on. Values are percent of
the sensor's range (``units`` say so). The board profile names the sensors (``"sensors"``:
``{name: pin}``, from the ``[onboard]`` table of makerkit's board profile).
"""

UNIT = "%"


def sampler(hal, pins, adc_bits):
    """``fn(now_ms) -> {name: percent}`` reading each of ``pins`` (``{name: pin}``) once."""
    top = (1 << adc_bits) - 1

    def sample(now_ms):
        out = {}
        for name in pins:
            try:
                out[name] = round(hal.analog_read(pins[name]) * 100.0 / top, 1)
            except (OSError, ValueError):
                pass   # a sensor that fails this time is left out of this reading
        return out
    return sample


def install(telemetry, hal, profile):
    """Register the board's own sensors as a telemetry source; returns their names."""
    pins = profile.get("sensors") or {}
    if telemetry is None or not pins:
        return ()
    units = {}
    for name in pins:
        units[name] = UNIT
    telemetry.add_source(sampler(hal, pins, profile.get("adc_bits", 12)), units)
    return tuple(sorted(pins))
