"""The note on a gap closed as lost says honestly what a short gap may be."""

from makerkit.collector.core import _lost_note


def test_a_short_gap_may_be_numbers_never_used_before_a_restart():
    note = _lost_note(16, 16)
    assert note.startswith("kit no longer holds 16..16") and "never used" in note


def test_a_long_gap_is_lost_readings():
    assert _lost_note(100, 400) == "kit no longer holds 100..400"
