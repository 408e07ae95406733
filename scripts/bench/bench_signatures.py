"""Signature micro-benchmark, one core: CMS verify with chain and CRL (RSA; GOST with the engine and in pure Python),
CMS sign (RSA; GOST for information).

`python -m scripts.bench.bench_signatures [--seconds 3] [--size 10240] [--no-wait]`
A root → CA → signer chain is issued in memory for each algorithm (`edms.signatures.crypto.issue`), with CRLs of the
root and of the CA (the CA's lists 200 revoked serials). Keys, certificates, CRLs and the trust data are built and
parsed once before timing; each timed verification is the full `verify_detached` (parse the CMS, digest the file,
check the signature, build the path, check validity, revocation, key usage and the profile) and must say 'valid'.
Targets (issue 4, per core): verify ≥ 300/s RSA and ≥ 200/s GOST with the engine (pure Python: reported only,
baseline about 15/s), sign ≥ 500/s RSA. No database is needed.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from edms.signatures.crypto import oids
from edms.signatures.crypto.backends import backends, configure_backends
from edms.signatures.crypto.certs import IssuerSignTool
from edms.signatures.crypto.chain import clear_caches, view_of
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.issue import CertificateSpec, build_name, issue_certificate, issue_crl
from edms.signatures.crypto.keys import PrivateKey, generate_private_key, public_key_info
from edms.signatures.crypto.verify import TrustData, verify_detached
from scripts.bench.common import load_average, machine, wait_for_quiet

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TARGETS = {'verify rsa': 300, 'verify gost-engine': 200, 'sign rsa': 500}
TOOL = IssuerSignTool('СКЗИ «Тест»', 'ПАК УЦ «Тест»', 'СФ/124-0001', 'СФ/128-0002')


@dataclass(frozen=True)
class Pki:
    """A signer with its key, the chain to embed, and the trust data that validates it."""

    key: PrivateKey
    certificate: bytes
    chain: list[bytes]
    trust: TrustData


def build_pki(algorithm: str) -> Pki:
    keys = [generate_private_key(algorithm) for _ in range(3)]
    spkis = [public_key_info(key) for key in keys]
    names = [
        build_name([(oids.COUNTRY, 'RU'), (oids.ORGANIZATION, 'Тестовый УЦ'), (oids.COMMON_NAME, 'Корневой УЦ')]),
        build_name([(oids.OGRN, '1027700132195'), (oids.INNLE, '7707083893'), (oids.COMMON_NAME, 'Тестовый УЦ')]),
        build_name([(oids.SNILS, '11223344595'), (oids.INN, '770708389312'), (oids.COMMON_NAME, 'Иванов Иван')]),
    ]
    start, week = NOW - timedelta(days=30), NOW + timedelta(days=7)

    def spec(index: int, serial: int, **extra: object) -> CertificateSpec:
        return CertificateSpec(names[index], serial, start, start + timedelta(days=365), **extra)

    ca_usage = frozenset({'key_cert_sign', 'crl_sign'})
    root = issue_certificate(spec(0, 1, is_ca=True, key_usage=ca_usage), spkis[0], names[0], keys[0], spkis[0])
    ca = issue_certificate(spec(1, 2, is_ca=True, key_usage=ca_usage), spkis[1], names[0], keys[0], spkis[0])
    signer_spec = spec(2, 3, subject_sign_tool='СКЗИ «Тест»', issuer_sign_tool=TOOL)
    signer = issue_certificate(signer_spec, spkis[2], names[1], keys[1], spkis[1])
    crls = [
        issue_crl(names[0], keys[0], spkis[0], [], this_update=start, next_update=week),
        issue_crl(
            names[1], keys[1], spkis[1], [(1000 + n, start) for n in range(200)], this_update=start, next_update=week
        ),
    ]
    trust = TrustData([root], [], crls, {view_of(root).fingerprint}, NOW)
    return Pki(keys[2], signer, [ca], trust)


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second of `operation`, run for about `seconds` after a short warm-up."""
    for _ in range(3):
        operation()
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        operation()
        count += 1
    return count / (time.perf_counter() - started)


def use_backends(*names: str) -> None:
    configure_backends(['standard', *names])
    clear_caches()


def measure(seconds: float, size: int) -> dict[str, float]:
    data = os.urandom(size)
    results: dict[str, float] = {}
    available = {backend.name for backend in backends()}
    rsa = build_pki('rsa')
    signed_at = NOW - timedelta(hours=1)
    results['sign rsa'] = rate(
        lambda: sign_detached(data, rsa.key, rsa.certificate, rsa.chain, signing_time=signed_at), seconds
    )
    rsa_signature = sign_detached(data, rsa.key, rsa.certificate, rsa.chain, signing_time=signed_at)
    results['verify rsa'] = rate(_verifier(data, rsa_signature, rsa.trust), seconds)
    gost = build_pki('gost2012_256')
    for backend in ('gost-engine', 'gost-python'):
        if backend not in available:
            print(f'{backend}: not available, skipped')
            continue
        use_backends(backend)
        results[f'sign {backend}'] = rate(
            lambda: sign_detached(data, gost.key, gost.certificate, gost.chain, signing_time=signed_at), seconds
        )
        signature = sign_detached(data, gost.key, gost.certificate, gost.chain, signing_time=signed_at)
        results[f'verify {backend}'] = rate(_verifier(data, signature, gost.trust), seconds)
    use_backends(*(name for name in ('gost-engine', 'gost-python') if name in available))
    return results


def _verifier(data: bytes, signature: bytes, trust: TrustData) -> Callable[[], object]:
    report = verify_detached(data, signature, trust)
    if report.verdict != 'valid':
        raise SystemExit(f'bench setup: the signature is {report.verdict}: {report.to_dict()}')
    return lambda: verify_detached(data, signature, trust)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=3.0, help='time per measurement')
    parser.add_argument('--size', type=int, default=10 * 1024, help='bytes of the signed file')
    parser.add_argument('--no-wait', action='store_true', help='do not wait for a quiet machine')
    args = parser.parse_args()
    print(f'machine:    {machine()}')
    if args.no_wait:
        print(f'load avg:   {load_average()} at start')
    else:
        wait_for_quiet()
    print(f'file:       {args.size} bytes; chain root → CA → signer; CRLs of root and CA (200 revoked); one core')
    results = measure(args.seconds, args.size)
    for name, value in results.items():
        target = TARGETS.get(name)
        verdict = f'target ≥ {target}/s: {"met" if value >= target else "NOT met"}' if target else 'for information'
        print(f'{name:20} {value:8.0f}/s  ({1000 / value:6.2f} ms)  {verdict}')
    print(f'load avg:   {load_average()} at end')


if __name__ == '__main__':
    main()
