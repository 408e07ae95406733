"""The first checks that also run on the embedded SQLite default: migrations applied, login, card registration."""

import pytest

from edms.core.db import db
from edms.core.tx import atomic
from edms.registry.models import CardStatus
from tests.factories import make_card, make_organization, make_user

pytestmark = pytest.mark.smoke


def test_registering_an_incoming_card_gives_the_journal_number(app_ctx):
    with atomic():
        organization = make_organization()
        clerk = make_user(organization, 'clerk')
        card = make_card(clerk)
    db.session.refresh(card)
    assert card.status == CardStatus.registered
    assert card.reg_number.startswith('Вх-00001/')


def test_login_page_answers_in_russian(client):
    response = client.get('/login')
    assert response.status_code == 200
    assert 'Вход в систему' in response.get_data(as_text=True)
