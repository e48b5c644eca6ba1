#!/usr/bin/env bash
# `make run`: migrate, load content, Redis (unless REDIS_URL answers), one Celery worker and
# gunicorn on 127.0.0.1:${PORT:-8000}, in the foreground. Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PORT=${PORT:-8000}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
mkdir -p var/redis var/log

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping dlquiz..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap stop INT TERM EXIT

redis_answers() { $PY -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=1).ping()" 2>/dev/null; }

if redis_answers; then
  echo "using Redis at $REDIS_URL"
else
  redis_port=$($PY -c "import os; from urllib.parse import urlparse; print(urlparse(os.environ['REDIS_URL']).port or 6379)")
  echo "starting redis-server on 127.0.0.1:$redis_port (AOF on, noeviction)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$PWD/var/redis" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save "" \
    --logfile "$PWD/var/log/redis.log" &
  pids+=($!)
  for _ in $(seq 50); do redis_answers && break; sleep 0.1; done
  redis_answers || { echo "redis did not start; see var/log/redis.log" >&2; exit 1; }
fi

$PY manage.py migrate --noinput
$PY manage.py load_content
if [[ ${DJANGO_DEBUG:-1} =~ ^(0|false|no|off)$ ]]; then $PY manage.py collectstatic --noinput >/dev/null; fi
$PY manage.py ensure_demo_users

.venv/bin/celery -A dlquiz worker --loglevel INFO --hostname "worker@%h" &
pids+=($!)
.venv/bin/gunicorn -c python:dlquiz.gunicorn_conf dlquiz.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers 4 --threads 2 --access-logfile - --graceful-timeout 5 &
pids+=($!)

echo
echo "dlquiz is running at http://127.0.0.1:$PORT/   (health: /healthz, API: /api/, admin: /admin/)"
echo "press Ctrl-C to stop"
wait -n "${pids[@]}" || true
echo "a process of dlquiz exited; stopping the rest" >&2
