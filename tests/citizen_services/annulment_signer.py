"""The official who annuls a result and signs its notice: the migration agency's executor of the workflow fixtures
(`world.executor`) holding the test PKI's qualified RSA certificate with its container on the server (the agency takes
the ОГРН and ИНН ЮЛ the PKI's certificates carry, the executor the certificate's СНИЛС), the PKI's CAs trusted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from edms.auth.models import User
from edms.core.tx import atomic
from edms.signatures.operations import import_certificate
from scripts.make_test_pki import MINISTRY, TestPki
from tests.citizen_services.conftest import World
from tests.signatures.store_setup import p12

PASSWORD = 'test123'


@dataclass(frozen=True)
class Signer:
    user: User
    certificate_id: int

    @property
    def credentials(self) -> dict[str, Any]:
        """The keyword arguments of `stay.annul` (and the API's body fields) that sign the notice."""
        return {'certificate_id': self.certificate_id, 'password': PASSWORD}


def certify(world: World, pki: TestPki, person: str = 'rsa') -> Signer:
    """`world.executor` with the PKI's certificate of `person` bound and its container kept (the trust installed by
    the caller: the `trusted` fixture)."""
    with atomic():
        world.migration.ogrn, world.migration.inn = MINISTRY['ogrn'], MINISTRY['inn_le']
        world.executor.snils = pki.users[person].profile['snils']
        certificate = import_certificate(world.executor, world.executor, p12(pki, person), PASSWORD)
    return Signer(world.executor, certificate.id)


@pytest.fixture
def signer(world: World, trusted: TestPki) -> Signer:
    return certify(world, trusted)
