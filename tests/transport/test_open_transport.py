"""open_transport over real ptys, real sockets and loop://: reads, writes, timeouts, the cable
pulled, closing from another thread, and every way opening fails."""

from __future__ import annotations

import fcntl
import grp  # imported before the permission test forks: the child as 'nobody' may not read the stdlib
import os
import pwd  # noqa: F401 - same reason
import select
import socket
import subprocess
import sys
import termios
import threading
import time

import pytest

from support.fake_board import FakeBoard, FakeSocketBoard
from makerkit.errors import (DisconnectedError, MakerkitError, PortBusyError, PortNotFoundError,
                             PortPermissionError, UsageError)
from makerkit.transport import normalize_port, open_transport
from makerkit.transport.base import Transport
from makerkit.transport.clock import WALL_CLOCK


@pytest.fixture
def pty_pair():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)
    yield master, name
    try:
        os.close(master)
    except OSError:
        pass


def wait_readable(fd, timeout=2.0) -> bytes:
    ready, _, _ = select.select([fd], [], [], timeout)
    assert ready, "nothing arrived"
    return os.read(fd, 4096)


# --- reading and writing -------------------------------------------------------------------------

def test_pty_round_trip_and_transport_shape(pty_pair):
    master, name = pty_pair
    with open_transport(name) as t:
        assert isinstance(t, Transport)
        assert t.url == name and t.is_open and t.clock.virtual is False
        t.write(b"\xf9\xf0\x79\xf7")
        assert wait_readable(master) == b"\xf9\xf0\x79\xf7"
        os.write(master, b"\xf9\x02\x06")
        assert t.read(4096, timeout=1.0) == b"\xf9\x02\x06"
    assert not t.is_open


def test_read_returns_empty_on_timeout_and_early_when_data_arrives(pty_pair):
    master, name = pty_pair
    with open_transport(name) as t:
        start = time.monotonic()
        assert t.read(timeout=0.2) == b""
        # waited the timeout out; the upper bound only guards against a read that blocks on
        assert 0.15 <= time.monotonic() - start < 5.0
        threading.Timer(0.1, os.write, (master, b"x")).start()
        start = time.monotonic()
        assert t.read(timeout=30.0) == b"x"
        assert time.monotonic() - start < 10.0  # returned when the byte came, not at the 30 s timeout


def test_read_takes_everything_available_up_to_size(pty_pair):
    master, name = pty_pair
    with open_transport(name) as t:
        os.write(master, bytes(range(100)))
        time.sleep(0.05)  # let the pty deliver all 100 bytes
        assert t.read(10, timeout=1) == bytes(range(10))
        assert t.read(4096, timeout=1) == bytes(range(10, 100))


def test_set_baud_changes_the_line_speed(pty_pair):
    master, name = pty_pair
    with open_transport(name, baud=115200) as t:
        assert termios.tcgetattr(master)[4] == termios.B115200
        t.set_baud(57600)
        assert termios.tcgetattr(master)[4] == termios.B57600


def test_pulse_reset_on_a_pty_is_a_harmless_no_op(pty_pair):
    _, name = pty_pair
    with open_transport(name) as t:
        t.pulse_reset()
        assert t.is_open


def test_clock_is_the_wall_clock(pty_pair):
    _, name = pty_pair
    with open_transport(name) as t:
        assert t.clock is WALL_CLOCK and not t.clock.virtual
        before = time.monotonic()
        t.clock.sleep(0.05)
        assert t.clock.now() - before >= 0.05
        assert t.clock.now() <= time.monotonic()


def test_loop_url_round_trip():
    with open_transport("loop://") as t:
        t.write(b"hello makerkit")
        assert t.read(4096, timeout=1.0) == b"hello makerkit"
        assert t.read(timeout=0.05) == b""


def test_socket_round_trip_and_peer_closing_is_a_disconnect():
    with FakeSocketBoard() as board:
        with open_transport(board.url) as t:
            t.write(bytes([0xF9]))
            assert t.read(timeout=2.0) == b"\xf9\x02\x06"
            board.hang_up()
            start = time.monotonic()
            with pytest.raises(DisconnectedError) as info:
                t.read(timeout=30.0)
            assert time.monotonic() - start < 10.0  # raised when the peer closed, not at the 30 s timeout
            assert board.url in info.value.message_en


