"""Enrolling a kit at deploy time: its own broker login, its incarnation and its inventory row.

``makerkit deploy --db URL`` gives the kit a login of role ``kit`` from the class's access list
(:func:`makerkit.access.logins.issue_login`): the username is derived (``7a.kit-07``), the password
is new and goes to the kit only; the store keeps its hash. A redeploy keeps the kit's password when
the one on the board still matches the stored hash, so a running broker keeps accepting the kit.

The incarnation (``inc``, docs/TELEMETRY.md §2) names one run of the kit's counters (``boot``,
``seq``). A kit whose counters file carries one keeps it; a new, erased or older kit, or one moved to
another class or kit id, gets a fresh one, written into the counters file and the config together,
and its counters start again inside it.
"""

from __future__ import annotations

import json

from ..access.logins import Credentials, issue_login, username_for
from ..access.passwords import verify_password
from ..errors import UsageError

STATE_PATH = "/mkfw_state.json"


def incarnation(state: dict, current: dict, *, kit_id: str, class_id: str, new: bool = False) -> tuple[str, bytes | None]:
    """The incarnation the kit runs in after the deploy, and the counters file to write (None: keep
    the board's). The board's counters (``state``) and config (``current``) keep theirs when they
    carry one and the kit keeps its class and id; a kit that moves to another class or id starts
    again too, so its new stream begins at seq 1. ``new`` starts a fresh one in any case."""
    from mkfw import config as fwconfig
    inc = state.get("inc")
    same_kit = (current.get("class"), current.get("kit")) == (class_id, kit_id)
    if not new and same_kit and isinstance(inc, str) and fwconfig.valid_inc(inc):
        return inc, None
    inc = fwconfig.new_inc()
    return inc, json.dumps({"inc": inc}, separators=(",", ":")).encode()


def check_class(store, class_id: str) -> None:
    """Refuse a deploy into a class the portfolio does not have, before the port is touched."""
    if not any(c["id"] == class_id for c in store.classes()):
        raise UsageError(en=f"There is no class {class_id!r} in the portfolio, so the kit cannot get a login.",
                         zh=f"作品集里没有班级 {class_id!r}，所以无法给套件创建登录账号。",
                         hint_en="Import the class first: makerkit class import --db URL --class ID roster.csv",
                         hint_zh="请先导入班级：makerkit class import --db 数据库 --class 班级 名单.csv")


def kit_login(store, *, class_id: str, kit_id: str, current: dict) -> Credentials:
    """The kit's own login: the one already on the board when it still matches the stored hash,
    else a new password (replacing the stored one)."""
    username = username_for(class_id=class_id, role="kit", kit=kit_id)
    row = store.login(username)
    on_board = current.get("password")
    if (row is not None and row["disabled_at"] is None and row["role"] == "kit" and current.get("username") == username
            and isinstance(on_board, str) and on_board and verify_password(on_board, row["pw_hash"])):
        return Credentials(username, on_board)
    return issue_login(store, class_id=class_id, role="kit", kit=kit_id, replace=True)


def register(store, *, class_id: str, kit_id: str, board: str, inc: str, identity: dict, build: str = "") -> dict:
    """Record the deployed kit in the class's inventory: board, hardware id, incarnation, firmware
    (``makerkit 1.0.0+BUILD``: the build the kit reports, else the one just written)."""
    from mkfw import wire
    firmware = f"{identity.get('fw') or wire.FIRMWARE_NAME} {identity.get('version') or wire.FIRMWARE_VERSION}"
    build = identity.get("build") if identity else build
    if build:
        firmware += f"+{build}"
    hw = identity.get("hw") if isinstance(identity.get("hw"), str) and identity.get("hw") else None
    store.register_kit(class_id, kit_id, board=board, hw_id=hw, inc=identity.get("inc") or inc, firmware=firmware)
    return store.kits(class_id, kit_id)[0]


__all__ = ["STATE_PATH", "check_class", "incarnation", "kit_login", "register"]
