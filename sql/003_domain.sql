-- The domain: organizations and their parents over time, indicators,
-- periods, blocs with their yearly members, leaders, agreements, criteria
-- and adjustments, and reported values with their full history.
--
-- Constraints make bad data impossible to enter even from psql: codes have
-- a fixed shape, intervals cannot overlap, a bloc's leader must be one of
-- its members, a value belongs to exactly one organization or bloc, and
-- every change to a value is written to value_history by triggers.
--
-- Errors meant for API clients are raised with SQLSTATE class TD (TD400,
-- TD404, TD409): MESSAGE is safe to show, DETAIL is the problem code and
-- HINT the offending field. Any other error is an internal failure.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Names sort in Vietnamese order (Đ after D, Ư after U).
CREATE COLLATION vietnamese (provider = icu, locale = 'vi-VN');

-- The search key of a name: NFC, accents removed, then lowercased (ASCII
-- lowercase works in any database locale). "HAI BÀ TRƯNG" -> "hai ba trung".
CREATE FUNCTION search_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(public.unaccent('public.unaccent'::regdictionary, normalize(coalesce(t, ''), NFC)));

-- A code names an organization or bloc in URLs and files: uppercase ASCII
-- letters and digits, hyphens inside.
CREATE DOMAIN entity_code AS text
	CHECK (VALUE ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND length(VALUE) <= 40);

-- Names are one line of printable text.
CREATE DOMAIN display_name AS text
	CHECK (btrim(VALUE) <> '' AND VALUE = btrim(VALUE) AND length(VALUE) <= 300 AND VALUE !~ '[[:cntrl:]]');

CREATE TYPE org_kind AS ENUM ('confederation', 'province', 'district', 'commune', 'sector', 'grassroots', 'other');
CREATE TYPE bloc_kind AS ENUM ('khoi', 'cum');
CREATE TYPE indicator_kind AS ENUM ('flow', 'stock');
CREATE TYPE rollup_rule AS ENUM ('sum', 'none');

-- ---------------------------------------------------------------- organizations

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

-- Who an organization reported to, and when. A grassroots union moves from
-- a dissolved district federation to a ward union on 2025-07-01: two rows,
-- both true for their dates.
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

-- A span of days in words: "2023-01-01 to 2025-06-30", "until 2025-06-30",
-- "from 2025-07-01", "all the time".
CREATE FUNCTION dates_text(r daterange) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE
	WHEN lower_inf(r) AND upper_inf(r) THEN 'all the time'
	WHEN lower_inf(r) THEN 'until ' || (upper(r) - 1)
	WHEN upper_inf(r) THEN 'from ' || lower(r)
	ELSE lower(r) || ' to ' || (upper(r) - 1)
END;

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

-- ---------------------------------------------------------------- indicators

CREATE TABLE indicator (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]*$' AND length(code) <= 60),
	name display_name NOT NULL,
	name_en display_name NOT NULL,
	unit display_name NOT NULL CHECK (length(unit) <= 40),
	kind indicator_kind NOT NULL,
	rollup rollup_rule NOT NULL DEFAULT 'sum',
	higher_is_better boolean NOT NULL DEFAULT true,
	description text CHECK (length(description) <= 2000),
	search text GENERATED ALWAYS AS (search_key(code || ' ' || name || ' ' || name_en)) STORED
);

-- ---------------------------------------------------------------- periods

-- Every period code a value uses, with its dates; rows are added on demand
-- by period_ensure(). The derived columns must agree with period_parse().
CREATE TABLE period (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE,
	kind period_kind NOT NULL,
	year int NOT NULL,
	year_end int NOT NULL,
	number int NOT NULL,
	start_date date NOT NULL,
	end_date date NOT NULL,
	label text NOT NULL,
	CHECK (period_is_valid(code)),
	CHECK (ROW(code, kind, year, year_end, number, start_date, end_date, label)::period_info = period_parse(code))
);
CREATE INDEX period_year ON period (year, kind);

