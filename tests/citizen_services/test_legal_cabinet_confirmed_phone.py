"""The staff change's SMS code goes only to the administrator's confirmed phone («Мой телефон»): without one asking
for a code is refused on the code's field saying to confirm a phone or to sign (no code issued); the code goes to the
confirmed phone and the journal keeps it masked; a code sent to a phone the administrator has since replaced or
removed confirms nothing (and stays unused); `send_staff_change_code` takes no phone at all."""

from __future__ import annotations

import inspect

import pytest
from sqlalchemy import func, select

from edms.auth.confirmation import ConfirmationCode
from edms.citizen_services.models.legal_cabinets import LegalEntityCabinet
from edms.citizen_services.operations.legal_cabinets_confirmation import (
    NO_PHONE,
    OTHER_PHONE,
    NoConfirmedPhone,
    send_staff_change_code,
)
from edms.citizen_services.operations.legal_cabinets_staff import add_legal_cabinet_member
from edms.citizen_services.queries.legal_cabinets import legal_cabinet_journal
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from tests.auth.sms_gateway import notified_code
from tests.citizen_services.conftest import World
from tests.citizen_services.legal_staff import MASKED, code_for, give_phone, plan, quick_codes, run
from tests.citizen_services.test_legal_cabinet_confirmation import ADD, cabinet, state

__all__ = ['cabinet', 'quick_codes']


@pytest.fixture(autouse=True)
def _codes(quick_codes: None) -> None:
    """A code for every change of a test."""


def codes() -> int:
    return db.session.scalar(select(func.count()).select_from(ConfirmationCode)) or 0


def test_without_a_confirmed_phone_no_code_is_sent_and_the_message_says_what_to_do(
    world: World, cabinet: LegalEntityCabinet
) -> None:
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    with pytest.raises(NoConfirmedPhone) as caught, atomic():
        send_staff_change_code(world.applicant, change)
    assert caught.value.fields == {'sms_code': NO_PHONE}
    assert '«Мой телефон»' in NO_PHONE
    assert 'электронной подписью' in NO_PHONE
    assert codes() == 0
    # A phone stored without its confirmation does not count either.
    with atomic():
        world.applicant.phone = '+79123456789'
    with pytest.raises(NoConfirmedPhone), atomic():
        send_staff_change_code(world.applicant, change)
    assert codes() == 0


def test_the_code_goes_to_the_confirmed_phone_and_the_journal_keeps_it_masked(
    world: World, cabinet: LegalEntityCabinet
) -> None:
    give_phone(world.applicant, '+79001112233')
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    with atomic():
        row = send_staff_change_code(world.applicant, change)
        assert (row.phone, row.purpose) == ('+79001112233', change.purpose)
    code = notified_code(world.applicant)
    run(world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=code)
    assert legal_cabinet_journal(cabinet)[0].data['confirmation']['phone'] == '+7 900 ***-**-33'


def test_a_typed_phone_is_not_a_parameter() -> None:
    assert list(inspect.signature(send_staff_change_code).parameters) == ['actor', 'change']


@pytest.mark.parametrize('then', ['replaced', 'removed'])
def test_a_code_sent_to_a_phone_replaced_or_removed_since_confirms_nothing(
    world: World, cabinet: LegalEntityCabinet, then: str
) -> None:
    change = plan(world.applicant, cabinet, add_legal_cabinet_member, ADD)
    code = code_for(world.applicant, change)
    with atomic():
        world.applicant.phone = '+79001112233' if then == 'replaced' else None
        if then == 'removed':
            world.applicant.phone_confirmed_at = None
    before = state(cabinet)
    with pytest.raises(ValidationFailed) as caught:
        run(world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=code)
    assert caught.value.fields == {'sms_code': OTHER_PHONE}
    assert state(cabinet) == before
    row = db.session.scalars(select(ConfirmationCode).where(ConfirmationCode.purpose == change.purpose)).one()
    assert row.used_at is None  # the refusal rolled the code's use back
    # Back on the phone the code went to, the same code confirms the change.
    give_phone(world.applicant)
    member = run(world.applicant, cabinet, add_legal_cabinet_member, ADD, sms_code=code)
    assert member.role == 'lawyer'
    assert legal_cabinet_journal(cabinet)[0].data['confirmation']['phone'] == MASKED
