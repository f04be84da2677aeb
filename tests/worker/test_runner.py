"""The worker's process setup."""

import pytest

from inkverse.settings import DatabaseSettings, Settings, WorkerSettings, load_settings
from inkverse.worker.runner import sized_for_worker


def test_the_pool_holds_a_connection_per_slot_unless_its_size_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://inkverse@/inkverse")
    monkeypatch.setenv("WORKER_CONCURRENCY", "20")
    assert (
        sized_for_worker(load_settings(env_file=None, dev_env=False)).database.pool_size == 24
    )  # 20 + 2 + 2
    monkeypatch.setenv("DATABASE_POOL_SIZE", "8")
    assert sized_for_worker(load_settings(env_file=None, dev_env=False)).database.pool_size == 8


def test_a_larger_pool_is_kept() -> None:
    settings = Settings(database=DatabaseSettings(pool_size=50), worker=WorkerSettings(concurrency=4))
    assert sized_for_worker(settings).database.pool_size == 50