CREATE FUNCTION period_ensure(p_code text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	p period_info := period_parse(p_code);
	pid int;
BEGIN
	SELECT id INTO pid FROM period WHERE code = p.code;
	IF pid IS NULL THEN
		INSERT INTO period (code, kind, year, year_end, number, start_date, end_date, label)
		VALUES (p.code, p.kind, p.year, p.year_end, p.number, p.start_date, p.end_date, p.label)
		ON CONFLICT (code) DO NOTHING;
		SELECT id INTO pid FROM period WHERE code = p.code;
	END IF;
	RETURN pid;
END $$;

-- ---------------------------------------------------------------- blocs

CREATE TABLE bloc (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code entity_code NOT NULL UNIQUE,
	name display_name NOT NULL,
	kind bloc_kind NOT NULL,
	organizer_id bigint REFERENCES organization (id),  -- NULL: peers organizing together
	note text CHECK (length(note) <= 2000),
	search text GENERATED ALWAYS AS (search_key(code || ' ' || name)) STORED,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bloc_organizer ON bloc (organizer_id);

-- One year of a bloc: its leader (trưởng khối / cụm trưởng) and deputy
-- rotate yearly; the agreement (giao ước thi đua) is signed for the year.
CREATE TABLE bloc_year (
	bloc_id bigint NOT NULL REFERENCES bloc (id) ON DELETE CASCADE,
	year int NOT NULL CHECK (year BETWEEN 1900 AND 2100),
	leader_id bigint,
	deputy_id bigint,
	leader_person display_name,   -- when only the person is named
	deputy_person display_name,
	agreement_signed_on date,
	agreement_content_count int CHECK (agreement_content_count >= 0),
	agreement_note text CHECK (length(agreement_note) <= 2000),
	note text CHECK (length(note) <= 2000),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (bloc_id, year),
	CHECK (leader_id <> deputy_id)
);

CREATE TABLE bloc_member (
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	org_id bigint NOT NULL REFERENCES organization (id),
	PRIMARY KEY (bloc_id, year, org_id),
	FOREIGN KEY (bloc_id, year) REFERENCES bloc_year (bloc_id, year) ON DELETE CASCADE
);
CREATE INDEX bloc_member_org ON bloc_member (org_id, year);

-- The leader and deputy must be members of that year (checked at commit,
-- so a year and its members can be written in any order).
ALTER TABLE bloc_year
	ADD CONSTRAINT bloc_year_leader_is_member FOREIGN KEY (bloc_id, year, leader_id)
		REFERENCES bloc_member (bloc_id, year, org_id) DEFERRABLE INITIALLY DEFERRED,
	ADD CONSTRAINT bloc_year_deputy_is_member FOREIGN KEY (bloc_id, year, deputy_id)
		REFERENCES bloc_member (bloc_id, year, org_id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE bloc_agreement_content (
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	position int NOT NULL CHECK (position >= 1),
	content text NOT NULL CHECK (btrim(content) <> '' AND length(content) <= 2000),
	PRIMARY KEY (bloc_id, year, position),
	FOREIGN KEY (bloc_id, year) REFERENCES bloc_year (bloc_id, year) ON DELETE CASCADE
);

-- Scoring criteria: points = weight × min(completion, cap) / 100.
CREATE TABLE bloc_criterion (
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	indicator_id int NOT NULL REFERENCES indicator (id),
	weight numeric NOT NULL CHECK (weight > 0 AND weight <= 1000),
	cap_pct numeric CHECK (cap_pct >= 100 AND cap_pct <= 1000),  -- NULL: no cap
	PRIMARY KEY (bloc_id, year, indicator_id),
	FOREIGN KEY (bloc_id, year) REFERENCES bloc_year (bloc_id, year) ON DELETE CASCADE
);

-- Bonus (positive) or penalty (negative) points, e.g. from cross-inspection.
CREATE TABLE bloc_adjustment (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	org_id bigint NOT NULL,
	points numeric NOT NULL CHECK (points <> 0 AND points BETWEEN -1000 AND 1000),
	reason text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 2000),
	FOREIGN KEY (bloc_id, year, org_id) REFERENCES bloc_member (bloc_id, year, org_id) ON DELETE CASCADE
);
CREATE INDEX bloc_adjustment_year ON bloc_adjustment (bloc_id, year);

-- ---------------------------------------------------------------- values

-- Who and which request: the service sets thidua.actor (the API key's
-- name) and thidua.request_id for its transaction; from psql the database
-- user is recorded.
CREATE FUNCTION current_actor() RETURNS text
LANGUAGE sql STABLE
RETURN coalesce(nullif(current_setting('thidua.actor', true), ''), session_user);

CREATE FUNCTION current_request_id() RETURNS text
LANGUAGE sql STABLE
RETURN nullif(current_setting('thidua.request_id', true), '');

-- One figure: an organization's (or a bloc's own reported total) actual
-- and/or target for an indicator and period. Numbers are numeric end to
-- end: 2516.100 stays 2516.100.
--
-- Its references (org_id, bloc_id, indicator_id, period_id) are enforced
-- like foreign keys, but per statement rather than per row (see
-- value_references below): a million-row import then checks them in one
-- join instead of three million lookups.
CREATE TABLE value (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint,
	bloc_id bigint,
	indicator_id int NOT NULL,
	period_id int NOT NULL,
	actual numeric CHECK (actual BETWEEN -1e15 AND 1e15),   -- also refuses NaN and infinities
	target numeric CHECK (target BETWEEN -1e15 AND 1e15),
	note text CHECK (length(note) <= 2000),
	revision int NOT NULL DEFAULT 1 CHECK (revision >= 1),
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by text NOT NULL DEFAULT current_actor(),
	request_id text DEFAULT current_request_id(),
	CHECK (num_nonnulls(org_id, bloc_id) = 1),
	CHECK (actual IS NOT NULL OR target IS NOT NULL)
);
-- Organizations' figures are the bulk: a plain unique index, which joins
-- can use (NULL org_id, a bloc's row, never conflicts). Blocs' own totals
-- are few: a partial index, used where a query states bloc_id IS NOT NULL.
CREATE UNIQUE INDEX value_org_key ON value (org_id, indicator_id, period_id);
CREATE UNIQUE INDEX value_bloc_key ON value (bloc_id, indicator_id, period_id) WHERE bloc_id IS NOT NULL;
CREATE INDEX value_indicator_period ON value (indicator_id, period_id);
CREATE INDEX value_updated ON value (updated_at, id);

-- Every earlier version of every value, and its deletion. The current
-- version is the row in `value`; when it is replaced or deleted, a copy of
-- it lands here as it was (revision, figures, who wrote it, when, under
-- which request). A deletion adds one more row, `deleted`, stamped with who
-- deleted it. Reading `value_history` with `value` gives the whole story.
CREATE TABLE value_history (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	value_id bigint NOT NULL,
	org_id bigint,
	bloc_id bigint,
	indicator_id int NOT NULL,
	period_id int NOT NULL,
	revision int NOT NULL,
	deleted boolean NOT NULL DEFAULT false,
	actual numeric,       -- NULL for a deletion
	target numeric,
	note text,
	written_at timestamptz NOT NULL,
	written_by text NOT NULL,
	request_id text,
	UNIQUE (value_id, revision)
);
CREATE INDEX value_history_subject ON value_history (org_id, indicator_id, period_id);
CREATE INDEX value_history_written ON value_history (written_at, id);

-- Revision, time and author are the database's to set. A new figure takes
-- them from the column defaults (revision 1, now, the actor); a change is
-- stamped here. An update that changes nothing is dropped, so sending the
-- same figures twice adds no revision. (No row trigger on INSERT: a bulk
-- import of a million new figures pays nothing per row for it.)
CREATE FUNCTION value_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- numbers compare as text: 2516.1 replacing 2516.100 is a change
	IF NEW.actual::text IS NOT DISTINCT FROM OLD.actual::text
	   AND NEW.target::text IS NOT DISTINCT FROM OLD.target::text
	   AND NEW.note IS NOT DISTINCT FROM OLD.note
	   AND NEW.org_id IS NOT DISTINCT FROM OLD.org_id
	   AND NEW.bloc_id IS NOT DISTINCT FROM OLD.bloc_id
	   AND NEW.indicator_id = OLD.indicator_id
	   AND NEW.period_id = OLD.period_id THEN
		RETURN NULL;
	END IF;
	NEW.revision := OLD.revision + 1;
	NEW.updated_at := now();
	NEW.updated_by := current_actor();
	NEW.request_id := current_request_id();
	RETURN NEW;
END $$;

CREATE TRIGGER value_stamp BEFORE UPDATE ON value
	FOR EACH ROW EXECUTE FUNCTION value_stamp();

-- History is written per statement from the transition tables: one
-- INSERT ... SELECT however many rows an import touches. A new figure adds
-- nothing: its first version is the row in `value`.
CREATE FUNCTION value_history_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO value_history (value_id, org_id, bloc_id, indicator_id, period_id, revision, actual, target, note,
	                           written_at, written_by, request_id)
	SELECT o.id, o.org_id, o.bloc_id, o.indicator_id, o.period_id, o.revision, o.actual, o.target, o.note,
	       o.updated_at, o.updated_by, o.request_id
	FROM old_rows o;
	RETURN NULL;
END $$;

CREATE FUNCTION value_history_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO value_history (value_id, org_id, bloc_id, indicator_id, period_id, revision, actual, target, note,
	                           written_at, written_by, request_id)
	SELECT o.id, o.org_id, o.bloc_id, o.indicator_id, o.period_id, o.revision, o.actual, o.target, o.note,
	       o.updated_at, o.updated_by, o.request_id
	FROM old_rows o;
	INSERT INTO value_history (value_id, org_id, bloc_id, indicator_id, period_id, revision, deleted,
	                           written_at, written_by, request_id)
	SELECT o.id, o.org_id, o.bloc_id, o.indicator_id, o.period_id, o.revision + 1, true,
	       now(), current_actor(), current_request_id()
	FROM old_rows o;
	RETURN NULL;
END $$;

CREATE TRIGGER value_history_update AFTER UPDATE ON value
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION value_history_update();
CREATE TRIGGER value_history_delete AFTER DELETE ON value
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION value_history_delete();

-- The references of `value`, enforced per statement: the referenced rows
-- are locked FOR KEY SHARE (as a foreign key does, so they cannot vanish
-- before commit) and any missing one fails the statement.
CREATE FUNCTION value_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	missing text;
BEGIN
	PERFORM 1 FROM organization WHERE id IN (SELECT DISTINCT org_id FROM new_rows) ORDER BY id FOR KEY SHARE;
	PERFORM 1 FROM bloc WHERE id IN (SELECT DISTINCT bloc_id FROM new_rows) ORDER BY id FOR KEY SHARE;
	PERFORM 1 FROM indicator WHERE id IN (SELECT DISTINCT indicator_id FROM new_rows) ORDER BY id FOR KEY SHARE;
	PERFORM 1 FROM period WHERE id IN (SELECT DISTINCT period_id FROM new_rows) ORDER BY id FOR KEY SHARE;
	SELECT coalesce(
	           (SELECT 'organization ' || n.org_id FROM new_rows n
	            WHERE n.org_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organization x WHERE x.id = n.org_id) LIMIT 1),
	           (SELECT 'bloc ' || n.bloc_id FROM new_rows n
	            WHERE n.bloc_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bloc x WHERE x.id = n.bloc_id) LIMIT 1),
	           (SELECT 'indicator ' || n.indicator_id FROM new_rows n
	            WHERE NOT EXISTS (SELECT 1 FROM indicator x WHERE x.id = n.indicator_id) LIMIT 1),
	           (SELECT 'period ' || n.period_id FROM new_rows n
	            WHERE NOT EXISTS (SELECT 1 FROM period x WHERE x.id = n.period_id) LIMIT 1))
	INTO missing;
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('value refers to %s, which does not exist', missing);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER value_references_insert AFTER INSERT ON value
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION value_references();
CREATE TRIGGER value_references_update AFTER UPDATE ON value
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION value_references();

