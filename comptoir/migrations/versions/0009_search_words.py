"""The catalogue's lexicon for typo correction: `search_words`, the distinct words of product
names (lowercased, without accents), kept by triggers on `products` and filled for the
products that already exist.

A misspelt query word is corrected against this small table (trigram index) instead of
re-checking the trigram similarity of millions of product names.

Revision ID: 0009_search_words
Revises: 0008_returns_and_stock
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_search_words"
down_revision = "0008_returns_and_stock"
branch_labels = None
depends_on = None

# The words of a name as the search folds them: lowercase, no accents, split on anything
# that is not a letter or a digit; words of one or two characters and bare numbers are
# left out (too short to correct, or not words).
NAME_WORDS = """
CREATE FUNCTION comptoir_name_words(text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT DISTINCT w
    FROM regexp_split_to_table(public.comptoir_unaccent(lower($1)), '[^[:alnum:]]+') AS w
    WHERE length(w) >= 3 AND w ~ '[[:alpha:]]'
$$
"""

# Remove, of the given words, those no product name says any more. The trigram index of
# product names finds the candidates (`LIKE '%word%'`, words are letters and digits only),
# the word list of each candidate's name confirms. PL/pgSQL, so that its statement is
# planned once per session, not at each call as an SQL function's would be.
PRUNE = """
CREATE FUNCTION comptoir_prune_search_words(candidates text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(cardinality(candidates), 0) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM public.search_words s
    WHERE s.word = ANY (candidates)
      AND NOT EXISTS (
          SELECT 1 FROM public.products p
          WHERE public.comptoir_unaccent(lower(p.name)) LIKE '%' || s.word || '%'
            AND s.word IN (SELECT public.comptoir_name_words(p.name))
      );
END $$
"""

# Statement-level triggers for inserts and deletes (a COPY of a million products adds its
# words in one statement); a row-level one for renames, which fires only when the name
# changes (stock and price updates do not pay for it) and only touches the words that
# come or go. Adding a word that exists takes no lock (ON CONFLICT DO NOTHING), so
# merchants adding products do not wait on each other.
TRIGGERS = """
CREATE FUNCTION comptoir_search_words_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.search_words (word)
    SELECT DISTINCT w FROM new_products, public.comptoir_name_words(new_products.name) AS w
    ORDER BY 1
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION comptoir_search_words_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.comptoir_prune_search_words(ARRAY(
        SELECT DISTINCT w FROM old_products, public.comptoir_name_words(old_products.name) AS w
    ));
    RETURN NULL;
END $$;

CREATE FUNCTION comptoir_search_words_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    came text[] := ARRAY(
        SELECT public.comptoir_name_words(NEW.name)
        EXCEPT SELECT public.comptoir_name_words(OLD.name)
    );
    gone text[] := ARRAY(
        SELECT public.comptoir_name_words(OLD.name)
        EXCEPT SELECT public.comptoir_name_words(NEW.name)
    );
BEGIN
    IF cardinality(came) > 0 THEN
        INSERT INTO public.search_words (word)
        SELECT w FROM unnest(came) AS w ORDER BY 1
        ON CONFLICT DO NOTHING;
    END IF;
    PERFORM public.comptoir_prune_search_words(gone);
    RETURN NULL;
END $$;

CREATE TRIGGER products_search_words_inserted AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_products
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_search_words_inserted();

CREATE TRIGGER products_search_words_deleted AFTER DELETE ON products
    REFERENCING OLD TABLE AS old_products
    FOR EACH STATEMENT EXECUTE FUNCTION comptoir_search_words_deleted();

CREATE TRIGGER products_search_words_renamed AFTER UPDATE OF name ON products
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION comptoir_search_words_renamed();
"""


def upgrade() -> None:
    op.create_table("search_words", sa.Column("word", sa.Text(), primary_key=True))
    op.create_index(
        "ix_search_words_trgm",
        "search_words",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )
    op.execute(NAME_WORDS)
    op.execute(PRUNE)
    op.execute(TRIGGERS)
    op.execute(
        "INSERT INTO search_words (word) "
        "SELECT DISTINCT w FROM products, comptoir_name_words(products.name) AS w "
        "ON CONFLICT DO NOTHING"
    )
    op.execute("ANALYZE search_words")


def downgrade() -> None:
    for trigger in ("inserted", "deleted", "renamed"):
        op.execute(f"DROP TRIGGER IF EXISTS products_search_words_{trigger} ON products")
        op.execute(f"DROP FUNCTION IF EXISTS comptoir_search_words_{trigger}()")
    op.execute("DROP FUNCTION IF EXISTS comptoir_prune_search_words(text[])")
    op.execute("DROP FUNCTION IF EXISTS comptoir_name_words(text)")
    op.drop_index("ix_search_words_trgm", table_name="search_words")
    op.drop_table("search_words")
