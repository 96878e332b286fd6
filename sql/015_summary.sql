-- An organization's summary (011_analytics.sql), set-wise: rule 3 — the
-- children's figures as the hierarchy stood at the period's end — ran once
-- per indicator and per figure shown (the period's actual and target, the
-- year's target, the actual a year before), each time reading the figures
-- of the whole country for the period and calling a function per
-- organization walked: about 140 ms for a province at scale 0.1. It now
-- walks the subtree once for all of them, reading each organization's
-- figures by index; rules 1 and 2 for the organization itself are as before.

-- Whether a link held on a day: `during @> day`, written on its dates so
-- that a walk down the hierarchy finds the links by their parent (the
-- planner otherwise took the links' exclusion index on `during` and read
-- every link holding that day for each organization walked).
CREATE FUNCTION link_holds(l organization_parent, p_day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (l.valid_from IS NULL OR l.valid_from <= p_day) AND (l.valid_to IS NULL OR l.valid_to >= p_day);

-- has_pieces() for one field, for a flow: its sum adds up only the pieces
-- that have the field (an organization that reported its quarters'
-- actuals but no targets has no half-year target to derive, and is no
-- longer asked). A stock is read from any period ending the same day,
-- longer ones included: stock_below() asks has_pieces() as before.
CREATE FUNCTION has_pieces_of(p_org bigint, p_indicator int, p period_info, p_field text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM value v JOIN period pr ON pr.id = v.period_id
	               WHERE v.org_id = p_org AND v.indicator_id = p_indicator
	                 AND pr.start_date >= p.start_date AND pr.end_date <= p.end_date AND pr.code <> p.code
	                 AND value_field(v, p_field) IS NOT NULL)
$$;

-- Rule 2 for a stock in a walk, as derive_from_periods() gives it (the
-- level of the shortest period ending the same day), without a function
-- call per organization: only when nothing was reported, and, as
-- reported_or_derived() is asked, only for an organization with figures
-- inside the period.
CREATE FUNCTION stock_below(p_org bigint, p_reported numeric, p_indicator int, p_kind indicator_kind,
                            p period_info, p_field text)
RETURNS TABLE (val numeric)
LANGUAGE sql STABLE AS $$
	SELECT value_field(v, p_field)
	FROM value v JOIN period pr ON pr.id = v.period_id
	WHERE p_kind = 'stock' AND p_reported IS NULL
	  AND v.org_id = p_org AND v.indicator_id = p_indicator
	  AND pr.end_date = p.end_date AND pr.code <> p.code AND value_field(v, p_field) IS NOT NULL
	  AND has_pieces(p_org, p_indicator, p)
	ORDER BY pr.end_date - pr.start_date
	LIMIT 1
$$;

-- Rule 3 for several figures of one organization at once: for each ask
-- (an indicator that rolls up, a period, a field; numbered by slot) the
-- sum of the figures of the organizations right below the walk's stops —
-- each child's own figure (rules 1 and 2), else its children's, and so on
-- down — with source 'children' when there was any.
CREATE FUNCTION children_totals(p_org bigint, p_slots int[], p_indicators int[], p_periods period_info[],
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
	), walk(slot, indicator_id, org_id, depth, own) AS (
		-- from the organization itself, which has no figure of its own here
		SELECT a.slot, a.indicator_id, p_org, 0, NULL::numeric FROM asks a
		UNION ALL
		SELECT w.slot, w.indicator_id, l.org_id, w.depth + 1, coalesce(f.val, st.val)
		FROM walk w
		JOIN asks a ON a.slot = w.slot AND a.indicator_id = w.indicator_id
		JOIN organization_parent l ON l.parent_id = w.org_id AND link_holds(l, (a.p).end_date)
		LEFT JOIN value v ON v.org_id = l.org_id AND v.indicator_id = a.indicator_id AND v.period_id = a.period_id
		LEFT JOIN LATERAL reported_or_derived(
			l.org_id, value_field(v, a.field),
			value_field(v, a.field) IS NULL AND a.kind = 'flow' AND has_pieces_of(l.org_id, a.indicator_id, a.p, a.field),
			a.indicator_id, a.kind, a.p, a.field) f ON true
		LEFT JOIN LATERAL stock_below(l.org_id, value_field(v, a.field), a.indicator_id, a.kind, a.p, a.field) st
			ON true
		WHERE w.own IS NULL AND w.depth < 20
	)
	SELECT w.slot, w.indicator_id, sum(w.own), CASE WHEN count(w.own) > 0 THEN 'children' END
	FROM walk w
	WHERE w.depth > 0
	GROUP BY w.slot, w.indicator_id
$$;

-- Rules 1 and 2 (own_figure), and nothing at all for no period (a figure
-- withheld, a year's target for a whole year): own_figure() of no period
-- would add up nothing to 0.
CREATE FUNCTION own_figure_of(p_org bigint, p_bloc bigint, p_indicator int, p_kind indicator_kind, p period_info,
                              p_field text, OUT val numeric, OUT source text, OUT missing text[])
LANGUAGE sql STABLE AS $$
	SELECT f.val, f.source, f.missing FROM own_figure(p_org, p_bloc, p_indicator, p_kind, p, p_field) f
	WHERE (p).code IS NOT NULL
$$;

-- The same rows as before (011_analytics.sql): the organization's own
-- figures by rules 1 and 2, then rule 3 for all the indicators and figures
-- still without one, in one walk.
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
		SELECT DISTINCT v.indicator_id
		FROM organization_subtree_on(p_org, p.end_date) s
		JOIN value v ON v.org_id = s.org_id
		JOIN period pr ON pr.id = v.period_id
		JOIN indicator i ON i.id = v.indicator_id AND i.rollup = 'sum'
		WHERE p_org IS NOT NULL AND pr.start_date <= p.end_date AND pr.end_date >= p.start_date
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

-- The walks of the hierarchy through time (003_organizations.sql) by the
-- links' parent (or child) alone: with `during && ...` the planner added
-- the links' exclusion index to each step, reading every link that
-- overlapped for each organization walked (10 ms for a province's subtree
-- at scale 0.1, most of a second at scale 1). The same spans: two ranges
-- overlap when what they share is not empty.
CREATE OR REPLACE FUNCTION organization_subtree_spans(p_root bigint)
RETURNS TABLE (org_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE t(org_id, during) AS (
		SELECT id, validity FROM organization WHERE id = p_root
		UNION ALL
		SELECT l.org_id, t.during * l.during
		FROM t JOIN organization_parent l ON l.parent_id = t.org_id AND NOT isempty(t.during * l.during)
	) CYCLE org_id SET is_cycle USING visited
	SELECT org_id, during FROM t WHERE NOT is_cycle AND NOT isempty(during)
$$;

CREATE OR REPLACE FUNCTION organization_ancestor_spans(p_org bigint)
RETURNS TABLE (ancestor_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE up(id, during) AS (
		SELECT o.id, o.validity FROM organization o WHERE o.id = p_org
		UNION ALL
		SELECT l.parent_id, up.during * l.during
		FROM up JOIN organization_parent l ON l.org_id = up.id AND NOT isempty(up.during * l.during)
	) CYCLE id SET is_cycle USING visited
	SELECT id, during FROM up WHERE NOT is_cycle AND NOT isempty(during)
$$;
