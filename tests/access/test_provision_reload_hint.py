"""``class provision`` tells the teacher that the broker lets the kits' new logins in only once its files are
written again (``broker config``, then a reload), in both languages; a run that only finds kits already done
does not."""

from __future__ import annotations

import pytest

from makerkit.classroom.provision import ALREADY_DONE, PROVISIONED, KitOutcome, ProvisionResult
from makerkit.cli.class_provision import _show


@pytest.mark.parametrize("lang, words", [("en", "once its files are written again"), ("zh", "重新生成文件后才认新账号")])
def test_new_logins_come_with_the_reload_hint(capsys, monkeypatch, lang, words):
    monkeypatch.setenv("MAKERKIT_LANG", lang)
    fresh = ProvisionResult("7c", "uno", [KitOutcome("/dev/ttyACM0", PROVISIONED, "kit-01", username="7c.kit-01")], 1.0)
    _show(fresh, as_json=False)
    out = capsys.readouterr().out
    assert words in out and "makerkit broker config" in out and "kill -HUP" in out
    done = ProvisionResult("7c", "uno", [KitOutcome("/dev/ttyACM0", ALREADY_DONE, "kit-01")], 1.0)
    _show(done, as_json=False)
    assert "broker config" not in capsys.readouterr().out
