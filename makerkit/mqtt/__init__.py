"""MQTT for makerkit: the only package that imports paho-mqtt.

``connection.MqttConnection`` is a paho 2.x client set up the way the collector, the bridge and the
classroom need it (MQTT 5, QoS 1, persistent sessions, manual acknowledgement, reconnects);
``umqtt`` is a small MQTT 3.1.1 client with MicroPython's ``umqtt.simple`` API, so the device firmware
runs unchanged against a real broker inside the virtual kit.
"""

from .url import BrokerAddress, parse_broker_url

__all__ = ["BrokerAddress", "parse_broker_url"]
