-- Performance at national scale. Earlier migrations stay as they were
-- applied; what changes is replaced here.
--
-- 1. value_period duplicated value_indicator_period for the lookups that
--    need it and cost every import an index to maintain; the latter
--    becomes covering (org, actual, target) for index-only roll-ups.
-- 2. organization_parent gets a btree on org_id: the ancestor walk of the
--    parent check, and every "parents of" lookup, were scans of the table.
-- 3. import_organizations found the rows waiting for a parent by scanning
--    the whole file for each row (quadratic: 20 000 rows took minutes).
-- 4. children_figures joins the reported figures in bulk and derives only
--    for organizations that reported none but have figures for shorter
--    periods inside the period (reported_or_derived).
-- 5. api_bloc_scoreboard joins the members' reported figures and calls
--    figure() only for the cells that have none.

DROP INDEX IF EXISTS value_period;
-- The roll-ups read one indicator's figures for one period, and which
-- organizations have figures inside a period, from the index alone.
CREATE INDEX value_indicator_period_org ON value (indicator_id, period_id, org_id) INCLUDE (actual, target);
DROP INDEX value_indicator_period;
CREATE INDEX organization_parent_org ON organization_parent (org_id);

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
CREATE OR REPLACE FUNCTION children_figures(p_org bigint, p_indicator int, p period_info, p_field text)
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

-- GET /v1/blocs/{code}/scoreboard. With criteria for the year, each
-- member's points per criterion are weight × min(completion, cap) / 100;
-- the score adds bonuses and subtracts penalties. With `p_indicator`, the
-- ranking is by that indicator's actual (or completion, p_by). Ranks are
-- competition ranks (1, 2, 2, 4) among members with every figure; members
-- missing any are listed after them, unranked, with what is missing.
CREATE OR REPLACE FUNCTION api_bloc_scoreboard(p_scope bigint, p_code text, p_period text, p_indicator text, p_by text)
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

-- Rows go in dependency order (a parent or successor named in the file is
-- written before the rows that refer to it), each in a subtransaction so a
-- bad row leaves nothing behind.
CREATE OR REPLACE FUNCTION import_organizations(p_scope bigint, p_keep_good boolean, p_mode text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v_status text;
	v_state text;
	v_msg text;
	v_code text;
	v_field text;
	v_progress boolean := true;
	v_created bigint := 0;
	v_updated bigint := 0;
	v_unchanged bigint := 0;
	v_rejected bigint;
BEGIN
	SET CONSTRAINTS ALL IMMEDIATE;
	-- Each row's code and the codes it names, indexed, so that finding the
	-- rows whose parent or successor is still to be created is a join, not
	-- a scan of the file for every row.
	CREATE TEMP TABLE import_checked (line int, idx int, code text, parent text, successor text,
	                                  problem text[], done boolean NOT NULL DEFAULT false)
		ON COMMIT DROP;
	INSERT INTO import_checked (line, idx, code, parent, successor)
	SELECT line, idx, upper(doc->>'code'), upper(doc->>'parent'), upper(doc->>'successor') FROM import_rows;
	CREATE INDEX ON import_checked (line);
	CREATE INDEX ON import_checked (code);
	ANALYZE import_checked;
	WHILE v_progress LOOP
		v_progress := false;
		FOR r IN
			SELECT i.line, i.idx, i.doc FROM import_rows i JOIN import_checked c USING (line)
			WHERE NOT c.done
			  -- wait for a parent or successor that another pending row creates
			  AND NOT EXISTS (SELECT 1 FROM import_checked cj
			                  WHERE cj.code = c.parent AND NOT cj.done AND cj.line <> c.line
			                    AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.code = cj.code))
			  AND NOT EXISTS (SELECT 1 FROM import_checked cj
			                  WHERE cj.code = c.successor AND NOT cj.done AND cj.line <> c.line
			                    AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.code = cj.code))
			ORDER BY i.line
		LOOP
			BEGIN
				v_status := import_organization_row(p_scope, r.doc, p_mode);
				UPDATE import_checked SET done = true WHERE line = r.line;
				v_created := v_created + (v_status = 'created')::int;
				v_updated := v_updated + (v_status = 'updated')::int;
				v_unchanged := v_unchanged + (v_status = 'unchanged')::int;
			EXCEPTION WHEN others THEN
				GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_code = PG_EXCEPTION_DETAIL,
				                        v_field = PG_EXCEPTION_HINT;
				IF v_state !~ '^TD' THEN
					-- a constraint of the schema: say it in its own words, without SQL
					v_code := 'invalid_row';
					v_field := 'code';
					v_msg := CASE v_state
						WHEN '23P01' THEN 'the organization would have two parents at once'
						WHEN '23514' THEN 'a value breaks a rule of the data (dates in order, names one line)'
						ELSE 'the row contradicts the data already stored' END;
				END IF;
				UPDATE import_checked SET done = true, problem = ARRAY[v_code, v_field, v_msg] WHERE line = r.line;
			END;
			v_progress := true;
		END LOOP;
	END LOOP;
	UPDATE import_checked SET done = true,
		problem = ARRAY['invalid_row', 'parent', 'new organizations name each other as parent or successor in a circle']
	WHERE NOT done;

	SELECT count(*) FILTER (WHERE problem IS NOT NULL) + (SELECT count(*) FROM import_rejects) INTO v_rejected
	FROM import_checked;
	RETURN import_summary(v_rejected = 0 OR p_keep_good, v_created, v_updated, v_unchanged, v_rejected);
END $$;
-- 6. A bulk import much larger than what the statistics of `value`
--    describe (a first load, a province's five years at once) planned the
--    look-up of the figures it replaces on stale numbers: a nested loop
--    over (indicator, period) that read every figure of the period for
--    each row, minutes instead of seconds. Such an import refreshes the
--    statistics first (ANALYZE samples a fixed number of rows: well under
--    a second at any size).
ALTER FUNCTION import_values(bigint, boolean) RENAME TO import_values_merge;
CREATE FUNCTION import_values(p_scope bigint, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	n bigint := (SELECT count(*) FROM import_value_rows);
BEGIN
	IF n > 10000 AND n > 0.2 * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'value'::regclass) THEN
		ANALYZE value;
	END IF;
	RETURN import_values_merge(p_scope, p_keep_good);
END $$;

-- 7. After five calls plpgsql may switch a statement to a generic plan,
--    planned without the organization, indicator and period. For the
--    analytics that plan cannot see which figures it needs: the national
--    roll-up went from about 50 ms to over 300 ms, a province's summary
--    from 140 to 210 ms. Those are planned for their arguments every time.
--    (Not the scoreboard: its generic plan is good, and planning it each
--    time cost three quarters of its throughput.)
ALTER FUNCTION api_organization_breakdown(bigint, text, text, text) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION api_organization_summary(bigint, text, text) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION api_bloc_summary(bigint, text, text) SET plan_cache_mode = force_custom_plan;

-- 8. The key check runs on every request. Its join to the scope's
--    organization could be planned as a hash of every organization; the
--    scope's code is now a look-up by primary key.
CREATE OR REPLACE FUNCTION key_lookup(p_prefix text)
RETURNS TABLE (id bigint, name text, role text, scope_id bigint, scope text, hash text, revoked boolean)
LANGUAGE sql STABLE AS $$
	SELECT k.id, k.name, k.role::text, k.scope_id, (SELECT o.code::text FROM organization o WHERE o.id = k.scope_id),
	       encode(k.hash, 'hex'), k.revoked_at IS NOT NULL
	FROM api_key k
	WHERE k.prefix = p_prefix
$$;
