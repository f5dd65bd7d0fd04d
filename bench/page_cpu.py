"""CPU per request of pages, in-process: the WSGI handler called directly (no HTTP, no wrk).

Steadier than `home_bench.py` on a shared machine (CPU time, not wall time). It needs the
database `home_bench.py --seed` made and the environment the benchmark gives gunicorn:

    export DJANGO_SETTINGS_MODULE=bench.home_settings DEBUG=false SECRET_KEY=… \\
        ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false BENCH_STATIC_ROOT=/tmp/static \\
        FIELD_ENCRYPTION_KEYS=… FIELD_HASH_KEY=… DATABASE_URL=sqlite:////tmp/b.sqlite3 \\
        BENCH_STATE=/tmp/state.json
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py collectstatic --noinput
    .venv/bin/python bench/home_bench.py --seed
    .venv/bin/python bench/page_cpu.py /bench/ping @/bench/ping /accounts/login/ @/enterprise/

A page starting with "@" is requested with the seeded enterprise's session cookie; "{notice}"
is replaced by an announcement's id. Each page: 5 warm-up requests, then the mean CPU time of
BENCH_REQUESTS (100).
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    state = json.loads(Path(os.environ["BENCH_STATE"]).read_text())
    count = int(os.environ.get("BENCH_REQUESTS", "100"))

    def call(path: str, cookie: str) -> str:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
                   "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(),
                   "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr}
        if cookie:
            environ["HTTP_COOKIE"] = cookie
        seen: dict[str, str] = {}

        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            seen["status"] = status

        b"".join(app(environ, start_response))
        return seen["status"]

    for spec in sys.argv[1:]:
        cookie = state["cookie"] if spec.startswith("@") else ""
        path = spec.lstrip("@").format(notice=state["notice"])
        for _ in range(5):
            status = call(path, cookie)
        started = time.process_time()
        for _ in range(count):
            call(path, cookie)
        spent = (time.process_time() - started) / count * 1000
        print(f"{spec:32} {status:8} {spent:6.2f} ms CPU")


if __name__ == "__main__":
    main()
