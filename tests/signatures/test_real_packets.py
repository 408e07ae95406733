"""The 11 real GOST signatures of the three МЭДО packets in ../shared/conformance/medo/real-packets/.

Each signature file and the file it signs are found in the packet's container through its passport
(`documentSignature` signs `document`; `attachment/signature` signs its attachment) — just enough reading to locate
them, not an МЭДО parser. With the head CA root they carry (the self-signed certificate among the CMS certificates)
as the only trust anchor, each verifies intact, its chain verifies at the signing time, and revocation is not
checked (no CRL offline), so the verdict is indeterminate; one changed byte in the signed file fails integrity.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from edms.signatures.crypto.backends import backends, configure_backends
from edms.signatures.crypto.chain import clear_caches, view_of
from edms.signatures.crypto.cms import parse_signature
from edms.signatures.crypto.verify import TrustData, verify_detached

REAL_PACKETS = Path(__file__).resolve().parents[2].parent / 'shared' / 'conformance' / 'medo' / 'real-packets'
if not REAL_PACKETS.is_dir():
    pytest.skip(f'no shared conformance data at {REAL_PACKETS}', allow_module_level=True)

NOW = datetime(2026, 1, 15, tzinfo=UTC)


@dataclass(frozen=True)
class SignedFile:
    packet: str
    name: str
    data: bytes
    signature_name: str
    signature: bytes

    @property
    def id(self) -> str:
        return f'{self.packet}/{self.signature_name}'


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _attribute(node: etree._Element, name: str) -> str:
    return next(value for key, value in node.attrib.items() if etree.QName(key).localname == name)


def _pairs(passport: etree._Element) -> list[tuple[str, str]]:
    """(signed file, signature file) pairs named by a container passport (2.7 and 2.7.1 alike)."""
    nodes = list(passport.iter(etree.Element))
    document = next(_attribute(node, 'localName') for node in nodes if _local(node) == 'document')
    pairs = [(document, _attribute(node, 'localName')) for node in nodes if _local(node) == 'documentSignature']
    for attachment in (node for node in nodes if _local(node) == 'attachment'):
        for signature in (node for node in attachment if _local(node) == 'signature'):
            pairs.append((_attribute(attachment, 'localName'), _attribute(signature, 'localName')))
    return pairs


def _signed_files() -> list[SignedFile]:
    found = []
    for packet in sorted(path for path in REAL_PACKETS.iterdir() if path.is_dir()):
        for container in sorted(packet.glob('*.zip')):
            with zipfile.ZipFile(container) as archive:
                passport = etree.fromstring(archive.read('passport.xml'))
                for name, signature in _pairs(passport):
                    found.append(SignedFile(packet.name, name, archive.read(name), signature, archive.read(signature)))
    return found


SIGNED_FILES = _signed_files()


def _trust(signature: bytes, *, anchors: bool = True) -> TrustData:
    roots = [der for der in parse_signature(signature).certificates if view_of(der).self_issued]
    assert len(roots) == 1, 'each real signature carries exactly one self-signed head CA root'
    return TrustData(
        anchors=roots if anchors else [],
        intermediates=[],
        crls=[],
        accredited={view_of(roots[0]).fingerprint},
        now=NOW,
    )


def test_the_three_packets_hold_eleven_signatures():
    assert len(SIGNED_FILES) == 11
    assert {item.packet for item in SIGNED_FILES} == {
        'v2.7-gosduma-2023',
        'v2.7-minvostok-2022',
        'v2.7.1-sovfed-2023',
    }


@pytest.mark.parametrize('item', SIGNED_FILES, ids=lambda item: item.id)
def test_real_signature_is_intact_with_chain_at_signing_time_and_revocation_not_checked(item: SignedFile):
    report = verify_detached(item.data, item.signature, _trust(item.signature))

    assert report.verdict == 'indeterminate'
    [signer] = report.signers
    statuses = {check.code: check.status for check in signer.checks}
    assert statuses == {
        'format': 'passed',
        'integrity': 'passed',
        'signature_value': 'passed',
        'chain': 'passed',
        'validity_at_signing_time': 'passed',
        'revocation': 'not_checked',
        'key_usage': 'passed',
        'qualified': 'passed',
    }
    assert signer.signing_time is not None
    assert signer.signing_time.year in (2022, 2023)
    assert 'нет списка отзыва' in signer.check('revocation').detail
    assert signer.certificate is not None
    assert signer.certificate.key_algorithm_oid == '1.2.643.7.1.1.1.1'


@pytest.mark.parametrize('item', SIGNED_FILES, ids=lambda item: item.id)
def test_one_changed_byte_of_the_signed_file_fails_integrity(item: SignedFile):
    tampered = bytearray(item.data)
    tampered[len(tampered) // 2] ^= 0x01

    report = verify_detached(bytes(tampered), item.signature, _trust(item.signature))

    assert report.verdict == 'invalid'
    signer = report.signers[0]
    assert signer.check('integrity').status == 'failed'
    assert 'изменён' in signer.check('integrity').detail
    assert signer.check('signature_value').status == 'passed'  # the signed attributes themselves are intact


def test_without_the_root_in_the_trust_store_the_chain_fails():
    item = SIGNED_FILES[0]

    report = verify_detached(item.data, item.signature, _trust(item.signature, anchors=False))

    assert report.verdict == 'invalid'
    chain = report.signers[0].check('chain')
    assert chain.status == 'failed'
    assert 'не входит в число доверенных' in chain.detail


def test_the_signature_of_another_file_of_the_packet_fails_integrity():
    by_signature = {item.signature_name: item for item in SIGNED_FILES}
    letter, attachment = by_signature['sign250061628.p7s'], by_signature['sign250061629.p7s']

    report = verify_detached(attachment.data, letter.signature, _trust(letter.signature))

    assert report.signers[0].check('integrity').status == 'failed'
    assert report.verdict == 'invalid'


def test_pure_python_and_engine_backends_give_the_same_reports():
    """The issue: both GOST backends give identical verdicts (here: identical reports) on the real signatures."""
    names = {backend.name for backend in backends()}
    if 'gost-engine' not in names:
        pytest.skip('the OpenSSL GOST engine (libengine-gost-openssl) is not installed')
    sample = SIGNED_FILES[:3]
    by_engine = [verify_detached(item.data, item.signature, _trust(item.signature)).to_dict() for item in sample]
    try:
        configure_backends(['standard', 'gost-python'])
        clear_caches()
        by_python = [verify_detached(item.data, item.signature, _trust(item.signature)).to_dict() for item in sample]
    finally:
        configure_backends(None)
        clear_caches()
    assert by_python == by_engine
