"""Seeding one node of the two-node test through the project's own operations, run under that node's environment:

    python -m tests.twonode.seed SPEC.json RESULT.json

SPEC names the agency served by this node (`local`) and its partner (`partner`, reached at `endpoint_url`), the
local staff (`users`: login, roles, optional СНИЛС, optional PKCS#12 to bind), the CA certificates and CRLs of the
trust store. The node gets both organizations, both exchange participants, this year's journals, the staff with an
API token each, a partner system account (a user of the partner organization whose token the partner's node posts
packets with), the trust store and the bound certificates. RESULT receives the ids and the tokens as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from edms import create_app
from edms.auth.models import User
from edms.auth.operations import create_api_token, create_user
from edms.core.access import SYSTEM
from edms.core.clock import local_today
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.directory.operations import create_department, create_organization
from edms.exchange.operations import create_participant
from edms.registry.operations import create_journal
from edms.signatures.operations import import_certificate, import_trusted, upload_crl

ORGANIZATION_FIELDS = ('name', 'short_name', 'kind', 'ogrn', 'inn', 'kpp')
JOURNALS = {
    'incoming': 'Вх-{seq:05d}/{yy}',
    'outgoing': 'Исх-{seq:05d}/{yy}',
    'internal': 'Вн-{seq}-{dept}',
    'citizen_appeal': 'ОГ-{seq:05d}/{yy}',
}
#: The account of the partner's node on this node (its token posts the partner's packets here).
PARTNER_LOGIN = 'medo-gateway'
USER_PASSWORD = 'TwoNode2026pass'


def seed(spec: dict[str, Any]) -> dict[str, Any]:
    """Everything of SPEC in one transaction; the ids and tokens the test needs."""
    with atomic():
        own = _organization(spec['local'])
        partner = _organization(spec['partner'])
        create_participant(SYSTEM, _participant(own, spec['local'], is_local=True))
        create_participant(SYSTEM, _participant(partner, spec['partner'], is_local=False))
        department = create_department(SYSTEM, own.id, {'name': 'Общий отдел', 'code': 'ОО'})
        for kind, template in JOURNALS.items():
            raw = {'kind': kind, 'year': local_today().year, 'name': f'Журнал ({kind})', 'template': template}
            create_journal(SYSTEM, own.id, raw)
        _trust(spec.get('trust', []), spec.get('crls', []))
        users = {item['login']: _staff(own, department.id, item) for item in spec['users']}
        gateway = _user(partner, None, {'login': PARTNER_LOGIN, 'roles': ['clerk'], 'last_name': 'Шлюз'})
        partner_token = _token(gateway)
    return {
        'organization_id': own.id,
        'partner_organization_id': partner.id,
        'users': users,
        'partner_token': partner_token,
    }


def _organization(agency: dict[str, Any]) -> Organization:
    return create_organization(SYSTEM, {name: agency[name] for name in ORGANIZATION_FIELDS})


def _participant(organization: Organization, agency: dict[str, Any], *, is_local: bool) -> dict[str, Any]:
    return {
        'organization_id': organization.id,
        'guid': agency['guid'],
        'medo_address': agency['mailbox'],
        'endpoint_url': '' if is_local else agency['endpoint_url'],
        'is_local': is_local,
    }


def _trust(certificates: list[dict[str, Any]], crls: list[str]) -> None:
    for item in certificates:
        import_trusted(SYSTEM, Path(item['path']).read_bytes(), accredited=item['accredited'], note='тестовый УЦ')
    for path in crls:
        upload_crl(SYSTEM, Path(path).read_bytes())


def _staff(organization: Organization, department_id: int, item: dict[str, Any]) -> dict[str, Any]:
    user = _user(organization, department_id, item)
    result: dict[str, Any] = {'id': user.id, 'token': _token(user)}
    container = item.get('pkcs12')
    if container:
        certificate = import_certificate(SYSTEM, user, Path(container['path']).read_bytes(), container['password'])
        result['certificate_id'] = certificate.id
    return result


def _user(organization: Organization, department_id: int | None, item: dict[str, Any]) -> User:
    raw = {
        'login': item['login'],
        'last_name': item.get('last_name', 'Сотрудников'),
        'first_name': item.get('first_name', 'Иван'),
        'snils': item.get('snils'),
        'roles': item['roles'],
        'department_id': department_id,
        'can_access_restricted': True,
        'password': USER_PASSWORD,
    }
    user, _ = create_user(SYSTEM, organization.id, raw)
    return user


def _token(user: User) -> str:
    _, raw = create_api_token(SYSTEM, user, 'двухузловой тест')
    return raw


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print('usage: python -m tests.twonode.seed SPEC.json RESULT.json', file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text())
    app = create_app()
    with app.app_context():
        result = seed(spec)
    Path(argv[2]).write_text(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
