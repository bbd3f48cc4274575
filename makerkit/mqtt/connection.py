"""A paho-mqtt 2.x client configured for makerkit: MQTT 5, QoS 1, persistent sessions, manual acks.

paho runs one network thread per connection (``loop_start``) and reconnects by itself; every
(re)connect subscribes again, because a broker that lost its state (crash, restart without
persistence) answers ``session present = 0``.
"""

from __future__ import annotations

import struct
import threading
import time
from typing import Callable

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..errors import BrokerError, UsageError
from ..protocol.telemetry import MAX_MESSAGE
from .url import parse_broker_url

_PUBACK = 0x40
_SESSION_TAKEN_OVER = 0x8E
_LOGIN_REFUSED = (0x86, 0x87)       # CONNACK: bad user name or password, not authorized (3.1.1 codes 4 and 5)


class Message:
    """One received message; ``ack()`` it once it is safely stored (manual-ack connections).

    A plain class with ``__slots__``: one is made per message on the network thread, so it must be cheap.
    """
    __slots__ = ("topic", "payload", "qos", "retain", "mid", "connection", "generation", "received")

    def __init__(self, topic: str, payload: bytes, qos: int, retain: bool, mid: int,
                 connection: "MqttConnection", generation: int = 0, received: float = 0.0):
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.mid = mid
        self.connection = connection
        self.generation = generation
        self.received = received          # time.monotonic() when it arrived

    def ack(self) -> bool:
        """Acknowledge on the connection it came on; False when that connection is gone (the broker
        then delivers the message again, which the idempotent store absorbs)."""
        if not self.qos:
            return True
        return self.connection.ack(self.mid, self.qos, self.generation)

    def __repr__(self) -> str:
        return f"Message({self.topic!r}, {len(self.payload)} bytes, qos={self.qos}, mid={self.mid})"


def login_refused_text(where: str, username: str | None, waiting: str | None = None) -> tuple[str, str]:
    """What to tell the user when the broker at ``where`` refuses ``username`` (None: no login at all)
    (English, Chinese); ``waiting``: the file the readings wait in meanwhile."""
    who_en, who_zh = (username, username) if username else ("without a login", "（未登录）")
    en = (f"The broker at {where} refuses the login {who_en}" + (f"; readings wait in {waiting}" if waiting else "")
          + ". A login made or given a new password since the broker started (access add, deploy --db, class "
            "provision) is let in once the broker files are written again (makerkit broker config, then kill -HUP) "
            "or broker run is restarted. Without a login of its own, give --username and the password in "
            "MAKERKIT_MQTT_PASSWORD.")
    zh = (f"{where} 上的 MQTT 服务器拒绝了账号 {who_zh}" + (f"；读数保存在 {waiting} 中" if waiting else "")
          + "。服务器启动后才创建或换过密码的账号（access add、deploy --db、class provision），要在重新生成服务器文件"
            "（makerkit broker config，再 kill -HUP）或重启 broker run 之后才能登录。没有自己的账号时，请加 --username，"
            "并把密码放在 MAKERKIT_MQTT_PASSWORD 中。")
    return en, zh


