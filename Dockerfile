# syntax=docker/dockerfile:1
# Secure Base: a slim, non-root image serving the site with gunicorn + whitenoise.

FROM python:3.13-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY requirements/lock.txt requirements/lock.txt
# The locked dependencies only (no dev group), every file checked against its hash: the same
# bytes as CI and `make install`. This layer is cached until the lock changes. The project
# itself installs no package (pyproject's `packages = []`): the code is copied below.
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r requirements/lock.txt

FROM python:3.13-slim AS app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The code (and the static files collected below) belong to root: the app user can read them,
# never change them. Only var/ and the temp directory are writable (compose mounts both as
# tmpfs over a read-only root file system).
COPY . .
# Static files are collected, hashed and compressed once, at build time. The placeholder
# settings exist only for this step; the running container reads the real ones from env.
RUN SECRET_KEY=build-only-placeholder-not-used-at-runtime-0123456789abcdefghijkl \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/build.sqlite3 \
    && chmod -R u=rwX,go=rX /app /opt/venv \
    && mkdir -p /app/var \
    && chown app:app /app/var \
    && chmod 0700 /app/var
ENV TMPDIR=/tmp
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
ENTRYPOINT ["scripts/docker-entrypoint.sh"]
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi"]

# The nginx front (compose's `proxy`): static files straight from this image's collected
# files, signed-out pages micro-cached for a second (config/nginx/).
FROM nginx:1.27-alpine AS proxy
COPY --from=app /app/staticfiles /srv/static
COPY config/nginx/bypass-cookies.conf /etc/nginx/securebase/bypass-cookies.conf
COPY config/nginx/securebase.conf.template /etc/nginx/templates/default.conf.template
ENV UPSTREAM=web:8000 LISTEN=8080 STATIC_ROOT=/srv/static \
    CACHE_DIR=/var/cache/nginx/pages NGINX_CONF_DIR=/etc/nginx/securebase
EXPOSE 8080

# The app, the image `docker build .` makes.
FROM app AS runtime
