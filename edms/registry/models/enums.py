"""Enumerations of the registry with their Russian labels."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


class CardKind(enum.StrEnum):
    """Kinds of registration cards."""

    incoming = 'incoming'
    outgoing = 'outgoing'
    internal = 'internal'
    citizen_appeal = 'citizen_appeal'


class CardStatus(enum.StrEnum):
    """Life cycle of a card: draft → registered → in work → executed → filed; cancelled from any open state."""

    draft = 'draft'
    registered = 'registered'
    in_work = 'in_work'
    executed = 'executed'
    filed = 'filed'
    cancelled = 'cancelled'


class AccessMark(enum.StrEnum):
    """Access mark (гриф): public or restricted (ДСП)."""

    public = 'public'
    restricted = 'restricted'


class CorrespondentType(enum.StrEnum):
    """A correspondent is an organization or a person."""

    organization = 'organization'
    person = 'person'


class DeliveryMethod(enum.StrEnum):
    """How the document arrived or leaves."""

    medo = 'medo'
    email = 'email'
    post = 'post'
    courier = 'courier'
    in_person = 'in_person'
    fax = 'fax'
    portal = 'portal'
    mfc = 'mfc'
    internal = 'internal'


class LinkKind(enum.StrEnum):
    """Kinds of links between cards."""

    reply_to = 'reply_to'
    in_execution_of = 'in_execution_of'
    related = 'related'


KIND_LABELS = {
    CardKind.incoming: 'Входящий',
    CardKind.outgoing: 'Исходящий',
    CardKind.internal: 'Внутренний',
    CardKind.citizen_appeal: 'Обращение гражданина',
}
STATUS_LABELS = {
    CardStatus.draft: 'Черновик',
    CardStatus.registered: 'Зарегистрирован',
    CardStatus.in_work: 'В работе',
    CardStatus.executed: 'Исполнен',
    CardStatus.filed: 'В деле',
    CardStatus.cancelled: 'Аннулирован',
}
ACCESS_MARK_LABELS = {AccessMark.public: 'Общий доступ', AccessMark.restricted: 'ДСП'}
CORRESPONDENT_TYPE_LABELS = {CorrespondentType.organization: 'Организация', CorrespondentType.person: 'Физическое лицо'}
DELIVERY_LABELS = {
    DeliveryMethod.medo: 'МЭДО',
    DeliveryMethod.email: 'Электронная почта',
    DeliveryMethod.post: 'Почта',
    DeliveryMethod.courier: 'Курьер',
    DeliveryMethod.in_person: 'Лично',
    DeliveryMethod.fax: 'Факс',
    DeliveryMethod.portal: 'Портал госуслуг',
    DeliveryMethod.mfc: 'МФЦ',
    DeliveryMethod.internal: 'Внутренняя передача',
}
LINK_LABELS = {
    LinkKind.reply_to: 'В ответ на',
    LinkKind.in_execution_of: 'Во исполнение',
    LinkKind.related: 'Связан с',
}


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column stored as a short string (no native PostgreSQL enum to migrate)."""
    return Enum(enum_class, name=name, native_enum=False, length=20, validate_strings=True)