-- And from the other side: what a value refers to cannot be deleted (or
-- renumbered) while the value exists.
CREATE FUNCTION value_referenced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	used boolean;
BEGIN
	used := CASE TG_TABLE_NAME
		WHEN 'organization' THEN EXISTS (SELECT 1 FROM value WHERE org_id = OLD.id)
		WHEN 'bloc' THEN EXISTS (SELECT 1 FROM value WHERE bloc_id = OLD.id AND bloc_id IS NOT NULL)
		WHEN 'indicator' THEN EXISTS (SELECT 1 FROM value WHERE indicator_id = OLD.id)
		WHEN 'period' THEN EXISTS (SELECT 1 FROM value WHERE period_id = OLD.id)
	END;
	IF used AND (TG_OP = 'DELETE' OR NEW.id <> OLD.id) THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('%s %s is still used by values', TG_TABLE_NAME, OLD.id);
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER value_referenced BEFORE DELETE OR UPDATE OF id ON organization
	FOR EACH ROW EXECUTE FUNCTION value_referenced();
CREATE TRIGGER value_referenced BEFORE DELETE OR UPDATE OF id ON bloc
	FOR EACH ROW EXECUTE FUNCTION value_referenced();
CREATE TRIGGER value_referenced BEFORE DELETE OR UPDATE OF id ON indicator
	FOR EACH ROW EXECUTE FUNCTION value_referenced();
