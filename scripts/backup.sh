#!/bin/sh
# Back up the PostgreSQL database named by DATABASE_URL into one compressed file (pg_dump custom
# format), then check the file reads back. Usage:
#   DATABASE_URL=postgres://user:pass@host:5432/pcmd scripts/backup.sh [backup-file]
# Default file: backups/pcmd-YYYYmmdd-HHMMSS.dump. PGBIN may name the folder of pg_dump (for
# example /usr/lib/postgresql/15/bin); pg_dump must be the server's major version or newer.
set -eu

: "${DATABASE_URL:?Đặt DATABASE_URL (postgres://...) / set DATABASE_URL}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL không phải PostgreSQL / DATABASE_URL is not PostgreSQL" >&2; exit 2 ;;
esac
bin="${PGBIN:+$PGBIN/}"
out="${1:-backups/pcmd-$(date +%Y%m%d-%H%M%S).dump}"
mkdir -p "$(dirname "$out")"
umask 077  # the dump holds every record: readable by its owner only

"${bin}pg_dump" --format=custom --compress=6 --no-owner --no-privileges \
  --file="$out" --dbname="$DATABASE_URL"
# A dump that cannot be listed cannot be restored: fail now, not on the day it is needed.
"${bin}pg_restore" --list "$out" >/dev/null
echo "$out"
