-- Search inside the owner's notes only: one GIN index over (user_id, search), so a query never
-- visits other people's matches. btree_gin (a trusted contrib extension) lets GIN index user_id.
-- Kept in step with ../sqlite/0008_search_by_owner.sql.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX notes_search_by_owner ON notes USING GIN (user_id, search);
DROP INDEX notes_search;
