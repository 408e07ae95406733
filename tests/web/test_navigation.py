"""The menu offers each user only what they may open: for every kind of organization and every role, each link of
the top bar answers 200 for the user who sees it (a 403 behind a menu item is a dead end for the user)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from edms.auth.models import Role, User
from edms.core.tx import atomic
from tests.factories import login, make_organization, make_user

#: The top bar's menu and the user's links beside it (notifications, certificates…), up to the logout form.
NAV = re.compile(r'<div class="collapse navbar-collapse" id="nav">(.*?)<form method="post"', re.S)
LINK = re.compile(r'href="([^"]+)"')
#: (organization kind, roles) of the users walked: an agency's every role, its system administrator, the filing
#: organizations' staff and operators, the portal's applicant.
USERS = [
    *(('agency', (role,)) for role in ('administrator', 'clerk', 'manager', 'assistant', 'executor', 'controller')),
    ('ministry', ('administrator', 'system_admin')),
    ('mfc', ('mfc_operator',)),
    ('mfc', ('clerk',)),
    ('mfc', ('administrator',)),
    ('partner', ('clerk',)),
    ('portal', ('applicant',)),
]


def menu_links(client: FlaskClient) -> list[str]:
    home = client.get('/', follow_redirects=True).get_data(as_text=True)
    [menu] = NAV.findall(home)
    return LINK.findall(menu)


def make(kind: str, roles: tuple[str, ...]) -> User:
    organization = make_organization(f'Организация {kind}', kind=kind, with_journals=kind not in ('mfc', 'portal'))
    wanted = [role for role in roles if role != 'system_admin']
    user = make_user(organization, *wanted, is_system_admin='system_admin' in roles)
    assert all(Role(role) in user.roles for role in wanted)
    return user


@pytest.mark.parametrize(('kind', 'roles'), USERS, ids=['-'.join((kind, *roles)) for kind, roles in USERS])
def test_every_menu_link_opens_for_the_user_who_sees_it(client: FlaskClient, kind: str, roles: tuple[str, ...]) -> None:
    with atomic():
        user = make(kind, roles)
    login(client, user)
    links = menu_links(client)
    assert links, 'the menu is empty'
    answers = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in answers.items() if status != 200} == {}
