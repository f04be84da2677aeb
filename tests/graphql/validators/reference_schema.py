"""The reference GraphQL schema, transcribed from graphql.md §2 (descriptions left out).

Types, fields, arguments, enums, the `NotificationFeedItem` union and the `@cost`/`@costFactor`
directives are those of the original server; the validator tests build it with graphql-core's
`build_schema`, and it can serve later as a contract check of the Strawberry schema.
"""

from graphql import GraphQLSchema, build_schema

REFERENCE_SDL = """
directive @cost(value: Float!) on FIELD_DEFINITION

directive @costFactor(value: Float!) on FIELD_DEFINITION

enum SortOrder {
  LATEST OLDEST SEARCH
}

enum Country {
  AFGHANISTAN ALAND_ISLANDS ALBANIA ALGERIA AMERICAN_SAMOA ANDORRA ANGOLA ANGUILLA ANTARCTICA
  ANTIGUA_AND_BARBUDA ARGENTINA ARMENIA ARUBA AUSTRALIA AUSTRIA AZERBAIJAN BAHAMAS BAHRAIN BANGLADESH
  BARBADOS BELARUS BELGIUM BELIZE BENIN BERMUDA BHUTAN BOLIVIA_PLURINATIONAL_STATE_OF
  BONAIRE_SINT_EUSTATIUS_AND_SABA BOSNIA_AND_HERZEGOVINA BOTSWANA BOUVET_ISLAND BRAZIL
  BRITISH_INDIAN_OCEAN_TERRITORY_THE BRUNEI_DARUSSALAM BULGARIA BURKINA_FASO BURUNDI CABO_VERDE
  CAMBODIA CAMEROON CANADA CAYMAN_ISLANDS CENTRAL_AFRICAN_REPUBLIC CHAD CHILE CHINA CHRISTMAS_ISLAND
  COCOS_KEELING_ISLANDS COLOMBIA COMOROS CONGO CONGO_THE_DEMOCRATIC_REPUBLIC_OF COOK_ISLANDS
  COSTA_RICA COTE_D_IVOIRE CROATIA CUBA CURACAO CYPRUS CZECHIA DENMARK DJIBOUTI DOMINICA
  DOMINICAN_REPUBLIC ECUADOR EGYPT EL_SALVADOR EQUATORIAL_GUINEA ERITREA ESTONIA ESWATINI ETHIOPIA
  FALKLAND_ISLANDS_THE_MALVINAS FAROE_ISLANDS FIJI FINLAND FRANCE FRENCH_GUIANA FRENCH_POLYNESIA
  FRENCH_SOUTHERN_TERRITORIES GABON GAMBIA GEORGIA GERMANY GHANA GIBRALTAR GREECE GREENLAND GRENADA
  GUADELOUPE GUAM GUATEMALA GUERNSEY GUINEA GUINEA_BISSAU GUYANA HAITI
  HEARD_ISLAND_AND_MCDONALD_ISLANDS HOLY_SEE HONDURAS HONG_KONG HUNGARY ICELAND INDIA INDONESIA IRAN
  IRAQ IRELAND ISLE_OF_MAN ISRAEL ITALY JAMAICA JAPAN JERSEY JORDAN KAZAKHSTAN KENYA KIRIBATI
  KOREA_NORTH KOREA_SOUTH KUWAIT KYRGYZSTAN LAO_PEOPLES_DEMOCRATIC_REPUBLIC_THE LATVIA LEBANON LESOTHO
  LIBERIA LIBYA LIECHTENSTEIN LITHUANIA LUXEMBOURG MACAO MADAGASCAR MALAWI MALAYSIA MALDIVES MALI
  MALTA MARSHALL_ISLANDS MARTINIQUE MAURITANIA MAURITIUS MAYOTTE MEXICO MICRONESIA_FEDERATED_STATES
  MINOR_OUTLYING_ISLANDS_US MOLDOVA_THE_REPUBLIC MONACO MONGOLIA MONTENEGRO MONTSERRAT MOROCCO
  MOZAMBIQUE MYANMAR NAMIBIA NAURU NEPAL NETHERLANDS NEW_CALEDONIA NEW_ZEALAND NICARAGUA NIGER NIGERIA
  NIUE NORFOLK_ISLAND NORTH_MACEDONIA NORTHERN_MARIANA_ISLANDS NORWAY OMAN PAKISTAN PALAU
  PALESTINE_STATE PANAMA PAPUA_NEW_GUINEA PARAGUAY PERU PHILIPPINES PITCAIRN POLAND PORTUGAL
  PUERTO_RICO QATAR REUNION ROMANIA RUSSIA RWANDA SAINT_BARTHELEMY
  SAINT_HELENA_ASCENSION_AND_TRISTAN_DA_CUNHA SAINT_KITTS_AND_NEVIS SAINT_LUCIA
  SAINT_MARTIN_FRENCH_PART SAINT_PIERRE_AND_MIQUELON SAINT_VINCENT_AND_THE_GRENADINES SAMOA SAN_MARINO
  SAO_TOME_AND_PRINCIPE SAUDI_ARABIA SENEGAL SERBIA SEYCHELLES SIERRA_LEONE SINGAPORE
  SINT_MAARTEN_DUTCH_PART SLOVAKIA SLOVENIA SOLOMON_ISLANDS SOMALIA SOUTH_AFRICA
  SOUTH_GEORGIA_AND_THE_SOUTH_SANDWICH_ISLANDS SOUTH_SUDAN SPAIN SRI_LANKA SUDAN SURINAME
  SVALBARD_AND_JAN_MAYEN SWEDEN SWITZERLAND SYRIA TAIWAN TAJIKISTAN TANZANIA THAILAND TIMOR_LESTE TOGO
  TOKELAU TONGA TRINIDAD_AND_TOBAGO TUNISIA TURKEY TURKMENISTAN TURKS_AND_CAICOS_ISLANDS TUVALU UGANDA
  UKRAINE UNITED_ARAB_EMIRATES UNITED_KINGDOM UNITED_STATES_OF_AMERICA URUGUAY UZBEKISTAN VANUATU
  VENEZUELA VIETNAM VIRGIN_ISLANDS_BRITISH VIRGIN_ISLANDS_US WALLIS_AND_FUTUNA WESTERN_SAHARA YEMEN
  ZAMBIA ZIMBABWE
}

enum Language {
  ABKHAZIAN AFAR AFRIKAANS AKAN ALBANIAN AMHARIC ARABIC ARAGONESE ARMENIAN ASSAMESE AVARIC AVESTAN
  AYMARA AZERBAIJANI BAMBARA BASHKIR BASQUE BELARUSIAN BENGALI BIHARI_LANGUAGES BISLAMA BOSNIAN BRETON
  BULGARIAN BURMESE CENTRAL_KHMER CHAMORRO CHECHEN CHICHEWA_CHEWA_NYANJA CHINESE CHURCH_SLAVONIC
  CHUVASH CORNISH CORSICAN CREE CROATIAN CZECH DANISH DHIVEHI_MALDIVIAN DUTCH_FLEMISH DZONGKHA ENGLISH
  ESPERANTO ESTONIAN EWE FAROESE FARSI FIJIAN FINNISH FRENCH FULAH GAELIC GALICIAN GANDA GEORGIAN
  GERMAN GIKUYU GREEK GUARANI GUJARATI HAITIAN_CREOLE HAUSA HEBREW HERERO HINDI HIRI_MOTU HUNGARIAN
  ICELANDIC IDO IGBO INDONESIAN INTERLINGUA INTERLINGUE_OCCIDENTAL INUKTITUT INUPIAQ IRISH ITALIAN
  JAPANESE JAVANESE KALAALLISUT_GREENLANDIC KANNADA KANURI KASHMIRI KAZAKH KINYARWANDA KOMI KONGO
  KOREAN KURDISH KWANYAMA KYRGYZ LAO LATIN LATVIAN LETZEBURGESCH LIMBURGISH LINGALA LITHUANIAN
  LUBA_KATANGA MACEDONIAN MALAGASY MALAY MALAYALAM MALTESE MANX MAORI MARATHI MARSHALLESE MONGOLIAN
  NAURU NAVAJO NDONGA NEPALI NORTH_NDEBELE NORTHERN_SAMI NORWEGIAN NORWEGIAN_BOKMAL NORWEGIAN_NYNORSK
  NUOSU_SICHUAN_YI OCCITAN OJIBWA ORIYA OROMO OSSETIAN PALI PASHTO POLISH PORTUGUESE PUNJABI QUECHUA
  ROMANIAN_MOLDOVAN ROMANSH RUNDI RUSSIAN SAMOAN SANGO SANSKRIT SARDINIAN SERBIAN SHONA SINDHI SINHALA
  SLOVAK SLOVENIAN SOMALI SOTHO SOUTH_NDEBELE SPANISH SUNDANESE SWAHILI SWATI SWEDISH TAGALOG TAHITIAN
  TAJIK TAMIL TATAR TELUGU THAI TIBETAN TIGRINYA TONGA TSONGA TSWANA TURKISH TURKMEN TWI UKRAINIAN
  URDU UYGHUR UZBEK VALENCIAN_CATALAN VENDA VIETNAMESE VOLAPUK WALLOON WELSH WESTERN_FRISIAN WOLOF
  XHOSA YIDDISH YORUBA ZHUANG ZULU
}

enum Genre {
  COMICSERIES_ACTION COMICSERIES_COMEDY COMICSERIES_CRIME COMICSERIES_DRAMA COMICSERIES_DYSTOPIA
  COMICSERIES_EDUCATIONAL COMICSERIES_FANTASY COMICSERIES_HIGH_SCHOOL COMICSERIES_HISTORICAL
  COMICSERIES_HORROR COMICSERIES_HAREM COMICSERIES_ISEKAI COMICSERIES_MYSTERY COMICSERIES_ROMANCE
  COMICSERIES_SCI_FI COMICSERIES_SLICE_OF_LIFE COMICSERIES_SUPERHERO COMICSERIES_SUPERNATURAL
  COMICSERIES_BL COMICSERIES_GL COMICSERIES_LGBTQ COMICSERIES_THRILLER COMICSERIES_ZOMBIES
  COMICSERIES_POST_APOCALYPTIC COMICSERIES_SPORTS COMICSERIES_ANIMALS COMICSERIES_GAMING
}

enum ContentRating {
  COMICSERIES_BABY COMICSERIES_KIDS COMICSERIES_TEENS COMICSERIES_MATURE_TEENS COMICSERIES_ADULTS
  COMICSERIES_PORNOGRAPHY
}

enum ContentRole {
  COMICSERIES_ARTIST COMICSERIES_ARTIST_PENCILER COMICSERIES_ARTIST_INKER COMICSERIES_ARTIST_COLORIST
  COMICSERIES_ARTIST_LETTERER COMICSERIES_WRITER COMICSERIES_PRODUCER COMICSERIES_EDITOR
  COMICSERIES_TRANSLATOR
}

enum TaddyType {
  COMICSERIES COMICISSUE CREATOR CREATORCONTENT
}

enum InkverseType {
  COMMENT COMICSERIES COMICISSUE COMICSTORY CREATOR CREATORCONTENT LIST USER
}

enum SeriesStatus {
  ONGOING HIATUS COMPLETED CANCELLED ANNOUNCED UNDER_REVISION
}

enum ComicSeriesType {
  WEBTOON
}

enum ComicSeriesLayoutType {
  VERTICAL_SCROLL_TOP_TO_BOTTOM
}

enum LinkType {
  INSTAGRAM YOUTUBE TIKTOK PATREON EMAIL TWITTER MASTODON FACEBOOK WEBSITE MERCH_STORE TWITCH SNAPCHAT
  REDDIT DISCORD TELEGRAM PINTEREST TUMBLR SPOTIFY SOUNDCLOUD BANDCAMP VIMEO WECHAT WHATSAPP KO_FI
  ETSY LINKTREE BLUESKY
}

enum TrendingMetric {
  LIKED DISCUSSED
}

enum TrendingPeriod {
  WEEK MONTH YEAR
}

enum ListType {
  COMICSERIES COMICISSUES CREATORS
}

enum PrivacyType {
  PUBLIC PRIVATE
}

enum UserAgeRange {
  UNDER_18 AGE_18_24 AGE_25_34 AGE_35_PLUS
}

enum AuthProvider {
  GOOGLE APPLE EMAIL
}

enum CreatorClaimStatus {
  PENDING APPROVED REJECTED
}

enum NotificationType {
  NEW_EPISODE_RELEASED
}

enum CommentSortType {
  NEWEST TOP
}

enum ReportType {
  COMMENT_SPAM COMMENT_HARASSMENT COMMENT_SPOILER COMMENT_MEAN_OR_RUDE
  COMICSERIES_INTELLECTUAL_PROPERTY_VIOLATION COMICSERIES_GENERATIVE_AI_CONTENT
  COMICSERIES_CONTAINS_SEXUALLY_EXPLICIT_CONTENT COMICSERIES_DECEPTIVE_OR_FRAUDULENT_CONTENT
  COMICSERIES_CONTAINS_HATE_SPEECH COMICSERIES_IS_SPAM COMICSERIES_CONTAINS_UNLAWFUL_CONTENT
}

enum NotificationEventType {
  NEW_EPISODE_RELEASED COMMENT_REPLY COMMENT_LIKED CREATOR_EPISODE_LIKED CREATOR_EPISODE_COMMENTED
}

enum NotificationChannel {
  PUSH EMAIL
}

enum NotificationTimeBucket {
  TODAY THIS_WEEK THIS_MONTH EARLIER
}

type ComicSeries {
  uuid: ID!
  datePublished: Int
  name: String
  description: String
  shortUrl: String
  coverImageAsString: String
  bannerImageAsString: String
  thumbnailImageAsString: String
  hash: String
  issuesHash: String
  tags: [String]
  genre0: Genre
  genre1: Genre
  genre2: Genre
  language: Language
  status: SeriesStatus
  seriesType: ComicSeriesType
  layoutType: ComicSeriesLayoutType
  contentRating: ContentRating
  sssUrl: String
  sssOwnerName: String
  sssOwnerPublicEmail: String
  copyright: String
  isCompleted: Boolean
  isBlocked: Boolean
  creators: [Creator]
  issueCount: Int
  hostingProviderUuid: ID
  scopesForExclusiveContent: [String]
}

type ComicIssue {
  uuid: ID!
  seriesUuid: ID!
  datePublished: Int
  name: String
  creatorNote: String
  hash: String
  storiesHash: String
  bannerImageAsString: String
  thumbnailImageAsString: String
  stories: [ComicStory]
  previewStoryImageUrls: [String]
  position: Int
  isRemoved: Boolean
  isBlocked: Boolean
  comicSeries: ComicSeries
  previousIssue: ComicIssue
  nextIssue: ComicIssue
  scopesForExclusiveContent: [String]
  dateExclusiveContentAvailable: Int
}

type ComicIssueForSeries {
  seriesUuid: ID!
  issues: [ComicIssue]
}

type ComicStory {
  uuid: ID!
  issueUuid: ID!
  seriesUuid: ID!
  hash: String
  storyImageAsString: String
  isRemoved: Boolean
  comicIssue: ComicIssue
  comicSeries: ComicSeries
  width: Int
  height: Int
}

type Creator {
  uuid: ID!
  datePublished: Int
  name: String
  bio: String
  shortUrl: String
  avatarImageAsString: String
  hash: String
  contentHash: String
  content(sortOrder: SortOrder, page: Int, limitPerPage: Int): [CreatorContent]
  comics: [ComicSeries]
  tags: [String]
  links: [LinkDetails]
  country: Country
  sssUrl: String
  sssOwnerName: String
  sssOwnerPublicEmail: String
  copyright: String
  isBlocked: Boolean
  user: User
}

type LinkDetails {
  type: LinkType
  url: String
}

type CreatorLinkDetails {
  type: LinkType
  url: String
  creatorUuid: ID!
}

type CreatorContent {
  id: ID @deprecated(reason: "Use uuid instead")
  uuid: ID
  hash: String
  creatorUuid: ID
  contentUuid: ID
  contentType: TaddyType
  roles: [ContentRole]
  position: Int
  contentPosition: Int
  comicseries: ComicSeries
}

type Documentation {
  id: ID
  text: String
}

type HomeScreenComicSeries {
  id: ID
  comicSeries: [ComicSeries]
}

type HomeScreenCuratedList {
  id: ID
  lists: [List]
}

type List {
  id: ID!
  createdAt: Int
  name: String
  description: String
  bannerImageUrl: String
  type: ListType!
  privacyType: PrivacyType!
  userId: ID!
  comicSeries: [ComicSeries]
  tags: [String]
  genres: [Genre]
  language: Language
  contentRating: ContentRating
}

type SearchResults {
  searchId: ID!
  comicSeries: [ComicSeries]
  creators: [Creator]
}

type User {
  id: ID!
  createdAt: Int
  updatedAt: Int
  email: String
  username: String
  isEmailVerified: Boolean
  ageRange: UserAgeRange
  birthYear: Int
  blueskyDid: String
  creator: Creator
}

type ProfileComicSeries {
  userId: ID!
  comicSeries: [ComicSeries]
}

type BlueskyProfile {
  did: ID!
  handle: String!
  displayName: String
  avatar: String
  description: String
}

type CannySSO {
  userId: ID!
  ssoToken: String!
  redirectUrl: String!
}

type UserComicSeries {
  seriesUuid: ID!
  isSubscribed: Boolean!
  isRecommended: Boolean!
  hasNotificationEnabled: Boolean!
  likedComicIssueUuids: [String]!
}

type NotificationPreference {
  id: ID!
  createdAt: Int
  updatedAt: Int
  userId: ID!
  notificationType: NotificationType!
  value: String
}

type ComicIssueStats {
  uuid: ID!
  likeCount: Int
  commentCount: Int
}

type ComicSeriesStats {
  uuid: ID!
  likeCount: Int
  commentCount: Int
}

type Comment {
  uuid: ID!
  text: String!
  createdAt: Int!
  user: User
  targetUuid: ID!
  targetType: InkverseType!
  replyToUuid: ID
  isCreator: Boolean
  stats: CommentStats
}

type CommentStats {
  uuid: ID!
  likeCount: Int
  replyCount: Int
}

type CommentsForTarget {
  targetUuid: ID!
  targetType: InkverseType!
  sortBy: CommentSortType
  page: Int
  limitPerPage: Int
  comments: [Comment!]!
}

type UserComment {
  targetUuid: ID!
  targetType: InkverseType!
  likedCommentUuids: [String]!
}

type Notification {
  id: ID!
  createdAt: Int!
  eventType: NotificationEventType!
  actor: User
  targetItem: NotificationItem
  parentItem: NotificationItem
}

type AggregatedNotification {
  id: ID!
  eventType: NotificationEventType!
  latestCreatedAt: Int!
  count: Int!
  targetItem: NotificationItem
  parentItem: NotificationItem
}

type NotificationItem {
  uuid: ID!
  type: InkverseType!
  comicIssue: ComicIssue
  comment: Comment
  comicSeries: ComicSeries
}

type NotificationSection {
  bucket: NotificationTimeBucket!
  items: [NotificationFeedItem!]!
}

type NotificationFeed {
  userId: ID!
  sections: [NotificationSection!]! @costFactor(value: 1)
}

type NotificationSettingItem {
  id: ID!
  eventType: NotificationEventType!
  channel: NotificationChannel!
  isEnabled: Boolean!
}

type NotificationSettingStatus {
  userId: ID!
  settings: [NotificationSettingItem!]!
}

type Query {
  getComicSeries(uuid: ID, shortUrl: String): ComicSeries
  getComicIssue(uuid: ID!, seriesUuid: ID!): ComicIssue
  getIssuesForComicSeries(
    seriesUuid: ID!
    sortOrder: SortOrder
    limitPerPage: Int
    page: Int
    includeRemovedIssues: Boolean
  ): ComicIssueForSeries
  getComicStory(uuid: ID): ComicStory
  getCreator(uuid: ID, shortUrl: String): Creator
  getCreatorLinksForSeries(seriesUuid: ID!): [CreatorLinkDetails]
  getCreatorContent(creatorUuid: ID, contentUuid: ID): CreatorContent
  getDocumentation(id: ID!): Documentation
  getRecentlyAddedComicSeries(page: Int, limitPerPage: Int): HomeScreenComicSeries
  getRecentlyUpdatedComicSeries(page: Int, limitPerPage: Int): HomeScreenComicSeries
  getMostPopularComicSeries(page: Int, limitPerPage: Int): HomeScreenComicSeries
  getFeaturedComicSeries(page: Int, limitPerPage: Int): HomeScreenComicSeries
  getCuratedLists(page: Int, limitPerPage: Int): HomeScreenCuratedList
  getTrendingComicSeries(
    metric: TrendingMetric
    period: TrendingPeriod
    limitPerPage: Int
    page: Int
  ): HomeScreenComicSeries
  getList(id: ID!): List
  search(
    term: String
    page: Int
    limitPerPage: Int
    filterForTypes: [String]
    filterForTags: [String]
    filterForGenres: [Genre]
  ): SearchResults
  me: User
  getUserByUsername(username: String!): User
  getUserById(id: ID!): User
  getBlueskyProfile(handle: String!): BlueskyProfile
  getComicsFromBlueskyCreators: [ComicSeries]
  getComicsFromPatreonCreators: [ComicSeries]
  getUserSubscribedComics(userId: ID!, limitPerPage: Int, page: Int): ProfileComicSeries
  cannySso(redirectPath: String): CannySSO
  getCreatorClaimStatus(creatorUuid: ID!): CreatorClaimStatus
  getUserComicSeries(seriesUuid: ID!): UserComicSeries
  getStatsForComicIssue(issueUuid: ID!): ComicIssueStats
  getStatsForComicSeries(seriesUuid: ID!): ComicSeriesStats
  getComments(
    targetUuid: ID!
    targetType: InkverseType!
    page: Int
    limitPerPage: Int
    sortBy: CommentSortType
  ): CommentsForTarget!
  getRepliesForComment(
    targetUuid: ID!
    targetType: InkverseType!
    commentUuid: ID!
    page: Int
    limitPerPage: Int
  ): CommentsForTarget!
  getUserComments(targetUuid: ID!, targetType: InkverseType!): UserComment
  getNotificationsForUser(
    buckets: [NotificationTimeBucket!]!
    limit: Int
    offset: Int
  ): NotificationFeed
  getNotificationSettings: NotificationSettingStatus!
}

type Mutation {
  reportComicSeries(uuid: ID!, reportType: ReportType!): Boolean
  updateUserProfile(username: String, ageRange: UserAgeRange, birthYear: Int): User
  updateUserEmail(email: String!): User
  resendVerificationEmail: Boolean!
  fetchRefreshTokenForHostingProvider(hostingProviderUuid: String!): String
  fetchAllHostingProviderTokens: [String!]
  saveBlueskyDid(did: String!): User
  subscribeToMultipleComicSeries(seriesUuids: [ID!]!): Boolean!
  savePushToken(fcmToken: String!, platform: String!): Boolean!
  subscribeToSeries(seriesUuid: ID!): UserComicSeries!
  unsubscribeFromSeries(seriesUuid: ID!): UserComicSeries!
  enableNotificationsForSeries(seriesUuid: ID!): UserComicSeries!
  disableNotificationsForSeries(seriesUuid: ID!): UserComicSeries!
  likeComicIssue(issueUuid: ID!, seriesUuid: ID!): UserComicSeries!
  unlikeComicIssue(issueUuid: ID!, seriesUuid: ID!): UserComicSeries!
  superLikeAllEpisodes(seriesUuid: ID!): UserComicSeries!
  addComment(issueUuid: ID!, seriesUuid: ID!, text: String!, replyToCommentUuid: ID): Comment
  editComment(commentUuid: ID!, text: String!, targetUuid: ID!, targetType: InkverseType!): Comment
  setCommentVisibility(commentUuid: ID!, isVisible: Boolean!): Comment
  deleteComment(commentUuid: ID!, targetUuid: ID!, targetType: InkverseType!): Boolean!
  likeComment(commentUuid: ID!, issueUuid: ID!): UserComment
  unlikeComment(commentUuid: ID!, issueUuid: ID!): UserComment
  reportComment(commentUuid: ID!, reportType: ReportType!, additionalInfo: String): Boolean!
  addOrUpdateNotificationSetting(
    eventType: NotificationEventType!
    channel: NotificationChannel!
    isEnabled: Boolean!
  ): NotificationSettingItem!
}

union NotificationFeedItem = Notification | AggregatedNotification

input NotificationPreferenceInput {
  notificationType: NotificationType!
}
"""


def build_reference_schema() -> GraphQLSchema:
    return build_schema(REFERENCE_SDL)
