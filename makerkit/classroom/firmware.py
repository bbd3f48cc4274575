"""``class status``: which kits of a class run outdated or foreign firmware, from the class inventory.

The inventory's ``firmware`` is what the kit last said it runs (its status message through the
collector, or its identity at deploy time), so the report needs no kit on a cable. Kits that need an
update are named with the command that updates them (``makerkit class update``).
"""

from __future__ import annotations

from ..flash import current as fwcurrent


def firmware_report(store, class_id: str) -> dict:
    """``{"class", "kits": [{kit, board, firmware, wanted, state, last_seen}], "counts": {state: n}}``."""
    kits = []
    counts = {fwcurrent.CURRENT: 0, fwcurrent.OUTDATED: 0, fwcurrent.FOREIGN: 0, fwcurrent.UNKNOWN: 0}
    for row in store.kits(class_id):
        state = fwcurrent.judge(row.get("board"), row.get("firmware"))
        counts[state.state] += 1
        kits.append({"kit": row["kit"], "board": row.get("board") or "", "firmware": state.running,
                     "wanted": state.wanted, "state": state.state, "last_seen": row.get("last_seen")})
    return {"class": class_id, "kits": kits, "counts": counts}


__all__ = ["firmware_report"]