# --- the cable pulled, closing from another thread -------------------------------------------------

def test_cable_pulled_while_a_read_blocks_raises_at_once():
    with FakeBoard() as board:
        t = open_transport(board.port)
        outcome = {}

        def reader():
            start = time.monotonic()
            try:
                outcome["data"] = t.read(timeout=60.0)
            except MakerkitError as err:
                outcome["error"] = err
            outcome["after"] = time.monotonic() - start

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        time.sleep(0.2)  # the read is now blocked
        board.unplug()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert isinstance(outcome.get("error"), DisconnectedError)
        assert outcome["after"] < 10.0  # raised by the pull (select() wakes on EIO), not at the 60 s timeout
        err = outcome["error"]
        assert "USB" in err.message_en and "USB" in err.message_zh and err.hint_zh
        # it stays lost: writes and reads fail at once instead of hanging
        with pytest.raises(DisconnectedError):
            t.write(b"\xf9")
        with pytest.raises(DisconnectedError):
            t.read(timeout=5.0)
        t.close()


def test_write_after_the_cable_was_pulled_raises():
    with FakeBoard() as board:
        with open_transport(board.port) as t:
            board.unplug()
            with pytest.raises(DisconnectedError):
                t.write(b"\xf9" * 64)


def test_read_without_timeout_waits_for_data(pty_pair):
    master, name = pty_pair
    with open_transport(name) as t:
        threading.Timer(0.1, os.write, (master, b"late")).start()
        assert t.read(timeout=None) == b"late"


def test_close_from_another_thread_releases_a_blocked_read(pty_pair):
    _, name = pty_pair
    t = open_transport(name)
    outcome = {}

    def reader():
        start = time.monotonic()
        outcome["data"] = t.read(timeout=60.0)
        outcome["after"] = time.monotonic() - start

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.2)
    t.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and outcome["data"] == b""
    assert outcome["after"] < 10.0  # released by close() (the wake-up pipe), not at the 60 s timeout
    assert t.read(timeout=1.0) == b""  # closed: reads are empty, not errors
    with pytest.raises(DisconnectedError):
        t.write(b"x")
    t.close()  # twice is fine


# --- opening fails -------------------------------------------------------------------------------

def test_no_such_port():
    with pytest.raises(PortNotFoundError) as info:
        open_transport("/dev/ttyUSB-makerkit-missing")
    err = info.value
    assert "/dev/ttyUSB-makerkit-missing" in err.message_en and "/dev/ttyUSB-makerkit-missing" in err.message_zh
    assert "makerkit ports" in err.hint_en and "makerkit ports" in err.hint_zh
    assert isinstance(err, FileNotFoundError) and err.exit_code == 3


def test_socket_to_a_closed_port():
    with socket.socket() as s:  # find a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(PortNotFoundError) as info:
        open_transport(f"socket://127.0.0.1:{port}")
    assert f"127.0.0.1:{port}" in info.value.message_en
    assert "sim serve" in info.value.hint_en


def test_sim_and_unknown_urls_are_usage_errors():
    with pytest.raises(UsageError) as info:
        open_transport("sim://uno")
    assert "makerkit.connect" in info.value.message_en
    with pytest.raises(UsageError):
        open_transport("carrier-pigeon://coop")
    with pytest.raises(UsageError):
        open_transport("   ")


def test_busy_in_the_same_program(pty_pair):
    _, name = pty_pair
    with open_transport(name):
        with pytest.raises(PortBusyError) as info:
            open_transport(name)
        assert "this same program" in info.value.message_en
        assert info.value.details["holders"][0]["pid"] == os.getpid()
        with open_transport(name, exclusive=False) as shared:  # no lock asked for: allowed
            assert shared.is_open


