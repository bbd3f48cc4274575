"""probe() against the virtual kit: the real makerkit firmware (mkfw) on a simulated board."""

from __future__ import annotations

import json

import pytest

from makerkit.device.probe import probe
from makerkit.sim import VirtualKit
from makerkit.transport.base import Transport


def test_the_virtual_kit_transport_has_the_transport_shape():
    kit = VirtualKit("uno")
    try:
        assert isinstance(kit.transport, Transport) and kit.transport.clock.virtual
    finally:
        kit.close()


@pytest.mark.parametrize("board", ["uno", "esp32"])
def test_probe_reads_the_firmware_identity(board):
    kit = VirtualKit(board)
    try:
        clock = kit.transport.clock          # the virtual kit's: simulated seconds, exact
        start = clock.now()
        result = probe(kit.transport, timeout=2.0)
        took = clock.now() - start
        assert kit.transport.is_open  # a transport passed in stays open
    finally:
        kit.close()
    assert result.is_makerkit and result.firmware_name == "makerkit"
    assert (result.board, result.board_source) == (board, "identity")
    assert result.url == f"sim://{board}" and result.baud is None
    assert result.protocol_version == "2.6" and "telemetry" in result.features
    assert clock.virtual and took < 0.05   # answered the first questions (a round trip is a 1 ms step), not at 2 s


def test_probe_reports_a_configured_kit_id_and_class(tmp_path):
    (tmp_path / "makerkit.json").write_text(json.dumps({"kit": "kit-21", "class": "7b"}))
    kit = VirtualKit("esp32", fs_dir=tmp_path)
    try:
        result = probe(kit.transport)
    finally:
        kit.close()
    assert (result.kit, result.class_name) == ("kit-21", "7b")
