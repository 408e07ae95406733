"""The demo's cabinet administrator (the portal's citizen) has a confirmed phone, so that a staff change confirmed by
an SMS code works out of the box with `make run`: «Получить код» says the code went to his masked number, the code
arrives in the app (no gateway) and confirms the change."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.datastructures import MultiDict

from edms.citizen_services.queries.legal_cabinets import legal_cabinets_of
from edms.cli.demo import DEMO_PASSWORD
from edms.cli.demo_legal_cabinet import HEAD_PHONE
from tests.auth.sms_gateway import notified_code
from tests.cli.test_demo import Demo, ctx, demo, user
from tests.conftest import FreshContextClient
from tests.factories import login
from tests.web.test_legal_cabinet_pages import confirmation_form

__all__ = ['ctx', 'demo']


def test_the_head_confirms_a_staff_change_by_a_code_to_his_confirmed_phone(app: Flask, ctx: Demo) -> None:
    citizen, accountant = user('portal', 'citizen'), user('portal', 'accountant')
    assert (citizen.phone, citizen.phone_confirmed_at is not None) == (HEAD_PHONE, True)
    [(cabinet, _)] = legal_cabinets_of(citizen)
    member = next(row for row in cabinet.active_members if row.user_id == accountant.id)
    client = FreshContextClient(app, app.response_class, use_cookies=True)
    login(client, citizen, DEMO_PASSWORD)
    url = f'/legal-cabinets/{cabinet.id}/members/{member.id}'
    action, fields, code_url = confirmation_form(client.post(url, data={'role': 'accountant', 'rights': ['view']}))
    sent = client.post(code_url, data=fields)
    assert sent.status_code == 200
    masked = f'+7 {HEAD_PHONE[2:5]} ***-**-{HEAD_PHONE[-2:]}'
    assert f'Код отправлен на ваш подтверждённый номер {masked}' in sent.get_data(as_text=True)
    code = notified_code(citizen)
    assert re.fullmatch(r'\d{6}', code)
    done = client.post(action, data=MultiDict([*fields.items(multi=True), ('sms_code', code)]))
    assert done.status_code == 302
