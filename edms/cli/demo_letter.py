"""The demo's letter by МЭДО: a registered outgoing letter of the ministry to the migration service, its PDF signed by
the ministry's manager with the demo PKI (a detached qualified signature), sent through the exchange.

It runs after the rest of the demo data is committed (`on_commit`): a signature is verified against the committed
trust store. The migration service is served by this system, so the packet goes through the same intake as a
partner's: the letter lands verified in that organization's «На регистрацию» (its clerk registers it), and the
ministry's card shows the timeline queued → sent → delivered on its «Обмен» tab.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from edms.auth.models import User
from edms.cli.demo_pdf import Letter, letter_pdf
from edms.cli.demo_pki import signer_of
from edms.core.db import db
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.exchange.operations.sending import send_card
from edms.registry.models import Card
from edms.registry.operations import add_attachment, create_card
from edms.signatures.operations import sign_attachment

SUMMARY = 'О согласовании порядка электронного обмена документами'
FILENAME = 'Письмо о порядке обмена.pdf'
PARAGRAPHS = (
    'Министерство цифрового развития Энской области направляет для согласования порядок электронного обмена '
    'документами между органами власти Энской области через систему межведомственного электронного '
    'документооборота (МЭДО).',
    'Просим рассмотреть порядок и в течение десяти рабочих дней сообщить о согласовании или направить замечания.',
)
NOTE = (
    'Демонстрационный документ МСЭД: подписан сертификатом демонстрационного удостоверяющего центра и юридической '
    'силы не имеет.'
)


def send_demo_letter(ministry_id: int, addressee_id: int, certificate_id: int, password: str) -> int:
    """Create, sign and send the letter (in its own transaction); returns the card's id. The delivery to the
    addressee follows this commit (at once without a worker, through the worker's queue with one)."""
    with atomic():
        ministry = db.session.get_one(Organization, ministry_id)
        addressee = db.session.get_one(Organization, addressee_id)
        clerk, manager = _user(ministry, 'clerk'), _user(ministry, 'manager')
        card = create_card(clerk, _card_input(addressee, manager), register=True)
        pdf = letter_pdf(_letter(card, ministry, addressee, manager))
        attachment = add_attachment(clerk, card, io.BytesIO(pdf), FILENAME, 'Текст письма')
        sign_attachment(manager, attachment, certificate_id, password)
        send_card(clerk, card)
        return card.id


def _user(organization: Organization, login: str) -> User:
    query = select(User).where(User.organization_id == organization.id, User.login == login)
    return db.session.execute(query).scalar_one()


def _card_input(addressee: Organization, manager: User) -> dict[str, object]:
    return {
        'kind': 'outgoing',
        'document_kind': 'Письмо',
        'summary': SUMMARY,
        'signer': _initials(manager),
        'delivery_method': 'medo',
        'pages': 1,
        'addressees': [{'name': addressee.name, 'organization_id': addressee.id}],
    }


def _letter(card: Card, ministry: Organization, addressee: Organization, manager: User) -> Letter:
    signer = signer_of('min', 'manager')
    return Letter(
        organization=ministry.name,
        address=ministry.address,
        number=f'№ {card.reg_number} от {card.reg_date:%d.%m.%Y}',
        addressee=addressee.name,
        subject=SUMMARY,
        paragraphs=PARAGRAPHS,
        post=signer.title if signer else '',
        signatory=_initials(manager),
        note=NOTE,
    )


def _initials(user: User) -> str:
    """«И. С. Руководителев»."""
    initials = ' '.join(f'{name[0]}.' for name in (user.first_name, user.middle_name) if name)
    return f'{initials} {user.last_name}'.strip()
