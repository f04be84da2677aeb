"""What the commands share: their settings, and the one-line refusal of a service that is not set."""

from inkverse.errors import ConfigurationError
from inkverse.logging import configure_logging
from inkverse.settings import Settings, dev_env_file, load_settings


def cli_settings(*, dev_env: bool = True) -> Settings:
    """The settings (with the `dev.env` of a running `inkverse dev` unless `dev_env` is false), logging
    configured."""
    settings = load_settings(dev_env=dev_env)
    configure_logging(settings.log)
    return settings


def service_settings() -> Settings:
    """The settings of the API and the worker: outside production, without `PRIVATE_JWT`/`PUBLIC_JWT`,
    the data folder's key pair (as `inkverse dev` keeps it) rather than one per process, so that a token
    or unsubscribe link made by one process is accepted by the others."""
    from inkverse.dev.keys import with_jwt_keys  # noqa: PLC0415 - only the API and the worker sign

    settings = cli_settings()
    return settings if settings.server.is_production else with_jwt_keys(settings)


def not_set(variable: str, settings: Settings) -> ConfigurationError:
    where = dev_env_file(settings.server.data_dir)
    return ConfigurationError(f"{variable}: not set, and no `inkverse dev` stack in {where} to use")


def database_url(settings: Settings) -> str:
    if settings.database.url is None:
        raise not_set("DATABASE_URL", settings)
    return settings.database.url


def require_database_and_redis(settings: Settings) -> None:
    """The API and the worker cannot do anything useful without PostgreSQL and Redis."""
    database_url(settings)
    if settings.redis.url is None:
        raise not_set("REDIS_URL", settings)
