-- The read side of the API: one function per endpoint. Each validates the
-- codes it is given (TD400 / TD404 with the problem code in DETAIL and the
-- field in HINT), filters, sorts and pages in one statement, and returns
-- rows whose columns are the response fields. A column named _cursor is the
-- row's keyset position: the service turns the last one of a page into the
-- opaque next_cursor. Arguments are named as the request parameters they
-- come from (the service calls p_period => $1); the caller's scope is
-- p_scope (the organization whose subtree the key reaches, NULL for all),
-- and lists end with (p_cursor, p_limit). Lists keep to what the key
-- reaches; a code outside it is a TD403 out_of_scope (a bloc: TD404).

-- Codes to ids, for one kind of thing (organization, bloc or indicator):
-- the code of a path (p_field NULL) is a 404 when unknown, those of a
-- filter a 400 naming the field and every unknown code.
CREATE FUNCTION resolve_codes(p_kind text, p_codes text[], p_field text) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_wanted text[] := (SELECT array_agg(DISTINCT CASE p_kind WHEN 'indicator' THEN lower(btrim(c)) ELSE upper(btrim(c)) END)
	                    FROM unnest(p_codes) c WHERE c IS NOT NULL);
	v_found bigint[];
	v_missing text;
BEGIN
	WITH known (code, id) AS (
		SELECT o.code::text, o.id FROM organization o WHERE p_kind = 'organization' AND o.code = ANY (v_wanted)
		UNION ALL
		SELECT b.code::text, b.id FROM bloc b WHERE p_kind = 'bloc' AND b.code = ANY (v_wanted)
		UNION ALL
		SELECT i.code, i.id FROM indicator i WHERE p_kind = 'indicator' AND i.code = ANY (v_wanted)
	)
	SELECT (SELECT array_agg(k.id) FROM known k),
	       (SELECT string_agg(w, ', ' ORDER BY w) FROM unnest(v_wanted) w WHERE w NOT IN (SELECT k.code FROM known k))
	INTO v_found, v_missing;
	IF v_missing IS NOT NULL AND p_field IS NULL THEN
		PERFORM api_raise(404, CASE p_kind WHEN 'organization' THEN 'organization_not_found'
		                                   WHEN 'bloc' THEN 'bloc_not_found' ELSE 'indicator_not_found' END,
		                  'code', format('There is no %s %s.', p_kind, v_missing));
	END IF;
	IF v_missing IS NOT NULL THEN
		PERFORM api_raise(400, CASE p_kind WHEN 'organization' THEN 'unknown_organization'
		                                   WHEN 'bloc' THEN 'unknown_bloc' ELSE 'unknown_indicator' END,
		                  p_field, format('%s: there is no %s %s.', p_field, p_kind, v_missing));
	END IF;
	RETURN v_found;
END $$;

-- One code of each kind.
CREATE FUNCTION resolve_organization(p_code text, p_field text) RETURNS bigint
LANGUAGE sql STABLE RETURN (resolve_codes('organization', ARRAY[p_code], p_field))[1];

CREATE FUNCTION resolve_bloc(p_code text, p_field text) RETURNS bigint
LANGUAGE sql STABLE RETURN (resolve_codes('bloc', ARRAY[p_code], p_field))[1];

CREATE FUNCTION resolve_indicator(p_code text, p_field text) RETURNS int
LANGUAGE sql STABLE RETURN (resolve_codes('indicator', ARRAY[p_code], p_field))[1];

-- The one answer to a cursor this list did not hand out.
CREATE FUNCTION cursor_fail() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM api_raise(400, 'invalid_cursor', 'cursor', 'cursor is not one this service handed out; start again without it.');
END $$;

-- A keyset cursor's parts (NULL for none); one that is not a position this
-- list handed out is refused, never cast.
CREATE FUNCTION cursor_parts(p_cursor text, p_parts int) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	a text[] := string_to_array(p_cursor, E'\x1f');
BEGIN
	IF p_cursor IS NOT NULL AND array_length(a, 1) IS DISTINCT FROM p_parts THEN
		PERFORM cursor_fail();
	END IF;
	RETURN a;
END $$;

-- The position of a feed ordered by a moment and two numbers (history,
-- changes): a cursor of three parts, each cast or the cursor refused.
CREATE TYPE moment_position AS (at timestamptz, n1 bigint, n2 bigint);

CREATE FUNCTION cursor_moment(p_cursor text) RETURNS moment_position
LANGUAGE plpgsql STABLE AS $$
DECLARE
	a text[] := cursor_parts(p_cursor, 3);
