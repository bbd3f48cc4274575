"""What ``makerkit deploy`` puts onto a MicroPython kit: the firmware files and their build id, the
board profile, the kit's ``/makerkit.json`` built from the options given (checked by the firmware's
own rules), the class CA for ``mqtts://`` (``/ca.der``), and the scrubber that keeps secret values
out of every message."""

from __future__ import annotations

import json
from typing import Optional

from ..catalog.boards import BoardProfile
from ..errors import UsageError
from ..resources import firmware_build, firmware_files  # noqa: F401 (deploy's names)

SECRET_KEYS = ("wifi_password", "password")

def board_profile_json(board: BoardProfile) -> bytes:
    from mkfw.profile import from_board
    return json.dumps(from_board(board), sort_keys=True, separators=(",", ":")).encode()


def kit_broker(broker: Optional[str]) -> tuple[Optional[str], Optional[bytes]]:
    """The broker as the kit's config holds it and, for ``mqtts://HOST:PORT?ca=FILE``, the class CA's
    certificate for the kit's ``/ca.der`` (DER). ``mqtt://`` and None (keep the kit's) pass unchanged.
    A kit has no store of trusted CAs: mqtts:// without ``?ca=`` is refused with how to make one."""
    if not broker or "@" in broker or not broker.strip().lower().startswith("mqtts://"):
        return broker, None                          # build_config checks (and explains) the rest
    from ..access.certs import kit_ca
    from ..mqtt.url import parse_broker_url
    address = parse_broker_url(broker)
    if not address.ca:
        raise UsageError(
            en=f"A kit on {broker} must know the class CA, to check that the broker is the class's own.",
            zh=f"使用 {broker} 的套件必须带上班级 CA 证书，才能确认服务器是本班的服务器。",
            hint_en="Add the CA to the address: --broker 'mqtts://HOST:8883?ca=CERTS/ca.pem'. No CA yet? "
                    "Make one with its broker certificate: makerkit access ca --out CERTS --host HOST",
            hint_zh="请在地址里加上 CA：--broker 'mqtts://主机:8883?ca=CERTS/ca.pem'。还没有 CA？先运行 "
                    "makerkit access ca --out CERTS --host 主机 生成 CA 和服务器证书。", key="broker")
    return f"mqtts://{address.host}:{address.port}", kit_ca(address.ca)


def build_config(current: dict, *, kit_id: str, class_id: str, **options) -> dict:
    """The new ``/makerkit.json``: ``current`` updated with the options given (None keeps a value)."""
    from mkfw import config as fwconfig
    config = fwconfig.normalise(current)
    given = {"kit": kit_id, "class": class_id, **options}
    for key, value in given.items():
        if value is None:
            continue
        text = str(value)
        if key == "broker" and "@" in text:
            raise UsageError(
                en="Put the broker's username and password in --username/--password, not in the URL.",
                zh="请把服务器的用户名和密码写在 --username/--password 里，不要写在地址里。",
                hint_en="Use --broker mqtt://HOST:PORT --username NAME --password SECRET.",
                hint_zh="请使用 --broker mqtt://主机:端口 --username 用户名 --password 密码。", key=key)
        ok, _code, converted = fwconfig.check(key, text)
        if not ok:
            shown = "***" if key in SECRET_KEYS else repr(text)
            raise UsageError(en=f"The {key} value {shown} is not valid for a kit.",
                             zh=f"{key} 的值 {shown} 不能用于套件配置。",
                             hint_en=_RULES_EN.get(key, "Check the value."),
                             hint_zh=_RULES_ZH.get(key, "请检查这个值。"), key=key)
        config[key] = converted
    return config


_RULES_EN = {"kit": "Kit ids use a-z, 0-9 and '-', 1-32 characters (kit-07).",
             "class": "Class ids use a-z, 0-9 and '-', 1-32 characters (7a).",
             "broker": "Give the broker as mqtt://HOST:PORT (mqtt://10.0.0.2:1883) or "
                       "mqtts://HOST:PORT?ca=CERTS/ca.pem.",
             "interval": "The telemetry interval is a whole number of seconds, 1 to 86400.",
             "wifi_ssid": "WiFi names and passwords are at most 64 characters.",
             "wifi_password": "WiFi names and passwords are at most 64 characters."}
_RULES_ZH = {"kit": "套件编号只能用 a-z、0-9 和“-”，长度 1-32（如 kit-07）。",
             "class": "班级编号只能用 a-z、0-9 和“-”，长度 1-32（如 7a）。",
             "broker": "服务器地址的格式是 mqtt://主机:端口（如 mqtt://10.0.0.2:1883）或 "
                       "mqtts://主机:端口?ca=CERTS/ca.pem。",
             "interval": "遥测间隔是 1 到 86400 之间的整数秒。",
             "wifi_ssid": "WiFi 名称和密码最长 64 个字符。",
             "wifi_password": "WiFi 名称和密码最长 64 个字符。"}


def _config_bytes(config: dict) -> bytes:
    return json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class _Secrets:
    """Scrubs secret values out of any text that leaves this module."""

    def __init__(self, values):
        self.values = sorted({v for v in values if isinstance(v, str) and len(v) >= 1}, key=len,
                             reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, "***")
        return text


