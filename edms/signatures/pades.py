"""PAdES signatures on PDF documents: `sign_pdf` (PAdES B-B with the visible ГОСТ Р 7.0.97 mark) and `validate_pdf`.

Pure functions over bytes, no database. Signing goes through pyhanko 0.38 with the subfilter ETSI.CAdES.detached
(signing-certificate-v2, no signingTime attribute: the time is /M of the signature dictionary). The key of a
`KeyBundle` is already parsed (crypto/keys.py); `CachedKeySigner` signs with it through the configured signature
backend, so nothing is re-parsed per signature (SIGNATURES.md §1d pitfall 1). RSA and ECDSA only: pyhanko computes
the document digest with `cryptography`, which has no Streebog, so a GOST key is refused with `GostPadesUnsupported`
and the user signs the PDF with a detached GOST signature instead.

The visible mark («Документ подписан электронной подписью», certificate serial, owner, validity) is drawn in
PT Sans (pdf_fonts.py) in a frame at the bottom of the page, right first, away from existing form fields; page
rotation is not taken into account. pyhanko's sync wrappers call `asyncio.run`: `run_outside_loop` drives the async
API instead, from a worker thread when an event loop is already running.
"""

from __future__ import annotations

import io
import logging
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.stamp import BaseStamp, BaseStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from edms.core.errors import DomainError
from edms.signatures.crypto import oids
from edms.signatures.crypto.backends import get_backend
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.pkcs12 import KeyBundle
from edms.signatures.errors import PADES_KEYS, GostPadesUnsupported
from edms.signatures.pades_verify import validate_pdf
from edms.signatures.pdf_fonts import pt_sans
from edms.signatures.pyhanko_compat import run_outside_loop
from edms.signatures.stamp_mark import INK, StampMark, stamp_mark

__all__ = [
    'CachedKeySigner',
    'GostPadesUnsupported',
    'PdfSigningFailed',
    'StampMark',
    'sign_pdf',
    'stamp_mark',
    'validate_pdf',
]

logger = logging.getLogger(__name__)
_DIGEST_OIDS = {'sha256': oids.SHA256, 'sha384': oids.SHA384, 'sha512': oids.SHA512}
FIELD_PREFIX = 'Signature'
MARGIN = 28.0  # about 1 cm from the page edge
GAP = 6.0
Box = tuple[float, float, float, float]


class PdfSigningFailed(DomainError):
    """The PDF cannot be signed: not a PDF, encrypted, no such page, or signing is locked by a certification."""

    code = 'pdf_signing_failed'
    status = 422
    message = 'Документ PDF не удалось подписать.'


class CachedKeySigner(Signer):
    """A pyhanko signer over a `KeyBundle`: the parsed key is reused and signs through the configured backend."""

    def __init__(self, bundle: KeyBundle) -> None:
        # roots stay out of the CMS (the verifier has its own trust anchors): a smaller /Contents reads faster
        chain = [der for der in bundle.chain if not CertificateInfo.from_der(der).is_self_issued]
        super().__init__(
            signing_cert=asn1_x509.Certificate.load(bundle.certificate),
            cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der) for der in chain]),
            embed_roots=False,
        )
        self._key = bundle.key
        self._backend = get_backend(bundle.key.key_oid)
        #: hex digits reserved for /Contents: the certificates, the issuer's name twice (signer identifier and
        #: signing-certificate-v2), the signature and the other attributes, with room to spare
        issuer = len(bundle.info.issuer.raw)
        self.reserve = 2 * (len(bundle.certificate) + sum(len(der) for der in chain) + 2 * issuer + 3072)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return self._backend.sign(self._key, _DIGEST_OIDS[digest_algorithm], data)


_SIGNERS: weakref.WeakKeyDictionary[KeyBundle, CachedKeySigner] = weakref.WeakKeyDictionary()


def _signer(bundle: KeyBundle) -> CachedKeySigner:
    signer = _SIGNERS.get(bundle)
    if signer is None:
        signer = _SIGNERS[bundle] = CachedKeySigner(bundle)
    return signer


class _TimedPdfSigner(signers.PdfSigner):
    """PdfSigner whose signing time (/M, and the mark) is the caller's, not the wall clock."""

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def sign_pdf(
    pdf_bytes: bytes,
    bundle: KeyBundle,
    *,
    signing_time: datetime,
    reason: str = '',
    location: str = '',
    stamp: bool = True,
    page: int = -1,
    box: Box | None = None,
) -> bytes:
    """The PDF with one more PAdES B-B signature (an incremental update); the mark on `page` (-1: the last one)
    in `box` (x1, y1, x2, y2 in points) or at the bottom of the page. Refusals: GostPadesUnsupported, the
    certificate's own (expired, not yet valid, no signing usage), PdfSigningFailed."""
    if bundle.key.algorithm not in PADES_KEYS:
        raise GostPadesUnsupported
    moment = signing_time if signing_time.tzinfo else signing_time.replace(tzinfo=UTC)
    bundle.info.require_usable_for_signing(moment)
    writer = _open(pdf_bytes)
    try:
        return _sign(writer, bundle, moment, reason, location, page if stamp else None, box)
    except DomainError:
        raise
    except Exception as error:  # a PDF pyhanko can open but not update: the user's file, not a server fault
        logger.warning('PDF could not be signed: %s', error, exc_info=True)
        raise PdfSigningFailed(
            'Документ PDF не удалось подписать: его структура не позволяет добавить подпись '
            '(например, документ заверен подписью, запрещающей изменения, или повреждён).'
        ) from error


