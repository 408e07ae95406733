"""The service catalogue as clients need it (codes, channels, file slots, statuses, refusal reasons), and the providers
of each service, managed by the system administrator (list, add, turn on or off, remove)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for

from edms.api.auth import api_user
from edms.api.blueprint import bp
from edms.api.inputs import json_object
from edms.citizen_services.catalogue.definition import CHANNEL_LABELS, ServiceDefinition
from edms.citizen_services.catalogue.registry import all_services
from edms.citizen_services.models import ServiceProvider
from edms.citizen_services.operations import create_provider, delete_provider, update_provider
from edms.citizen_services.queries import get_provider, list_providers
from edms.core.tx import atomic
from edms.core.validation import RawInput


def service_json(service: ServiceDefinition) -> dict[str, Any]:
    return {
        'code': service.code,
        'title': service.title,
        'document_kind': service.document_kind,
        'agency': {'key': service.agency.key, 'title': service.agency.title},
        'channels': [{'code': channel.value, 'label': CHANNEL_LABELS[channel]} for channel in sorted(service.channels)],
        'attachments': [{'kind': spec.kind, 'label': spec.label} for spec in service.attachments],
        'signatures': [
            {'role': spec.role, 'label': spec.label, 'methods': list(spec.methods)} for spec in service.signatures
        ],
        'statuses': [{'code': item.code, 'label': item.label, 'final': item.final} for item in service.statuses],
        'refusal_reasons': [{'code': reason.code, 'text': reason.text} for reason in service.refusal_reasons],
        'max_days': service.deadlines.max_total,
        'expected_days': service.deadlines.expected_days,
    }


def provider_json(provider: ServiceProvider) -> dict[str, Any]:
    organization = provider.organization
    return {
        'id': provider.id,
        'url': url_for('api.get_service_provider', provider_id=provider.id),
        'service_code': provider.service_code,
        'organization': {'id': organization.id, 'short_name': organization.short_name, 'name': organization.name},
        'is_active': provider.is_active,
    }


@bp.get('/services')
def list_services() -> Response:
    return jsonify({'items': [service_json(service) for service in all_services()]})


@bp.get('/service-providers', endpoint='list_service_providers')
def list_providers_view() -> Response:
    form = RawInput(request.args, ('service_code',))
    code = form.text('service_code', 'Услуга', max_length=64)
    form.finish()
    return jsonify({'items': [provider_json(item) for item in list_providers(api_user(), code or None)]})


@bp.post('/service-providers', endpoint='create_service_provider')
def create_provider_view() -> tuple[Response, int, dict[str, str]]:
    user, body = api_user(), json_object()
    with atomic():
        provider_id = create_provider(user, body).id
    location = url_for('api.get_service_provider', provider_id=provider_id)
    return jsonify(provider_json(get_provider(user, provider_id))), 201, {'Location': location}


@bp.get('/service-providers/<int:provider_id>', endpoint='get_service_provider')
def get_provider_view(provider_id: int) -> Response:
    return jsonify(provider_json(get_provider(api_user(), provider_id)))


@bp.patch('/service-providers/<int:provider_id>', endpoint='update_service_provider')
def update_provider_view(provider_id: int) -> Response:
    user, body = api_user(), json_object()
    with atomic():
        update_provider(user, get_provider(user, provider_id), body)
    return jsonify(provider_json(get_provider(user, provider_id)))


@bp.delete('/service-providers/<int:provider_id>', endpoint='delete_service_provider')
def delete_provider_view(provider_id: int) -> tuple[str, int]:
    user = api_user()
    with atomic():
        delete_provider(user, get_provider(user, provider_id))
    return '', 204