BEGIN
	RETURN (a[1]::timestamptz, a[2]::bigint, a[3]::bigint)::moment_position;
EXCEPTION WHEN others THEN
	PERFORM cursor_fail();
END $$;

-- ---------------------------------------------------------------- organizations

-- GET /v1/organizations: the hierarchy as it stood on a day (today unless
-- p_on), each organization shown only where the key reaches it that day.
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
CREATE FUNCTION api_organization(p_scope bigint, p_code text, p_on date)
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

-- ---------------------------------------------------------------- indicators and periods

-- The indicator catalogue, by code; the same for every key.
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

-- One indicator.
CREATE FUNCTION api_indicator(p_code text)
RETURNS TABLE (code text, name text, name_en text, unit text, kind text, rollup text, higher_is_better boolean,
               description text)
LANGUAGE sql STABLE AS $$
	SELECT i.code, i.name, i.name_en, i.unit, i.kind::text, i.rollup::text, i.higher_is_better, i.description
	FROM indicator i WHERE i.id = resolve_indicator(p_code, NULL)
$$;

-- With a year: every standard period of that year (the year, its halves,
-- quarters, months and year-to-date spans) and the terms that include it.
-- Without: the periods that hold data.
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

-- The blocs a key reaches: by organizer or member (of a year, when one is
-- asked), the reach computed once for the scope's subtree (bloc_reached,
-- set-wise).
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

-- One bloc; one the key does not reach does not exist for it.
CREATE FUNCTION api_bloc(p_scope bigint, p_code text)
RETURNS TABLE (code text, name text, kind text, organizer text, years json, note text)
LANGUAGE sql STABLE AS $$
	SELECT b.code, b.name, b.kind::text, org.code, bloc_years(b.id), b.note
	FROM bloc b LEFT JOIN organization org ON org.id = b.organizer_id
	WHERE b.id = bloc_check(p_scope, resolve_bloc(p_code, NULL), NULL, p_code, NULL)
$$;

-- One year of a bloc, for a key that reaches the bloc that year.
CREATE FUNCTION api_bloc_year(p_scope bigint, p_code text, p_year int)
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
	       coalesce((SELECT json_agg(json_build_object('indicator', i.code, 'weight', trim_scale(c.weight),
	                                                   'cap_pct', trim_scale(c.cap_pct))
	                                 ORDER BY i.code)
	                 FROM bloc_criterion c JOIN indicator i ON i.id = c.indicator_id
	                 WHERE c.bloc_id = v_bid AND c.year = y.year), '[]'::json),
	       coalesce((SELECT json_agg(json_build_object('org', o.code, 'points', trim_scale(a.points), 'reason', a.reason)
	                                 ORDER BY a.id)
	                 FROM bloc_adjustment a JOIN organization o ON o.id = a.org_id
	                 WHERE a.bloc_id = v_bid AND a.year = y.year), '[]'::json),
	       y.note
	FROM bloc b WHERE b.id = v_bid;
END $$;


-- ---------------------------------------------------------------- values

-- The filters of a value listing, the change feed and the history, with
-- their codes resolved once: an organization named must be one the key
-- reaches on some day (which of its values show is then judged value by
-- value); a bloc named, one it reaches at all.
CREATE TYPE value_filter AS (
	org_ids bigint[],
	under_id bigint,
	bloc_ids bigint[],
	indicator_ids int[],
	period_codes text[],
	year int,
	subject_filtered boolean
);

CREATE FUNCTION value_filter_make(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                                  p_period text, p_year int) RETURNS value_filter
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter;
	v_id bigint;
BEGIN
	f.org_ids := CASE WHEN p_org IS NOT NULL THEN resolve_codes('organization', string_to_array(p_org, ','), 'org') END;
	FOREACH v_id IN ARRAY coalesce(f.org_ids, '{}') LOOP
		PERFORM scope_check(p_scope, v_id, 'org');
	END LOOP;
	f.under_id := scope_check(p_scope, CASE WHEN p_under IS NOT NULL THEN resolve_organization(p_under, 'under') END,
	                          'under');
	f.bloc_ids := CASE WHEN p_bloc IS NOT NULL THEN resolve_codes('bloc', string_to_array(p_bloc, ','), 'bloc') END;
	FOREACH v_id IN ARRAY coalesce(f.bloc_ids, '{}') LOOP
		PERFORM bloc_check(p_scope, v_id, NULL, (SELECT code FROM bloc WHERE id = v_id), 'bloc');
	END LOOP;
	f.indicator_ids := CASE WHEN p_indicator IS NOT NULL
	                        THEN resolve_codes('indicator', string_to_array(p_indicator, ','), 'indicator') END;
	f.period_codes := string_to_array(p_period, ',');
	f.year := p_year;
	f.subject_filtered := p_org IS NOT NULL OR p_under IS NOT NULL OR p_bloc IS NOT NULL;
	RETURN f;
