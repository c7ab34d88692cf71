# The service with its locked dependencies; configure it with environment variables.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    GOVERNANCE_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv && useradd --create-home --uid 10001 governance
WORKDIR /app
COPY pyproject.toml requirements-prod.lock README.md ./
RUN uv pip install --system --require-hashes -r requirements-prod.lock
COPY governance ./governance
COPY templates ./templates
COPY static ./static
COPY locales ./locales
COPY docs/samples ./docs/samples
RUN uv pip install --system --no-deps --editable . && chown -R governance /app
USER governance
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["sh", "-c", "governance migrate && governance serve --host 0.0.0.0 --port 8000"]
