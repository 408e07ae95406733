"""Changing the registry: cards, numbering, attachments, links, journals and case files. Every change is audited."""

from edms.registry.operations.attachments import (
    add_attachment,
    add_stored_attachment,
    open_attachment,
    remove_attachment,
)
from edms.registry.operations.cards import (
    cancel_card,
    create_card,
    file_card,
    grant_access,
    register_card,
    register_new_card,
    update_card,
)
from edms.registry.operations.casefiles import create_case_file, update_case_file
from edms.registry.operations.journals import create_journal, update_journal

__all__ = [
    'add_attachment',
    'add_stored_attachment',
    'cancel_card',
    'create_card',
    'create_case_file',
    'create_journal',
    'file_card',
    'grant_access',
    'open_attachment',
    'register_card',
    'register_new_card',
    'remove_attachment',
    'update_card',
    'update_case_file',
    'update_journal',
]
