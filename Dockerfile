# Encore's production image: web (python wsgi.py), worker and beat (celery) all run from it.
# Only requirements/prod.txt is installed: no embedded servers, no test tools.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements/base.txt requirements/prod.txt /tmp/requirements/
RUN /opt/venv/bin/pip install --no-compile -r /tmp/requirements/prod.txt \
    && /opt/venv/bin/python -m compileall -q /opt/venv/lib

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENCORE_ENV=production \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=5000 \
    INSTANCE_PATH=/var/lib/encore
# A system user with no login shell owns the instance folder; the code stays root's, read-only.
RUN groupadd --system --gid 10001 encore \
    && useradd --system --uid 10001 --gid encore --home-dir /var/lib/encore \
       --shell /usr/sbin/nologin encore \
    && mkdir -p /var/lib/encore/certs \
    && chown -R encore:encore /var/lib/encore
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/encore
COPY app/ app/
COPY tasks/ tasks/
COPY wsgi.py celery_worker.py ./
# The translation catalogs (.po) compiled to the .mo files gettext reads.
RUN python -m app.i18n.compile \
    && python -m compileall -q app tasks wsgi.py celery_worker.py
USER 10001:10001
EXPOSE 5000
# 200 only when MongoDB, Redis and a worker all answer (see docs/operations.rst).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4)"]
CMD ["python", "wsgi.py"]
