"""build_packet refusals: the limits of the format are refused with Russian per-field messages before anything is
signed; a passport that breaks our XSD is a bug (PacketBuildError), never a packet; naive timestamps are refused.
The document, signers and participants are those of test_writer.py.
"""

from __future__ import annotations

import pytest

from edms.core.errors import ValidationFailed
from edms.exchange.packets import writer_container
from edms.exchange.packets.writer import PacketFile, Participant, Signatory, StampPosition
from edms.exchange.packets.writer_xml import PacketBuildError
from scripts.make_test_pki import TestPki
from tests.exchange.test_writer import CREATED, GOVERNMENT, SENDER, build, document, person, signer


def only_the_first_signatory() -> tuple[Signatory, ...]:
    return (Signatory(*person('rsa')),)


@pytest.mark.parametrize(
    ('changes', 'field', 'message'),
    [
        (
            {'reg_number': '01-02/' + '1' * 26},
            'reg_number',
            '«Регистрационный номер»: не длиннее 31 символа (сейчас 32).',
        ),
        ({'annotation': 'а' * 4001}, 'annotation', '«Краткое содержание»: не длиннее 4000 символов (сейчас 4001).'),
        ({'annotation': '  \n '}, 'annotation', '«Краткое содержание»: обязательное поле, не может быть пустым.'),
        ({'annotation': 'Текст\x07'}, 'annotation', '«Краткое содержание»: содержит недопустимые управляющие символы.'),
        ({'kind': ''}, 'kind', '«Вид документа»: обязательное поле, не может быть пустым.'),
        ({'comment': 'к' * 2048}, 'comment', '«Комментарий»: не длиннее 2047 символов (сейчас 2048).'),
        ({'addressee_organizations': ('О' * 512,)}, 'addressee_organizations.0', 'не длиннее 511 символов'),
        ({'main_file': PacketFile('письмо.docx', b'PK')}, 'main_file', '«Файл документа»: должен быть в формате PDF.'),
        ({'pages': 0}, 'pages', '«Листов»: от 1 до 100000.'),
        ({'signatories': only_the_first_signatory()}, 'signers', 'подписант не указан среди подписавших'),
        ({'registration_stamp': StampPosition(5, 0, 0, 10, 10)}, 'registration_stamp', 'страница 5 вне документа'),
    ],
)
def test_limits_are_refused_before_anything_is_signed(
    test_pki: TestPki, monkeypatch: pytest.MonkeyPatch, changes: dict[str, object], field: str, message: str
):
    signed: list[bytes] = []
    monkeypatch.setattr(writer_container, 'sign_detached', lambda data, *args, **kwargs: signed.append(data))
    with pytest.raises(ValidationFailed) as error:
        build(test_pki, document(**changes))

    assert message in error.value.fields[field]
    assert signed == []


@pytest.mark.parametrize(
    ('participant', 'field', 'message'),
    [
        (Participant(SENDER.guid, 'О' * 512, 'MINCIFR_S'), 'sender', '«Отправитель: организация»: не длиннее 511'),
        (Participant(SENDER.guid, SENDER.name, 'MIN CIFR'), 'sender.medo_address', 'без пробелов'),
    ],
)
def test_participant_limits_are_refused(test_pki: TestPki, participant: Participant, field: str, message: str):
    with pytest.raises(ValidationFailed) as error:
        build(test_pki, sender=participant)

    assert message in error.value.fields[field]


def test_addressees_are_required_and_unique(test_pki: TestPki):
    with pytest.raises(ValidationFailed) as none:
        build(test_pki, addressees=[])
    with pytest.raises(ValidationFailed) as twice:
        build(test_pki, addressees=[GOVERNMENT, GOVERNMENT])

    assert none.value.fields['addressees'] == '«Адресаты»: укажите хотя бы одного адресата МЭДО.'
    assert twice.value.fields['addressees'] == '«Адресаты»: один адресат указан дважды.'


def test_every_signatory_needs_a_signature(test_pki: TestPki):
    with pytest.raises(ValidationFailed) as error:
        build(test_pki, signers=[signer(test_pki, 'rsa')])

    assert error.value.fields['signers'] == (
        f'«Подписи»: нет электронной подписи подписавшего: {person("gost256")[0]}.'
    )


def test_a_passport_breaking_our_xsd_is_a_bug_not_a_packet(test_pki: TestPki, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(writer_container, 'VERSION_271', '')

    with pytest.raises(PacketBuildError, match=r'passport\.xml does not validate'):
        build(test_pki)


def test_naive_creation_time_is_refused(test_pki: TestPki):
    with pytest.raises(ValueError, match='timezone-aware'):
        build(test_pki, created=CREATED.replace(tzinfo=None))
