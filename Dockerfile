# One image for every Comptoir process (API + storefront, worker, admin console, migrations);
# docker-compose.yml picks the command. Code runs from /app (installed in editable mode, so
# alembic.ini and the templates are found next to the code).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COMPTOIR_ENVIRONMENT=production \
    COMPTOIR_VAR_DIR=/var/lib/comptoir

# WeasyPrint (invoices): Pango, HarfBuzz subsetting (6x faster rendering), a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY README.md alembic.ini ./
COPY comptoir ./comptoir
COPY api ./api
COPY workflows ./workflows
COPY activities ./activities
COPY storefront ./storefront
COPY admin_ui ./admin_ui
RUN pip install --no-deps -e . \
    && useradd --system --create-home --uid 10001 comptoir \
    && mkdir -p /var/lib/comptoir \
    && chown comptoir:comptoir /var/lib/comptoir

USER comptoir
EXPOSE 8000 8501
CMD ["uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--proxy-headers"]
