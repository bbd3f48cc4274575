"""``mqtts://`` on a kit (MicroPython-compatible): the broker must prove it is the class's broker.

``makerkit deploy --broker mqtts://HOST:PORT`` writes the class CA's certificate (DER) to the kit's
``/ca.der`` (:data:`CA_FILE`) beside ``/makerkit.json``. The kit then connects only when the broker shows
a certificate signed by that CA and naming HOST; a certificate that does not verify is refused, and the
kit never falls back to plain MQTT (its login would travel unencrypted).

:func:`umqtt_client` works with every ``umqtt.simple`` an ESP32 image freezes:
1.3 and earlier call ``ussl.wrap_socket(sock, **ssl_params)`` whatever ``ssl`` is, 1.4-1.5 know only
``ssl=<SSLContext>`` (and refuse ``ssl_params``), 1.6 and later wrap with a context and keep ``ssl=True``
+ ``ssl_params`` for old code. Each path gets ``CERT_REQUIRED``, the CA and the host name, so none of them
connects without checking. ESP32 images since MicroPython 1.22 also check the certificate's dates
against the kit's clock, which ``hal_esp32`` sets from NTP.

Why a connection failed is kept as a short code (``Telemetry.net_error``, reported in MK_IDENTITY as
``net``; ``makerkit info`` tells the teacher what it means and what to do):

=================== ======================================================================
``tls_no_ca``       the config says mqtts:// but the kit holds no ``/ca.der``
``tls_bad_ca``      ``/ca.der`` is not a certificate
``tls_unsupported`` this MicroPython has no TLS that can check a certificate
``tls_ca``          the broker's certificate is not signed by the kit's class CA
``tls_host``        the certificate does not name the host in the kit's broker address
``tls_clock``       the certificate has expired or is not valid yet (or the kit's clock is wrong)
``tls``             another TLS failure (is that port a TLS listener?)
``refused``         the broker refused the login (CONNACK return code 4 or 5)
``unreachable``     no connection to the broker's address and port
=================== ======================================================================
"""

CA_FILE = "ca.der"
MQTT_PORT = 1883
MQTTS_PORT = 8883


class NetError(Exception):
    """A connection that must not be made; ``args[0]`` is one of the codes above."""


def parse_broker(url):
    """``mqtt://HOST:PORT`` or ``mqtts://HOST:PORT`` -> ``(host, port, secure)``."""
    secure = url.startswith("mqtts://")
    if secure:
        rest = url[8:]
    elif url.startswith("mqtt://"):
        rest = url[7:]
    else:
        rest = url
    i = rest.rfind(":")
    if i <= 0:
        return rest, MQTTS_PORT if secure else MQTT_PORT, secure
    return rest[:i], int(rest[i + 1:]), secure


def _ssl_module():
    try:
        import ssl
        return ssl
    except ImportError:
        pass
    try:
        import ussl
        return ussl
    except ImportError:
        raise NetError("tls_unsupported")


def context(cadata):
    """``(ctx, ssl)``: an ``SSLContext`` that requires a certificate signed by ``cadata`` (DER), or None
    on a port whose ``ssl`` has no ``SSLContext`` (only ``wrap_socket``), and the ssl module."""
    ssl = _ssl_module()
    if not hasattr(ssl, "SSLContext") or not hasattr(ssl, "CERT_REQUIRED"):
        if not hasattr(ssl, "wrap_socket"):
            raise NetError("tls_unsupported")
        return None, ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = ssl.CERT_REQUIRED        # MicroPython's default may be CERT_NONE
    try:
        ctx.load_verify_locations(cadata=cadata)
    except (ValueError, OSError):
        raise NetError("tls_bad_ca")
    return ctx, ssl


def umqtt_client(factory, client_id, server, port, user, password, keepalive, cadata=None):
    """``factory(...)`` (``umqtt.simple.MQTTClient`` or one with its API) for ``server``: plain when
    ``cadata`` is None, else over TLS that checks the broker against ``cadata`` (see the module text)."""
    kw = {"port": port, "user": user or None, "password": password or None, "keepalive": keepalive}
    if cadata is None:
        return factory(client_id, server, **kw)
    ctx, ssl = context(cadata)
    params = {"cert_reqs": getattr(ssl, "CERT_REQUIRED", 2), "cadata": cadata, "server_hostname": server}
    try:
        return factory(client_id, server, ssl=ctx if ctx is not None else True, ssl_params=params, **kw)
    except TypeError:                            # umqtt.simple 1.4-1.5: ssl=<SSLContext> only
        if ctx is None:
            raise NetError("tls_unsupported")
        return factory(client_id, server, ssl=ctx, **kw)


def open_client(hal, client_id, url, user, password):
    """The kit's MQTT client for its config's broker ``url``, from ``hal.mqtt_client``; over TLS with
    the kit's CA for ``mqtts://`` (:class:`NetError` ``tls_no_ca`` when it holds none)."""
    host, port, secure = parse_broker(url)
    if not secure:
        return hal.mqtt_client(client_id, host, port, user or None, password or None)
    load = getattr(hal, "load_ca", None)
    cadata = load() if load is not None else None
    if not cadata:
        raise NetError("tls_no_ca")
    return hal.mqtt_client(client_id, host, port, user or None, password or None, cadata)


_CLUES = (  # (code, words in mbedtls's or OpenSSL's message), the first that matches decides
    ("tls_ca", ("trusted CA", "local issuer", "signature failure", "self signed", "self-signed", "unknown ca",
                "UNKNOWN_CA")),
    ("tls_host", ("Common Name", "Hostname mismatch", "IP address mismatch", "hostname")),
    ("tls_clock", ("expired", "in the future", "not yet valid")),
)


def error_code(exc):
    """The code (see the module text) for an exception from connecting to the broker."""
    if isinstance(exc, NetError):
        return exc.args[0]
    if type(exc).__name__ == "MQTTException":
        return "refused"
    if isinstance(exc, TypeError):               # an old ssl.wrap_socket without cadata/cert_reqs
        return "tls_unsupported"
    text = str(exc)
    for code, clues in _CLUES:
        for clue in clues:
            if clue in text:
                return code
    if type(exc).__name__.startswith("SSL") or isinstance(exc, ValueError):
        return "tls"
    if isinstance(exc, OSError) and exc.args and isinstance(exc.args[0], int) and exc.args[0] < -0x1000:
        return "tls"                             # a negative mbedtls error number from the handshake
    return "unreachable"
