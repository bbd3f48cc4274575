"""Kit configuration (``/makerkit.json``) and persistent counters (MicroPython-compatible).

``inc`` is the kit's incarnation (docs/TELEMETRY.md §2): ``makerkit deploy`` writes a fresh one into
the config and into the counters file together; the kit's ``boot`` and ``seq`` count within it. It is
set by the host only (MK_CONFIG refuses it) and :func:`settle_incarnation` keeps it true at boot.
``build`` (host only too) names the firmware files the last deploy wrote, so the kit can say which
build it runs (MK_IDENTITY, its status message) and ``makerkit class status`` can tell an outdated kit.
"""

KEYS = ("kit", "class", "wifi_ssid", "wifi_password", "broker", "username", "password", "interval", "inc", "ntp",
        "build")
NETWORK_KEYS = ("wifi_ssid", "wifi_password", "broker", "username", "password", "interval", "ntp")
SECRET_KEYS = ("wifi_password", "password")
HOST_ONLY_KEYS = ("inc", "build")
DEFAULTS = {"kit": "", "class": "", "wifi_ssid": "", "wifi_password": "", "broker": "",
            "username": "", "password": "", "interval": 10, "inc": "",
            "ntp": "",   # ntp: "" = the default server of MicroPython's ntptime, a host name, or "off"
            "build": ""}  # build: the digest of the firmware files makerkit deploy wrote (host only)
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"
INC_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
INC_LENGTH = 12          # characters of INC_CHARS: about 62 bits, never the same twice for one kit


def valid_inc(value):
    if not 1 <= len(value) <= 16:
        return False
    for c in value:
        if c not in INC_CHARS:
            return False
    return True


def new_inc():
    """A fresh random incarnation id (``INC_LENGTH`` characters of 0-9a-z)."""
    try:
        import os
        data = os.urandom(INC_LENGTH)
    except (ImportError, AttributeError, OSError):
        import random
        data = bytes([random.getrandbits(8) for _ in range(INC_LENGTH)])
    out = ""
    for b in data:
        out += INC_CHARS[b % 36]
    return out


def settle_incarnation(config, state):
    """Make ``config["inc"]`` name the incarnation the counters in ``state`` belong to (both dicts are
    changed in place); returns True when the config changed and must be saved.

    The counters file carries its incarnation. Counters without one while the config names one were
    lost (an erased or deleted state file): numbering again inside that incarnation would reuse its
    ``seq`` numbers, so the kit starts a new incarnation of its own. Kits whose config and counters
    both lack one (older deploys) keep ``""``, as before.
    """
    inc = state.get("inc") or ""
    if not inc and config.get("inc"):
        inc = new_inc()
        for key in list(state):
            del state[key]
        state["inc"] = inc
    if (config.get("inc") or "") != inc:
        config["inc"] = inc
        return True
    return False


def _valid_name(value):
    if not 1 <= len(value) <= 32:
        return False
    for c in value:
        if c not in _NAME_CHARS:
            return False
    return True


def _valid_host(value):
    if not 1 <= len(value) <= 64:
        return False
    for c in value.lower():
        if c not in _NAME_CHARS and c != ".":
            return False
    return True


def _valid_broker(value):
    if value.startswith("mqtts://"):       # TLS, checked against the class CA in /ca.der (mkfw.tls)
        rest = value[8:]
    elif value.startswith("mqtt://"):
        rest = value[7:]
    else:
        return False
    i = rest.rfind(":")
    if i <= 0:
        return False
    port = rest[i + 1:]
    if not port or not port.isdigit():
        return False
    return 0 < int(port) < 65536


def check(key, value, network=True):
    """Validate one key=value; returns (ok, error_code, converted value).
    An empty value clears the key."""
    if key not in KEYS:
        return False, "bad_key", None
    if key in NETWORK_KEYS and not network:
        return False, "bad_key", None
    if value is None:
        return False, "bad_value", None
    if value == "":
        return True, None, DEFAULTS[key]
    if key in ("kit", "class"):
        return (True, None, value) if _valid_name(value) else (False, "bad_value", None)
    if key in ("inc", "build"):
        return (True, None, value) if valid_inc(value) else (False, "bad_value", None)
    if key == "broker":
        return (True, None, value) if _valid_broker(value) else (False, "bad_value", None)
    if key == "ntp":
        return (True, None, value) if _valid_host(value) else (False, "bad_value", None)
    if key == "interval":
        if not value.isdigit() or not 1 <= int(value) <= 86400:
            return False, "bad_value", None
        return True, None, int(value)
    if len(value) > 64:
        return False, "bad_value", None
    return True, None, value


def normalise(raw):
    """A config dict read from the filesystem, with defaults for missing keys and bad ones dropped."""
    config = {}
    for key in KEYS:
        config[key] = DEFAULTS[key]
    if isinstance(raw, dict):
        for key in KEYS:
            if key in raw:
                value = raw[key]
                if key == "interval":
                    if isinstance(value, int) and 0 < value <= 86400:
                        config[key] = value
                elif key in ("inc", "build"):
                    if isinstance(value, str) and valid_inc(value):
                        config[key] = value
                elif isinstance(value, str):
                    config[key] = value
    return config


def public(config):
    """The config with secrets replaced by "***" (or "" when unset)."""
    out = {}
    for key in KEYS:
        value = config.get(key, DEFAULTS[key])
        if key in SECRET_KEYS:
            value = "***" if value else ""
        out[key] = value
    return out


def apply(config, pairs, network=True):
    """Apply key=value pairs all-or-nothing. Returns None on success or an error dict."""
    changes = []
    for key, value in pairs:
        if key in HOST_ONLY_KEYS:
            return {"error": "bad_key", "key": key}
        ok, code, converted = check(key, value, network)
        if not ok:
            return {"error": code, "key": key}
        changes.append((key, converted))
    for key, value in changes:
        config[key] = value
    return None
