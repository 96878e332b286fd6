-- The buckets of every organization and every bloc (012_cache.sql), kept
-- in tables as the structure changes instead of walked for every request:
-- the key check reads the buckets of an answer's subject for every cached
-- answer (walking a bloc's fifteen members took about 10 ms, more than the
-- answer the cache saves; now it is one index look-up), and every value
-- written looks up its organization's.

CREATE TABLE org_bucket (
	org_id bigint NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
	bucket text NOT NULL,
	PRIMARY KEY (org_id, bucket)
);

-- A bloc's buckets: those of its members of every year and its organizer;
-- '*' when one of them has none (a root: the bloc's answers then depend on
-- everything) or the bloc has no one yet.
CREATE TABLE bloc_bucket (
	bloc_id bigint NOT NULL REFERENCES bloc (id) ON DELETE CASCADE,
	bucket text NOT NULL,
	PRIMARY KEY (bloc_id, bucket)
);

CREATE FUNCTION bloc_bucket_refresh(p_blocs bigint[]) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM bloc_bucket WHERE bloc_id = ANY (p_blocs);
	WITH subject(bloc_id, org_id) AS (
		SELECT m.bloc_id, m.org_id FROM bloc_member m WHERE m.bloc_id = ANY (p_blocs)
		UNION
		SELECT b.id, b.organizer_id FROM bloc b WHERE b.id = ANY (p_blocs) AND b.organizer_id IS NOT NULL
	)
	INSERT INTO bloc_bucket (bloc_id, bucket)
	SELECT b.id, coalesce(ob.bucket, '*')
	FROM bloc b LEFT JOIN subject s ON s.bloc_id = b.id LEFT JOIN org_bucket ob ON ob.org_id = s.org_id
	WHERE b.id = ANY (p_blocs)
	ON CONFLICT DO NOTHING;
$$;

INSERT INTO org_bucket (org_id, bucket)
SELECT org_id, bucket FROM org_buckets(ARRAY(SELECT id FROM organization));
SELECT bloc_bucket_refresh(ARRAY(SELECT id FROM bloc));

-- A link that changes can change the buckets of its organization and of
-- everything ever below it (the organization may become or stop being a
-- top-level union, or a root): those are computed again, and those of the
-- blocs they are in or organize. Two imports that change the same
-- organization at once keep the buckets of both (more answers are
-- refreshed, never fewer). The walks follow the indexes: estimated on a
-- recursive query, the planner otherwise hashes the whole hierarchy for
-- each organization (2 ms a row of an import of 10 000 unions).
CREATE FUNCTION org_bucket_refresh(p_orgs bigint[]) RETURNS void
LANGUAGE plpgsql
SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
	v_all bigint[];
BEGIN
	IF p_orgs IS NULL OR cardinality(p_orgs) = 0 THEN
		RETURN;
	END IF;
	v_all := ARRAY(
		WITH RECURSIVE down(id) AS (
			SELECT unnest(p_orgs)
			UNION
			SELECT l.org_id FROM organization_parent l JOIN down ON l.parent_id = down.id
		)
		SELECT id FROM down);
	DELETE FROM org_bucket WHERE org_id = ANY (v_all);
	INSERT INTO org_bucket (org_id, bucket)
	SELECT b.org_id, b.bucket FROM org_buckets(v_all) b
	ON CONFLICT DO NOTHING;
	PERFORM bloc_bucket_refresh(ARRAY(SELECT bloc_id FROM bloc_member WHERE org_id = ANY (v_all)
	                                  UNION SELECT id FROM bloc WHERE organizer_id = ANY (v_all)));
END $$;

-- An organizations import changes links row by row: the organizations it
-- touches are noted (thidua.buckets_later, set by the import below) and
-- their buckets computed once, at its end.
CREATE FUNCTION org_bucket_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_orgs bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		v_orgs := ARRAY(SELECT DISTINCT org_id FROM new_rows);
	ELSIF TG_OP = 'DELETE' THEN
		v_orgs := ARRAY(SELECT DISTINCT org_id FROM old_rows);
	ELSE
		v_orgs := ARRAY(SELECT org_id FROM new_rows UNION SELECT org_id FROM old_rows);
	END IF;
	IF current_setting('thidua.buckets_later', true) = 'on' THEN
		IF to_regclass('pg_temp.org_bucket_pending') IS NULL THEN
			CREATE TEMP TABLE org_bucket_pending (org_id bigint) ON COMMIT DROP;
		END IF;
		INSERT INTO org_bucket_pending SELECT unnest(v_orgs);
	ELSE
		PERFORM org_bucket_refresh(v_orgs);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER org_bucket_insert AFTER INSERT ON organization_parent
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_bucket_follow();
CREATE TRIGGER org_bucket_update AFTER UPDATE ON organization_parent
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_bucket_follow();
CREATE TRIGGER org_bucket_delete AFTER DELETE ON organization_parent
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION org_bucket_follow();

