"""Kit configuration (``/makerkit.json``) and persistent counters (MicroPython-compatible)."""

KEYS = ("kit", "class", "wifi_ssid", "wifi_password", "broker", "username", "password", "interval")
NETWORK_KEYS = ("wifi_ssid", "wifi_password", "broker", "username", "password", "interval")
SECRET_KEYS = ("wifi_password", "password")
DEFAULTS = {"kit": "", "class": "", "wifi_ssid": "", "wifi_password": "", "broker": "",
            "username": "", "password": "", "interval": 10}
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _valid_name(value):
    if not 1 <= len(value) <= 32:
        return False
    for c in value:
        if c not in _NAME_CHARS:
            return False
    return True


def _valid_broker(value):
    if not value.startswith("mqtt://"):
        return False
    rest = value[7:]
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
    if key == "broker":
        return (True, None, value) if _valid_broker(value) else (False, "bad_value", None)
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
        ok, code, converted = check(key, value, network)
        if not ok:
            return {"error": code, "key": key}
        changes.append((key, converted))
    for key, value in changes:
        config[key] = value
    return None
