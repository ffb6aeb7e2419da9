"""The lab CA: one per machine, kept in the machine cache (never committed), trusted by lab
daemons and the images that need it; each checkout's servers get certificates it signs."""

from __future__ import annotations

import datetime as dt
import fcntl
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lab.paths import CACHE, CERT_NAMES, GCR, HUB, INDEX, SECRETS

CA_CERT = SECRETS / "ca.crt"
SERVER_CERT = SECRETS / "server.crt"
SERVER_KEY = SECRETS / "server.key"
# auth.docker.io signs its bearer tokens with this key; the hub registry trusts the certificate.
TOKEN_CERT = SECRETS / "token.crt"
TOKEN_KEY = SECRETS / "token.key"
# What the lab daemons trust: the host's roots plus the lab CA (Go reads SSL_CERT_FILE).
TRUST_BUNDLE = SECRETS / "trust-bundle.crt"
HOST_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
MACHINE_CA = CACHE / "ca"
MACHINE_CA_CERT = MACHINE_CA / "ca.crt"
MACHINE_CA_KEY = MACHINE_CA / "ca.key"


def ensure() -> bool:
    """The checkout's certificates, signed by the machine's lab CA; made again (True) when the
    CA or the host's roots changed, or a server's name is missing."""
    ca_cert, ca_key = _machine_ca()
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    bundle = HOST_BUNDLE.read_bytes() + ca_pem
    if (
        TOKEN_KEY.exists()
        and SERVER_KEY.exists()
        and TRUST_BUNDLE.exists()
        and TRUST_BUNDLE.read_bytes() == bundle
        and CA_CERT.exists()
        and CA_CERT.read_bytes() == ca_pem
        and _names_covered()
    ):
        return False
    SECRETS.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in CERT_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip, _ in (HUB, GCR, INDEX)]
    cert = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERT_NAMES[0])]),
            ca_cert.subject,
            key.public_key(),
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    CA_CERT.write_bytes(ca_pem)
    SERVER_CERT.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(SERVER_KEY, key)
    token_key = ec.generate_private_key(ec.SECP256R1())
    token_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lab token signer")])
    token_cert = _builder(token_name, token_name, token_key.public_key()).sign(
        token_key, hashes.SHA256()
    )
    TOKEN_CERT.write_bytes(token_cert.public_bytes(serialization.Encoding.PEM))
    _write_key(TOKEN_KEY, token_key)
    TRUST_BUNDLE.write_bytes(bundle)
    return True


def _machine_ca() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """The lab CA of this machine, made once. Every checkout's lab trusts the same CA, so the
    images that carry it (node, python) are the same for all and the machine cache keeps them;
    its key stays in the cache (root only), never in a checkout."""
    MACHINE_CA.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(MACHINE_CA / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two checkouts' first runs make one CA, not two
        if not (MACHINE_CA_CERT.exists() and MACHINE_CA_KEY.exists()):
            ca_key = ec.generate_private_key(ec.SECP256R1())
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "docker-commands-ko lab CA")])
            ca_cert = (
                _builder(name, name, ca_key.public_key())
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .sign(ca_key, hashes.SHA256())
            )
            _write_key(MACHINE_CA_KEY, ca_key)
            MACHINE_CA_CERT.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    key = serialization.load_pem_private_key(MACHINE_CA_KEY.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{MACHINE_CA_KEY}: not an EC private key")
    return x509.load_pem_x509_certificate(MACHINE_CA_CERT.read_bytes()), key


def _names_covered() -> bool:
    """Whether the servers' certificate names every host the lab answers for (a lab made
    before a server was added lacks its name)."""
    cert = x509.load_pem_x509_certificate(SERVER_CERT.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(CERT_NAMES) <= set(names.get_values_for_type(x509.DNSName))


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=825))
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.touch(mode=0o600)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
