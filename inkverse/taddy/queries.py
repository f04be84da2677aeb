"""The GraphQL documents sent to Taddy: the original server's operations (integrations.md §2.2),
plus `getMultipleComicSeries` for batch imports."""

_COMICSERIES_FIELDS = """
    uuid name description status hash issuesHash datePublished
    coverImageAsString bannerImageAsString thumbnailImageAsString
    tags genres language contentRating seriesType seriesLayout
    sssUrl sssOwnerName sssOwnerPublicEmail copyright isBlocked totalIssuesCount
    hostingProvider { uuid sssUrl }
    scopesForExclusiveContent
"""

_CREATOR_FIELDS = """
    uuid name bio hash contentHash avatarImageAsString tags country linksAsString
    sssUrl sssOwnerName sssOwnerPublicEmail copyright isBlocked
"""

SEARCH = """
query search($term: String, $page: Int, $limitPerPage: Int, $filterForTypes: [SearchContentType],
             $filterForTags: [String], $filterForGenres: [Genre]) {
  search(term: $term, page: $page, limitPerPage: $limitPerPage, filterForTypes: $filterForTypes,
         filterForTags: $filterForTags, filterForGenres: $filterForGenres) {
    searchId
    comicSeries { uuid }
  }
}
"""

GET_COMICSERIES = f"""
query GetComicSeries($uuid: ID) {{
  getComicSeries(uuid: $uuid) {{ {_COMICSERIES_FIELDS} }}
}}
"""

GET_MULTIPLE_COMICSERIES = f"""
query GetMultipleComicSeries($uuids: [ID]) {{
  getMultipleComicSeries(uuids: $uuids) {{ {_COMICSERIES_FIELDS} }}
}}
"""

GET_COMICSERIES_WITH_CREATOR = f"""
query GetComicSeriesWithCreator($uuid: ID) {{
  getComicSeries(uuid: $uuid) {{
    uuid
    creators {{ {_CREATOR_FIELDS} }}
  }}
}}
"""

GET_COMICSERIES_WITH_ISSUES = """
query GetComicSeriesWithIssues($uuid: ID, $page: Int, $limitPerPage: Int) {
  getComicSeries(uuid: $uuid) {
    uuid
    name
    issues(page: $page, limitPerPage: $limitPerPage) { uuid }
  }
}
"""

GET_COMICISSUE = """
query GetComicIssue($uuid: ID) {
  getComicIssue(uuid: $uuid) {
    uuid seriesUuid name creatorNote pushNotificationMessage hash storiesHash datePublished
    bannerImageAsString thumbnailImageAsString
    stories { uuid hash storyImageAsString }
    position scopesForExclusiveContent dateExclusiveContentIsAvailable isRemoved isBlocked
  }
}
"""

GET_CREATOR = f"""
query GetCreator($uuid: ID) {{
  getCreator(uuid: $uuid) {{ {_CREATOR_FIELDS} totalContentCount }}
}}
"""

# The original declared no $limitPerPage here, so Taddy's default page size (10) silently applied
# while its page count assumed 25; declaring it fixes skipped content.
GET_CREATOR_WITH_CONTENT = """
query GetCreatorWithContent($uuid: ID, $page: Int, $limitPerPage: Int) {
  getCreator(uuid: $uuid) {
    uuid
    name
    content(page: $page, limitPerPage: $limitPerPage) { uuid }
  }
}
"""

GET_CREATORCONTENT = """
query GetCreatorContent($uuid: ID) {
  getCreatorContent(uuid: $uuid) {
    uuid hash creatorUuid contentUuid contentType roles position contentPosition
  }
}
"""
