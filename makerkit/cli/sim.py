"""``makerkit sim``: run the virtual kit for other programs."""

from __future__ import annotations

import signal
import threading

import rich_click as click

from ..i18n import current_language


@click.group()
def sim() -> None:
    """The virtual kit: a simulated board running the real makerkit firmware.

    虚拟套件：在模拟的开发板上运行真正的 makerkit 固件。
    """


@sim.command()
@click.option("--board", default="uno", show_default=True, help="Board profile to simulate (`makerkit boards`).")
@click.option("--listen", default=None, metavar="HOST:PORT",
              help="Serve at socket://HOST:PORT (loopback only; port 0 picks a free one). Default: 127.0.0.1:0 unless --pty.")
@click.option("--pty", "use_pty", is_flag=True, help="Also offer a pseudo-terminal (Linux/macOS) and print its path.")
@click.option("--seed", default=0, show_default=True, help="Seed of the simulated world's randomness.")
@click.option("--fs-dir", type=click.Path(file_okay=False), default=None,
              help="Keep the kit's filesystem in this folder (default: in memory while it runs).")
def serve(board: str, listen: str | None, use_pty: bool, seed: int, fs_dir: str | None) -> None:
    """Serve a virtual kit in real time until Ctrl-C (or SIGTERM).

    Other programs connect as to a board on a cable: pyserial / pyfirmata2 / mpremote with the
    printed socket:// URL or pty path. ESP32 boards also offer the MicroPython REPL.
    """
    from ..sim.server import serve as start

    if listen is None and not use_pty:
        listen = "127.0.0.1:0"
    stop = threading.Event()
    server = start(board, listen=listen, pty=use_pty, seed=seed, fs_dir=fs_dir)
    zh = current_language() == "zh"
    name = server.kit.board.name_zh if zh else server.kit.board.name
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        if server.url:
            click.echo((f"虚拟{name}已在 {server.url} 上运行" if zh else f"Virtual {name} serving at {server.url}"))
        if server.pty_path:
            click.echo((f"虚拟{name}的伪终端：{server.pty_path}" if zh else f"Virtual {name} on pseudo-terminal {server.pty_path}"))
        click.echo("按 Ctrl-C 停止。" if zh else "Press Ctrl-C to stop.")
        stop.wait()
    finally:
        server.close()
