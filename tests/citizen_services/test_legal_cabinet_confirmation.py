"""Confirming staff changes of a legal entity's cabinet (seed 000): a change takes effect only with the administrator's
one-time code asked for exactly that change, or a detached qualified signature of its canonical text by the
administrator's own certificate (СНИЛС, else personal ИНН); a wrong, expired, used or stale code, a code of another
change, no confirmation, a signature by someone else, over another text, untrusted or expired — each refused naming
its field with nothing changed; the journal keeps how the change was confirmed (the code's id, the certificate's
serial and thumbprint), never the code."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from edms.auth.confirmation import CodeRejected, ConfirmationCode
from edms.citizen_services.models.legal_cabinets import LegalCabinetMember, LegalEntityCabinet, StaffChangeSignature
from edms.citizen_services.operations.legal_cabinets_confirmation import OTHER_TEXT
from edms.citizen_services.operations.legal_cabinets_staff import (
    add_legal_cabinet_member,
    change_legal_cabinet_member,
    remove_legal_cabinet_member,
    seed_legal_cabinet_member,
)
from edms.citizen_services.queries.legal_cabinets import (
    LegalCabinetNotFound,
    get_legal_cabinet,
    legal_cabinet_journal,
    staff_change_signature,
    staff_change_signature_file,
)
from edms.cli.blobs import NEEDED, hashes
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import NotFound, ValidationFailed
from edms.core.tx import atomic
from scripts.make_test_pki import TestPki
from tests.citizen_services.conftest import World
from tests.citizen_services.legal_staff import code_for, confirmed, plan, quick_codes, run, sign
from tests.factories import make_user
from tests.signatures.test_cms import openssl_verify

__all__ = ['quick_codes']
SNILS_B = '08765430300'
ADD = {'snils': SNILS_B, 'role': 'lawyer'}


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every change of a test."""


@pytest.fixture
def cabinet(world: World) -> LegalEntityCabinet:
    cabinet = world.open_legal_cabinet()
    with atomic():
        make_user(world.portal, 'applicant', snils=SNILS_B)
    return cabinet


def state(cabinet: LegalEntityCabinet) -> tuple[list[tuple[int, str, frozenset[Any], bool]], int]:
    """The staff (account, role, rights, removed) and the number of journal entries: what a refusal must not change."""
    db.session.expire_all()
    rows = db.session.query(LegalCabinetMember).filter_by(cabinet_id=cabinet.id).order_by(LegalCabinetMember.id)
    staff = [(row.user_id, row.role.value, row.rights, row.removed_at is not None) for row in rows]
    return staff, len(legal_cabinet_journal(cabinet))


def refused(cabinet: LegalEntityCabinet, error: type[Exception], *args: Any, **confirmation: Any) -> Exception:
    """The staff operation refused with `error`, nothing changed."""
    before = state(cabinet)
    with pytest.raises(error) as caught:
        run(*args, **confirmation)
    assert state(cabinet) == before
    return caught.value


def as_owner_of(world: World, pki: TestPki, user: str = 'rsa') -> None:
    """The head's portal account holds the СНИЛС of the test PKI's `user` (its certificate is his)."""
    with atomic():
        world.applicant.snils = pki.users[user].profile['snils']


def test_the_change_is_applied_with_its_own_code_and_the_journal_keeps_the_codes_id(
    world: World, cabinet: LegalEntityCabinet
) -> None:
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    assert re.fullmatch(r'legal_cabinet:\d+:staff:[0-9a-f]{16}', change.purpose)
    assert change.purpose == f'legal_cabinet:{cabinet.id}:staff:{change.digest[:16]}'
    assert 'Действие: member_add (добавить сотрудника)' in change.text
    assert 'Роль: lawyer (Юрист)' in change.text
    assert 'Права: view, edit, send (Просмотр, Редактирование, Отправка)' in change.text
    assert change.text.endswith('\n')
    assert '\r' not in change.text
    code = code_for(world.applicant, change)
    member = run(world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=code)
    assert (member.role, member.removed_at) == ('lawyer', None)
    entry = legal_cabinet_journal(cabinet)[0]
    row = db.session.query(ConfirmationCode).filter_by(purpose=change.purpose).one()
    assert entry.action == 'legal_cabinet.member_add'
    assert entry.data['confirmation'] == {
        'method': 'sms',
        'code_id': row.id,
        'phone': '+7 912 ***-**-89',
        'change': change.digest,
    }
    assert code not in json.dumps(entry.data)
    assert row.used_at is not None


def test_a_wrong_code_is_refused_on_its_field_and_nothing_changes(world: World, cabinet: LegalEntityCabinet) -> None:
    code = code_for(world.applicant, plan(world.applicant, cabinet, add_legal_cabinet_member, ADD))
    wrong = '000000' if code != '000000' else '111111'
    error = refused(cabinet, CodeRejected, world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=wrong)
    assert error.fields == {'sms_code': '«Код подтверждения»: неверный код, осталось 2 попытки.'}
    error = refused(cabinet, CodeRejected, world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code='12')
    assert error.fields == {'sms_code': '«Код подтверждения»: код состоит из 6 цифр.'}
    run(world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=code)  # the right code still works


