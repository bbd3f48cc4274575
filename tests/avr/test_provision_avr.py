"""Issue 9: an Arduino class set through ``class provision --board uno``: two emulated Unos with Optiboot
are flashed with makerkit's image at once, each gets its kit id and class over Firmata (MK_CONFIG) and is
registered; a second run finds both already done and flashes nothing."""

from __future__ import annotations

import makerkit
from makerkit.classroom.provision import ALREADY_DONE, PROVISIONED, provision
from makerkit.flash.current import wanted_firmware
from makerkit.store import open_store


def test_two_unos_flashed_then_given_their_ids_over_firmata(tmp_path, uno_factory, optiboot):
    db = f"sqlite:///{tmp_path}/p.db"
    with open_store(db) as store:
        store.add_class("7c")
        for name in ("Ada", "Lin"):
            store.add_student("7c", name)
    unos = [uno_factory(boot=optiboot), uno_factory(boot=optiboot)]
    result = provision(db=db, class_id="7c", board="uno", ports=[u.port for u in unos], assign=True)
    assert [(o.kit, o.state) for o in result.outcomes] == [("kit-01", PROVISIONED), ("kit-02", PROVISIONED)], \
        [o.error for o in result.outcomes]
    assert all(o.flashed_bytes > 0 for o in result.outcomes)
    for uno, kit_id in zip(unos, ("kit-01", "kit-02")):
        with makerkit.connect(uno.port, board="uno", timeout=30, clock="real") as kit:
            assert (kit.identity.kit_id, kit.identity.class_id) == (kit_id, "7c")       # kept in EEPROM
    with open_store(db) as store:
        kits = store.kits("7c")
        assert [k["kit"] for k in kits] == ["kit-01", "kit-02"] and {k["board"] for k in kits} == {"uno"}
        assert {k["firmware"] for k in kits} == {wanted_firmware("uno")}
        assert len([h for h in store.history("7c") if h.until is None]) == 2
    again = provision(db=db, class_id="7c", board="uno", ports=[u.port for u in unos])
    assert {o.state for o in again.outcomes} == {ALREADY_DONE} and not any(o.flashed_bytes for o in again.outcomes)
