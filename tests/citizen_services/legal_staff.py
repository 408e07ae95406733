"""Test helpers of confirmed staff changes in legal entities' cabinets: a staff operation run as the web runs it, with
the administrator confirming the change by a real one-time code (issued for the change's purpose and delivered in the
app: the development delivery of the tests) or by a detached signature of the change's text made with the test PKI; the
administrator's confirmed phone («Мой телефон», where the codes go: `give_phone`, set directly as a fixture of the
account); and `quick_codes`, which lets a test ask for a code per change (the rate limit of one code a minute is the
time a person takes between two changes; it has its own tests in tests/auth)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from edms.auth.models import User
from edms.auth.phone import confirmed_phone
from edms.citizen_services.models.legal_cabinets import LegalEntityCabinet
from edms.citizen_services.operations.legal_cabinets_confirmation import (
    StaffChange,
    StaffConfirmation,
    send_staff_change_code,
)
from edms.citizen_services.operations.legal_cabinets_staff import (
    add_legal_cabinet_member,
    change_legal_cabinet_member,
    plan_member_add,
    plan_member_change,
    plan_member_remove,
    remove_legal_cabinet_member,
)
from edms.citizen_services.queries.legal_cabinets import get_legal_cabinet
from edms.core.clock import utcnow
from edms.core.tx import atomic
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import load_private_key
from scripts.make_test_pki import TestPki
from tests.auth.sms_gateway import notified_code

PHONE = '+7 912 345-67-89'
#: `PHONE` as stored (E.164) and as journaled.
E164, MASKED = '+79123456789', '+7 912 ***-**-89'
#: Each staff operation and the plan of its change (same arguments without the confirmation).
PLANS: dict[Callable[..., Any], Callable[..., StaffChange]] = {
    add_legal_cabinet_member: plan_member_add,
    change_legal_cabinet_member: plan_member_change,
    remove_legal_cabinet_member: plan_member_remove,
}


@pytest.fixture
def quick_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A code may be asked for every change of a test (no minute between two changes, no hourly cap)."""
    monkeypatch.setattr('edms.auth.confirmation_codes.RESEND_SECONDS', 0)
    monkeypatch.setattr('edms.auth.confirmation_codes.HOURLY_LIMIT', 1000)


def plan(user: User, cabinet: LegalEntityCabinet, action: Callable[..., Any], *args: Any) -> StaffChange:
    """The change the staff operation `action` would make (its input checked; nothing changes)."""
    with atomic():
        locked, me = get_legal_cabinet(user, cabinet.id)
        return PLANS[action](user, locked, me, *args)


def give_phone(user: User, phone: str = E164) -> None:
    """The account has `phone` (E.164) as its confirmed phone, as «Мой телефон» leaves it."""
    with atomic():
        user.phone, user.phone_confirmed_at = phone, utcnow()


def code_for(user: User, change: StaffChange) -> str:
    """A code sent for `change` to the administrator's confirmed phone (given `E164` when he has none), as he reads
    it (the development delivery in the app)."""
    if confirmed_phone(user) is None:
        give_phone(user)
    with atomic():
        send_staff_change_code(user, change)
    return notified_code(user)


def run(user: User, cabinet: LegalEntityCabinet, action: Callable[..., Any], *args: Any, **confirmation: Any) -> Any:
    """The staff operation as `user` on the locked cabinet in one transaction, with `confirmation`."""
    with atomic():
        locked, me = get_legal_cabinet(user, cabinet.id, lock=True)
        return action(user, locked, me, *args, StaffConfirmation(**confirmation))


def confirmed(user: User, cabinet: LegalEntityCabinet, action: Callable[..., Any], *args: Any) -> Any:
    """The staff operation as the administrator makes it: planned, a code asked for, the code typed."""
    code = code_for(user, plan(user, cabinet, action, *args))
    return run(user, cabinet, action, *args, sms_code=code)


def sign(pki: TestPki, text: str, user: str = 'rsa') -> bytes:
    """A detached CMS signature of `text` (UTF-8) by the test PKI's `user`."""
    key = load_private_key(pki.users[user].key_der.read_bytes())
    return sign_detached(
        text.encode('utf-8'), key, pki.user_der(user), pki.chain_ders(user), signing_time=datetime.now(UTC)
    )
