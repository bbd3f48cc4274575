"""mkfw.hal_esp32 and mkfw.main under the real MicroPython interpreter, over a fake ``machine``.

Run as ``micropython mp_esp32_cases.py TMPDIR`` (hal cases) or
``micropython mp_esp32_cases.py TMPDIR main`` (the main loop on stdin/stdout); ``... main net`` also
fakes ``network`` as a joined WiFi, so the kit reaches a broker on this computer.
"""

import json
import sys

import fake_machine as fm_

fm_.install(network="net" in sys.argv[3:])

from mkfw import wire
from mkfw.hal_esp32 import Esp32Hal


def case_pins_pwm_servo_tone(root):
    hal = Esp32Hal(12, root)
    hal.configure(2, wire.OUTPUT)
    hal.digital_write(2, 1)
    assert ("value", 2, 1) in fm_.LOG
    hal.configure(4, wire.PULLUP)
    assert ("Pin", 4, fm_.Pin.IN, fm_.Pin.PULL_UP) in fm_.LOG
    fm_.LEVELS[4] = 1
    assert hal.digital_read(4) == 1
    hal.configure(5, wire.PWM)
    hal.pwm_write(5, 1023, 10)
    assert fm_.LOG[-1] == ("duty_u16", 5, 65535)
    hal.configure(13, wire.SERVO)
    hal.servo_write(13, 1500)
    assert fm_.LOG[-1] == ("duty_ns", 13, 1500000)
    hal.tone(18, 440)
    assert ("PWM", 18, 440, None, 32768) in fm_.LOG
    hal.tone(18, 0)
    assert ("deinit", 18) in fm_.LOG


def case_adc_i2c_sonar_dht(root):
    hal = Esp32Hal(12, root)
    fm_.ADC_U16[36] = 65535
    hal.configure(36, wire.ANALOG)
    assert hal.analog_read(36) == 4095
    fm_.I2C_DEVICES[0x38] = b"\x1c\x01\x02"
    hal.i2c_setup(21, 22)
    hal.i2c_write(0x38, b"\xac\x33\x00", True)
    assert hal.i2c_read(0x38, 2) == b"\x1c\x01"
    try:
        hal.i2c_read(0x40, 1)
        assert False, "no device at 0x40"
    except OSError:
        pass
    fm_.PULSE_US[0] = 58 * 42
    assert hal.sonar_cm(16, 17) == 42
    fm_.PULSE_US[0] = -2
    assert hal.sonar_cm(16, 17) == 0
    fm_.DHT[15] = (21.5, 40.0)
    assert hal.dht_read(15, 22) == (21.5, 40.0)
    try:
        hal.dht_read(14, 11)
        assert False, "no DHT on 14"
    except OSError:
        pass


def case_config_and_state_files(root):
    hal = Esp32Hal(12, root)
    assert hal.load_config() == {}
    hal.save_config({"kit": "kit-01"})
    assert hal.load_config() == {"kit": "kit-01"}
    hal.save_state({"boot": 3})
    assert Esp32Hal(12, root).load_state() == {"boot": 3}


def case_ntp_sets_the_rtc_for_tls_certificate_dates(root):
    import sys as _sys
    _sys.modules["network"] = fm_.NetworkModule        # a kit on WiFi, with an NTP server that answers
    _sys.modules["ntptime"] = fm_.NtptimeModule
    try:
        hal = Esp32Hal(12, root)
        fm_.NTP_SECS[0] = None
        assert hal.ntp_time() is None
        assert not [e for e in fm_.LOG if e[0] == "rtc.datetime"]
        import time
        secs = 1796601600 - (946684800 if time.gmtime(0)[0] == 2000 else 0)   # 2026-12-07 00:00:00 UTC
        fm_.NTP_SECS[0] = secs
        assert hal.ntp_time() == 1796601600 * 1000
        assert fm_.LOG[-1] == ("rtc.datetime", (2026, 12, 7, 1, 0, 0, 0, 0)), fm_.LOG[-1]   # a Monday
        assert hal.load_ca() is None
        with open(root + "/ca.der", "wb") as f:
            f.write(b"\x30\x82")
        assert hal.load_ca() == b"\x30\x82"
    finally:
        del _sys.modules["network"]
        del _sys.modules["ntptime"]


def run_cases(root):
    failed = 0
    names = sorted(n for n in globals() if n.startswith("case_"))
    for name in names:
        try:
            globals()[name](root)
            print("PASS", name)
        except Exception as exc:
            failed += 1
            print("FAIL", name, repr(exc))
    print("DONE", len(names), "FAILED", failed)


if __name__ == "__main__":
    root = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "main":
        import mkfw.main
        mkfw.main.run(root)
    else:
        run_cases(root)