def test_a_code_for_another_change_confirms_nothing(world: World, cabinet: LegalEntityCabinet) -> None:
    code = code_for(world.applicant, plan(world.applicant, cabinet, add_legal_cabinet_member, ADD))
    other = {**ADD, 'role': 'administrator'}
    error = refused(cabinet, CodeRejected, world.applicant, cabinet, add_legal_cabinet_member, other, sms_code=code)
    assert error.fields == {'sms_code': '«Код подтверждения»: код не запрашивался — запросите новый код.'}
    rights = {**ADD, 'rights': ['view', 'edit', 'delete', 'send']}
    refused(cabinet, CodeRejected, world.applicant, cabinet, add_legal_cabinet_member, rights, sms_code=code)


def test_an_expired_code_is_refused(world: World, cabinet: LegalEntityCabinet) -> None:
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    code = code_for(world.applicant, change)
    with atomic():
        query = update(ConfirmationCode).where(ConfirmationCode.purpose == change.purpose)
        db.session.execute(query.values(expires_at=utcnow() - timedelta(seconds=1)))
    error = refused(cabinet, CodeRejected, world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=code)
    assert error.fields == {'sms_code': '«Код подтверждения»: срок действия кода истёк — запросите новый код.'}


def test_a_used_code_and_a_code_of_a_stale_staff_confirm_nothing(world: World, cabinet: LegalEntityCabinet) -> None:
    member = confirmed(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    view = {'role': 'lawyer', 'rights': ['view']}
    used = code_for(world.applicant, plan(world.applicant, cabinet, change_legal_cabinet_member, member.id, view))
    run(world.applicant, cabinet, change_legal_cabinet_member, member.id, view, sms_code=used)
    back = {'role': 'lawyer', 'rights': ['view', 'edit', 'send']}
    confirmed(world.applicant, cabinet, change_legal_cabinet_member, member.id, back)
    # The same change again: the used code does not confirm it (the staff has moved on).
    refused(
        cabinet, CodeRejected, world.applicant, cabinet, change_legal_cabinet_member, member.id, view, sms_code=used
    )
    # A code asked for, then another administrator's change in between: the code is stale.
    stale = code_for(world.applicant, plan(world.applicant, cabinet, remove_legal_cabinet_member, member.id))
    confirmed(world.applicant, cabinet, change_legal_cabinet_member, member.id, view)
    error = refused(
        cabinet, CodeRejected, world.applicant, cabinet, remove_legal_cabinet_member, member.id, sms_code=stale
    )
    assert 'код не запрашивался' in error.fields['sms_code']


def test_without_a_confirmation_or_with_both_nothing_changes(world: World, cabinet: LegalEntityCabinet) -> None:
    error = refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD)
    assert list(error.fields) == ['confirmation']
    assert 'кодом из СМС или квалифицированной электронной подписью' in error.fields['confirmation']
    both = {'sms_code': '123456', 'signature': b'x'}
    error = refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, **both)
    assert 'одним способом' in error.fields['confirmation']


def test_a_qualified_signature_of_the_administrator_confirms_and_the_journal_keeps_the_certificate(
    world: World, cabinet: LegalEntityCabinet, trusted: TestPki
) -> None:
    as_owner_of(world, trusted)
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    member = run(world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=sign(trusted, change.text))
    assert member.role == 'lawyer'
    confirmation = legal_cabinet_journal(cabinet)[0].data['confirmation']
    certificate = trusted.users['rsa']
    assert confirmation['method'] == 'kep'
    assert int(confirmation['certificate_serial'], 16) == certificate.serial
    assert re.fullmatch(r'[0-9A-F]{40}', confirmation['certificate_thumbprint'])
    assert confirmation['certificate_owner'].startswith('Иванов')
    assert confirmation['change'] == change.digest
    remove = plan(world.applicant, cabinet, remove_legal_cabinet_member, member.id)
    run(world.applicant, cabinet, remove_legal_cabinet_member, member.id, signature=sign(trusted, remove.text))
    assert state(cabinet)[0][-1][3] is True


