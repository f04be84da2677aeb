"""Full URLs of creator links (graphql.md §5.3): what the original's `getBaseLinkForSchema` builds."""

_HOST_PREFIXES = {
    "INSTAGRAM": "instagram.com/",
    "YOUTUBE": "youtube.com/",
    "TIKTOK": "tiktok.com/@",
    "PATREON": "patreon.com/",
    "KO_FI": "ko-fi.com/",
    "TWITTER": "twitter.com/",
    "FACEBOOK": "facebook.com/",
    "TWITCH": "twitch.tv/",
    "SNAPCHAT": "snapchat.com/add/",
    "REDDIT": "reddit.com/r/",
    "DISCORD": "discord.gg/",
    "TELEGRAM": "t.me/",
    "PINTEREST": "pinterest.com/",
    "TUMBLR": "tumblr.com/",
    "SPOTIFY": "open.spotify.com/",
    "SOUNDCLOUD": "soundcloud.com/",
    "BANDCAMP": "bandcamp.com/",
    "VIMEO": "vimeo.com/",
    "WECHAT": "wechat.com/",
    "WHATSAPP": "chat.whatsapp.com/",
    "LINKTREE": "linktr.ee/",
    "ETSY": "etsy.com/shop/",
    "BLUESKY": "bsky.app/profile/",
}


def link_url(link_type: str | None, value: str | None, base_url: str | None) -> str | None:
    """Without a `base_url` the value is the URL; otherwise Mastodon joins the base, e-mail is the address,
    websites and stores get `https://`, and the rest `https://` plus the network's host prefix."""
    if value is None:
        return None
    if not base_url:
        return value
    if link_type == "MASTODON":
        return f"{base_url}{value}"
    if link_type == "EMAIL":
        return value
    return f"https://{_HOST_PREFIXES.get(link_type or '', '')}{value}"
