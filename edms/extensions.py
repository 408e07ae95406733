"""Extension objects bound to the app in `init_extensions`; the database object itself lives in `core.db`."""

from __future__ import annotations

from flask import Flask
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from edms.core.db import db, ping_idle_connections
from edms.paths import ROOT

migrate = Migrate(compare_type=True, directory=str(ROOT / 'migrations'), render_as_batch=True)
csrf = CSRFProtect()


def init_extensions(app: Flask) -> None:
    """Bind the database, migrations and CSRF protection to the app; load every model."""
    import edms.models  # noqa: F401  (registers every mapped class on the metadata)
    from edms.audit.operations import install as install_audit
    from edms.signatures.crypto.backends import configure_backends

    install_audit()
    configure_backends(app.config['SIGNATURE_BACKENDS'])

    db.init_app(app)
    with app.app_context():
        ping_idle_connections(db.engine, app.config['DB_PING_IDLE_SECONDS'])
    migrate.init_app(app, db)
    csrf.init_app(app)
