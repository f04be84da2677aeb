"""The development key pair of the session tokens, kept in the data folder so that sign-ins survive a
restart of `inkverse dev` and every process on the host (`inkverse serve --workers N`, the worker's
unsubscribe links) signs and verifies with the same keys (`<data_dir>/jwt/private.pem`, `public.pem`)."""

import shutil
import tempfile
from pathlib import Path

from pydantic import SecretStr

from inkverse.errors import ConfigurationError
from inkverse.settings import Settings
from inkverse.users.tokens import DEVELOPMENT_KEY_BITS, KeyPair, generate_key_pair

PRIVATE, PUBLIC = "private.pem", "public.pem"


def dev_key_pair(data_dir: Path) -> KeyPair:
    folder = data_dir / "jwt"
    if not _has_pair(folder):
        _create_pair(folder)
    if not _has_pair(folder):
        raise ConfigurationError(f"{folder}: holds half a key pair; remove the folder to make a new one")
    return KeyPair((folder / PRIVATE).read_text(), (folder / PUBLIC).read_text())


def _has_pair(folder: Path) -> bool:
    return (folder / PRIVATE).is_file() and (folder / PUBLIC).is_file()


def _create_pair(folder: Path) -> None:
    """Written aside, then renamed into place: of processes starting together, the first one's pair
    is the one every process reads."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".jwt-", dir=folder.parent))  # mode 0o700
    keys = generate_key_pair(DEVELOPMENT_KEY_BITS)
    (staging / PRIVATE).touch(mode=0o600)
    (staging / PRIVATE).write_text(keys.private_pem)
    (staging / PUBLIC).write_text(keys.public_pem)
    try:
        staging.rename(folder)
    except OSError:  # another process's pair is in place
        shutil.rmtree(staging, ignore_errors=True)


def with_jwt_keys(settings: Settings) -> Settings:
    """The configured pair, or else the data folder's (made on first use)."""
    if settings.jwt.private_jwt and settings.jwt.public_jwt:
        return settings
    keys = dev_key_pair(settings.server.data_dir)
    jwt = settings.jwt.model_copy(
        update={"private_jwt": SecretStr(keys.private_pem), "public_jwt": keys.public_pem}
    )
    return settings.model_copy(update={"jwt": jwt})
