"""A lesson folder with one of every part the wiring check knows, wired on an Uno and an ESP32
(made in a temporary folder by the wiring-check tests)."""

from __future__ import annotations

from pathlib import Path

PINS = {
    "uno": {"dht": "D4", "button": "D2", "trig": "D7", "echo": "D8", "line": "D3", "light": "A0",
            "in1": "D9", "in2": "D10", "ena": "D11", "in3": "D12", "in4": "D13", "enb": "D6",
            "sda": "A4", "scl": "A5"},
    "esp32": {"dht": "GPIO4", "button": "GPIO15", "trig": "GPIO5", "echo": "GPIO18", "line": "GPIO27",
              "light": "GPIO36", "in1": "GPIO25", "in2": "GPIO26", "ena": "GPIO14", "in3": "GPIO12",
              "in4": "GPIO13", "enb": "GPIO33", "sda": "GPIO21", "scl": "GPIO22"},
}

PARTS = [("dht", "A DHT11 module"), ("button", "A push button"), ("distance", "An HC-SR04 distance sensor"),
         ("line", "A line sensor module (DO)"), ("light", "A light sensor"),
         ("motors", "An L298N motor driver"), ("aht20", "An AHT20 sensor on I2C")]

LEGS = [  # (pin key or a supply pin, part, leg)
    ("dht", "dht", "S (signal)"), ("5V", "dht", "+ (VCC)"), ("GND", "dht", "- (GND)"),
    ("button", "button", "one leg"), ("GND", "button", "the leg diagonally opposite"),
    ("trig", "distance", "Trig"), ("echo", "distance", "Echo"), ("5V", "distance", "VCC"),
    ("line", "line", "DO"), ("light", "light", "the signal of the LDR divider"),
    ("in1", "motors", "IN1"), ("in2", "motors", "IN2"), ("ena", "motors", "ENA (jumper removed)"),
    ("in3", "motors", "IN3"), ("in4", "motors", "IN4"), ("enb", "motors", "ENB (jumper removed)"),
    ("sda", "aht20", "SDA"), ("scl", "aht20", "SCL"), ("3V3", "aht20", "VCC"),
]


def _toml(lesson_id: str) -> str:
    out = [f'schema = 1\nid = "{lesson_id}"\nboards = ["uno", "esp32"]\n',
           '[title]\nzh-CN = "接线检查"\nen = "Wiring check"\n',
           '[summary]\nzh-CN = "每种元件各一个。"\nen = "One of every part."\n',
           '[goals]\nzh-CN = ["检查接线"]\nen = ["Check the wiring"]\n']
    for part_id, name in PARTS:
        out.append(f'[[parts]]\nid = "{part_id}"\nname = {{ zh-CN = "{name}（中文）", en = "{name}" }}\n')
    for board in ("default", "esp32"):
        pins = PINS["uno" if board == "default" else board]
        out.append(f"[pins.{board}]\n" + "".join(
            f'{role} = "{pins[key]}"\n' for role, key in (("dht", "dht"), ("button", "button"),
                                                          ("distance_trigger", "trig"), ("distance_echo", "echo"),
                                                          ("line_left", "line"), ("light", "light"))))
        for key, part, leg in LEGS:
            pin = pins.get(key, key)
            out.append(f'[[wiring.{board}]]\npin = "{pin}"\npart = "{part}"\n'
                       f'leg = {{ zh-CN = "{leg}（脚）", en = "{leg}" }}\n')
    return "\n".join(out)


def make_lesson(folder: Path, lesson_id: str = "90-wiring-kit") -> Path:
    path = folder / lesson_id
    path.mkdir(parents=True)
    (path / "lesson.toml").write_text(_toml(lesson_id), encoding="utf-8")
    for name in ("README.md", "README.zh-CN.md"):
        (path / name).write_text("# Wiring check\n", encoding="utf-8")
    for name in ("starter.py", "solution.py"):
        (path / name).write_text("def main(kit):\n    kit.sleep(0.5)\n", encoding="utf-8")
    (path / "check.py").write_text("def check(run):\n    return [run.ok('ran', '运行了')]\n", encoding="utf-8")
    return path
