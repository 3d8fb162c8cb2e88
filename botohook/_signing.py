"""Signatures of instance-identity documents, standard library only: an RSA-2048 key botohook makes once per process
(never AWS's: nothing signed here verifies against AWS's public certificates), PKCS #1 v1.5 signatures with SHA-256,
the PKCS #7 (CMS) ``SignedData`` EC2 serves as ``pkcs7`` and ``rsa2048``, and a self-signed certificate of the key
(:func:`certificate`) to verify them with, e.g. ``openssl smime -verify -inform PEM -certfile cert.pem -noverify``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % q for q in range(3, int(p**0.5) + 1, 2))]
_SHA256 = "2.16.840.1.101.3.4.2.1"
_RSA = "1.2.840.113549.1.1.1"
_SHA256_RSA = "1.2.840.113549.1.1.11"
_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")  # DER prefix of a SHA-256 DigestInfo
_NAME = "botohook instance identity (not AWS)"


class _Key(NamedTuple):
    n: int
    e: int
    p: int
    q: int


_key: _Key | None = None
_key_lock = threading.Lock()


def _probable_prime(n: int) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(40):  # Miller-Rabin
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, e: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1  # top two bits set: the product has 2 * bits
        if candidate % e != 1 and _probable_prime(candidate):
            return candidate


def key() -> _Key:
    """This process's signing key, made on first use (about a second)."""
    global _key
    with _key_lock:
        if _key is None:
            e = 65537
            p, q = _prime(1024, e), _prime(1024, e)
            _key = _Key(p * q, e, p, q)
        return _key


def sign(message: bytes) -> bytes:
    """The RSASSA-PKCS1-v1_5 signature of ``message`` with SHA-256."""
    n, e, p, q = key()
    size = (n.bit_length() + 7) // 8
    digest = _DIGEST_INFO + hashlib.sha256(message).digest()
    m = int.from_bytes(b"\x00\x01" + b"\xff" * (size - len(digest) - 3) + b"\x00" + digest, "big")
    mp, mq = pow(m, pow(e, -1, p - 1), p), pow(m, pow(e, -1, q - 1), q)  # by the Chinese remainder theorem
    return (mq + q * ((mp - mq) * pow(q, -1, p) % p)).to_bytes(size, "big")


def signature(document: str) -> str:
    """What EC2 serves as ``dynamic/instance-identity/signature``: the document's signature, base64."""
    return _lines(base64.b64encode(sign(document.encode())).decode(), 76)


def pkcs7(document: str) -> str:
    """What EC2 serves as ``pkcs7`` and ``rsa2048``: a CMS ``SignedData`` holding the document and its signature
    (no signed attributes, no certificate), DER in base64 without PEM armour."""
    content = document.encode()
    algorithm = _seq(_oid(_SHA256), b"\x05\x00")
    signer = _seq(
        _int(1),
        _seq(_issuer(), _int(1)),  # issuerAndSerialNumber: the certificate below
        algorithm,
        _seq(_oid(_RSA), b"\x05\x00"),
        _tlv(0x04, sign(content)),
    )
    signed = _seq(
        _int(1),
        _tlv(0x31, algorithm),
        _seq(_oid("1.2.840.113549.1.7.1"), _tlv(0xA0, _tlv(0x04, content))),
        _tlv(0x31, signer),
    )
    info = _seq(_oid("1.2.840.113549.1.7.2"), _tlv(0xA0, signed))
    return _lines(base64.b64encode(info).decode(), 64)


def certificate() -> str:
    """A self-signed X.509 certificate (PEM) of this process's key, to verify what it signed."""
    n, e, _, _ = key()
    now = datetime.now(timezone.utc)
    validity = _seq(*(_tlv(0x17, f"{t:%y%m%d%H%M%SZ}".encode()) for t in (now, now + timedelta(days=3650))))
    public = _seq(_seq(_oid(_RSA), b"\x05\x00"), _tlv(0x03, b"\x00" + _seq(_int(n), _int(e))))
    sha256_rsa = _seq(_oid(_SHA256_RSA), b"\x05\x00")
    tbs = _seq(_tlv(0xA0, _int(2)), _int(1), sha256_rsa, _issuer(), validity, _issuer(), public)
    der = _seq(tbs, sha256_rsa, _tlv(0x03, b"\x00" + sign(tbs)))
    body = _lines(base64.b64encode(der).decode(), 64)
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def _issuer() -> bytes:
    return _seq(_tlv(0x31, _seq(_oid("2.5.4.3"), _tlv(0x0C, _NAME.encode()))))


def _lines(text: str, width: int) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _tlv(tag: int, value: bytes) -> bytes:
    size = len(value)
    if size < 0x80:
        return bytes([tag, size]) + value
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + value


def _seq(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _oid(dotted: str) -> bytes:
    first, second, *rest = (int(part) for part in dotted.split("."))
    out = bytearray([40 * first + second])
    for number in rest:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        out += bytes(reversed(chunk))
    return _tlv(0x06, bytes(out))