def _sign(
    writer: IncrementalPdfFileWriter,
    bundle: KeyBundle,
    moment: datetime,
    reason: str,
    location: str,
    page: int | None,
    box: Box | None,
) -> bytes:
    """Sign `writer`'s document; the mark on `page` unless it is None (an invisible signature)."""
    name = _field_name(writer)
    spec, style = fields.SigFieldSpec(name), None
    if page is not None:
        mark = stamp_mark(bundle.info)
        index = _page_index(writer, page)
        rect = _normalized(box) if box else _place(writer, index, mark.size())
        spec = fields.SigFieldSpec(name, on_page=index, box=rect)
        style = MarkStampStyle(mark=mark, border_width=1, border_color=INK)
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        md_algorithm='sha256',
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        signer_key_usage={'digital_signature', 'non_repudiation'},  # either one (pyhanko's default: nonRepudiation)
    )
    signer = _signer(bundle)
    pdf_signer = _TimedPdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec, signing_time=moment)
    output = io.BytesIO()
    run_outside_loop(lambda: pdf_signer.async_sign_pdf(writer, output=output, bytes_reserved=signer.reserve))
    return output.getvalue()


def _normalized(box: Box) -> Box:
    x1, y1, x2, y2 = (float(value) for value in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _open(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    except Exception as error:
        raise PdfSigningFailed('Файл не является документом PDF или повреждён.') from error
    if writer.prev.encrypted:
        raise PdfSigningFailed('Документ PDF защищён паролем: снимите защиту и загрузите документ снова.')
    return writer


def _field_name(writer: IncrementalPdfFileWriter) -> str:
    taken = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    number = len(taken) + 1
    while f'{FIELD_PREFIX}{number}' in taken:
        number += 1
    return f'{FIELD_PREFIX}{number}'


def _page_index(writer: IncrementalPdfFileWriter, page: int) -> int:
    count = int(writer.root['/Pages']['/Count'])
    index = page + count if page < 0 else page
    if not 0 <= index < count:
        raise PdfSigningFailed(
            f'В документе {count} стр.: страницы с номером {page} нет (нумерация с 0, -1 — последняя).'
        )
    return index


# --- the mark ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkStampStyle(BaseStampStyle):
    """pyhanko stamp style drawing a `StampMark`, scaled down (never up) to fit the field's box."""

    mark: StampMark | None = field(default=None)

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict) -> BaseStamp:
        return _MarkStamp(writer=writer, style=self, box=box)


class _MarkStamp(BaseStamp):
    def _render_inner_content(self) -> list[bytes]:
        mark = self.style.mark
        width, height = mark.size()
        regular = pt_sans('regular').engine(self.writer, mark.text_size)
        bold = pt_sans('bold').engine(self.writer, mark.header_size)
        self.set_resource(category=ResourceType.FONT, name=pdf_name('/F1'), value=regular.as_resource())
        self.set_resource(category=ResourceType.FONT, name=pdf_name('/F2'), value=bold.as_resource())
        scale = min(1.0, self.box.width / width, self.box.height / height)
        dx, dy = (self.box.width - width * scale) / 2, (self.box.height - height * scale) / 2
        return [b'q %g 0 0 %g %g %g cm' % (scale, scale, dx, dy), *mark.operators(regular, bold, width), b'Q']


# --- placement --------------------------------------------------------------------------------------------------


def _place(writer: IncrementalPdfFileWriter, index: int, size: tuple[float, float]) -> Box:
    """The first free spot at the bottom of the page, right to left, then row by row upwards; bottom right if the
    lower half of the page is full."""
    page = writer.prev.find_page_for_modification(index)[0].get_object()
    left, bottom, right, top = _page_box(page)
    width, height = min(size[0], right - left - 2 * MARGIN), size[1]
    taken = _field_rects(page)
    candidates = []
    y = bottom + MARGIN
    while y + height <= bottom + (top - bottom) / 2:
        x = right - MARGIN - width
        while x >= left + MARGIN - 0.01:
            candidates.append((x, y, x + width, y + height))
            x -= width + GAP
        candidates.append((left + MARGIN, y, left + MARGIN + width, y + height))
        y += height + GAP
    for rect in candidates:
        if not any(_overlap(rect, other) for other in taken):
            return rect
    x = right - MARGIN - width
    return x, bottom + MARGIN, x + width, bottom + MARGIN + height


def _page_box(page: generic.DictionaryObject) -> Box:
    node: Any = page
    while node is not None:
        for key in ('/CropBox', '/MediaBox'):
            if key in node:
                x1, y1, x2, y2 = (float(value) for value in node[key])
                return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
        node = node.get('/Parent')
    return 0.0, 0.0, 595.0, 842.0


def _field_rects(page: generic.DictionaryObject) -> list[Box]:
    """Rectangles of the page's form widgets (signature fields among them)."""
    rects = []
    for annotation in page.get('/Annots', ()):
        annotation = annotation.get_object()
        if annotation.get('/Subtype') != '/Widget' or '/Rect' not in annotation:
            continue
        x1, y1, x2, y2 = (float(value) for value in annotation['/Rect'])
        rects.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return rects


def _overlap(first: Box, second: Box) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]
