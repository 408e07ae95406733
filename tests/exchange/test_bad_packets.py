"""Bad packets: each kind is refused with its reason code, in under a second (or, for a broken signature, read and
reported invalid). The quarantine and the negative receipt built on these refusals come with the inbox."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from edms.exchange.packets import reader_container
from edms.exchange.packets.common import ReadLimits
from edms.exchange.packets.errors import REASON_CODES, PacketRejected
from edms.exchange.packets.reader import read_packet, read_packet_zip, verify_packet_signatures
from edms.exchange.packets.zipsafe import ZipLimits
from edms.signatures.crypto.verify import TrustData
from tests.exchange import builders
from tests.exchange.builders import (
    PDF,
    container_packet,
    container_zip,
    raw_zip,
    set_general_flag,
    zip_folder,
)
from tests.exchange.conftest import refused

XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b''.join(
        f'<!ENTITY lol{level} "{("&lol" + str(level - 1) + ";") * 10 if level > 1 else "&lol;" * 10}">'.encode()
        for level in range(1, 10)
    )
    + b']><lolz>&lol9;</lolz>'
)


def _with_message(message: bytes) -> dict[str, bytes]:
    return {**container_packet(), 'message.xml': message}


def _with_container(archive: bytes) -> dict[str, bytes]:
    return container_packet(archive=archive)


def test_a_message_that_is_not_xml_is_refused():
    with refused('not_xml'):
        read_packet(_with_message(b'\x89PNG this is not xml <<<'))


def test_a_message_with_a_doctype_and_an_external_entity_is_refused():
    with refused('doctype'):
        read_packet(_with_message(XXE))


def test_a_billion_laughs_message_is_refused():
    with refused('doctype'):
        read_packet(_with_message(LAUGHS))


def test_a_deeply_nested_message_is_refused():
    depth = 5000
    nested = b'<a>' * depth + b'</a>' * depth
    message = builders.container_message().replace(b'</c:communication>', nested + b'</c:communication>')

    with refused('not_xml') as caught:
        read_packet(_with_message(message))

    assert 'Excessive depth' in caught[0].message


def test_an_oversized_message_is_refused_before_parsing():
    message = builders.container_message().replace(
        b'</c:communication>', b' ' * (11 * 1024 * 1024) + b'</c:communication>'
    )

    with refused('oversize'):
        read_packet(_with_message(message))


def test_an_oversized_packet_is_refused():
    with refused('oversize'):
        read_packet(container_packet(), limits=ReadLimits(max_packet_size=1024))


def test_a_container_that_inflates_too_much_is_a_zip_bomb():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr('letter.pdf', b'\x00' * (20 * 1024 * 1024))

    with refused('zip_bomb') as caught:
        read_packet(_with_container(bomb.getvalue()))

    assert caught[0].names == ('letter.pdf',)


def test_a_container_over_the_total_size_is_a_zip_bomb():
    limits = ReadLimits(zip=ZipLimits(max_total_size=100))

    with refused('zip_bomb'):
        read_packet(container_packet(), limits=limits)


def test_a_container_with_too_many_entries_is_a_zip_bomb():
    archive = zip_folder({f'{index}.txt': b'x' for index in range(600)})

    with refused('zip_bomb'):
        read_packet(_with_container(archive))


@pytest.mark.parametrize(
    'name', ['/etc/passwd', 'C:/Windows/evil.exe', '../../evil.sh', 'docs/../../evil.sh', 'a\\..\\evil.sh']
)
def test_absolute_and_parent_paths_in_the_container_are_refused(name: str):
    with refused('zip_path') as caught:
        read_packet(_with_container(raw_zip({'passport.xml': b'<x/>', name: b'evil'})))

    assert caught[0].names == (name,)


def test_a_subfolder_in_the_container_is_refused():
    with refused('zip_path'):
        read_packet(_with_container(raw_zip({'passport.xml': b'<x/>', 'docs/letter.pdf': PDF})))


def test_names_repeated_up_to_case_in_the_container_are_refused():
    with refused('zip_path'):
        read_packet(_with_container(raw_zip({'letter.pdf': PDF, 'LETTER.PDF': PDF})))


def test_a_symbolic_link_in_the_container_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        link = zipfile.ZipInfo('letter.pdf')
        link.external_attr = 0o120777 << 16
        archive.writestr(link, '/etc/passwd')

    with refused('zip_path'):
        read_packet(_with_container(buffer.getvalue()))


def test_an_encrypted_entry_is_refused():
    with refused('unsupported') as caught:
        read_packet(_with_container(set_general_flag(raw_zip({'letter.pdf': PDF}), 0x1)))

    assert 'зашифрован' in caught[0].message


def test_a_container_that_is_not_a_zip_is_refused():
    with refused('unsupported'):
        read_packet(_with_container(b'PK\x03\x04 truncated'))


def test_parent_paths_in_the_packet_zip_are_refused():
    with refused('zip_path'):
        read_packet_zip(raw_zip({'message.xml': builders.container_message(), '../envelope.ltr': b''}))


def test_a_packet_zip_bomb_is_refused():
    bomb = zip_folder({'message.xml': b' ' * (30 * 1024 * 1024)})

    with refused('zip_bomb'):
        read_packet_zip(bomb)


def test_a_file_listed_in_the_envelope_but_missing_is_refused():
    files = container_packet()
    del files['container.edc.zip']

    with refused('files_mismatch') as caught:
        read_packet(files)

    assert caught[0].names == ('container.edc.zip',)


def test_a_file_present_but_not_listed_in_the_envelope_is_refused():
    with refused('files_mismatch') as caught:
        read_packet({**container_packet(), 'payload.exe': b'MZ'})

    assert caught[0].names == ('payload.exe',)
    assert 'payload.exe' in caught[0].message


def test_a_broken_signature_is_read_and_reported_invalid(rsa_sign: Callable[[bytes], bytes], rsa_trust: TrustData):
    archive = container_zip(sign=rsa_sign, entries={'sign1.p7s': rsa_sign(PDF)[:-40] + b'\x00' * 40})

    checks = verify_packet_signatures(read_packet(_with_container(archive)), rsa_trust)

    verdicts = {check.signature_name: check.report.verdict for check in checks}
    assert verdicts == {'sign1.p7s': 'invalid', 'annex.p7s': 'valid'}


def test_a_signature_file_that_is_no_signature_is_reported_invalid(rsa_trust: TrustData):
    checks = verify_packet_signatures(read_packet(container_packet()), rsa_trust)  # placeholder signature bytes

    assert {check.report.verdict for check in checks} == {'invalid'}
    assert checks[0].report.checks[0].code == 'format'


def test_a_message_in_an_unknown_namespace_is_unsupported():
    message = builders.container_message().replace(b'urn:IEDMS:MESSAGE', b'urn:example:unknown')

    with refused('unsupported') as caught:
        read_packet(_with_message(message))

    assert 'urn:example:unknown' in caught[0].message


def test_an_unknown_message_type_is_unsupported():
    message = builders.container_message().replace('Транспортный контейнер'.encode(), 'Телеграмма'.encode())

    with refused('unsupported'):
        read_packet(_with_message(message))


def test_a_message_without_its_uid_violates_the_schema():
    message = builders.container_message().replace(f'c:uid="{builders.MESSAGE_UID}"'.encode(), b'')

    with refused('xsd'):
        read_packet(_with_message(message))


def test_an_unexpected_error_is_wrapped_as_unsupported(monkeypatch: pytest.MonkeyPatch):
    def explode(*args: object) -> None:
        raise KeyError('boom')

    monkeypatch.setattr(reader_container, '_read_passport', explode)

    with refused('unsupported') as caught:
        read_packet(container_packet())

    assert 'KeyError' in caught[0].message


def test_every_refusal_is_a_validation_failure_with_a_known_reason():
    error = PacketRejected('zip_path', 'Архив: недопустимое имя.')

    assert error.status == 422
    assert error.code == 'packet_rejected'
    assert error.fields == {'packet': 'Архив: недопустимое имя.'}
    assert set(REASON_CODES) >= {'not_xml', 'doctype', 'zip_bomb', 'zip_path', 'files_mismatch', 'unsupported'}
    with pytest.raises(ValueError, match='unknown reason code'):
        PacketRejected('something_else', 'x')
