# One image for the web server and the job workers (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.django.production \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media

WORKDIR /app

# torch 2.13.0 CPU wheel (the product needs no GPU; CUDA is used when present).
COPY requirements.txt constraints.txt ./
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu \
    -r requirements.txt -c constraints.txt

COPY . .
RUN useradd --create-home --uid 1000 labeler \
    && mkdir -p /app/var/media \
    && SECRET_KEY=build-only-collectstatic-key-0123456789abcdefghijklmnopqrstuvwxyz \
       python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R labeler:labeler /app/var \
    && chmod +x /app/entrypoint.sh

USER labeler
EXPOSE 8000 9090
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["web"]
