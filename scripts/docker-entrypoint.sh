#!/bin/sh
# Refuse to serve half-configured, bring the database up to date, fill an empty guide once,
# then hand over to the server.
set -e

# Django's deployment checks: any error stops the container here, with the variable to set.
if ! report=$(python manage.py check --deploy --fail-level ERROR 2>&1); then
  printf '%s\n' "$report" >&2
  echo "" >&2
  echo "Secure Base will not start: the configuration is incomplete." >&2
  case "$report" in
    *mail.E001*)
      echo "  Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD): password" >&2
      echo "  resets and staff mail need a real SMTP server in production." >&2
      ;;
  esac
  case "$report" in
    *SECRET_KEY*) echo "  Set SECRET_KEY to a long random string." >&2 ;;
  esac
  case "$report" in
    *ALLOWED_HOSTS*) echo "  Set ALLOWED_HOSTS to the site's host names." >&2 ;;
  esac
  case "$report" in
    *POSTGRES_PASSWORD*|*DATABASE_URL*) echo "  Set POSTGRES_PASSWORD (or DATABASE_URL)." >&2 ;;
  esac
  case "$report" in
    *REDIS_PASSWORD*|*REDIS_URL*) echo "  Set REDIS_PASSWORD (or REDIS_URL)." >&2 ;;
  esac
  echo "  See README.md, Configuration." >&2
  exit 78  # EX_CONFIG
fi

if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
  python manage.py migrate --noinput
  python manage.py load_guide
fi
exec "$@"