HOLDER = """
import sys, serial
s = serial.Serial(sys.argv[1], exclusive=True)
print("holding", flush=True)
sys.stdin.read()
"""


def test_busy_names_the_program_holding_the_port(pty_pair):
    _, name = pty_pair
    child = subprocess.Popen([sys.executable, "-c", HOLDER, name], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 10)
        assert ready and child.stdout.readline().strip() == "holding"
        with pytest.raises(PortBusyError) as info:
            open_transport(name)
        err = info.value
        assert f"PID {child.pid}" in err.message_en and f"PID {child.pid}" in err.message_zh
        assert "python" in err.message_en
        assert f"PID {child.pid}" in err.hint_en  # "Close python3 (PID ...), then try again."
        assert [h["pid"] for h in err.details["holders"]] == [child.pid]
    finally:
        child.stdin.close()
        child.wait(timeout=10)
    with open_transport(name) as t:  # free again once it exits
        assert t.is_open


def open_as_nobody(name: str, close_fds=()) -> list[str]:
    """Fork a child that drops to 'nobody' and opens ``name``; return what happened:
    ``[class name, message_en, hint_en, message_zh]``. Root bypasses permissions and TIOCEXCL, so
    only an unprivileged process sees the errors a student sees."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 1
        try:
            for fd in (read_fd, *close_fds):  # a forked child shares the parent's descriptors
                os.close(fd)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                open_transport(name).close()
                result = "opened\n\n\n"
            except MakerkitError as err:
                result = f"{type(err).__name__}\n{err.message_en}\n{err.hint_en}\n{err.message_zh}"
            except BaseException as err:  # noqa: BLE001 - report anything to the parent
                result = f"{type(err).__name__}\n{err}\n\n"
            os.write(write_fd, result.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    ready, _, _ = select.select([read_fd], [], [], 20)
    assert ready
    chunks = []
    while chunk := os.read(read_fd, 4096):
        chunks.append(chunk)
    os.close(read_fd)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode().split("\n")


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")


@needs_root
def test_no_permission_names_the_group(pty_pair):
    """The pty slave given to the group a USB serial port has (root:dialout, mode 0660), opened
    by 'nobody': the real EACCES path, end to end."""
    _, name = pty_pair
    group = next((g for g in ("dialout", "uucp", "tty") if _group_exists(g)), None)
    if group is None:
        pytest.skip("no serial group on this system")
    os.chown(name, 0, grp.getgrnam(group).gr_gid)
    os.chmod(name, 0o660)
    kind, message, hint, message_zh = open_as_nobody(name)
    assert kind == "PortPermissionError"
    assert name in message and f"'{group}' group" in message and f"'{group}'" in message_zh
    assert f"usermod -aG {group}" in hint


@needs_root
def test_ebusy_from_a_tiocexcl_holder_of_another_user(pty_pair):
    """A program holding the port with TIOCEXCL (as the Arduino IDE's serial library does) makes
    open() fail with EBUSY; the holder belongs to another user, so /proc cannot name it."""
    _, name = pty_pair
    os.chmod(name, 0o666)
    held = os.open(name, os.O_RDWR | os.O_NOCTTY)
    try:
        fcntl.ioctl(held, termios.TIOCEXCL)
        kind, message, hint, message_zh = open_as_nobody(name, close_fds=(held,))
    finally:
        fcntl.ioctl(held, termios.TIOCNXCL)  # a pty keeps the flag while its master is open
        os.close(held)
    assert kind == "PortBusyError"
    assert name in message and "another user" in message and "另一个用户" in message_zh
    assert "Arduino IDE" in hint
    assert open_as_nobody(name)[0] == "opened"  # released: it opens


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def test_normalize_port_helps_with_what_people_type():
    assert normalize_port(" loop:// ") == "loop://"
    if os.path.exists("/dev/null"):
        assert normalize_port("null") == "/dev/null"
    assert normalize_port("/dev/ttyUSB7") == "/dev/ttyUSB7"


def test_importing_the_transport_layer_loads_no_pyserial():
    code = "import sys, makerkit.transport, makerkit.device.probe; print('serial' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
