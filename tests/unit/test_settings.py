"""Settings: the loader, error messages naming the variable, and the files that document them."""

import re
from pathlib import Path

import pytest
import yaml

from inkverse.errors import ConfigurationError
from inkverse.settings import Environment, env_variable_names, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.server.port == 8000
    assert settings.server.env is Environment.DEVELOPMENT
    assert settings.database.url is None
    assert settings.queues.queue_names == ["INKVERSE_HIGH_PRIORITY", "INKVERSE_IMAGES"]


def test_variables_are_read_per_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/inkverse")
    monkeypatch.setenv("REDIS_URL", "unix:///tmp/r.sock?db=0")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://aws:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://sqs:9324")
    monkeypatch.setenv("TADDY_API_KEY", "secret-key")
    monkeypatch.setenv("SLACK_WEBHOOKS", '{"general": "http://hooks/general"}')
    monkeypatch.setenv("INKVERSE_PORT", "9001")
    settings = load_settings(env_file=None)
    assert settings.database.url == "postgresql://u:p@db:5432/inkverse"
    assert settings.redis.url == "unix:///tmp/r.sock?db=0"
    assert settings.aws.endpoint_for("sqs") == "http://sqs:9324"
    assert settings.aws.endpoint_for("s3") == "http://aws:4566"
    assert settings.taddy.api_key is not None
    assert settings.taddy.api_key.get_secret_value() == "secret-key"
    assert "secret-key" not in repr(settings)
    assert settings.slack.webhooks == {"general": "http://hooks/general"}
    assert settings.server.port == 9001


def test_env_file_is_read_and_empty_values_mean_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("INKVERSE_PORT=8111\nDATABASE_URL=\n")
    settings = load_settings(env_file=env_file)
    assert settings.server.port == 8111
    assert settings.database.url is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("INKVERSE_PORT", "eighty"),
        ("DATABASE_URL", "mysql://x"),
        ("DATABASE_READ_URL", "postgresql://replica/db, mysql://x"),
        ("REDIS_URL", "http://x"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_invalid_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=rf"^{variable}: "):
        load_settings(env_file=None)


def test_several_read_replicas_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "DATABASE_READ_URL", "postgresql://u:p@replica-1/inkverse, postgresql://u:p@replica-2/inkverse"
    )
    database = load_settings(env_file=None).database
    assert database.read_urls == (
        "postgresql://u:p@replica-1/inkverse",
        "postgresql://u:p@replica-2/inkverse",
    )
    monkeypatch.setenv("DATABASE_READ_URL", "")
    assert load_settings(env_file=None).database.read_urls == ()


def test_env_example_documents_every_variable() -> None:
    documented = re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert sorted(documented) == sorted(env_variable_names())


def test_docker_compose_uses_only_real_variables() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"postgres", "redis", "localstack", "api", "worker"} <= set(compose["services"])
    known = set(env_variable_names())
    for name in ("api", "worker", "migrate"):
        environment = compose["services"][name]["environment"]
        assert set(environment) <= known, set(environment) - known
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert environment["AWS_ENDPOINT_URL"].startswith("http://localstack")
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    # The init service provisions what `inkverse dev` does: queues, buckets and the e-mail sender.
    assert "inkverse provision" in " ".join(compose["services"]["migrate"]["command"])
    for name in ("api", "worker"):
        assert compose["services"][name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_docker_compose_scaled_profile() -> None:
    """`--profile scaled`: a streaming replica, two API replicas behind nginx and two workers, all
    reading through DATABASE_READ_URL; the default services are left as they are."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    scaled = {name for name, service in services.items() if "scaled" in service.get("profiles", [])}
    assert scaled == {"postgres-replica", "api-scaled", "worker-scaled", "proxy"}
    assert set(services) - scaled == {"postgres", "redis", "localstack", "migrate", "api", "worker"}
    known = set(env_variable_names())
    for name in ("api-scaled", "worker-scaled"):
        service = services[name]
        assert service["deploy"]["replicas"] == 2
        assert set(service["environment"]) <= known, set(service["environment"]) - known
        assert "@postgres-replica:5432/" in service["environment"]["DATABASE_READ_URL"]
        assert service["environment"]["DATABASE_URL"] == services["api"]["environment"]["DATABASE_URL"]
    assert "DATABASE_READ_URL" not in services["api"]["environment"]
    assert services["proxy"]["image"].startswith("nginx:")
    assert "server api-scaled:8000" in (ROOT / "deploy" / "nginx.conf").read_text()
    replica = services["postgres-replica"]
    assert replica["image"] == services["postgres"]["image"]
    assert "pg_basebackup" in (ROOT / "deploy" / "postgres" / "replica.sh").read_text()
    assert "host    replication  all   all" in (ROOT / "deploy" / "postgres" / "pg_hba.conf").read_text()
