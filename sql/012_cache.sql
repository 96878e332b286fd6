-- What a cached answer depends on, finer than "any commit" (README, "The
-- response cache").
--
-- Every write counts itself in cache_bump under the keys it touches: a
-- value under the bucket of its organization — the top-level unions (the
-- ones right under a root, such as a province federation) it ever sat
-- under —, a bloc's own total under the bloc; any change to the structure
-- (organizations, their links, indicators, periods, blocs, keys, locks)
-- under 'structure'. Rows are only inserted, so concurrent imports never
-- wait on each other here. A reader's version of a key is the number of
-- bumps its snapshot sees: commits only ever add to what a later snapshot
-- sees, so two equal counts mean the same writes. An answer keeps the
-- versions of the keys it depends on and is reused while they are the
-- same: a write in Hà Tĩnh no longer throws away the answers about Hải
-- Phòng, and a read after any write it depends on still never sees the
-- old figure, on any instance.

CREATE TABLE cache_bump (
	key text NOT NULL,
	n bigint NOT NULL DEFAULT 1
);
CREATE INDEX cache_bump_key ON cache_bump (key);

-- The buckets of organizations: for each, the top-level unions among it
-- and its ancestors at any time (a top-level union: one linked right under
-- an organization that is never under any). Over every date at once, so a
-- union that moved is in the buckets of both places. An organization that
-- is a root, or linked to no top-level union, has none.
CREATE FUNCTION org_buckets(p_orgs bigint[]) RETURNS TABLE (org_id bigint, bucket text)
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE up(org_id, node) AS (
		SELECT o, o FROM unnest(p_orgs) o
		UNION
		SELECT up.org_id, l.parent_id FROM up JOIN organization_parent l ON l.org_id = up.node
	)
	SELECT DISTINCT up.org_id, t.code::text
	FROM up JOIN organization t ON t.id = up.node
	WHERE EXISTS (SELECT 1 FROM organization_parent l JOIN organization r ON r.id = l.parent_id
	              WHERE l.org_id = up.node
	                AND NOT EXISTS (SELECT 1 FROM organization_parent rl WHERE rl.org_id = r.id))
$$;

-- The keys values written touch: their organizations' buckets (an
-- organization without one under its own code), a bloc's own total under
-- the bloc.
CREATE FUNCTION value_bump_keys(p_orgs bigint[], p_blocs bigint[]) RETURNS TABLE (key text)
LANGUAGE sql STABLE AS $$
	SELECT b.bucket FROM org_buckets(p_orgs) b
	UNION
	SELECT o.code::text FROM organization o
	WHERE o.id = ANY (p_orgs) AND NOT EXISTS (SELECT 1 FROM org_buckets(ARRAY[o.id]))
	UNION
	SELECT 'bloc:' || b.code FROM bloc b WHERE b.id = ANY (p_blocs)
$$;

CREATE FUNCTION value_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO cache_bump (key)
		SELECT k.key FROM value_bump_keys((SELECT array_agg(DISTINCT org_id) FROM new_rows WHERE org_id IS NOT NULL),
		                                  (SELECT array_agg(DISTINCT bloc_id) FROM new_rows WHERE bloc_id IS NOT NULL)) k;
	END IF;
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		INSERT INTO cache_bump (key)
		SELECT k.key FROM value_bump_keys((SELECT array_agg(DISTINCT org_id) FROM old_rows WHERE org_id IS NOT NULL),
		                                  (SELECT array_agg(DISTINCT bloc_id) FROM old_rows WHERE bloc_id IS NOT NULL)) k;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER value_bump_insert AFTER INSERT ON value
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION value_bump();
CREATE TRIGGER value_bump_update AFTER UPDATE ON value
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION value_bump();
CREATE TRIGGER value_bump_delete AFTER DELETE ON value
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION value_bump();

