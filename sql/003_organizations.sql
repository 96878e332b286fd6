-- Organizations and how they nest over time. A grassroots union moves from
-- a dissolved district federation to a ward union on 2025-07-01: two
-- parent links, both true for their dates. Links cannot overlap, must lie
-- inside both organizations' lives, and never make an organization its own
-- ancestor; everything that asks "who was under whom" asks it for a day.

-- The kinds, listed once: the service's parameter check is generated from
-- this type (tools/embed.py), and the imports check against it.
CREATE TYPE org_kind AS ENUM ('confederation', 'province', 'district', 'commune', 'sector', 'grassroots', 'other');

CREATE TABLE organization (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code entity_code NOT NULL UNIQUE,
	name display_name NOT NULL,
	short_name display_name,
	kind org_kind NOT NULL,
	valid_from date,           -- NULL: since before the records begin
	valid_to date,             -- inclusive last day; NULL: still exists
	successor_id bigint REFERENCES organization (id),
	validity daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to, '[]')) STORED,
	search text GENERATED ALWAYS AS (search_key(code || ' ' || name || ' ' || coalesce(short_name, ''))) STORED,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
	CHECK (successor_id <> id),
	CHECK (successor_id IS NULL OR valid_to IS NOT NULL)
);
CREATE INDEX organization_name ON organization ((name COLLATE vietnamese), code);
CREATE INDEX organization_search ON organization USING gin (search gin_trgm_ops);

-- Who an organization reported to, and when.
CREATE TABLE organization_parent (
	org_id bigint NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
	parent_id bigint NOT NULL REFERENCES organization (id),
	valid_from date,
	valid_to date,
	during daterange GENERATED ALWAYS AS (daterange(valid_from, valid_to, '[]')) STORED,
	CHECK (org_id <> parent_id),
	CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
	-- one parent at a time
	EXCLUDE USING gist (org_id WITH =, during WITH &&)
);
CREATE INDEX organization_parent_parent ON organization_parent (parent_id);
-- the ancestor walk of the parent check and every "parents of" look-up
CREATE INDEX organization_parent_org ON organization_parent (org_id);

-- A parent link must fall inside the lives of both organizations and must
-- not make an organization its own ancestor (at any time: the check is
-- conservative, as reorganisations that invert two levels do not happen).
CREATE FUNCTION organization_parent_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	child organization;
	parent organization;
BEGIN
	SELECT * INTO child FROM organization WHERE id = NEW.org_id;
	SELECT * INTO parent FROM organization WHERE id = NEW.parent_id;
	IF NOT child.validity @> NEW.during THEN
		RAISE EXCEPTION USING ERRCODE = 'TD400', DETAIL = 'invalid_parent', HINT = 'parent',
			MESSAGE = format('%s would be under %s %s, but it exists only %s',
			                 child.code, parent.code, dates_text(NEW.during), dates_text(child.validity));
	END IF;
	IF NOT parent.validity @> NEW.during THEN
		RAISE EXCEPTION USING ERRCODE = 'TD400', DETAIL = 'invalid_parent', HINT = 'parent',
			MESSAGE = format('%s cannot be the parent of %s %s: it exists only %s',
			                 parent.code, child.code, dates_text(NEW.during), dates_text(parent.validity));
	END IF;
	IF EXISTS (
		WITH RECURSIVE up(id) AS (
			SELECT NEW.parent_id
			UNION
			SELECT p.parent_id FROM organization_parent p JOIN up ON p.org_id = up.id
		)
		SELECT 1 FROM up WHERE id = NEW.org_id
	) THEN
		RAISE EXCEPTION USING ERRCODE = 'TD400', DETAIL = 'invalid_parent', HINT = 'parent',
			MESSAGE = format('%s cannot be placed under %s: %s is already above it',
			                 child.code, parent.code, child.code);
	END IF;
	RETURN NEW;
END $$;

CREATE CONSTRAINT TRIGGER organization_parent_valid
	AFTER INSERT OR UPDATE ON organization_parent
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION organization_parent_check();

-- The parent of an organization on a date.
CREATE FUNCTION organization_parent_on(p_org bigint, p_on date) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT parent_id FROM organization_parent WHERE org_id = p_org AND during @> p_on);

-- Every organization that was in the subtree of p_root (itself included),
-- and when: the hierarchy walked through time, each step limited to the
-- dates both links held. A value of org X for a period ending on day D
-- belongs to the subtree when (X, range containing D) is in this set.
CREATE FUNCTION organization_subtree_spans(p_root bigint)
RETURNS TABLE (org_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE t(org_id, during) AS (
		SELECT id, validity FROM organization WHERE id = p_root
		UNION ALL
		SELECT l.org_id, t.during * l.during
		FROM t JOIN organization_parent l ON l.parent_id = t.org_id AND l.during && t.during
	) CYCLE org_id SET is_cycle USING visited
	SELECT org_id, during FROM t WHERE NOT is_cycle AND NOT isempty(during)
$$;

-- The subtree of p_root as it stood on one date.
CREATE FUNCTION organization_subtree_on(p_root bigint, p_on date)
RETURNS TABLE (org_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT DISTINCT org_id FROM organization_subtree_spans(p_root) WHERE during @> p_on
$$;

-- Every organization above p_org, itself included, and the days p_org sat
-- under it: the hierarchy walked upwards through time, each step limited
-- to the days both links held.
CREATE FUNCTION organization_ancestor_spans(p_org bigint)
RETURNS TABLE (ancestor_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE up(id, during) AS (
		SELECT o.id, o.validity FROM organization o WHERE o.id = p_org
		UNION ALL
		SELECT l.parent_id, up.during * l.during
		FROM up JOIN organization_parent l ON l.org_id = up.id AND l.during && up.during
	) CYCLE id SET is_cycle USING visited
	SELECT id, during FROM up WHERE NOT is_cycle AND NOT isempty(during)
$$;

-- The date on which an organization is looked at: the requested day, but
-- for one dissolved before it (or founded after it) the nearest day of its
-- own life, so a dissolved district shows the parent it had.
CREATE FUNCTION organization_seen_on(o organization, p_on date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(o.valid_from, least(p_on, o.valid_to));

-- The day an organization is seen on for p_on: p_on itself, or the
-- nearest day of its own life (a district dissolved on 2025-06-30 reports
-- its 2025 as of that day).
CREATE FUNCTION organization_day(p_org bigint, p_on date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT organization_seen_on(o, p_on) FROM organization o WHERE o.id = p_org
$$;

