"""Templates: variables, defaults, escaping, the digest sentence, a missing variable named at render."""

import pytest
from pydantic import ValidationError as ModelValidationError

from inkverse.errors import TemplateRenderError
from inkverse.messaging.email import (
    CommentLikedEmail,
    CommentReplyEmail,
    CreatorDigestEmail,
    EmailRenderer,
    EmailTemplate,
    NewEpisodeEmail,
)
from inkverse.messaging.email.samples import SAMPLE_EMAILS
from inkverse.messaging.links import safe_name

renderer = EmailRenderer("https://inkverse.co")


def test_a_missing_variable_fails_naming_template_and_variable() -> None:
    with pytest.raises(TemplateRenderError) as caught:
        renderer.render_template("login_link", "Inkverse Login Link", {"website_url": "https://inkverse.co"})

    assert caught.value.template == "login_link"
    assert caught.value.variable == "login_url"
    assert "login_link" in str(caught.value)
    assert "login_url" in str(caught.value)


def test_an_unknown_template_is_a_render_error() -> None:
    with pytest.raises(TemplateRenderError, match="no_such_template"):
        renderer.render_template("no_such_template", "Subject", {})


@pytest.mark.parametrize("template", list(EmailTemplate))
def test_every_sample_renders_both_parts(template: EmailTemplate) -> None:
    rendered = renderer.render(SAMPLE_EMAILS[template])

    assert f"<title>{rendered.subject}</title>" in rendered.html.replace("&amp;", "&")
    assert rendered.text.strip()


def test_links_follow_the_website_url() -> None:
    rendered = EmailRenderer("http://inkverse.test:3000/").render(SAMPLE_EMAILS[EmailTemplate.LOGIN_LINK])

    assert "http://inkverse.test:3000/reset?token=" in rendered.text


def test_user_text_is_escaped_in_html_only() -> None:
    email = CommentReplyEmail(actor_name="<b>Eve</b>", series_name="Tom & Jerry", issue_name=None)

    rendered = renderer.render(email)

    assert "&lt;b&gt;Eve&lt;/b&gt; replied to your comment" in rendered.html
    assert "<b>Eve</b>" not in rendered.html
    assert "<b>Eve</b> replied to your comment on Tom & Jerry." in rendered.text


def test_comment_emails_fall_back_to_the_originals_defaults() -> None:
    nameless = CommentLikedEmail()
    by_username = CommentLikedEmail(actor_username="inky", series_name="")

    assert renderer.render(nameless).text.startswith("Someone liked your comment")
    assert "your comment on a comic." in renderer.render(nameless).text
    assert renderer.render(by_username).text.startswith("inky liked your comment")


def test_new_episode_subject_defaults_the_series_name() -> None:
    email = NewEpisodeEmail(series_name=None, series_short_url="s", issue_name="One", issue_uuid="u-1")

    assert email.subject == "New episode of a comic is now available"
    assert "https://inkverse.co/comics/s/one-u-1" in renderer.render(email).text
    assert "<img" not in renderer.render(email).html


@pytest.mark.parametrize(
    ("likes", "comments", "sentence"),
    [
        (1, 0, "1 person has liked an episode on Inkverse."),
        (0, 3, "3 people have left a comment or reply on your comic on Inkverse."),
        (
            2,
            1,
            "2 people have liked an episode, and 1 person has left a comment or reply on your comic"
            " on Inkverse.",
        ),
    ],
)
def test_digest_sentence(likes: int, comments: int, sentence: str) -> None:
    rendered = renderer.render(
        CreatorDigestEmail(username="ada", episode_likes=likes, episode_comments=comments)
    )

    assert sentence in rendered.text
    assert f"<strong>{likes or comments}</strong>" in rendered.html
    assert "Hi ada!" in rendered.text
    assert "https://ink0.inkverse.co/general/creator-digest.png" in rendered.html


def test_digest_greets_there_without_a_name() -> None:
    assert "Hi there!" in renderer.render(CreatorDigestEmail(episode_likes=1)).text


def test_an_empty_digest_is_refused() -> None:
    with pytest.raises(ModelValidationError):
        CreatorDigestEmail(episode_likes=0, episode_comments=0)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("  Episode 12: Low Water ", "episode-12-low-water"),
        ("A -- B", "a-b"),
        ("Ünïcode & Co.", "ncode-co"),
        ("x" * 100, "x" * 80),
    ],
)
def test_safe_name(name: str, slug: str) -> None:
    assert safe_name(name) == slug