def test_the_signed_text_and_the_signature_are_kept_and_verify_with_openssl(
    world: World, cabinet: LegalEntityCabinet, trusted: TestPki, tmp_path: Path
) -> None:
    as_owner_of(world, trusted)
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    cms = sign(trusted, change.text)
    run(world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    confirmation = legal_cabinet_journal(cabinet)[0].data['confirmation']
    kept = staff_change_signature(cabinet, confirmation['signature_id'])
    assert (kept.action, kept.change_digest, kept.signed_by_id) == ('member_add', change.digest, world.applicant.id)
    name, text, _ = staff_change_signature_file(kept, 'text')
    assert (name, text) == (f'staff-change-{kept.id}.txt', change.text.encode('utf-8'))
    _, signature, content_type = staff_change_signature_file(kept, 'signature')
    assert (signature, content_type) == (cms, 'application/pkcs7-signature')
    assert openssl_verify(trusted, tmp_path, 'rsa', text, signature) == 0
    assert kept.signature_sha256 in set(hashes(NEEDED))  # the blob sweep keeps it


def test_a_refused_signature_keeps_nothing_and_a_code_keeps_no_signature(
    world: World, cabinet: LegalEntityCabinet, trusted: TestPki
) -> None:
    as_owner_of(world, trusted)
    other = plan(world.applicant, cabinet, add_legal_cabinet_member, {**ADD, 'role': 'administrator'})
    cms = sign(trusted, other.text)
    refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    confirmed(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    assert db.session.query(StaffChangeSignature).count() == 0
    assert not Path(blob_store().path_for(hashlib.sha256(cms).hexdigest())).exists()
    assert 'signature_id' not in legal_cabinet_journal(cabinet)[0].data['confirmation']
    with pytest.raises(NotFound):
        staff_change_signature(cabinet, 1)


def test_the_certificate_is_matched_by_personal_inn_when_the_account_has_no_snils(
    world: World, cabinet: LegalEntityCabinet, trusted: TestPki
) -> None:
    inn = trusted.users['rsa'].profile['inn']
    with atomic():
        world.applicant.snils, world.applicant.inn = None, '500100732259'
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    cms = sign(trusted, change.text)
    error = refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    assert error.fields == {
        'signature': f'«Подпись администратора (КЭП)»: ИНН в сертификате ({inn}) не совпадает с ИНН вашей учётной '
        'записи портала.'
    }
    with atomic():
        world.applicant.inn = inn
    run(world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    assert state(cabinet)[0][-1][1] == 'lawyer'


def test_another_persons_signature_is_refused_naming_the_field(
    world: World, cabinet: LegalEntityCabinet, trusted: TestPki
) -> None:
    as_owner_of(world, trusted)
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    cms = sign(trusted, change.text, 'ec')
    error = refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    snils = trusted.users['ec'].profile['snils']
    assert error.fields == {
        'signature': f'«Подпись администратора (КЭП)»: СНИЛС в сертификате ({snils}) не совпадает со СНИЛС вашей '
        'учётной записи портала.'
    }


def test_a_signature_of_another_text_is_refused(world: World, cabinet: LegalEntityCabinet, trusted: TestPki) -> None:
    as_owner_of(world, trusted)
    other = plan(world.applicant, cabinet, add_legal_cabinet_member, {**ADD, 'role': 'administrator'})
    cms = sign(trusted, other.text)
    error = refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    assert error.fields == {'signature': OTHER_TEXT}
    garbage = refused(
        cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=b'not a cms'
    )
    assert garbage.fields['signature'].startswith('«Подпись администратора (КЭП)»: подпись недействительна')


@pytest.mark.parametrize(
    ('signer', 'reason'),
    [('untrusted', 'не входит в число доверенных'), ('expired', 'срок уже истёк'), ('revoked', 'отозван')],
)
def test_an_untrusted_expired_or_revoked_certificate_is_refused(
    world: World, cabinet: LegalEntityCabinet, trusted: TestPki, signer: str, reason: str
) -> None:
    as_owner_of(world, trusted, signer)
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    cms = sign(trusted, change.text, signer)
    error = refused(cabinet, ValidationFailed, world.applicant, cabinet, add_legal_cabinet_member, ADD, signature=cms)
    assert error.fields['signature'].startswith('«Подпись администратора (КЭП)»: ')
    assert 'не совпадает' not in error.fields['signature']
    assert 'подпись недействительна' in error.fields['signature']
    assert reason in error.fields['signature']


def test_a_stranger_neither_plans_nor_confirms(world: World, cabinet: LegalEntityCabinet) -> None:
    with pytest.raises(LegalCabinetNotFound):
        plan(world.other_applicant, cabinet, add_legal_cabinet_member, ADD)
    refused(cabinet, LegalCabinetNotFound, world.other_applicant, cabinet, add_legal_cabinet_member, ADD, sms_code='1')


def test_the_system_seed_path_is_journaled_as_such_and_no_route_reaches_it(
    world: World, cabinet: LegalEntityCabinet
) -> None:
    with atomic():
        locked, me = get_legal_cabinet(world.applicant, cabinet.id, lock=True)
        seed_legal_cabinet_member(world.applicant, locked, me, ADD)
    assert legal_cabinet_journal(cabinet)[0].data['confirmation'] == {'method': 'seed'}
    root = Path(__file__).resolve().parents[2] / 'edms'
    callers = [
        path.relative_to(root).as_posix()
        for path in root.rglob('*.py')
        if 'seed_legal_cabinet_member' in path.read_text(encoding='utf-8')
    ]
    assert sorted(callers) == ['citizen_services/operations/legal_cabinets_staff.py', 'cli/demo_legal_cabinet.py']
