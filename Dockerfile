# syntax=docker/dockerfile:1
# Parcours's web app (collect and dashboard) and worker: one image, two commands (compose.yaml).
# The database is external: TimescaleDB's Community image in compose.yaml, or any server with
# the extension. Settings come from the environment (DATABASE_URL, PARCOURS_*; README).

# Build: a virtualenv with Parcours and its dependencies, wheels compiled here if need be.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/parcours
WORKDIR /src
COPY pyproject.toml README.md ./
COPY parcours ./parcours
COPY app ./app
COPY worker ./worker
COPY cli ./cli
COPY sql ./sql
COPY tracker ./tracker
RUN /opt/parcours/bin/pip install --no-compile .

# Run: the virtualenv alone, as an unprivileged user; the spool and GeoIP database on a volume
# that the web and worker containers share.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/parcours/bin:$PATH \
    PARCOURS_VAR_DIR=/var/lib/parcours PARCOURS_SERVE_METRICS_ADDRESS=0.0.0.0:9464 \
    PARCOURS_WORKER_METRICS_ADDRESS=0.0.0.0:9465
RUN useradd --system --uid 10001 --home-dir /var/lib/parcours --create-home parcours
COPY --from=build /opt/parcours /opt/parcours
USER 10001
WORKDIR /var/lib/parcours
VOLUME ["/var/lib/parcours"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["parcours", "serve", "--host", "0.0.0.0", "--port", "8000"]