-- A change to the structure: counted only when a row did change (an
-- import's INSERT ... ON CONFLICT DO NOTHING of the periods it names, or
-- an UPDATE that finds nothing different, changes nothing).
CREATE FUNCTION structure_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	-- each query names only the transition table this event has
	IF TG_OP = 'TRUNCATE' THEN
		INSERT INTO cache_bump (key) VALUES ('structure');
	ELSIF TG_OP = 'DELETE' THEN
		INSERT INTO cache_bump (key) SELECT 'structure' WHERE EXISTS (SELECT 1 FROM old_rows);
	ELSE
		INSERT INTO cache_bump (key) SELECT 'structure' WHERE EXISTS (SELECT 1 FROM new_rows);
	END IF;
	RETURN NULL;
END $$;

-- A trigger for each event (a trigger with transition tables has one).
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organization', 'organization_parent', 'indicator', 'period', 'bloc', 'bloc_year',
	                         'bloc_member', 'bloc_agreement_content', 'bloc_criterion', 'bloc_adjustment', 'api_key',
	                         'period_lock'] LOOP
		EXECUTE format('CREATE TRIGGER structure_bump_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION structure_bump()', t);
		EXECUTE format('CREATE TRIGGER structure_bump_update AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION structure_bump()', t);
		EXECUTE format('CREATE TRIGGER structure_bump_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION structure_bump()', t);
		EXECUTE format('CREATE TRIGGER structure_bump_truncate AFTER TRUNCATE ON %I '
		               'FOR EACH STATEMENT EXECUTE FUNCTION structure_bump()', t);
	END LOOP;
END $$;

-- The version a reader sees of what an answer depends on (p_on): the
-- structure alone ('structure'), the structure and the buckets of an
-- organization ('org', p_code) or of a bloc — its members of every year,
-- its organizer, its own totals — ('bloc', p_code), or everything
-- ('all'). A subject without buckets (a root: its answers cover
-- everything) or unknown counts as everything. NULL p_on: NULL.
CREATE FUNCTION cache_version(p_on text, p_code text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_keys text[];
	v_subjects bigint[];
	v_rootless boolean;
BEGIN
	IF p_on IS NULL THEN
		RETURN NULL;
	END IF;
	IF p_on = 'org' THEN
		v_subjects := ARRAY(SELECT id FROM organization WHERE code = upper(p_code));
	ELSIF p_on = 'bloc' THEN
		v_subjects := ARRAY(SELECT m.org_id FROM bloc_member m JOIN bloc b ON b.id = m.bloc_id WHERE b.code = upper(p_code)
		                    UNION SELECT b.organizer_id FROM bloc b WHERE b.code = upper(p_code) AND b.organizer_id IS NOT NULL);
	END IF;
	IF p_on IN ('org', 'bloc') THEN
		SELECT array_agg(DISTINCT b.bucket), bool_or(b.bucket IS NULL) INTO v_keys, v_rootless
		FROM unnest(v_subjects) s(id) LEFT JOIN org_buckets(ARRAY[s.id]) b ON true;
		IF v_keys IS NULL OR v_rootless OR cardinality(v_subjects) = 0 THEN
			p_on := 'all';
		ELSIF p_on = 'bloc' THEN
			v_keys := v_keys || ('bloc:' || upper(p_code));
		END IF;
	END IF;
	RETURN 's=' || (SELECT coalesce(sum(n), 0) FROM cache_bump WHERE key = 'structure')
	       || CASE p_on
	          WHEN 'structure' THEN ''
	          WHEN 'all' THEN ';all=' || (SELECT coalesce(sum(n), 0) FROM cache_bump WHERE key <> 'structure')
	          ELSE (SELECT string_agg(';' || k || '=' || (SELECT coalesce(sum(c.n), 0) FROM cache_bump c WHERE c.key = k), ''
	                                  ORDER BY k)
	                FROM unnest(v_keys) k) END;
END $$;

-- Keeps cache_bump small: the rows of each key become one carrying their
-- sum, in one statement, so every reader's counts stay what they were.
-- The service calls it after a write, now and then.
CREATE FUNCTION cache_bump_compact() RETURNS void
LANGUAGE sql AS $$
	WITH many AS (
		SELECT key FROM cache_bump GROUP BY key HAVING count(*) > 1
	), gone AS (
		DELETE FROM cache_bump c USING many m WHERE c.key = m.key RETURNING c.key, c.n
	)
	INSERT INTO cache_bump (key, n) SELECT key, sum(n) FROM gone GROUP BY key
$$;
