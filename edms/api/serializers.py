"""JSON shapes of the API: cards (full and compact, with the 59-ФЗ deadlines of citizen appeals), attachments, history,
directory objects, the current user; those of resolutions are in `resolution_serializers`.

Plain functions from loaded models to dicts; they never query beyond the relationships the loaders prepared.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from flask import url_for

from edms.audit.models import AuditEntry
from edms.auth.models import User
from edms.directory.models import Department, Organization
from edms.directory.queries import DepartmentNode
from edms.registry.appeals import StatutoryDeadline, appeal_deadlines
from edms.registry.models import Attachment, Card, CardKind, CaseFile, Journal
from edms.registry.models.enums import KIND_LABELS, STATUS_LABELS
from edms.registry.operations.cards import snapshot
from edms.registry.queries import Page


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_ref(user: User | None) -> dict[str, Any] | None:
    return {'id': user.id, 'name': user.full_name} if user is not None else None


def card_json(card: Card, visible_targets: Collection[int]) -> dict[str, Any]:
    """Every field of a card with its addressees, attachments' metadata and the links the reader may follow."""
    data = snapshot(card)
    data['links'] = [
        {**link, 'url': url_for('api.get_card', card_id=link['card_id'])}
        for link in data['links']
        if link['card_id'] in visible_targets
    ]
    data.update(
        id=card.id,
        url=url_for('api.get_card', card_id=card.id),
        organization_id=card.organization_id,
        kind_label=KIND_LABELS[card.kind],
        status_label=STATUS_LABELS[card.status],
        journal_id=card.journal_id,
        registered_at=iso(card.registered_at),
        cancel_reason=card.cancel_reason,
        attachments=[attachment_json(card.id, attachment) for attachment in card.attachments],
        created_by=user_ref(card.created_by),
        created_at=iso(card.created_at),
        updated_by=user_ref(card.updated_by),
        updated_at=iso(card.updated_at),
        **appeal_json(card),
    )
    return data


def appeal_json(card: Card) -> dict[str, Any]:
    """The 59-ФЗ deadlines and the answer's extension of a citizen appeal; other cards cost no query here."""
    if card.kind != CardKind.citizen_appeal:
        return {'appeal_deadlines': [], 'appeal_extension': None}
    extension = None
    if card.appeal_extension_days is not None:
        extension = {
            'days': card.appeal_extension_days,
            'reason': card.appeal_extension_reason,
            'notice': card.appeal_extension_notice,
            'extended_at': iso(card.appeal_extended_at),
            'extended_by': user_ref(card.appeal_extended_by),
        }
    return {'appeal_deadlines': [deadline_json(item) for item in appeal_deadlines(card)], 'appeal_extension': extension}


def deadline_json(deadline: StatutoryDeadline) -> dict[str, Any]:
    return {
        'key': deadline.key,
        'label': deadline.label,
        'basis': deadline.basis,
        'due': iso(deadline.due),
        'status': deadline.status,
        'status_label': deadline.status_label,
        'done_on': iso(deadline.done_on),
        'explanation': deadline.explanation,
    }


def card_item_json(card: Card) -> dict[str, Any]:
    """A card in a list: the requisites a register shows, without addressees, links and files."""
    return {
        'id': card.id,
        'url': url_for('api.get_card', card_id=card.id),
        'kind': card.kind.value,
        'status': card.status.value,
        'reg_number': card.reg_number,
        'reg_date': iso(card.reg_date),
        'document_kind': card.document_kind,
        'summary': card.summary,
        'correspondent_name': card.correspondent_name,
        'sender_number': card.sender_number,
        'sender_date': iso(card.sender_date),
        'access_mark': card.access_mark.value,
        'created_at': iso(card.created_at),
    }


def card_page_json(page: Page) -> dict[str, Any]:
    total = page.total or 0
    return {
        'items': [card_item_json(card) for card in page.items],
        'page': page.page,
        'per_page': page.per_page,
        'has_next': page.has_next,
        'total': min(total, page.cap),
        'total_capped': total > page.cap,
    }


def attachment_json(card_id: int, attachment: Attachment) -> dict[str, Any]:
    return {
        'id': attachment.id,
        'card_id': card_id,
        'filename': attachment.filename,
        'content_type': attachment.content_type,
        'size': attachment.size,
        'sha256': attachment.sha256,
        'description': attachment.description,
        'created_at': iso(attachment.created_at),
        'url': url_for('api.get_attachment', card_id=card_id, attachment_id=attachment.id),
        'download_url': url_for('api.attachment_content', card_id=card_id, attachment_id=attachment.id),
    }


def audit_entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        'seq': entry.seq,
        'created_at': iso(entry.created_at),
        'actor_id': entry.actor_id,
        'action': entry.action,
        'data': entry.data,
    }


def organization_json(organization: Organization) -> dict[str, Any]:
    return {
        'id': organization.id,
        'short_name': organization.short_name,
        'name': organization.name,
        'kind': organization.kind.value,
        'ogrn': organization.ogrn,
        'inn': organization.inn,
        'kpp': organization.kpp,
        'medo_id': organization.medo_id,
        'is_active': organization.is_active,
        'url': url_for('api.get_organization', organization_id=organization.id),
    }


def department_json(node: DepartmentNode) -> dict[str, Any]:
    department: Department = node.department
    return {
        'id': department.id,
        'name': department.name,
        'code': department.code,
        'parent_id': department.parent_id,
        'is_active': department.is_active,
        'depth': node.depth,
    }


def journal_json(journal: Journal) -> dict[str, Any]:
    return {
        'id': journal.id,
        'kind': journal.kind.value,
        'year': journal.year,
        'name': journal.name,
        'template': journal.template,
        'next_seq': journal.next_seq,
        'is_default': journal.is_default,
        'is_active': journal.is_active,
    }


def case_file_json(case_file: CaseFile) -> dict[str, Any]:
    return {
        'id': case_file.id,
        'year': case_file.year,
        'index': case_file.index,
        'title': case_file.title,
        'retention_years': case_file.retention_years,
        'retention_label': case_file.retention_label,
        'retention_article': case_file.retention_article,
        'department_id': case_file.department_id,
        'is_closed': case_file.is_closed,
    }


def me_json(user: User) -> dict[str, Any]:
    return {
        'id': user.id,
        'login': user.login,
        'name': user.full_name,
        'organization_id': user.organization_id,
        'department_id': user.department_id,
        'roles': sorted(role.value for role in user.roles),
        'can_access_restricted': user.can_access_restricted,
        'is_system_admin': user.is_system_admin,
    }
