"""issue_login: a derived username, a fresh password, only its hash in the store."""

from __future__ import annotations

import pytest

from makerkit.access.logins import Credentials, issue_login, list_logins, remove_login
from makerkit.access.passwords import verify_password
from makerkit.errors import MakerkitError, UsageError
from makerkit.store import open_store


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/portfolio.db")
    s.add_class("7a")
    yield s
    s.close()


def test_kit_login_is_named_after_class_and_kit_and_only_its_hash_is_stored(store):
    cred = issue_login(store, class_id="7a", role="kit", name="kit-07", kit="kit-07")
    assert cred.username == "7a.kit-07"
    assert len(cred.password) == 20
    row = store.login("7a.kit-07")
    assert row["role"] == "kit" and row["kit_id"] == "kit-07" and row["class_id"] == "7a"
    assert row["pw_hash"].startswith("$7$101$") and cred.password not in row["pw_hash"]
    assert verify_password(cred.password, row["pw_hash"])
    assert not verify_password(cred.password + "x", row["pw_hash"])


def test_credentials_never_show_the_password(store):
    cred = issue_login(store, class_id="7a", role="dashboard", name="hall")
    assert cred.username == "7a.dashboard.hall"
    for text in (repr(cred), str(cred), f"{cred}", repr([cred])):
        assert cred.password not in text and "hall" in text
    assert isinstance(cred, Credentials)


def test_existing_login_is_refused_unless_replaced(store):
    first = issue_login(store, class_id="7a", role="collector", name="room")
    with pytest.raises(UsageError):
        issue_login(store, class_id="7a", role="collector", name="room")
    second = issue_login(store, class_id="7a", role="collector", name="room", replace=True)
    hashed = store.login(second.username)["pw_hash"]
    assert verify_password(second.password, hashed) and not verify_password(first.password, hashed)


def test_bad_role_name_or_missing_kit_are_refused_with_a_message(store):
    for kwargs in ({"role": "admin", "name": "x"}, {"role": "kit"}, {"role": "teacher", "name": "Ms Li"},
                   {"role": "kit", "kit": "Kit 7"}):
        with pytest.raises(MakerkitError) as err:
            issue_login(store, class_id="7a", **kwargs)
        assert err.value.message_zh and err.value.hint_en
    with pytest.raises(UsageError):
        issue_login(store, class_id="9z", role="teacher", name="li")     # no such class


def test_list_has_no_hashes_and_remove_disables(store):
    issue_login(store, class_id="7a", role="kit", kit="kit-01")
    issue_login(store, class_id="7a", role="teacher", name="li")
    rows = list_logins(store, "7a")
    assert [r["username"] for r in rows] == ["7a.kit-01", "7a.teacher.li"]
    assert all("pw_hash" not in r for r in rows)
    remove_login(store, "7a.kit-01")
    assert [r["username"] for r in list_logins(store)] == ["7a.teacher.li"]
    with pytest.raises(UsageError):
        remove_login(store, "7a.nobody")
