#!/bin/sh
# Restore a backup made by scripts/backup.sh into an EMPTY PostgreSQL database. Usage:
#   createdb -h host -U user pcmd_restored
#   scripts/restore.sh backups/pcmd-20250101-020000.dump postgres://user:pass@host:5432/pcmd_restored
# Refuses a database that already has tables (it never overwrites data). Runs as one
# transaction: on any error nothing is left half-restored. PGBIN as for backup.sh.
set -eu

dump="${1:?Thiếu tệp sao lưu / missing backup file}"
target="${2:?Thiếu DATABASE_URL đích / missing target database URL}"
bin="${PGBIN:+$PGBIN/}"
[ -r "$dump" ] || { echo "Không đọc được $dump / cannot read $dump" >&2; exit 2; }

tables=$("${bin}psql" --no-psqlrc --tuples-only --no-align --dbname="$target" \
  --command="select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "Cơ sở dữ liệu đích đã có $tables bảng: chỉ khôi phục vào cơ sở dữ liệu trống." >&2
  echo "The target database already has $tables tables: restore only into an empty one." >&2
  exit 3
fi

"${bin}pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$target" "$dump"
echo "restored $dump"
