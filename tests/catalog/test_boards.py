"""Board profiles: every shipped profile parses; malformed ones fail naming the file and the key."""

import shutil

import pytest

from makerkit.catalog import load_board, load_boards, match_usb
from makerkit.catalog.boards import boards_dir
from makerkit.errors import CatalogError, PinError, UnknownBoardError

REQUIRED = {"uno", "nano", "mega2560", "esp32", "esp32s3", "mpython"}


def test_all_required_profiles_ship_and_parse():
    boards = load_boards()
    assert REQUIRED <= set(boards)
    for board in boards.values():
        assert board.usb, board.id
        assert board.led_builtin is None or board.pin("LED_BUILTIN").name == board.led_builtin
        assert board.pin(board.i2c_sda) and board.pin(board.i2c_scl)
        assert any(p.pwm for p in board.pins) and any(p.analog_channel is not None for p in board.pins)


@pytest.mark.parametrize("vid, pid, expected", [
    (0x1A86, 0x7523, {"uno", "nano", "mega2560", "esp32", "esp32s3"}),  # CH340: ambiguous, --probe decides
    (0x1A86, 0x55D4, {"esp32", "esp32s3", "mpython"}),                  # CH9102
    (0x10C4, 0xEA60, {"esp32", "mpython"}),                             # CP2102 / CP2104
    (0x0403, 0x6001, {"nano"}),                                          # FTDI FT232R
    (0x2341, 0x0043, {"uno"}),
    (0x303A, 0x1001, {"esp32s3"}),
])
def test_usb_ids_match_the_boards_that_use_that_bridge(vid, pid, expected):
    assert {b.id for b, _ in match_usb(vid, pid)} == expected


def test_pins_by_printed_name_alias_and_number():
    uno = load_board("uno")
    assert uno.pin("D13").number == 13
    assert uno.pin("led_builtin").name == "D13"
    assert uno.pin("13").name == "D13"
    assert uno.pin("A0").analog_channel == 0 and uno.pin("A0").number == 14
    assert uno.pin("D3", mode="pwm").pwm
    esp = load_board("esp32")
    assert esp.pin("IO2").name == "GPIO2" and esp.pin("D2").name == "GPIO2"
    assert "output" not in esp.pin("GPIO34").modes
    mp = load_board("掌控板")
    assert mp.pin("BUTTON_A").name == "P5" and mp.pin("GPIO0").name == "P5"


def test_pin_errors_list_the_valid_pins():
    uno = load_board("uno")
    with pytest.raises(PinError) as err:
        uno.pin("D20")
    assert "D13" in err.value.message_en and "A5" in err.value.message_en
    with pytest.raises(PinError) as err:
        uno.pin("D4", mode="pwm")
    assert "D3" in err.value.message_en and "D11" in err.value.message_en
    assert "D4" in err.value.message_zh


def test_unknown_board_lists_known_ones():
    with pytest.raises(UnknownBoardError) as err:
        load_board("raspberry-pico")
    assert "uno" in err.value.message_en and err.value.hint_zh


@pytest.mark.parametrize("edit, key", [
    (("schema = 1", "schema = 9"), "schema"),
    (('family = "avr"', 'family = "pic"'), "family"),
    (('vid = "2341"', 'vid = "23"'), "usb[0].vid"),
    (("D13 = 13", "D13 = 300"), "pins.digital.D13"),
    (('led_builtin = "D13"', 'led_builtin = "D99"'), "pins.led_builtin"),
    (('pwm = ["D3"', 'pwm = ["D30"'), "pins.pwm"),
    (("flash_size = 32768", 'flash_size = "big"'), "flash_size"),
    (('id = "uno"', 'id = "other"'), "id"),
    (("default_baud = 115200", ""), "default_baud"),
])
def test_malformed_profiles_name_the_file_and_key(tmp_path, edit, key):
    src = (boards_dir() / "uno.toml").read_text(encoding="utf-8")
    assert edit[0] in src
    bad = tmp_path / "uno.toml"
    bad.write_text(src.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_boards(tmp_path)
    assert str(bad) in err.value.message_en and f"'{key}'" in err.value.message_en


def test_broken_toml_names_the_file(tmp_path):
    shutil.copy(boards_dir() / "uno.toml", tmp_path / "uno.toml")
    (tmp_path / "uno.toml").write_text("schema = = 1", encoding="utf-8")
    with pytest.raises(CatalogError, match="uno.toml"):
        load_boards(tmp_path)
