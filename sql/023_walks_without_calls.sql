-- Two costs of the roll-ups at scale 1 (measured with psql on the
-- benchmark's data, 34 provinces, 700 districts, 100 000 unions):
--
-- The walks asked every organization they passed without a figure of its
-- own whether it had figures for shorter periods inside the one asked
-- (has_pieces(), has_pieces_of(): rule 2 comes before rule 3) by calling a
-- SQL function. PostgreSQL cannot write a function holding a subquery
-- into the calling query, so each call ran as a statement of its own:
-- 35 µs, 707 districts asked 25 ms, where the same question written into
-- the query takes 2.3 ms. The country's breakdown of care_amount for 2024
-- walks 747 organizations for its actuals and again for its targets
-- (105 ms). The question is now a set-returning function, pieces(), which
-- the planner does write into the query, with the periods inside listed
-- once and looked up by the figures' key.
--
-- An organization's summary walked the whole subtree (3 022 organizations
-- for a province, 10 ms) to learn which indicators it has figures for.
-- It now walks down from the organization for each indicator and stops at
-- the first organization with a figure: a province's own indicators at
-- the province, its districts' at the first district, the unions' at the
-- first union. Only an indicator with figures elsewhere and none in the
-- subtree is walked through it all.
--
-- The same answers: on the benchmark's data at scale 1, the functions
-- replaced here (kept in a scratch schema) and these gave the same 3 758
-- rows for 753 summaries (organizations of every level and 80 blocs; years,
-- a half-year, a quarter) and the same 278 880 children's figures for
-- 3 096 walks (six indicators, both fields, three periods).

-- Whether an organization has figures for an indicator for periods inside
-- p other than p (for one field, or, with p_field NULL, for any): what
-- there is to derive p from (rule 2).
CREATE FUNCTION pieces(p_org bigint, p_indicator int, p period_info, p_field text)
RETURNS TABLE (found boolean)
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM value v
	               WHERE v.org_id = p_org AND v.indicator_id = p_indicator
	                 AND v.period_id = ANY (ARRAY(SELECT pr.id FROM period pr
	                                              WHERE pr.start_date >= p.start_date AND pr.end_date <= p.end_date
	                                                AND pr.code <> p.code))
	                 AND (p_field IS NULL OR value_field(v, p_field) IS NOT NULL))
$$;

-- stock_below (015_summary.sql) told whether there are pieces by its caller
-- (p_has_pieces: pieces() for any field), as reported_or_derived() is.
DROP FUNCTION stock_below(bigint, numeric, int, indicator_kind, period_info, text);
CREATE FUNCTION stock_below(p_org bigint, p_reported numeric, p_has_pieces boolean, p_indicator int,
                            p_kind indicator_kind, p period_info, p_field text)
RETURNS TABLE (val numeric)
LANGUAGE sql STABLE AS $$
	SELECT value_field(v, p_field)
	FROM value v JOIN period pr ON pr.id = v.period_id
	WHERE p_kind = 'stock' AND p_reported IS NULL AND p_has_pieces
	  AND v.org_id = p_org AND v.indicator_id = p_indicator
	  AND pr.end_date = p.end_date AND pr.code <> p.code AND value_field(v, p_field) IS NOT NULL
	ORDER BY pr.end_date - pr.start_date
	LIMIT 1
$$;

