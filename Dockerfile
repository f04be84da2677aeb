FROM python:3.12-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.9
# Dependencies first (from the lock, without the project) so code changes reuse this layer.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY alembic.ini ./
COPY alembic ./alembic
COPY inkverse ./inkverse
RUN uv sync --frozen --no-dev
ENV PATH=/app/.venv/bin:$PATH \
    INKVERSE_ENV=production INKVERSE_HOST=0.0.0.0 INKVERSE_PORT=8000 LOG_FORMAT=json
EXPOSE 8000
CMD ["inkverse", "serve"]
