"""The sans-I/O handshake: events and time in, actions out (no port, no clock, no thread)."""

from makerkit.protocol import firmata as fm
from makerkit.protocol.handshake import (PROBE_EVERY, QUERY_TIMEOUT, SETTLE, Handshake, Send, SetBaud)

HELLO = fm.report_version() + fm.report_firmware()


def sends(actions):
    return [a.data for a in actions if isinstance(a, Send)]


def bauds(actions):
    return [a.baud for a in actions if isinstance(a, SetBaud)]


def answer_makerkit(hs, now, board="uno"):
    hs.on_event(fm.ProtocolVersion(2, 6), now)
    hs.on_event(fm.FirmwareReport(1, 0, "makerkit"), now)


def test_first_question_then_repeats_every_250_ms():
    hs = Handshake(timeout=4.0, bauds=(None,))
    assert sends(hs.poll(0.0)) == [HELLO]
    assert hs.wake_at == PROBE_EVERY
    assert sends(hs.poll(0.1)) == []
    assert sends(hs.poll(PROBE_EVERY)) == [fm.report_version()]
    assert not hs.done


def test_silence_ends_in_no_answer_at_the_timeout():
    hs = Handshake(timeout=1.0)
    now = 0.0
    while not hs.done:
        hs.poll(now)
        now = hs.wake_at
    assert hs.failure.kind == "no_answer" and now == 1.0


def test_each_baud_gets_its_share_of_the_timeout():
    hs = Handshake(timeout=4.0, bauds=(115200, 57600))
    first = hs.poll(0.0)
    assert bauds(first) == [115200] and sends(first) == [HELLO]
    now = 0.0
    switched = None
    while switched is None:
        now = hs.wake_at
        actions = hs.poll(now)
        if bauds(actions):
            switched = (now, bauds(actions), sends(actions))
    assert switched == (2.0, [57600], [HELLO])


def test_garbage_switches_speed_at_once_and_settles_first():
    hs = Handshake(timeout=4.0, bauds=(115200, 57600), switch_on_garbage=True)
    hs.poll(0.0)
    hs.on_event(fm.Garbage(b"\x13\x37"), 0.3)
    actions = hs.poll(0.3)
    assert bauds(actions) == [57600] and sends(actions) == [HELLO]
    hs.on_event(fm.Garbage(b"\x01"), 0.35)          # still arriving at the old speed: not judged
    assert bauds(hs.poll(0.35)) == []
    after = hs.poll(0.3 + SETTLE)
    assert sends(after) == [fm.report_version()] and bauds(after) == []
    answer_makerkit(hs, 0.5)
    hs.poll(0.5)
    assert hs.answers.baud == 57600 and hs.answers.answered_after == 0.5


def test_garbage_switches_at_most_three_times():
    hs = Handshake(timeout=10.0, bauds=(115200, 57600), switch_on_garbage=True)
    hs.poll(0.0)
    switches = 0
    now = 0.0
    for _ in range(6):
        now += 0.2
        hs.on_event(fm.Garbage(b"\x00"), now)
        switches += bool(bauds(hs.poll(now)))
        now += SETTLE
        hs.poll(now)
    assert switches == 3


def test_a_connection_asks_for_everything_and_fails_naming_the_question():
    hs = Handshake(timeout=4.0, full=True, nonce=b"\x01\x7f")
    hs.poll(0.0)
    answer_makerkit(hs, 0.1)
    assert sends(hs.poll(0.1)) == [b"\xf0\x01\x01\x7f\xf7"]
    hs.on_event(fm.MkIdentity({"kit": "kit-01", "board": "uno"}), 0.2)
    assert sends(hs.poll(0.2)) == [fm.capability_query()]
    hs.on_event(fm.CapabilityReport(pins=((),) * 20), 0.3)
    assert sends(hs.poll(0.3)) == [fm.analog_mapping_query()]
    assert hs.poll(0.3 + QUERY_TIMEOUT) == [] and hs.done
    assert hs.failure.kind == "no_reply" and "analog" in hs.failure.what[0]


def test_every_handshake_sends_its_own_random_nonce_with_the_identity_query():
    nonces = set()
    for _ in range(20):
        hs = Handshake(timeout=4.0, full=True)
        hs.poll(0.0)
        answer_makerkit(hs, 0.1)
        (query,) = sends(hs.poll(0.1))
        assert query[:2] == b"\xf0\x01" and query[-1:] == b"\xf7" and len(query) == 11
        assert all(b <= 0x7F for b in query[2:-1])          # sysex data bytes
        nonces.add(query[2:-1])
    assert len(nonces) == 20


def test_a_probe_skips_the_pin_table_when_the_identity_names_a_known_board():
    hs = Handshake(timeout=4.0, full=False, board_known=lambda b: b == "uno")
    hs.poll(0.0)
    answer_makerkit(hs, 0.1)
    assert sends(hs.poll(0.1)) == [fm.mk_identity_query(hs.nonce)]
    hs.on_event(fm.MkIdentity({"kit": "kit-01", "board": "uno"}), 0.2)
    assert hs.poll(0.2) == [] and hs.done and hs.failure is None
    assert hs.answers.identity["kit"] == "kit-01"


def test_a_probe_of_stock_firmata_reads_the_pin_table_and_makes_do_without_answers():
    hs = Handshake(timeout=4.0, full=False)
    hs.poll(0.0)
    hs.on_event(fm.FirmwareReport(2, 5, "StandardFirmata.ino"), 0.1)
    assert sends(hs.poll(0.1)) == [fm.report_version()]      # the name came, the version did not
    now = 0.1
    while not hs.done:
        now = hs.wake_at
        actions = hs.poll(now)
        if fm.capability_query() in sends(actions):
            break
    hs.on_event(fm.CapabilityReport(pins=((),) * 20), now)
    hs.poll(now)
    assert hs.done and hs.failure is None and not hs.answers.is_makerkit
    assert len(hs.answers.capabilities) == 20 and hs.answers.version is None


def test_the_same_inputs_give_the_same_actions():
    def run():
        hs = Handshake(timeout=3.0, bauds=(115200, 57600), switch_on_garbage=True)
        log, now = [], 0.0
        for step in range(40):
            if step == 5:
                hs.on_event(fm.Garbage(b"\x7f"), now)
            log.append((round(now, 6), hs.poll(now)))
            if hs.done:
                break
            now = hs.wake_at
        return log
    assert run() == run()
