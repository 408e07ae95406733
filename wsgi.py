"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

from edms import create_app

app = create_app()
