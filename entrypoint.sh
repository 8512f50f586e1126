#!/usr/bin/env bash
# Container entry point.  web: wait for the database, migrate, create the admin, move outputs
# of the older naming and remove files of nothing (storage_sweep), serve on
# 8000 and 9090 (Label Studio's default backend port).  worker: run background jobs.
set -euo pipefail
cd "$(dirname "$0")"

wait_for_database() {
  python - <<'PY'
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.production")
django.setup()
from django.db import connection
from django.db.utils import OperationalError
deadline = time.monotonic() + float(os.environ.get("DB_WAIT_S", "60"))
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as error:
        if time.monotonic() > deadline:
            sys.exit(f"database not reachable: {error}")
        time.sleep(1)
PY
}

case "${1:-web}" in
  web)
    wait_for_database
    python manage.py migrate --noinput
    python manage.py ensure_admin
    python manage.py storage_sweep || echo "storage sweep failed; serving anyway" >&2
    if [ "${LOAD_DEMO:-0}" = "1" ]; then python manage.py load_demo; fi
    exec python -m daphne -b 0.0.0.0 -e tcp:port=9090:interface=0.0.0.0 -p 8000 \
      config.asgi:application
    ;;
  worker)
    wait_for_database
    exec python manage.py jobs_worker --no-reload --worker-id "${HOSTNAME:-worker}-$$"
    ;;
  migrate)
    wait_for_database
    exec python manage.py migrate --noinput
    ;;
  *)
    exec "$@"
    ;;
esac
