-- Indicators: what is measured (chỉ tiêu), each a flow that sums over time
-- (new members) or a stock read at a period's end (total members), summing
-- up the hierarchy or not.

CREATE TYPE indicator_kind AS ENUM ('flow', 'stock');
CREATE TYPE rollup_rule AS ENUM ('sum', 'none');

-- The shape of an indicator code, as in new_members: lowercase letters,
-- digits and underscores, a letter first, at most 60. The one definition
-- (the service's C side is generated from it).
CREATE FUNCTION indicator_code_is_valid(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN p ~ '^[a-z][a-z0-9_]*$' AND length(p) <= 60;

CREATE TABLE indicator (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (indicator_code_is_valid(code)),
	name display_name NOT NULL,
	name_en display_name NOT NULL,
	unit display_name NOT NULL CHECK (length(unit) <= 40),
	kind indicator_kind NOT NULL,
	rollup rollup_rule NOT NULL DEFAULT 'sum',
	higher_is_better boolean NOT NULL DEFAULT true,
	description text CHECK (length(description) <= 2000),
	search text GENERATED ALWAYS AS (search_key(code || ' ' || name || ' ' || name_en)) STORED
);
