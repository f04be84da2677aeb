"""`inkverse email …`: the e-mail templates."""

from pathlib import Path
from typing import Annotated

import typer

from inkverse.messaging.email import EmailRenderer, EmailTemplate
from inkverse.messaging.email.samples import SAMPLE_EMAILS
from inkverse.settings import load_settings

app = typer.Typer(help="E-mail templates.", no_args_is_help=True)


@app.command()
def preview(
    template: Annotated[EmailTemplate, typer.Argument(help="The template to render.")],
    out: Annotated[Path, typer.Option(help="Folder for <template>.html and <template>.txt.")] = Path(
        "email-preview"
    ),
) -> None:
    """Render TEMPLATE with sample data and write its HTML and plain-text parts."""
    rendered = EmailRenderer(load_settings().server.website_url).render(SAMPLE_EMAILS[template])
    out.mkdir(parents=True, exist_ok=True)
    for suffix, content in (("html", rendered.html), ("txt", rendered.text)):
        path = out / f"{template}.{suffix}"
        path.write_text(content, encoding="utf-8")
        typer.echo(path)
    typer.echo(f"Subject: {rendered.subject}")
