# Testing overlay. The test suite builds its configuration in tests/conftest.py (make_config) and starts its own
# PostgreSQL and Redis; this file serves manual runs against a test database, e.g.
#   EDMS_CONFIG=config/testing.py EDMS_SQLALCHEMY_DATABASE_URI=postgresql+psycopg://… flask --app wsgi edms init
TESTING = True
WTF_CSRF_ENABLED = True
MAX_ATTACHMENT_SIZE = 2 * 1024 * 1024
LOGIN_MAX_FAILURES = 5
