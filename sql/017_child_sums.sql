-- Rule 3 without walking down to the grassroots. A roll-up added up every
-- reported figure below the organization by walking to it: the whole
-- country's breakdown walked 100 000 unions for each field at scale 1
-- (about 300 ms). Each organization now has, for every indicator and
-- period, the sum and the number of its children's reported figures (as
-- the hierarchy stood on the period's last day), kept by triggers in the
-- transaction that writes them; a walk reads that sum, goes down only
-- into the children that reported nothing (their figure may be derived,
-- or their children's), and, when every child reported, no further.

-- The sum of the figures reported for one indicator and period by the
-- organizations whose parent on the period's last day is parent_id, and
-- how many there are, for actual and target apart (each is 0 with n 0
-- when none reported it). No CHECK on the counts: an upsert checks the row
-- it would insert (a change, which may take away) before it finds the one
-- it updates; tests/integration/test_child_sums.py compares the table with
-- the figures after every kind of write instead.
CREATE TABLE child_sum (
	parent_id bigint NOT NULL,
	indicator_id int NOT NULL,
	period_id int NOT NULL,
	actual numeric NOT NULL,
	actual_n int NOT NULL,
	target numeric NOT NULL,
	target_n int NOT NULL,
	PRIMARY KEY (parent_id, indicator_id, period_id)
);

-- How many children an organization has, through time: n on the days of
-- `during` (days with none have no row). A walk asks it of every
-- organization it passes, where counting the links would read each child's.
CREATE TABLE child_count (
	parent_id bigint NOT NULL,
	during daterange NOT NULL,
	n int NOT NULL CHECK (n > 0),
	PRIMARY KEY (parent_id, during)
);

-- Count again the children of some organizations: their links' first and
-- last days cut time into spans with the same children.
CREATE FUNCTION child_count_refresh(p_parents bigint[]) RETURNS void
LANGUAGE sql AS $$
	DELETE FROM child_count WHERE parent_id = ANY (p_parents);
	INSERT INTO child_count (parent_id, during, n)
	SELECT s.parent_id, s.during, s.n
	FROM (SELECT b.parent_id, daterange(b.day, b.next) AS during,
	             (SELECT count(*) FROM organization_parent l
	              WHERE l.parent_id = b.parent_id AND link_holds(l, b.day))::int AS n
	      FROM (SELECT x.parent_id, x.day, lead(x.day) OVER (PARTITION BY x.parent_id ORDER BY x.day) AS next
	            FROM (SELECT DISTINCT l.parent_id, d.day
	                  FROM organization_parent l
	                  CROSS JOIN LATERAL (VALUES (coalesce(lower(l.during), '-infinity')),
	                                             (coalesce(upper(l.during), 'infinity'))) d (day)
	                  WHERE l.parent_id = ANY (p_parents)) x) b
	      WHERE b.next IS NOT NULL) s
	WHERE s.n > 0;
$$;

-- What figures add to their parents' sums (p_sign 1) or take away (-1):
-- each organization's figure counts in the sum of its parent on the
-- period's last day. (Links are matched with link_holds(), as everywhere
-- since 015_summary.sql: on `during @>` the planner read every link of
-- the day for each figure, 12 s for 5 000 figures.)
CREATE FUNCTION child_sums_of(p_figures value[], p_sign int) RETURNS SETOF child_sum
LANGUAGE sql STABLE AS $$
	SELECT l.parent_id, f.indicator_id, f.period_id,
	       p_sign * coalesce(sum(f.actual), 0), p_sign * count(f.actual)::int,
	       p_sign * coalesce(sum(f.target), 0), p_sign * count(f.target)::int
	FROM unnest(p_figures) f
	JOIN period pr ON pr.id = f.period_id
	JOIN organization_parent l ON l.org_id = f.org_id AND link_holds(l, pr.end_date)
	GROUP BY 1, 2, 3
$$;

-- What links add to their parents' sums or take away: the figures of the
-- child for the periods ending while the link holds.
CREATE FUNCTION child_sums_of_links(p_links organization_parent[], p_sign int) RETURNS SETOF child_sum
LANGUAGE sql STABLE AS $$
	SELECT l.parent_id, v.indicator_id, v.period_id,
	       p_sign * coalesce(sum(v.actual), 0), p_sign * count(v.actual)::int,
	       p_sign * coalesce(sum(v.target), 0), p_sign * count(v.target)::int
	FROM unnest(p_links) l
	JOIN value v ON v.org_id = l.org_id
	JOIN period pr ON pr.id = v.period_id AND link_holds(l, pr.end_date)
	GROUP BY 1, 2, 3
