"""The STK500v1 codec: golden frames (as avrdude and Optiboot exchange them) and reply checks."""

import pytest
from hypothesis import given, strategies as st

from makerkit.protocol import stk500


def test_golden_frames():
    assert stk500.get_sync().frame == b"0 "
    assert stk500.read_signature().frame == b"u "
    assert stk500.read_signature().reply_size == 5
    assert stk500.enter_progmode().frame == b"P "
    assert stk500.leave_progmode().frame == b"Q "
    assert stk500.get_parameter(stk500.PARM_SW_MAJOR).frame == b"A\x81 "
    # byte address 0x1234 is word address 0x091A, little-endian on the wire
    assert stk500.load_address(0x1234).frame == b"U\x1a\x09 "
    assert stk500.prog_page(b"\x01\x02\x03").frame == b"d\x00\x03F\x01\x02\x03 "
    assert stk500.read_page(256).frame == b"t\x01\x00F "
    assert stk500.read_page(256).reply_size == 258
    assert stk500.universal(0x30, 0, 0, 0).frame == b"V0\x00\x00\x00 "


def test_reply_parsing():
    sig = stk500.read_signature()
    assert stk500.parse_reply(sig, b"") is None
    assert stk500.parse_reply(sig, b"\x14\x1e\x95") is None
    assert stk500.parse_reply(sig, b"\x14\x1e\x95\x0f\x10") == b"\x1e\x95\x0f"
    assert stk500.parse_reply(stk500.get_sync(), b"\x14\x10") == b""
    for bad, kind in ((b"\x15", "nosync"), (b"\xf9\x02", "garbled"), (b"\x14\x1e\x95\x0f\x11", "failed"),
                      (b"\x14\x1e\x95\x0f\x12", "garbled"), (b"\x14\x10\x14", "garbled")):
        command = sig if len(bad) >= 5 else stk500.get_sync()
        with pytest.raises(stk500.Stk500ReplyError) as info:
            stk500.parse_reply(command, bad)
        assert info.value.kind == kind


def test_bad_arguments():
    with pytest.raises(ValueError):
        stk500.load_address(3)
    with pytest.raises(ValueError):
        stk500.prog_page(b"")
    with pytest.raises(ValueError):
        stk500.read_page(257)


@given(st.binary(min_size=1, max_size=256))
def test_read_reply_round_trip(data):
    command = stk500.read_page(len(data))
    reply = bytes([stk500.STK_INSYNC]) + data + bytes([stk500.STK_OK])
    for cut in range(len(reply)):
        assert stk500.parse_reply(command, reply[:cut]) is None
    assert stk500.parse_reply(command, reply) == data
