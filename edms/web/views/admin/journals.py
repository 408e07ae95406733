"""Registration journals of an organization: list with a preview of the next number, create and edit."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.clock import local_today
from edms.core.validation import query_int
from edms.directory.models import Organization
from edms.directory.queries import department_tree
from edms.registry.models import Journal
from edms.registry.models.enums import KIND_LABELS
from edms.registry.numbering import NumberParts, render, template_problem
from edms.registry.operations import create_journal, update_journal
from edms.registry.queries import get_journal, list_journals
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import (
    admin_required,
    administered_organization,
    form_page,
    form_values,
    read_form,
    save,
)

JOURNAL_FORM = ('kind', 'year', 'name', 'template')
JOURNAL_FLAGS = ('is_default', 'is_active')
KIND_OPTIONS = [(kind.value, label) for kind, label in KIND_LABELS.items()]


@bp.get('/organizations/<int:org_id>/journals/')
@admin_required
def journals(org_id: int) -> str:
    organization = administered_organization(org_id)
    year = request.args.get('year', type=query_int)
    items = list_journals(org_id, year)
    dept = _sample_department_code(org_id)
    previews = {journal.id: preview(journal.template, journal.next_seq, dept) for journal in items}
    return render_template(
        'admin/journals.html', organization=organization, journals=items, previews=previews, year=year
    )


@bp.route('/organizations/<int:org_id>/journals/new', methods=['GET', 'POST'])
@admin_required
def new_journal(org_id: int) -> Response | str | tuple[str, int]:
    organization = administered_organization(org_id)
    values: dict[str, Any] = {'year': local_today().year, 'is_default': True, 'is_active': True}
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(JOURNAL_FORM, booleans=JOURNAL_FLAGS)
        errors = save(lambda: create_journal(current_user(), org_id, values), 'Журнал регистрации добавлен.')
        if not errors:
            return redirect(url_for('admin.journals', org_id=org_id))
    return _form(organization, None, values, errors)


@bp.route('/journals/<int:journal_id>/edit', methods=['GET', 'POST'])
@admin_required
def edit_journal(journal_id: int) -> Response | str | tuple[str, int]:
    """Name, template and flags of a journal; its counter is never edited."""
    journal = get_journal(current_user(), journal_id)
    organization = administered_organization(journal.organization_id)
    values = form_values(journal, (*JOURNAL_FORM, *JOURNAL_FLAGS))
    errors: dict[str, str] = {}
    if request.method == 'POST':
        values = read_form(JOURNAL_FORM, booleans=JOURNAL_FLAGS)
        errors = save(lambda: update_journal(current_user(), journal, values), 'Журнал регистрации сохранён.')
        if not errors:
            return redirect(url_for('admin.journals', org_id=organization.id))
    return _form(organization, journal, values, errors)


def _form(
    organization: Organization, journal: Journal | None, values: dict[str, Any], errors: dict[str, str]
) -> str | tuple[str, int]:
    next_seq = journal.next_seq if journal else 1
    sample = preview(str(values.get('template') or ''), next_seq, _sample_department_code(organization.id))
    return form_page(
        'admin/journal_form.html',
        errors,
        organization=organization,
        journal=journal,
        values=values,
        kinds=KIND_OPTIONS,
        preview=sample,
        next_seq=next_seq,
    )


def preview(template: str, seq: int, dept: str) -> str:
    """The number the journal would issue next today, or an empty string for an invalid template."""
    if not template or template_problem(template, dept):
        return ''
    return render(template, NumberParts(seq, local_today(), dept))


def _sample_department_code(organization_id: int) -> str:
    tree = department_tree(organization_id)
    return tree[0].department.code if tree else 'ОТД'
