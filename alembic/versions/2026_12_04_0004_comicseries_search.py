"""Our own search index `comicseries_search`, kept current by triggers, filled from the existing rows.

Built on PostgreSQL's own text search only (tsvector, GIN, the `simple` configuration), with accents
folded by `normalize(…, NFKD)` and a regular expression, since the embedded server has no `unaccent`.
The functions and triggers are spelled out here, frozen, as migrations must be.

Revision ID: 0004_comicseries_search
Revises: 0003_queue_outbox
Create Date: 2026-12-01 00:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_comicseries_search"
down_revision: str | None = "0003_queue_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD = r"""
CREATE FUNCTION inkverse_search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT translate(lower(regexp_replace(normalize(value, NFKD), E'[\u0300-\u036f]', '', 'g')),
                   'łøđħı', 'lodhi')
$$
"""

REFRESH = """
CREATE FUNCTION comicseries_search_refresh(series uuid) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  INSERT INTO comicseries_search AS target (series_uuid, document, tags)
  SELECT s.uuid,
         setweight(to_tsvector('simple', inkverse_search_fold(coalesce(s.name, ''))), 'A')
         || setweight(to_tsvector('simple',
                                  inkverse_search_fold(coalesce(array_to_string(s.tags, ' '), ''))), 'B')
         || setweight(to_tsvector('simple', inkverse_search_fold(coalesce(
              (SELECT string_agg(c.name, ' ')
                 FROM creatorcontent cc JOIN creator c ON c.uuid = cc.creator_uuid
                WHERE cc.content_uuid = s.uuid AND cc.content_type = 'COMICSERIES'), ''))), 'C')
         || setweight(to_tsvector('simple', inkverse_search_fold(coalesce(s.description, ''))), 'D'),
         ARRAY(SELECT inkverse_search_fold(tag) FROM unnest(s.tags) AS tag)
    FROM comicseries s
   WHERE s.uuid = series
  ON CONFLICT (series_uuid) DO UPDATE SET document = excluded.document, tags = excluded.tags;
  IF NOT FOUND THEN
    DELETE FROM comicseries_search WHERE series_uuid = series;
  END IF;
END
$$
"""

ON_SERIES = """
CREATE FUNCTION comicseries_search_on_series() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM comicseries_search WHERE series_uuid = OLD.uuid;
  ELSE
    PERFORM comicseries_search_refresh(NEW.uuid);
  END IF;
  RETURN NULL;
END
$$
"""

ON_CREATOR = """
CREATE FUNCTION comicseries_search_on_creator() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  changed uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.uuid ELSE NEW.uuid END;
BEGIN
  PERFORM comicseries_search_refresh(cc.content_uuid)
     FROM creatorcontent cc
    WHERE cc.creator_uuid = changed AND cc.content_type = 'COMICSERIES';
  RETURN NULL;
END
$$
"""

ON_CREATORCONTENT = """
CREATE FUNCTION comicseries_search_on_creatorcontent() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.content_type = 'COMICSERIES' THEN
      PERFORM comicseries_search_refresh(OLD.content_uuid);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.content_type = 'COMICSERIES' THEN
      PERFORM comicseries_search_refresh(NEW.content_uuid);
    END IF;
  END IF;
  RETURN NULL;
END
$$
"""

TRIGGERS = (
    "CREATE TRIGGER comicseries_search_sync AFTER INSERT OR DELETE OR UPDATE OF name, description, tags"
    " ON comicseries FOR EACH ROW EXECUTE FUNCTION comicseries_search_on_series()",
    "CREATE TRIGGER creator_search_sync AFTER INSERT OR DELETE OR UPDATE OF name"
    " ON creator FOR EACH ROW EXECUTE FUNCTION comicseries_search_on_creator()",
    "CREATE TRIGGER creatorcontent_search_sync AFTER INSERT OR DELETE OR UPDATE"
    " ON creatorcontent FOR EACH ROW EXECUTE FUNCTION comicseries_search_on_creatorcontent()",
)

FILL = "SELECT comicseries_search_refresh(uuid) FROM comicseries"


def upgrade() -> None:
    op.create_table(
        "comicseries_search",
        sa.Column("series_uuid", sa.Uuid(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("series_uuid", name="comicseries_search_pkey"),
    )
    op.create_index(
        "comicseries_search_document_index", "comicseries_search", ["document"], postgresql_using="gin"
    )
    op.create_index("comicseries_search_tags_index", "comicseries_search", ["tags"], postgresql_using="gin")
    for statement in (FOLD, REFRESH, ON_SERIES, ON_CREATOR, ON_CREATORCONTENT, *TRIGGERS, FILL):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER creatorcontent_search_sync ON creatorcontent")
    op.execute("DROP TRIGGER creator_search_sync ON creator")
    op.execute("DROP TRIGGER comicseries_search_sync ON comicseries")
    for function in (
        "comicseries_search_on_creatorcontent()",
        "comicseries_search_on_creator()",
        "comicseries_search_on_series()",
        "comicseries_search_refresh(uuid)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    op.drop_table("comicseries_search")
    op.execute("DROP FUNCTION inkverse_search_fold(text)")
