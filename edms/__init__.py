"""The EDMS application factory: `create_app` builds and wires the Flask application, nothing else runs at import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, consumers of domain events, blueprints, CLI."""
    from edms import settings
    from edms.core.multipart import install as install_multipart
    from edms.core.urls import install_converters
    from edms.extensions import init_extensions
    from edms.paths import ROOT

    app = Flask(__name__, template_folder=str(ROOT / 'templates'), instance_path=str(ROOT / 'instance'))
    settings.load(app, config)
    install_converters(app)
    install_multipart()  # a faster search for the end of a multipart part (werkzeug 3.1)
    init_extensions(app)

    from edms.api import register_api
    from edms.cli import register_cli
    from edms.exchange.operations.exports import install_event_export
    from edms.web import register_web

    install_event_export(app)  # the МЭДО notifications of execution steps (a consumer of resolution events)
    register_web(app)
    register_api(app)
    register_cli(app)
    return app
