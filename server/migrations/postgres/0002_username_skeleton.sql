-- What each name looks like (its Unicode TR39 confusable skeleton): no two accounts may share
-- one, so `аdmin` (Cyrillic а) cannot sit beside `admin`. Filled in for existing accounts by
-- the server at start (SQL cannot compute it); NULLs do not collide.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE UNIQUE INDEX users_by_skeleton ON users (username_skeleton);
