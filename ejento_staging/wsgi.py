"""WSGI entry point: `gunicorn ejento_staging.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejento_staging.settings")

application = get_wsgi_application()
