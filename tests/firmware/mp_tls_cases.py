"""``mkfw.tls`` (mqtts:// on a kit) under CPython (pytest) and under the real MicroPython interpreter.

Run as ``micropython mp_tls_cases.py DIR``: ``DIR/ca.der`` is a class CA's certificate (DER) the test
made with ``makerkit access ca``. Each ``umqtt.simple`` generation is a small stand-in with that
version's constructor and TLS call, so the case sees which call would wrap the socket and with what.
Plain asserts only.
"""

import sys

from fakehal import FakeHal
from mkfw import config as cfg
from mkfw import tls
from mkfw.mkext import identity
from mkfw.telemetry import Telemetry

try:
    import ssl
except ImportError:
    import ussl as ssl


def read_ca(root):
    with open(root + "/ca.der", "rb") as f:
        return f.read()


class Umqtt13:
    """umqtt.simple 1.3 and earlier: ``ussl.wrap_socket(sock, **ssl_params)`` whenever ``ssl`` is true."""

    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=False,
                 ssl_params={}):
        self.server, self.port, self.user, self.pswd = server, port, user, password
        self.ssl, self.ssl_params = ssl, ssl_params

    def tls_call(self):
        return ("ssl.wrap_socket", self.ssl_params) if self.ssl else None


class Umqtt14:
    """umqtt.simple 1.4-1.5: ``ssl=<SSLContext>`` only, ``self.ssl.wrap_socket(sock, server_hostname=...)``."""

    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None):
        self.server, self.port, self.user, self.pswd, self.ssl = server, port, user, password, ssl

    def tls_call(self):
        return ("context", self.ssl) if self.ssl else None


class Umqtt18(Umqtt13):
    """umqtt.simple 1.6 and later: ``ssl=True`` + ``ssl_params`` (legacy) or ``ssl=<SSLContext>``."""

    def tls_call(self):
        if self.ssl is True:
            return ("ssl.wrap_socket", self.ssl_params)
        return ("context", self.ssl) if self.ssl else None


def _requires_the_ca(call, ca, server):
    how, what = call
    if how == "ssl.wrap_socket":
        assert what["cert_reqs"] == ssl.CERT_REQUIRED and what["cadata"] == ca, what
        assert what["server_hostname"] == server, what
    else:
        assert what is not True and what.verify_mode == ssl.CERT_REQUIRED, what


def case_broker_urls(root):
    assert tls.parse_broker("mqtt://10.0.0.2:1883") == ("10.0.0.2", 1883, False)
    assert tls.parse_broker("mqtts://10.0.0.2:8884") == ("10.0.0.2", 8884, True)
    assert tls.parse_broker("mqtts://broker.lab") == ("broker.lab", 8883, True)
    assert cfg.check("broker", "mqtts://10.0.0.2:8883")[0]
    assert cfg.check("broker", "mqtt://10.0.0.2:1883")[0]
    for bad in ("mqtts://10.0.0.2", "https://10.0.0.2:8883", "mqtts://:8883", "mqtts://h:99999"):
        assert not cfg.check("broker", bad)[0], bad


def case_every_umqtt_generation_checks_the_certificate(root):
    ca = read_ca(root)
    for factory in (Umqtt13, Umqtt14, Umqtt18):
        client = tls.umqtt_client(factory, "mk-7a-kit-01", "10.0.0.2", 8883, "7a.kit-01", "pw", 30, ca)
        call = client.tls_call()
        assert call is not None, factory
        _requires_the_ca(call, ca, "10.0.0.2")
        assert client.user == "7a.kit-01" and client.port == 8883


def case_plain_mqtt_stays_plain(root):
    for factory in (Umqtt13, Umqtt14, Umqtt18):
        client = tls.umqtt_client(factory, "mk", "10.0.0.2", 1883, "", "", 30)
        assert client.tls_call() is None and client.user is None and client.pswd is None


class CaHal(FakeHal):
    def __init__(self, ca):
        FakeHal.__init__(self, network=True)
        self.ca = ca
        self.asked = []

    def network_ready(self):
        return True

    def load_ca(self):
        return self.ca

    def mqtt_client(self, client_id, server, port, user=None, password=None, cadata=None):
        self.asked.append((server, port, user, cadata))
        raise OSError(113, "EHOSTUNREACH")


