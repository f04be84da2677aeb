#!/bin/sh
# Entry point of docker-compose.yml's `postgres-replica` (scaled profile): on the first start, copy the
# primary with `pg_basebackup -R` (which also writes the standby settings: standby.signal and
# primary_conninfo), then run PostgreSQL as a hot standby streaming from it.
set -eu
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  echo "postgres-replica: copying $PRIMARY_HOST with pg_basebackup -R"
  until gosu postgres pg_basebackup -h "$PRIMARY_HOST" -p "${PRIMARY_PORT:-5432}" -U "$PRIMARY_USER" \
      -D "$PGDATA" -R -X stream -c fast; do
    echo "postgres-replica: the primary is not ready, retrying in 2 s"
    find "$PGDATA" -mindepth 1 -delete
    sleep 2
  done
fi
exec gosu postgres postgres -c hot_standby=on
