"""`dev.env`: the URLs and credentials of the stack `inkverse dev` runs, written into the data folder.

Every other `inkverse` command reads it (through `load_settings`) for what the environment and `.env` do
not set, so the CLI beside a running `inkverse dev` needs no configuration. A comment line records which
of the values belong to servers `inkverse dev` started itself: when one of those values comes back
through the environment or `.env` (say, copied from the banner), the next `inkverse dev` starts that
server again instead of treating the value as an external service.
"""

from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from inkverse.settings import Settings, dev_env_file
from inkverse.users.tokens import escape_pem

EMBEDDED_MARKER = "# embedded:"
HEADER = """\
# Written by `inkverse dev`: the services of its stack. Every `inkverse` command run with this data
# folder (INKVERSE_DATA_DIR) uses these values for what the environment and .env do not set.
"""


@dataclass(frozen=True)
class DevEnvironment:
    values: dict[str, str] = field(default_factory=dict)
    embedded: frozenset[str] = frozenset()

    @classmethod
    def read(cls, data_dir: Path) -> "DevEnvironment":
        path = dev_env_file(data_dir)
        if not path.is_file():
            return cls()
        embedded = next(
            (line.removeprefix(EMBEDDED_MARKER).split() for line in path.read_text().splitlines()
             if line.startswith(EMBEDDED_MARKER)),
            [],
        )  # fmt: skip
        values = {name: value for name, value in dotenv_values(path).items() if value is not None}
        return cls(values, frozenset(embedded))

    def write(self, data_dir: Path) -> Path:
        """Replace the file atomically, readable by its owner only (it holds credentials)."""
        path = dev_env_file(data_dir)
        lines = [HEADER.rstrip("\n"), f"{EMBEDDED_MARKER} {' '.join(sorted(self.embedded))}"]
        lines += [f"{name}='{value}'" for name, value in self.values.items()]
        draft = path.with_suffix(".tmp")
        draft.write_text("\n".join(lines) + "\n")
        draft.chmod(0o600)
        draft.replace(path)
        return path

    def started_by_dev(self, name: str, value: str | None) -> bool:
        """Whether `value` of variable `name` is the address of a server the last `inkverse dev` started."""
        return value is not None and name in self.embedded and self.values.get(name) == value


def stack_variables(settings: Settings) -> dict[str, str]:
    """Every service URL and credential of the stack, by environment variable."""
    aws = settings.aws
    secret = aws.secret_access_key.get_secret_value() if aws.secret_access_key else None
    webhook_secret = settings.taddy.webhook_secret
    private_jwt = settings.jwt.private_jwt
    candidates = {
        "DATABASE_URL": settings.database.url,
        "REDIS_URL": settings.redis.url,
        "AWS_REGION": aws.region,
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ENDPOINT_URL_SQS": aws.endpoint_url_sqs,
        "AWS_ENDPOINT_URL_SES": aws.endpoint_url_ses,
        "AWS_ENDPOINT_URL_S3": aws.endpoint_url_s3,
        "AWS_ACCESS_KEY_ID": aws.access_key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "TADDY_WEBHOOK_SECRET": webhook_secret.get_secret_value() if webhook_secret else None,
        # PEM in one line, newlines as \n (read back by the settings).
        "PRIVATE_JWT": escape_pem(private_jwt.get_secret_value()) if private_jwt else None,
        "PUBLIC_JWT": escape_pem(settings.jwt.public_jwt) if settings.jwt.public_jwt else None,
    }
    return {name: value for name, value in candidates.items() if value}
