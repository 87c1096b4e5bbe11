FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --create-home --uid 1000 newsdesk
# The locked, hash-checked versions first (a layer that changes only with the lock), then the
# project itself without dependencies: every one of them came from the lock.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml ./
COPY newsdesk ./newsdesk
COPY annotations ./annotations
# A compiler for the suggester's C parts (annotations/suggest/_crf.c, _segment.c, _stances.c), gone again
# once they are built. Installed in place (-e), as make does: the app runs from /app, whose `annotations` the
# interpreter imports before any installed copy, so the built module must be there.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --no-cache-dir --no-deps -e . \
    && apt-get purge -y --auto-remove gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY . .
# collectstatic needs settings but no database; the URL below is never connected to.
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=collectstatic-only \
    python manage.py collectstatic --noinput
USER newsdesk
EXPOSE 8000
CMD ["gunicorn", "newsdesk.wsgi:application", "-c", "python:newsdesk.gunicorn_conf"]
