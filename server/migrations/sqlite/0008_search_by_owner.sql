-- Search inside the owner's notes only: the FTS index carries each note's owner, so a query is
-- `user_id : N AND {title body} : (...)` and never scores other people's matches (with 100,000
-- notes in the file, a common word cost the whole table's matches before the owner was checked).
-- Kept in step with ../postgres/0008_search_by_owner.sql.
DROP TRIGGER notes_fts_insert;
DROP TRIGGER notes_fts_delete;
DROP TRIGGER notes_fts_update;
DROP TABLE notes_fts;

CREATE VIRTUAL TABLE notes_fts USING fts5(
    title, body, user_id, content = 'notes', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');

CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, title, body, user_id) VALUES (new.id, new.title, new.body, new.user_id);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body, user_id)
    VALUES ('delete', old.id, old.title, old.body, old.user_id);
END;
CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body, user_id ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body, user_id)
    VALUES ('delete', old.id, old.title, old.body, old.user_id);
    INSERT INTO notes_fts (rowid, title, body, user_id) VALUES (new.id, new.title, new.body, new.user_id);
END;
