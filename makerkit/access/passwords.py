"""Passwords for broker logins, and their hashes in exactly the form ``mosquitto_passwd`` writes.

A hash is ``$7$ITERATIONS$SALT$HASH``: PBKDF2-HMAC-SHA512 over the password with a random 12-byte salt,
64 bytes of output, salt and output in standard base64 (mosquitto 2.0, ``src/password_mosq.c``;
``mosquitto_passwd`` uses 101 iterations unless ``-I`` says otherwise). The same salt, output and
iteration count are what the dynamic-security plugin stores, so one stored hash serves both files.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import NamedTuple

from ..errors import UsageError

# no 0/O, 1/l/I: a teacher may have to read a password off a screen and type it into a kit
ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 20           # log2(57**20) > 116 bits
ITERATIONS = 101               # mosquitto_passwd's default
SALT_BYTES = 12
HASH_BYTES = 64


class PasswordHash(NamedTuple):
    iterations: int
    salt: bytes
    digest: bytes


def new_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password of ``length`` characters from an alphabet without look-alike characters."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _pbkdf2(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations, HASH_BYTES)


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """The ``$7$`` line mosquitto reads for ``password`` (a new random salt unless one is given)."""
    if not isinstance(password, str) or not password:
        raise UsageError(en="A broker password cannot be empty.", zh="代理服务器的密码不能为空。",
                         hint_en="Let makerkit generate one: makerkit access add ...",
                         hint_zh="让 makerkit 生成一个：makerkit access add ...")
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = _pbkdf2(password, salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def parse_hash(text: str) -> PasswordHash:
    """Split a ``$7$`` hash; raises :class:`UsageError` for anything else (the hash itself is not shown)."""
    parts = text.split("$") if isinstance(text, str) else []
    try:
        if len(parts) != 5 or parts[0] or parts[1] != "7":
            raise ValueError("not $7$")
        iterations = int(parts[2])
        salt = base64.b64decode(parts[3], validate=True)
        digest = base64.b64decode(parts[4], validate=True)
        if iterations < 1 or not salt or len(digest) != HASH_BYTES:
            raise ValueError("bad field")
    except (ValueError, binascii.Error):
        raise UsageError(en="A stored broker password hash is not in mosquitto's $7$ form.",
                         zh="保存的代理服务器密码哈希不是 mosquitto 的 $7$ 格式。",
                         hint_en="Give the login a new password: makerkit access add ... --replace",
                         hint_zh="请给这个账号重新设置密码：makerkit access add ... --replace") from None
    return PasswordHash(iterations, salt, digest)


def verify_password(password: str, hashed: str) -> bool:
    """True when ``password`` matches ``hashed`` (a ``$7$`` line); constant-time comparison."""
    if not isinstance(password, str):
        return False
    h = parse_hash(hashed)
    return hmac.compare_digest(_pbkdf2(password, h.salt, h.iterations), h.digest)
