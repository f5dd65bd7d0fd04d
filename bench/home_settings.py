"""Settings for the home-page benchmark only: the product's settings plus one URL.

`bench/ping` is the trivial baseline view. It is added here, not in portal/urls.py, so the
product never serves it; MIDDLEWARE is untouched, so it passes the same middleware as `/`.
"""

import os

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.home_urls"
# collectstatic goes to the benchmark's scratch folder, not the work tree.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
