"""The development key pair of the session tokens, kept in the data folder so that sign-ins survive a
restart of `inkverse dev` (`<data_dir>/jwt/private.pem`, `public.pem`)."""

from pathlib import Path

from pydantic import SecretStr

from inkverse.settings import Settings
from inkverse.users.tokens import DEVELOPMENT_KEY_BITS, KeyPair, generate_key_pair


def dev_key_pair(data_dir: Path) -> KeyPair:
    folder = data_dir / "jwt"
    private, public = folder / "private.pem", folder / "public.pem"
    if not (private.is_file() and public.is_file()):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        keys = generate_key_pair(DEVELOPMENT_KEY_BITS)
        private.touch(mode=0o600)
        private.write_text(keys.private_pem)
        public.write_text(keys.public_pem)
    return KeyPair(private.read_text(), public.read_text())


def with_jwt_keys(settings: Settings) -> Settings:
    """The configured pair, or else the data folder's (made on first use)."""
    if settings.jwt.private_jwt and settings.jwt.public_jwt:
        return settings
    keys = dev_key_pair(settings.server.data_dir)
    jwt = settings.jwt.model_copy(
        update={"private_jwt": SecretStr(keys.private_pem), "public_jwt": keys.public_pem}
    )
    return settings.model_copy(update={"jwt": jwt})
