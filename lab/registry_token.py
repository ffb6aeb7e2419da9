"""``auth.docker.io``'s token endpoint: Docker Hub's pull-anonymously, push-when-logged-in model.

The hub registry uses distribution's token auth, like the real one: every request needs a bearer
token, which this endpoint issues. Anonymous callers get ``pull`` on every repository; a caller
whose basic credentials match the htpasswd account also gets ``push`` on its own namespace; a
wrong password gets Docker Hub's own 401 (``incorrect username or password``).
"""

from __future__ import annotations

import base64
import json
import secrets
import time

import bcrypt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from lab import ca

SERVICE = "registry.docker.io"
ISSUER = "docker-commands-ko lab auth"


class Unauthorized(Exception):
    """Wrong user name or password."""


def check_basic(header: str | None, htpasswd: dict[str, bytes]) -> str | None:
    """The account a ``Basic`` header proves, None without one; raise Unauthorized if wrong."""
    if not header or not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return check_password(user, password, htpasswd)


def check_password(user: str, password: str, htpasswd: dict[str, bytes]) -> str:
    """``user`` when ``password`` is its htpasswd password; raise Unauthorized if not."""
    hashed = htpasswd.get(user)
    if hashed is None or not bcrypt.checkpw(password.encode(), hashed):
        raise Unauthorized
    return user


def granted(scope: str, account: str | None) -> dict[str, object] | None:
    """What a ``repository:<name>:<actions>`` scope is granted for ``account``."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if kind != "repository" or not name:
        return None
    allowed = {"pull"}
    if account and name.startswith(f"{account}/"):
        allowed |= {"push", "delete"}
    wanted = [a for a in actions.split(",") if a in allowed | {"*"} and a != "*"]
    return {"type": "repository", "name": name, "actions": wanted}


def issue(scopes: list[str], account: str | None) -> dict[str, object]:
    """A signed token for ``scopes`` in the shape Docker Hub's token endpoint answers."""
    now = int(time.time())
    access = [g for g in (granted(s, account) for s in scopes) if g]
    claims = {
        "iss": ISSUER,
        "sub": account or "",
        "aud": SERVICE,
        "iat": now,
        "nbf": now - 10,
        "exp": now + 3600,
        "jti": secrets.token_hex(8),
        "access": access,
    }
    token = _sign(claims)
    issued = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    return {"token": token, "access_token": token, "expires_in": 3600, "issued_at": issued}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(claims: dict[str, object]) -> str:
    cert = x509.load_pem_x509_certificate(ca.TOKEN_CERT.read_bytes())
    key = serialization.load_pem_private_key(ca.TOKEN_KEY.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    # x5c carries the signer's certificate: the registry checks it against its rootcertbundle.
    header = {
        "typ": "JWT",
        "alg": "ES256",
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