def case_mqtts_without_a_ca_on_the_kit_is_refused(root):
    for ca in (None, b""):
        hal = CaHal(ca)
        try:
            tls.open_client(hal, "mk", "mqtts://10.0.0.2:8883", "u", "p")
            assert False, "connected without a CA"
        except tls.NetError as exc:
            assert exc.args[0] == "tls_no_ca"
        assert hal.asked == []
    hal = CaHal(read_ca(root))
    try:
        tls.open_client(hal, "mk", "mqtts://10.0.0.2:8883", "u", "p")
    except OSError:
        pass
    assert hal.asked == [("10.0.0.2", 8883, "u", hal.ca)]


def case_a_file_that_is_no_certificate_is_refused(root):
    try:
        tls.context(b"-----BEGIN NOTHING-----")
        assert False, "accepted a broken CA"
    except tls.NetError as exc:
        assert exc.args[0] == "tls_bad_ca"


class MQTTException(Exception):
    pass


def case_error_codes(root):
    said = [  # (what mbedtls (MicroPython) or OpenSSL (CPython) said, code)
        (ValueError("\nThe certificate is not correctly signed by the trusted CA\n"), "tls_ca"),
        (ValueError("\nThe certificate Common Name (CN) does not match with the expected CN\n"), "tls_host"),
        (ValueError("\nThe certificate validity starts in the future\n"), "tls_clock"),
        (ValueError("\nThe certificate validity has expired\n"), "tls_clock"),
        (ValueError("\nThe certificate is not correctly signed by the trusted CA\n\nThe certificate Common "
                    "Name (CN) does not match with the expected CN\n"), "tls_ca"),
        (OSError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer "
                 "certificate (_ssl.c:1006)"), "tls_ca"),
        (OSError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate signature failure "
                 "(_ssl.c:1006)"), "tls_ca"),      # another CA of the same name ("makerkit class CA")
        (OSError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate "
                 "is not valid for '10.0.0.3'. (_ssl.c:1006)"), "tls_host"),
        (OSError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired"),
         "tls_clock"),
        (OSError(-29312), "tls"),
        (OSError(113, "EHOSTUNREACH"), "unreachable"),
        (OSError(-202), "unreachable"),
        (MQTTException(5), "refused"),
        (TypeError("unexpected keyword argument 'cadata'"), "tls_unsupported"),
        (tls.NetError("tls_no_ca"), "tls_no_ca"),
    ]
    for exc, code in said:
        assert tls.error_code(exc) == code, (exc, tls.error_code(exc), code)


class Server:
    def __init__(self, telemetry):
        self.telemetry = telemetry
        self.features = ["telemetry"]
        self.config = telemetry.config
        self.boot = 1
        self.hal = telemetry.hal

        class Profile:
            id = "esp32"
        self.profile = Profile


def case_the_kit_says_why_it_is_not_connected(root):
    config = {"kit": "kit-01", "class": "7a", "broker": "mqtts://10.0.0.2:8883", "username": "7a.kit-01",
              "password": "pw", "interval": 0}
    tel = Telemetry(CaHal(None), config, boot=1)
    tel.poll(0)
    assert not tel.connected and tel.net_error == "tls_no_ca"
    assert identity(Server(tel))["net"] == "tls_no_ca"
    tel = Telemetry(CaHal(read_ca(root)), dict(config), boot=1)
    tel.poll(0)
    assert tel.net_error == "unreachable" and tel.hal.asked[0][3] == tel.hal.ca


CASES = [(name, fn) for name, fn in sorted(globals().items()) if name.startswith("case_")]


def run_all(root):
    failed = 0
    for name, fn in CASES:
        try:
            fn(root)
            print("PASS", name)
        except Exception as exc:
            failed += 1
            print("FAIL", name, repr(exc))
            if hasattr(sys, "print_exception"):
                sys.print_exception(exc)
    print("DONE", len(CASES), "FAILED", failed)


if __name__ == "__main__":
    run_all(sys.argv[1])
