#!/bin/sh
# Bring the database up to date, fill an empty guide once, then hand over to the server.
set -e
if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
  python manage.py migrate --noinput
  python manage.py load_guide
fi
exec "$@"
