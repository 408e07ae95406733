"""The browser interface: blueprints, the session hook, security headers, error pages, template helpers."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g

from edms.citizen_services.permissions import is_staff
from edms.core.clock import to_local
from edms.web.errors import register_error_pages
from edms.web.security import add_security_headers, refuse_nul_bytes
from edms.web.session import load_user


def register_web(app: Flask) -> None:
    """Attach the web blueprints and hooks to the app."""
    from edms.web.views import (
        admin,
        agency_applications,
        appeals,
        applications,
        applications_sms,  # noqa: F401  («Получить код»: routes on the applications blueprint)
        applications_xml,
        assignments,
        auth,
        cabinet,
        cards,
        certificates,
        complaints,
        dispatches,
        exchange,
        home,
        interagency,
        legal_cabinets,
        notifications,
        phone,
        reports,
        resolution_actions,
        resolutions,
        routing,
        signatures,
        stay,
    )

    app.static_folder = str(app.root_path + '/static')
    app.before_request(refuse_nul_bytes)
    app.before_request(load_user)
    app.after_request(add_security_headers)
    register_error_pages(app)
    for blueprint in (home.bp, auth.bp, cards.bp, admin.bp, notifications.bp, appeals.bp, reports.bp):
        app.register_blueprint(blueprint)
    for blueprint in (resolutions.bp, resolution_actions.bp, cabinet.bp, assignments.bp):
        app.register_blueprint(blueprint)
    for blueprint in (signatures.bp, certificates.bp, phone.bp, exchange.bp, dispatches.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(routing.bp)
    app.register_blueprint(legal_cabinets.bp)
    app.register_blueprint(applications_xml.bp)
    app.register_blueprint(agency_applications.bp)
    app.register_blueprint(applications.bp)
    app.register_blueprint(interagency.bp)
    app.register_blueprint(stay.bp)
    app.register_blueprint(complaints.bp)
    app.jinja_env.filters['ru_date'] = ru_date
    app.jinja_env.filters['ru_datetime'] = ru_datetime
    app.jinja_env.globals['current_user'] = lambda: g.get('user')
    app.jinja_env.globals['is_agency_staff'] = is_staff
    from edms.web import labels

    app.jinja_env.globals['labels'] = labels


def ru_date(value: date | datetime | None) -> str:
    """ДД.ММ.ГГГГ, or an empty string."""
    if value is None:
        return ''
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime('%d.%m.%Y')


def ru_datetime(value: datetime | None) -> str:
    """ДД.ММ.ГГГГ ЧЧ:ММ in the agency's time zone."""
    return to_local(value).strftime('%d.%m.%Y %H:%M') if value else ''