$$;

-- Apply changes to the sums, in key order (two transactions writing under
-- the same parents lock its rows in the same order), and drop the sums
-- left with nothing in them.
CREATE FUNCTION child_sum_add(p_changes child_sum[]) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO child_sum AS s (parent_id, indicator_id, period_id, actual, actual_n, target, target_n)
	SELECT c.parent_id, c.indicator_id, c.period_id, sum(c.actual), sum(c.actual_n), sum(c.target), sum(c.target_n)
	FROM unnest(p_changes) c
	GROUP BY 1, 2, 3
	HAVING sum(c.actual_n) <> 0 OR sum(c.target_n) <> 0 OR sum(c.actual) <> 0 OR sum(c.target) <> 0
	ORDER BY 1, 2, 3
	ON CONFLICT (parent_id, indicator_id, period_id) DO UPDATE
	SET actual = s.actual + excluded.actual, actual_n = s.actual_n + excluded.actual_n,
	    target = s.target + excluded.target, target_n = s.target_n + excluded.target_n;
	DELETE FROM child_sum s
	USING (SELECT DISTINCT parent_id, indicator_id, period_id FROM unnest(p_changes)) c
	WHERE s.parent_id = c.parent_id AND s.indicator_id = c.indicator_id AND s.period_id = c.period_id
	  AND s.actual_n = 0 AND s.target_n = 0;
$$;

