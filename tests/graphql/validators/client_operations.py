"""The 50 operations the Inkverse clients send (graphql.md §4), as Apollo Client sends them.

Apollo Client adds `__typename` to every selection set below the root, and each document carries the
fragments its operation uses; the reference depths and costs (§4) were measured on those documents.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ClientOperation:
    name: str
    document: str
    depth: int
    cost: int


FRAGMENTS: dict[str, str] = {
    "comicIssueDetails": """
fragment comicIssueDetails on ComicIssue {
  ...miniComicIssueDetails
  bannerImageAsString
  creatorNote
  stories {
    uuid
    issueUuid
    seriesUuid
    storyImageAsString
    width
    height
    __typename
  }
  previousIssue {
    ...miniComicIssueDetails
    __typename
  }
  nextIssue {
    ...miniComicIssueDetails
    __typename
  }
  __typename
}
""",
    "comicSeriesDetails": """
fragment comicSeriesDetails on ComicSeries {
  uuid
  name
  description
  datePublished
  hash
  issuesHash
  shortUrl
  coverImageAsString
  bannerImageAsString
  thumbnailImageAsString
  tags
  genre0
  genre1
  genre2
  language
  status
  contentRating
  seriesType
  isCompleted
  issueCount
  hostingProviderUuid
  __typename
}
""",
    "commentDetails": """
fragment commentDetails on Comment {
  uuid
  text
  createdAt
  user {
    ...miniUserDetails
    __typename
  }
  targetUuid
  targetType
  replyToUuid
  isCreator
  stats {
    uuid
    likeCount
    replyCount
    __typename
  }
  __typename
}
""",
    "creatorDetails": """
fragment creatorDetails on Creator {
  uuid
  name
  shortUrl
  bio
  avatarImageAsString
  links {
    url
    type
    __typename
  }
  __typename
}
""",
    "listDetails": """
fragment listDetails on List {
  id
  name
  description
  bannerImageUrl
  type
  privacyType
  userId
  comicSeries {
    ...miniComicSeriesDetails
    description
    __typename
  }
  __typename
}
""",
    "miniComicIssueDetails": """
fragment miniComicIssueDetails on ComicIssue {
  uuid
  seriesUuid
  name
  position
  thumbnailImageAsString
  datePublished
  scopesForExclusiveContent
  dateExclusiveContentAvailable
  __typename
}
""",
    "miniComicSeriesDetails": """
fragment miniComicSeriesDetails on ComicSeries {
  uuid
  name
  shortUrl
  coverImageAsString
  bannerImageAsString
  thumbnailImageAsString
  genre0
  genre1
  genre2
  __typename
}
""",
    "miniCreatorDetails": """
fragment miniCreatorDetails on Creator {
  uuid
  name
  shortUrl
  avatarImageAsString
  user {
    ...miniUserDetails
    __typename
  }
  __typename
}
""",
    "miniUserDetails": """
fragment miniUserDetails on User {
  id
  username
  __typename
}
""",
    "userComicSeriesDetails": """
fragment userComicSeriesDetails on UserComicSeries {
  seriesUuid
  isSubscribed
  isRecommended
  hasNotificationEnabled
  likedComicIssueUuids
  __typename
}
""",
    "userCommentDetails": """
fragment userCommentDetails on UserComment {
  targetUuid
  targetType
  likedCommentUuids
  __typename
}
""",
    "userDetails": """
fragment userDetails on User {
  id
  username
  email
  isEmailVerified
  ageRange
  birthYear
  blueskyDid
  creator {
    uuid
    __typename
  }
  __typename
}
""",
}


def _operation(
    name: str, *, depth: int, cost: int, source: str, fragments: tuple[str, ...] = ()
) -> ClientOperation:
    document = "\n".join([source, *(FRAGMENTS[fragment] for fragment in fragments)])
    return ClientOperation(name, document, depth, cost)


CLIENT_OPERATIONS: tuple[ClientOperation, ...] = (
    _operation(
        "CannySso",
        depth=1,
        cost=22,
        source="""
query CannySso($redirectPath: String) {
  cannySso(redirectPath: $redirectPath) {
    userId
    ssoToken
    redirectUrl
    __typename
  }
}
""",
    ),
    _operation(
        "GetBlueskyProfile",
        depth=1,
        cost=24,
        source="""
query GetBlueskyProfile($handle: String!) {
  getBlueskyProfile(handle: $handle) {
    did
    handle
    displayName
    avatar
    description
    __typename
  }
}
""",
    ),
    _operation(
        "GetClaimCreatorPage",
        depth=2,
        cost=624,
        source="""
