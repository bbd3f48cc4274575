"""``mqtt://HOST:PORT`` and ``mqtts://HOST:PORT?ca=FILE`` broker addresses.

``mqtts://`` is MQTT over TLS (default port 8883). ``?ca=`` names the PEM file of the CA that signed the
broker's certificate (``makerkit access ca`` makes one for a class); without it the computer's own
trusted CAs are used. The broker's name or IP address must be in its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from ..errors import UsageError


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    tls: bool = False
    ca: str | None = None

    @property
    def url(self) -> str:
        if not self.tls:
            return f"mqtt://{self.host}:{self.port}"
        return f"mqtts://{self.host}:{self.port}" + (f"?ca={quote(self.ca)}" if self.ca else "")


def parse_broker_url(url: str) -> BrokerAddress:
    """``mqtt://host[:port]`` (default port 1883), ``mqtts://host[:port][?ca=FILE]`` (default port 8883);
    a bare ``host:port`` is accepted too.

    Passwords do not belong in URLs (they end up in shell history and process lists): pass them
    separately (``--password`` or the ``MAKERKIT_MQTT_PASSWORD`` environment variable).
    """
    text = url if "://" in url else f"mqtt://{url}"
    parts = urlsplit(text)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise UsageError(en=f"Broker address {url!r} should look like mqtt://HOST:PORT (for example mqtt://127.0.0.1:1883).",
                         zh=f"MQTT 服务器地址 {url!r} 应写成 mqtt://主机:端口（例如 mqtt://127.0.0.1:1883）。")
    tls = parts.scheme == "mqtts"
    query = parse_qs(parts.query)
    if set(query) - {"ca"} or (query and not tls):
        raise UsageError(en=f"Broker address {url!r}: only mqtts:// takes an option, and only ?ca=FILE.",
                         zh=f"MQTT 服务器地址 {url!r}：只有 mqtts:// 可以带参数，而且只能是 ?ca=文件。")
    ca = query.get("ca", [None])[-1]
    if parts.password:
        raise UsageError(en="Do not put the broker password in the URL; use --password or MAKERKIT_MQTT_PASSWORD.",
                         zh="请不要把 MQTT 密码写在地址里；请用 --password 或环境变量 MAKERKIT_MQTT_PASSWORD。")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise UsageError(en=f"The port in {url!r} is not a number between 1 and 65535.",
                         zh=f"{url!r} 中的端口不是 1 到 65535 之间的数字。") from None
    return BrokerAddress(parts.hostname, port, parts.username, tls, ca)
