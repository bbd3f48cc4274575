"""The texts pyserial raises on each OS, mapped to errors a student can act on (fed verbatim)."""

from __future__ import annotations

import errno
import grp
import os

import pytest

from makerkit.errors import (ConnectionError_, PortBusyError, PortNotFoundError, PortPermissionError,
                             UsageError)
from makerkit.transport.open_errors import classify, open_error, permission_error

# Exactly what pyserial 3.5 says (serialposix.py, serialwin32.py, protocol_socket.py, __init__.py).
CASES = [
    # POSIX
    (errno.ENOENT, "could not open port /dev/ttyUSB0: [Errno 2] No such file or directory: '/dev/ttyUSB0'", False, "not_found"),
    (errno.EACCES, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied: '/dev/ttyUSB0'", False, "permission"),
    (errno.EBUSY, "could not open port /dev/ttyACM0: [Errno 16] Device or resource busy: '/dev/ttyACM0'", False, "busy"),
    (errno.EWOULDBLOCK, "Could not exclusively lock port /dev/ttyUSB0: [Errno 11] Resource temporarily unavailable", False, "busy"),
    (errno.ENXIO, "could not open port /dev/ttyS4: [Errno 6] No such device or address: '/dev/ttyS4'", False, "no_device"),
    (None, "Could not configure port: (5, 'Input/output error')", False, "no_device"),
    (None, "Could not configure port: (25, 'Inappropriate ioctl for device')", False, "not_serial"),
    # Windows (no errno on the exception; the text carries the Windows error)
    (None, "could not open port 'COM5': PermissionError(13, 'Access is denied.', None, 5)", True, "busy"),
    (None, "could not open port 'COM9': FileNotFoundError(2, 'The system cannot find the file specified.', None, 2)", True, "not_found"),
    (None, "could not open port 'COM4': OSError(22, 'The semaphore timeout period has expired.', None, 121)", True, "no_device"),
    (None, "could not open port 'COM3': OSError(22, 'A device attached to the system is not functioning.', None, 31)", True, "no_device"),
    # URLs
    (None, "Could not open port socket://127.0.0.1:7777: [Errno 111] Connection refused", False, "refused"),
    (None, "Could not open port socket://kit.invalid:7777: [Errno -2] Name or service not known", False, "refused"),
    (None, "invalid URL, protocol 'sim' not known", False, "bad_url"),
    (None, 'expected a string in the form "socket://<host>:<port>[?logging={debug|info|warning|error}]": port not given', False, "bad_url"),
    (None, "something nobody has seen before", False, "other"),
]


@pytest.mark.parametrize("err, text, windows, kind", CASES)
def test_classify(err, text, windows, kind):
    assert classify(err, text, windows=windows) == kind


def test_windows_access_denied_is_busy_and_says_it_cannot_tell_who():
    err = open_error("COM5", None, CASES[7][1], windows=True)
    assert isinstance(err, PortBusyError)
    assert "COM5" in err.message_en and "does not tell makerkit which" in err.message_en
    assert "COM5" in err.message_zh and "Arduino IDE" in err.hint_en and "串口监视器" in err.hint_zh


def test_windows_file_not_found_lists_the_ports_there_are():
    err = open_error("COM9", None, CASES[8][1], windows=True, available=["COM3", "COM4"])
    assert isinstance(err, PortNotFoundError)
    assert "COM9" in err.message_en and "COM3, COM4" in err.message_en and "COM3" in err.message_zh


def test_every_kind_builds_a_bilingual_error_with_a_hint():
    expected = {"not_found": PortNotFoundError, "permission": PortPermissionError, "busy": PortBusyError,
                "no_device": PortNotFoundError, "not_serial": UsageError, "refused": PortNotFoundError, "bad_url": UsageError,
                "other": ConnectionError_}
    for err_no, text, windows, kind in CASES:
        err = open_error("PORT-X", err_no, text, windows=windows, available=[])
        assert type(err) is expected[kind], (text, err)
        assert "PORT-X" in err.message_en and "PORT-X" in err.message_zh
        assert err.hint_en and err.hint_zh and err.hint_en != err.hint_zh


def test_permission_error_names_the_device_group(tmp_path):
    device = tmp_path / "ttyUSB0"
    device.write_bytes(b"")
    gid = os.stat(device).st_gid
    group = grp.getgrgid(gid).gr_name
    err = permission_error(str(device))
    assert isinstance(err, PermissionError)
    assert f"'{group}'" in err.message_en and f"'{group}'" in err.message_zh
    assert f"usermod -aG {group}" in err.hint_en and f"usermod -aG {group}" in err.hint_zh


def test_permission_error_without_a_device_file_still_explains():
    err = permission_error("/dev/makerkit-gone")
    assert "/dev/makerkit-gone" in err.message_en and "dialout" in err.hint_en
