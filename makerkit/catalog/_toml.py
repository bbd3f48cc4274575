"""Read a TOML data file, and small checked getters whose errors name the file and the key."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ..errors import CatalogError


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(en=f"{path} is not valid TOML: {exc}", zh=f"{path} 不是合法的 TOML 文件：{exc}") from exc
    except OSError as exc:
        raise CatalogError(en=f"Cannot read {path}: {exc}", zh=f"无法读取 {path}：{exc}") from exc


class Fields:
    """Typed access to a TOML table; each failure names the file and the dotted key."""

    def __init__(self, data: dict[str, Any], path: Path, prefix: str = ""):
        self.data, self.path, self.prefix = data, path, prefix

    def _fail(self, key: str, want: str) -> CatalogError:
        full = f"{self.prefix}{key}"
        return CatalogError(en=f"{self.path}: key '{full}' must be {want}.",
                            zh=f"{self.path}：键 '{full}' 必须是{want}。")

    def get(self, key: str, kind: type | tuple, want: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self._fail(key, want + " (it is missing)")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self._fail(key, want)
        return value

    def str(self, key: str, default: Any = ...) -> str:
        return self.get(key, str, "a string", default)

    def int(self, key: str, default: Any = ...) -> int:
        return self.get(key, int, "a whole number", default)

    def bool(self, key: str, default: Any = ...) -> bool:
        return self.get(key, bool, "true or false", default)

    def str_list(self, key: str, default: Any = ...) -> list[str]:
        value = self.get(key, list, "a list of strings", default)
        if not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return value

    def int_list(self, key: str, default: Any = ...) -> list[int]:
        value = self.get(key, list, "a list of whole numbers", default)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise self._fail(key, "a list of whole numbers")
        return value

    def table(self, key: str, default: Any = ...) -> "Fields":
        value = self.get(key, dict, "a table", default)
        return Fields(value, self.path, f"{self.prefix}{key}.")

    def fail(self, key: str, want: str) -> CatalogError:
        return self._fail(key, want)
