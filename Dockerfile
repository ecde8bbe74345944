# The gridgis API. The database is a separate service (docker-compose.yml).

# The map pages' browser assets (Leaflet, markercluster), from the npm registry at pinned
# versions and digests; the app serves them itself (no CDN on an intranet).
FROM node:20-bookworm AS assets
WORKDIR /src
COPY scripts/vendor-assets.sh scripts/vendor-assets.sh
RUN mkdir -p maps/static/vendor && bash scripts/vendor-assets.sh

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Member cards are PDFs with an embedded Chinese font.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY gis gis
COPY layers layers
COPY api api
COPY maps maps
COPY --from=assets /src/maps/static/vendor maps/static/vendor
COPY data data
RUN pip install --no-compile . \
    && useradd --system --uid 10001 gridgis
USER gridgis

ENV GRIDGIS_HOST=0.0.0.0 GRIDGIS_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/conformance')"
# serve applies pending migrations first, so a new release upgrades the schema on start.
CMD ["gridgis", "serve"]
