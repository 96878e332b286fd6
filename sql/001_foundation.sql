-- Foundation: extensions and the settings every later migration relies on.
-- The domain tables arrive in the migrations that follow.

CREATE EXTENSION IF NOT EXISTS unaccent;
