"""The control plane's PKI (``<state>/pki``), made once with the ``cryptography`` package.

CA; kube-apiserver serving cert (127.0.0.1, the first service IP, kubernetes.default.svc...);
service-account key pair; client certs for admin (system:masters), controller-manager, scheduler,
kwok; a serving cert for the controller-manager's and scheduler's secure ports. Keys are mode 600.
An existing PKI (``admin.key`` and ``sa.key`` present, e.g. made by the former bash engine with
openssl) is kept as it is.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

DAYS = 3650
# (file name, organisation, common name, usage)
CLIENTS = (
    ("admin", "system:masters", "kubernetes-admin"),
    ("controller-manager", None, "system:kube-controller-manager"),
    ("scheduler", None, "system:kube-scheduler"),
    ("kwok", "system:masters", "kwok-controller"),
)


def _write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def ensure_pki(pki: Path, service_cidr: str) -> bool:
    """Create the PKI unless present; returns True when it was created."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    pki = Path(pki)
    pki.mkdir(parents=True, exist_ok=True)
    pki.chmod(0o700)
    if (pki / "admin.key").is_file() and (pki / "sa.key").is_file():
        return False

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    later = now + dt.timedelta(days=DAYS)

    def key():
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def save_key(name, k):
        _write(pki / ("%s.key" % name), k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()), 0o600)

    def save_cert(name, cert):
        _write(pki / ("%s.crt" % name), cert.public_bytes(serialization.Encoding.PEM), 0o644)

    def subject(cn, org=None):
        attrs = ([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []) + [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        return x509.Name(attrs)

    ca_key = key()
    ca_name = subject("appmod-local-cluster-ca")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(later)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    save_key("ca", ca_key)
    save_cert("ca", ca)

    def sign(name, cn, org=None, server=False, sans=()):
        k = key()
        b = (x509.CertificateBuilder().subject_name(subject(cn, org)).issuer_name(ca_name).public_key(k.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(later)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
             .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                          crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server
                                                   else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
        save_key(name, k)
        save_cert(name, b.sign(ca_key, hashes.SHA256()))

    first_svc_ip = next(ipaddress.ip_network(service_cidr).hosts())
    dns = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"]
    sign("apiserver", "kube-apiserver", server=True,
         sans=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(first_svc_ip)] + [x509.DNSName(d) for d in dns])
    for name, org, cn in CLIENTS:
        sign(name, cn, org)
    sign("components", "localhost", server=True,
         sans=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])

    sa = key()
    save_key("sa", sa)
    _write(pki / "sa.pub", sa.public_key().public_bytes(serialization.Encoding.PEM,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)
    return True