END $$;

-- The value rows a listing shows, from one source: 'current' (the values),
-- 'versions' (every revision: the earlier ones in value_history and the
-- current ones) or 'changes' (values written after p_since, and deletions
-- after it). Kept are the rows the filter selects and the key reaches: an
-- organization's figure on its day for the period, a bloc's own total when
-- the key reaches the bloc that year. `under` keeps a value of the subtree
-- as it stood at the end of the value's period, so a district dissolved in
-- 2025 still counts under its city for 2023. The organizations a filter or
-- the scope allows are gathered first, so their rows are found by index
-- instead of every row being read and then filtered.
CREATE FUNCTION values_chosen(p_scope bigint, f value_filter, p_source text, p_since timestamptz)
RETURNS TABLE (value_id bigint, org_id bigint, bloc_id bigint, indicator_id int, period_id int, revision int,
               deleted boolean, actual numeric, target numeric, note text, at timestamptz, who text,
               request_id text, row_key bigint, org_code text, bloc_code text, indicator_code text,
               indicator_name text, period_code text, start_date date, end_date date)
LANGUAGE sql STABLE AS $$
	WITH sub AS MATERIALIZED (
		SELECT s.org_id, s.during FROM organization_subtree_spans(f.under_id) s WHERE f.under_id IS NOT NULL
	), visible AS MATERIALIZED (
		SELECT s.org_id, s.during FROM scope_spans(p_scope) s
	), orgs AS MATERIALIZED (
		-- the organizations whose rows may show, when the filter or the scope narrows them
		SELECT o AS org_id FROM unnest(f.org_ids) o
		UNION SELECT s.org_id FROM sub s
		UNION SELECT v.org_id FROM visible v WHERE NOT f.subject_filtered
	), candidates AS (
		SELECT v.id AS value_id, v.org_id, v.bloc_id, v.indicator_id, v.period_id, v.revision, false AS deleted,
		       v.actual, v.target, v.note, v.updated_at AS at, v.updated_by AS who, v.request_id, v.id AS row_key
		FROM value v
		WHERE (p_source <> 'changes' OR v.updated_at > p_since)
		  AND ((NOT f.subject_filtered AND p_scope IS NULL)
		       OR v.org_id IN (SELECT o.org_id FROM orgs o)
		       OR (v.bloc_id IS NOT NULL AND (NOT f.subject_filtered OR v.bloc_id = ANY (f.bloc_ids))))
		UNION ALL
		SELECT h.value_id, h.org_id, h.bloc_id, h.indicator_id, h.period_id, h.revision, h.deleted, h.actual,
		       h.target, h.note, h.written_at, h.written_by, h.request_id, h.id
		FROM value_history h
		WHERE (p_source = 'versions' OR (p_source = 'changes' AND h.deleted AND h.written_at > p_since))
		  AND ((NOT f.subject_filtered AND p_scope IS NULL)
		       OR h.org_id IN (SELECT o.org_id FROM orgs o)
		       OR (h.bloc_id IS NOT NULL AND (NOT f.subject_filtered OR h.bloc_id = ANY (f.bloc_ids))))
	)
	SELECT c.*, o.code::text, b.code::text, i.code, i.name::text, p.code, p.start_date, p.end_date
	FROM candidates c
	JOIN period p ON p.id = c.period_id
	JOIN indicator i ON i.id = c.indicator_id
	LEFT JOIN organization o ON o.id = c.org_id
	LEFT JOIN bloc b ON b.id = c.bloc_id
	WHERE (NOT f.subject_filtered
	       OR c.org_id = ANY (f.org_ids)
	       OR c.bloc_id = ANY (f.bloc_ids)
	       OR EXISTS (SELECT 1 FROM sub WHERE sub.org_id = c.org_id AND sub.during @> p.end_date))
	  AND (f.indicator_ids IS NULL OR c.indicator_id = ANY (f.indicator_ids))
	  AND (f.period_codes IS NULL OR p.code = ANY (f.period_codes))
	  AND (f.year IS NULL OR (p.kind <> 'term' AND p.year = f.year))
	  AND (p_scope IS NULL
	       OR CASE WHEN c.org_id IS NOT NULL
	               THEN EXISTS (SELECT 1 FROM visible WHERE visible.org_id = c.org_id
	                            AND visible.during @> organization_seen_on(o, p.end_date))
	               ELSE bloc_reached(p_scope, c.bloc_id, p.year) END)
