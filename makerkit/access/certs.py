"""A class CA and the broker's certificate, for ``mqtts://`` (``makerkit access ca``).

The CA's certificate (``ca.pem``) is what clients and kits trust; its key (``ca-key.pem``) stays on the
teacher's laptop. Running again reuses an existing CA in the folder and only issues a new broker
certificate (``broker.pem``, ``broker-key.pem``), so kits that already trust the CA keep working
when the broker moves to a new address. Keys are written mode 0600. :func:`kit_ca` gives the CA's
certificate as ``makerkit deploy`` puts it on a kit (``/ca.der``), refusing anything that is not a CA.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import UsageError
from .mosquitto import TlsFiles

CA_YEARS = 10
BROKER_YEARS = 3


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "makerkit"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write(path: str, data: bytes, private: bool) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _san(hosts: list[str]) -> x509.SubjectAlternativeName:
    """Each host as the name a client checks: an IP address also as a DNS name, since the mbedtls of older
    MicroPython images (ESP-IDF 4.x, mbedtls 2) compares an address only with DNS names."""
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            pass
        names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _load_or_make_ca(out_dir: str, label: str, now: dt.datetime):
    cert_path, key_path = os.path.join(out_dir, "ca.pem"), os.path.join(out_dir, "ca-key.pem")
    if os.path.exists(cert_path) and os.path.exists(key_path):
        with open(key_path, "rb") as fh:
            key = serialization.load_pem_private_key(fh.read(), password=None)
        with open(cert_path, "rb") as fh:
            return x509.load_pem_x509_certificate(fh.read()), key
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(label)).issuer_name(_name(label))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    _write(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), True)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), False)
    return cert, key


def create_ca(out_dir: str, *, hosts: list[str] = (), label: str = "makerkit class CA") -> TlsFiles:
    """Make (or reuse) a CA in ``out_dir`` and a broker certificate valid for ``hosts`` (IP addresses
    or names; ``localhost``, ``127.0.0.1`` and this computer's name are always included)."""
    for host in hosts:
        if not host or any(c.isspace() or c in "/:@" for c in host):
            raise UsageError(en=f"--host {host!r} should be an IP address or a computer name.",
                             zh=f"--host {host!r} 应该是 IP 地址或计算机名。")
    os.makedirs(out_dir, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    ca_cert, ca_key = _load_or_make_ca(out_dir, label, now)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [*hosts, "localhost", "127.0.0.1", socket.gethostname()]
    cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365 * BROKER_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_san(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = TlsFiles(certfile=os.path.join(os.path.abspath(out_dir), "broker.pem"),
                     keyfile=os.path.join(os.path.abspath(out_dir), "broker-key.pem"),
                     cafile=os.path.join(os.path.abspath(out_dir), "ca.pem"))
    _write(files.keyfile, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()), True)
    _write(files.certfile, cert.public_bytes(serialization.Encoding.PEM), False)
    return files


def tls_files(cert_dir: str) -> TlsFiles:
    """The files :func:`create_ca` wrote in ``cert_dir``; raises when one is missing."""
    files = TlsFiles(*(os.path.join(os.path.abspath(cert_dir), n) for n in ("broker.pem", "broker-key.pem", "ca.pem")))
    for path in (files.certfile, files.keyfile, files.cafile):
        if not os.path.exists(path):
            raise UsageError(en=f"{path} is missing.", zh=f"缺少文件 {path}。",
                             hint_en=f"Create the certificates first: makerkit access ca --out {cert_dir}",
                             hint_zh=f"请先生成证书：makerkit access ca --out {cert_dir}")
    return files


def _refuse_ca(path: str, en: str, zh: str) -> UsageError:
    return UsageError(en=f"{path}: {en}", zh=f"{path}：{zh}",
                      hint_en="Give the class CA's certificate, the ca.pem that `makerkit access ca --out CERTS` "
                              "made: --broker 'mqtts://HOST:8883?ca=CERTS/ca.pem'.",
                      hint_zh="请给出班级 CA 的证书，即 `makerkit access ca --out CERTS` 生成的 ca.pem："
                              "--broker 'mqtts://主机:8883?ca=CERTS/ca.pem'。", key="broker")


def kit_ca(path: str) -> bytes:
    """The CA certificate in ``path`` (PEM or DER) as DER bytes, for a kit's ``/ca.der``. Refuses a
    missing file, a private key (it must stay on the laptop), a file with no certificate and the
    broker's own certificate (a kit must trust the CA, not one certificate); never shows the file."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        raise _refuse_ca(path, "there is no such file.", "没有这个文件。") from None
    if b"PRIVATE KEY" in data:
        raise _refuse_ca(path, "this is a private key; it stays on this computer and never goes to a kit.",
                         "这是私钥文件；它只能留在这台电脑上，绝不能放到套件里。")
    try:
        cert = (x509.load_pem_x509_certificates(data)[0] if b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data))
    except ValueError:
        raise _refuse_ca(path, "this file holds no certificate.", "这个文件里没有证书。") from None
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise _refuse_ca(path, "this certificate is not a CA (is it the broker's own certificate?).",
                         "这个证书不是 CA 证书（是不是服务器自己的证书？）。")
    return cert.public_bytes(serialization.Encoding.DER)
