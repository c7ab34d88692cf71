# The governance service: Debian's Python 3.11, the hash-pinned runtime dependencies
# (requirements-prod.lock) and the wheel built from this checkout, in /opt/venv.
# Configure it with environment variables (see .env.example and docs/deployment.md).
#
#   docker build -t governance .
#   docker run --rm governance governance check
#
# The base can be replaced by a local image (scripts/check-deploy imports one made by
# debootstrap when debian:bookworm-slim cannot be pulled): --build-arg BASE=...
ARG BASE=debian:bookworm-slim

# ---- base: Python and the certificates, shared by both stages --------------------------
FROM ${BASE} AS base
ENV DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && apt-get clean && rm -rf /var/lib/apt/lists/*

# ---- builder: the wheel (templates, static files, migrations, compiled catalogues) -----
FROM base AS builder
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md ./
# The build backend and its hook's needs (pyproject.toml's build-system.requires), in a layer
# of their own: a change of the code alone does not fetch them again.
RUN python3 -m venv /opt/build \
    && python3 -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires'], sep='\n')" > /tmp/build-requires.txt \
    && /opt/build/bin/pip install -r /tmp/build-requires.txt
COPY governance ./governance
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /dist . \
    && ls /dist/governance-*.whl

# ---- runtime --------------------------------------------------------------------------
FROM base AS runtime
# DejaVu for the invoice and statement PDFs; pg_dump/pg_restore for `governance backup`
# and `governance restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core postgresql-client \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --home-dir /var/lib/governance --create-home \
        --shell /usr/sbin/nologin governance

ENV PATH=/opt/venv/bin:$PATH \
    GOVERNANCE_ENV=production \
    GOVERNANCE_VAR_DIR=/var/lib/governance
WORKDIR /var/lib/governance
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import sys, urllib.request as u; sys.exit(0 if u.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
# The server runs as the container's main process (no shell): SIGTERM reaches it directly.
# The schema is migrated by the compose file's one-shot `migrate` service, never here.
CMD ["governance", "serve", "--host", "0.0.0.0", "--port", "8000"]

# The dependencies first, from the lock alone: this layer stays cached while only the
# application's code changes.
COPY requirements-prod.lock /tmp/requirements-prod.lock
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes -r /tmp/requirements-prod.lock \
    && rm /tmp/requirements-prod.lock

# The code last, in as few steps as possible (the settings above stay cached with it).
# /opt/venv belongs to root and is read-only for the service's user; the only writable place
# is its home (GOVERNANCE_VAR_DIR; nothing is kept there with PostgreSQL).
COPY --from=builder /dist/ /tmp/dist/
RUN /opt/venv/bin/pip install --no-deps /tmp/dist/governance-*.whl \
    && rm -rf /tmp/dist \
    && governance --help >/dev/null
USER 10001:10001