$$;

-- GET /v1/values: organizations' values first, then blocs' own totals, by
-- code, indicator and period. `year` keeps periods that lie within the
-- year (terms only when named).
CREATE FUNCTION api_values(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                           p_period text, p_year int, p_cursor text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, indicator_name text, period text, actual numeric,
               target numeric, note text, revision int, updated_at timestamptz, updated_by text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	a text[] := cursor_parts(p_cursor, 6);
	v_after_start date;
	v_after_end date;
BEGIN
	BEGIN
		v_after_start := a[4]::date;
		v_after_end := a[5]::date;
	EXCEPTION WHEN others THEN
		PERFORM cursor_fail();
	END;
	RETURN QUERY
	SELECT c.org_code, c.bloc_code, c.indicator_code, c.indicator_name, c.period_code, c.actual, c.target, c.note,
	       c.revision, c.at, c.who, concat_ws(E'\x1f', CASE WHEN c.org_id IS NOT NULL THEN '0' ELSE '1' END,
	                        coalesce(c.org_code, c.bloc_code), c.indicator_code, c.start_date, c.end_date, c.period_code)
	FROM values_chosen(p_scope, f, 'current', NULL) c
	WHERE p_cursor IS NULL
	   OR (CASE WHEN c.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(c.org_code, c.bloc_code) COLLATE "C",
	       c.indicator_code COLLATE "C", c.start_date, c.end_date, c.period_code COLLATE "C")
	      > (a[1], a[2] COLLATE "C", a[3] COLLATE "C", v_after_start, v_after_end, a[6] COLLATE "C")
	ORDER BY CASE WHEN c.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(c.org_code, c.bloc_code) COLLATE "C",
	         c.indicator_code COLLATE "C", c.start_date, c.end_date, c.period_code COLLATE "C"
	LIMIT p_limit;
END $$;

-- GET /v1/values/history: every revision of the values the filters
-- select, oldest change first, each with the figures it replaced.
CREATE FUNCTION api_value_history(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                                  p_period text, p_year int, p_cursor text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, indicator_name text, period text, revision int, operation text,
               actual numeric, target numeric, note text, old_actual numeric, old_target numeric, old_note text,
               changed_at timestamptz, changed_by text, request_id text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	k moment_position := cursor_moment(p_cursor);
BEGIN
	RETURN QUERY
	WITH story AS (
		SELECT c.*, lag(c.actual) OVER w AS old_actual, lag(c.target) OVER w AS old_target,
		       lag(c.note) OVER w AS old_note
		FROM values_chosen(p_scope, f, 'versions', NULL) c WINDOW w AS (PARTITION BY c.value_id ORDER BY c.revision)
	)
	SELECT st.org_code, st.bloc_code, st.indicator_code, st.indicator_name, st.period_code, st.revision,
	       CASE WHEN st.deleted THEN 'delete' WHEN st.revision = 1 THEN 'insert' ELSE 'update' END,
	       st.actual, st.target, st.note, st.old_actual, st.old_target, st.old_note, st.at, st.who,
	       st.request_id, concat_ws(E'\x1f', st.at::text, st.value_id, st.revision)
	FROM story st
	WHERE p_cursor IS NULL OR (st.at, st.value_id, st.revision) > (k.at, k.n1, k.n2)
	ORDER BY st.at, st.value_id, st.revision
	LIMIT p_limit;
END $$;

-- GET /v1/values?updated_after=T: values written after T and values
-- deleted after it (deleted = true), in the order they changed, so a portal
-- that applies them in order ends with the same figures.
CREATE FUNCTION api_value_changes(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                                  p_period text, p_year int, p_updated_after timestamptz, p_cursor text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, indicator_name text, period text, actual numeric,
               target numeric, note text, revision int, updated_at timestamptz, updated_by text, deleted boolean,
               _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	k moment_position := cursor_moment(p_cursor);
BEGIN
	RETURN QUERY
	WITH changes AS (
		-- a deletion sorts before a write of the same moment (kind 0, 1)
		SELECT c.*, CASE WHEN c.deleted THEN 0 ELSE 1 END AS kind
		FROM values_chosen(p_scope, f, 'changes', p_updated_after) c
	)
	SELECT c.org_code, c.bloc_code, c.indicator_code, c.indicator_name, c.period_code, c.actual, c.target, c.note,
	       c.revision, c.at, c.who, c.deleted, concat_ws(E'\x1f', c.at::text, c.kind, c.row_key)
	FROM changes c
	WHERE p_cursor IS NULL OR (c.at, c.kind, c.row_key) > (k.at, k.n1, k.n2)
	ORDER BY c.at, c.kind, c.row_key
	LIMIT p_limit;
END $$;

-- GET /v1/values/template: the figures to report, as a file to fill. For a
-- bloc: each member of the period's year × each of its criteria (or the
-- indicators named); under an organization: it and each organization of
-- its subtree at the period's end × the indicators named. Only the
-- organizations the key may write for the period. The figures already
-- stored are filled in; with p_only = 'missing' the rows without an actual
-- are kept alone. Sent back as it is, the file imports (the names, the
-- indicator's name and unit are ignored).
CREATE FUNCTION api_value_template(p_scope bigint, p_bloc text, p_under text, p_indicator text, p_period text,
                                   p_only text)
RETURNS TABLE (org text, name text, indicator text, indicator_name text, unit text, period text, actual numeric,
               target numeric, note text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	p period_info := period_parse(p_period);
	v_bloc bigint;
	v_under bigint;
	v_indicators bigint[] := CASE WHEN p_indicator IS NOT NULL
	                              THEN resolve_codes('indicator', string_to_array(p_indicator, ','), 'indicator') END;
BEGIN
	IF (p_bloc IS NULL) = (p_under IS NULL) THEN
		PERFORM api_raise(400, 'missing_parameter', 'bloc',
		                  'give bloc (its members × its criteria) or under (an organization and its subtree), one of them');
	END IF;
	IF p_bloc IS NOT NULL THEN
		v_bloc := bloc_check(p_scope, resolve_bloc(p_bloc, 'bloc'), p.year, p_bloc, 'bloc');
		PERFORM bloc_year_of(v_bloc, p);
		IF v_indicators IS NULL AND NOT EXISTS (SELECT 1 FROM bloc_criterion c
		                                        WHERE c.bloc_id = v_bloc AND c.year = p.year) THEN
			PERFORM api_raise(400, 'missing_parameter', 'indicator',
			                  format('Bloc %s has no scoring criteria for %s; name the indicators to report.',
			                         upper(p_bloc), p.year));
		END IF;
	ELSE
		v_under := scope_check_on(p_scope, resolve_organization(p_under, 'under'), p.end_date, 'under');
		IF v_indicators IS NULL THEN
			PERFORM api_raise(400, 'missing_parameter', 'indicator', 'name the indicators to report (indicator=a,b)');
		END IF;
	END IF;
	RETURN QUERY
	WITH orgs AS (
		SELECT m.org_id FROM bloc_member m WHERE v_bloc IS NOT NULL AND m.bloc_id = v_bloc AND m.year = p.year
		UNION
		SELECT s.org_id FROM organization_subtree_spans(v_under) s
		WHERE v_under IS NOT NULL AND s.during @> p.end_date
	), writable AS (
		SELECT o.org_id FROM orgs o
		WHERE p_scope IS NULL
		   OR EXISTS (SELECT 1 FROM scope_spans(p_scope) sc WHERE sc.org_id = o.org_id AND sc.during @> p.end_date)
	), inds AS (
		SELECT unnest(v_indicators)::int AS indicator_id
		UNION
		SELECT c.indicator_id FROM bloc_criterion c
		WHERE v_indicators IS NULL AND c.bloc_id = v_bloc AND c.year = p.year
	)
	SELECT o.code::text, o.name::text, i.code, i.name::text, i.unit::text, p.code, v.actual, v.target, v.note
	FROM writable w
	JOIN organization o ON o.id = w.org_id
	CROSS JOIN inds x
	JOIN indicator i ON i.id = x.indicator_id
	LEFT JOIN period pr ON pr.code = p.code
	LEFT JOIN value v ON v.org_id = w.org_id AND v.indicator_id = x.indicator_id AND v.period_id = pr.id
	WHERE p_only IS NULL OR v.actual IS NULL
	ORDER BY o.code COLLATE "C", i.code COLLATE "C";
END $$;

-- The moment up to which a change feed read now is complete: writes still
-- in flight started after it, so a portal that asks again from here misses
-- nothing (it may see a few changes twice).
CREATE FUNCTION sync_as_of() RETURNS timestamptz
LANGUAGE sql STABLE
RETURN least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                     WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND datname = current_database()));
