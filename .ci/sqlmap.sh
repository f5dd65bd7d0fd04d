#!/usr/bin/env bash
# A bounded sqlmap run (Debian's package) against the public searches and the login form of a
# development server on the embedded defaults: SQLite in a temporary file, runserver on a free
# port, captcha answered "PASSED" and no lockout or rate limits (CAPTCHA_TEST_MODE and
# SCAN_WITHOUT_LIMITS, both refused by the settings unless DEBUG is on), so every request
# reaches the queries. Fails when sqlmap reports an injection; prints requests, parameters
# tested and injections found. SQLMAP_TIME_LIMIT (seconds, default 300) bounds the whole scan.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
LIMIT=${SQLMAP_TIME_LIMIT:-300}
command -v sqlmap >/dev/null || { echo "sqlmap is missing: make system-deps"; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DEBUG=true CAPTCHA_TEST_MODE=true SCAN_WITHOUT_LIMITS=true
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" MEDIA_ROOT="$WORK/media"
unset REDIS_URL

echo "migrating a fresh SQLite database in $WORK"
"$PY" manage.py migrate --noinput >/dev/null
# Something to find: an open 企业认定查询 with one recognised enterprise, and announcements.
"$PY" manage.py shell -c '
import datetime as dt
from django.utils import timezone
from announcements.models import Announcement, Level, Status
from announcements.services import site_settings
from enterprises.models import Enterprise, Recognition
from portal.regions.models import Region
site = site_settings(); site.recognition_query_open = True; site.save()
company = Enterprise.objects.create(name="广州天河科技有限公司", uscc="91440106MA0000001X",
                                    region=Region.objects.get(code="440106"))
Recognition.objects.create(enterprise=company, tier="specialized", batch="2025年第一批",
                           certificate_no="2025440000Z000001", valid_from=dt.date(2025, 6, 1),
                           valid_until=dt.date(2028, 5, 31))
for i in range(3):
    Announcement.objects.create(title=f"申报通知{i}", level=Level.MINISTRY, kind="notice",
                                status=Status.PUBLISHED, body="<p>正文</p>", body_text="正文",
                                publish_at=timezone.now() - dt.timedelta(hours=i + 1))
' >/dev/null

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$PY" manage.py runserver "127.0.0.1:$PORT" --noreload >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 60); do curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "$BASE/healthz" || { cat "$WORK/server.log"; echo "the server did not start"; exit 1; }

# One sqlmap run per target; the traffic file counts the requests. The server runs on SQLite,
# so payloads are SQLite's and the generic ones (others cannot succeed against it; Django's
# ORM builds the same parameterised statements on PostgreSQL).
COMMON=(--batch --level 1 --risk 1 --dbms SQLite --flush-session --disable-coloring
        --output-dir "$WORK/sqlmap" --timeout 30 --retries 2)
targets=(
  "announcements|-u $BASE/announcements/?q=申报&level=ministry&region=&date_from=2020-01-01&date_to=2099-12-31 -p q,level,region,date_from,date_to --threads 4"
  "recognition|-u $BASE/recognition/query/ --data name=广州天河科技有限公司&uscc=91440106MA0000001X&captcha_0=x&captcha_1=PASSED&csrfmiddlewaretoken=t --csrf-token csrfmiddlewaretoken --csrf-url $BASE/recognition/query/ -p name,uscc"
  "login|-u $BASE/accounts/login/ --data username=someone&password=secret&captcha_0=x&captcha_1=PASSED&csrfmiddlewaretoken=t --csrf-token csrfmiddlewaretoken --csrf-url $BASE/accounts/login/ -p username,password"
)
START=$SECONDS
requests=0; tested=0; injections=0
for target in "${targets[@]}"; do
  name=${target%%|*}; read -r -a args <<<"${target#*|}"
  left=$(( LIMIT - (SECONDS - START) ))
  if [ "$left" -le 10 ]; then echo "time limit reached before $name"; exit 1; fi
  set +e
  timeout "$left" sqlmap "${COMMON[@]}" "${args[@]}" -t "$WORK/$name.traffic" >"$WORK/$name.log" 2>&1
  status=$?
  set -e
  if [ "$status" = 124 ]; then echo "sqlmap on $name passed the time limit"; tail -20 "$WORK/$name.log"; exit 1; fi
  made=$(grep -c '^HTTP request \[#' "$WORK/$name.traffic" || true)
  params=$(grep -cE "parameter '[^']+' (does not seem to be injectable|is '.*' injectable|appears to be)" "$WORK/$name.log" || true)
  found=$(grep -cE "sqlmap identified the following injection point|parameter '[^']+' is vulnerable" "$WORK/$name.log" || true)
  if grep -E "CRITICAL\]" "$WORK/$name.log"; then echo "sqlmap could not test $name"; exit 1; fi
  printf '%-14s requests: %5d  parameters tested: %d  injections found: %d\n' "$name" "$made" "$params" "$found"
  requests=$((requests + made)); tested=$((tested + params)); injections=$((injections + found))
done
printf 'sqlmap total   requests: %5d  parameters tested: %d  injections found: %d  (%ds)\n' \
  "$requests" "$tested" "$injections" "$((SECONDS - START))"
if [ "$tested" -eq 0 ]; then echo "sqlmap tested no parameter"; exit 1; fi
[ "$injections" -eq 0 ]
