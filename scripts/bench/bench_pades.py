"""PAdES micro-benchmark, no database: `sign_pdf` with the visible mark and `validate_pdf`, RSA-2048 and ECDSA P-256.

`python -m scripts.bench.bench_pades [--runs 50] [--pages 3] [--no-wait]`
The test PKI (scripts/make_test_pki.py: root → CA → signer, CRLs) is generated into a temporary folder; key bundles
and trust data are loaded once before timing. Each timed signing is the whole `sign_pdf` of a fresh copy of the
document (PAdES B-B, the mark in PT Sans, an incremental update); each timed validation is the whole
`validate_pdf` (pyhanko and the own verifier, chain and CRL) and must say 'valid'. The report PDF is timed for
information. Targets (issue 4): sign with the mark ≤ 100 ms, validate ≤ 30 ms per document.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from edms.signatures.crypto.pkcs12 import load_pkcs12
from edms.signatures.crypto.verify import TrustData
from edms.signatures.pades import sign_pdf, validate_pdf
from edms.signatures.report_pdf import render_report_pdf
from scripts.bench.common import load_average, machine, percentile, wait_for_quiet
from scripts.make_test_pki import build_test_pki

TARGETS_MS = {'sign+mark': 100.0, 'validate': 30.0}


def document(pages: int) -> bytes:
    """A text PDF of `pages` A4 pages (Helvetica, 40 lines each)."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            pdf_name('/Type'): pdf_name('/Font'),
            pdf_name('/Subtype'): pdf_name('/Type1'),
            pdf_name('/BaseFont'): pdf_name('/Helvetica'),
        }
    )
    resources = generic.DictionaryObject({pdf_name('/Font'): generic.DictionaryObject({pdf_name('/F1'): font})})
    for page in range(pages):
        lines = b' '.join(b'(Line %d of page %d of the benchmark document.) Tj T*' % (n, page + 1) for n in range(40))
        stream = generic.StreamObject(stream_data=b'BT /F1 11 Tf 14 TL 60 780 Td ' + lines + b' ET')
        stream.compress()
        writer.insert_page(PageObject(writer.add_object(stream), (0, 0, 595, 842), resources))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    action()  # warm-up: fonts, caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def line(name: str, samples: list[float]) -> str:
    best, p50, p95 = min(samples) * 1000, percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    target = TARGETS_MS.get(name.split()[0])
    verdict = (
        f'target ≤ {target:.0f} ms: {"met" if p50 <= target else "NOT met"} (p50)' if target else 'for information'
    )
    return f'{name:22} min {best:6.1f}  p50 {p50:6.1f}  p95 {p95:6.1f} ms   {verdict}'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=50, help='timed runs per measurement')
    parser.add_argument('--pages', type=int, default=3, help='pages of the signed document')
    parser.add_argument('--no-wait', action='store_true', help='do not wait for a quiet machine')
    args = parser.parse_args()
    print(f'machine:    {machine()}')
    print(f'load avg:   {load_average()} at start') if args.no_wait else wait_for_quiet()
    pdf = document(args.pages)
    with tempfile.TemporaryDirectory() as folder:
        pki = build_test_pki(Path(folder))
        bundles = {user: load_pkcs12(pki.users[user].p12.read_bytes(), pki.password) for user in ('rsa', 'ec')}
        trust = TrustData(
            anchors=[pki.ca_der('root')], crls=pki.crl_ders(), accredited=set(pki.accredited_fingerprints)
        )
    print(f'document:   {args.pages} pages, {len(pdf)} bytes; chain root → CA → signer, CRLs; {args.runs} runs')
    now = datetime.now(UTC)
    for user, bundle in bundles.items():
        signed = sign_pdf(pdf, bundle, signing_time=now)
        report = validate_pdf(signed, trust)
        assert report.verdict == 'valid', report.to_dict()
        print(line(f'sign+mark {user}', timed(args.runs, lambda b=bundle: sign_pdf(pdf, b, signing_time=now))))
        print(
            line(
                f'sign {user} (no mark)',
                timed(args.runs, lambda b=bundle: sign_pdf(pdf, b, signing_time=now, stamp=False)),
            )
        )
        print(line(f'validate {user}', timed(args.runs, lambda s=signed: validate_pdf(s, trust))))
        render = partial(
            render_report_pdf, report, title='Протокол', file_name='a.pdf', file_sha256='0', checked_by='—'
        )
        print(line(f'report PDF {user}', timed(max(5, args.runs // 5), render)))
    print(f'load avg:   {load_average()} at end')


if __name__ == '__main__':
    main()