CREATE TRIGGER value_referenced BEFORE DELETE OR UPDATE OF id ON period
	FOR EACH ROW EXECUTE FUNCTION value_referenced();
CREATE INDEX value_period ON value (period_id);

-- Writes one value unless it is already exactly so; returns what happened:
-- 'created', 'updated' or 'unchanged'. Used by the demo data and tests.
CREATE FUNCTION value_put(p_org text, p_bloc text, p_indicator text, p_period text,
                          p_actual numeric, p_target numeric, p_note text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	o bigint;
	b bigint;
	i int;
	p int := period_ensure(p_period);
	existing value;
BEGIN
	IF p_org IS NOT NULL THEN
		SELECT id INTO o FROM organization WHERE code = p_org;
		IF o IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'TD400', DETAIL = 'unknown_organization', HINT = 'org',
				MESSAGE = format('unknown organization %s', p_org);
		END IF;
	ELSE
		SELECT id INTO b FROM bloc WHERE code = p_bloc;
		IF b IS NULL THEN
			RAISE EXCEPTION USING ERRCODE = 'TD400', DETAIL = 'unknown_bloc', HINT = 'bloc',
				MESSAGE = format('unknown bloc %s', p_bloc);
		END IF;
	END IF;
	SELECT id INTO i FROM indicator WHERE code = p_indicator;
	IF i IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = 'TD400', DETAIL = 'unknown_indicator', HINT = 'indicator',
			MESSAGE = format('unknown indicator %s', p_indicator);
	END IF;
	SELECT * INTO existing FROM value v
	WHERE v.indicator_id = i AND v.period_id = p
	  AND (v.org_id = o OR v.bloc_id = b);
	IF existing.id IS NULL THEN
		INSERT INTO value (org_id, bloc_id, indicator_id, period_id, actual, target, note)
		VALUES (o, b, i, p, p_actual, p_target, p_note);
		RETURN 'created';
	END IF;
	IF existing.actual::text IS NOT DISTINCT FROM p_actual::text
	   AND existing.target::text IS NOT DISTINCT FROM p_target::text
	   AND existing.note IS NOT DISTINCT FROM p_note THEN
		RETURN 'unchanged';
	END IF;
	UPDATE value SET actual = p_actual, target = p_target, note = p_note WHERE id = existing.id;
	RETURN 'updated';
END $$;
