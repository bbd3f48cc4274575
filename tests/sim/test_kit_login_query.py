"""A tethered ESP32 kit answers a configuration query with ``show=password`` with its own broker
password (the bridge logs in as the kit with it, as for an Arduino kit), never with the WiFi password;
a plain query keeps both hidden."""

import makerkit
from makerkit.protocol import firmata as fm


def test_the_kit_gives_its_broker_password_only_when_asked_and_never_the_wifi_one():
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        kit.configure(kit="kit-07", class_="7a", username="7a.kit-07", password="s3cretKitLogin",
                      wifi_ssid="makerspace", wifi_password="school-wifi-secret")
        plain = kit.config()
        assert plain["password"] == "***" and plain["wifi_password"] == "***"
        assert kit.broker_password() == "s3cretKitLogin"
        shown = kit.client.request(fm.mk_config_get(show_password=True), expect=fm.MkConfig,
                                   timeout=2.0).config
        assert shown["wifi_password"] == "***" and "school-wifi-secret" not in repr(shown)


def test_a_kit_without_a_login_shows_none():
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        assert kit.broker_password() is None
