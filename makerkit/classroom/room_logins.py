"""Who the one-laptop classroom's own devices are: kit ids for its virtual kits that no real kit of the
class has, and (beyond loopback) logins for them, its collector and its dashboard that live in memory only.

The room never writes a login into the portfolio and never gives a stored login a new password: a real
kit of the class (deployed with ``--db``, provisioned, or given a login with ``access add``) keeps its
password, and its readings never mix with a virtual kit's. The broker gets the class's stored logins
plus the room's own, whose usernames no stored login has.

A virtual kit's id is its own when the room made it before: its flash folder (``classroom.db.kits/kit-01/``)
exists, unless the class's inventory holds a board of that id with another hardware id (a real kit has
been given the id since). Any other id is free when the class has no login (also a removed one), no
inventory row and no holder history for it; taken ids are skipped (``kit-01``, ``kit-02`` taken: the
virtual kits are ``kit-03``, ``kit-04``...).
"""

from __future__ import annotations

import json
import os

from ..access.logins import Credentials, username_for
from ..access.passwords import hash_password, new_password
from ..store.records import now_iso

ROOM_NAME = "classroom"


def virtual_kit_id(index: int) -> str:
    return f"kit-{index:02d}"


def _virtual_hw(kits_dir: str, kit: str) -> str | None:
    """The hardware id the room's virtual kit keeps in its flash (``/mkfw_hw.json``), if it has one."""
    try:
        with open(os.path.join(kits_dir, kit, "mkfw_hw.json"), encoding="utf-8") as fh:
            hw = json.load(fh).get("hw")
    except (OSError, ValueError, AttributeError):
        return None
    return hw if isinstance(hw, str) and hw else None


def room_kit_ids(store, class_id: str, count: int, kits_dir: str) -> list[str]:
    """``count`` kit ids for the room's virtual kits (see the module documentation)."""
    inventory = {row["kit"]: row for row in store.kits(class_id)}
    taken = set(inventory)
    taken |= {row["kit_id"] for row in store.logins(class_id, "kit", enabled_only=False) if row["kit_id"]}
    taken |= {hold.kit for hold in store.history(class_id)}
    chosen: list[str] = []
    n = 0
    while len(chosen) < count:
        n += 1
        kit = virtual_kit_id(n)
        if os.path.isdir(os.path.join(kits_dir, kit)):
            row = inventory.get(kit)
            if row is None or not row.get("hw_id") or row["hw_id"] == _virtual_hw(kits_dir, kit):
                chosen.append(kit)
        elif kit not in taken:
            chosen.append(kit)
    return chosen


def _free_name(role: str, class_id: str, used: set[str]) -> str:
    name, n = ROOM_NAME, 1
    while username_for(class_id=class_id, role=role, name=name) in used:
        n += 1
        name = f"{ROOM_NAME}-{n}"
    return name


def _row(credentials: Credentials, role: str, class_id: str, kit: str | None) -> dict:
    return {"username": credentials.username, "role": role, "class_id": class_id, "kit_id": kit,
            "pw_hash": hash_password(credentials.password), "created_at": now_iso(), "disabled_at": None}


def room_logins(store, class_id: str, kit_ids: list[str]) -> tuple[dict[str, Credentials], list[dict]]:
    """New passwords, in memory only, for the room's collector (``collector``), dashboard (``dashboard``) and
    each virtual kit (by kit id); and the broker's logins: every enabled stored login of the class, then the
    room's own. A stored login of a room kit's username (made by an older makerkit's ``classroom up``) is
    left in the store and replaced only in this broker's list."""
    stored = store.logins(class_id)
    used = {row["username"] for row in store.logins(class_id, enabled_only=False)}
    own: dict[str, Credentials] = {}
    rows: list[dict] = []
    for role in ("collector", "dashboard"):
        username = username_for(class_id=class_id, role=role, name=_free_name(role, class_id, used))
        own[role] = Credentials(username, new_password())
        rows.append(_row(own[role], role, class_id, None))
    for kit in kit_ids:
        own[kit] = Credentials(username_for(class_id=class_id, role="kit", kit=kit), new_password())
        rows.append(_row(own[kit], "kit", class_id, kit))
    mine = {row["username"] for row in rows}
    return own, [row for row in stored if row["username"] not in mine] + rows
