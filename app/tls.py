"""HTTPS certificates: the app's own TLS for development, and the self-signed pair the
docker compose proxy is given on its first start (production terminates TLS there).

    python -m app.tls CERT KEY [--host NAME ...] [--days N]

writes a self-signed certificate and its key unless both files already exist.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_ssl_devcert

ADHOC = "adhoc"
DEFAULT_HOSTS = ("localhost", "127.0.0.1")


def tls_files(app: Flask) -> tuple[str, str] | None:
    """(certificate, key) to serve HTTPS with, or None for plain HTTP.

    ``WEB_TLS_CERT=adhoc`` makes a throw-away self-signed pair under instance/certs/.
    """
    cert = app.config["WEB_TLS_CERT"]
    if not cert:
        return None
    if cert == ADHOC:
        folder = Path(app.instance_path) / "certs"
        folder.mkdir(parents=True, exist_ok=True)
        return make_ssl_devcert(str(folder / "adhoc"), host="localhost")
    key = app.config["WEB_TLS_KEY"]
    if not key:
        raise ValueError("WEB_TLS_KEY must name the key file that matches WEB_TLS_CERT")
    return cert, key


def make_self_signed(cert_path: Path, key_path: Path, hosts: Sequence[str], days: int) -> None:
    """A self-signed server certificate for ``hosts`` (names or IP addresses), valid for
    ``days``, and its private key (readable by the owner only). Each file appears whole
    or not at all; the key is written first, so an interrupted run leaves at most a key,
    which the command line then refuses as half a pair rather than pair it wrongly."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomically(key_path, key_bytes, mode=0o600)
    _write_atomically(cert_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _write_atomically(path: Path, content: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(partial, path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a self-signed certificate and key.")
    parser.add_argument("cert", type=Path)
    parser.add_argument("key", type=Path)
    parser.add_argument(
        "--host",
        action="append",
        default=[],
        help="a name or IP address the certificate is for (repeat; localhost and 127.0.0.1 "
        "are always added)",
    )
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    if args.cert.exists() and args.key.exists():
        print(f"kept the certificate in {args.cert}")
        return 0
    if args.cert.exists() or args.key.exists():
        there, missing = (args.cert, args.key) if args.cert.exists() else (args.key, args.cert)
        print(f"found {there} but not {missing}: give both files or neither", file=sys.stderr)
        return 2
    hosts = [host.strip() for host in args.host if host.strip()] + list(DEFAULT_HOSTS)
    make_self_signed(args.cert, args.key, hosts, args.days)
    print(f"wrote a self-signed certificate for {', '.join(dict.fromkeys(hosts))} to {args.cert}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
