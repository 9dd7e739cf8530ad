# The Parcours web app and worker (one image, two commands). The database is external:
# point DATABASE_URL at a PostgreSQL with TimescaleDB and set PARCOURS_SECRET_KEY.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PARCOURS_VAR_DIR=/var/lib/parcours
RUN useradd --system --home-dir /var/lib/parcours --create-home parcours
WORKDIR /opt/parcours
COPY pyproject.toml README.md ./
COPY parcours ./parcours
COPY app ./app
COPY worker ./worker
COPY sql ./sql
COPY tracker ./tracker
RUN pip install --no-cache-dir .
USER parcours
VOLUME ["/var/lib/parcours"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/login')"
CMD ["parcours", "serve", "--host", "0.0.0.0", "--port", "8000"]
