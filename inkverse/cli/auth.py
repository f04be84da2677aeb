"""`inkverse auth`: the session tokens' key pair."""

from typing import Annotated

import typer

from inkverse.users.tokens import KEYGEN_BITS, escape_pem, generate_key_pair

app = typer.Typer(help="Session tokens.", no_args_is_help=True)


@app.command()
def keygen(
    bits: Annotated[int, typer.Option(min=2048, help="RSA key size.")] = KEYGEN_BITS,
) -> None:
    """Print a new RS256 key pair as PRIVATE_JWT and PUBLIC_JWT lines for .env (newlines as \\n)."""
    keys = generate_key_pair(bits)
    typer.echo(f"PRIVATE_JWT='{escape_pem(keys.private_pem)}'")
    typer.echo(f"PUBLIC_JWT='{escape_pem(keys.public_pem)}'")
