"""Load a student's lesson script (or a lesson's checker) from a file, and explain its crashes.

A script is a plain Python file with ``def main(kit): ...``. It is loaded as a fresh module each
time (never cached in ``sys.modules``), with ``print`` replaced by the runner's so what it prints
is recorded with the time it was printed. When it crashes, :func:`explain_crash` keeps only the
frames of the student's own file and adds a hint a 12-year-old can act on.
"""

from __future__ import annotations

import linecache
import traceback
import types
from pathlib import Path
from typing import Callable

from ..errors import CatalogError, MakerkitError
from .findings import ScriptCrash

_HINTS: dict[str, tuple[str, str]] = {
    "SyntaxError": ("Python could not read this line. Look for a missing colon (:), bracket or quote.",
                    "Python 看不懂这一行。检查一下是不是少了冒号（:）、括号或引号。"),
    "IndentationError": ("The spaces at the start of the line are wrong. Lines inside `def`, `while` or "
                         "`if` must start with the same number of spaces (4 is usual).",
                         "这一行开头的空格不对。写在 `def`、`while`、`if` 里面的行要用相同数量的空格开头（通常是 4 个）。"),
    "TabError": ("Tabs and spaces are mixed at the start of a line. Use spaces only.",
                 "行首混用了 Tab 和空格。请只用空格。"),
    "NameError": ("A name is spelled differently from where it was made, or used before it was made. "
                  "Check upper/lower case too (led and LED are different).",
                  "有个名字拼写和定义时不一样，或者还没定义就用了。注意大小写（led 和 LED 是不同的名字）。"),
    "AttributeError": ("That part has no such command or value. Check the spelling, and the lesson's README "
                       "for the names you can use (for example led.on(), button.is_pressed).",
                       "这个元件没有这个命令或属性。检查拼写，并看看课程说明里能用的名字（例如 led.on()、button.is_pressed）。"),
    "TypeError": ("A command got the wrong kind or number of values. Check the brackets: "
                  "led.on() needs (), kit.sleep(0.5) needs a number.",
                  "某个命令收到的值的类型或个数不对。检查括号：led.on() 要加 ()，kit.sleep(0.5) 要写一个数字。"),
    "ValueError": ("A value is not allowed here. Check the numbers and pin names you typed.",
                   "这里不能用这个值。检查你输入的数字和引脚名称。"),
    "ZeroDivisionError": ("Something was divided by zero. Check what you divide by.",
                          "有数字被 0 除了。检查一下除数。"),
    "IndexError": ("A list was asked for an item it does not have.", "从列表里取了一个不存在的位置。"),
    "KeyError": ("A dictionary was asked for a key it does not have.", "从字典里取了一个不存在的键。"),
    "RecursionError": ("A function keeps calling itself without end. Use a `while True:` loop instead.",
                       "函数一直在调用自己停不下来。请改用 `while True:` 循环。"),
}
# Errors whose class says too little: the start of their message picks the hint (drivers' errors).
_MESSAGE_HINTS: tuple[tuple[str, str, str], ...] = (
    ("No I2C device at address",
     "The driver heard no I2C device at that address. Check the sensor's four wires: SDA and SCL "
     "(not swapped), VCC and GND, all pushed in firmly; then run it again.",
     "驱动程序在这个地址上没有找到 I2C 设备。请检查传感器的四根线：SDA 和 SCL（不要接反）、VCC 和 GND，"
     "都要插紧；然后再运行一次。"),
)
_DEFAULT_HINT = ("Read the line shown above; the last line says what went wrong.",
                 "看看上面显示的那一行；最后一行说明了出了什么错。")


def load_script(path: Path, *, print_fn: Callable | None = None, module_name: str = "lesson_script"
                ) -> types.ModuleType:
    """Compile and run a script file's top level as a fresh module; return the module.

    Exceptions from the student's code propagate unchanged (the runner explains them)."""
    path = Path(path)
    source = path.read_text(encoding="utf-8")
    code = compile(source, str(path), "exec")
    linecache.checkcache(str(path))
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    if print_fn is not None:
        module.__dict__["print"] = print_fn
    exec(code, module.__dict__)
    return module


def load_checker(path: Path) -> types.ModuleType:
    """Load a lesson's ``check.py``; a broken checker is the lesson's fault, not the student's."""
    try:
        module = load_script(path, module_name="lesson_check")
    except Exception as exc:
        raise CatalogError(en=f"{path}: the lesson's checker cannot be loaded: {type(exc).__name__}: {exc}",
                           zh=f"{path}：课程的检查程序无法加载：{type(exc).__name__}: {exc}") from exc
    if not callable(getattr(module, "check", None)):
        raise CatalogError(en=f"{path}: key 'check' must be a function check(run) (it is missing).",
                           zh=f"{path}：必须定义函数 check(run)（没有找到）。")
    return module


def missing_main_crash(path: Path) -> ScriptCrash:
    return ScriptCrash(
        kind="NameError", message="main", frames=(),
        hint_en=f"{path.name} has no `def main(kit):`. Your program must be inside a function called main "
                "that takes the kit, like the starter file.",
        hint_zh=f"{path.name} 里没有 `def main(kit):`。你的程序要写在一个叫 main、接收 kit 的函数里，就像 starter.py 那样。")


def _hint(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, MakerkitError):
        return exc.hint("en"), exc.hint("zh")
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return (f"Python cannot find the library {exc.name}: it is not installed where makerkit runs. "
                "Check the spelling of the import line, or ask your teacher to install the library "
                "(pip install, into makerkit's environment).",
                f"Python 找不到库 {exc.name}：运行 makerkit 的环境里没有安装它。请检查 import 那一行的拼写，"
                "或者请老师安装这个库（用 pip 装进 makerkit 的环境）。")
    text = str(exc)
    for start, en, zh in _MESSAGE_HINTS:
        if text.startswith(start):
            return en, zh
    return next((_HINTS[c.__name__] for c in type(exc).__mro__ if c.__name__ in _HINTS), _DEFAULT_HINT)


def explain_crash(exc: BaseException, script: Path, t: float | None = None) -> ScriptCrash:
    """Turn an exception from the student's script into their own trimmed traceback plus a hint."""
    script_name = str(Path(script).resolve())
    frames = []
    for fs in traceback.extract_tb(exc.__traceback__):
        if str(Path(fs.filename).resolve()) == script_name:
            frames.append((fs.filename, fs.lineno or 0, fs.name, (fs.line or "").strip()))
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError):
        line = (exc.text or "").strip()
        frames = [(exc.filename or str(script), exc.lineno or 0, "<module>", line)]
        message = exc.msg
    elif isinstance(exc, MakerkitError):
        message = exc.message()
    else:
        message = str(exc)
    hint_en, hint_zh = _hint(exc)
    if frames:
        where_en = f" (line {frames[-1][1]} of {Path(frames[-1][0]).name})"
        where_zh = f"（{Path(frames[-1][0]).name} 第 {frames[-1][1]} 行）"
        hint_en, hint_zh = hint_en + where_en, hint_zh + where_zh
    return ScriptCrash(kind=kind, message=message, frames=tuple(frames), hint_en=hint_en, hint_zh=hint_zh, t=t)

