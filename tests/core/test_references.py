"""`reference`: a many-to-one relationship kept out of the unit of work, read through its foreign key and refusing
assignment instead of dropping the value."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import object_mapper

from edms.core.db import READ_ONLY, db
from edms.registry.models import Card
from tests.factories import make_card, make_department, make_organization, make_user


def test_a_reference_is_loaded_through_the_foreign_key_written_by_id(app_ctx: Flask) -> None:
    organization = make_organization()
    department = make_department(organization, 'Отдел писем', 'ОП')
    card = make_card(make_user(organization, 'clerk'), summary='О поставке')
    card.department_id = department.id
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Card, card.id)
    assert again is not None
    assert again.department is not None
    assert again.department.id == department.id
    assert again.organization.id == organization.id


def test_assigning_a_reference_raises_instead_of_losing_the_value(app_ctx: Flask) -> None:
    organization = make_organization()
    department = make_department(organization, 'Отдел писем', 'ОП')
    card = make_card(make_user(organization, 'clerk'), summary='О поставке')
    with pytest.raises(AttributeError, match=r'Card\.department is read only'):
        card.department = department
    with pytest.raises(AttributeError, match=r'Card\.created_by is read only'):
        Card(created_by=None)


def test_a_row_with_loaded_references_can_be_merged(app_ctx: Flask) -> None:
    organization = make_organization()
    card = make_card(make_user(organization, 'clerk'), summary='О поставке')
    db.session.commit()
    assert card.organization.id == organization.id  # loaded before the row leaves the session
    db.session.expunge(card)
    merged = db.session.merge(card)
    assert merged.organization.id == organization.id


def test_references_are_viewonly_and_marked(app_ctx: Flask) -> None:
    relationships = object_mapper(Card(organization_id=1)).relationships
    assert relationships['department'].viewonly
    assert relationships['department'].info.get(READ_ONLY)
    # The collections a card writes through stay in the unit of work.
    assert not relationships['addressees'].viewonly
