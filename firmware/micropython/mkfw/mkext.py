"""makerkit's own sysex messages: MK_IDENTITY, MK_CONFIG and MK_REPL (MicroPython-compatible).

MK_ERROR is sent by ``FirmataServer.error``; MK_TELEMETRY lives in ``mkfw.telemetry``.
"""

from . import config as cfg
from . import wire



def identity(server):
    info = {"fw": wire.FIRMWARE_NAME, "version": wire.FIRMWARE_VERSION, "proto": wire.PROTO,
            "board": server.profile.id, "kit": server.config.get("kit", ""),
            "class": server.config.get("class", ""), "boot": server.boot,
            "inc": server.config.get("inc", ""), "build": server.config.get("build", ""),
            "hw": hardware_id(server.hal),
            "features": list(server.features)}
    net = getattr(getattr(server, "telemetry", None), "net_error", "")
    if net:                      # why the kit cannot reach its broker (mkfw.tls codes)
        info["net"] = net
    return info


def hardware_id(hal):
    """The board's own id (ESP32: its MAC), "" where the hardware layer has none."""
    try:
        return hal.hardware_id() if hasattr(hal, "hardware_id") else ""
    except Exception:  # a port without the call: identity must still answer
        return ""


def _on_identity(server, payload, now):
    server.send_json(wire.MK_IDENTITY, identity(server))


def _config_answer(config, query):
    """The config a GET answers: secrets hidden, but a GET with a ``show=password`` line gets the
    kit's own broker password (never the WiFi one), for the bridge that logs in as this kit when it
    is tethered (as the AVR firmware answers)."""
    out = cfg.public(config)
    try:
        lines = wire.text_lines(query) if query else []
    except UnicodeError:
        lines = []
    if ("show", "password") in lines:
        out["password"] = config.get("password", cfg.DEFAULTS["password"])
    return out


def _on_config(server, payload, now):
    if not payload:
        server.error("bad_request", wire.MK_CONFIG)
        return
    sub = payload[0]
    if sub == wire.MK_CONFIG_GET:
        server.send_json(wire.MK_CONFIG, _config_answer(server.config, payload[1:]), wire.MK_CONFIG_RESULT)
        return
    if sub != wire.MK_CONFIG_SET:
        server.error("bad_request", wire.MK_CONFIG)
        return
    try:
        pairs = wire.text_lines(payload[1:])
    except UnicodeError:
        server.error("bad_request", wire.MK_CONFIG)
        return
    network = getattr(server.hal, "has_network", False)
    problem = cfg.apply(server.config, pairs, network)
    if problem is not None:
        server.send_json(wire.MK_CONFIG, problem, wire.MK_CONFIG_RESULT)
        return
    stored = {}
    for key in cfg.KEYS:
        stored[key] = server.config.get(key, cfg.DEFAULTS[key])
    server.hal.save_config(stored)
    for fn in getattr(server, "config_listeners", ()):
        fn(server.config)
    server.send_json(wire.MK_CONFIG, cfg.public(server.config), wire.MK_CONFIG_RESULT)


def _on_repl(server, payload, now):
    if not getattr(server.hal, "has_repl", False):
        server.error("unsupported", wire.MK_REPL)
        return
    server.send_json(wire.MK_REPL, {"ok": True})
    server.repl_requested = True


def install(server):
    server.config_listeners = []
    server.add_sysex_handler(wire.MK_IDENTITY, _on_identity)
    server.add_sysex_handler(wire.MK_CONFIG, _on_config)
    server.add_sysex_handler(wire.MK_REPL, _on_repl)
