"""«Кабинет организации» in the browser (seed 000), the applicant's side of a legal entity on the portal: the list of
the cabinets the account is a member of, the cabinet's page (requisites and contacts with their form, the staff with a
roles × rights matrix, adding and removing staff), the cabinet's journal with the downloads of the КЭП kept from its
staff changes (the text signed and the signature) and the legal entity's applications, an
application filed on the legal entity's behalf (the «send» right; the portal's generated form with the organization's
requisites filled in); and the section on the registration application's page linking to the cabinet it brought
about.

Not the manager's cabinet (МКР, `views.cabinet`). Every cabinet is loaded through `get_legal_cabinet`: a cabinet the
user is not a member of is a 404. Changes go through the operations in one `atomic()` block and end with a redirect;
a refused form comes back filled with its messages (422); a conflict (the last administrator) is flashed. The staff
forms' routes and their confirmation (SMS code or КЭП) are in `legal_cabinets_staff`, on this blueprint.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from edms.auth.models import User
from edms.citizen_services.catalogue.definition import DONE, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services, get_service
from edms.citizen_services.models import Application
from edms.citizen_services.models.legal_cabinets import (
    LEGAL_CABINET_RIGHT_LABELS,
    LEGAL_CABINET_ROLE_LABELS,
    LegalCabinetRight,
    LegalCabinetRole,
    LegalEntityCabinet,
)
from edms.citizen_services.operations.legal_cabinets import (
    SERVICE_CODE,
    file_for_legal_cabinet,
    update_legal_cabinet,
)
from edms.citizen_services.queries.legal_cabinets import (
    StaffSignaturePart,
    get_legal_cabinet,
    legal_cabinet_by_ogrn,
    legal_cabinet_journal,
    legal_cabinets_of,
    legal_entity_applications,
    require_legal_cabinet_right,
    staff_change_signature,
    staff_change_signature_file,
)
from edms.core.db import db
from edms.core.errors import Conflict, ValidationFailed
from edms.core.tx import atomic
from edms.web.application_sections import register_section
from edms.web.lists import filtered_applications, page_url
from edms.web.session import current_user, login_required
from edms.web.views.applications_forms import read_posted, service_form
from edms.web.views.applications_render import form_page, refusal

bp = Blueprint('legal_cabinets', __name__)
Html = str | tuple[str, int]

JOURNAL_ACTIONS = {
    'legal_cabinet.create': 'Кабинет создан по заявлению',
    'legal_cabinet.rebind': 'Кабинет привязан к новому заявлению руководителя',
    'legal_cabinet.update': 'Изменены сведения организации',
    'legal_cabinet.member_add': 'Добавлен сотрудник',
    'legal_cabinet.member_change': 'Изменены роль и права сотрудника',
    'legal_cabinet.member_remove': 'Сотрудник исключён',
    'legal_cabinet.send': 'Подано заявление от имени организации',
}
DETAIL_FIELDS = ('legal_address', 'phone', 'email')
FIELD_LABELS = {
    'legal_address': 'Юридический адрес',
    'phone': 'Телефон',
    'email': 'Электронная почта',
    'name': 'Наименование',
    'legal_form': 'Организационно-правовая форма',
    'kpp': 'КПП',
    'inn': 'ИНН',
}
FILING_FORM = 'applications/form.html'


@bp.get('/legal-cabinets')
@login_required
def index() -> str:
    return render_template('legal_cabinets/list.html', rows=legal_cabinets_of(current_user()), roles=_roles())


def _roles() -> dict[str, str]:
    return {role.value: label for role, label in LEGAL_CABINET_ROLE_LABELS.items()}


def _page(cabinet_id: int, **forms: Any) -> Html:
    """The cabinet's page; `forms` are a refused form's values and errors (then 422)."""
    user = current_user()
    cabinet, me = get_legal_cabinet(user, cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.view)
    details = {name: getattr(cabinet, name) for name in DETAIL_FIELDS}
    context = {
        'details_values': details,
        'details_errors': {},
        'add_values': {},
        'add_errors': {},
        'member_values': {},
        'member_errors': {},
        **forms,
    }
    html = render_template(
        'legal_cabinets/show.html',
        cabinet=cabinet,
        me=me,
        members=cabinet.active_members,
        role_options=list(_roles().items()),
        role_labels=_roles(),
        rights=[(right.value, label) for right, label in LEGAL_CABINET_RIGHT_LABELS.items()],
        may_manage=me.role == LegalCabinetRole.administrator and me.has(LegalCabinetRight.edit),
        **context,
    )
    refused = any(context[name] for name in ('details_errors', 'add_errors', 'member_errors'))
    return (html, 422) if refused else html


@bp.get('/legal-cabinets/<int:cabinet_id>')
@login_required
def show(cabinet_id: int) -> Html:
    return _page(cabinet_id)


def _done(cabinet_id: int, message: str) -> Response:
    flash(message, 'success')
    return redirect(url_for('legal_cabinets.show', cabinet_id=cabinet_id))


def _conflict(cabinet_id: int, error: Conflict) -> Response:
    flash(error.message, 'error')
    return redirect(url_for('legal_cabinets.show', cabinet_id=cabinet_id))


@bp.post('/legal-cabinets/<int:cabinet_id>/details')
@login_required
def details(cabinet_id: int) -> Html | Response:
    user = current_user()
    raw = {name: request.form.get(name, '') for name in DETAIL_FIELDS}
    try:
        with atomic():
            cabinet, me = get_legal_cabinet(user, cabinet_id, lock=True)
            update_legal_cabinet(user, cabinet, me, raw)
    except ValidationFailed as error:
        return _page(cabinet_id, details_values=raw, details_errors=error.fields)
    return _done(cabinet_id, 'Сведения организации сохранены.')


@bp.get('/legal-cabinets/<int:cabinet_id>/journal')
@login_required
def journal(cabinet_id: int) -> str:
    cabinet, me = get_legal_cabinet(current_user(), cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.view)
    entries = legal_cabinet_journal(cabinet)
    ids = {entry.actor_id for entry in entries} | {entry.data.get('user_id') for entry in entries}
    ids |= {entry.data.get('head_user_id') for entry in entries}
    ids.discard(None)
    users = {user.id: user for user in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
    return render_template(
        'legal_cabinets/journal.html',
        cabinet=cabinet,
        entries=entries,
        users=users,
        actions=JOURNAL_ACTIONS,
        role_labels=_roles(),
        rights_text=_rights_text,
        field_labels=FIELD_LABELS,
    )


@bp.get('/legal-cabinets/<int:cabinet_id>/staff-signatures/<int:staff_signature_id>/text')
@login_required
def staff_signature_text(cabinet_id: int, staff_signature_id: int) -> Response:
    """From the journal: the text of a staff change exactly as the administrator signed it."""
    return _staff_signature_file(cabinet_id, staff_signature_id, 'text')


@bp.get('/legal-cabinets/<int:cabinet_id>/staff-signatures/<int:staff_signature_id>/signature')
@login_required
def staff_signature(cabinet_id: int, staff_signature_id: int) -> Response:
    """From the journal: the administrator's detached КЭП that confirmed a staff change."""
    return _staff_signature_file(cabinet_id, staff_signature_id, 'signature')


