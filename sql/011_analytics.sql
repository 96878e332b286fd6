-- The dashboard's figures: completion against target, progress toward the
-- year, year-on-year change, time derivation, roll-ups, bloc scoreboards.
--
-- One rule gives every figure, for actual and target separately:
--   1. the value reported for the period                    (source reported)
--   2. else, from the subject's own reported sub-periods:   (source periods)
--      a flow is their sum when they tile the period exactly (the year as
--      H1+H2, Q1..Q4, M01..M12, YTD09+Q4, ...; 2022YTD09 as Q1+Q2+Q3 or
--      M01..M09); a stock is the value of a period ending the same day.
--      An incomplete set derives nothing and names what is missing.
--   3. else, for an indicator that rolls up, the sum of the children's
--      figures as the hierarchy stood at the period's end  (source children)
-- Reading never writes (no temporary tables), so these run on replicas.
--
-- Percentages are rounded to 2 decimals half away from zero and leave
-- without trailing zeros: 2202/1200 -> 183.5, 12/9 -> 133.33.

-- completion and progress: part / whole × 100
CREATE FUNCTION pct(p_part numeric, p_whole numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN p_part IS NULL OR p_whole IS NULL OR p_whole = 0 THEN NULL
            ELSE trim_scale(round(p_part / p_whole * 100, 2)) END;

-- year-on-year change: (now − before) / |before| × 100
CREATE FUNCTION change_pct(p_now numeric, p_before numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pct(p_now - p_before, abs(p_before));

-- ---------------------------------------------------------------- one subject

-- Rule 2 for one organization or bloc: the figure from its own reported
-- sub-periods, or NULL with the sub-periods still missing.
CREATE FUNCTION derive_from_periods(p_org bigint, p_bloc bigint, p_indicator int, p_kind indicator_kind,
                                    p period_info, p_field text, OUT total numeric, OUT missing text[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
	cur date := p.start_date;
	piece record;
	finest period_kind;
BEGIN
	IF p_kind = 'stock' THEN
		-- a level at the period's end: any period that ends the same day
		SELECT value_field(v, p_field) INTO total
		FROM value v JOIN period pr ON pr.id = v.period_id
		WHERE v.indicator_id = p_indicator AND (v.org_id = p_org OR v.bloc_id = p_bloc)
		  AND pr.end_date = p.end_date AND pr.code <> p.code AND value_field(v, p_field) IS NOT NULL
		ORDER BY pr.end_date - pr.start_date
		LIMIT 1;
		RETURN;
	END IF;
	total := 0;
	-- Tile the period from its first day, each time with the longest
	-- reported piece that starts there: calendar periods nest, so a longest
	-- piece never blocks a tiling a shorter one would have found.
	WHILE cur <= p.end_date LOOP
		SELECT value_field(v, p_field) AS val, pr.end_date INTO piece
		FROM value v JOIN period pr ON pr.id = v.period_id
		WHERE v.indicator_id = p_indicator AND (v.org_id = p_org OR v.bloc_id = p_bloc)
		  AND pr.start_date = cur AND pr.end_date <= p.end_date AND pr.code <> p.code
		  AND value_field(v, p_field) IS NOT NULL
		ORDER BY pr.end_date DESC
		LIMIT 1;
		IF NOT FOUND THEN
			total := NULL;
			EXIT;
		END IF;
		total := total + piece.val;
		cur := piece.end_date + 1;
	END LOOP;
	IF total IS NOT NULL THEN
		RETURN;
	END IF;
	-- Incomplete: name the missing periods of the finest kind reported.
	SELECT pr.kind INTO finest
	FROM value v JOIN period pr ON pr.id = v.period_id
	WHERE v.indicator_id = p_indicator AND (v.org_id = p_org OR v.bloc_id = p_bloc)
	  AND pr.start_date >= p.start_date AND pr.end_date <= p.end_date AND pr.code <> p.code
	  AND pr.kind IN ('month', 'quarter', 'half', 'year') AND value_field(v, p_field) IS NOT NULL
	ORDER BY pr.end_date - pr.start_date
	LIMIT 1;
	IF finest IS NULL THEN
		RETURN;
	END IF;
	SELECT array_agg(c ORDER BY c) INTO missing
	FROM (SELECT (period_parse(y || CASE finest WHEN 'month' THEN 'M' || lpad(n::text, 2, '0')
	                                           WHEN 'quarter' THEN 'Q' || n WHEN 'half' THEN 'H' || n ELSE '' END)).*
	      FROM generate_series(p.year, p.year_end) y,
	           generate_series(1, CASE finest WHEN 'month' THEN 12 WHEN 'quarter' THEN 4 WHEN 'half' THEN 2 ELSE 1 END) n
	     ) sub (c, kind, year, year_end, number, start_date, end_date, label)
	WHERE sub.start_date >= p.start_date AND sub.end_date <= p.end_date
	  AND NOT EXISTS (SELECT 1 FROM value v JOIN period pr ON pr.id = v.period_id
	                  WHERE v.indicator_id = p_indicator AND (v.org_id = p_org OR v.bloc_id = p_bloc)
	                    AND pr.code = sub.c AND value_field(v, p_field) IS NOT NULL);
END $$;

-- An organization's own figure (rules 1 and 2) for one field.
CREATE FUNCTION own_figure(p_org bigint, p_bloc bigint, p_indicator int, p_kind indicator_kind, p period_info,
                           p_field text, OUT val numeric, OUT source text, OUT missing text[])
LANGUAGE plpgsql STABLE AS $$
BEGIN
	SELECT value_field(v, p_field) INTO val
	FROM value v JOIN period pr ON pr.id = v.period_id
	WHERE pr.code = p.code AND v.indicator_id = p_indicator AND (v.org_id = p_org OR v.bloc_id = p_bloc);
	IF val IS NOT NULL THEN
		source := 'reported';
		RETURN;
	END IF;
	SELECT d.total, d.missing INTO val, missing FROM derive_from_periods(p_org, p_bloc, p_indicator, p_kind, p, p_field) d;
	IF val IS NOT NULL THEN
		source := 'periods';
	END IF;
END $$;

-- Whether an organization reported an indicator for any shorter period
-- inside p: without such figures there is nothing to derive p from.
CREATE FUNCTION has_pieces(p_org bigint, p_indicator int, p period_info) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM value v JOIN period pr ON pr.id = v.period_id
	               WHERE v.org_id = p_org AND v.indicator_id = p_indicator
	                 AND pr.start_date >= p.start_date AND pr.end_date <= p.end_date AND pr.code <> p.code)
$$;

-- Rules 1 and 2 when the reported figure is already known (NULL when the
-- organization reported none): derivation runs only in that case, and
-- only for an organization that has figures for shorter periods inside
-- this one (p_has_pieces), since without them there is nothing to add up.
CREATE FUNCTION reported_or_derived(p_org bigint, p_reported numeric, p_has_pieces boolean, p_indicator int,
                                    p_kind indicator_kind, p period_info, p_field text)
RETURNS TABLE (val numeric, source text)
LANGUAGE sql STABLE AS $$
	SELECT p_reported, 'reported'::text WHERE p_reported IS NOT NULL
	UNION ALL
	SELECT d.total, 'periods' FROM derive_from_periods(p_org, NULL, p_indicator, p_kind, p, p_field) d
	WHERE p_reported IS NULL AND p_has_pieces AND d.total IS NOT NULL
$$;

-- Rule 3, for every child of an organization at once: each child's
-- figure, walking down the hierarchy as it stood at the period's end and
-- stopping under any organization that has its own figure (its figure
-- covers everything below it). Set-wise: the figures reported for the
-- period are joined in bulk, and rule 2 runs only for organizations that
-- reported none.
CREATE FUNCTION children_figures(p_org bigint, p_indicator int, p period_info, p_field text)
RETURNS TABLE (child_id bigint, val numeric, source text)
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE ind AS (
		SELECT kind, rollup FROM indicator WHERE id = p_indicator
	), rep AS MATERIALIZED (
		-- the figures reported for the period (an index-only scan)
		SELECT f.org_id, f.val
		FROM (SELECT v.org_id, CASE p_field WHEN 'actual' THEN v.actual ELSE v.target END AS val
		      FROM value v
		      WHERE v.indicator_id = p_indicator AND v.period_id = (SELECT id FROM period WHERE code = p.code)
		        AND v.org_id IS NOT NULL) f
		WHERE f.val IS NOT NULL
	), walk(org_id, top, depth, own, own_source) AS (
		SELECT l.org_id, l.org_id, 1, f.val, f.source
		FROM organization_parent l
		CROSS JOIN ind
		LEFT JOIN rep ON rep.org_id = l.org_id
		LEFT JOIN LATERAL reported_or_derived(l.org_id, rep.val, rep.val IS NULL AND has_pieces(l.org_id, p_indicator, p),
		                                      p_indicator, ind.kind, p, p_field) f ON true
		WHERE l.parent_id = p_org AND l.during @> p.end_date
		UNION ALL
		SELECT l.org_id, w.top, w.depth + 1, f.val, f.source
		FROM walk w
		JOIN organization_parent l ON l.parent_id = w.org_id AND l.during @> p.end_date
		CROSS JOIN ind
		LEFT JOIN rep ON rep.org_id = l.org_id
		LEFT JOIN LATERAL reported_or_derived(l.org_id, rep.val, rep.val IS NULL AND has_pieces(l.org_id, p_indicator, p),
		                                      p_indicator, ind.kind, p, p_field) f ON true
		WHERE w.own IS NULL AND w.depth < 20 AND ind.rollup = 'sum'
	)
	SELECT w.top,
	       coalesce(max(w.own) FILTER (WHERE w.depth = 1), sum(w.own) FILTER (WHERE w.depth > 1)),
	       coalesce(max(w.own_source) FILTER (WHERE w.depth = 1),
	                CASE WHEN count(w.own) FILTER (WHERE w.depth > 1) > 0 THEN 'children' END)
	FROM walk w
	GROUP BY w.top
$$;

-- The figure of a subject (organization or bloc) for one field, by the
-- three rules; `missing` names absent sub-periods when rule 2 fell short.
CREATE FUNCTION figure(p_org bigint, p_bloc bigint, p_indicator int, p period_info, p_field text,
                       OUT val numeric, OUT source text, OUT missing text[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
	ind indicator;
BEGIN
	IF p IS NULL THEN
		RETURN;
	END IF;
	SELECT * INTO ind FROM indicator WHERE id = p_indicator;
	SELECT f.val, f.source, f.missing INTO val, source, missing
	FROM own_figure(p_org, p_bloc, p_indicator, ind.kind, p, p_field) f;
	IF val IS NOT NULL OR p_org IS NULL OR ind.rollup <> 'sum' THEN
		RETURN;
	END IF;
	SELECT sum(c.val), CASE WHEN count(c.val) > 0 THEN 'children' END INTO val, source
	FROM children_figures(p_org, p_indicator, p, p_field) c;
	IF val IS NOT NULL THEN
		missing := NULL;
	END IF;
END $$;

-- ---------------------------------------------------------------- summaries

-- Per indicator with anything to show: actual, target, completion; for a
-- part of a year the year's target and the progress toward it; the same
-- period a year before and the change. Used for organizations and blocs.
-- Figures of days outside p_reach (the days the key reaches the
-- organization; NULL: all) are left out, not computed: the same period a
-- year before, and the whole year's target.
CREATE FUNCTION summary_rows(p_org bigint, p_bloc bigint, p period_info, p_reach datemultirange)
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
	), figures AS (
		SELECT i.code, i.name, i.unit,
		       figure(p_org, p_bloc, i.id, c.p, 'actual') AS a,
		       figure(p_org, p_bloc, i.id, c.p, 'target') AS t,
		       -- figure() of no period is nothing: what is withheld is not computed
		       figure(p_org, p_bloc, i.id, CASE WHEN c.year_shown THEN c.whole_year END, 'target') AS yt,
		       figure(p_org, p_bloc, i.id, CASE WHEN c.before_shown THEN c.before END, 'actual') AS prev
		FROM candidates k JOIN indicator i ON i.id = k.indicator_id, context c
	)
	SELECT code, name::text, unit::text, (a).val, (t).val, pct((a).val, (t).val), (yt).val, pct((a).val, (yt).val),
	       (prev).val, change_pct((a).val, (prev).val), coalesce((a).source, (t).source),
	       CASE WHEN (a).val IS NULL THEN to_json((a).missing) END
	FROM figures
	WHERE (a).val IS NOT NULL OR (t).val IS NOT NULL OR (yt).val IS NOT NULL OR (prev).val IS NOT NULL
	      OR (a).missing IS NOT NULL
	ORDER BY code
$$;

-- GET /v1/organizations/{code}/summary: judged on the period's last day
-- (the organization's own, when it ended first). Figures of other days the
-- key does not reach — the year before, the whole year — are withheld and
-- their periods named in @withheld. Columns starting with @ describe the
-- whole answer; the rest are its `items`.
CREATE FUNCTION api_organization_summary(p_scope bigint, p_code text, p_period text)
RETURNS TABLE ("@org" text, "@name" text, "@period" text, "@label" text, "@withheld" json, indicator text,
               indicator_name text, unit text, actual numeric, target numeric, completion_pct numeric,
               year_target numeric, year_progress_pct numeric, previous numeric, yoy_pct numeric, source text,
               missing json)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_org bigint := scope_check_on(p_scope, resolve_organization(p_code, NULL), p.end_date, 'code');
	v_reach datemultirange := CASE WHEN p_scope IS NOT NULL THEN scope_reach(p_scope, v_org) END;
	v_withheld json;
	o organization;
BEGIN
	SELECT * INTO o FROM organization WHERE id = v_org;
	SELECT coalesce(json_agg(w.code ORDER BY w.end_date), '[]'::json) INTO v_withheld
	FROM (SELECT (period_year_before(p)).code, (period_year_before(p)).end_date
	      UNION ALL
	      SELECT p.year::text, make_date(p.year, 12, 31) WHERE p.kind IN ('half', 'quarter', 'month', 'ytd')) w
	WHERE w.code IS NOT NULL AND v_reach IS NOT NULL AND NOT v_reach @> organization_seen_on(o, w.end_date);
	RETURN QUERY
	SELECT o.code::text, o.name::text, p.code, p.label, v_withheld, s.indicator, s.name, s.unit, s.actual, s.target,
	       s.completion_pct, s.year_target, s.year_progress_pct, s.previous, s.yoy_pct, s.source, s.missing
	FROM (SELECT 1) one LEFT JOIN summary_rows(v_org, NULL, p, v_reach) s ON true;
END $$;
ALTER FUNCTION api_organization_summary(bigint, text, text) SET plan_cache_mode = force_custom_plan;

-- GET /v1/blocs/{code}/summary: the bloc's own reported totals (by the same
-- rules) beside the sum of its members' figures for the period's year.
-- Public among the members: a key that reaches the organizer or any member
-- that year reads all of it.
-- A bloc's members are those of one year: what compares them is a period
-- within a year, never a congress term.
CREATE FUNCTION bloc_period_check(p period_info, p_what text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p.kind = 'term' THEN
		PERFORM api_raise(400, 'invalid_period', 'period',
		                  format('%s compares the members of one year; give a period within a year (%s, %sH1 …), '
		                         'not the term %s', p_what, p.year, p.year, p.code));
	END IF;
END $$;

-- The bloc a bloc read names, for a period within a year (p_what says
-- what the read is, for the message refusing a term).
CREATE FUNCTION bloc_of_period(p_scope bigint, p_code text, p period_info, p_what text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM bloc_period_check(p, p_what);
	RETURN bloc_check(p_scope, resolve_bloc(p_code, NULL), p.year, p_code, NULL);
END $$;

CREATE FUNCTION api_bloc_summary(p_scope bigint, p_code text, p_period text)
RETURNS TABLE ("@bloc" text, "@name" text, "@period" text, "@label" text, "@year" int, "@members" json,
               indicator text, indicator_name text, unit text, actual numeric, target numeric, completion_pct numeric,
               year_target numeric, year_progress_pct numeric, previous numeric, yoy_pct numeric, source text,
               missing json, members_actual numeric, members_target numeric, members_completion_pct numeric,
               members_reporting int)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_bloc bigint := bloc_of_period(p_scope, p_code, p, 'a bloc summary');
	b bloc;
	v_members bigint[];
BEGIN
	SELECT * INTO b FROM bloc WHERE id = v_bloc;
	SELECT coalesce(array_agg(m.org_id), '{}') INTO v_members FROM bloc_member m WHERE m.bloc_id = v_bloc AND m.year = p.year;
	RETURN QUERY
	WITH own AS (
		SELECT * FROM summary_rows(NULL, v_bloc, p, NULL)
	), member_indicators AS (
		SELECT DISTINCT v.indicator_id FROM value v JOIN period pr ON pr.id = v.period_id
		WHERE v.org_id = ANY (v_members) AND pr.start_date <= p.end_date AND pr.end_date >= p.start_date
	), cells AS (
		-- each member's figures: the reported ones in one join, figure()
		-- only for what was not reported (coalesce stops at the first)
		SELECT k.indicator_id,
		       coalesce(v.actual, (figure(m, NULL, k.indicator_id, p, 'actual')).val) AS a,
		       coalesce(v.target, (figure(m, NULL, k.indicator_id, p, 'target')).val) AS t
		FROM member_indicators k CROSS JOIN unnest(v_members) m
		LEFT JOIN value v ON v.org_id = m AND v.indicator_id = k.indicator_id
		                 AND v.period_id = (SELECT pr.id FROM period pr WHERE pr.code = p.code)
	), sums AS (
		SELECT i.code, i.name, i.unit, sum(c.a) AS a, sum(c.t) AS t, count(c.a)::int AS reporting
		FROM cells c JOIN indicator i ON i.id = c.indicator_id
		GROUP BY i.code, i.name, i.unit
	), rows AS (
		SELECT coalesce(own.indicator, s.code) AS indicator, coalesce(own.name, s.name::text) AS name,
		       coalesce(own.unit, s.unit::text) AS unit, own.actual, own.target, own.completion_pct, own.year_target,
		       own.year_progress_pct, own.previous, own.yoy_pct, own.source, own.missing,
		       s.a, s.t, pct(s.a, s.t) AS mpct, coalesce(s.reporting, 0) AS reporting
		FROM own FULL JOIN sums s ON s.code = own.indicator
	)
	SELECT b.code::text, b.name::text, p.code, p.label, p.year,
	       (SELECT coalesce(json_agg(o.code ORDER BY o.name COLLATE vietnamese), '[]') FROM organization o
	        WHERE o.id = ANY (v_members)),
	       r.indicator, r.name, r.unit, r.actual, r.target, r.completion_pct, r.year_target, r.year_progress_pct,
	       r.previous, r.yoy_pct, r.source, r.missing, r.a, r.t, r.mpct, r.reporting
	FROM (SELECT 1) one LEFT JOIN rows r ON true
	ORDER BY r.indicator;
END $$;
ALTER FUNCTION api_bloc_summary(bigint, text, text) SET plan_cache_mode = force_custom_plan;

-- ---------------------------------------------------------------- breakdown and series

-- GET /v1/organizations/{code}/breakdown: the organization's own figure
-- beside the sum of its children's (as the hierarchy stood at the period's
-- end), the discrepancy, and each child. Judged on the period's last day;
-- the children of that day are then inside the key's reach too.
CREATE FUNCTION api_organization_breakdown(p_scope bigint, p_code text, p_indicator text, p_period text)
RETURNS TABLE ("@org" text, "@name" text, "@indicator" text, "@indicator_name" text, "@unit" text, "@period" text,
               "@label" text, "@reported" json, "@children_total" json, "@discrepancy" json, "@children_reporting" int,
               org text, name text, actual numeric, target numeric, completion_pct numeric, source text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_org bigint := scope_check_on(p_scope, resolve_organization(p_code, NULL), p.end_date, 'code');
	v_ind int := resolve_indicator(p_indicator, 'indicator');
	o organization;
	i indicator;
	own_a numeric;
	own_t numeric;
BEGIN
	SELECT * INTO o FROM organization WHERE id = v_org;
	SELECT * INTO i FROM indicator WHERE id = v_ind;
	SELECT f.val INTO own_a FROM own_figure(v_org, NULL, v_ind, i.kind, p, 'actual') f;
	SELECT f.val INTO own_t FROM own_figure(v_org, NULL, v_ind, i.kind, p, 'target') f;
	RETURN QUERY
	WITH kids AS (
		SELECT l.org_id FROM organization_parent l WHERE l.parent_id = v_org AND l.during @> p.end_date
	), a AS (
		SELECT * FROM children_figures(v_org, v_ind, p, 'actual')
	), t AS (
		SELECT * FROM children_figures(v_org, v_ind, p, 'target')
	), rows AS (
		SELECT c.code::text AS code, c.name::text AS name, a.val AS actual, t.val AS target,
		       coalesce(a.source, t.source) AS source
		FROM kids k JOIN organization c ON c.id = k.org_id
		LEFT JOIN a ON a.child_id = k.org_id LEFT JOIN t ON t.child_id = k.org_id
	), totals AS (
		SELECT sum(actual) AS sa, sum(target) AS st, count(actual)::int AS n FROM rows
	)
	SELECT o.code::text, o.name::text, i.code, i.name::text, i.unit::text, p.code, p.label,
	       json_build_object('actual', trim_scale(own_a), 'target', trim_scale(own_t)),
	       json_build_object('actual', trim_scale(tt.sa), 'target', trim_scale(tt.st)),
	       json_build_object('actual', trim_scale(own_a - tt.sa), 'target', trim_scale(own_t - tt.st)),
	       tt.n,
	       r.code, r.name, r.actual, r.target, pct(r.actual, r.target), r.source
	FROM totals tt LEFT JOIN rows r ON true
	ORDER BY r.name COLLATE vietnamese, r.code;
END $$;
ALTER FUNCTION api_organization_breakdown(bigint, text, text, text) SET plan_cache_mode = force_custom_plan;

-- GET /v1/series: every period of one granularity between two years, the
-- gaps as gaps (actual null, source null). A point on a day the key does
-- not reach the organization is withheld (figures null, source
-- out_of_scope); a series with no point the key reaches is refused.
CREATE FUNCTION api_series(p_scope bigint, p_org text, p_bloc text, p_indicator text, p_from int, p_to int,
                           p_every text)
RETURNS TABLE ("@org" text, "@bloc" text, "@name" text, "@indicator" text, "@indicator_name" text, "@unit" text,
               "@every" text,
               period text, label text, start date, "end" date, actual numeric, target numeric,
               completion_pct numeric, source text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_org bigint;
	v_bloc bigint;
	v_ind int := resolve_indicator(p_indicator, 'indicator');
	v_subject text;
	v_name text;
	v_points int;
	v_reach datemultirange;
	i indicator;
BEGIN
	IF (p_org IS NULL) = (p_bloc IS NULL) THEN
		PERFORM api_raise(400, 'missing_parameter', 'org', 'give org (or bloc): whose series to draw');
	END IF;
	IF p_to < p_from THEN
		PERFORM api_raise(400, 'invalid_parameter', 'to', format('to (%s) is before from (%s)', p_to, p_from));
	END IF;
	v_points := (p_to - p_from + 1) * (CASE p_every WHEN 'month' THEN 12 WHEN 'quarter' THEN 4 WHEN 'half' THEN 2 ELSE 1 END);
	IF v_points > 600 THEN
		PERFORM api_raise(400, 'invalid_parameter', 'to', 'a series has at most 600 points; ask for a shorter span');
	END IF;
	IF p_org IS NOT NULL THEN
		v_org := resolve_organization(p_org, 'org');
		IF p_scope IS NOT NULL THEN
			v_reach := scope_reach(p_scope, v_org);
			-- at least one point inside the reach, else the last one says why
			IF NOT v_reach && daterange(make_date(p_from, 1, 1), make_date(p_to, 12, 31), '[]') THEN
				PERFORM scope_check_on(p_scope, v_org, make_date(p_to, 12, 31), 'org');
			END IF;
		END IF;
		SELECT code, name INTO v_subject, v_name FROM organization WHERE id = v_org;
	ELSE
		v_bloc := bloc_check(p_scope, resolve_bloc(p_bloc, 'bloc'), NULL, p_bloc, 'bloc');
		SELECT code, name INTO v_subject, v_name FROM bloc WHERE id = v_bloc;
	END IF;
	SELECT * INTO i FROM indicator WHERE id = v_ind;
	RETURN QUERY
	WITH points AS (
		SELECT pt.p, v_reach IS NULL OR v_reach @> organization_day(v_org, (pt.p).end_date) AS shown
		FROM (SELECT (period_parse(y || CASE p_every WHEN 'month' THEN 'M' || lpad(n::text, 2, '0')
		                                             WHEN 'quarter' THEN 'Q' || n WHEN 'half' THEN 'H' || n ELSE '' END)) AS p
		      FROM generate_series(p_from, p_to) y,
		           generate_series(1, CASE p_every WHEN 'month' THEN 12 WHEN 'quarter' THEN 4 WHEN 'half' THEN 2 ELSE 1 END) n
		     ) pt
	), figures AS (
		SELECT pt.p, pt.shown,
		       figure(v_org, v_bloc, v_ind, CASE WHEN pt.shown THEN pt.p END, 'actual') AS a,
		       figure(v_org, v_bloc, v_ind, CASE WHEN pt.shown THEN pt.p END, 'target') AS t
		FROM points pt
	)
	SELECT CASE WHEN v_org IS NOT NULL THEN v_subject END, CASE WHEN v_bloc IS NOT NULL THEN v_subject END, v_name,
	       i.code, i.name::text, i.unit::text, p_every, (f.p).code, (f.p).label, (f.p).start_date, (f.p).end_date,
	       (f.a).val, (f.t).val, pct((f.a).val, (f.t).val),
	       CASE WHEN f.shown THEN coalesce((f.a).source, (f.t).source) ELSE 'out_of_scope' END
	FROM figures f
	ORDER BY (f.p).start_date;
END $$;

-- ---------------------------------------------------------------- scoreboard

-- GET /v1/blocs/{code}/scoreboard. With criteria for the year, each
-- member's points per criterion are weight × min(completion, cap) / 100;
-- the score adds bonuses and subtracts penalties. With `p_indicator`, the
-- ranking is by that indicator's actual (or completion, p_by). Ranks are
-- competition ranks (1, 2, 2, 4) among members with every figure; members
-- missing any are listed after them, unranked, with what is missing. The
-- bloc is public among its members: a key that reaches the organizer or any
-- member of the period's year reads every member's figures here. Reported
-- figures are joined in bulk; figure() derives only the cells without one.
-- A bloc's members ranked for a period, one row per member × criterion:
-- by its criteria (v_ind NULL) or by one indicator's actual or completion
-- (v_by). The scoreboard, and the ranks of the period a year before.
CREATE FUNCTION scoreboard_rows(v_bloc bigint, p period_info, v_ind int, v_by text, lower_better boolean)
RETURNS TABLE (org_id bigint, rnk bigint, score numeric, bonus numeric, penalty numeric, missing text[],
               indicator_id int, weight numeric, cap_pct numeric, actual numeric, target numeric, completion numeric,
               points numeric, crnk bigint)
LANGUAGE sql STABLE AS $$
	WITH crit AS (
		SELECT c.indicator_id, c.weight, c.cap_pct FROM bloc_criterion c
		WHERE v_ind IS NULL AND c.bloc_id = v_bloc AND c.year = p.year
		UNION ALL
		SELECT v_ind, NULL::numeric, NULL::numeric WHERE v_ind IS NOT NULL
	), members AS (
		SELECT m.org_id FROM bloc_member m WHERE m.bloc_id = v_bloc AND m.year = p.year
	), cells AS (
		-- reported figures in one join; figure() derives only what is missing
		SELECT m.org_id, c.indicator_id, c.weight, c.cap_pct,
		       coalesce(v.actual, (figure(m.org_id, NULL, c.indicator_id, p, 'actual')).val) AS actual,
		       coalesce(v.target, (figure(m.org_id, NULL, c.indicator_id, p, 'target')).val) AS target
		FROM members m CROSS JOIN crit c
		LEFT JOIN value v ON v.org_id = m.org_id AND v.indicator_id = c.indicator_id
		                 AND v.period_id = (SELECT pr.id FROM period pr WHERE pr.code = p.code)
	), scored AS (
		SELECT cl.*, pct(cl.actual, cl.target) AS completion,
		       CASE WHEN v_ind IS NULL AND cl.actual IS NOT NULL AND cl.target IS NOT NULL AND cl.target <> 0 THEN
		                trim_scale(round(cl.weight * least(cl.actual / cl.target * 100, coalesce(cl.cap_pct, 'Infinity'))
		                                 / 100, 2))
		       END AS points
		FROM cells cl
	), valued AS (
		-- what a member is ranked on for this criterion
		SELECT s.*, CASE WHEN v_ind IS NULL THEN s.points
		                 WHEN v_by = 'completion' THEN s.completion ELSE s.actual END AS rank_value
		FROM scored s
	), adjust AS (
		SELECT a.org_id, sum(a.points) FILTER (WHERE a.points > 0) AS bonus,
		       -sum(a.points) FILTER (WHERE a.points < 0) AS penalty
		FROM bloc_adjustment a WHERE a.bloc_id = v_bloc AND a.year = p.year GROUP BY a.org_id
	), per_member AS (
		SELECT s.org_id,
		       CASE WHEN v_ind IS NOT NULL THEN max(s.rank_value)
		            ELSE sum(s.rank_value) + coalesce(max(ad.bonus), 0) - coalesce(max(ad.penalty), 0) END AS score,
		       max(ad.bonus) AS bonus, max(ad.penalty) AS penalty,
		       array_agg(i.code ORDER BY i.code) FILTER (WHERE s.rank_value IS NULL) AS missing
		FROM valued s JOIN indicator i ON i.id = s.indicator_id
		LEFT JOIN adjust ad ON ad.org_id = s.org_id
		GROUP BY s.org_id
	), ranked AS (
		SELECT pm.*, CASE WHEN pm.missing IS NULL THEN
		                 rank() OVER (PARTITION BY pm.missing IS NULL
		                              ORDER BY CASE WHEN lower_better THEN -pm.score ELSE pm.score END DESC) END AS rnk
		FROM per_member pm
	), crit_ranked AS (
		SELECT s.*, CASE WHEN s.rank_value IS NOT NULL THEN
		                rank() OVER (PARTITION BY s.indicator_id, s.rank_value IS NULL
		                             ORDER BY CASE WHEN lower_better THEN -s.rank_value ELSE s.rank_value END DESC) END AS crnk
		FROM valued s
	)
	SELECT r.org_id, r.rnk, r.score, r.bonus, r.penalty, r.missing,
	       c.indicator_id, c.weight, c.cap_pct, c.actual, c.target, c.completion, c.points, c.crnk
	FROM ranked r JOIN crit_ranked c ON c.org_id = r.org_id
$$;

CREATE FUNCTION api_bloc_scoreboard(p_scope bigint, p_code text, p_period text, p_indicator text, p_by text)
RETURNS TABLE ("@bloc" text, "@name" text, "@period" text, "@label" text, "@year" int, "@leader" text,
               "@leader_person" text, "@deputy" text, "@ranking" text, "@indicator" text, "@by" text,
               "@leading" json, org text, name text, rank bigint, previous_rank bigint, score numeric, bonus numeric,
               penalty numeric,
               missing json, "criteria.indicator" text, "criteria.indicator_name" text, "criteria.weight" numeric, "criteria.cap_pct" numeric,
               "criteria.actual" numeric, "criteria.target" numeric, "criteria.completion_pct" numeric,
               "criteria.points" numeric, "criteria.rank" bigint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_bloc bigint := bloc_of_period(p_scope, p_code, p, 'a scoreboard');
	v_ind int;
	v_by text := coalesce(p_by, 'actual');
	y bloc_year;
	b bloc;
	v_ranking text;
	lower_better boolean := false;
	prev period_info;
	v_previous jsonb := '{}';
BEGIN
	SELECT * INTO b FROM bloc WHERE id = v_bloc;
	y := bloc_year_of(v_bloc, p);
	IF p_indicator IS NOT NULL THEN
		v_ind := resolve_indicator(p_indicator, 'indicator');
		SELECT NOT higher_is_better INTO lower_better FROM indicator WHERE id = v_ind;
		v_ranking := 'indicator';
	ELSIF EXISTS (SELECT 1 FROM bloc_criterion c WHERE c.bloc_id = v_bloc AND c.year = p.year) THEN
		v_ranking := 'criteria';
	ELSE
		PERFORM api_raise(400, 'missing_parameter', 'indicator',
		                  format('Bloc %s has no scoring criteria for %s; name an indicator to rank by.', b.code, p.year));
	END IF;
	-- the same ranking a year before, when the bloc had that year (and
	-- its criteria, when ranked by them): what the ranks moved from
	prev := period_year_before(p);
	IF prev.code IS NOT NULL AND EXISTS (SELECT 1 FROM bloc_year yb WHERE yb.bloc_id = v_bloc AND yb.year = prev.year)
	   AND (v_ind IS NOT NULL OR EXISTS (SELECT 1 FROM bloc_criterion c WHERE c.bloc_id = v_bloc
	                                     AND c.year = prev.year)) THEN
		SELECT coalesce(jsonb_object_agg(x.org_id::text, x.rnk), '{}') INTO v_previous
		FROM (SELECT DISTINCT s.org_id, s.rnk FROM scoreboard_rows(v_bloc, prev, v_ind, v_by, lower_better) s
		      WHERE s.rnk IS NOT NULL) x;
	END IF;
	RETURN QUERY
	WITH rows AS (
		SELECT * FROM scoreboard_rows(v_bloc, p, v_ind, v_by, lower_better)
	)
	SELECT b.code::text, b.name::text, p.code, p.label, p.year,
	       (SELECT o.code::text FROM organization o WHERE o.id = y.leader_id), y.leader_person::text,
	       (SELECT o.code::text FROM organization o WHERE o.id = y.deputy_id), v_ranking,
	       (SELECT x.code FROM indicator x WHERE x.id = v_ind), CASE WHEN v_ind IS NOT NULL THEN v_by END,
	       (SELECT coalesce(json_agg(o.code ORDER BY o.code), '[]')
	        FROM (SELECT DISTINCT r2.org_id FROM rows r2 WHERE r2.rnk = 1) r2 JOIN organization o ON o.id = r2.org_id),
	       o.code::text, o.name::text, r.rnk, (v_previous ->> r.org_id::text)::bigint, r.score, r.bonus, r.penalty,
	       to_json(r.missing), i.code, i.name::text, r.weight, r.cap_pct, r.actual, r.target, r.completion, r.points,
	       r.crnk
	FROM rows r
	JOIN organization o ON o.id = r.org_id
	JOIN indicator i ON i.id = r.indicator_id
	ORDER BY r.rnk NULLS LAST, r.score DESC NULLS LAST, o.name COLLATE vietnamese, o.code, i.code;
END $$;

-- ---------------------------------------------------------------- reporting

-- Who has reported what, for a set of subjects × indicators in a period:
-- an actual reported for the period counts as received ("reported"), and
-- so does one derived from the subject's own sub-periods or its children
-- (its source says which); anything else is missing. Subjects that miss
-- something come first, then by name.
CREATE FUNCTION reporting_rows(p_subjects bigint[], p_indicators int[], p period_info)
RETURNS TABLE (org text, name text, received json, derived json, missing json, missing_count int)
LANGUAGE sql STABLE AS $$
	WITH cells AS (
		SELECT s.id AS org_id, i.id AS indicator_id, i.code AS indicator,
		       CASE WHEN v.actual IS NOT NULL THEN 'reported'
		            ELSE (figure(s.id, NULL, i.id, p, 'actual')).source END AS source
		FROM unnest(p_subjects) s(id)
		CROSS JOIN unnest(p_indicators) x(id)
		JOIN indicator i ON i.id = x.id
		LEFT JOIN value v ON v.org_id = s.id AND v.indicator_id = i.id
		                 AND v.period_id = (SELECT pr.id FROM period pr WHERE pr.code = p.code)
	), per AS (
		SELECT c.org_id,
		       coalesce(json_agg(c.indicator ORDER BY c.indicator) FILTER (WHERE c.source IS NOT NULL), '[]') AS received,
		       coalesce(json_object_agg(c.indicator, c.source) FILTER (WHERE c.source IS NOT NULL
		                                                               AND c.source <> 'reported'), '{}') AS derived,
		       coalesce(json_agg(c.indicator ORDER BY c.indicator) FILTER (WHERE c.source IS NULL), '[]') AS missing,
		       count(*) FILTER (WHERE c.source IS NULL)::int AS missing_count
		FROM cells c GROUP BY c.org_id
	)
	SELECT o.code::text, o.name::text, pe.received, pe.derived, pe.missing, pe.missing_count
	FROM per pe JOIN organization o ON o.id = pe.org_id
	ORDER BY pe.missing_count = 0, o.name COLLATE vietnamese, o.code
$$;

-- GET /v1/blocs/{code}/reporting: the members of the period's year × the
-- bloc's criteria that year (or the indicators named).
CREATE FUNCTION api_bloc_reporting(p_scope bigint, p_code text, p_period text, p_indicator text)
RETURNS TABLE ("@bloc" text, "@name" text, "@period" text, "@label" text, "@year" int, "@indicators" json,
               "@expected" int, "@received" int, org text, name text, received json, derived json, missing json)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_bloc bigint;
	b bloc;
	v_members bigint[];
	v_indicators int[];
BEGIN
	v_bloc := bloc_of_period(p_scope, p_code, p, 'reporting status');
	SELECT * INTO b FROM bloc WHERE id = v_bloc;
	PERFORM bloc_year_of(v_bloc, p);
	v_indicators := CASE WHEN p_indicator IS NOT NULL
	                     THEN resolve_codes('indicator', string_to_array(p_indicator, ','), 'indicator')::int[]
	                     ELSE (SELECT array_agg(c.indicator_id ORDER BY c.indicator_id) FROM bloc_criterion c
	                           WHERE c.bloc_id = v_bloc AND c.year = p.year) END;
	IF v_indicators IS NULL THEN
		PERFORM api_raise(400, 'missing_parameter', 'indicator',
		                  format('Bloc %s has no scoring criteria for %s; name the indicators to follow.', b.code,
		                         p.year));
	END IF;
	SELECT coalesce(array_agg(m.org_id), '{}') INTO v_members
	FROM bloc_member m WHERE m.bloc_id = v_bloc AND m.year = p.year;
	RETURN QUERY
	WITH r AS (SELECT * FROM reporting_rows(v_members, v_indicators, p))
	SELECT b.code::text, b.name::text, p.code, p.label, p.year,
	       (SELECT json_agg(i.code ORDER BY i.code) FROM indicator i WHERE i.id = ANY (v_indicators)),
	       cardinality(v_members) * cardinality(v_indicators),
	       (SELECT coalesce(sum(json_array_length(x.received)), 0)::int FROM r x),
	       r.org, r.name, r.received, r.derived, r.missing
	FROM (SELECT 1) one LEFT JOIN r ON true;
END $$;

-- GET /v1/organizations/{code}/reporting: its children as they stood at
-- the period's end × the indicators named.
CREATE FUNCTION api_organization_reporting(p_scope bigint, p_code text, p_period text, p_indicator text)
RETURNS TABLE ("@org" text, "@name" text, "@period" text, "@label" text, "@indicators" json,
               "@expected" int, "@received" int, org text, name text, received json, derived json, missing json)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_org bigint := scope_check_on(p_scope, resolve_organization(p_code, NULL), p.end_date, 'code');
	v_indicators int[] := resolve_codes('indicator', string_to_array(p_indicator, ','), 'indicator')::int[];
	v_kids bigint[];
	o organization;
BEGIN
	SELECT * INTO o FROM organization WHERE id = v_org;
	SELECT coalesce(array_agg(l.org_id), '{}') INTO v_kids
	FROM organization_parent l WHERE l.parent_id = v_org AND l.during @> p.end_date;
	RETURN QUERY
	WITH r AS (SELECT * FROM reporting_rows(v_kids, v_indicators, p))
	SELECT o.code::text, o.name::text, p.code, p.label,
	       (SELECT json_agg(i.code ORDER BY i.code) FROM indicator i WHERE i.id = ANY (v_indicators)),
	       cardinality(v_kids) * cardinality(v_indicators),
	       (SELECT coalesce(sum(json_array_length(x.received)), 0)::int FROM r x),
	       r.org, r.name, r.received, r.derived, r.missing
	FROM (SELECT 1) one LEFT JOIN r ON true;
END $$;
