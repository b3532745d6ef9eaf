-- Skeletons are now taken whatever the case (`ADMlN`, with a lower-case L, reads as `admin`):
-- forget the old ones, and the server fills in the new ones at start (SQL cannot compute them).
-- Kept in step with ../sqlite/0009_case_blind_skeletons.sql.
UPDATE users SET username_skeleton = NULL;
