"""mpremote's own transport (SerialTransport) against the served virtual ESP32 over socket://."""

import json
import time

import pytest
import serial

pytest.importorskip("mpremote")
from mpremote.transport import TransportExecError
from mpremote.transport_serial import SerialTransport

from makerkit.protocol import firmata as fm
from makerkit.sim import serve


def hand_back_to_repl(url):
    """What `makerkit deploy` does first: MK_REPL over Firmata, then the REPL prompt."""
    port = serial.serial_for_url(url, baudrate=115200, timeout=0.1)
    try:
        port.write(fm.mk_repl())
        data = b""
        end = time.monotonic() + 5
        while not data.endswith(b">>> ") and time.monotonic() < end:
            data += port.read(256)
        events = fm.FirmataDecoder().feed(data)
        assert any(isinstance(e, fm.MkReplReady) for e in events), data
        assert data.endswith(b">>> "), data
    finally:
        port.close()


def wait_disconnected(server):
    end = time.monotonic() + 3
    while server.client_connected and time.monotonic() < end:
        time.sleep(0.01)


@pytest.fixture
def server():
    server = serve("esp32", listen="127.0.0.1:0")
    yield server
    server.close()


def test_mpremote_raw_repl_exec_and_files(server):
    hand_back_to_repl(server.url)
    wait_disconnected(server)
    t = SerialTransport(server.url, baudrate=115200)
    try:
        t.enter_raw_repl(soft_reset=False)
        assert t.exec("print(1 + 2)") == b"3\r\n"
        assert t.eval("[x * x for x in range(4)]") == [0, 1, 4, 9]
        with pytest.raises(TransportExecError) as info:
            t.exec("raise ValueError('nope')")
        assert "ValueError: nope" in info.value.error_output

        payload = bytes(range(256)) * 5 + "温度".encode()      # more than one 256-byte chunk
        t.fs_writefile("/data.bin", payload)
        assert t.fs_readfile("/data.bin") == payload
        assert t.fs_stat("/data.bin").st_size == len(payload)
        t.fs_mkdir("/lib")
        t.fs_writefile("/lib/a.py", b"x = 1\n")
        names = sorted(entry.name for entry in t.fs_listdir("/"))
        assert names == ["data.bin", "lib", "mkfw_state.json"]
        assert t.fs_isdir("/lib") and not t.fs_exists("/nothing")
        import hashlib
        assert t.fs_hashfile("/data.bin", "sha256") == hashlib.sha256(payload).digest()
        with pytest.raises(OSError):
            t.fs_stat("/nothing")
        t.fs_rmfile("/lib/a.py")
        t.fs_rmdir("/lib")
        assert server.kit.fs.read("/data.bin") == payload

        # a raw-mode soft reset, as `mpremote` does before running a script: stays in the raw REPL
        t.enter_raw_repl(soft_reset=True)
        assert t.exec("print('after reset')") == b"after reset\r\n"
        t.exit_raw_repl()
    finally:
        t.close()


def test_mpremote_configures_the_kit_and_soft_reset_brings_firmata_back(server):
    hand_back_to_repl(server.url)
    wait_disconnected(server)
    t = SerialTransport(server.url, baudrate=115200)
    try:
        t.enter_raw_repl(soft_reset=False)
        t.fs_writefile("/makerkit.json", json.dumps({"kit": "kit-17", "class": "7a"}).encode())
        t.exit_raw_repl()
        t.read_until(1, b">>> ", timeout=5)
        t.serial.write(b"\x04")                          # Ctrl-D at the friendly prompt: soft reset
        assert t.read_until(1, b"MPY: soft reboot\r\n", timeout=5).endswith(b"MPY: soft reboot\r\n")
        # the firmware starts again after its boot window and answers Firmata with the new kit id
        decoder, events = fm.FirmataDecoder(), []
        end = time.monotonic() + 5
        identity = None
        while identity is None and time.monotonic() < end:
            t.serial.write(fm.mk_identity_query())
            chunk_end = time.monotonic() + 0.25
            while time.monotonic() < chunk_end and identity is None:
                events += decoder.feed(t.serial.read(max(1, t.serial.in_waiting)))
                identity = next((e for e in events if isinstance(e, fm.MkIdentity)), None)
        assert identity is not None
        assert identity.info["kit"] == "kit-17" and identity.info["class"] == "7a"
        assert identity.info["boot"] == 2
    finally:
        t.close()
