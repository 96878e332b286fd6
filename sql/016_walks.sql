-- Two walks of a summary made cheaper, with the same answers: on the
-- benchmark's data at scale 0.1 with the demo's organizations, the new
-- walk gave the same rows as the one it replaces for 292 organizations
-- (every one above the grassroots, and some of those), and the new summary
-- the same figures for 238 organization and period pairs.
--
-- The walk down a subtree through time (015_summary.sql) is planned once
-- for every caller; with the number of links it expects at each step the
-- planner joined each step against every link by hash, reading the whole
-- table four or five times for a province (11 ms at scale 0.1). Each step
-- now reads the links of the organizations it reached by the parent index
-- (a lateral subquery the planner keeps apart: OFFSET 0): 3.5 ms, and a
-- district's 3.8 -> 0.9 ms. The whole country is the one walk it makes
-- slower (60 -> 72 ms at scale 0.1): a scope or an `under` that large is
-- rare, a province's or a district's is what portals send all day.
CREATE OR REPLACE FUNCTION organization_subtree_spans(p_root bigint)
RETURNS TABLE (org_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE t(org_id, during) AS (
		SELECT id, validity FROM organization WHERE id = p_root
		UNION ALL
		SELECT l.org_id, l.during
		FROM t CROSS JOIN LATERAL (
			SELECT l.org_id, t.during * l.during AS during FROM organization_parent l
			WHERE l.parent_id = t.org_id AND NOT isempty(t.during * l.during) OFFSET 0) l
	) CYCLE org_id SET is_cycle USING visited
	SELECT org_id, during FROM t WHERE NOT is_cycle AND NOT isempty(during)
$$;

-- An organization's summary (015_summary.sql) with the indicators its
-- subtree has figures for found without reading every figure of the
-- subtree (54 000 for a province at scale 0.1, to learn of five
-- indicators): for each indicator that rolls up and each period
-- overlapping the one asked, one probe for a figure anywhere, then the
-- subtree's organizations looked up in that indicator and period's index
-- until one has it (a province's year 25 -> 20 ms, another's 29 -> 16 ms,
-- measured with psql on the benchmark's data).
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
	), subtree AS MATERIALIZED (
		SELECT ARRAY(SELECT s.org_id FROM organization_subtree_on(p_org, p.end_date) s) AS ids
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
		FROM indicator i, subtree t
		WHERE p_org IS NOT NULL AND i.rollup = 'sum'
		  AND EXISTS (
			SELECT 1
			FROM period pr
			WHERE pr.start_date <= p.end_date AND pr.end_date >= p.start_date
			  AND EXISTS (SELECT 1 FROM value v WHERE v.indicator_id = i.id AND v.period_id = pr.id)
			  AND EXISTS (SELECT 1 FROM value v
			              WHERE v.indicator_id = i.id AND v.period_id = pr.id AND v.org_id = ANY (t.ids)))
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
