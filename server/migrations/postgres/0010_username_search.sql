-- The administrators' search looks in every script's lower case (`MÜLLER` and `müller` find
-- `Müller`; `username_folded` folds ASCII letters only, as sign-in does). SQL cannot compute
-- it: the server writes it for the accounts it creates and fills it in for others at start.
-- Kept in step with ../sqlite/0010_username_search.sql.
ALTER TABLE users ADD COLUMN username_search TEXT;
