"""Helpers of the PDF signature tests: a small PDF, trust data and key bundles of the test PKI, poppler, NSS."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.cms_embedder import PdfCMSEmbedder, SigIOSetup, SigObjSetup
from pyhanko.sign.signers.pdf_byterange import SignatureObject

import edms.signatures.pyhanko_compat  # noqa: F401 - importing pyhanko drops the GOST key spec; this puts it back
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from edms.signatures.crypto.pkcs12 import KeyBundle, load_pkcs12
from edms.signatures.crypto.verify import TrustData
from scripts.make_test_pki import TestPki

PAGE_TEXT = b'Hello'


def make_pdf(pages: int = 1) -> bytes:
    """An A4 PDF of `pages` pages, each showing «Hello» in Helvetica (uncompressed, so a test can alter it)."""
    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            pdf_name('/Type'): pdf_name('/Font'),
            pdf_name('/Subtype'): pdf_name('/Type1'),
            pdf_name('/BaseFont'): pdf_name('/Helvetica'),
        }
    )
    resources = generic.DictionaryObject({pdf_name('/Font'): generic.DictionaryObject({pdf_name('/F1'): font})})
    for _ in range(pages):
        stream = generic.StreamObject(stream_data=b'BT /F1 24 Tf 72 720 Td (' + PAGE_TEXT + b') Tj ET')
        writer.insert_page(PageObject(writer.add_object(stream), (0, 0, 595, 842), resources))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def trust_for(pki: TestPki, *, anchors: tuple[str, ...] = ('root', 'gost_root'), crls: bool = True) -> TrustData:
    return TrustData(
        anchors=[pki.ca_der(name) for name in anchors],
        crls=pki.crl_ders() if crls else [],
        accredited=set(pki.accredited_fingerprints),
        now=datetime.now(UTC),
    )


def bundle_of(pki: TestPki, user: str) -> KeyBundle:
    """The user's key bundle: from the .p12 for RSA/EC, from the PKCS#8 key for GOST (no engine needed)."""
    files = pki.users[user]
    if files.algorithm in ('rsa', 'ec'):
        return load_pkcs12(files.p12.read_bytes(), pki.password)
    return KeyBundle(load_private_key(files.key_der.read_bytes()), pki.user_der(user), pki.chain_ders(user))


def sign_gost_pdf(pdf: bytes, bundle: KeyBundle, signing_time: datetime) -> bytes:
    """A PAdES-shaped PDF signature made with a GOST key: pyhanko's low-level embedder reserves /Contents, the CMS
    (CAdES-BES over the byte ranges) comes from crypto/cms.py — what a certified tool such as КриптоПро PDF makes."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    embedder = PdfCMSEmbedder().write_cms(field_name='Signature1', writer=writer)
    next(embedder)
    embedder.send(SigObjSetup(sig_placeholder=SignatureObject(bytes_reserved=16384, subfilter=SigSeedSubFilter.PADES)))
    prepared, output = embedder.send(SigIOSetup(md_algorithm='sha256', in_place=False))
    document = output.getvalue()
    data = document[: prepared.reserved_region_start] + document[prepared.reserved_region_end :]
    signature = sign_detached(data, bundle.key, bundle.certificate, bundle.chain, signing_time=signing_time)
    embedder.send(signature)
    return output.getvalue()


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f'{name} не установлен (scripts/install-test-deps.sh)')
    return path


def pdftotext(pdf: bytes, folder: Path, name: str = 'document.pdf') -> str:
    """The text of a PDF as poppler extracts it (-layout: a label stays next to its value), whitespace collapsed."""
    path = folder / name
    path.write_bytes(pdf)
    result = subprocess.run(
        [require_tool('pdftotext'), '-layout', '-enc', 'UTF-8', str(path), '-'],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return ' '.join(result.stdout.decode('utf-8').split())


def nss_database(folder: Path, root_pem: Path) -> str:
    """An NSS database trusting the test root (certutil -N / -A, SIGNATURES.md §5); returns the `sql:` directory."""
    certutil = require_tool('certutil')
    folder.mkdir(parents=True, exist_ok=True)
    database = f'sql:{folder}'
    subprocess.run([certutil, '-N', '-d', database, '--empty-password'], check=True, capture_output=True, timeout=60)
    command = [certutil, '-A', '-d', database, '-n', 'Test Root CA', '-t', 'CT,C,C', '-i', str(root_pem)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return database


def import_crl(database: str, crl_der: Path) -> None:
    command = [require_tool('crlutil'), '-I', '-d', database, '-i', str(crl_der), '-B']
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def pdfsig(pdf: bytes, folder: Path, database: str) -> list[dict[str, str]]:
    """pdfsig's findings per signature ('Signature Validation', 'Certificate Validation', …). Its exit code is 0
    whatever it finds, so the lines are parsed."""
    path = folder / 'checked.pdf'
    path.write_bytes(pdf)
    command = [require_tool('pdfsig'), '-nssdir', database, '-no-ocsp', str(path)]
    result = subprocess.run(command, capture_output=True, timeout=60, check=False)
    signatures: list[dict[str, str]] = []
    for line in result.stdout.decode('utf-8', 'replace').splitlines():
        if re.match(r'^Signature #\d+:', line):
            signatures.append({})
        elif signatures and (match := re.match(r'^\s+- ([^:]+): (.*)$', line)):
            signatures[-1][match.group(1)] = match.group(2).strip()
    return signatures