-- children_figures (017_child_sums.sql) asking pieces().
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
		CROSS JOIN LATERAL pieces(l.org_id, p_indicator, p, NULL) pc
		LEFT JOIN LATERAL reported_or_derived(l.org_id, value_field(v, p_field),
		                                      value_field(v, p_field) IS NULL AND pc.found,
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
		CROSS JOIN LATERAL pieces(l.org_id, p_indicator, p, NULL) pc
		LEFT JOIN LATERAL reported_or_derived(l.org_id, NULL, pc.found, p_indicator, ind.kind, p, p_field) f ON true
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

-- children_totals (017_child_sums.sql) asking pieces(): for a flow, pieces
-- with the field asked; for a stock, with any field (stock_below()). Its
-- arguments are built by subqueries, so the summary cannot write it into
-- its own query, and a SQL function is planned again at every call of the
-- query calling it (4 ms at each summary); in plpgsql it keeps one plan.
DROP FUNCTION children_totals(bigint, int[], int[], period_info[], text[]);
CREATE FUNCTION children_totals(p_org bigint, p_slots int[], p_indicators int[], p_periods period_info[],
                                           p_fields text[])
RETURNS TABLE (slot int, indicator_id int, val numeric, source text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
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
		CROSS JOIN LATERAL pieces(l.org_id, a.indicator_id, a.p, CASE WHEN a.kind = 'flow' THEN a.field END) pc
		LEFT JOIN LATERAL reported_or_derived(l.org_id, NULL, a.kind = 'flow' AND pc.found,
		                                      a.indicator_id, a.kind, a.p, a.field) f ON true
		LEFT JOIN LATERAL stock_below(l.org_id, NULL, pc.found, a.indicator_id, a.kind, a.p, a.field) st ON true
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
	GROUP BY w.slot, w.indicator_id;
END $$;
ALTER FUNCTION children_totals(bigint, int[], int[], period_info[], text[]) SET plan_cache_mode = force_generic_plan;


-- Nothing calls them now.
DROP FUNCTION has_pieces(bigint, int, period_info);
DROP FUNCTION has_pieces_of(bigint, int, period_info, text);

-- Whether the subtree of an organization on a day has a figure for an
-- indicator in one of some periods: a walk down from it that stops at the
-- first organization with one (EXISTS reads a recursive query only as far
-- as it needs; each organization has one parent on a day, so the walk
-- meets none twice).
CREATE FUNCTION subtree_has_figure(p_root bigint, p_on date, p_indicator int, p_periods int[])
RETURNS TABLE (found boolean)
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (
		WITH RECURSIVE t(org_id) AS (
			SELECT id FROM organization WHERE id = p_root AND validity @> p_on
			UNION ALL
			SELECT l.org_id
			FROM t CROSS JOIN LATERAL (
				SELECT l.org_id FROM organization_parent l
				WHERE l.parent_id = t.org_id AND link_holds(l, p_on) OFFSET 0) l
		) CYCLE org_id SET is_cycle USING visited
		SELECT 1 FROM t
		WHERE NOT t.is_cycle
		  AND EXISTS (SELECT 1 FROM value v
		              WHERE v.org_id = t.org_id AND v.indicator_id = p_indicator AND v.period_id = ANY (p_periods)))
$$;

-- summary_rows (016_walks.sql) finding the subtree's indicators with
-- subtree_has_figure(), for the indicators with a figure anywhere in a
-- period overlapping the one asked.
CREATE OR REPLACE FUNCTION summary_rows(p_org bigint, p_bloc bigint, p period_info, p_reach datemultirange)
RETURNS TABLE (indicator text, name text, unit text, actual numeric, target numeric, completion_pct numeric,
               year_target numeric, year_progress_pct numeric, previous numeric, yoy_pct numeric, source text,
               missing json)
LANGUAGE sql STABLE AS $$
	WITH periods AS (
		SELECT p, period_year_before(p) AS before,
		       CASE WHEN p.kind IN ('half', 'quarter', 'month', 'ytd') THEN period_parse(p.year::text) END AS whole_year
	), context AS (
		SELECT x.p, x.before, x.whole_year,
		       p_reach IS NULL OR p_reach @> organization_day(p_org, (x.before).end_date) AS before_shown,
		       p_reach IS NULL OR p_reach @> organization_day(p_org, (x.whole_year).end_date) AS year_shown
		FROM periods x
	), slots AS (
		-- what is shown of each indicator: nothing is computed for a period withheld
		SELECT c.p AS s1, c.p AS s2, CASE WHEN c.year_shown THEN c.whole_year END AS s3,
		       CASE WHEN c.before_shown THEN c.before END AS s4
		FROM context c
	), overlapping AS MATERIALIZED (
		-- the periods overlapping the one asked
		SELECT ARRAY(SELECT pr.id FROM period pr WHERE pr.start_date <= p.end_date AND pr.end_date >= p.start_date) AS ids
	), candidates AS (
		-- indicators with a value near the period: in it, in the year, a year before
		SELECT DISTINCT v.indicator_id
		FROM value v JOIN period pr ON pr.id = v.period_id, context c
		WHERE (v.org_id = p_org OR v.bloc_id = p_bloc)
		  AND pr.start_date <= p.end_date
		  AND pr.end_date >= CASE WHEN c.before_shown THEN coalesce((c.before).start_date, p.start_date)
		                          ELSE p.start_date END
		UNION
		-- and those the subtree has figures for, as it stood at the period's end
		SELECT i.id
		FROM indicator i, overlapping o
		WHERE p_org IS NOT NULL AND i.rollup = 'sum'
		  -- the walk only for an indicator with a figure anywhere (CASE: in that order)
		  AND CASE WHEN EXISTS (SELECT 1 FROM period pr
		                        WHERE pr.start_date <= p.end_date AND pr.end_date >= p.start_date
		                          AND EXISTS (SELECT 1 FROM value v WHERE v.indicator_id = i.id AND v.period_id = pr.id))
		           THEN (SELECT s.found FROM subtree_has_figure(p_org, p.end_date, i.id, o.ids) s)
		           ELSE false END
	), own AS MATERIALIZED (
		-- rules 1 and 2
		SELECT i.id, i.code, i.name, i.unit, i.rollup,
		       own_figure_of(p_org, p_bloc, i.id, i.kind, s.s1, 'actual') AS a,
		       own_figure_of(p_org, p_bloc, i.id, i.kind, s.s2, 'target') AS t,
		       own_figure_of(p_org, p_bloc, i.id, i.kind, s.s3, 'target') AS yt,
		       own_figure_of(p_org, p_bloc, i.id, i.kind, s.s4, 'actual') AS prev
		FROM candidates k JOIN indicator i ON i.id = k.indicator_id, slots s
	), asks AS (
		-- rule 3 where rules 1 and 2 gave nothing
		SELECT o.id, x.slot, x.p, x.field
		FROM own o, slots s,
		     LATERAL (VALUES (1, s.s1, 'actual', (o.a).val), (2, s.s2, 'target', (o.t).val),
		                     (3, s.s3, 'target', (o.yt).val), (4, s.s4, 'actual', (o.prev).val)) x(slot, p, field, val)
		WHERE o.rollup = 'sum' AND x.val IS NULL AND (x.p).code IS NOT NULL
	), kids AS MATERIALIZED (
		SELECT k.*
		FROM children_totals(p_org, ARRAY(SELECT slot FROM asks ORDER BY id, slot), ARRAY(SELECT id FROM asks ORDER BY id, slot),
		                     ARRAY(SELECT p FROM asks ORDER BY id, slot), ARRAY(SELECT field FROM asks ORDER BY id, slot)) k
		WHERE p_org IS NOT NULL
	), figures AS (
		-- a figure is its own, else the children's: as figure() gives it
		SELECT o.code, o.name, o.unit,
		       coalesce((o.a).val, CASE WHEN o.rollup = 'sum' THEN k1.val END) AS a_val,
		       coalesce((o.a).source, CASE WHEN o.rollup = 'sum' THEN k1.source END) AS a_source,
		       CASE WHEN (o.a).val IS NULL AND (o.rollup <> 'sum' OR k1.val IS NULL) THEN (o.a).missing END AS a_missing,
		       coalesce((o.t).val, CASE WHEN o.rollup = 'sum' THEN k2.val END) AS t_val,
		       coalesce((o.t).source, CASE WHEN o.rollup = 'sum' THEN k2.source END) AS t_source,
		       coalesce((o.yt).val, CASE WHEN o.rollup = 'sum' THEN k3.val END) AS yt_val,
		       coalesce((o.prev).val, CASE WHEN o.rollup = 'sum' THEN k4.val END) AS prev_val
		FROM own o
		LEFT JOIN kids k1 ON k1.indicator_id = o.id AND k1.slot = 1 AND (o.a).val IS NULL
		LEFT JOIN kids k2 ON k2.indicator_id = o.id AND k2.slot = 2 AND (o.t).val IS NULL
		LEFT JOIN kids k3 ON k3.indicator_id = o.id AND k3.slot = 3 AND (o.yt).val IS NULL
		LEFT JOIN kids k4 ON k4.indicator_id = o.id AND k4.slot = 4 AND (o.prev).val IS NULL
	)
	SELECT code, name::text, unit::text, a_val, t_val, pct(a_val, t_val), yt_val, pct(a_val, yt_val),
	       prev_val, change_pct(a_val, prev_val), coalesce(a_source, t_source),
	       CASE WHEN a_val IS NULL THEN to_json(a_missing) END
	FROM figures
	WHERE a_val IS NOT NULL OR t_val IS NOT NULL OR yt_val IS NOT NULL OR prev_val IS NOT NULL
	      OR a_missing IS NOT NULL
	ORDER BY code
$$;

-- The summaries and the breakdown planned their queries for their
-- arguments at every call (plan_cache_mode = force_custom_plan, from
-- 011_analytics.sql, when they read every figure of the period): 4 to 9 ms
-- of planning for queries that now go by index whatever the arguments.
-- With one plan each, through the service at scale 1, one client: the
-- country's breakdown 52 -> 39 ms, a province's 13.5 -> 4.9 ms, a
-- province's summary 18 -> 15 ms, a bloc's 9.6 -> 5.1 ms, a district's
-- 17.3 -> 12.3 ms. (A later CREATE OR REPLACE of one of them drops this
-- setting and jit = off: set them again.)
ALTER FUNCTION api_organization_summary(bigint, text, text) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION api_bloc_summary(bigint, text, text) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION api_organization_breakdown(bigint, text, text, text) SET plan_cache_mode = force_generic_plan;
