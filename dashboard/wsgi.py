import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

application = get_wsgi_application()

# The web server runs no system checks of its own: refuse to serve with timings that
# would make the workers run a task twice (dashboard/checks.py).
from dashboard.checks import refuse_to_start  # noqa: E402

refuse_to_start()
