"""`inkverse email preview` writes every template's HTML and text with sample data."""

from pathlib import Path

import pytest

from inkverse.cli.main import main
from inkverse.messaging.email import EmailTemplate
from inkverse.messaging.email.samples import SAMPLE_EMAILS


def run_cli(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 0


@pytest.mark.parametrize("template", list(EmailTemplate))
def test_preview_writes_html_and_text(
    template: EmailTemplate,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INKVERSE_WEBSITE_URL", "http://inkverse.test:3000")

    run_cli(["email", "preview", template.value, "--out", "previews"])

    html = (tmp_path / "previews" / f"{template}.html").read_text()
    text = (tmp_path / "previews" / f"{template}.txt").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert text.strip()
    assert "http://inkverse.test:3000/" in html + text
    assert f"Subject: {SAMPLE_EMAILS[template].subject}" in capsys.readouterr().out


def test_preview_defaults_to_a_folder_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    run_cli(["email", "preview", "login_link"])

    assert (tmp_path / "email-preview" / "login_link.html").is_file()
