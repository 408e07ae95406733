"""The trust store of signature verification: root and intermediate CA certificates (accredited or not) and the CRLs
of the trusted CAs. System administrators change it; administrators of organizations read it.

Importing is idempotent (a certificate already stored is brought to the requested state); «Обновить списки отзыва»
runs the CRL refresh job (`edms.signatures.jobs.refresh_crls`) through the job queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.access import require_system_admin
from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.jobs import enqueue
from edms.core.tx import atomic
from edms.signatures.models import TrustedCertificate
from edms.signatures.operations import (
    activate_trusted,
    deactivate_trusted,
    import_trusted,
    set_accredited,
    upload_crl,
)
from edms.signatures.operations.truststore import MAX_CRL_SIZE
from edms.signatures.queries import get_trusted, revocation_lists, trusted_certificates
from edms.web.session import current_user
from edms.web.views.admin import bp
from edms.web.views.admin.common import admin_required
from edms.web.views.signatures import read_upload

Html = str | tuple[str, int]
#: A file of CA certificates (a .p7b of a whole hierarchy included) stays well under this.
MAX_TRUST_FILE = 4 * 1024 * 1024
REFRESH_JOB = 'edms.signatures.jobs.refresh_crls'
FILE_LABEL = '«Файл сертификатов УЦ»'
CRL_LABEL = '«Файл списка отзыва (CRL)»'


@bp.get('/trust/')
@admin_required
def trust() -> Html:
    return _page({}, {'accredited': '', 'note': ''})


def _page(errors: dict[str, str], values: dict[str, Any], form: str = '') -> Html:
    html = render_template(
        'admin/trust.html',
        certificates=trusted_certificates(),
        crls=revocation_lists(),
        can_manage=current_user().is_system_admin,
        errors=errors,
        values=values,
        sent_form=form,
    )
    return (html, 422) if errors else html


@bp.get('/trust/<int:trusted_id>')
@admin_required
def trusted(trusted_id: int) -> str:
    certificate = get_trusted(trusted_id)
    return render_template(
        'admin/trust_certificate.html',
        certificate=certificate,
        info=certificate.info,
        can_manage=current_user().is_system_admin,
    )


@bp.post('/trust/import')
@admin_required
def import_ca() -> Html | Response:
    """Add the CA certificates of a file (DER, PEM, .p7b) with the accredited flag and a note."""
    user = current_user()
    require_system_admin(user)
    values = {'accredited': '1' if request.form.get('accredited') else '', 'note': request.form.get('note', '')}
    uploaded = read_upload('file', MAX_TRUST_FILE)
    if uploaded is None or len(uploaded[0]) > MAX_TRUST_FILE:
        message = 'выберите файл' if uploaded is None else 'файл больше 4 МБ — это не сертификаты УЦ'
        return _page({'file': f'{FILE_LABEL}: {message}.'}, values, 'import')
    try:
        with atomic():
            result = import_trusted(user, uploaded[0], accredited=bool(values['accredited']), note=values['note'])
            counts = len(result.added), len(result.updated), len(result.unchanged)
    except (Forbidden, NotFound):
        raise
    except ValidationFailed as error:
        return _page(error.fields, values, 'import')
    except DomainError as error:
        return _page({'file': f'{FILE_LABEL}: {error.message}'}, values, 'import')
    added, updated, unchanged = counts
    flash(f'Сертификаты УЦ импортированы: добавлено {added}, изменено {updated}, без изменений {unchanged}.', 'success')
    return redirect(url_for('admin.trust'))


@bp.post('/trust/crls')
@admin_required
def upload_crl_file() -> Html | Response:
    """Accept a CRL file signed by a trusted CA (a newer one replaces that CA's stored list)."""
    user = current_user()
    require_system_admin(user)
    values = {'accredited': '', 'note': ''}
    uploaded = read_upload('crl', MAX_CRL_SIZE)
    if uploaded is None:
        return _page({'crl': f'{CRL_LABEL}: выберите файл.'}, values, 'crl')
    try:
        with atomic():
            crl = upload_crl(user, uploaded[0])
            issuer, revoked = crl.issuer_name, crl.revoked_count
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        return _page({'crl': f'{CRL_LABEL}: {error.message}'}, values, 'crl')
    flash(f'Список отзыва УЦ «{issuer}» сохранён: отозванных сертификатов — {revoked}.', 'success')
    return redirect(url_for('admin.trust'))


@bp.post('/trust/crls/refresh')
@admin_required
def refresh_crls() -> Response:
    """Fetch the CRLs of the trusted CAs from their distribution points (a job; it needs the network)."""
    require_system_admin(current_user())
    enqueue(REFRESH_JOB, queue='signatures')
    flash(
        'Обновление списков отзыва запущено: новые списки появятся в хранилище после загрузки с точек '
        'распространения (нужен доступ к сети).',
        'success',
    )
    return redirect(url_for('admin.trust'))


def _change(trusted_id: int, change: Callable[[TrustedCertificate], None], message: str) -> Response:
    user = current_user()
    require_system_admin(user)
    with atomic():
        certificate = get_trusted(trusted_id)
        change(certificate)
        name = certificate.name
    flash(message.format(name=name), 'success')
    return redirect(url_for('admin.trusted', trusted_id=trusted_id))


@bp.post('/trust/<int:trusted_id>/accredited')
@admin_required
def accredited(trusted_id: int) -> Response:
    flag = request.form.get('accredited') == '1'
    message = 'УЦ «{name}» отмечен как аккредитованный.' if flag else 'С УЦ «{name}» снята отметка об аккредитации.'
    return _change(trusted_id, lambda item: set_accredited(current_user(), item, flag), message)


@bp.post('/trust/<int:trusted_id>/deactivate')
@admin_required
def deactivate(trusted_id: int) -> Response:
    message = 'Сертификат УЦ «{name}» больше не считается доверенным.'
    return _change(trusted_id, lambda item: deactivate_trusted(current_user(), item), message)


@bp.post('/trust/<int:trusted_id>/activate')
@admin_required
def activate(trusted_id: int) -> Response:
    message = 'Сертификат УЦ «{name}» снова доверенный.'
    return _change(trusted_id, lambda item: activate_trusted(current_user(), item), message)
