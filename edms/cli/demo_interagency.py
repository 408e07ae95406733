"""The demo's interagency requests (210-ФЗ art. 7): the tax service answers requests for ЕГРЮЛ data from its
register, which holds the demo's legal entities (its organizations and the demo CA), and the migration service
answers requests about passports by hand. A legal entity's cabinet application filed in the demo is compared with
these entries automatically.
"""

from __future__ import annotations

from typing import Any

from edms.citizen_services.operations.interagency_register import add_egrul_entry, set_interagency_provider
from edms.cli.demo import ORGS, PORTAL, DemoOrg, inn10_with_check, ogrn_with_check
from edms.cli.demo_pki import CA_ORGANIZATION
from edms.core.access import SYSTEM
from edms.directory.models import Organization, OrganizationKind

LEGAL_FORMS = {
    OrganizationKind.ministry: 'Орган исполнительной власти субъекта Российской Федерации',
    OrganizationKind.partner: 'Публичное акционерное общество',
}
DEFAULT_FORM = 'Государственное казённое учреждение'
ADDRESS = {
    'postal_code': '123000',
    'region': 'Энская область',
    'locality': 'г. Энск',
    'street': 'ул. Центральная',
    'house': '1',
}
#: The heads the register names, by demo organization key (the demo's staff where there is one).
HEADS = {
    'min': ('Руководителев', 'Игорь', 'Сергеевич', 'Министр'),
    'mig': ('Начальников', 'Виктор', 'Павлович', 'Начальник управления'),
}


def load_interagency(orgs: dict[str, Organization]) -> None:
    """The providers of ЕГРЮЛ (tax) and passport (migration) data and the tax service's ЕГРЮЛ entries."""
    set_interagency_provider(SYSTEM, 'egrul', orgs['tax'])
    set_interagency_provider(SYSTEM, 'passport', orgs['mig'])
    for spec in (*ORGS, PORTAL):
        add_egrul_entry(SYSTEM, orgs['tax'], _record(spec))
    ca = _organization(CA_ORGANIZATION['organization'], 'Акционерное общество', CA_ORGANIZATION['ogrn'])
    ca['inn'] = CA_ORGANIZATION['inn_le']
    add_egrul_entry(SYSTEM, orgs['tax'], {'organization': ca})


def _record(spec: DemoOrg) -> dict[str, Any]:
    organization = _organization(spec.name, LEGAL_FORMS.get(spec.kind, DEFAULT_FORM), ogrn_with_check(spec.ogrn_base))
    organization.update(inn=inn10_with_check(spec.inn_base), kpp=spec.kpp)
    record: dict[str, Any] = {'organization': organization}
    if spec.key in HEADS:
        last, first, middle, position = HEADS[spec.key]
        record['head'] = {'last_name': last, 'first_name': first, 'middle_name': middle, 'position': position}
    return record


def _organization(name: str, legal_form: str, ogrn: str) -> dict[str, Any]:
    return {
        'name': name,
        'legal_form': legal_form,
        'ogrn': ogrn,
        'registration_date': '2002-08-22',
        'legal_address': dict(ADDRESS),
    }