query GetClaimCreatorPage($creatorUuid: ID!) {
  getCreator(uuid: $creatorUuid) {
    ...creatorDetails
    comics {
      ...miniComicSeriesDetails
      hostingProviderUuid
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "creatorDetails",
            "miniComicSeriesDetails",
        ),
    ),
    _operation(
        "GetComicIssueDynamic",
        depth=3,
        cost=874,
        source="""
query GetComicIssueDynamic($issueUuid: ID!) {
  getStatsForComicIssue(issueUuid: $issueUuid) {
    uuid
    likeCount
    commentCount
    __typename
  }
  getComments(
    targetUuid: $issueUuid
    targetType: COMICISSUE
    page: 1
    limitPerPage: 25
    sortBy: TOP
  ) {
    targetUuid
    targetType
    sortBy
    page
    limitPerPage
    comments {
      ...commentDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "commentDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetComicSeriesDynamic",
        depth=1,
        cost=22,
        source="""
query GetComicSeriesDynamic($seriesUuid: ID!) {
  getStatsForComicSeries(seriesUuid: $seriesUuid) {
    uuid
    likeCount
    commentCount
    __typename
  }
}
""",
    ),
    _operation(
        "GetComicIssue",
        depth=3,
        cost=1259,
        source="""
query GetComicIssue($issueUuid: ID!, $seriesUuid: ID!) {
  getComicIssue(uuid: $issueUuid, seriesUuid: $seriesUuid) {
    ...comicIssueDetails
    __typename
  }
  getComicSeries(uuid: $seriesUuid) {
    ...comicSeriesDetails
    creators {
      ...miniCreatorDetails
      __typename
    }
    __typename
  }
  getCreatorLinksForSeries(seriesUuid: $seriesUuid) {
    creatorUuid
    type
    url
    __typename
  }
}
""",
        fragments=(
            "comicIssueDetails",
            "comicSeriesDetails",
            "miniCreatorDetails",
            "miniComicIssueDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetComicsFromBlueskyCreators",
        depth=1,
        cost=336,
        source="""
query GetComicsFromBlueskyCreators {
  getComicsFromBlueskyCreators {
    ...miniComicSeriesDetails
    __typename
  }
}
""",
        fragments=("miniComicSeriesDetails",),
    ),
    _operation(
        "GetComicsFromPatreonCreators",
        depth=1,
        cost=336,
        source="""
query GetComicsFromPatreonCreators {
  getComicsFromPatreonCreators {
    ...miniComicSeriesDetails
    __typename
  }
}
""",
        fragments=("miniComicSeriesDetails",),
    ),
    _operation(
        "GetComicSeries",
        depth=3,
        cost=1055,
        source="""
query GetComicSeries(
  $uuid: ID!
  $sortOrderForIssues: SortOrder
  $limitPerPageForIssues: Int
  $pageForIssues: Int
) {
  getComicSeries(uuid: $uuid) {
    ...comicSeriesDetails
    creators {
      ...miniCreatorDetails
      __typename
    }
    __typename
  }
  getIssuesForComicSeries(
    seriesUuid: $uuid
    sortOrder: $sortOrderForIssues
    limitPerPage: $limitPerPageForIssues
    page: $pageForIssues
  ) {
    seriesUuid
    issues {
      ...miniComicIssueDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "comicSeriesDetails",
            "miniComicIssueDetails",
            "miniCreatorDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetComments",
        depth=3,
        cost=852,
        source="""
query GetComments(
  $targetUuid: ID!
  $targetType: InkverseType!
  $page: Int
  $limitPerPage: Int
  $sortBy: CommentSortType
) {
  getComments(
    targetUuid: $targetUuid
    targetType: $targetType
    page: $page
    limitPerPage: $limitPerPage
    sortBy: $sortBy
  ) {
    targetUuid
    targetType
    sortBy
    page
    limitPerPage
    comments {
      ...commentDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "commentDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetCreator",
        depth=2,
        cost=612,
        source="""
query GetCreator($uuid: ID!) {
  getCreator(uuid: $uuid) {
    ...creatorDetails
    comics {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "creatorDetails",
            "miniComicSeriesDetails",
        ),
    ),
    _operation(
        "GetCreatorClaimStatus",
        depth=0,
        cost=1,
        source="""
query GetCreatorClaimStatus($creatorUuid: ID!) {
  getCreatorClaimStatus(creatorUuid: $creatorUuid)
}
""",
    ),
    _operation(
        "GetDocumentation",
        depth=1,
        cost=21,
        source="""
query GetDocumentation($id: ID!) {
  getDocumentation(id: $id) {
    id
    text
    __typename
  }
}
""",
    ),
    _operation(
        "GetList",
        depth=2,
        cost=374,
        source="""
query GetList($id: ID!) {
  getList(id: $id) {
    ...listDetails
    __typename
  }
}
""",
        fragments=(
            "listDetails",
            "miniComicSeriesDetails",
        ),
    ),
    _operation(
        "GetMeDetails",
        depth=2,
        cost=46,
        source="""
query GetMeDetails {
  me {
    ...userDetails
    __typename
  }
}
""",
        fragments=("userDetails",),
    ),
    _operation(
        "GetMiniComicSeries",
        depth=1,
        cost=28,
        source="""
query GetMiniComicSeries($uuid: ID, $shortUrl: String) {
  getComicSeries(uuid: $uuid, shortUrl: $shortUrl) {
    ...miniComicSeriesDetails
    __typename
  }
}
""",
        fragments=("miniComicSeriesDetails",),
    ),
    _operation(
        "GetMiniCreator",
        depth=2,
        cost=44,
        source="""
query GetMiniCreator($uuid: ID, $shortUrl: String) {
  getCreator(uuid: $uuid, shortUrl: $shortUrl) {
    ...miniCreatorDetails
    __typename
  }
}
""",
        fragments=(
            "miniCreatorDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetNotificationFeed",
        depth=5,
        cost=4072,
        source="""
query GetNotificationFeed($buckets: [NotificationTimeBucket!]!, $limit: Int, $offset: Int) {
  getNotificationsForUser(buckets: $buckets, limit: $limit, offset: $offset) {
    userId
    sections {
      bucket
      items {
        ... on Notification {
          id
          createdAt
          eventType
          actor {
            ...miniUserDetails
            __typename
          }
          targetItem {
            uuid
            type
            comicIssue {
              uuid
              name
              seriesUuid
              bannerImageAsString
              __typename
            }
            comment {
              uuid
              text
              __typename
            }
            comicSeries {
              uuid
              name
              shortUrl
              coverImageAsString
              __typename
            }
            __typename
          }
          parentItem {
            uuid
            type
            comicIssue {
              uuid
              seriesUuid
              __typename
            }
            comicSeries {
              uuid
              name
              shortUrl
              __typename
            }
            __typename
          }
          __typename
        }
        ... on AggregatedNotification {
          id
          eventType
          latestCreatedAt
          count
          targetItem {
            uuid
            type
            comicIssue {
              uuid
              name
              seriesUuid
              bannerImageAsString
              __typename
            }
            comment {
              uuid
              text
              __typename
            }
            comicSeries {
              uuid
              name
              shortUrl
              coverImageAsString
              __typename
            }
            __typename
          }
          parentItem {
            uuid
            type
            comicIssue {
              uuid
              seriesUuid
              __typename
            }
            comicSeries {
              uuid
              name
              shortUrl
              __typename
            }
            __typename
          }
          __typename
        }
        __typename
      }
      __typename
    }
    __typename
  }
}
""",
        fragments=("miniUserDetails",),
    ),
    _operation(
        "GetNotificationSettings",
        depth=2,
        cost=296,
        source="""
query GetNotificationSettings {
  getNotificationSettings {
    userId
    settings {
      id
      eventType
      channel
      isEnabled
      __typename
    }
    __typename
  }
}
""",
    ),
    _operation(
        "GetProfileByUserId",
        depth=3,
        cost=989,
        source="""
query GetProfileByUserId($id: ID!) {
  getUserById(id: $id) {
    ...miniUserDetails
    creator {
      ...creatorDetails
      comics {
        ...miniComicSeriesDetails
        __typename
      }
      __typename
    }
    __typename
  }
  getUserSubscribedComics(userId: $id, limitPerPage: 1000, page: 1) {
    userId
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "creatorDetails",
            "miniComicSeriesDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetRepliesForComment",
        depth=3,
        cost=852,
        source="""
query GetRepliesForComment(
  $targetUuid: ID!
  $targetType: InkverseType!
  $commentUuid: ID!
  $page: Int
  $limitPerPage: Int
) {
  getRepliesForComment(
    targetUuid: $targetUuid
    targetType: $targetType
    commentUuid: $commentUuid
    page: $page
    limitPerPage: $limitPerPage
  ) {
    targetUuid
    targetType
    sortBy
    page
    limitPerPage
    comments {
      ...commentDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=(
            "commentDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "GetTrendingComicSeries",
        depth=2,
        cost=356,
        source="""
query GetTrendingComicSeries(
  $metric: TrendingMetric
  $period: TrendingPeriod
  $limitPerPage: Int
  $page: Int
) {
  getTrendingComicSeries(
    metric: $metric
    period: $period
    limitPerPage: $limitPerPage
    page: $page
  ) {
    id
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=("miniComicSeriesDetails",),
    ),
    _operation(
        "GetUserByUsername",
        depth=1,
        cost=21,
        source="""
query GetUserByUsername($username: String!) {
  getUserByUsername(username: $username) {
    ...miniUserDetails
    __typename
  }
}
""",
        fragments=("miniUserDetails",),
    ),
    _operation(
        "GetUserComicSeries",
        depth=1,
        cost=35,
        source="""
query GetUserComicSeries($seriesUuid: ID!) {
  getUserComicSeries(seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "GetUserComments",
        depth=1,
        cost=33,
        source="""
query GetUserComments($targetUuid: ID!, $targetType: InkverseType!) {
  getUserComments(targetUuid: $targetUuid, targetType: $targetType) {
    ...userCommentDetails
    __typename
  }
}
""",
        fragments=("userCommentDetails",),
    ),
    _operation(
        "HomeScreen",
        depth=2,
        cost=1388,
        source="""
query HomeScreen {
  getFeaturedComicSeries {
    id
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
  getCuratedLists {
    id
    lists {
      id
      name
      description
      bannerImageUrl
      type
      privacyType
      __typename
    }
    __typename
  }
  getRecentlyAddedComicSeries {
    id
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
  getRecentlyUpdatedComicSeries {
    id
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=("miniComicSeriesDetails",),
    ),
    _operation(
        "Search",
        depth=2,
        cost=356,
        source="""
query Search(
  $term: String
  $page: Int
  $limitPerPage: Int
  $filterForTypes: [String]
  $filterForTags: [String]
  $filterForGenres: [Genre]
) {
  search(
    term: $term
    page: $page
    limitPerPage: $limitPerPage
    filterForTypes: $filterForTypes
    filterForTags: $filterForTags
    filterForGenres: $filterForGenres
  ) {
    searchId
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
}
""",
        fragments=("miniComicSeriesDetails",),
    ),
    _operation(
        "AddComment",
        depth=2,
        cost=69,
        source="""
mutation AddComment($issueUuid: ID!, $seriesUuid: ID!, $text: String!, $replyToCommentUuid: ID) {
  addComment(
    issueUuid: $issueUuid
    seriesUuid: $seriesUuid
    text: $text
    replyToCommentUuid: $replyToCommentUuid
  ) {
    ...commentDetails
    __typename
  }
}
""",
        fragments=(
            "commentDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "AddOrUpdateNotificationSetting",
        depth=1,
        cost=23,
        source="""
mutation AddOrUpdateNotificationSetting(
  $eventType: NotificationEventType!
  $channel: NotificationChannel!
  $isEnabled: Boolean!
) {
  addOrUpdateNotificationSetting(
    eventType: $eventType
    channel: $channel
    isEnabled: $isEnabled
  ) {
    id
    eventType
    channel
    isEnabled
    __typename
  }
}
""",
    ),
    _operation(
        "DeleteComment",
        depth=0,
        cost=1,
        source="""
mutation DeleteComment($commentUuid: ID!, $targetUuid: ID!, $targetType: InkverseType!) {
  deleteComment(
    commentUuid: $commentUuid
    targetUuid: $targetUuid
    targetType: $targetType
  )
}
""",
    ),
    _operation(
        "DisableNotificationsForSeries",
        depth=1,
        cost=35,
        source="""
mutation DisableNotificationsForSeries($seriesUuid: ID!) {
  disableNotificationsForSeries(seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "EditComment",
        depth=2,
        cost=69,
        source="""
mutation EditComment(
  $commentUuid: ID!
  $text: String!
  $targetUuid: ID!
  $targetType: InkverseType!
) {
  editComment(
    commentUuid: $commentUuid
    text: $text
    targetUuid: $targetUuid
    targetType: $targetType
  ) {
    ...commentDetails
    __typename
  }
}
""",
        fragments=(
            "commentDetails",
            "miniUserDetails",
        ),
    ),
    _operation(
        "EnableNotificationsForSeries",
        depth=1,
        cost=35,
        source="""
mutation EnableNotificationsForSeries($seriesUuid: ID!) {
  enableNotificationsForSeries(seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "FetchAllHostingProviderTokens",
        depth=0,
        cost=12,
        source="""
mutation FetchAllHostingProviderTokens {
  fetchAllHostingProviderTokens
}
""",
    ),
    _operation(
        "FetchRefreshTokenForHostingProvider",
        depth=0,
        cost=1,
        source="""
mutation FetchRefreshTokenForHostingProvider($hostingProviderUuid: String!) {
  fetchRefreshTokenForHostingProvider(hostingProviderUuid: $hostingProviderUuid)
}
""",
    ),
    _operation(
        "LikeComicIssue",
        depth=1,
        cost=35,
        source="""
mutation LikeComicIssue($issueUuid: ID!, $seriesUuid: ID!) {
  likeComicIssue(issueUuid: $issueUuid, seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "LikeComment",
        depth=1,
        cost=33,
        source="""
mutation LikeComment($commentUuid: ID!, $issueUuid: ID!) {
  likeComment(commentUuid: $commentUuid, issueUuid: $issueUuid) {
    ...userCommentDetails
    __typename
  }
}
""",
        fragments=("userCommentDetails",),
    ),
    _operation(
        "ReportComicSeries",
        depth=0,
        cost=1,
        source="""
mutation ReportComicSeries($uuid: ID!, $reportType: ReportType!) {
  reportComicSeries(uuid: $uuid, reportType: $reportType)
}
""",
    ),
    _operation(
        "ReportComment",
        depth=0,
        cost=1,
        source="""
mutation ReportComment($commentUuid: ID!, $reportType: ReportType!, $additionalInfo: String) {
  reportComment(
    commentUuid: $commentUuid
    reportType: $reportType
    additionalInfo: $additionalInfo
  )
}
""",
    ),
    _operation(
        "ResendVerificationEmail",
        depth=0,
        cost=1,
        source="""
mutation ResendVerificationEmail {
  resendVerificationEmail
}
""",
    ),
    _operation(
        "SaveBlueskyDid",
        depth=1,
        cost=21,
        source="""
mutation SaveBlueskyDid($did: String!) {
  saveBlueskyDid(did: $did) {
    id
    blueskyDid
    __typename
  }
}
""",
    ),
    _operation(
        "SavePushToken",
        depth=0,
        cost=1,
        source="""
mutation SavePushToken($fcmToken: String!, $platform: String!) {
  savePushToken(fcmToken: $fcmToken, platform: $platform)
}
""",
    ),
    _operation(
        "SubscribeToMultipleComicSeries",
        depth=0,
        cost=1,
        source="""
mutation SubscribeToMultipleComicSeries($seriesUuids: [ID!]!) {
  subscribeToMultipleComicSeries(seriesUuids: $seriesUuids)
}
""",
    ),
    _operation(
        "SubscribeToSeries",
        depth=1,
        cost=35,
        source="""
mutation SubscribeToSeries($seriesUuid: ID!) {
  subscribeToSeries(seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "SuperLikeAllEpisodes",
        depth=1,
        cost=35,
        source="""
mutation SuperLikeAllEpisodes($seriesUuid: ID!) {
  superLikeAllEpisodes(seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "UnlikeComicIssue",
        depth=1,
        cost=35,
        source="""
mutation UnlikeComicIssue($issueUuid: ID!, $seriesUuid: ID!) {
  unlikeComicIssue(issueUuid: $issueUuid, seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "UnlikeComment",
        depth=1,
        cost=33,
        source="""
mutation UnlikeComment($commentUuid: ID!, $issueUuid: ID!) {
  unlikeComment(commentUuid: $commentUuid, issueUuid: $issueUuid) {
    ...userCommentDetails
    __typename
  }
}
""",
        fragments=("userCommentDetails",),
    ),
    _operation(
        "UnsubscribeFromSeries",
        depth=1,
        cost=35,
        source="""
mutation UnsubscribeFromSeries($seriesUuid: ID!) {
  unsubscribeFromSeries(seriesUuid: $seriesUuid) {
    ...userComicSeriesDetails
    __typename
  }
}
""",
        fragments=("userComicSeriesDetails",),
    ),
    _operation(
        "UpdateUserEmail",
        depth=2,
        cost=46,
        source="""
mutation UpdateUserEmail($email: String!) {
  updateUserEmail(email: $email) {
    ...userDetails
    __typename
  }
}
""",
        fragments=("userDetails",),
    ),
    _operation(
        "UpdateUserProfile",
        depth=2,
        cost=46,
        source="""
mutation UpdateUserProfile($username: String, $ageRange: UserAgeRange, $birthYear: Int) {
  updateUserProfile(
    username: $username
    ageRange: $ageRange
    birthYear: $birthYear
  ) {
    ...userDetails
    __typename
  }
}
""",
        fragments=("userDetails",),
    ),
)