def _staff_signature_file(cabinet_id: int, staff_signature_id: int, part: StaffSignaturePart) -> Response:
    cabinet, me = get_legal_cabinet(current_user(), cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.view)
    name, data, mimetype = staff_change_signature_file(staff_change_signature(cabinet, staff_signature_id), part)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def _rights_text(rights: list[str]) -> str:
    """The rights in the matrix's order (view, edit, delete, send)."""
    return (
        ', '.join(label for right, label in LEGAL_CABINET_RIGHT_LABELS.items() if right.value in rights) or 'без прав'
    )


@bp.get('/legal-cabinets/<int:cabinet_id>/applications')
@login_required
def applications(cabinet_id: int) -> Html:
    cabinet, me = get_legal_cabinet(current_user(), cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.view)
    page, errors = filtered_applications(lambda filters: legal_entity_applications(cabinet, filters))
    html = render_template(
        'legal_cabinets/applications.html',
        cabinet=cabinet,
        page=page,
        args=request.args,
        errors=errors,
        services=[(service.code, service.title) for service in all_services()],
        service_of=get_service,
        page_url=page_url('legal_cabinets.applications', cabinet_id=cabinet_id),
    )
    return (html, 422) if errors else html


def _legal_entity_services() -> list[ServiceDefinition]:
    return [service for service in all_services() if service.applicant.kind == 'legal_entity' and service.applicant.inn]


def _prefilled(service: ServiceDefinition, cabinet: LegalEntityCabinet) -> dict[str, str]:
    """The organization's requisites in the service's fields beside its ИНН ('organization.ogrn'…)."""
    group = (service.applicant.inn or '').rpartition('.')[0]
    known = {name: getattr(cabinet, name) or '' for name in ('ogrn', 'inn', 'kpp', 'name', 'legal_form')}
    paths = {spec.path for spec in service.fields}
    return {f'{group}.{name}': value for name, value in known.items() if f'{group}.{name}' in paths}


@bp.route('/legal-cabinets/<int:cabinet_id>/new', methods=['GET', 'POST'])
@login_required
def new_application(cabinet_id: int) -> Html | Response:
    """An application on the legal entity's behalf (the «send» right): the service's form with its requisites."""
    user = current_user()
    cabinet, me = get_legal_cabinet(user, cabinet_id)
    require_legal_cabinet_right(me, LegalCabinetRight.send)
    code = request.args.get('service', '')
    if not code:
        return render_template('legal_cabinets/choose.html', cabinet=cabinet, services=_legal_entity_services())
    service = get_service(code)
    form = service_form(service)
    context = {'form': form, 'mfc': False, 'cabinet': cabinet}
    if request.method == 'GET':
        return form_page(FILING_FORM, {}, values=_prefilled(service, cabinet), problems=[], **context)
    posted = read_posted(form)
    try:
        with atomic():
            locked, me = get_legal_cabinet(user, cabinet_id, lock=True)
            application = file_for_legal_cabinet(
                user,
                locked,
                me,
                service.code,
                posted.data,
                posted.files,
                signatures=posted.signatures,
                detached=posted.detached,
            )
            application_id, number = application.id, application.number
    except (ValidationFailed, Conflict) as error:
        errors, problems = refusal(error, bool(posted.files or posted.detached))
        return form_page(FILING_FORM, errors, values=posted.values, problems=problems, **context)
    flash(f'Заявление № {number} подано от имени организации.', 'success')
    return redirect(url_for('applications.show', application_id=application_id))


def _application_section(user: User, application: Application) -> dict[str, Any] | None:
    """On an approved registration's page: the cabinet of its ОГРН, linked for a member."""
    if application.service_code != SERVICE_CODE or application.status != DONE:
        return None
    ogrn = (application.values.get('organization') or {}).get('ogrn')
    cabinet = legal_cabinet_by_ogrn(ogrn)
    if cabinet is None:
        return None
    member = any(row.user_id == user.id for row in cabinet.active_members)
    return {'cabinet': cabinet, 'member': member}


register_section('applicant', 'legal_cabinets/_application_section.html', _application_section)

# The staff routes live on this blueprint in their own module (imported last: it reads this module's helpers).
from edms.web.views import legal_cabinets_staff  # noqa: E402, F401