CREATE FUNCTION bloc_bucket_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'bloc' THEN
		PERFORM bloc_bucket_refresh(ARRAY(SELECT id FROM new_rows));
	ELSIF TG_OP = 'INSERT' THEN
		PERFORM bloc_bucket_refresh(ARRAY(SELECT DISTINCT bloc_id FROM new_rows));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM bloc_bucket_refresh(ARRAY(SELECT DISTINCT bloc_id FROM old_rows));
	ELSE
		PERFORM bloc_bucket_refresh(ARRAY(SELECT bloc_id FROM new_rows UNION SELECT bloc_id FROM old_rows));
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER bloc_bucket_insert AFTER INSERT ON bloc
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bloc_bucket_follow();
CREATE TRIGGER bloc_bucket_update AFTER UPDATE ON bloc
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bloc_bucket_follow();
CREATE TRIGGER bloc_bucket_member_insert AFTER INSERT ON bloc_member
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bloc_bucket_follow();
CREATE TRIGGER bloc_bucket_member_update AFTER UPDATE ON bloc_member
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bloc_bucket_follow();
CREATE TRIGGER bloc_bucket_member_delete AFTER DELETE ON bloc_member
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bloc_bucket_follow();

-- The same keys as before, from the tables.
CREATE OR REPLACE FUNCTION value_bump_keys(p_orgs bigint[], p_blocs bigint[]) RETURNS TABLE (key text)
LANGUAGE sql STABLE AS $$
	SELECT b.bucket FROM org_bucket b WHERE b.org_id = ANY (p_orgs)
	UNION
	SELECT o.code::text FROM organization o
	WHERE o.id = ANY (p_orgs) AND NOT EXISTS (SELECT 1 FROM org_bucket b WHERE b.org_id = o.id)
	UNION
	SELECT 'bloc:' || b.code FROM bloc b WHERE b.id = ANY (p_blocs)
$$;

-- The same versions as before: the subject's buckets are read, not walked
-- (two index look-ups), and the counts of the structure and of each bucket
-- come from one query.
CREATE OR REPLACE FUNCTION cache_version(p_on text, p_code text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_keys text[];
BEGIN
	IF p_on IS NULL THEN
		RETURN NULL;
	ELSIF p_on = 'org' THEN
		v_keys := ARRAY(SELECT ob.bucket FROM organization o JOIN org_bucket ob ON ob.org_id = o.id
		                WHERE o.code = upper(p_code));
	ELSIF p_on = 'bloc' THEN
		v_keys := ARRAY(SELECT bb.bucket FROM bloc b JOIN bloc_bucket bb ON bb.bloc_id = b.id
		                WHERE b.code = upper(p_code)) || ('bloc:' || upper(p_code));
	END IF;
	-- no buckets, or a member without any: the answer depends on everything
	IF p_on = 'all' OR v_keys = '{}' OR '*' = ANY (v_keys) OR (p_on = 'bloc' AND cardinality(v_keys) = 1) THEN
		RETURN (SELECT 's=' || coalesce(sum(n) FILTER (WHERE key = 'structure'), 0)
		               || ';all=' || coalesce(sum(n) FILTER (WHERE key <> 'structure'), 0) FROM cache_bump);
	END IF;
	RETURN (SELECT string_agg(CASE WHEN k = 'structure' THEN 's' ELSE k END || '=' || coalesce(c.n, 0), ';'
	                          ORDER BY k <> 'structure', k)
	        FROM unnest('structure'::text || v_keys) k
	        LEFT JOIN LATERAL (SELECT sum(c.n) AS n FROM cache_bump c WHERE c.key = k) c ON true);
END $$;

-- The organizations import (009_imports.sql) with the buckets of what it
-- changed computed once, after its last row. A file much larger than what
-- the statistics describe (the first load of a country, then its moves)
-- refreshes them first, as a values import does: each row's look-ups were
-- otherwise planned as for empty tables (5 ms a row instead of 0.5).
CREATE FUNCTION import_organizations_then_buckets(p_scope bigint, p_keep_good boolean, p_mode text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	v_result json;
	v_n bigint := (SELECT count(*) FROM import_rows);
BEGIN
	-- (not while the tables are nearly empty: statistics of empty tables
	-- would plan every look-up of a first load as a scan)
	IF v_n > 1000 AND v_n > 0.2 * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'organization_parent'::regclass)
	   AND (SELECT count(*) FROM organization_parent) > 1000 THEN
		ANALYZE organization;
		ANALYZE organization_parent;
	END IF;
	PERFORM set_config('thidua.buckets_later', 'on', true);
	v_result := import_organizations(p_scope, p_keep_good, p_mode);
	PERFORM set_config('thidua.buckets_later', 'off', true);
	IF to_regclass('pg_temp.org_bucket_pending') IS NOT NULL THEN
		PERFORM org_bucket_refresh(ARRAY(SELECT DISTINCT org_id FROM org_bucket_pending));
		DROP TABLE org_bucket_pending;
	END IF;
	RETURN v_result;
END $$;
