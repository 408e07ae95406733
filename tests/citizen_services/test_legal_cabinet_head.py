"""Whom the approval of a legal entity's registration makes the cabinet's administrator: the head the application
names (found by the head's СНИЛС or personal ИНН), never merely the account that filed it (seed 000)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.auth.models import User
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import LegalCabinetRole, LegalEntityCabinet
from edms.citizen_services.operations import approve
from edms.citizen_services.queries import get_application
from edms.core.db import db
from edms.core.errors import Conflict
from edms.core.tx import atomic
from tests.citizen_services.conftest import World, count
from tests.factories import make_user

ACCOUNTANT_SNILS = '08765430300'


def accountant(world: World) -> User:
    with atomic():
        return make_user(world.portal, 'applicant', snils=ACCOUNTANT_SNILS)


def approve_filed(world: World, application: Application) -> LegalEntityCabinet:
    with atomic():
        approve(world.ministry_executor, get_application(world.ministry_executor, application.id))
    return db.session.execute(select(LegalEntityCabinet)).scalar_one()


def test_registration_filed_by_an_accountant_makes_the_head_administrator(world: World) -> None:
    filer = accountant(world)
    application = world.file('legal_entity_cabinet', actor=filer)
    assert application.applicant_user_id == filer.id
    cabinet = approve_filed(world, application)
    roles = {row.user_id: row.role for row in cabinet.active_members}
    assert roles == {world.applicant.id: LegalCabinetRole.administrator}


def test_an_accountants_filing_is_refused_when_the_head_has_no_account(world: World) -> None:
    filer = accountant(world)
    application = world.file('legal_entity_cabinet', actor=filer)
    with atomic():
        world.applicant.snils = world.applicant.inn = None
    with pytest.raises(Conflict, match='нет учётной записи портала'), atomic():
        approve(world.ministry_executor, get_application(world.ministry_executor, application.id))
    assert count(LegalEntityCabinet) == 0


def test_the_filer_who_is_the_head_is_administrator_when_the_search_finds_several(world: World) -> None:
    with atomic():
        make_user(world.portal, 'applicant', snils=world.applicant.snils, inn=world.applicant.inn)
    application = world.file('legal_entity_cabinet')
    cabinet = approve_filed(world, application)
    assert [row.user_id for row in cabinet.active_members] == [world.applicant.id]
