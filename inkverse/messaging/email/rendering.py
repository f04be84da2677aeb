"""Render an e-mail's HTML and plain-text parts from its Jinja2 templates (shipped in `templates/`)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import jinja2

from inkverse.errors import TemplateRenderError
from inkverse.messaging.email.messages import Email

_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)


def make_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("inkverse.messaging.email", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class EmailRenderer:
    """Turns an `Email` into its subject, HTML and text; links point at `website_url`."""

    def __init__(self, website_url: str, environment: jinja2.Environment | None = None) -> None:
        self._website_url = website_url
        self._environment = environment or make_environment()

    def render(self, email: Email) -> RenderedEmail:
        variables = email.variables(self._website_url)
        rendered = self.render_template(email.template, email.subject, variables)
        return replace(rendered, headers=email.headers(self._website_url))

    def render_template(self, template: str, subject: str, variables: Mapping[str, object]) -> RenderedEmail:
        """Render `template` with exactly `variables`; a variable it lacks raises `TemplateRenderError`."""
        context = {**variables, "subject": subject}
        return RenderedEmail(
            subject=subject,
            html=self._render_file(template, f"{template}.html", context),
            text=self._render_file(template, f"{template}.txt", context),
        )

    def _render_file(self, template: str, file: str, context: Mapping[str, object]) -> str:
        try:
            return self._environment.get_template(file).render(context)
        except jinja2.UndefinedError as exc:
            message = exc.message or str(exc)
            raise TemplateRenderError(template, _undefined_name(message), message) from exc
        except jinja2.TemplateNotFound as exc:
            raise TemplateRenderError(template, None, f"no template file {exc.name}") from exc


def _undefined_name(message: str) -> str | None:
    match = _UNDEFINED_NAME.search(message)
    return next((group for group in match.groups() if group), None) if match else None
