"""The firmware cases (mp_cases.py) under CPython, one pytest test each."""

import pytest

from support.firmware_cases import load_case

mp_cases = load_case("mp_cases")


@pytest.mark.parametrize("name,case", mp_cases.CASES, ids=[name for name, _ in mp_cases.CASES])
def test_case(name, case):
    case()


def test_cases_were_collected():
    assert len(mp_cases.CASES) >= 20
