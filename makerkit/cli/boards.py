"""``makerkit boards``: the board profiles makerkit knows."""

from __future__ import annotations

import json

import rich_click as click

from ..catalog import load_boards


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def boards(as_json: bool) -> None:
    """List the board profiles (boards/*.toml): id, name, chip, USB bridges, flashing method."""
    profiles = load_boards()
    if as_json:
        click.echo(json.dumps([{
            "id": b.id, "name": b.name, "chip": b.chip, "family": b.family,
            "flash_method": b.flash_method,
            "usb": [{"vid": f"{u.vid:04X}", "pid": f"{u.pid:04X}", "bridge": u.bridge} for u in b.usb],
        } for b in profiles.values()], ensure_ascii=False, indent=2))
        return
    for b in profiles.values():
        bridges = ", ".join(sorted({f"{u.bridge} {u.text}" for u in b.usb}))
        click.echo(f"{b.id:10} {b.name:32} {b.chip:11} {b.flash_method:9} {bridges}")
