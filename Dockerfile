FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends fonts-nanum && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/app
COPY pyproject.toml README.md ./
COPY config ./config
COPY core ./core
COPY passports ./passports
COPY lca ./lca
COPY exporters ./exporters
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY manage.py ./
RUN pip install --no-cache-dir ".[postgres]"
RUN useradd --create-home dpp && mkdir -p /srv/media && chown dpp /srv/media
USER dpp
EXPOSE 8000
