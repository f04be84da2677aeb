FROM python:3.12-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY alembic ./alembic
COPY inkverse ./inkverse
RUN pip install --no-cache-dir -e .
ENV INKVERSE_ENV=production INKVERSE_HOST=0.0.0.0 INKVERSE_PORT=8000 LOG_FORMAT=json
EXPOSE 8000
CMD ["inkverse", "serve"]
