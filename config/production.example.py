# Production example (copy, adjust, point EDMS_CONFIG at the copy). Secrets are NOT written here: set them in the
# environment of gunicorn and of the workers, e.g. in a systemd unit's EnvironmentFile readable by the service only:
#   EDMS_SECRET_KEY=<64 random hex chars>
#   EDMS_SQLALCHEMY_DATABASE_URI=postgresql+psycopg://edms:<password>@db.internal:5432/edms
#   EDMS_REDIS_URL=redis://redis.internal:6379/0
#   EDMS_BLOB_DIR=/srv/edms/blobs
# Processes:
#   gunicorn -w 4 -b 127.0.0.1:8000 --access-logfile - wsgi:app      (behind nginx with TLS, client_max_body_size 60m)
#   (gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl: two instances under one user need
#   --no-control-socket or their own --control-socket path)
#   flask --app wsgi edms worker                                      (one or more; runs RQ jobs with the scheduler)
#   flask --app wsgi edms init --no-demo                              (once per release: applies migrations)
EMBEDDED_DEFAULTS = False  # refuse to start without EDMS_SQLALCHEMY_DATABASE_URI and EDMS_BLOB_DIR
SESSION_COOKIE_SECURE = True
LOGIN_MAX_FAILURES = 5
LOGIN_LOCK_MINUTES = 15
SESSION_IDLE_MINUTES = 30
SESSION_ABSOLUTE_HOURS = 12
SESSION_MAX_PER_USER = 5
# argon2id cost of new password hashes: empty keeps the library's t=3, 64 MiB, p=4; never below t=2, 19 MiB, p=1.
# Hashes made with other parameters are replaced at their owner's next login; until then such an account answers a
# login in another time than an unknown one, so raise the parameters rarely.
PASSWORD_HASHING: dict[str, int] = {}
MAX_ATTACHMENT_SIZE = 50 * 1024 * 1024
MAX_CONTENT_LENGTH = 60 * 1024 * 1024
# jit off and a larger work_mem keep word searches over millions of cards fast (BENCHMARKS.md, section 2).
# psycopg 3 prepares repeated statements on the server; behind PgBouncer < 1.21 in transaction mode add
# 'prepare_threshold': None to connect_args.
# A pooled connection idle over DB_PING_IDLE_SECONDS (default 5) is checked before use; no pool_pre_ping needed.
SQLALCHEMY_ENGINE_OPTIONS = {
    'pool_size': 10,
    'max_overflow': 10,
    'connect_args': {'options': '-c jit=off -c work_mem=32MB'},
}
PREFERRED_URL_SCHEME = 'https'
