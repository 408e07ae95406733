"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""

import gc

from edms import create_app

app = create_app()
# What the start made (modules, mappers, statements, schemas) lives as long as the process: out of the cyclic
# collector's generations, its full collections no longer walk all of it for each request's garbage (a filing spent
# 0.9 ms of its CPU in the collector, 0.3 ms after this). Collected first: frozen garbage would never be freed.
gc.collect()
gc.freeze()
