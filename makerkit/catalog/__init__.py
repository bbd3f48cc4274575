"""Board profiles and lesson metadata: data files parsed into frozen dataclasses."""

from .boards import BoardProfile, PinInfo, UsbId, board_ids, load_board, load_boards, match_usb

__all__ = ["BoardProfile", "PinInfo", "UsbId", "board_ids", "load_board", "load_boards", "match_usb"]
