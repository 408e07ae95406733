"""«Мои сертификаты»: the user's signing certificates, importing a PKCS#12 container with its password (server
signing) or a certificate alone (for signatures made with the user's own tool), the certificate page with the
qualified profile (Приказ ФСБ № 795), and withdrawing a certificate.

Each refusal stands next to the field it concerns; the password field never comes back filled.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edms.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from edms.core.tx import atomic
from edms.signatures.crypto.errors import WrongPassword
from edms.signatures.crypto.pkcs12 import MAX_CONTAINER_SIZE
from edms.signatures.operations import add_client_certificate, disable_certificate, import_certificate
from edms.signatures.queries import get_user_certificate, user_certificates
from edms.web.session import current_user, login_required
from edms.web.views.signatures import read_upload

bp = Blueprint('certificates', __name__, url_prefix='/certificates')
Html = str | tuple[str, int]
#: A certificate file (even a .p7b with its chain) is a few kilobytes; anything over this is not one.
MAX_CERTIFICATE_FILE = 1024 * 1024
CONTAINER_LABEL = '«Контейнер ключа (.pfx, .p12)»'
PASSWORD_LABEL = '«Пароль к контейнеру»'
CERTIFICATE_LABEL = '«Файл сертификата (.cer, .crt, .pem, .p7b)»'
KEY_USAGE_LABELS = {
    'digital_signature': 'электронная подпись (digitalSignature)',
    'non_repudiation': 'неотрекаемость (nonRepudiation)',
    'key_encipherment': 'шифрование ключей (keyEncipherment)',
    'data_encipherment': 'шифрование данных (dataEncipherment)',
    'key_agreement': 'согласование ключей (keyAgreement)',
    'key_cert_sign': 'подпись сертификатов (keyCertSign)',
    'crl_sign': 'подпись списков отзыва (cRLSign)',
    'encipher_only': 'только шифрование (encipherOnly)',
    'decipher_only': 'только расшифрование (decipherOnly)',
}


@bp.app_context_processor
def _helpers() -> dict[str, object]:
    return {'key_usage_labels': KEY_USAGE_LABELS}


@bp.get('/')
@login_required
def index() -> Html:
    return _page({})


def _page(errors: dict[str, str], form: str = '') -> Html:
    user = current_user()
    html = render_template(
        'signatures/certificates.html',
        certificates=user_certificates(user, user),
        errors=errors,
        sent_form=form,
    )
    return (html, 422) if errors else html


@bp.post('/import')
@login_required
def import_container() -> Html | Response:
    """Bind the certificate of a PKCS#12 container and keep the container (encrypted by its password) for signing."""
    user = current_user()
    uploaded = read_upload('container', MAX_CONTAINER_SIZE)
    password = request.form.get('password', '')
    if uploaded is None:
        return _page({'container': f'{CONTAINER_LABEL}: выберите файл контейнера.'}, 'import')
    try:
        with atomic():
            certificate = import_certificate(user, user, uploaded[0], password)
            certificate_id, owner = certificate.id, certificate.owner
    except WrongPassword as error:
        return _page({'password': f'{PASSWORD_LABEL}: {error.message}'}, 'import')
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        return _page(_field_messages(error, 'container', CONTAINER_LABEL), 'import')
    flash(f'Сертификат «{owner}» добавлен: им можно подписывать файлы на сервере.', 'success')
    return redirect(url_for('certificates.show', certificate_id=certificate_id))


@bp.post('/add')
@login_required
def add_certificate() -> Html | Response:
    """Bind a certificate without key, for signatures made with the user's own certified tool and uploaded."""
    user = current_user()
    uploaded = read_upload('certificate', MAX_CERTIFICATE_FILE)
    if uploaded is None:
        return _page({'certificate': f'{CERTIFICATE_LABEL}: выберите файл сертификата.'}, 'add')
    if len(uploaded[0]) > MAX_CERTIFICATE_FILE:
        return _page({'certificate': f'{CERTIFICATE_LABEL}: файл больше 1 МБ — это не сертификат.'}, 'add')
    try:
        with atomic():
            certificate = add_client_certificate(user, user, uploaded[0])
            certificate_id, owner = certificate.id, certificate.owner
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        return _page(_field_messages(error, 'certificate', CERTIFICATE_LABEL), 'add')
    flash(f'Сертификат «{owner}» добавлен: загружайте подписи, сделанные своим средством ЭП.', 'success')
    return redirect(url_for('certificates.show', certificate_id=certificate_id))


def _field_messages(error: DomainError, name: str, label: str) -> dict[str, str]:
    """A refusal as the message of the file field (a binding refusal names each mismatch in its message)."""
    if isinstance(error, ValidationFailed) and error.fields:
        return {name: f'{label}: ' + ' '.join(error.fields.values())}
    return {name: f'{label}: {error.message}'}


@bp.get('/<int:certificate_id>')
@login_required
def show(certificate_id: int) -> str:
    """The certificate with its qualified profile."""
    certificate = get_user_certificate(current_user(), certificate_id)
    return render_template('signatures/certificate.html', certificate=certificate, info=certificate.info)


@bp.post('/<int:certificate_id>/disable')
@login_required
def disable(certificate_id: int) -> Response:
    """Withdraw the certificate: nothing more is signed with it, and its container is removed from the server."""
    user = current_user()
    with atomic():
        certificate = get_user_certificate(user, certificate_id)
        disable_certificate(user, certificate)
    flash('Сертификат отозван из использования: подписывать им больше нельзя.', 'success')
    return redirect(url_for('certificates.index'))
