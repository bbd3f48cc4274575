"""An MQTT 3.1.1 client with the API of MicroPython's ``umqtt.simple``, for CPython.

The device firmware (``mkfw``) talks MQTT through ``hal.mqtt_client(...)``: on an ESP32 that is
``umqtt.simple.MQTTClient``; in the virtual kit it is this class, so the very same firmware calls
run against a real broker. Written from the MQTT 3.1.1 specification; it keeps umqtt.simple's
behaviour where firmware can see it:

* ``connect(clean_session=True)`` returns the session-present flag and raises ``MQTTException``
  with the CONNACK return code when the broker refuses;
* ``publish(..., qos=1)`` blocks until the PUBACK, delivering incoming messages to the callback
  meanwhile; ``subscribe`` blocks until the SUBACK;
* ``wait_msg()`` handles one packet (blocking), ``check_msg()`` only if one is waiting;
  incoming QoS 1 messages are acknowledged after the callback returns;
* the callback receives ``(topic: bytes, msg: bytes)``;
* a lost connection raises ``OSError``; reconnecting is the firmware's job (as on the device).

``ssl=<SSLContext>`` (or ``ssl=True`` with ``ssl_params``) connects over TLS as umqtt.simple 1.6 does;
the firmware's ``mkfw.tls`` makes the context that checks the broker against the class CA.

Unlike umqtt.simple every blocking read has a timeout (``timeout`` seconds, default 10), so a
silent broker raises ``OSError`` instead of hanging the virtual kit.
"""

from __future__ import annotations

import select
import socket
import struct


class MQTTException(Exception):
    pass


