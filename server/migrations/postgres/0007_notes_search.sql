-- Notes that scale: deleted notes stay restorable for a minute (`deleted_at`, Unix seconds),
-- and titles and bodies are searched through a full-text vector with a GIN index.
-- Kept in step with ../sqlite/0007_notes_search.sql.
ALTER TABLE notes ADD COLUMN deleted_at BIGINT;
ALTER TABLE notes ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')
) STORED;
CREATE INDEX notes_search ON notes USING GIN (search);
