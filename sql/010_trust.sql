-- Trust: scope true to dates, blocs public among their members, arguments
-- named as the service names them, imports that tell rows apart.
--
-- 1. A key scoped to X reaches organization N only on the days N sat
--    inside X's subtree. A read is judged on the days it shows (a figure
--    for period P on P's last day, or N's own last day when N ended
--    first), a write on its period's days, the rest (a key, a PATCH, a
--    bloc's organizer) today. Before, any organization that had ever been
--    under X was reachable for all time.
-- 2. A bloc is public among its members: every member of a year, and its
--    organizer, may read that year's scoreboard and summary in full; a key
--    whose subtree holds none of them is told the bloc does not exist (404).
-- 3. Every function the service calls takes its arguments under the names
--    of the request parameters they come from (p_org, p_cursor, p_body),
--    since the service now calls them by name (db/queries.c).
-- 4. Import rows are told apart by their place in the file (seq), not by
--    their line: a JSON array written on one line is many rows on line 1.
-- 5. Values a client can get wrong are checked where they were cast
--    (a content_count of 1.5, a cursor from another list).

-- ---------------------------------------------------------------- reach

-- Every organization above p_org, itself included, and the days p_org sat
-- under it: the hierarchy walked upwards through time, each step limited
-- to the days both links held.
CREATE FUNCTION organization_ancestor_spans(p_org bigint)
RETURNS TABLE (ancestor_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	WITH RECURSIVE up(id, during) AS (
		SELECT o.id, o.validity FROM organization o WHERE o.id = p_org
		UNION ALL
		SELECT l.parent_id, up.during * l.during
		FROM up JOIN organization_parent l ON l.org_id = up.id AND l.during && up.during
	) CYCLE id SET is_cycle USING visited
	SELECT id, during FROM up WHERE NOT is_cycle AND NOT isempty(during)
$$;

-- The day an organization is seen on for p_on: p_on itself, or the
-- nearest day of its own life (a district dissolved on 2025-06-30 reports
-- its 2025 as of that day).
CREATE FUNCTION organization_day(p_org bigint, p_on date) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT organization_seen_on(o, p_on) FROM organization o WHERE o.id = p_org
$$;

-- The days on which p_org sat inside the subtree of p_scope: all of them
-- for a key without scope, none for an organization never under it.
CREATE FUNCTION scope_reach(p_scope bigint, p_org bigint) RETURNS datemultirange
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_scope IS NULL THEN datemultirange(daterange(NULL, NULL))
	            ELSE coalesce((SELECT range_agg(a.during) FROM organization_ancestor_spans(p_org) a
	                           WHERE a.ancestor_id = p_scope), '{}'::datemultirange) END
$$;

-- Whether the key reaches p_org on the day it is seen on for p_on.
CREATE FUNCTION scope_reaches(p_scope bigint, p_org bigint, p_on date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT p_scope IS NULL OR scope_reach(p_scope, p_org) @> organization_day(p_org, p_on)
$$;

-- Whether the key reaches p_org on any day at all (filters: what is shown
-- is then judged row by row).
CREATE OR REPLACE FUNCTION scope_allows(p_scope bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT p_scope IS NULL
	    OR EXISTS (SELECT 1 FROM organization_ancestor_spans(p_org) a WHERE a.ancestor_id = p_scope)
$$;

-- Days in words: "2020-01-01 to 2024-12-31, from 2026-01-01".
CREATE FUNCTION reach_text(m datemultirange) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT string_agg(dates_text(r), ', ' ORDER BY lower(r) NULLS FIRST) FROM unnest(m) r
$$;

-- Refuses (403 out_of_scope) an organization the key does not reach on the
-- day it is seen on for p_on; returns p_org.
CREATE FUNCTION scope_check_on(p_scope bigint, p_org bigint, p_on date, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_reach datemultirange;
	v_day date;
	v_code text;
	v_scope text;
BEGIN
	IF p_scope IS NULL OR p_org IS NULL THEN
		RETURN p_org;
	END IF;
	v_reach := scope_reach(p_scope, p_org);
	v_day := organization_day(p_org, p_on);
	IF NOT v_reach @> v_day THEN
		SELECT code INTO v_code FROM organization WHERE id = p_org;
		SELECT code INTO v_scope FROM organization WHERE id = p_scope;
		PERFORM api_raise(403, 'out_of_scope', p_field,
		                  CASE WHEN isempty(v_reach)
		                       THEN format('%s is outside what this key may reach (%s and the organizations under it).',
		                                   v_code, v_scope)
		                       ELSE format('%s is outside what this key may reach on %s: it was under %s %s.',
		                                   v_code, v_day, v_scope, reach_text(v_reach)) END);
	END IF;
	RETURN p_org;
END $$;

-- Refuses (403) a span of days that is not wholly inside the key's reach
-- of p_org (a new parent link: the child joins p_org's subtree for those
-- days).
CREATE FUNCTION scope_check_span(p_scope bigint, p_org bigint, p_span daterange, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_reach datemultirange;
BEGIN
	IF p_scope IS NULL OR p_org IS NULL THEN
		RETURN p_org;
	END IF;
	v_reach := scope_reach(p_scope, p_org);
	IF NOT v_reach @> p_span THEN
		PERFORM api_raise(403, 'out_of_scope', p_field,
		                  format('%s is inside what this key may reach (%s and the organizations under it) %s, '
		                         'not %s; give dates within that (parent_from, valid_from).',
		                         (SELECT code FROM organization WHERE id = p_org),
		                         (SELECT code FROM organization WHERE id = p_scope),
		                         coalesce(reach_text(v_reach), 'never'), dates_text(p_span)));
	END IF;
	RETURN p_org;
END $$;

-- Whether a key reaches a bloc. Blocs are public among their members: for
-- one year, a key reaches the bloc when its subtree holds the organizer
-- (on that year's last day) or a member of that year (on its own last day
-- in it); for the bloc as a whole (p_year NULL), when it does so for any
-- year, or holds the organizer today.
CREATE FUNCTION bloc_reached(p_scope bigint, p_bloc bigint, p_year int) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_scope IS NULL
	    OR EXISTS (SELECT 1 FROM bloc b
	               WHERE b.id = p_bloc AND b.organizer_id IS NOT NULL
	                 AND (scope_reaches(p_scope, b.organizer_id, coalesce(make_date(p_year, 12, 31), current_date))
	                      OR (p_year IS NULL AND EXISTS (
	                          SELECT 1 FROM bloc_year y WHERE y.bloc_id = b.id
	                            AND scope_reaches(p_scope, b.organizer_id, make_date(y.year, 12, 31))))))
	    OR EXISTS (SELECT 1 FROM bloc_member m
	               WHERE m.bloc_id = p_bloc AND (p_year IS NULL OR m.year = p_year)
	                 AND scope_reaches(p_scope, m.org_id, make_date(m.year, 12, 31)))
$$;

-- A bloc named in a path the key does not reach does not exist for it
-- (404); one named in a filter is unknown (400).
CREATE FUNCTION bloc_check(p_scope bigint, p_bloc bigint, p_year int, p_code text, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_bloc IS NOT NULL AND NOT bloc_reached(p_scope, p_bloc, p_year) THEN
		IF p_field IS NULL THEN
			PERFORM api_raise(404, 'bloc_not_found', 'code', format('There is no bloc %s.', upper(p_code)));
		END IF;
		PERFORM api_raise(400, 'unknown_bloc', p_field, format('%s: there is no bloc %s.', p_field, upper(p_code)));
	END IF;
	RETURN p_bloc;
END $$;

-- ---------------------------------------------------------------- text fields

-- A text field of a body, checked before the table's own constraint could
-- refuse it in words a client cannot act on: at most p_max characters; one
-- line (no control characters, no spaces at its ends) when p_one_line, else
-- no control characters but tabs and line breaks. Returns the text.
CREATE FUNCTION text_check(p_value text, p_field text, p_max int, p_one_line boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_value IS NULL THEN
		RETURN NULL;
	END IF;
	IF length(p_value) > p_max THEN
		PERFORM api_raise(400, 'invalid_field', p_field, format('%s is longer than %s characters', p_field, p_max));
	END IF;
	IF p_one_line AND (p_value ~ '[[:cntrl:]]' OR p_value <> btrim(p_value) OR p_value = '') THEN
		PERFORM api_raise(400, 'invalid_field', p_field,
		                  format('%s must be one line of text, without spaces at its start or end', p_field));
	END IF;
	IF NOT p_one_line AND p_value ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
		PERFORM api_raise(400, 'invalid_field', p_field, format('%s may not contain control characters', p_field));
	END IF;
	RETURN p_value;
END $$;

-- ---------------------------------------------------------------- organizations

DROP FUNCTION api_organizations(bigint, text, text, text, text, date, boolean, text, int);
CREATE FUNCTION api_organizations(p_scope bigint, p_kind text, p_parent text, p_under text, p_q text, p_on date,
                                  p_include_dissolved boolean, p_cursor text, p_limit int)
RETURNS TABLE (code text, name text, short_name text, kind text, parent text, valid_from date, valid_to date,
               successor text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_on_date date := coalesce(p_on, current_date);
	v_parent_id bigint := scope_check_on(p_scope, CASE WHEN p_parent IS NOT NULL THEN resolve_organization(p_parent, 'parent') END,
	                                     v_on_date, 'parent');
	v_under_id bigint := scope_check_on(p_scope, CASE WHEN p_under IS NOT NULL THEN resolve_organization(p_under, 'under') END,
	                                    v_on_date, 'under');
	v_all_times boolean := coalesce(p_include_dissolved, false);
	v_after_name text := split_part(p_cursor, E'\x1f', 1);
	v_after_code text := split_part(p_cursor, E'\x1f', 2);
	v_pattern text := CASE WHEN p_q IS NOT NULL THEN like_contains(search_key(p_q)) END;
BEGIN
	RETURN QUERY
	WITH sub AS MATERIALIZED (
		SELECT s.org_id, s.during FROM organization_subtree_spans(v_under_id) s WHERE v_under_id IS NOT NULL
	), visible AS MATERIALIZED (
		SELECT s.org_id, s.during FROM scope_spans(p_scope) s
	)
	SELECT o.code::text, o.name::text, o.short_name::text, o.kind::text, par.code::text,
	       o.valid_from, o.valid_to, succ.code::text, o.name || E'\x1f' || o.code
	FROM organization o
	CROSS JOIN LATERAL (SELECT CASE WHEN v_all_times THEN organization_seen_on(o, v_on_date) ELSE v_on_date END AS day) d
	LEFT JOIN organization par ON par.id = organization_parent_on(o.id, organization_seen_on(o, v_on_date))
	LEFT JOIN organization succ ON succ.id = o.successor_id
	WHERE (v_all_times OR o.validity @> v_on_date)
	  -- the key sees an organization as of the day it is shown on
	  AND (p_scope IS NULL OR EXISTS (SELECT 1 FROM visible WHERE visible.org_id = o.id AND visible.during @> d.day))
	  AND (p_kind IS NULL OR o.kind = p_kind::org_kind)
	  AND (v_parent_id IS NULL OR organization_parent_on(o.id, d.day) = v_parent_id)
	  AND (v_under_id IS NULL OR EXISTS (SELECT 1 FROM sub WHERE sub.org_id = o.id AND sub.during @> d.day))
	  AND (v_pattern IS NULL OR o.search LIKE v_pattern)
	  AND (p_cursor IS NULL OR (o.name COLLATE vietnamese, o.code::text) > (v_after_name COLLATE vietnamese, v_after_code))
	ORDER BY o.name COLLATE vietnamese, o.code
	LIMIT p_limit;
END $$;

-- One organization as of a day (today unless p_on): refused when the key
-- does not reach it that day.
CREATE OR REPLACE FUNCTION api_organization(p_scope bigint, p_code text, p_on date)
RETURNS TABLE (code text, name text, short_name text, kind text, parent text, valid_from date, valid_to date,
               successor text, ancestors json, parents json)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_oid bigint := scope_check_on(p_scope, resolve_organization(p_code, NULL), coalesce(p_on, current_date), 'code');
	o organization;
	v_day date;
BEGIN
	SELECT * INTO o FROM organization WHERE id = v_oid;
	v_day := organization_seen_on(o, coalesce(p_on, current_date));
	RETURN QUERY
	WITH RECURSIVE up(id, depth) AS (
		SELECT organization_parent_on(v_oid, v_day), 1
		UNION ALL
		SELECT organization_parent_on(up.id, v_day), up.depth + 1 FROM up WHERE up.id IS NOT NULL AND up.depth < 50
	)
	SELECT o.code::text, o.name::text, o.short_name::text, o.kind::text,
	       (SELECT a.code::text FROM organization a WHERE a.id = organization_parent_on(v_oid, v_day)),
	       o.valid_from, o.valid_to,
	       (SELECT s.code::text FROM organization s WHERE s.id = o.successor_id),
	       coalesce((SELECT json_agg(json_build_object('code', a.code, 'name', a.name, 'kind', a.kind)
	                                 ORDER BY up.depth DESC)
	                 FROM up JOIN organization a ON a.id = up.id), '[]'::json),
	       coalesce((SELECT json_agg(json_build_object('parent', a.code, 'valid_from', l.valid_from,
	                                                   'valid_to', l.valid_to)
	                                 ORDER BY l.valid_from NULLS FIRST)
	                 FROM organization_parent l JOIN organization a ON a.id = l.parent_id
	                 WHERE l.org_id = v_oid), '[]'::json);
END $$;

-- ---------------------------------------------------------------- indicators and periods (no scope)

DROP FUNCTION api_indicators(bigint, text, text, text, int);
CREATE FUNCTION api_indicators(p_kind text, p_q text, p_cursor text, p_limit int)
RETURNS TABLE (code text, name text, name_en text, unit text, kind text, rollup text, higher_is_better boolean,
               description text, _cursor text)
LANGUAGE sql STABLE AS $$
	SELECT i.code, i.name, i.name_en, i.unit, i.kind::text, i.rollup::text, i.higher_is_better, i.description, i.code
	FROM indicator i
	WHERE (p_kind IS NULL OR i.kind = p_kind::indicator_kind)
	  AND (p_q IS NULL OR i.search LIKE like_contains(search_key(p_q)))
	  AND (p_cursor IS NULL OR i.code > p_cursor)
	ORDER BY i.code
	LIMIT p_limit
$$;

DROP FUNCTION api_indicator(bigint, text);
CREATE FUNCTION api_indicator(p_code text)
RETURNS TABLE (code text, name text, name_en text, unit text, kind text, rollup text, higher_is_better boolean,
               description text)
LANGUAGE sql STABLE AS $$
	SELECT i.code, i.name, i.name_en, i.unit, i.kind::text, i.rollup::text, i.higher_is_better, i.description
	FROM indicator i WHERE i.id = resolve_indicator(p_code, NULL)
$$;

DROP FUNCTION api_periods(bigint, int, text);
CREATE FUNCTION api_periods(p_year int, p_kind text)
RETURNS TABLE (code text, kind text, start date, "end" date, year int, year_end int, label text, _cursor text)
LANGUAGE sql STABLE AS $$
	WITH wanted AS (
		SELECT (period_parse(c)).* FROM (
			SELECT p_year::text AS c
			UNION ALL SELECT p_year || 'H' || n FROM generate_series(1, 2) n
			UNION ALL SELECT p_year || 'Q' || n FROM generate_series(1, 4) n
			UNION ALL SELECT p_year || 'M' || lpad(n::text, 2, '0') FROM generate_series(1, 12) n
			UNION ALL SELECT p_year || 'YTD' || lpad(n::text, 2, '0') FROM generate_series(1, 12) n
		) codes
		WHERE p_year IS NOT NULL
		UNION
		SELECT p.code, p.kind, p.year, p.year_end, p.number, p.start_date, p.end_date, p.label
		FROM period p
		WHERE p_year IS NULL OR (p.kind = 'term' AND p_year BETWEEN p.year AND p.year_end)
	)
	SELECT w.code, w.kind::text, w.start_date, w.end_date, w.year, w.year_end, w.label, NULL::text
	FROM wanted w
	WHERE p_kind IS NULL OR w.kind = p_kind::period_kind
	ORDER BY w.start_date, w.end_date, w.kind
$$;

-- ---------------------------------------------------------------- blocs

DROP FUNCTION api_blocs(bigint, text, int, text, text, text, int);
CREATE FUNCTION api_blocs(p_scope bigint, p_organizer text, p_year int, p_member text, p_q text, p_cursor text,
                          p_limit int)
RETURNS TABLE (code text, name text, kind text, organizer text, years json, note text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_organizer_id bigint := scope_check(p_scope, CASE WHEN p_organizer IS NOT NULL THEN resolve_organization(p_organizer, 'organizer') END, 'organizer');
	v_member_id bigint := scope_check(p_scope, CASE WHEN p_member IS NOT NULL THEN resolve_organization(p_member, 'member') END, 'member');
	v_after_name text := split_part(p_cursor, E'\x1f', 1);
	v_after_code text := split_part(p_cursor, E'\x1f', 2);
BEGIN
	RETURN QUERY
	WITH reach AS MATERIALIZED (
		-- the scope's subtree through time, once (bloc_reached, set-wise)
		SELECT s.org_id, s.during FROM scope_spans(p_scope) s
	)
	SELECT b.code::text, b.name::text, b.kind::text, org.code::text, bloc_years(b.id), b.note,
	       b.name || E'\x1f' || b.code
	FROM bloc b
	LEFT JOIN organization org ON org.id = b.organizer_id
	WHERE (p_scope IS NULL
	       OR EXISTS (SELECT 1 FROM reach r
	                  WHERE r.org_id = b.organizer_id
	                    AND (r.during @> organization_seen_on(org, coalesce(make_date(p_year, 12, 31), current_date))
	                         OR (p_year IS NULL AND EXISTS (
	                             SELECT 1 FROM bloc_year y
	                             WHERE y.bloc_id = b.id AND r.during @> organization_seen_on(org, make_date(y.year, 12, 31))))))
	       OR EXISTS (SELECT 1 FROM bloc_member m JOIN organization mo ON mo.id = m.org_id JOIN reach r ON r.org_id = m.org_id
	                  WHERE m.bloc_id = b.id AND (p_year IS NULL OR m.year = p_year)
	                    AND r.during @> organization_seen_on(mo, make_date(m.year, 12, 31))))
	  AND (v_organizer_id IS NULL OR b.organizer_id = v_organizer_id)
	  AND (p_year IS NULL OR EXISTS (SELECT 1 FROM bloc_year y WHERE y.bloc_id = b.id AND y.year = p_year))
	  AND (v_member_id IS NULL OR EXISTS (SELECT 1 FROM bloc_member m WHERE m.bloc_id = b.id AND m.org_id = v_member_id
	                                    AND (p_year IS NULL OR m.year = p_year)))
	  AND (p_q IS NULL OR b.search LIKE like_contains(search_key(p_q)))
	  AND (p_cursor IS NULL OR (b.name COLLATE vietnamese, b.code::text) > (v_after_name COLLATE vietnamese, v_after_code))
	ORDER BY b.name COLLATE vietnamese, b.code
	LIMIT p_limit;
END $$;

CREATE OR REPLACE FUNCTION api_bloc(p_scope bigint, p_code text)
RETURNS TABLE (code text, name text, kind text, organizer text, years json, note text)
LANGUAGE sql STABLE AS $$
	SELECT b.code, b.name, b.kind::text, org.code, bloc_years(b.id), b.note
	FROM bloc b LEFT JOIN organization org ON org.id = b.organizer_id
	WHERE b.id = bloc_check(p_scope, resolve_bloc(p_code, NULL), NULL, p_code, NULL)
$$;

CREATE OR REPLACE FUNCTION api_bloc_year(p_scope bigint, p_code text, p_year int)
RETURNS TABLE (bloc text, year int, members json, leader text, leader_person text, deputy text,
               deputy_person text, agreement json, criteria json, adjustments json, note text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_bid bigint := bloc_check(p_scope, resolve_bloc(p_code, NULL), NULL, p_code, NULL);
	y bloc_year;
BEGIN
	SELECT * INTO y FROM bloc_year WHERE bloc_id = v_bid AND bloc_year.year = p_year;
	IF NOT FOUND OR NOT bloc_reached(p_scope, v_bid, p_year) THEN
		PERFORM api_raise(404, 'bloc_year_not_found', 'year',
		                  format('Bloc %s has no record for %s that this key may read; those it may are %s.',
		                         upper(p_code), p_year,
		                         (SELECT coalesce(json_agg(r.year ORDER BY r.year), '[]'::json) FROM bloc_year r
		                          WHERE r.bloc_id = v_bid AND bloc_reached(p_scope, v_bid, r.year))));
	END IF;
	RETURN QUERY
	SELECT b.code::text, y.year,
	       coalesce((SELECT json_agg(o.code ORDER BY o.name COLLATE vietnamese, o.code)
	                 FROM bloc_member m JOIN organization o ON o.id = m.org_id
	                 WHERE m.bloc_id = v_bid AND m.year = y.year), '[]'::json),
	       (SELECT o.code::text FROM organization o WHERE o.id = y.leader_id),
	       y.leader_person::text,
	       (SELECT o.code::text FROM organization o WHERE o.id = y.deputy_id),
	       y.deputy_person::text,
	       CASE WHEN y.agreement_signed_on IS NULL AND y.agreement_content_count IS NULL AND y.agreement_note IS NULL
	                 AND NOT EXISTS (SELECT 1 FROM bloc_agreement_content c WHERE c.bloc_id = v_bid AND c.year = y.year)
	            THEN NULL
	            ELSE json_build_object(
	                'signed_on', y.agreement_signed_on,
	                'content_count', coalesce(y.agreement_content_count,
	                                          (SELECT count(*) FROM bloc_agreement_content c
	                                           WHERE c.bloc_id = v_bid AND c.year = y.year)),
	                'contents', coalesce((SELECT json_agg(c.content ORDER BY c.position) FROM bloc_agreement_content c
	                                      WHERE c.bloc_id = v_bid AND c.year = y.year), '[]'::json),
	                'note', y.agreement_note)
	       END,
	       coalesce((SELECT json_agg(json_build_object('indicator', i.code, 'weight', c.weight, 'cap_pct', c.cap_pct)
	                                 ORDER BY i.code)
	                 FROM bloc_criterion c JOIN indicator i ON i.id = c.indicator_id
	                 WHERE c.bloc_id = v_bid AND c.year = y.year), '[]'::json),
	       coalesce((SELECT json_agg(json_build_object('org', o.code, 'points', a.points, 'reason', a.reason)
	                                 ORDER BY a.id)
	                 FROM bloc_adjustment a JOIN organization o ON o.id = a.org_id
	                 WHERE a.bloc_id = v_bid AND a.year = y.year), '[]'::json),
	       y.note
	FROM bloc b WHERE b.id = v_bid;
END $$;

-- ---------------------------------------------------------------- values

-- The value filters: an organization named must be one the key reaches on
-- some day (which of its values show is then judged value by value); a
-- bloc named must be one it reaches at all.
CREATE OR REPLACE FUNCTION value_filter_make(p_scope bigint, p_orgs text, p_under text, p_blocs text, p_indicators text,
                                             p_periods text, p_year int) RETURNS value_filter
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter;
	v_id bigint;
BEGIN
	f.org_ids := CASE WHEN p_orgs IS NOT NULL THEN resolve_organizations(p_orgs, 'org') END;
	FOREACH v_id IN ARRAY coalesce(f.org_ids, '{}') LOOP
		PERFORM scope_check(p_scope, v_id, 'org');
	END LOOP;
	f.under_id := scope_check(p_scope, CASE WHEN p_under IS NOT NULL THEN resolve_organization(p_under, 'under') END,
	                          'under');
	f.bloc_ids := CASE WHEN p_blocs IS NOT NULL THEN resolve_blocs(p_blocs, 'bloc') END;
	FOREACH v_id IN ARRAY coalesce(f.bloc_ids, '{}') LOOP
		PERFORM bloc_check(p_scope, v_id, NULL, (SELECT code FROM bloc WHERE id = v_id), 'bloc');
	END LOOP;
	f.indicator_ids := CASE WHEN p_indicators IS NOT NULL THEN resolve_indicators(p_indicators, 'indicator') END;
	f.period_codes := string_to_array(p_periods, ',');
	f.year := p_year;
	f.subject_filtered := p_orgs IS NOT NULL OR p_under IS NOT NULL OR p_blocs IS NOT NULL;
	RETURN f;
END $$;

-- Whether a value (or a history row) is within what the key reaches: an
-- organization's figure on its day for the period (visible: the scope's
-- spans), a bloc's own total when the key reaches the bloc that year.
CREATE FUNCTION value_visible(p_scope bigint, p_org bigint, p_bloc bigint, p period, p_org_visible boolean)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_scope IS NULL OR CASE WHEN p_org IS NOT NULL THEN p_org_visible ELSE bloc_reached(p_scope, p_bloc, p.year) END
$$;

DROP FUNCTION api_values(bigint, text, text, text, text, text, int, text, int);
CREATE FUNCTION api_values(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                           p_period text, p_year int, p_cursor text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, period text, actual numeric, target numeric, note text,
               revision int, updated_at timestamptz, updated_by text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	a text[] := string_to_array(p_cursor, E'\x1f');
	v_after_start date;
	v_after_end date;
BEGIN
	IF p_cursor IS NOT NULL THEN
		IF array_length(a, 1) IS DISTINCT FROM 6 THEN
			PERFORM cursor_fail();
		END IF;
		BEGIN
			v_after_start := a[4]::date;
			v_after_end := a[5]::date;
		EXCEPTION WHEN others THEN
			PERFORM cursor_fail();
		END;
	END IF;
	RETURN QUERY
	WITH sub AS MATERIALIZED (
		SELECT s.org_id, s.during FROM organization_subtree_spans(f.under_id) s WHERE f.under_id IS NOT NULL
	), visible AS MATERIALIZED (
		SELECT s.org_id, s.during FROM scope_spans(p_scope) s
	)
	SELECT o.code::text, b.code::text, i.code, p.code, v.actual, v.target, v.note, v.revision, v.updated_at,
	       v.updated_by,
	       concat_ws(E'\x1f', CASE WHEN v.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(o.code, b.code),
	                 i.code, p.start_date, p.end_date, p.code)
	FROM value v
	JOIN indicator i ON i.id = v.indicator_id
	JOIN period p ON p.id = v.period_id
	LEFT JOIN organization o ON o.id = v.org_id
	LEFT JOIN bloc b ON b.id = v.bloc_id
	WHERE value_filter_keeps(f, p_scope, v.org_id, v.bloc_id, v.indicator_id, p,
	                         EXISTS (SELECT 1 FROM sub WHERE sub.org_id = v.org_id AND sub.during @> p.end_date),
	                         value_visible(p_scope, v.org_id, v.bloc_id, p,
	                                       EXISTS (SELECT 1 FROM visible WHERE visible.org_id = v.org_id
	                                               AND visible.during @> organization_seen_on(o, p.end_date))))
	  AND (p_cursor IS NULL
	       OR (CASE WHEN v.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(o.code, b.code)::text COLLATE "C",
	           i.code COLLATE "C", p.start_date, p.end_date, p.code COLLATE "C")
	          > (a[1], a[2] COLLATE "C", a[3] COLLATE "C", v_after_start, v_after_end, a[6] COLLATE "C"))
	-- organizations' values first, then blocs' own totals
	ORDER BY CASE WHEN v.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(o.code, b.code)::text COLLATE "C",
	         i.code COLLATE "C", p.start_date, p.end_date, p.code COLLATE "C"
	LIMIT p_limit;
END $$;

DROP FUNCTION api_value_history(bigint, text, text, text, text, text, int, text, int);
CREATE FUNCTION api_value_history(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                                  p_period text, p_year int, p_cursor text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, period text, revision int, operation text,
               actual numeric, target numeric, note text, old_actual numeric, old_target numeric, old_note text,
               changed_at timestamptz, changed_by text, request_id text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	a text[] := string_to_array(p_cursor, E'\x1f');
	v_after_at timestamptz;
	v_after_id bigint;
	v_after_rev int;
BEGIN
	IF p_cursor IS NOT NULL THEN
		IF array_length(a, 1) IS DISTINCT FROM 3 THEN
			PERFORM cursor_fail();
		END IF;
		BEGIN
			v_after_at := a[1]::timestamptz;
			v_after_id := a[2]::bigint;
			v_after_rev := a[3]::int;
		EXCEPTION WHEN others THEN
			PERFORM cursor_fail();
		END;
	END IF;
	RETURN QUERY
	WITH sub AS MATERIALIZED (
		SELECT s.org_id, s.during FROM organization_subtree_spans(f.under_id) s WHERE f.under_id IS NOT NULL
	), visible AS MATERIALIZED (
		SELECT s.org_id, s.during FROM scope_spans(p_scope) s
	), versions AS (
		SELECT h.value_id, h.org_id, h.bloc_id, h.indicator_id, h.period_id, h.revision, h.deleted, h.actual,
		       h.target, h.note, h.written_at, h.written_by, h.request_id
		FROM value_history h
		UNION ALL
		SELECT v.id, v.org_id, v.bloc_id, v.indicator_id, v.period_id, v.revision, false, v.actual, v.target, v.note,
		       v.updated_at, v.updated_by, v.request_id
		FROM value v
	), chosen AS (
		SELECT ver.* FROM versions ver JOIN period p ON p.id = ver.period_id
		LEFT JOIN organization o ON o.id = ver.org_id
		WHERE value_filter_keeps(f, p_scope, ver.org_id, ver.bloc_id, ver.indicator_id, p,
		                         EXISTS (SELECT 1 FROM sub WHERE sub.org_id = ver.org_id AND sub.during @> p.end_date),
		                         value_visible(p_scope, ver.org_id, ver.bloc_id, p,
		                                       EXISTS (SELECT 1 FROM visible WHERE visible.org_id = ver.org_id
		                                               AND visible.during @> organization_seen_on(o, p.end_date))))
	), story AS (
		SELECT c.*, lag(c.actual) OVER w AS old_actual, lag(c.target) OVER w AS old_target,
		       lag(c.note) OVER w AS old_note
		FROM chosen c WINDOW w AS (PARTITION BY c.value_id ORDER BY c.revision)
	)
	SELECT o.code::text, b.code::text, i.code, p.code, st.revision,
	       CASE WHEN st.deleted THEN 'delete' WHEN st.revision = 1 THEN 'insert' ELSE 'update' END,
	       st.actual, st.target, st.note, st.old_actual, st.old_target, st.old_note, st.written_at, st.written_by,
	       st.request_id, concat_ws(E'\x1f', st.written_at::text, st.value_id, st.revision)
	FROM story st
	JOIN indicator i ON i.id = st.indicator_id
	JOIN period p ON p.id = st.period_id
	LEFT JOIN organization o ON o.id = st.org_id
	LEFT JOIN bloc b ON b.id = st.bloc_id
	WHERE p_cursor IS NULL OR (st.written_at, st.value_id, st.revision) > (v_after_at, v_after_id, v_after_rev)
	ORDER BY st.written_at, st.value_id, st.revision
	LIMIT p_limit;
END $$;

DROP FUNCTION api_value_changes(bigint, text, text, text, text, text, int, timestamptz, text, int);
CREATE FUNCTION api_value_changes(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                                  p_period text, p_year int, p_updated_after timestamptz, p_cursor text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, period text, actual numeric, target numeric, note text,
               revision int, updated_at timestamptz, updated_by text, deleted boolean, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	a text[] := string_to_array(p_cursor, E'\x1f');
	v_after_at timestamptz;
	v_after_kind int;
	v_after_id bigint;
BEGIN
	IF p_cursor IS NOT NULL THEN
		IF array_length(a, 1) IS DISTINCT FROM 3 THEN
			PERFORM cursor_fail();
		END IF;
		BEGIN
			v_after_at := a[1]::timestamptz;
			v_after_kind := a[2]::int;
			v_after_id := a[3]::bigint;
		EXCEPTION WHEN others THEN
			PERFORM cursor_fail();
		END;
	END IF;
	RETURN QUERY
	WITH sub AS MATERIALIZED (
		SELECT s.org_id, s.during FROM organization_subtree_spans(f.under_id) s WHERE f.under_id IS NOT NULL
	), visible AS MATERIALIZED (
		SELECT s.org_id, s.during FROM scope_spans(p_scope) s
	), changes AS (
		SELECT v.org_id, v.bloc_id, v.indicator_id, v.period_id, v.actual, v.target, v.note, v.revision,
		       v.updated_at AS at, v.updated_by AS who, false AS gone, 1 AS kind, v.id AS key
		FROM value v WHERE v.updated_at > p_updated_after
		UNION ALL
		SELECT h.org_id, h.bloc_id, h.indicator_id, h.period_id, NULL, NULL, NULL, h.revision,
		       h.written_at, h.written_by, true, 0, h.id
		FROM value_history h WHERE h.deleted AND h.written_at > p_updated_after
	)
	SELECT o.code::text, b.code::text, i.code, p.code, c.actual, c.target, c.note, c.revision, c.at, c.who, c.gone,
	       concat_ws(E'\x1f', c.at::text, c.kind, c.key)
	FROM changes c
	JOIN indicator i ON i.id = c.indicator_id
	JOIN period p ON p.id = c.period_id
	LEFT JOIN organization o ON o.id = c.org_id
	LEFT JOIN bloc b ON b.id = c.bloc_id
	WHERE value_filter_keeps(f, p_scope, c.org_id, c.bloc_id, c.indicator_id, p,
	                         EXISTS (SELECT 1 FROM sub WHERE sub.org_id = c.org_id AND sub.during @> p.end_date),
	                         value_visible(p_scope, c.org_id, c.bloc_id, p,
	                                       EXISTS (SELECT 1 FROM visible WHERE visible.org_id = c.org_id
	                                               AND visible.during @> organization_seen_on(o, p.end_date))))
	  AND (p_cursor IS NULL OR (c.at, c.kind, c.key) > (v_after_at, v_after_kind, v_after_id))
	ORDER BY c.at, c.kind, c.key
	LIMIT p_limit;
END $$;

-- One figure removed: judged on the period's days, as any write of it.
DROP FUNCTION api_value_delete(bigint, text, text, text, text);
CREATE FUNCTION api_value_delete(p_scope bigint, p_org text, p_bloc text, p_indicator text, p_period text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_org bigint;
	v_bloc bigint;
	v_indicator int := resolve_indicator(p_indicator, 'indicator');
	p period_info := period_parse(p_period);
	v_period int;
	v_lock bigint;
	v_id bigint;
	v_organizer bigint;
BEGIN
	IF (p_org IS NULL) = (p_bloc IS NULL) THEN
		PERFORM api_raise(400, 'invalid_parameter', 'org', 'give org or bloc (one of them).');
	END IF;
	IF p_org IS NOT NULL THEN
		v_org := scope_check_on(p_scope, resolve_organization(p_org, 'org'), p.end_date, 'org');
	ELSE
		v_bloc := bloc_check(p_scope, resolve_bloc(p_bloc, 'bloc'), NULL, p_bloc, 'bloc');
		-- a bloc's own totals are its organizer's to write
		v_organizer := (SELECT organizer_id FROM bloc WHERE id = v_bloc);
		IF p_scope IS NOT NULL AND (v_organizer IS NULL OR NOT scope_reaches(p_scope, v_organizer, p.end_date)) THEN
			PERFORM api_raise(403, 'out_of_scope', 'bloc',
			                  format('Bloc %s''s own figures are written by its organizer, which this key does not '
			                         'reach on %s.', upper(p_bloc), p.end_date));
		END IF;
	END IF;
	SELECT id INTO v_period FROM period WHERE code = p.code;
	SELECT v.id INTO v_id FROM value v
	WHERE v.indicator_id = v_indicator AND v.period_id = v_period
	  AND (v.org_id = v_org OR v.bloc_id = v_bloc)
	FOR UPDATE;
	IF v_id IS NULL THEN
		PERFORM api_raise(404, 'value_not_found', 'period',
		                  format('There is no value of %s for %s in %s.', upper(coalesce(p_org, p_bloc)),
		                         lower(p_indicator), p.code));
	END IF;
	IF v_org = p_scope AND (SELECT target FROM value WHERE id = v_id) IS NOT NULL THEN
		PERFORM api_raise(403, 'out_of_scope', 'org',
		                  format('The value of %s for %s in %s holds a target, which came from above; this key may '
		                         'not remove it.', upper(p_org), lower(p_indicator), p.code));
	END IF;
	v_lock := value_lock(v_org, v_bloc, v_period);
	IF v_lock IS NOT NULL THEN
		PERFORM lock_refuse(v_lock);
	END IF;
	DELETE FROM value WHERE id = v_id;
END $$;

-- ---------------------------------------------------------------- imports

-- Rows are told apart by seq, their place in the file: a JSON array on one
-- line puts every element on line 1. (Lines and indexes stay what the
-- summary reports.) A row is within scope when the key reaches its
-- organization on the row's day for the period (a bloc's own total: its
-- organizer).
CREATE OR REPLACE FUNCTION import_values_merge(p_scope bigint, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	v_rejected bigint;
	v_created bigint := 0;
	v_updated bigint := 0;
	v_unchanged bigint;
	v_valid bigint;
	v_n bigint;
	v_written boolean := false;
BEGIN
	-- the periods the file names, made once each (their codes are canonical)
	INSERT INTO period (code, kind, year, year_end, number, start_date, end_date, label)
	SELECT (period_parse(t.period)).*
	FROM (SELECT DISTINCT r.period FROM import_value_rows r) t
	WHERE NOT EXISTS (SELECT 1 FROM period p WHERE p.code = t.period)
	ON CONFLICT (code) DO NOTHING;

	CREATE TEMP TABLE import_checked ON COMMIT DROP AS
	SELECT r.seq, r.line, r.idx, o.id AS org_id, b.id AS bloc_id, i.id AS indicator_id, p.id AS period_id,
	       r.actual, r.target, r.note, r.present,
	       CASE
	       WHEN r.org IS NOT NULL AND o.id IS NULL THEN
	           ARRAY['unknown_organization', 'org', format('there is no organization %s', left(r.org, 60))]
	       WHEN r.bloc IS NOT NULL AND b.id IS NULL THEN
	           ARRAY['unknown_bloc', 'bloc', format('there is no bloc %s', left(r.bloc, 60))]
	       WHEN i.id IS NULL THEN
	           ARRAY['unknown_indicator', 'indicator', format('there is no indicator %s', left(r.indicator, 60))]
	       WHEN o.id IS NOT NULL AND NOT o.validity && daterange(p.start_date, p.end_date, '[]') THEN
	           ARRAY['outside_existence', 'period', format('%s did not exist during %s', o.code, p.label)]
	       END AS problem
	FROM import_value_rows r
	JOIN period p ON p.code = r.period
	LEFT JOIN organization o ON o.code = r.org
	LEFT JOIN bloc b ON b.code = r.bloc
	LEFT JOIN indicator i ON i.code = r.indicator;
	CREATE UNIQUE INDEX ON import_checked (seq);
	ANALYZE import_checked;

	IF p_scope IS NOT NULL THEN
		WITH s AS MATERIALIZED (SELECT * FROM organization_subtree_spans(p_scope))
		UPDATE import_checked c
		SET problem = ARRAY['out_of_scope', CASE WHEN c.org_id IS NOT NULL THEN 'org' ELSE 'bloc' END,
		                    format('%s is outside what this key may write on %s (%s and the organizations under it)',
		                           coalesce((SELECT code FROM organization WHERE id = c.org_id),
		                                    (SELECT code FROM bloc WHERE id = c.bloc_id)),
		                           (SELECT end_date FROM period WHERE id = c.period_id),
		                           (SELECT code FROM organization WHERE id = p_scope))]
		WHERE c.problem IS NULL
		  AND NOT EXISTS (SELECT 1 FROM s, period p, organization o
		                  WHERE p.id = c.period_id
		                    AND o.id = coalesce(c.org_id, (SELECT organizer_id FROM bloc WHERE id = c.bloc_id))
		                    AND s.org_id = o.id
		                    AND s.during @> organization_seen_on(o, p.end_date));
	END IF;

	-- Targets come from above: a key sets the targets of the organizations
	-- under its own, never its own organization's (which its parent set).
	IF p_scope IS NOT NULL THEN
		UPDATE import_checked c
		SET problem = ARRAY['out_of_scope', 'target',
		                    format('the targets of %s come from above; this key sets targets for the organizations '
		                           'under %s, and %s''s actuals', o.code, o.code, o.code)]
		FROM organization o
		WHERE c.problem IS NULL AND c.org_id = p_scope AND o.id = c.org_id AND c.present & 2 <> 0
		  AND c.target::text IS DISTINCT FROM (SELECT v.target::text FROM value v WHERE v.org_id = c.org_id
		                                         AND v.indicator_id = c.indicator_id AND v.period_id = c.period_id);
	END IF;

	-- Locked periods.
	IF EXISTS (SELECT 1 FROM period_lock) THEN
		UPDATE import_checked c
		SET problem = ARRAY['period_locked', 'period',
		                    format('%s is locked for %s (lock %s)', k.lock_period, k.lock_org, k.lock_id)]
		FROM period p, lock_coverage() k
		WHERE c.problem IS NULL AND p.id = c.period_id
		  AND k.org_id = coalesce(c.org_id, (SELECT organizer_id FROM bloc WHERE id = c.bloc_id))
		  AND k.during @> p.end_date AND p.start_date >= k.start_date AND p.end_date <= k.end_date;
	END IF;

	-- The same figure twice in one file: the first one counts.
	UPDATE import_checked c
	SET problem = ARRAY['duplicate_row', 'period',
	                    format('the same %s, indicator and period as %s',
	                           CASE WHEN c.org_id IS NOT NULL THEN 'org' ELSE 'bloc' END,
	                           CASE WHEN d.first_idx IS NOT NULL THEN 'element ' || d.first_idx
	                                ELSE 'line ' || d.first_line END)]
	FROM (SELECT seq, first_value(seq) OVER w AS first_seq, first_value(line) OVER w AS first_line,
	             first_value(idx) OVER w AS first_idx
	      FROM import_checked WHERE problem IS NULL
	      WINDOW w AS (PARTITION BY org_id, bloc_id, indicator_id, period_id ORDER BY seq)) d
	WHERE c.seq = d.seq AND d.first_seq <> d.seq;

	-- The stored figures the file touches, locked in id order so that
	-- concurrent imports of the same figures queue instead of deadlocking.
	CREATE TEMP TABLE import_existing ON COMMIT DROP AS
	SELECT c.seq, v.id AS value_id
	FROM import_checked c JOIN value v
	  ON v.org_id = c.org_id AND v.indicator_id = c.indicator_id AND v.period_id = c.period_id
	WHERE c.problem IS NULL AND c.org_id IS NOT NULL
	UNION ALL
	SELECT c.seq, v.id
	FROM import_checked c JOIN value v
	  ON v.bloc_id = c.bloc_id AND v.indicator_id = c.indicator_id AND v.period_id = c.period_id
	WHERE c.problem IS NULL AND c.bloc_id IS NOT NULL AND v.bloc_id IS NOT NULL;
	CREATE UNIQUE INDEX ON import_existing (seq);
	ANALYZE import_existing;
	PERFORM 1 FROM value v WHERE v.id IN (SELECT value_id FROM import_existing) ORDER BY v.id FOR UPDATE;

	-- A figure must keep an actual or a target.
	UPDATE import_checked c
	SET problem = ARRAY['missing_field', 'actual', 'a figure needs an actual or a target; to remove one use DELETE /v1/values']
	FROM import_existing e JOIN value v ON v.id = e.value_id
	WHERE c.seq = e.seq AND c.problem IS NULL
	  AND (CASE WHEN c.present & 1 <> 0 THEN c.actual ELSE v.actual END) IS NULL
	  AND (CASE WHEN c.present & 2 <> 0 THEN c.target ELSE v.target END) IS NULL;
	UPDATE import_checked c
	SET problem = ARRAY['missing_field', 'actual', 'a new figure needs an actual or a target']
	WHERE c.problem IS NULL AND c.actual IS NULL AND c.target IS NULL
	  AND NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.seq = c.seq);

	SELECT count(*) FILTER (WHERE problem IS NOT NULL) + (SELECT count(*) FROM import_rejects),
	       count(*) FILTER (WHERE problem IS NULL)
	INTO v_rejected, v_valid
	FROM import_checked;

	IF v_rejected = 0 OR p_keep_good THEN
		UPDATE value v
		SET actual = CASE WHEN c.present & 1 <> 0 THEN c.actual ELSE v.actual END,
		    target = CASE WHEN c.present & 2 <> 0 THEN c.target ELSE v.target END,
		    note = CASE WHEN c.present & 4 <> 0 THEN c.note ELSE v.note END
		FROM import_checked c JOIN import_existing e ON e.seq = c.seq
		WHERE c.problem IS NULL AND v.id = e.value_id
		  AND ((CASE WHEN c.present & 1 <> 0 THEN c.actual ELSE v.actual END)::text IS DISTINCT FROM v.actual::text
		       OR (CASE WHEN c.present & 2 <> 0 THEN c.target ELSE v.target END)::text IS DISTINCT FROM v.target::text
		       OR (CASE WHEN c.present & 4 <> 0 THEN c.note ELSE v.note END) IS DISTINCT FROM v.note);
		GET DIAGNOSTICS v_updated = ROW_COUNT;
		-- A figure created meanwhile by another import is merged, not lost.
		INSERT INTO value (org_id, indicator_id, period_id, actual, target, note)
		SELECT c.org_id, c.indicator_id, c.period_id, c.actual, c.target, c.note
		FROM import_checked c
		WHERE c.problem IS NULL AND c.org_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.seq = c.seq)
		ORDER BY c.org_id, c.indicator_id, c.period_id
		ON CONFLICT (org_id, indicator_id, period_id) DO UPDATE
		SET actual = coalesce(excluded.actual, value.actual), target = coalesce(excluded.target, value.target),
		    note = coalesce(excluded.note, value.note);
		GET DIAGNOSTICS v_n = ROW_COUNT;
		v_created := v_n;
		INSERT INTO value (bloc_id, indicator_id, period_id, actual, target, note)
		SELECT c.bloc_id, c.indicator_id, c.period_id, c.actual, c.target, c.note
		FROM import_checked c
		WHERE c.problem IS NULL AND c.bloc_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.seq = c.seq)
		ORDER BY c.bloc_id, c.indicator_id, c.period_id
		ON CONFLICT (bloc_id, indicator_id, period_id) WHERE bloc_id IS NOT NULL DO UPDATE
		SET actual = coalesce(excluded.actual, value.actual), target = coalesce(excluded.target, value.target),
		    note = coalesce(excluded.note, value.note);
		GET DIAGNOSTICS v_n = ROW_COUNT;
		v_created := v_created + v_n;
		v_written := true;
	ELSE
		-- nothing is written; say what would have been
		SELECT count(*) FILTER (WHERE e.seq IS NULL),
		       count(*) FILTER (WHERE e.seq IS NOT NULL AND (
		           (CASE WHEN c.present & 1 <> 0 THEN c.actual ELSE v.actual END)::text IS DISTINCT FROM v.actual::text
		           OR (CASE WHEN c.present & 2 <> 0 THEN c.target ELSE v.target END)::text IS DISTINCT FROM v.target::text
		           OR (CASE WHEN c.present & 4 <> 0 THEN c.note ELSE v.note END) IS DISTINCT FROM v.note))
		INTO v_created, v_updated
		FROM import_checked c
		LEFT JOIN import_existing e ON e.seq = c.seq
		LEFT JOIN value v ON v.id = e.value_id
		WHERE c.problem IS NULL;
	END IF;
	v_unchanged := v_valid - v_created - v_updated;
	RETURN import_summary(v_written, v_created, v_updated, v_unchanged, v_rejected);
END $$;

-- One organization row, by the rules of the date-true scope: a new
-- organization's parent must be inside the key's reach for every day of
-- the new link; an existing one must be reached today; a move needs the
-- organization reached on its first day under the new parent, and the new
-- parent for every day from then on.
CREATE OR REPLACE FUNCTION import_organization_row(p_scope bigint, d jsonb, p_mode text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	o organization;
	v_code text := upper(d->>'code');
	v_parent bigint;
	v_successor bigint;
	v_from date;
	v_current bigint;
	v_link_from date;
	v_valid_from date;
	v_valid_to date;
	v_status text;
BEGIN
	FOR k IN SELECT jsonb_object_keys(d) LOOP
		IF k NOT IN ('code', 'name', 'short_name', 'kind', 'parent', 'parent_from', 'valid_from', 'valid_to', 'successor') THEN
			PERFORM api_raise(400, 'unknown_field', k,
			                  format('unknown field %s; the fields are code, name, short_name, kind, parent, '
			                         'parent_from, valid_from, valid_to, successor', k));
		END IF;
		IF jsonb_typeof(d->k) NOT IN ('string', 'null') THEN
			PERFORM api_raise(400, 'invalid_field', k, format('%s must be text', k));
		END IF;
	END LOOP;
	IF d->>'code' IS NULL THEN
		PERFORM api_raise(400, 'missing_field', 'code', 'code is missing');
	END IF;
	IF v_code !~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' OR length(v_code) > 40 THEN
		PERFORM api_raise(400, 'invalid_field', 'code',
		                  format('code %s must be letters, digits and single hyphens, at most 40, as in HN-HBT', left(d->>'code', 60)));
	END IF;
	IF d ? 'kind' AND d->>'kind' IS NOT NULL AND d->>'kind' NOT IN ('confederation', 'province', 'district', 'commune', 'sector', 'grassroots', 'other') THEN
		PERFORM api_raise(400, 'invalid_field', 'kind',
		                  format('kind %s is not one of confederation, province, district, commune, sector, grassroots, other', left(d->>'kind', 40)));
	END IF;
	FOREACH k IN ARRAY ARRAY['valid_from', 'valid_to', 'parent_from'] LOOP
		IF d->>k IS NOT NULL AND import_date(d->>k) IS NULL THEN
			PERFORM api_raise(400, 'invalid_field', k, format('%s %s is not a date as YYYY-MM-DD', k, left(d->>k, 40)));
		END IF;
	END LOOP;
	IF d ? 'name' AND d->>'name' IS NULL THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name must be 1 to 300 characters');
	END IF;
	PERFORM text_check(d->>'name', 'name', 300, true);
	PERFORM text_check(nullif(d->>'short_name', ''), 'short_name', 300, true);
	IF d->>'parent' IS NOT NULL THEN
		v_parent := resolve_organization(d->>'parent', 'parent');
	END IF;
	IF d->>'successor' IS NOT NULL THEN
		v_successor := resolve_organization(d->>'successor', 'successor');
	END IF;

	SELECT * INTO o FROM organization WHERE code = v_code FOR UPDATE;
	IF NOT FOUND THEN
		IF p_mode = 'update' THEN
			PERFORM api_raise(404, 'organization_not_found', 'code', format('There is no organization %s.', v_code));
		END IF;
		IF d->>'name' IS NULL THEN
			PERFORM api_raise(400, 'missing_field', 'name', format('name is missing for the new organization %s', v_code));
		END IF;
		IF d->>'kind' IS NULL THEN
			PERFORM api_raise(400, 'missing_field', 'kind', format('kind is missing for the new organization %s', v_code));
		END IF;
		IF p_scope IS NOT NULL AND v_parent IS NULL THEN
			PERFORM api_raise(403, 'out_of_scope', 'parent',
			                  'This key may only create organizations under its own; give their parent.');
		END IF;
		PERFORM scope_check_span(p_scope, v_parent,
		                         daterange(coalesce(import_date(d->>'parent_from'), import_date(d->>'valid_from')),
		                                   import_date(d->>'valid_to'), '[]'), 'parent');
		INSERT INTO organization (code, name, short_name, kind, valid_from, valid_to, successor_id)
		VALUES (v_code, d->>'name', nullif(d->>'short_name', ''), (d->>'kind')::org_kind,
		        import_date(d->>'valid_from'), import_date(d->>'valid_to'), v_successor)
		RETURNING * INTO o;
		IF v_parent IS NOT NULL THEN
			INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
			VALUES (o.id, v_parent, coalesce(import_date(d->>'parent_from'), o.valid_from), o.valid_to);
		END IF;
		RETURN 'created';
	END IF;

	IF p_mode = 'create' THEN
		PERFORM api_raise(409, 'organization_exists', 'code', format('Organization %s already exists.', v_code));
	END IF;
	PERFORM scope_check_on(p_scope, o.id, current_date, 'code');
	v_valid_from := CASE WHEN d ? 'valid_from' THEN import_date(d->>'valid_from') ELSE o.valid_from END;
	v_valid_to := CASE WHEN d ? 'valid_to' THEN import_date(d->>'valid_to') ELSE o.valid_to END;
	UPDATE organization SET
		name = CASE WHEN d ? 'name' THEN d->>'name' ELSE name END,
		short_name = CASE WHEN d ? 'short_name' THEN nullif(d->>'short_name', '') ELSE short_name END,
		kind = CASE WHEN d ? 'kind' THEN (d->>'kind')::org_kind ELSE kind END,
		valid_from = v_valid_from,
		valid_to = v_valid_to,
		successor_id = CASE WHEN d ? 'successor' THEN v_successor ELSE successor_id END,
		updated_at = now()
	WHERE id = o.id
	  AND (name, short_name, kind, valid_from, valid_to, successor_id) IS DISTINCT FROM
	      (CASE WHEN d ? 'name' THEN d->>'name' ELSE name END,
	       CASE WHEN d ? 'short_name' THEN nullif(d->>'short_name', '') ELSE short_name END,
	       CASE WHEN d ? 'kind' THEN (d->>'kind')::org_kind ELSE kind END,
	       v_valid_from, v_valid_to,
	       CASE WHEN d ? 'successor' THEN v_successor ELSE successor_id END);
	v_status := CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;

	-- A dissolution ends the open parent link with the organization.
	IF v_valid_to IS DISTINCT FROM o.valid_to THEN
		UPDATE organization_parent SET valid_to = v_valid_to
		WHERE org_id = o.id AND (valid_to IS NULL OR valid_to > v_valid_to)
		  AND (valid_from IS NULL OR valid_from <= v_valid_to);
	END IF;

	IF v_parent IS NOT NULL THEN
		v_from := import_date(d->>'parent_from');
		v_current := organization_parent_on(o.id, coalesce(v_from, least(current_date, v_valid_to)));
		IF v_current IS DISTINCT FROM v_parent THEN
			IF v_from IS NULL AND EXISTS (SELECT 1 FROM organization_parent WHERE org_id = o.id) THEN
				PERFORM api_raise(400, 'missing_field', 'parent_from',
				                  format('%s is under %s; to move it under %s give parent_from, the first day under the new parent',
				                         v_code, (SELECT code FROM organization WHERE id = v_current), upper(d->>'parent')));
			END IF;
			PERFORM scope_check_on(p_scope, o.id, coalesce(v_from, v_valid_from, current_date), 'code');
			PERFORM scope_check_span(p_scope, v_parent, daterange(coalesce(v_from, v_valid_from), v_valid_to, '[]'),
			                         'parent');
			-- the link holding on v_from ends the day before; the new one runs to the end
			SELECT valid_from INTO v_link_from FROM organization_parent
			WHERE org_id = o.id AND during @> v_from;
			IF FOUND AND v_link_from IS NOT DISTINCT FROM v_from THEN
				DELETE FROM organization_parent WHERE org_id = o.id AND during @> v_from;
			ELSE
				UPDATE organization_parent SET valid_to = v_from - 1 WHERE org_id = o.id AND during @> v_from;
			END IF;
			DELETE FROM organization_parent WHERE org_id = o.id AND valid_from > v_from;
			INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
			VALUES (o.id, v_parent, coalesce(v_from, v_valid_from), v_valid_to);
			v_status := 'updated';
		END IF;
	END IF;
	RETURN v_status;
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
	CREATE TEMP TABLE import_checked (seq int, line int, idx int, code text, parent text, successor text,
	                                  problem text[], done boolean NOT NULL DEFAULT false)
		ON COMMIT DROP;
	INSERT INTO import_checked (seq, line, idx, code, parent, successor)
	SELECT seq, line, idx, upper(doc->>'code'), upper(doc->>'parent'), upper(doc->>'successor') FROM import_rows;
	CREATE UNIQUE INDEX ON import_checked (seq);
	CREATE INDEX ON import_checked (code);
	ANALYZE import_checked;
	WHILE v_progress LOOP
		v_progress := false;
		FOR r IN
			SELECT i.seq, i.doc FROM import_rows i JOIN import_checked c USING (seq)
			WHERE NOT c.done
			  -- wait for a parent or successor that another pending row creates
			  AND NOT EXISTS (SELECT 1 FROM import_checked cj
			                  WHERE cj.code = c.parent AND NOT cj.done AND cj.seq <> c.seq
			                    AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.code = cj.code))
			  AND NOT EXISTS (SELECT 1 FROM import_checked cj
			                  WHERE cj.code = c.successor AND NOT cj.done AND cj.seq <> c.seq
			                    AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.code = cj.code))
			ORDER BY i.seq
		LOOP
			BEGIN
				v_status := import_organization_row(p_scope, r.doc, p_mode);
				UPDATE import_checked SET done = true WHERE seq = r.seq;
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
				UPDATE import_checked SET done = true, problem = ARRAY[v_code, v_field, v_msg] WHERE seq = r.seq;
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

-- ---------------------------------------------------------------- one organization

DROP FUNCTION api_organization_write(bigint, jsonb, text);
CREATE FUNCTION api_organization_write(p_scope bigint, p_body jsonb, p_mode text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_state text;
	v_msg text;
	v_code text;
	v_field text;
BEGIN
	IF jsonb_typeof(p_body) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	SET CONSTRAINTS ALL IMMEDIATE;
	RETURN import_organization_row(p_scope, p_body, p_mode);
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_code = PG_EXCEPTION_DETAIL,
	                        v_field = PG_EXCEPTION_HINT;
	IF v_state ~ '^TD' THEN
		RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_msg, DETAIL = v_code, HINT = v_field;
	END IF;
	IF v_state IN ('23P01', '23514', '23503') THEN
		PERFORM api_raise(400, 'invalid_row', 'body', CASE v_state
			WHEN '23P01' THEN 'the organization would have two parents at once'
			WHEN '23503' THEN 'the change refers to something that does not exist'
			ELSE 'a value breaks a rule of the data (dates in order, names one line)' END);
	END IF;
	RAISE;
END $$;

-- An organization that anything refers to cannot be deleted: dissolve it
-- (valid_to) instead, so its history stays. The key must reach it today.
CREATE OR REPLACE FUNCTION api_organization_delete(p_scope bigint, p_code text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint := scope_check_on(p_scope, resolve_organization(p_code, NULL), current_date, 'code');
	v_uses text;
BEGIN
	SELECT string_agg(u, ', ') INTO v_uses FROM (
		SELECT format('%s value(s)', count(*)) AS u FROM value WHERE org_id = v_id HAVING count(*) > 0
		UNION ALL SELECT format('%s organization(s) under it', count(*)) FROM organization_parent
		          WHERE parent_id = v_id HAVING count(*) > 0
		UNION ALL SELECT format('membership of %s bloc year(s)', count(*)) FROM bloc_member
		          WHERE org_id = v_id HAVING count(*) > 0
		UNION ALL SELECT format('%s bloc(s) it organizes', count(*)) FROM bloc WHERE organizer_id = v_id HAVING count(*) > 0
		UNION ALL SELECT format('%s API key(s) scoped to it', count(*)) FROM api_key WHERE scope_id = v_id HAVING count(*) > 0
		UNION ALL SELECT format('%s lock(s)', count(*)) FROM period_lock WHERE org_id = v_id HAVING count(*) > 0
		UNION ALL SELECT format('%s organization(s) naming it successor', count(*)) FROM organization
		          WHERE successor_id = v_id HAVING count(*) > 0
		UNION ALL SELECT 'value history' FROM value_history WHERE org_id = v_id HAVING count(*) > 0
	) uses;
	IF v_uses IS NOT NULL THEN
		PERFORM api_raise(409, 'organization_in_use', 'code',
		                  format('%s cannot be deleted while data refers to it (%s); to end it, set valid_to '
		                         'with PATCH instead.', upper(p_code), v_uses));
	END IF;
	DELETE FROM organization WHERE id = v_id;
END $$;

-- ---------------------------------------------------------------- writes of blocs

-- A scoped key may change a bloc only when it reaches the bloc's organizer
-- on p_on (a bloc without organizer: every member of p_on's year, or of
-- any year when the bloc has none then).
DROP FUNCTION bloc_write_check(bigint, bigint, text);
CREATE FUNCTION bloc_write_check(p_scope bigint, p_bloc bigint, p_code text, p_on date) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_organizer bigint := (SELECT organizer_id FROM bloc WHERE id = p_bloc);
BEGIN
	IF p_scope IS NULL THEN
		RETURN;
	END IF;
	IF (v_organizer IS NOT NULL AND NOT scope_reaches(p_scope, v_organizer, p_on))
	   OR (v_organizer IS NULL AND EXISTS (SELECT 1 FROM bloc_member m WHERE m.bloc_id = p_bloc
	                                        AND NOT scope_reaches(p_scope, m.org_id, make_date(m.year, 12, 31)))) THEN
		PERFORM api_raise(403, 'out_of_scope', 'code',
		                  format('Bloc %s is organized outside what this key may change (%s and below, on %s).',
		                         upper(p_code), (SELECT code FROM organization WHERE id = p_scope), p_on));
	END IF;
END $$;

DROP FUNCTION api_bloc_put(bigint, text, jsonb);
CREATE FUNCTION api_bloc_put(p_scope bigint, p_code text, p_body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	b bloc;
	v_organizer bigint;
	v_code text := upper(p_code);
BEGIN
	IF jsonb_typeof(p_body) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	FOR k IN SELECT jsonb_object_keys(p_body) LOOP
		IF k NOT IN ('code', 'name', 'kind', 'organizer', 'note', 'years') THEN
			PERFORM api_raise(400, 'unknown_field', k, format('unknown field %s; the fields are name, kind, organizer, note', k));
		END IF;
	END LOOP;
	IF v_code !~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' OR length(v_code) > 40 THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'a bloc code is letters, digits and single hyphens, as in HN-CUM1');
	END IF;
	IF p_body ? 'code' AND upper(p_body->>'code') IS DISTINCT FROM v_code THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code in the body differs from the one in the path');
	END IF;
	IF jsonb_typeof(p_body->'name') IS DISTINCT FROM 'string' OR btrim(p_body->>'name') = '' OR length(p_body->>'name') > 300 THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name is required: 1 to 300 characters');
	END IF;
	IF p_body->>'kind' IS NULL OR p_body->>'kind' NOT IN ('khoi', 'cum') THEN
		PERFORM api_raise(400, 'invalid_field', 'kind', 'kind is required: khoi (khối thi đua) or cum (cụm thi đua)');
	END IF;
	IF p_body ? 'note' AND jsonb_typeof(p_body->'note') NOT IN ('string', 'null') THEN
		PERFORM api_raise(400, 'invalid_field', 'note', 'note is text');
	END IF;
	PERFORM text_check(p_body->>'name', 'name', 300, true);
	PERFORM text_check(p_body->>'note', 'note', 2000, false);
	IF p_body->>'organizer' IS NOT NULL THEN
		v_organizer := scope_check_on(p_scope, resolve_organization(p_body->>'organizer', 'organizer'), current_date,
		                              'organizer');
	ELSIF p_scope IS NOT NULL THEN
		PERFORM api_raise(403, 'out_of_scope', 'organizer', 'This key may only keep blocs organized inside its scope.');
	END IF;
	SELECT * INTO b FROM bloc WHERE code = v_code FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO bloc (code, name, kind, organizer_id, note)
		VALUES (v_code, p_body->>'name', (p_body->>'kind')::bloc_kind, v_organizer, nullif(p_body->>'note', ''));
		RETURN 'created';
	END IF;
	PERFORM bloc_write_check(p_scope, b.id, v_code, current_date);
	UPDATE bloc SET name = p_body->>'name', kind = (p_body->>'kind')::bloc_kind, organizer_id = v_organizer,
	                note = nullif(p_body->>'note', ''), updated_at = now()
	WHERE id = b.id AND (name, kind, organizer_id, note) IS DISTINCT FROM
	      (p_body->>'name', (p_body->>'kind')::bloc_kind, v_organizer, nullif(p_body->>'note', ''));
	RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

-- Replaces a bloc's year as a whole: members, leader, deputy, agreement,
-- criteria and adjustments, as GET /v1/blocs/{code}/years/{year} shows
-- them. Judged on the year's last day: the organizer and every member must
-- be inside the key's reach then.
DROP FUNCTION api_bloc_year_put(bigint, text, int, jsonb);
CREATE FUNCTION api_bloc_year_put(p_scope bigint, p_code text, p_year int, p_body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	e jsonb;
	n int;
	v_bloc bigint := resolve_bloc(p_code, NULL);
	v_members bigint[] := '{}';
	v_id bigint;
	v_leader bigint;
	v_deputy bigint;
	v_before text;
	v_existed boolean;
	v_year_end date := make_date(p_year, 12, 31);
	a jsonb := p_body->'agreement';
BEGIN
	PERFORM bloc_write_check(p_scope, v_bloc, p_code, v_year_end);
	IF jsonb_typeof(p_body) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	FOR k IN SELECT jsonb_object_keys(p_body) LOOP
		IF k NOT IN ('bloc', 'year', 'members', 'leader', 'leader_person', 'deputy', 'deputy_person', 'agreement',
		             'criteria', 'adjustments', 'note') THEN
			PERFORM api_raise(400, 'unknown_field', k,
			                  format('unknown field %s; the fields are members, leader, leader_person, deputy, '
			                         'deputy_person, agreement, criteria, adjustments, note', k));
		END IF;
	END LOOP;
	FOREACH k IN ARRAY ARRAY['leader', 'deputy', 'leader_person', 'deputy_person', 'note'] LOOP
		IF p_body ? k AND jsonb_typeof(p_body->k) NOT IN ('string', 'null') THEN
			PERFORM api_raise(400, 'invalid_field', k, format('%s is text', k));
		END IF;
	END LOOP;
	PERFORM text_check(nullif(p_body->>'leader_person', ''), 'leader_person', 300, true);
	PERFORM text_check(nullif(p_body->>'deputy_person', ''), 'deputy_person', 300, true);
	PERFORM text_check(p_body->>'note', 'note', 2000, false);
	IF p_body ? 'year' AND (p_body->>'year') IS DISTINCT FROM p_year::text THEN
		PERFORM api_raise(400, 'invalid_field', 'year', 'year in the body differs from the one in the path');
	END IF;
	IF jsonb_typeof(p_body->'members') IS DISTINCT FROM 'array' THEN
		PERFORM api_raise(400, 'invalid_field', 'members', 'members must be a list of organization codes');
	END IF;
	n := 0;
	FOR e IN SELECT jsonb_array_elements(p_body->'members') LOOP
		IF jsonb_typeof(e) <> 'string' THEN
			PERFORM api_raise(400, 'invalid_field', format('members[%s]', n), 'each member is an organization code');
		END IF;
		v_id := scope_check_on(p_scope, resolve_organization(e #>> '{}', format('members[%s]', n)), v_year_end,
		                       format('members[%s]', n));
		IF v_id = ANY (v_members) THEN
			PERFORM api_raise(400, 'invalid_field', format('members[%s]', n), format('%s is listed twice', e #>> '{}'));
		END IF;
		IF NOT (SELECT validity && daterange(make_date(p_year, 1, 1), v_year_end, '[]')
		        FROM organization WHERE id = v_id) THEN
			PERFORM api_raise(400, 'outside_existence', format('members[%s]', n),
			                  format('%s did not exist in %s', e #>> '{}', p_year));
		END IF;
		v_members := v_members || v_id;
		n := n + 1;
	END LOOP;
	FOREACH k IN ARRAY ARRAY['leader', 'deputy'] LOOP
		IF p_body->>k IS NOT NULL THEN
			v_id := resolve_organization(p_body->>k, k);
			IF NOT v_id = ANY (v_members) THEN
				PERFORM api_raise(400, 'invalid_field', k, format('%s %s is not among the members', k, upper(p_body->>k)));
			END IF;
			IF k = 'leader' THEN v_leader := v_id; ELSE v_deputy := v_id; END IF;
		END IF;
	END LOOP;
	IF v_leader = v_deputy THEN
		PERFORM api_raise(400, 'invalid_field', 'deputy', 'the deputy cannot be the leader');
	END IF;
	IF a IS NOT NULL AND jsonb_typeof(a) NOT IN ('object', 'null') THEN
		PERFORM api_raise(400, 'invalid_field', 'agreement', 'agreement is an object: signed_on, content_count, contents, note');
	END IF;
	IF jsonb_typeof(a) = 'object' THEN
		IF a->>'signed_on' IS NOT NULL AND import_date(a->>'signed_on') IS NULL THEN
			PERFORM api_raise(400, 'invalid_field', 'agreement.signed_on', 'signed_on is a date as YYYY-MM-DD');
		END IF;
		IF a->'contents' IS NOT NULL AND jsonb_typeof(a->'contents') <> 'array' THEN
			PERFORM api_raise(400, 'invalid_field', 'agreement.contents', 'contents is a list of texts');
		END IF;
		IF a->'content_count' IS NOT NULL AND jsonb_typeof(a->'content_count') <> 'null'
		   AND (jsonb_typeof(a->'content_count') <> 'number' OR (a->>'content_count')::numeric <> trunc((a->>'content_count')::numeric)
		        OR (a->>'content_count')::numeric NOT BETWEEN 0 AND 1000) THEN
			PERFORM api_raise(400, 'invalid_field', 'agreement.content_count', 'content_count is a whole number from 0 to 1000');
		END IF;
		IF a ? 'note' AND jsonb_typeof(a->'note') NOT IN ('string', 'null') THEN
			PERFORM api_raise(400, 'invalid_field', 'agreement.note', 'note is text');
		END IF;
		PERFORM text_check(a->>'note', 'agreement.note', 2000, false);
	END IF;
	IF p_body->'criteria' IS NOT NULL AND jsonb_typeof(p_body->'criteria') <> 'array' THEN
		PERFORM api_raise(400, 'invalid_field', 'criteria', 'criteria is a list of {indicator, weight, cap_pct}');
	END IF;
	IF p_body->'adjustments' IS NOT NULL AND jsonb_typeof(p_body->'adjustments') <> 'array' THEN
		PERFORM api_raise(400, 'invalid_field', 'adjustments', 'adjustments is a list of {org, points, reason}');
	END IF;

	v_before := (SELECT row_to_json(x)::text FROM api_bloc_year(NULL, p_code, p_year) x
	             WHERE EXISTS (SELECT 1 FROM bloc_year WHERE bloc_id = v_bloc AND year = p_year));
	v_existed := v_before IS NOT NULL;
	DELETE FROM bloc_year WHERE bloc_id = v_bloc AND year = p_year;
	INSERT INTO bloc_year (bloc_id, year, leader_id, deputy_id, leader_person, deputy_person, agreement_signed_on,
	                       agreement_content_count, agreement_note, note)
	VALUES (v_bloc, p_year, v_leader, v_deputy, nullif(p_body->>'leader_person', ''), nullif(p_body->>'deputy_person', ''),
	        import_date(a->>'signed_on'), (a->>'content_count')::numeric::int, nullif(a->>'note', ''),
	        nullif(p_body->>'note', ''));
	INSERT INTO bloc_member (bloc_id, year, org_id) SELECT v_bloc, p_year, unnest(v_members);
	n := 0;
	FOR e IN SELECT jsonb_array_elements(coalesce(a->'contents', '[]')) LOOP
		n := n + 1;
		IF jsonb_typeof(e) <> 'string' OR btrim(e #>> '{}') = '' THEN
			PERFORM api_raise(400, 'invalid_field', format('agreement.contents[%s]', n - 1), 'each content is a non-empty text');
		END IF;
		PERFORM text_check(e #>> '{}', format('agreement.contents[%s]', n - 1), 2000, false);
		INSERT INTO bloc_agreement_content VALUES (v_bloc, p_year, n, e #>> '{}');
	END LOOP;
	n := 0;
	FOR e IN SELECT jsonb_array_elements(coalesce(p_body->'criteria', '[]')) LOOP
		IF jsonb_typeof(e) <> 'object' THEN
			PERFORM api_raise(400, 'invalid_field', format('criteria[%s]', n), 'each criterion is {indicator, weight, cap_pct}');
		END IF;
		IF jsonb_typeof(e->'indicator') IS DISTINCT FROM 'string' THEN
			PERFORM api_raise(400, 'invalid_field', format('criteria[%s].indicator', n), 'indicator is an indicator code');
		END IF;
		IF jsonb_typeof(e->'weight') IS DISTINCT FROM 'number' OR (e->>'weight')::numeric <= 0 OR (e->>'weight')::numeric > 1000 THEN
			PERFORM api_raise(400, 'invalid_field', format('criteria[%s].weight', n), 'weight is a number of points above 0, at most 1000');
		END IF;
		IF e->'cap_pct' IS NOT NULL AND jsonb_typeof(e->'cap_pct') <> 'null'
		   AND (jsonb_typeof(e->'cap_pct') <> 'number' OR (e->>'cap_pct')::numeric < 100 OR (e->>'cap_pct')::numeric > 1000) THEN
			PERFORM api_raise(400, 'invalid_field', format('criteria[%s].cap_pct', n), 'cap_pct is a percentage from 100 to 1000, or null for no cap');
		END IF;
		BEGIN
			INSERT INTO bloc_criterion VALUES (v_bloc, p_year, resolve_indicator(e->>'indicator', format('criteria[%s].indicator', n)),
			                                   (e->>'weight')::numeric, (e->>'cap_pct')::numeric);
		EXCEPTION WHEN unique_violation THEN
			PERFORM api_raise(400, 'invalid_field', format('criteria[%s].indicator', n), format('%s is listed twice', e->>'indicator'));
		END;
		n := n + 1;
	END LOOP;
	n := 0;
	FOR e IN SELECT jsonb_array_elements(coalesce(p_body->'adjustments', '[]')) LOOP
		IF jsonb_typeof(e) <> 'object' OR jsonb_typeof(e->'org') IS DISTINCT FROM 'string' THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].org', n), 'each adjustment is {org, points, reason}');
		END IF;
		v_id := resolve_organization(e->>'org', format('adjustments[%s].org', n));
		IF NOT v_id = ANY (v_members) THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].org', n), format('%s is not among the members', e->>'org'));
		END IF;
		IF jsonb_typeof(e->'points') IS DISTINCT FROM 'number' OR (e->>'points')::numeric = 0 OR abs((e->>'points')::numeric) > 1000 THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].points', n), 'points is a non-zero number: positive for a bonus, negative for a penalty');
		END IF;
		IF jsonb_typeof(e->'reason') IS DISTINCT FROM 'string' OR btrim(e->>'reason') = '' THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].reason', n), 'every adjustment needs its reason');
		END IF;
		PERFORM text_check(e->>'reason', format('adjustments[%s].reason', n), 2000, false);
		INSERT INTO bloc_adjustment (bloc_id, year, org_id, points, reason)
		VALUES (v_bloc, p_year, v_id, (e->>'points')::numeric, e->>'reason');
		n := n + 1;
	END LOOP;
	SET CONSTRAINTS ALL IMMEDIATE;
	IF NOT v_existed THEN
		RETURN 'created';
	END IF;
	RETURN CASE WHEN (SELECT row_to_json(x)::text FROM api_bloc_year(NULL, p_code, p_year) x) = v_before
	            THEN 'unchanged' ELSE 'updated' END;
END $$;

-- ---------------------------------------------------------------- keys and locks

-- Creates a key; its scope must be an organization the creator reaches
-- today (an admin of Hà Tĩnh cannot mint a key for Hà Nội, nor for an
-- organization that has left Hà Tĩnh, nor one for everything).
DROP FUNCTION key_create(bigint, text, text, text, text, text);
CREATE FUNCTION key_create(p_scope bigint, p_name text, p_role text, p_key_scope text, p_prefix text, p_hash text)
RETURNS TABLE (id bigint, name text, role text, scope text, prefix text, created_at timestamptz, created_by text,
               revoked_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	v_key_scope bigint := CASE WHEN p_key_scope IS NOT NULL THEN resolve_organization(p_key_scope, 'scope') END;
	v_id bigint;
BEGIN
	IF p_role IS NULL OR p_role NOT IN ('reader', 'editor', 'admin') THEN
		PERFORM api_raise(400, 'invalid_field', 'role', 'role must be reader, editor or admin.');
	END IF;
	IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 100 OR p_name ~ '[[:cntrl:]]' OR p_name <> btrim(p_name) THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name must be one line of 1 to 100 characters.');
	END IF;
	IF p_scope IS NOT NULL THEN
		IF v_key_scope IS NULL THEN
			PERFORM api_raise(403, 'out_of_scope', 'scope',
			                  'This key is limited to part of the tree; a key it creates needs a scope inside it.');
		END IF;
		PERFORM scope_check_on(p_scope, v_key_scope, current_date, 'scope');
	END IF;
	INSERT INTO api_key (prefix, hash, name, role, scope_id)
	VALUES (p_prefix, decode(p_hash, 'hex'), p_name, p_role::key_role, v_key_scope)
	RETURNING api_key.id INTO v_id;
	RETURN QUERY SELECT k.id, k.name, k.role, k.scope, k.prefix, k.created_at, k.created_by, k.revoked_at
	             FROM api_keys(NULL, true, NULL, NULL) k WHERE k.id = v_id;
END $$;

-- The keys a scoped administrator sees: those whose scope it reaches today.
DROP FUNCTION api_keys(bigint, boolean, text, int);
CREATE FUNCTION api_keys(p_scope bigint, p_include_revoked boolean, p_cursor text, p_limit int)
RETURNS TABLE (id bigint, name text, role text, scope text, prefix text, created_at timestamptz, created_by text,
               revoked_at timestamptz, _cursor text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_cursor IS NOT NULL AND p_cursor !~ '^[0-9]{1,18}$' THEN
		PERFORM cursor_fail();
	END IF;
	RETURN QUERY
	SELECT k.id, k.name::text, k.role::text, o.code::text, k.prefix, k.created_at, k.created_by, k.revoked_at, k.id::text
	FROM api_key k LEFT JOIN organization o ON o.id = k.scope_id
	WHERE (p_scope IS NULL OR (k.scope_id IS NOT NULL AND scope_reaches(p_scope, k.scope_id, current_date)))
	  AND (coalesce(p_include_revoked, false) OR k.revoked_at IS NULL)
	  AND (p_cursor IS NULL OR k.id > p_cursor::bigint)
	ORDER BY k.id
	LIMIT p_limit;
END $$;

DROP FUNCTION key_revoke(bigint, bigint);
CREATE FUNCTION key_revoke(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	k api_key;
BEGIN
	SELECT * INTO k FROM api_key WHERE api_key.id = p_id;
	IF NOT FOUND OR (p_scope IS NOT NULL AND (k.scope_id IS NULL OR NOT scope_reaches(p_scope, k.scope_id, current_date))) THEN
		PERFORM api_raise(404, 'key_not_found', 'id', format('There is no key %s.', p_id));
	END IF;
	UPDATE api_key SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, current_actor())
	WHERE api_key.id = p_id;
END $$;

-- The locks a scoped key sees: those on organizations it reaches on the
-- locked period's last day.
DROP FUNCTION api_locks(bigint, text, text, int);
CREATE FUNCTION api_locks(p_scope bigint, p_org text, p_cursor text, p_limit int)
RETURNS TABLE (id bigint, org text, period text, label text, note text, created_at timestamptz, created_by text,
               _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_org bigint := scope_check(p_scope, CASE WHEN p_org IS NOT NULL THEN resolve_organization(p_org, 'org') END, 'org');
BEGIN
	IF p_cursor IS NOT NULL AND p_cursor !~ '^[0-9]{1,18}$' THEN
		PERFORM cursor_fail();
	END IF;
	RETURN QUERY
	SELECT l.id, o.code::text, p.code, p.label, l.note, l.created_at, l.created_by, l.id::text
	FROM period_lock l JOIN organization o ON o.id = l.org_id JOIN period p ON p.id = l.period_id
	WHERE (p_scope IS NULL OR scope_reaches(p_scope, l.org_id, p.end_date))
	  AND (v_org IS NULL OR l.org_id = v_org)
	  AND (p_cursor IS NULL OR l.id > p_cursor::bigint)
	ORDER BY l.id
	LIMIT p_limit;
END $$;

DROP FUNCTION lock_create(bigint, text, text, text);
CREATE FUNCTION lock_create(p_scope bigint, p_org text, p_period text, p_note text)
RETURNS TABLE (id bigint, org text, period text, label text, note text, created_at timestamptz, created_by text)
LANGUAGE plpgsql AS $$
DECLARE
	p period_info := period_parse(p_period);
	v_org bigint := scope_check_on(p_scope, resolve_organization(p_org, 'org'), p.end_date, 'org');
	v_period int := period_ensure(p_period);
	v_id bigint;
BEGIN
	IF p_note IS NOT NULL AND length(p_note) > 2000 THEN
		PERFORM api_raise(400, 'invalid_field', 'note', 'note is longer than 2000 characters.');
	END IF;
	INSERT INTO period_lock (org_id, period_id, note) VALUES (v_org, v_period, p_note)
	ON CONFLICT (org_id, period_id) DO NOTHING
	RETURNING period_lock.id INTO v_id;
	IF v_id IS NULL THEN
		SELECT l.id INTO v_id FROM period_lock l WHERE l.org_id = v_org AND l.period_id = v_period;
		PERFORM api_raise(409, 'lock_exists', 'period',
		                  format('%s is already locked for %s (lock %s).', p.code, upper(p_org), v_id));
	END IF;
	RETURN QUERY SELECT l.id, l.org, l.period, l.label, l.note, l.created_at, l.created_by
	             FROM api_locks(NULL, NULL, NULL, NULL) l WHERE l.id = v_id;
END $$;

DROP FUNCTION lock_delete(bigint, bigint);
CREATE FUNCTION lock_delete(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_org bigint;
	v_end date;
BEGIN
	SELECT l.org_id, p.end_date INTO v_org, v_end FROM period_lock l JOIN period p ON p.id = l.period_id WHERE l.id = p_id;
	IF v_org IS NULL OR NOT scope_reaches(p_scope, v_org, v_end) THEN
		PERFORM api_raise(404, 'lock_not_found', 'id', format('There is no lock %s.', p_id));
	END IF;
	DELETE FROM period_lock WHERE id = p_id;
END $$;

-- ---------------------------------------------------------------- analytics

-- The summary's rows, as before, with the figures of days outside p_reach
-- (the days the key reaches the organization; NULL: all) left out: the
-- same period a year before, and the whole year's target.
DROP FUNCTION summary_rows(bigint, bigint, period_info);
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
-- their periods named in @withheld.
DROP FUNCTION api_organization_summary(bigint, text, text);
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

-- GET /v1/blocs/{code}/summary: the bloc's own totals beside the sum of its
-- members' figures for the period's year. Public among the members: a key
-- that reaches the organizer or any member that year reads all of it.
DROP FUNCTION api_bloc_summary(bigint, text, text);
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
	v_bloc bigint := bloc_check(p_scope, resolve_bloc(p_code, NULL), p.year, p_code, NULL);
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
ALTER FUNCTION api_bloc_summary(bigint, text, text) SET plan_cache_mode = force_custom_plan;

-- GET /v1/organizations/{code}/breakdown: judged on the period's last day;
-- the children of that day are then inside the key's reach too.
DROP FUNCTION api_organization_breakdown(bigint, text, text, text);
CREATE FUNCTION api_organization_breakdown(p_scope bigint, p_code text, p_indicator text, p_period text)
RETURNS TABLE ("@org" text, "@name" text, "@indicator" text, "@unit" text, "@period" text, "@label" text,
               "@reported" json, "@children_total" json, "@discrepancy" json, "@children_reporting" int,
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
	SELECT o.code::text, o.name::text, i.code, i.unit::text, p.code, p.label,
	       json_build_object('actual', own_a, 'target', own_t),
	       json_build_object('actual', tt.sa, 'target', tt.st),
	       json_build_object('actual', own_a - tt.sa, 'target', own_t - tt.st),
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
DROP FUNCTION api_series(bigint, text, text, text, int, int, text);
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
	SELECT v_subject, v_name, i.code, i.unit::text, p_every, (f.p).code, (f.p).label, (f.p).start_date, (f.p).end_date,
	       (f.a).val, (f.t).val, pct((f.a).val, (f.t).val),
	       CASE WHEN f.shown THEN coalesce((f.a).source, (f.t).source) ELSE 'out_of_scope' END
	FROM figures f
	ORDER BY (f.p).start_date;
END $$;

-- GET /v1/blocs/{code}/scoreboard, unchanged but for who may read it: the
-- bloc is public among its members, so a key that reaches the organizer or
-- any member of the period's year reads every member's figures here.
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
	p period_info := period_parse(p_period);
	v_bloc bigint := bloc_check(p_scope, resolve_bloc(p_code, NULL), p.year, p_code, NULL);
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

-- Cursors that are not this list's own are refused, not cast.
CREATE OR REPLACE FUNCTION cursor_fail() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM api_raise(400, 'invalid_cursor', 'cursor', 'cursor is not one this service handed out; start again without it.');
END $$;

-- scope_check_bloc and scope_allows_bloc judged blocs as organizations are
-- judged (403); bloc_check (404) replaces them.
DROP FUNCTION scope_check_bloc(bigint, bigint, text);
DROP FUNCTION scope_allows_bloc(bigint, bigint);

-- One indicator row, its text fields checked as every body's are.
CREATE OR REPLACE FUNCTION import_indicator_row(d jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	i indicator;
	v_code text := lower(d->>'code');
BEGIN
	FOR k IN SELECT jsonb_object_keys(d) LOOP
		IF k NOT IN ('code', 'name', 'name_en', 'unit', 'kind', 'rollup', 'higher_is_better', 'description') THEN
			PERFORM api_raise(400, 'unknown_field', k,
			                  format('unknown field %s; the fields are code, name, name_en, unit, kind, rollup, '
			                         'higher_is_better, description', k));
		END IF;
	END LOOP;
	IF v_code IS NULL OR v_code !~ '^[a-z][a-z0-9_]*$' OR length(v_code) > 60 THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code must be lowercase letters, digits and underscores, as in new_members');
	END IF;
	IF d ? 'kind' AND d->>'kind' NOT IN ('flow', 'stock') THEN
		PERFORM api_raise(400, 'invalid_field', 'kind', 'kind must be flow or stock');
	END IF;
	IF d ? 'rollup' AND d->>'rollup' NOT IN ('sum', 'none') THEN
		PERFORM api_raise(400, 'invalid_field', 'rollup', 'rollup must be sum or none');
	END IF;
	IF d ? 'higher_is_better' AND coalesce(jsonb_typeof(d->'higher_is_better') <> 'boolean'
	                                       AND lower(d->>'higher_is_better') NOT IN ('true', 'false'), true) THEN
		PERFORM api_raise(400, 'invalid_field', 'higher_is_better', 'higher_is_better must be true or false');
	END IF;
	FOREACH k IN ARRAY ARRAY['name', 'name_en', 'unit'] LOOP
		IF d ? k AND (d->>k IS NULL OR btrim(d->>k) = '') THEN
			PERFORM api_raise(400, 'invalid_field', k, format('%s must be 1 to 300 characters', k));
		END IF;
	END LOOP;
	PERFORM text_check(d->>'name', 'name', 300, true);
	PERFORM text_check(d->>'name_en', 'name_en', 300, true);
	PERFORM text_check(d->>'unit', 'unit', 40, true);
	PERFORM text_check(d->>'description', 'description', 2000, false);
	SELECT * INTO i FROM indicator WHERE code = v_code FOR UPDATE;
	IF NOT FOUND THEN
		FOREACH k IN ARRAY ARRAY['name', 'name_en', 'unit', 'kind'] LOOP
			IF d->>k IS NULL THEN
				PERFORM api_raise(400, 'missing_field', k, format('%s is missing for the new indicator %s', k, v_code));
			END IF;
		END LOOP;
		INSERT INTO indicator (code, name, name_en, unit, kind, rollup, higher_is_better, description)
		VALUES (v_code, d->>'name', d->>'name_en', d->>'unit', (d->>'kind')::indicator_kind,
		        coalesce(d->>'rollup', 'sum')::rollup_rule, coalesce(lower(d->>'higher_is_better')::boolean, true),
		        nullif(d->>'description', ''));
		RETURN 'created';
	END IF;
	UPDATE indicator SET
		name = coalesce(d->>'name', name), name_en = coalesce(d->>'name_en', name_en), unit = coalesce(d->>'unit', unit),
		kind = coalesce((d->>'kind')::indicator_kind, kind), rollup = coalesce((d->>'rollup')::rollup_rule, rollup),
		higher_is_better = coalesce(lower(d->>'higher_is_better')::boolean, higher_is_better),
		description = CASE WHEN d ? 'description' THEN nullif(d->>'description', '') ELSE description END
	WHERE id = i.id
	  AND (name, name_en, unit, kind, rollup, higher_is_better, description) IS DISTINCT FROM
	      (coalesce(d->>'name', name), coalesce(d->>'name_en', name_en), coalesce(d->>'unit', unit),
	       coalesce((d->>'kind')::indicator_kind, kind), coalesce((d->>'rollup')::rollup_rule, rollup),
	       coalesce(lower(d->>'higher_is_better')::boolean, higher_is_better),
	       CASE WHEN d ? 'description' THEN nullif(d->>'description', '') ELSE description END);
	RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

-- The indicator catalogue is shared by the whole tree: only a key without
-- scope changes it (a province's administrator would change every other
-- province's figures' meaning).
CREATE FUNCTION catalogue_check(p_scope bigint) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_scope IS NOT NULL THEN
		PERFORM api_raise(403, 'out_of_scope', 'code',
		                  format('The indicator catalogue is shared by the whole tree; a key limited to %s cannot '
		                         'change it.', (SELECT code FROM organization WHERE id = p_scope)));
	END IF;
END $$;

DROP FUNCTION api_indicator_put(text, jsonb);
CREATE FUNCTION api_indicator_put(p_scope bigint, p_code text, p_body jsonb) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM catalogue_check(p_scope);
	IF jsonb_typeof(p_body) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	IF p_body ? 'code' AND lower(p_body->>'code') IS DISTINCT FROM lower(p_code) THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code in the body differs from the one in the path');
	END IF;
	RETURN import_indicator_row(p_body || jsonb_build_object('code', p_code));
END $$;

DROP FUNCTION import_indicators(boolean);
CREATE FUNCTION import_indicators(p_scope bigint, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v_status text;
	v_state text;
	v_msg text;
	v_code text;
	v_field text;
	v_created bigint := 0;
	v_updated bigint := 0;
	v_unchanged bigint := 0;
	v_rejected bigint;
BEGIN
	PERFORM catalogue_check(p_scope);
	CREATE TEMP TABLE import_checked (line int, idx int, problem text[]) ON COMMIT DROP;
	FOR r IN SELECT line, idx, doc FROM import_rows ORDER BY seq LOOP
		BEGIN
			v_status := import_indicator_row(r.doc);
			v_created := v_created + (v_status = 'created')::int;
			v_updated := v_updated + (v_status = 'updated')::int;
			v_unchanged := v_unchanged + (v_status = 'unchanged')::int;
		EXCEPTION WHEN others THEN
			GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_code = PG_EXCEPTION_DETAIL,
			                        v_field = PG_EXCEPTION_HINT;
			IF v_state !~ '^TD' THEN
				v_code := 'invalid_row';
				v_field := 'code';
				v_msg := 'a value breaks a rule of the data (names one line, at most 300 characters)';
			END IF;
			INSERT INTO import_checked VALUES (r.line, r.idx, ARRAY[v_code, v_field, v_msg]);
		END;
	END LOOP;
	SELECT count(*) + (SELECT count(*) FROM import_rejects) INTO v_rejected FROM import_checked;
	RETURN import_summary(v_rejected = 0 OR p_keep_good, v_created, v_updated, v_unchanged, v_rejected);
END $$;