class MqttConnection:
    """One broker connection. ``on_message(Message)`` runs on paho's network thread: keep it short."""

    login_refused = False               # the broker's last CONNACK: this login (or none) may not connect

    def __init__(self, url: str, client_id: str, *, username: str | None = None, password: str | None = None,
                 subscriptions: list[tuple[str, int]] = (), on_message: Callable[[Message], None] | None = None,
                 manual_ack: bool = False, clean_start: bool = True, session_expiry: int = 0,
                 receive_maximum: int = 65535, will: tuple[str, bytes, int, bool] | None = None,
                 on_connect: Callable[[bool], None] | None = None, keepalive: int = 30, protocol: str = "5",
                 on_receive: Callable[[tuple], None] | None = None):
        """``on_receive``, instead of ``on_message``, gets a plain tuple ``(topic, payload, qos, mid,
        generation, received, retain)`` per message: no object per message, for high-rate consumers that
        acknowledge in batches with :meth:`ack_many`."""
        self.address = parse_broker_url(url)
        self.client_id = client_id
        self.subscriptions = list(subscriptions)
        self._on_message_cb = on_message
        self._on_receive_cb = on_receive
        self._on_connect_cb = on_connect
        self._clean_start = clean_start
        self._keepalive = keepalive
        self.connected = threading.Event()
        self.subscribed = threading.Event()     # every subscription of the current connection acknowledged
        self._pending_subs: set[int] = set()
        self.connect_count = 0
        self.generation = 0                 # changes on every connect and disconnect
        self._gen_lock = threading.Lock()
        self.last_error: str | None = None
        self.taken_over = False             # another client connected with our id (MQTT 5 reason 0x8E)
        if protocol not in ("5", "3.1.1"):
            raise ValueError(f"MQTT protocol {protocol!r}: use '5' or '3.1.1'")
        self.protocol = protocol
        if protocol == "5":
            self._client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                                       protocol=paho.MQTTv5, manual_ack=manual_ack)
        else:   # MQTT 3.1.1 brokers (amqtt): a persistent session is clean_session=False, with no expiry
            self._client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                                       protocol=paho.MQTTv311, clean_session=clean_start, manual_ack=manual_ack)
        self._client.reconnect_delay_set(min_delay=0.2, max_delay=2)
        self._client.max_inflight_messages_set(1000)
        self._client.max_queued_messages_set(0)
        if self.address.tls:      # mqtts://: the broker's certificate checked against ?ca= (or the system CAs)
            try:
                self._client.tls_set(ca_certs=self.address.ca)
            except (OSError, ValueError) as exc:
                raise BrokerError(en=f"Cannot use the CA file {self.address.ca} for {self.address.url}: {exc}.",
                                  zh=f"无法使用 CA 文件 {self.address.ca}（{self.address.url}）：{exc}。",
                                  hint_en="Give the ca.pem that makerkit access ca wrote: mqtts://HOST:8883?ca=/path/ca.pem",
                                  hint_zh="请给出 makerkit access ca 生成的 ca.pem：mqtts://主机:8883?ca=/路径/ca.pem") from None
        user = username or self.address.username
        if user:
            self._client.username_pw_set(user, password)
        if will:
            topic, payload, qos, retain = will
            self._client.will_set(topic, payload, qos=qos, retain=retain)
        props = Properties(PacketTypes.CONNECT)
        if session_expiry:
            props.SessionExpiryInterval = int(session_expiry)
        props.ReceiveMaximum = int(receive_maximum)
        self._connect_props = props
        self._client.on_connect = self._handle_connect
        self._client.on_disconnect = self._handle_disconnect
        self._client.on_subscribe = self._handle_subscribe
        self._client.on_message = self._handle_receive if on_receive else self._handle_message

    # -- paho callbacks (network thread) ------------------------------------------------------
    def _handle_connect(self, client, userdata, flags, reason_code, properties):
        self.login_refused = reason_code.value in _LOGIN_REFUSED
        if reason_code.is_failure:
            self.last_error = str(reason_code)
            return
        self.connect_count += 1
        with self._gen_lock:
            self.generation += 1
        self._pending_subs = set()
        for flt, qos in self.subscriptions:
            rc, mid = client.subscribe(flt, qos=qos)
            if mid is not None:
                self._pending_subs.add(mid)
        if not self._pending_subs:
            self.subscribed.set()
        self.connected.set()
        if self._on_connect_cb:
            self._on_connect_cb(bool(flags.session_present))

    def _handle_subscribe(self, client, userdata, mid, reason_codes, properties):
        self._pending_subs.discard(mid)
        if not self._pending_subs:
            self.subscribed.set()

    def _handle_disconnect(self, client, userdata, flags, reason_code, properties):
        with self._gen_lock:
            self.generation += 1
        self.connected.clear()
        self.subscribed.clear()
        if reason_code is not None and reason_code.is_failure:
            self.last_error = str(reason_code)
            if reason_code.value == _SESSION_TAKEN_OVER:
                # reconnecting would knock the other client off in turn, for ever: stay off and say so
                self.taken_over = True
                client.disconnect()

    def _handle_message(self, client, userdata, msg):
        if self._on_message_cb:
            self._on_message_cb(Message(msg.topic, msg.payload, msg.qos, bool(msg.retain), msg.mid, self,
                                        self.generation, time.monotonic()))

    def _handle_receive(self, client, userdata, msg, _now=time.monotonic):
        self._on_receive_cb((msg.topic, msg.payload, msg.qos, msg.mid, self.generation, _now(), msg.retain))

    # -- public --------------------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> "MqttConnection":
        """Connect and start the network thread; raises :class:`BrokerError` if no CONNACK within ``timeout``."""
        try:
            if self.protocol == "5":
                self._client.connect(self.address.host, self.address.port, keepalive=self._keepalive,
                                     clean_start=self._clean_start, properties=self._connect_props)
            else:
                self._client.connect(self.address.host, self.address.port, keepalive=self._keepalive)
        except (OSError, ValueError) as exc:
            raise BrokerError(en=f"Cannot reach the MQTT broker at {self.address.url}: {exc}.",
                              zh=f"无法连接 MQTT 服务器 {self.address.url}：{exc}。") from exc
        self._client.loop_start()
        deadline = time.monotonic() + timeout
        if not (self.connected.wait(timeout) and self.subscribed.wait(max(0.0, deadline - time.monotonic()))):
            reason = self.last_error or "no answer"
            self.stop()
            raise BrokerError(en=f"The MQTT broker at {self.address.url} did not accept us ({reason}).",
                              zh=f"MQTT 服务器 {self.address.url} 没有接受连接（{reason}）。")
        return self

    def give_up(self, reason: str) -> None:
        """Stop reconnecting for good (callable from the network thread): another client holds our id."""
        self.taken_over = True
        self.last_error = reason
        self._client.disconnect()

    def start_background(self) -> "MqttConnection":
        """Start without waiting: paho connects (and keeps retrying) on its network thread."""
        if self.protocol == "5":
            self._client.connect_async(self.address.host, self.address.port, keepalive=self._keepalive,
                                       clean_start=self._clean_start, properties=self._connect_props)
        else:
            self._client.connect_async(self.address.host, self.address.port, keepalive=self._keepalive)
        self._client.loop_start()
        return self

    def ack(self, mid: int, qos: int, generation: int | None = None) -> bool:
        """Send PUBACK for ``mid``, unless the message came on an earlier connection (its id may now
        belong to another message)."""
        with self._gen_lock:
            if generation is not None and generation != self.generation:
                return False
            self._client.ack(mid, qos)
            return True

    def ack_many(self, mids: list[int], generation: int) -> bool:
        """Acknowledge QoS 1 messages ``mids`` (in this order) that came on connection ``generation``,
        as one write: the PUBACKs of a whole batch go out in one TCP segment instead of one queue
        entry, one wake-up and one ``send()`` each. False (nothing sent) when that connection is gone."""
        if not mids:
            return True
        # PUBACK = 0x40, remaining length 2, packet id: four bytes, the same in MQTT 3.1.1 and 5
        # (MQTT 5 allows leaving out the reason code when it is 0, success); what paho sends for one
        packet = struct.pack(f">{len(mids)}I", *[0x40020000 | mid for mid in mids])
        queue_packet = getattr(self._client, "_packet_queue", None)
        with self._gen_lock:
            if generation != self.generation:
                return False
            if queue_packet is None:          # a paho without the internal queue: one ack() each
                for mid in mids:
                    self._client.ack(mid, 1)
            else:
                queue_packet(_PUBACK, packet, 0, 0)
            return True

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False):
        """Queue a message; the returned info has ``wait_for_publish(timeout)`` and ``is_published()``.

        A payload over :data:`~makerkit.protocol.telemetry.MAX_MESSAGE` bytes is refused here: a class
        broker drops it, and over MQTT 5 paho would resend it after every reconnect (docs/ACCESS.md)."""
        if len(payload) > MAX_MESSAGE:
            raise UsageError(en=f"A message of {len(payload)} bytes for {topic} is too big for the class broker "
                                f"(at most {MAX_MESSAGE} bytes).",
                             zh=f"发往 {topic} 的消息有 {len(payload)} 字节，超过了班级 MQTT 服务器的上限（{MAX_MESSAGE} 字节）。",
                             hint_en="Send fewer values per message.", hint_zh="请在每条消息里少放一些数据。")
        return self._client.publish(topic, payload, qos=qos, retain=retain)

    def subscribe(self, flt: str, qos: int = 1) -> None:
        self.subscriptions.append((flt, qos))
        if self.connected.is_set():
            self._client.subscribe(flt, qos=qos)

    def _settle(self, timeout: float) -> None:
        client = self._client
        send = getattr(client, "_send_simple_command", None)
        if send is None:
            return
        client._ping_t = time.monotonic()     # before the PINGREQ goes: its PINGRESP clears it
        if send(paho.PINGREQ) != paho.MQTT_ERR_SUCCESS:
            client._ping_t = 0
            return
        deadline = time.monotonic() + timeout
        while client._ping_t and self.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)

    @property
    def is_connected(self) -> bool:
        return self.connected.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect cleanly (the session, if any, stays on the broker) and stop the network thread.

        Acknowledgements written just before are made sure of first: a PINGREQ after them, and its
        PINGRESP awaited (at most ``timeout`` s), since a broker answers packets in the order they
        came. Without it mosquitto (MQTT 3.1.1) sometimes dropped the last PUBACKs of a batch written
        just before the DISCONNECT, and their messages came again on the next connection."""
        try:
            if self.connected.is_set():
                self._settle(timeout)
                self._client.disconnect()
        finally:
            self._client.loop_stop()
            self.connected.clear()
