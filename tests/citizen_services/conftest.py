"""Fixtures of the application workflow tests: the agencies providing the three services (the migration agency routes
temporary registration to its migration department and executor), a portal with two applicants, an MFC with its
operator, a bank (partner) and the system administrator; helpers to file each service from the validation samples.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import func, select

from edms.auth.models import User
from edms.auth.passwords import hash_password
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import LegalEntityCabinet
from edms.citizen_services.operations import UploadedFile, approve, create_provider, file_application
from edms.citizen_services.rules.facts import SignatureFacts
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Department, Organization
from edms.routing.operations import create_rule
from scripts.make_test_pki import TestPki
from tests.citizen_services import samples
from tests.factories import make_department, make_organization, make_user
from tests.signatures.conftest import test_pki  # noqa: F401  (the session's test PKI, shared with these tests)
from tests.signatures.store_setup import install_trust

PDF_BYTES = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'
#: The files of a valid temporary registration (not the owner: the owner's consent is needed).
TEMPORARY_FILES = ('identity_document', 'residence_right', 'owner_consent')


@pytest.fixture
def trusted(world: World, test_pki: TestPki) -> TestPki:  # noqa: F811
    """The session's test PKI trusted by the app (its accredited roots, intermediates and their CRLs installed)."""
    install_trust(test_pki)
    return test_pki


def pdf(kind: str, content: bytes = b'') -> UploadedFile:
    """A small PDF for the slot `kind`; `content` makes its bytes (and blob) unique."""
    return UploadedFile(kind, f'{kind}.pdf', io.BytesIO(PDF_BYTES + content + os.urandom(8)))


def consent_facts() -> SignatureFacts:
    """The owner's consent signed with a qualified signature (the facts a verification would give)."""
    return samples.qualified('owner_consent', sent=samples.TODAY)


@dataclass
class World:
    migration: Organization
    migration_department: Department
    executor: User
    clerk: User
    manager: User
    assistant: User
    tax: Organization
    tax_executor: User
    ministry: Organization
    ministry_executor: User
    portal: Organization
    applicant: User
    other_applicant: User
    mfc: Organization
    operator: User
    bank: Organization
    bank_user: User
    sysadmin: User

    def file(self, service: str = 'temporary_registration', actor: User | None = None, **options: Any) -> Application:
        """A valid application of `service` filed through the portal by the applicant (unless told otherwise)."""
        data, files, signatures = sample_of(service)
        options.setdefault('channel', 'portal')
        options.setdefault('signatures', signatures)
        with atomic():
            application = file_application(actor or self.applicant, service, data, files, **options)
        return application

    def open_legal_cabinet(self) -> LegalEntityCabinet:
        """The legal entity's registration filed by the head (the portal applicant) and approved by the ministry:
        the cabinet it opens."""
        application = self.file('legal_entity_cabinet')
        with atomic():
            approve(self.ministry_executor, application)
        return db.session.execute(select(LegalEntityCabinet)).scalar_one()


def sample_of(service: str) -> tuple[dict[str, Any], list[UploadedFile], list[SignatureFacts]]:
    """Valid data, files and signature facts of a service for the portal channel."""
    if service == 'temporary_registration':
        return samples.temporary_registration(), [pdf(kind) for kind in TEMPORARY_FILES], [consent_facts()]
    if service == 'legal_entity_cabinet':
        return samples.legal_entity_cabinet(), [], [samples.head_signature()]
    confirmed = SignatureFacts.sms('application', datetime.now(UTC))
    return samples.taxpayer_cabinet(), [], [confirmed]


@functools.cache
def _hash(password: str) -> str:
    return hash_password(password)


@pytest.fixture
def world(app_ctx: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    # Thirteen accounts per test: their one password is hashed once per session (nobody logs in by password here).
    monkeypatch.setattr('edms.auth.operations.hash_password', _hash)
    with atomic():
        migration = make_organization('ГУ по вопросам миграции', kind='agency')
        department = make_department(migration, 'Отдел по вопросам миграции', 'ОВМ')
        executor = make_user(migration, 'executor', department_id=department.id)
        tax = make_organization('УФНС', kind='agency')
        ministry = make_organization('Минцифры', kind='ministry')
        portal = make_organization('Портал госуслуг', kind='portal', with_journals=False)
        mfc = make_organization('МФЦ', kind='mfc', with_journals=False)
        bank = make_organization('Банк', kind='partner', with_journals=False)
        world = World(
            migration=migration,
            migration_department=department,
            executor=executor,
            clerk=make_user(migration, 'clerk'),
            manager=make_user(migration, 'manager'),
            assistant=make_user(migration, 'assistant'),
            tax=tax,
            tax_executor=make_user(tax, 'executor'),
            ministry=ministry,
            ministry_executor=make_user(ministry, 'executor'),
            portal=portal,
            applicant=make_user(portal, 'applicant', snils=samples.SNILS_DIGITS, inn=samples.INN_PERSON),
            other_applicant=make_user(portal, 'applicant'),
            mfc=mfc,
            operator=make_user(mfc, 'mfc_operator'),
            bank=bank,
            bank_user=make_user(bank, 'clerk'),
            sysadmin=make_user(ministry, 'administrator', is_system_admin=True),
        )
        for code, organization in (
            ('temporary_registration', migration),
            ('taxpayer_cabinet', tax),
            ('legal_entity_cabinet', ministry),
        ):
            create_provider(SYSTEM, {'service_code': code, 'organization_id': organization.id})
        rule = {'name': 'Регистрация по месту пребывания — в ОВМ', 'service_code': 'temporary_registration'}
        create_rule(SYSTEM, migration.id, {**rule, 'department_id': department.id, 'executor_id': executor.id})
    return world


def blob_count() -> int:
    """Stored blobs (uploads in progress excluded)."""
    root = current_app.config['BLOB_DIR']
    return sum(len(files) for path, _, files in os.walk(root) if not path.startswith(os.path.join(root, 'tmp')))


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()
