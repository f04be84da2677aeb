"""Which answers depend on who asks, for the response cache (`ResponseCache`).

A request carrying a bearer token is served from, and stored in, the shared cache only when every root
field it selects is in `PUBLIC_ROOT_FIELDS` and it selects none of `SELF_ONLY_FIELDS`. A new public
root field is cached for signed-in readers once it is added here; a new protected one never is.
"""

PUBLIC_ROOT_FIELDS = frozenset(
    {
        "getComicSeries", "getComicIssue", "getIssuesForComicSeries", "getComicStory", "getCreator",
        "getCreatorLinksForSeries", "getCreatorContent", "getDocumentation", "getRecentlyAddedComicSeries",
        "getRecentlyUpdatedComicSeries", "getMostPopularComicSeries", "getFeaturedComicSeries",
        "getCuratedLists", "getTrendingComicSeries", "getList", "search", "getUserByUsername",
        "getUserById", "getUserSubscribedComics", "getStatsForComicIssue", "getStatsForComicSeries",
        "getComments", "getRepliesForComment", "__typename",
    }
)  # fmt: skip

# `User` fields shown only to the user themself (graphql.md §2.4), as `Type.field`.
SELF_ONLY_FIELDS = frozenset(
    f"User.{name}"
    for name in ("createdAt", "updatedAt", "email", "isEmailVerified", "ageRange", "birthYear", "blueskyDid")
)