def _b(value) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None,
                 ssl_params=None, timeout=10.0):
        self.client_id = _b(client_id)
        self.server = server
        self.port = port or (8883 if ssl else 1883)
        self.ssl = ssl
        self.ssl_params = dict(ssl_params or {})
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.pid = 0
        self.cb = None
        self.lw_topic = None
        self.lw_msg = None
        self.lw_qos = 0
        self.lw_retain = False

    # -- helpers -------------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        if self.sock is None:
            raise OSError("not connected")
        self.sock.sendall(data)

    def _read(self, n: int) -> bytes:
        if self.sock is None:
            raise OSError("not connected")
        chunks, left = [], n
        while left:
            try:
                chunk = self.sock.recv(left)
            except socket.timeout:
                raise OSError(110, "MQTT broker did not answer in time") from None
            if not chunk:
                raise OSError(-1, "connection closed by the broker")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _recv_len(self) -> int:
        n = shift = 0
        while True:
            byte = self._read(1)[0]
            n |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return n
            shift += 7
            if shift > 21:
                raise MQTTException("malformed remaining length")

    @staticmethod
    def _str(value) -> bytes:
        data = _b(value)
        return struct.pack("!H", len(data)) + data

    def _next_pid(self) -> int:
        self.pid = self.pid % 65535 + 1
        return self.pid

    def _wrap(self, sock: socket.socket):
        """TLS as umqtt.simple 1.6 does it: ``ssl=<SSLContext>`` wraps with that context for the server's
        name; ``ssl=True`` builds one from ``ssl_params`` (``cadata``, ``cert_reqs``, ``server_hostname``)."""
        if self.ssl is True:
            import ssl as _ssl
            params = self.ssl_params
            ctx = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = params.get("cert_reqs", _ssl.CERT_NONE)
            ctx.check_hostname = ctx.verify_mode != _ssl.CERT_NONE and bool(params.get("server_hostname"))
            if params.get("cadata"):
                ctx.load_verify_locations(cadata=params["cadata"])
            return ctx.wrap_socket(sock, server_hostname=params.get("server_hostname"))
        return self.ssl.wrap_socket(sock, server_hostname=self.server)

    # -- API -------------------------------------------------------------------------------------
    def set_callback(self, f) -> None:
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0) -> None:
        assert 0 <= qos <= 2 and topic
        self.lw_topic, self.lw_msg, self.lw_qos, self.lw_retain = _b(topic), _b(msg), qos, retain

    def connect(self, clean_session=True) -> int:
        self.close_socket()
        sock = socket.create_connection((self.server, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl:
            try:
                sock = self._wrap(sock)
            except BaseException:
                sock.close()
                raise
        self.sock = sock
        flags = 0x02 if clean_session else 0
        payload = self._str(self.client_id)
        if self.lw_topic:
            flags |= 0x04 | (self.lw_qos << 3) | (0x20 if self.lw_retain else 0)
            payload += self._str(self.lw_topic) + self._str(self.lw_msg)
        if self.user:
            flags |= 0x80
            payload += self._str(self.user)
            if self.pswd is not None:
                flags |= 0x40
                payload += self._str(self.pswd)
        variable = b"\x00\x04MQTT\x04" + bytes([flags]) + struct.pack("!H", self.keepalive)
        body = variable + payload
        try:
            self._send(b"\x10" + _remaining_length(len(body)) + body)
            resp = self._read(4)
        except OSError:
            self.close_socket()
            raise
        if resp[0] != 0x20 or resp[1] != 0x02:
            self.close_socket()
            raise MQTTException("unexpected answer to CONNECT")
        if resp[3] != 0:
            self.close_socket()
            raise MQTTException(resp[3])
        return resp[2] & 1

    def close_socket(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def disconnect(self) -> None:
        try:
            self._send(b"\xe0\x00")
        finally:
            self.close_socket()

    def ping(self) -> None:
        self._send(b"\xc0\x00")

    def publish(self, topic, msg, retain=False, qos=0) -> None:
        if qos not in (0, 1):
            raise MQTTException("only QoS 0 and 1 are supported (as in umqtt.simple)")
        header = 0x30 | (qos << 1) | (1 if retain else 0)
        body = self._str(topic)
        pid = 0
        if qos:
            pid = self._next_pid()
            body += struct.pack("!H", pid)
        body += _b(msg)
        self._send(bytes([header]) + _remaining_length(len(body)) + body)
        if qos == 1:
            while True:
                op = self.wait_msg()
                if op == 0x40:
                    rcv = self._read(3)
                    if rcv[0] != 0x02:
                        raise MQTTException("malformed PUBACK")
                    if (rcv[1] << 8 | rcv[2]) == pid:
                        return

    def subscribe(self, topic, qos=0) -> None:
        assert self.cb is not None, "Subscribe callback is not set"
        pid = self._next_pid()
        body = struct.pack("!H", pid) + self._str(topic) + bytes([qos])
        self._send(b"\x82" + _remaining_length(len(body)) + body)
        while True:
            op = self.wait_msg()
            if op == 0x90:
                resp = self._read(4)
                if (resp[1] << 8 | resp[2]) != pid:
                    continue
                if resp[3] == 0x80:
                    raise MQTTException(resp[3])
                return

    def wait_msg(self):
        """Handle one incoming packet. Returns its first byte; PUBACK/SUBACK bodies are left for the caller."""
        res = self._read(1)
        op = res[0]
        if op == 0xD0:                                  # PINGRESP
            self._read(1)
            return None
        if op & 0xF0 != 0x30:
            return op                                   # PUBACK / SUBACK: the caller reads the rest
        size = self._recv_len()
        data = self._read(size)
        tlen = data[0] << 8 | data[1]
        topic = data[2:2 + tlen]
        pos = 2 + tlen
        pid = 0
        if op & 6:
            pid = data[pos] << 8 | data[pos + 1]
            pos += 2
        if self.cb is not None:
            self.cb(topic, data[pos:])
        if op & 6 == 2:
            self._send(b"\x40\x02" + struct.pack("!H", pid))
        elif op & 6 == 4:
            raise MQTTException("QoS 2 is not supported")
        return op

    def check_msg(self):
        """Handle one packet if one is waiting; return ``None`` at once otherwise."""
        if self.sock is None:
            raise OSError("not connected")
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return None
        return self.wait_msg()
