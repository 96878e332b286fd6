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

CREATE FUNCTION pct(p_part numeric, p_whole numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN p_part IS NULL OR p_whole IS NULL OR p_whole = 0 THEN NULL
            ELSE trim_scale(round(p_part / p_whole * 100, 2)) END;

CREATE FUNCTION change_pct(p_now numeric, p_before numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pct(p_now - p_before, abs(p_before));

-- The same period a year earlier (NULL for a congress term).
CREATE FUNCTION period_year_before(p period_info) RETURNS period_info
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p.kind
	WHEN 'year' THEN period_parse((p.year - 1)::text)
	WHEN 'half' THEN period_parse((p.year - 1) || 'H' || p.number)
	WHEN 'quarter' THEN period_parse((p.year - 1) || 'Q' || p.number)
	WHEN 'month' THEN period_parse((p.year - 1) || 'M' || p.number)
	WHEN 'ytd' THEN period_parse((p.year - 1) || 'YTD' || p.number)
END;

-- ---------------------------------------------------------------- one subject

-- The field ('actual' or 'target') of a value row.
CREATE FUNCTION value_field(v value, p_field text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_field WHEN 'actual' THEN v.actual ELSE v.target END;

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

-- Rule 3, for every child of an organization at once: each child's
-- figure, walking down the hierarchy as it stood at the period's end and
-- stopping under any organization that has its own figure (its figure
-- covers everything below it).
CREATE FUNCTION children_figures(p_org bigint, p_indicator int, p period_info, p_field text)
RETURNS TABLE (child_id bigint, val numeric, source text)
LANGUAGE sql STABLE AS $$
	WITH RECURSIVE ind AS (
		SELECT kind, rollup FROM indicator WHERE id = p_indicator
	), walk(org_id, top, depth, own, own_source) AS (
		SELECT l.org_id, l.org_id, 1, f.val, f.source
		FROM organization_parent l, ind, own_figure(l.org_id, NULL, p_indicator, ind.kind, p, p_field) f
		WHERE l.parent_id = p_org AND l.during @> p.end_date
		UNION ALL
		SELECT l.org_id, w.top, w.depth + 1, f.val, f.source
		FROM walk w
		JOIN organization_parent l ON l.parent_id = w.org_id AND l.during @> p.end_date
		CROSS JOIN ind
		CROSS JOIN LATERAL own_figure(l.org_id, NULL, p_indicator, ind.kind, p, p_field) f
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
CREATE FUNCTION summary_rows(p_org bigint, p_bloc bigint, p period_info)
RETURNS TABLE (indicator text, name text, unit text, actual numeric, target numeric, completion_pct numeric,
               year_target numeric, year_progress_pct numeric, previous numeric, yoy_pct numeric, source text,
               missing json)
LANGUAGE sql STABLE AS $$
	WITH context AS (
		SELECT p, period_year_before(p) AS before,
		       CASE WHEN p.kind IN ('half', 'quarter', 'month', 'ytd') THEN period_parse(p.year::text) END AS whole_year
	), candidates AS (
		-- indicators with a value near the period: in it, in the year, a year before
		SELECT DISTINCT v.indicator_id
		FROM value v JOIN period pr ON pr.id = v.period_id, context c
		WHERE (v.org_id = p_org OR v.bloc_id = p_bloc)
		  AND pr.start_date <= p.end_date AND pr.end_date >= coalesce((c.before).start_date, p.start_date)
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
		       figure(p_org, p_bloc, i.id, c.whole_year, 'target') AS yt,
		       figure(p_org, p_bloc, i.id, c.before, 'actual') AS prev
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

-- GET /v1/organizations/{code}/summary. Columns starting with @ describe
-- the whole answer; the rest are its `items`.
CREATE FUNCTION api_organization_summary(p_scope bigint, p_code text, p_period text)
RETURNS TABLE ("@org" text, "@name" text, "@period" text, "@label" text, indicator text, indicator_name text,
               unit text, actual numeric, target numeric, completion_pct numeric, year_target numeric,
               year_progress_pct numeric, previous numeric, yoy_pct numeric, source text, missing json)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_org bigint := scope_check(p_scope, resolve_organization(p_code, NULL), 'code');
	p period_info := period_parse(p_period);
	o organization;
BEGIN
	SELECT * INTO o FROM organization WHERE id = v_org;
	RETURN QUERY
	SELECT o.code::text, o.name::text, p.code, p.label, s.indicator, s.name, s.unit, s.actual, s.target,
	       s.completion_pct, s.year_target, s.year_progress_pct, s.previous, s.yoy_pct, s.source, s.missing
	FROM (SELECT 1) one LEFT JOIN summary_rows(v_org, NULL, p) s ON true;
END $$;

-- GET /v1/blocs/{code}/summary: the bloc's own reported totals (by the same
-- rules) beside the sum of its members' figures for the period's year.
CREATE FUNCTION api_bloc_summary(p_scope bigint, p_code text, p_period text)
RETURNS TABLE ("@bloc" text, "@name" text, "@period" text, "@label" text, "@year" int, "@members" json,
               indicator text, indicator_name text, unit text, actual numeric, target numeric, completion_pct numeric,
               year_target numeric, year_progress_pct numeric, previous numeric, yoy_pct numeric, source text,
               missing json, members_actual numeric, members_target numeric, members_completion_pct numeric,
               members_reporting int)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_bloc bigint := scope_check_bloc(p_scope, resolve_bloc(p_code, NULL), 'code');
	p period_info := period_parse(p_period);
	b bloc;
	v_members bigint[];
BEGIN
	SELECT * INTO b FROM bloc WHERE id = v_bloc;
	SELECT coalesce(array_agg(m.org_id), '{}') INTO v_members FROM bloc_member m WHERE m.bloc_id = v_bloc AND m.year = p.year;
	RETURN QUERY
	WITH own AS (
		SELECT * FROM summary_rows(NULL, v_bloc, p)
	), member_indicators AS (
		SELECT DISTINCT v.indicator_id FROM value v JOIN period pr ON pr.id = v.period_id
		WHERE v.org_id = ANY (v_members) AND pr.start_date <= p.end_date AND pr.end_date >= p.start_date
	), sums AS (
		SELECT i.code, i.name, i.unit, sum((figure(m, NULL, i.id, p, 'actual')).val) AS a,
		       sum((figure(m, NULL, i.id, p, 'target')).val) AS t,
		       count((figure(m, NULL, i.id, p, 'actual')).val)::int AS reporting
		FROM member_indicators k JOIN indicator i ON i.id = k.indicator_id, unnest(v_members) m
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

-- ---------------------------------------------------------------- breakdown

-- GET /v1/organizations/{code}/breakdown: the organization's own reported
-- figure beside the sum of its children's (as the hierarchy stood at the
-- period's end), the discrepancy, and each child.
CREATE FUNCTION api_organization_breakdown(p_scope bigint, p_code text, p_indicator text, p_period text)
RETURNS TABLE ("@org" text, "@name" text, "@indicator" text, "@unit" text, "@period" text, "@label" text,
               "@reported" json, "@children_total" json, "@discrepancy" json, "@children_reporting" int,
               org text, name text, actual numeric, target numeric, completion_pct numeric, source text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_org bigint := scope_check(p_scope, resolve_organization(p_code, NULL), 'code');
	v_ind int := resolve_indicator(p_indicator, 'indicator');
	p period_info := period_parse(p_period);
	o organization;
	i indicator;
	own_a numeric;
	own_t numeric;
	sum_a numeric;
	sum_t numeric;
	n_reporting int;
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
	SELECT o.code::text, o.name::text, i.code, i.unit::text, p.code, p.label,
	       json_build_object('actual', own_a, 'target', own_t),
	       json_build_object('actual', tt.sa, 'target', tt.st),
	       json_build_object('actual', own_a - tt.sa, 'target', own_t - tt.st),
	       tt.n,
	       r.code, r.name, r.actual, r.target, pct(r.actual, r.target), r.source
	FROM totals tt LEFT JOIN rows r ON true
	ORDER BY r.name COLLATE vietnamese, r.code;
END $$;

-- ---------------------------------------------------------------- series

-- GET /v1/series: every period of one granularity between two years, the
-- gaps as gaps (actual null, source null).
CREATE FUNCTION api_series(p_scope bigint, p_org text, p_bloc text, p_indicator text, p_from int, p_to int,
                           p_every text)
RETURNS TABLE ("@subject" text, "@name" text, "@indicator" text, "@unit" text, "@every" text,
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
		v_org := scope_check(p_scope, resolve_organization(p_org, 'org'), 'org');
		SELECT code, name INTO v_subject, v_name FROM organization WHERE id = v_org;
	ELSE
		v_bloc := scope_check_bloc(p_scope, resolve_bloc(p_bloc, 'bloc'), 'bloc');
		SELECT code, name INTO v_subject, v_name FROM bloc WHERE id = v_bloc;
	END IF;
	SELECT * INTO i FROM indicator WHERE id = v_ind;
	RETURN QUERY
	WITH points AS (
		SELECT (period_parse(y || CASE p_every WHEN 'month' THEN 'M' || lpad(n::text, 2, '0')
		                                       WHEN 'quarter' THEN 'Q' || n WHEN 'half' THEN 'H' || n ELSE '' END)) AS p
		FROM generate_series(p_from, p_to) y,
		     generate_series(1, CASE p_every WHEN 'month' THEN 12 WHEN 'quarter' THEN 4 WHEN 'half' THEN 2 ELSE 1 END) n
	), figures AS (
		SELECT pt.p, figure(v_org, v_bloc, v_ind, pt.p, 'actual') AS a, figure(v_org, v_bloc, v_ind, pt.p, 'target') AS t
		FROM points pt
	)
	SELECT v_subject, v_name, i.code, i.unit::text, p_every, (f.p).code, (f.p).label, (f.p).start_date, (f.p).end_date,
	       (f.a).val, (f.t).val, pct((f.a).val, (f.t).val), coalesce((f.a).source, (f.t).source)
	FROM figures f
	ORDER BY (f.p).start_date;
END $$;

-- ---------------------------------------------------------------- scoreboard

-- GET /v1/blocs/{code}/scoreboard. With criteria for the year, each
-- member's points per criterion are weight × min(completion, cap) / 100;
-- the score adds bonuses and subtracts penalties. With `p_indicator`, the
-- ranking is by that indicator's actual (or completion, p_by). Ranks are
-- competition ranks (1, 2, 2, 4) among members with every figure; members
-- missing any are listed after them, unranked, with what is missing.
CREATE FUNCTION api_bloc_scoreboard(p_scope bigint, p_code text, p_period text, p_indicator text, p_by text)
RETURNS TABLE ("@bloc" text, "@name" text, "@period" text, "@label" text, "@year" int, "@leader" text,
               "@leader_person" text, "@deputy" text, "@ranking" text, "@leading" json,
               org text, name text, rank bigint, score numeric, bonus numeric, penalty numeric, missing json,
               "criteria.indicator" text, "criteria.weight" numeric, "criteria.cap_pct" numeric,
               "criteria.actual" numeric, "criteria.target" numeric, "criteria.completion_pct" numeric,
               "criteria.points" numeric, "criteria.rank" bigint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	v_bloc bigint := scope_check_bloc(p_scope, resolve_bloc(p_code, NULL), 'code');
	p period_info := period_parse(p_period);
	v_ind int;
	v_by text := coalesce(p_by, 'actual');
	y bloc_year;
	b bloc;
	v_ranking text;
	lower_better boolean := false;
BEGIN
	SELECT * INTO b FROM bloc WHERE id = v_bloc;
	SELECT * INTO y FROM bloc_year WHERE bloc_id = v_bloc AND year = p.year;
	IF NOT FOUND THEN
		PERFORM api_raise(404, 'bloc_year_not_found', 'period',
		                  format('Bloc %s has no record for %s (the year of %s); its years are %s.', b.code, p.year,
		                         p.code, bloc_years(v_bloc)));
	END IF;
	IF p_indicator IS NOT NULL THEN
		v_ind := resolve_indicator(p_indicator, 'indicator');
		SELECT NOT higher_is_better INTO lower_better FROM indicator WHERE id = v_ind;
		v_ranking := format('indicator %s, by %s', lower(p_indicator), v_by);
	ELSIF EXISTS (SELECT 1 FROM bloc_criterion c WHERE c.bloc_id = v_bloc AND c.year = p.year) THEN
		v_ranking := 'criteria';
	ELSE
		PERFORM api_raise(400, 'missing_parameter', 'indicator',
		                  format('Bloc %s has no scoring criteria for %s; name an indicator to rank by.', b.code, p.year));
	END IF;
	RETURN QUERY
	WITH crit AS (
		SELECT c.indicator_id, c.weight, c.cap_pct FROM bloc_criterion c
		WHERE v_ind IS NULL AND c.bloc_id = v_bloc AND c.year = p.year
		UNION ALL
		SELECT v_ind, NULL::numeric, NULL::numeric WHERE v_ind IS NOT NULL
	), members AS (
		SELECT m.org_id FROM bloc_member m WHERE m.bloc_id = v_bloc AND m.year = p.year
	), cells AS (
		SELECT m.org_id, c.indicator_id, c.weight, c.cap_pct,
		       (figure(m.org_id, NULL, c.indicator_id, p, 'actual')).val AS actual,
		       (figure(m.org_id, NULL, c.indicator_id, p, 'target')).val AS target
		FROM members m CROSS JOIN crit c
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
	SELECT b.code::text, b.name::text, p.code, p.label, p.year,
	       (SELECT o.code::text FROM organization o WHERE o.id = y.leader_id), y.leader_person::text,
	       (SELECT o.code::text FROM organization o WHERE o.id = y.deputy_id), v_ranking,
	       (SELECT coalesce(json_agg(o.code ORDER BY o.code), '[]') FROM ranked r2 JOIN organization o ON o.id = r2.org_id
	        WHERE r2.rnk = 1),
	       o.code::text, o.name::text, r.rnk, r.score, r.bonus, r.penalty, to_json(r.missing),
	       i.code, c.weight, c.cap_pct, c.actual, c.target, c.completion, c.points, c.crnk
	FROM ranked r
	JOIN organization o ON o.id = r.org_id
	JOIN crit_ranked c ON c.org_id = r.org_id
	JOIN indicator i ON i.id = c.indicator_id
	ORDER BY r.rnk NULLS LAST, r.score DESC NULLS LAST, o.name COLLATE vietnamese, o.code, i.code;
END $$;