-- Changes to the sums and parents whose children are to be counted again,
-- applied at once; or, during an import (thidua.sums_later, set by the two
-- import functions below), noted and applied once after its last statement
-- by children_flush(): an organizations import changes links one row at a
-- time (the country's load moves 100 000 unions), and a values import
-- writes in two statements, which in one batch take the sums' rows in key
-- order, so that two imports under the same parents queue for them instead
-- of deadlocking.
CREATE FUNCTION children_changed(p_changes child_sum[], p_parents bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(p_changes) + cardinality(p_parents) = 0 THEN
		RETURN;
	END IF;
	IF current_setting('thidua.sums_later', true) = 'on' THEN
		IF to_regclass('pg_temp.children_pending') IS NULL THEN
			CREATE TEMP TABLE children_pending (changes child_sum[], parents bigint[]) ON COMMIT DROP;
		END IF;
		INSERT INTO children_pending VALUES (p_changes, p_parents);
		RETURN;
	END IF;
	IF cardinality(p_changes) > 0 THEN
		PERFORM child_sum_add(p_changes);
	END IF;
	IF cardinality(p_parents) > 0 THEN
		PERFORM child_count_refresh(p_parents);
	END IF;
END $$;

-- The end of an import: what it noted, applied in one batch.
CREATE FUNCTION children_flush() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('thidua.sums_later', 'off', true);
	IF to_regclass('pg_temp.children_pending') IS NOT NULL THEN
		PERFORM children_changed(ARRAY(SELECT c FROM children_pending p, unnest(p.changes) c),
		                         ARRAY(SELECT DISTINCT x FROM children_pending p, unnest(p.parents) x));
		DROP TABLE children_pending;
	END IF;
END $$;

CREATE FUNCTION children_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_new value[] := '{}';
	v_old value[] := '{}';
	v_links organization_parent[] := '{}';
	v_gone organization_parent[] := '{}';
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		-- of the figures or of the links: every sum goes with them
		DELETE FROM child_sum;
		IF TG_TABLE_NAME = 'organization_parent' THEN
			DELETE FROM child_count;
		END IF;
		RETURN NULL;
	END IF;
	IF TG_TABLE_NAME = 'value' THEN
		IF TG_OP = 'INSERT' THEN
			v_new := ARRAY(SELECT n::value FROM new_rows n WHERE n.org_id IS NOT NULL);
		ELSIF TG_OP = 'DELETE' THEN
			v_old := ARRAY(SELECT o::value FROM old_rows o WHERE o.org_id IS NOT NULL);
		ELSE
			-- only the rows whose figures or subject changed (a note, a revision alone change nothing)
			SELECT coalesce(array_agg(n::value), '{}'), coalesce(array_agg(o::value), '{}') INTO v_new, v_old
			FROM new_rows n JOIN old_rows o ON o.id = n.id
			WHERE (n.org_id IS NOT NULL OR o.org_id IS NOT NULL)
			  AND (n.org_id, n.indicator_id, n.period_id, n.actual, n.target)
			      IS DISTINCT FROM (o.org_id, o.indicator_id, o.period_id, o.actual, o.target);
		END IF;
		PERFORM children_changed(ARRAY(SELECT child_sums_of(v_old, -1) UNION ALL SELECT child_sums_of(v_new, 1)),
		                         '{}');
	ELSE
		IF TG_OP IN ('INSERT', 'UPDATE') THEN
			v_links := ARRAY(SELECT n::organization_parent FROM new_rows n);
		END IF;
		IF TG_OP IN ('DELETE', 'UPDATE') THEN
			v_gone := ARRAY(SELECT o::organization_parent FROM old_rows o);
		END IF;
		-- the figures the links carried move between parents' sums
		PERFORM children_changed(ARRAY(SELECT child_sums_of_links(v_gone, -1) UNION ALL
		                               SELECT child_sums_of_links(v_links, 1)),
		                         ARRAY(SELECT parent_id FROM unnest(v_links) UNION SELECT parent_id FROM unnest(v_gone)));
	END IF;
	RETURN NULL;
END $$;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['value', 'organization_parent'] LOOP
		EXECUTE format('CREATE TRIGGER children_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION children_follow()', t);
		EXECUTE format('CREATE TRIGGER children_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
		               'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION children_follow()', t);
		EXECUTE format('CREATE TRIGGER children_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
		               'FOR EACH STATEMENT EXECUTE FUNCTION children_follow()', t);
		EXECUTE format('CREATE TRIGGER children_truncate AFTER TRUNCATE ON %I '
		               'FOR EACH STATEMENT EXECUTE FUNCTION children_follow()', t);
	END LOOP;
END $$;

-- The organizations import (013_org_buckets.sql), with the sums and counts
-- its links change applied once, after its last row, as its buckets are.
CREATE OR REPLACE FUNCTION import_organizations_then_buckets(p_scope bigint, p_keep_good boolean, p_mode text)
RETURNS json
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
	PERFORM set_config('thidua.sums_later', 'on', true);
	v_result := import_organizations(p_scope, p_keep_good, p_mode);
	PERFORM set_config('thidua.buckets_later', 'off', true);
	IF to_regclass('pg_temp.org_bucket_pending') IS NOT NULL THEN
		PERFORM org_bucket_refresh(ARRAY(SELECT DISTINCT org_id FROM org_bucket_pending));
		DROP TABLE org_bucket_pending;
	END IF;
	PERFORM children_flush();
	RETURN v_result;
END $$;

-- The values import (009_imports.sql), with the sums it changes applied
-- once, after its last statement.
CREATE FUNCTION import_values_then_sums(p_scope bigint, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	v_result json;
BEGIN
	PERFORM set_config('thidua.sums_later', 'on', true);
	v_result := import_values(p_scope, p_keep_good);
	PERFORM children_flush();
	RETURN v_result;
END $$;

-- The sums of the figures already there.
INSERT INTO child_sum
SELECT l.parent_id, v.indicator_id, v.period_id, coalesce(sum(v.actual), 0), count(v.actual),
       coalesce(sum(v.target), 0), count(v.target)
FROM value v
JOIN period pr ON pr.id = v.period_id
JOIN organization_parent l ON l.org_id = v.org_id AND link_holds(l, pr.end_date)
GROUP BY 1, 2, 3;
SELECT child_count_refresh(ARRAY(SELECT DISTINCT parent_id FROM organization_parent));

-- For a walk, at an organization without a figure of its own (p_own
-- NULL): the sum of its children's reported figures for one field, how
-- many there are, and whether any child reported none (the walk goes on
-- into those only). Nothing for an organization with its own figure, or
-- with no children that day.
CREATE FUNCTION children_reported(p_org bigint, p_own numeric, p_indicator int, p_period_id int, p_day date,
                                  p_field text)
RETURNS TABLE (reported numeric, reported_n int, open boolean)
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN s.n > 0 THEN s.total END, coalesce(s.n, 0), coalesce(s.n, 0) < c.n
	FROM child_count c
	LEFT JOIN child_sum x ON x.parent_id = p_org AND x.indicator_id = p_indicator AND x.period_id = p_period_id
	CROSS JOIN LATERAL (SELECT CASE p_field WHEN 'actual' THEN x.actual ELSE x.target END AS total,
	                           CASE p_field WHEN 'actual' THEN x.actual_n ELSE x.target_n END AS n) s
	WHERE p_own IS NULL AND c.parent_id = p_org AND c.during @> p_day
$$;

-- The children of an organization on a day that reported nothing for one
-- indicator, period and field: the ones a walk still goes into (a lateral
-- subquery the planner keeps apart, so that nothing is asked of the others).
CREATE FUNCTION unreported_children(p_org bigint, p_indicator int, p_period_id int, p_day date, p_field text)
RETURNS TABLE (org_id bigint)
LANGUAGE sql STABLE AS $$
	SELECT l.org_id
	FROM organization_parent l
	WHERE l.parent_id = p_org AND link_holds(l, p_day)
	  AND NOT EXISTS (SELECT 1 FROM value v
	                  WHERE v.org_id = l.org_id AND v.indicator_id = p_indicator AND v.period_id = p_period_id
	                    AND value_field(v, p_field) IS NOT NULL)
	OFFSET 0
$$;

-- children_figures (011_analytics.sql) on the sums: each child's own
-- figure (rules 1 and 2), else the sums below it, going down only into
-- the organizations that reported nothing.
CREATE OR REPLACE FUNCTION children_figures(p_org bigint, p_indicator int, p period_info, p_field text)
RETURNS TABLE (child_id bigint, val numeric, source text)
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE ind AS (
		SELECT i.kind, i.rollup, (SELECT id FROM period WHERE code = p.code) AS period_id
		FROM indicator i WHERE i.id = p_indicator
	), walk(org_id, top, depth, own, own_source, reported, reported_n, open) AS (
		SELECT l.org_id, l.org_id, 1, f.val, f.source, k.reported, k.reported_n, k.open
		FROM organization_parent l
		CROSS JOIN ind
		LEFT JOIN value v ON v.org_id = l.org_id AND v.indicator_id = p_indicator AND v.period_id = ind.period_id
		LEFT JOIN LATERAL reported_or_derived(l.org_id, value_field(v, p_field),
		                                      value_field(v, p_field) IS NULL AND has_pieces(l.org_id, p_indicator, p),
		                                      p_indicator, ind.kind, p, p_field) f ON true
		LEFT JOIN LATERAL children_reported(l.org_id, f.val, p_indicator, ind.period_id, p.end_date, p_field) k
			ON ind.rollup = 'sum'
		WHERE l.parent_id = p_org AND link_holds(l, p.end_date)
		UNION ALL
		-- the children that reported nothing, of an organization without its own figure
		SELECT l.org_id, w.top, w.depth + 1, f.val, f.source, k.reported, k.reported_n, k.open
		FROM walk w
		CROSS JOIN ind
		CROSS JOIN LATERAL unreported_children(w.org_id, p_indicator, ind.period_id, p.end_date, p_field) l
		LEFT JOIN LATERAL reported_or_derived(l.org_id, NULL, has_pieces(l.org_id, p_indicator, p),
		                                      p_indicator, ind.kind, p, p_field) f ON true
		LEFT JOIN LATERAL children_reported(l.org_id, f.val, p_indicator, ind.period_id, p.end_date, p_field) k ON true
		WHERE w.open AND w.depth < 20
	), counted AS (
		SELECT w.top,
		       max(w.own) FILTER (WHERE w.depth = 1) AS own,
		       max(w.own_source) FILTER (WHERE w.depth = 1) AS own_source,
		       sum(coalesce(w.own, 0)) FILTER (WHERE w.depth > 1) AS below,
		       count(w.own) FILTER (WHERE w.depth > 1) AS below_n,
		       sum(coalesce(w.reported, 0)) AS reported,
		       sum(coalesce(w.reported_n, 0)) AS reported_n
		FROM walk w
		GROUP BY w.top
	)
	SELECT c.top,
	       coalesce(c.own, CASE WHEN coalesce(c.below_n, 0) + c.reported_n > 0
	                            THEN coalesce(c.below, 0) + c.reported END),
	       coalesce(c.own_source, CASE WHEN coalesce(c.below_n, 0) + c.reported_n > 0 THEN 'children' END)
	FROM counted c
$$;

-- children_totals (015_summary.sql) on the sums, the same way.
CREATE OR REPLACE FUNCTION children_totals(p_org bigint, p_slots int[], p_indicators int[], p_periods period_info[],
                                           p_fields text[])
RETURNS TABLE (slot int, indicator_id int, val numeric, source text)
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE asks AS (
		SELECT u.slot, u.p, u.field, pr.id AS period_id, i.id AS indicator_id, i.kind
		FROM (SELECT p_slots[n] AS slot, p_indicators[n] AS indicator_id, p_periods[n] AS p, p_fields[n] AS field
		      FROM generate_subscripts(p_slots, 1) n) u
		-- a period no figure names has no row: its figures can still be derived
		LEFT JOIN period pr ON pr.code = (u.p).code
		JOIN indicator i ON i.id = u.indicator_id AND i.rollup = 'sum'
		WHERE (u.p).code IS NOT NULL
	), walk(slot, indicator_id, org_id, depth, own, reported, reported_n, open) AS (
		-- from the organization itself, which has no figure of its own here
		SELECT a.slot, a.indicator_id, p_org, 0, NULL::numeric, k.reported, k.reported_n, k.open
		FROM asks a
		CROSS JOIN LATERAL children_reported(p_org, NULL, a.indicator_id, a.period_id, (a.p).end_date, a.field) k
		UNION ALL
		SELECT w.slot, w.indicator_id, l.org_id, w.depth + 1, x.own, k.reported, k.reported_n, k.open
		FROM walk w
		JOIN asks a ON a.slot = w.slot AND a.indicator_id = w.indicator_id
		CROSS JOIN LATERAL unreported_children(w.org_id, a.indicator_id, a.period_id, (a.p).end_date, a.field) l
		LEFT JOIN LATERAL reported_or_derived(
			l.org_id, NULL, a.kind = 'flow' AND has_pieces_of(l.org_id, a.indicator_id, a.p, a.field),
			a.indicator_id, a.kind, a.p, a.field) f ON true
		LEFT JOIN LATERAL stock_below(l.org_id, NULL, a.indicator_id, a.kind, a.p, a.field) st ON true
		CROSS JOIN LATERAL (SELECT coalesce(f.val, st.val) AS own) x
		LEFT JOIN LATERAL children_reported(l.org_id, x.own, a.indicator_id, a.period_id, (a.p).end_date, a.field) k
			ON true
		WHERE w.open AND w.depth < 20
	)
	SELECT w.slot, w.indicator_id,
	       CASE WHEN count(w.own) + sum(coalesce(w.reported_n, 0)) > 0
	            THEN sum(coalesce(w.own, 0) + coalesce(w.reported, 0)) END,
	       CASE WHEN count(w.own) + sum(coalesce(w.reported_n, 0)) > 0 THEN 'children' END
	FROM walk w
	GROUP BY w.slot, w.indicator_id
$$;

-- Every walk down the hierarchy reads links by their parent: the index
-- holds their days too, so that a step reads the index alone.
DROP INDEX organization_parent_parent;
CREATE INDEX organization_parent_parent ON organization_parent (parent_id)
	INCLUDE (org_id, valid_from, valid_to, during);

-- The subtree on one day (003_organizations.sql) walked that day's links
-- only, instead of the subtree through all time cut down to the day
-- afterwards (a province at scale 1: 6 000 spans walked for 3 000
-- organizations, 15 ms). The same organizations: a link lies inside the
-- lives of both its organizations, so the links holding on the day reach
-- no one outside the root's life, and the root only when it lives.
CREATE OR REPLACE FUNCTION organization_subtree_on(p_root bigint, p_on date)
RETURNS TABLE (org_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE t(org_id) AS (
		SELECT id FROM organization WHERE id = p_root AND validity @> p_on
		UNION ALL
		SELECT l.org_id
		FROM t CROSS JOIN LATERAL (
			SELECT l.org_id FROM organization_parent l
			WHERE l.parent_id = t.org_id AND link_holds(l, p_on) OFFSET 0) l
	) CYCLE org_id SET is_cycle USING visited
	SELECT DISTINCT org_id FROM t WHERE NOT is_cycle
$$;

-- The planner prices a recursive walk by guesses (ten levels, each as wide
-- as the table), and above jit_above_cost PostgreSQL compiles the query
-- before running it: the country's breakdown took 1.1 s instead of 40 ms,
-- the compiling alone. The functions behind the API run short statements
-- on indexes, which compiling never repays, so none of them compiles. (A
-- later CREATE OR REPLACE of one of them drops this setting: set it again.)
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
	         WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'api\_%' AND l.lanname = 'plpgsql'
	LOOP
		EXECUTE format('ALTER FUNCTION %s SET jit = off', f);
	END LOOP;
END $$;
