-- Values: one figure per organization (or a bloc's own reported total),
-- indicator and period — an actual and/or a target, numeric end to end —
-- and every earlier version of it, kept by triggers, so psql writes are
-- recorded too.

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
-- The roll-ups read one indicator's figures for one period, and which
-- organizations have figures inside a period, from the index alone.
CREATE INDEX value_indicator_period_org ON value (indicator_id, period_id, org_id) INCLUDE (actual, target);
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
	-- numbers compare by value: 2516.1 replacing 2516.100 is no change (both
	-- read 2516.1)
	IF NEW.actual IS NOT DISTINCT FROM OLD.actual
	   AND NEW.target IS NOT DISTINCT FROM OLD.target
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

-- A deletion keeps the last version and adds a row saying it was deleted.
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
	IF existing.actual IS NOT DISTINCT FROM p_actual
	   AND existing.target IS NOT DISTINCT FROM p_target
	   AND existing.note IS NOT DISTINCT FROM p_note THEN
		RETURN 'unchanged';
	END IF;
	UPDATE value SET actual = p_actual, target = p_target, note = p_note WHERE id = existing.id;
	RETURN 'updated';
END $$;

-- The field ('actual' or 'target') of a value row.
CREATE FUNCTION value_field(v value, p_field text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_field WHEN 'actual' THEN v.actual ELSE v.target END;
