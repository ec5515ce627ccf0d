#!/bin/sh
# A PostgreSQL server of our own, on 127.0.0.1:${RAPPORT_PG_PORT:-54329}, data in
# ${RAPPORT_PG_DATA:-/tmp/rapport-pg-PORT} (outside the checkout, so the postgres user can reach it
# wherever the checkout lives). The tests find it through RAPPORT_TEST_PG (see tests/session/conftest.py), default
# postgresql+psycopg://rapport@127.0.0.1:54329/rapport_test
# Usage: scripts/postgres.sh start|stop
cmd=${1:-start}
PORT=${RAPPORT_PG_PORT:-54329}
DATA=${RAPPORT_PG_DATA:-/tmp/rapport-pg-$PORT}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PGBIN" ] || { echo "postgres: not installed, skipping"; exit 0; }
RUN=""
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "postgres: no postgres user"; exit 0; }
    RUN="runuser -u postgres --"
fi
case "$cmd" in
start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA" && { [ -z "$RUN" ] || chown postgres "$DATA"; }
        $RUN "$PGBIN/initdb" -D "$DATA" -U rapport --auth=trust >/dev/null || { echo "postgres: initdb failed"; exit 0; }
    fi
    if ! $RUN "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        $RUN "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
            -o "-h 127.0.0.1 -p $PORT -k /tmp" start >/dev/null || { echo "postgres: start failed"; exit 0; }
    fi
    "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U rapport -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='rapport_test'" | grep -q 1 \
        || "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U rapport rapport_test
    echo "postgres: ready on 127.0.0.1:$PORT"
    ;;
stop) $RUN "$PGBIN/pg_ctl" -D "$DATA" stop -m fast >/dev/null 2>&1; true ;;
esac
