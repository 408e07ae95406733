# Development overlay (EDMS_CONFIG=config/development.py). No secrets here: EDMS_SECRET_KEY comes from the environment.
# Without EDMS_SQLALCHEMY_DATABASE_URI the embedded SQLite file instance/edms.sqlite3 is used; without EDMS_REDIS_URL
# jobs run synchronously in the web process. `make run` uses this file.
TEMPLATES_AUTO_RELOAD = True
SESSION_COOKIE_SECURE = False
PAGE_SIZE = 50
# Without EDMS_SMS_GATEWAY_URL, one-time confirmation codes go to the user's in-app notifications (never in production:
# it proves nothing about the phone).
SMS_DEVELOPMENT_DELIVERY = True
