-- Search that costs the same whatever the number of notes:
-- - the FTS index carries each note's owner, so a query is `user_id : N AND {title body} : (...)`
--   and never visits other people's matches;
-- - it holds live notes only (a note leaves it when deleted and comes back when restored), so a
--   search reads its hits newest first straight from the index and stops at the page's end.
-- Kept in step with ../postgres/0008_search_by_owner.sql.
DROP TRIGGER notes_fts_insert;
DROP TRIGGER notes_fts_delete;
DROP TRIGGER notes_fts_update;
DROP TABLE notes_fts;

CREATE VIRTUAL TABLE notes_fts USING fts5(
    title, body, user_id, content = 'notes', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO notes_fts (rowid, title, body, user_id)
    SELECT id, title, body, user_id FROM notes WHERE deleted_at IS NULL;

-- The index must be told exactly what it holds, so each trigger removes a note only if it was
-- live and adds it only if it is.
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO notes_fts (rowid, title, body, user_id)
    VALUES (new.id, new.title, new.body, new.user_id);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes WHEN old.deleted_at IS NULL BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body, user_id)
    VALUES ('delete', old.id, old.title, old.body, old.user_id);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body, user_id, deleted_at ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body, user_id)
    SELECT 'delete', old.id, old.title, old.body, old.user_id WHERE old.deleted_at IS NULL;
    INSERT INTO notes_fts (rowid, title, body, user_id)
    SELECT new.id, new.title, new.body, new.user_id WHERE new.deleted_at IS NULL;
END;
