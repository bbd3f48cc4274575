"""Why a kit cannot reach its broker, told for a teacher: the ``net`` code of its MK_IDENTITY.

The firmware keeps why its last connection attempt failed (``mkfw.tls``'s codes) and reports it in
MK_IDENTITY as ``net`` until it connects; ``makerkit info --port PORT`` shows it with what to try.
A certificate that does not verify is always refused by the kit: these texts say which part to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import current_language

_CA = "makerkit access ca --out CERTS --host HOST"


@dataclass(frozen=True)
class NetProblem:
    code: str
    en: str
    zh: str
    hint_en: str
    hint_zh: str

    def message(self, lang: str | None = None) -> str:
        return self.zh if (lang or current_language()) == "zh" else self.en

    def hint(self, lang: str | None = None) -> str:
        return self.hint_zh if (lang or current_language()) == "zh" else self.hint_en


_PROBLEMS = {
    "tls_no_ca": (
        "The kit is set to mqtts:// but holds no class certificate (/ca.der), so it does not connect.",
        "套件设置为 mqtts://，但里面没有班级证书（/ca.der），所以不会连接。",
        "Deploy it again with the class CA: makerkit deploy ... --broker 'mqtts://HOST:8883?ca=CERTS/ca.pem' "
        f"(no CA yet? {_CA}).",
        "请带上班级 CA 重新部署：makerkit deploy ... --broker 'mqtts://主机:8883?ca=CERTS/ca.pem'"
        f"（还没有 CA？运行 {_CA}）。"),
    "tls_bad_ca": (
        "The class certificate on the kit (/ca.der) is damaged or is not a certificate.",
        "套件里的班级证书（/ca.der）损坏了，或者根本不是证书。",
        "Deploy the kit again with ?ca=CERTS/ca.pem in --broker (the ca.pem that makerkit access ca made).",
        "请在 --broker 里加上 ?ca=CERTS/ca.pem（makerkit access ca 生成的 ca.pem）重新部署套件。"),
    "tls_unsupported": (
        "This kit's MicroPython cannot check TLS certificates, so it will not use mqtts://.",
        "这块套件上的 MicroPython 无法校验 TLS 证书，所以不会使用 mqtts://。",
        "Flash a newer MicroPython (1.22 or later: makerkit flash --board esp32 --firmware FILE), or use "
        "mqtt:// on a WiFi network only for the kits.",
        "请烧录较新的 MicroPython（1.22 或更高：makerkit flash --board esp32 --firmware 文件），或者在"
        "套件专用的 WiFi 网络里使用 mqtt://。"),
    "tls_ca": (
        "The kit refused the broker: its certificate is not signed by the class CA on the kit (another "
        "broker, or certificates made again in another folder).",
        "套件拒绝了这台 MQTT 服务器：它的证书不是套件里的班级 CA 签发的（可能是另一台服务器，或在别的文件夹里"
        "重新生成过证书）。",
        "Start the broker with the certificates of the kit's CA (makerkit broker run --tls-dir CERTS), or deploy "
        "the kit again with ?ca=CERTS/ca.pem from the broker's folder.",
        "请用和套件同一个 CA 的证书启动服务器（makerkit broker run --tls-dir CERTS），或用服务器那个文件夹里的 "
        "?ca=CERTS/ca.pem 重新部署套件。"),
    "tls_host": (
        "The kit refused the broker: its certificate does not name the address in the kit's broker setting.",
        "套件拒绝了这台 MQTT 服务器：证书里没有套件设置中的服务器地址。",
        f"Make the broker certificate for that address ({_CA}; the CA stays the same) and restart the broker, "
        "or deploy the kit with an address the certificate names.",
        f"请为这个地址重新生成服务器证书（{_CA}；CA 不变）并重启服务器，或者用证书里有的地址重新部署套件。"),
    "tls_clock": (
        "The kit refused the broker: by the kit's clock its certificate has expired or is not valid yet.",
        "套件拒绝了这台 MQTT 服务器：按套件的时钟，证书已经过期或者还没有生效。",
        f"Let the kit reach an NTP server (deploy's ntp setting, or the school's own), check this computer's "
        f"date, or make a new broker certificate ({_CA}).",
        f"请让套件能访问 NTP 时间服务器（部署时的 ntp 设置，或学校自己的服务器），检查这台电脑的日期，"
        f"或重新生成服务器证书（{_CA}）。"),
    "tls": (
        "The TLS connection to the broker failed.",
        "和 MQTT 服务器的 TLS 连接失败了。",
        "Is that port the broker's TLS listener? mqtts:// usually uses port 8883; a plain listener is mqtt://.",
        "这个端口是服务器的 TLS 端口吗？mqtts:// 通常用 8883 端口；普通端口要用 mqtt://。"),
    "refused": (
        "The broker refused the kit's login.",
        "MQTT 服务器拒绝了套件的登录。",
        "Deploy the kit again with --db so it gets its own login, then write the broker's configuration "
        "again (makerkit broker config) or restart makerkit broker run.",
        "请带上 --db 重新部署套件，让它得到自己的账号；然后重新生成服务器配置（makerkit broker config）"
        "或重启 makerkit broker run。"),
    "unreachable": (
        "The kit cannot reach the broker's address and port.",
        "套件连不上 MQTT 服务器的地址和端口。",
        "Is the broker running, and is the kit on the same WiFi network as the broker's computer?",
        "服务器在运行吗？套件和服务器所在的电脑连在同一个 WiFi 网络上吗？"),
}


def net_problem(code: str) -> NetProblem | None:
    """The explanation of a kit's ``net`` code; None for "" (connected, or never tried)."""
    if not code:
        return None
    texts = _PROBLEMS.get(code)
    if texts is None:
        return NetProblem(code, f"The kit cannot reach its broker ({code}).", f"套件连不上 MQTT 服务器（{code}）。",
                          "Update the kit's firmware with makerkit deploy, then look again.",
                          "请用 makerkit deploy 更新套件固件后再看一次。")
    return NetProblem(code, *texts)


__all__ = ["NetProblem", "net_problem"]
