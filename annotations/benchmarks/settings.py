"""Settings for the API benchmark's gunicorn: the site plus a bare comparison view."""

from newsdesk.settings import *  # noqa: F401,F403

ROOT_URLCONF = "annotations.benchmarks.urls"
SECURE_SSL_REDIRECT = False
DEBUG = False
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
