import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What a process loads once (Django, the models, the admin, the URL patterns) is moved out of
# the garbage collector's reach: otherwise each full collection walks it all again, and every
# ~15th officials' list paid ~100 ms for it (bench/scale_bench.py at a million).
get_resolver().url_patterns  # noqa: B018 - loads the URL patterns now
gc.freeze()
