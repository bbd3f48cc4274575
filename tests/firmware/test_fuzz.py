"""Random bytes never break the firmware: it keeps answering afterwards (hypothesis, CPython)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.firmware_cases import load_case

fakehal = load_case("fakehal")
mp_cases = load_case("mp_cases")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=st.lists(st.binary(max_size=64), max_size=12), esp32=st.booleans())
def test_random_bytes_then_a_clean_query(chunks, esp32):
    hal, app = mp_cases.make(fakehal.ESP32_PROFILE if esp32 else fakehal.UNO_PROFILE, repl=False)
    hal.i2c_devices[0x38] = bytearray(16)
    hal.dht[4] = (20.0, 50.0)
    for i, chunk in enumerate(chunks):
        app.feed(chunk, i)
        app.poll(i)
    app.feed(b"\xf7\xf9", 1000)   # end any half-open sysex, then ask the version
    assert b"\xf9\x02\x06" in app.poll(1000)
