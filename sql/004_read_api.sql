-- The read side of the API: one function per endpoint. Each validates the
-- codes it is given (TD400 / TD404 with the problem code in DETAIL and the
-- field in HINT), filters, sorts and pages in one statement, and returns
-- rows whose columns are the response fields. A column named _cursor is the
-- row's keyset position: the service turns the last one of a page into the
-- opaque next_cursor. Every function takes the caller's scope first (the
-- organization whose subtree the API key may see, NULL for all) and list
-- functions end with (p_after, p_limit). A code outside the scope is a
-- TD403 out_of_scope; lists silently keep to the scope.

CREATE FUNCTION api_raise(p_status int, p_code text, p_field text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'TD' || p_status::text, DETAIL = p_code, HINT = coalesce(p_field, ''),
		MESSAGE = p_message;
END $$;

-- A LIKE pattern matching s anywhere, with s's own % and _ taken literally.
CREATE FUNCTION like_contains(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '%' || replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_') || '%';

-- Every organization a key scoped to p_scope may see: its subtree, at any
-- time (NULL scope: all of them are visible, the set is not used).
CREATE FUNCTION scope_spans(p_scope bigint) RETURNS TABLE (org_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT s.org_id, s.during FROM organization_subtree_spans(p_scope) s WHERE p_scope IS NOT NULL
$$;

CREATE FUNCTION scope_allows(p_scope bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN p_scope IS NULL OR EXISTS (SELECT 1 FROM organization_subtree_spans(p_scope) s WHERE s.org_id = p_org);

-- Refuses a reference to an organization outside the caller's scope.
CREATE FUNCTION scope_check(p_scope bigint, p_org bigint, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_org IS NOT NULL AND NOT scope_allows(p_scope, p_org) THEN
		PERFORM api_raise(403, 'out_of_scope', p_field,
		                  format('%s is outside what this key may see (%s and the organizations under it).',
		                         (SELECT code FROM organization WHERE id = p_org),
		                         (SELECT code FROM organization WHERE id = p_scope)));
	END IF;
	RETURN p_org;
END $$;

-- A bloc is visible to a scoped key when it organizes it or has ever had a
-- member inside it.
CREATE FUNCTION scope_allows_bloc(p_scope bigint, p_bloc bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN p_scope IS NULL OR EXISTS (
	SELECT 1 FROM organization_subtree_spans(p_scope) s
	WHERE s.org_id = (SELECT organizer_id FROM bloc WHERE id = p_bloc)
	   OR s.org_id IN (SELECT m.org_id FROM bloc_member m WHERE m.bloc_id = p_bloc));

CREATE FUNCTION scope_check_bloc(p_scope bigint, p_bloc bigint, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_bloc IS NOT NULL AND NOT scope_allows_bloc(p_scope, p_bloc) THEN
		PERFORM api_raise(403, 'out_of_scope', p_field,
		                  format('Bloc %s is outside what this key may see (%s and the organizations under it).',
		                         (SELECT code FROM bloc WHERE id = p_bloc),
		                         (SELECT code FROM organization WHERE id = p_scope)));
	END IF;
	RETURN p_bloc;
END $$;

-- Codes given in a path are looked up as 404s, codes given as filters as
-- 400s that name the field.
CREATE FUNCTION resolve_organization(p_code text, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r bigint;
BEGIN
	SELECT id INTO r FROM organization WHERE code = upper(p_code);
	IF r IS NULL THEN
		IF p_field IS NULL THEN
			PERFORM api_raise(404, 'organization_not_found', 'code', format('There is no organization %s.', p_code));
		END IF;
		PERFORM api_raise(400, 'unknown_organization', p_field,
		                  format('%s: there is no organization %s.', p_field, p_code));
	END IF;
	RETURN r;
END $$;

CREATE FUNCTION resolve_organizations(p_codes text, p_field text) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_wanted text[] := (SELECT array_agg(DISTINCT upper(btrim(c))) FROM unnest(string_to_array(p_codes, ',')) c);
	v_found bigint[];
	v_missing text;
BEGIN
	SELECT array_agg(o.id) INTO v_found FROM organization o WHERE o.code = ANY (v_wanted);
	SELECT string_agg(w, ', ' ORDER BY w) INTO v_missing
	FROM unnest(v_wanted) w WHERE NOT EXISTS (SELECT 1 FROM organization o WHERE o.code = w);
	IF v_missing IS NOT NULL THEN
		PERFORM api_raise(400, 'unknown_organization', p_field, format('%s: there is no organization %s.', p_field, v_missing));
	END IF;
	RETURN v_found;
END $$;

CREATE FUNCTION resolve_bloc(p_code text, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r bigint;
BEGIN
	SELECT id INTO r FROM bloc WHERE code = upper(p_code);
	IF r IS NULL THEN
		IF p_field IS NULL THEN
			PERFORM api_raise(404, 'bloc_not_found', 'code', format('There is no bloc %s.', p_code));
		END IF;
		PERFORM api_raise(400, 'unknown_bloc', p_field, format('%s: there is no bloc %s.', p_field, p_code));
	END IF;
	RETURN r;
END $$;

CREATE FUNCTION resolve_blocs(p_codes text, p_field text) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_wanted text[] := (SELECT array_agg(DISTINCT upper(btrim(c))) FROM unnest(string_to_array(p_codes, ',')) c);
	v_found bigint[];
	v_missing text;
BEGIN
	SELECT array_agg(b.id) INTO v_found FROM bloc b WHERE b.code = ANY (v_wanted);
	SELECT string_agg(w, ', ' ORDER BY w) INTO v_missing
	FROM unnest(v_wanted) w WHERE NOT EXISTS (SELECT 1 FROM bloc b WHERE b.code = w);
	IF v_missing IS NOT NULL THEN
		PERFORM api_raise(400, 'unknown_bloc', p_field, format('%s: there is no bloc %s.', p_field, v_missing));
	END IF;
	RETURN v_found;
END $$;

CREATE FUNCTION resolve_indicator(p_code text, p_field text) RETURNS int
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r int;
BEGIN
	SELECT id INTO r FROM indicator WHERE code = lower(p_code);
	IF r IS NULL THEN
		IF p_field IS NULL THEN
			PERFORM api_raise(404, 'indicator_not_found', 'code', format('There is no indicator %s.', p_code));
		END IF;
		PERFORM api_raise(400, 'unknown_indicator', p_field, format('%s: there is no indicator %s.', p_field, p_code));
	END IF;
	RETURN r;
END $$;

CREATE FUNCTION resolve_indicators(p_codes text, p_field text) RETURNS int[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_wanted text[] := (SELECT array_agg(DISTINCT lower(btrim(c))) FROM unnest(string_to_array(p_codes, ',')) c);
	v_found int[];
	v_missing text;
BEGIN
	SELECT array_agg(i.id) INTO v_found FROM indicator i WHERE i.code = ANY (v_wanted);
	SELECT string_agg(w, ', ' ORDER BY w) INTO v_missing
	FROM unnest(v_wanted) w WHERE NOT EXISTS (SELECT 1 FROM indicator i WHERE i.code = w);
	IF v_missing IS NOT NULL THEN
		PERFORM api_raise(400, 'unknown_indicator', p_field, format('%s: there is no indicator %s.', p_field, v_missing));
	END IF;
	RETURN v_found;
END $$;

-- The date on which an organization is looked at: the requested day, but
-- for one dissolved before it (or founded after it) the nearest day of its
-- own life, so a dissolved district shows the parent it had.
CREATE FUNCTION organization_seen_on(o organization, p_on date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(o.valid_from, least(p_on, o.valid_to));

-- ---------------------------------------------------------------- organizations

CREATE FUNCTION api_organizations(p_scope bigint, p_kind text, p_parent text, p_under text, p_q text, p_on date,
                                  p_include_dissolved boolean, p_after text, p_limit int)
RETURNS TABLE (code text, name text, short_name text, kind text, parent text, valid_from date, valid_to date,
               successor text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_on_date date := coalesce(p_on, current_date);
	v_parent_id bigint := scope_check(p_scope, CASE WHEN p_parent IS NOT NULL THEN resolve_organization(p_parent, 'parent') END, 'parent');
	v_under_id bigint := scope_check(p_scope, CASE WHEN p_under IS NOT NULL THEN resolve_organization(p_under, 'under') END, 'under');
	v_all_times boolean := coalesce(p_include_dissolved, false);
	v_after_name text := split_part(p_after, E'\x1f', 1);
	v_after_code text := split_part(p_after, E'\x1f', 2);
	v_pattern text := CASE WHEN p_q IS NOT NULL THEN like_contains(search_key(p_q)) END;
BEGIN
	RETURN QUERY
	WITH sub AS MATERIALIZED (
		SELECT s.org_id, s.during FROM organization_subtree_spans(v_under_id) s WHERE v_under_id IS NOT NULL
	), visible AS MATERIALIZED (
		SELECT DISTINCT s.org_id FROM scope_spans(p_scope) s
	)
	SELECT o.code::text, o.name::text, o.short_name::text, o.kind::text, par.code::text,
	       o.valid_from, o.valid_to, succ.code::text, o.name || E'\x1f' || o.code
	FROM organization o
	CROSS JOIN LATERAL (SELECT CASE WHEN v_all_times THEN organization_seen_on(o, v_on_date) ELSE v_on_date END AS day) d
	LEFT JOIN organization par ON par.id = organization_parent_on(o.id, organization_seen_on(o, v_on_date))
	LEFT JOIN organization succ ON succ.id = o.successor_id
	WHERE (v_all_times OR o.validity @> v_on_date)
	  AND (p_scope IS NULL OR o.id IN (SELECT org_id FROM visible))
	  AND (p_kind IS NULL OR o.kind = p_kind::org_kind)
	  AND (v_parent_id IS NULL OR organization_parent_on(o.id, d.day) = v_parent_id)
	  AND (v_under_id IS NULL OR EXISTS (SELECT 1 FROM sub WHERE sub.org_id = o.id AND sub.during @> d.day))
	  AND (v_pattern IS NULL OR o.search LIKE v_pattern)
	  AND (p_after IS NULL OR (o.name COLLATE vietnamese, o.code::text) > (v_after_name COLLATE vietnamese, v_after_code))
	ORDER BY o.name COLLATE vietnamese, o.code
	LIMIT p_limit;
END $$;

CREATE FUNCTION api_organization(p_scope bigint, p_code text, p_on date)
RETURNS TABLE (code text, name text, short_name text, kind text, parent text, valid_from date, valid_to date,
               successor text, ancestors json, parents json)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_oid bigint := scope_check(p_scope, resolve_organization(p_code, NULL), 'code');
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

-- ---------------------------------------------------------------- indicators

CREATE FUNCTION api_indicators(p_scope bigint, p_kind text, p_q text, p_after text, p_limit int)
RETURNS TABLE (code text, name text, name_en text, unit text, kind text, rollup text, higher_is_better boolean,
               description text, _cursor text)
LANGUAGE sql STABLE AS $$
	SELECT i.code, i.name, i.name_en, i.unit, i.kind::text, i.rollup::text, i.higher_is_better, i.description, i.code
	FROM indicator i
	WHERE (p_kind IS NULL OR i.kind = p_kind::indicator_kind)
	  AND (p_q IS NULL OR i.search LIKE like_contains(search_key(p_q)))
	  AND (p_after IS NULL OR i.code > p_after)
	ORDER BY i.code
	LIMIT p_limit
$$;

CREATE FUNCTION api_indicator(p_scope bigint, p_code text)
RETURNS TABLE (code text, name text, name_en text, unit text, kind text, rollup text, higher_is_better boolean,
               description text)
LANGUAGE sql STABLE AS $$
	SELECT i.code, i.name, i.name_en, i.unit, i.kind::text, i.rollup::text, i.higher_is_better, i.description
	FROM indicator i WHERE i.id = resolve_indicator(p_code, NULL)
$$;

-- ---------------------------------------------------------------- periods

-- With a year: every standard period of that year (the year, its halves,
-- quarters, months and year-to-date spans) and the terms that include it.
-- Without: the periods that hold data.
CREATE FUNCTION api_periods(p_scope bigint, p_year int, p_kind text)
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

CREATE FUNCTION bloc_years(p_bloc bigint) RETURNS json
LANGUAGE sql STABLE
RETURN coalesce((SELECT json_agg(y.year ORDER BY y.year) FROM bloc_year y WHERE y.bloc_id = p_bloc), '[]'::json);

CREATE FUNCTION api_blocs(p_scope bigint, p_organizer text, p_year int, p_member text, p_q text, p_after text, p_limit int)
RETURNS TABLE (code text, name text, kind text, organizer text, years json, note text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_organizer_id bigint := scope_check(p_scope, CASE WHEN p_organizer IS NOT NULL THEN resolve_organization(p_organizer, 'organizer') END, 'organizer');
	v_member_id bigint := scope_check(p_scope, CASE WHEN p_member IS NOT NULL THEN resolve_organization(p_member, 'member') END, 'member');
	v_after_name text := split_part(p_after, E'\x1f', 1);
	v_after_code text := split_part(p_after, E'\x1f', 2);
BEGIN
	RETURN QUERY
	SELECT b.code::text, b.name::text, b.kind::text, org.code::text, bloc_years(b.id), b.note,
	       b.name || E'\x1f' || b.code
	FROM bloc b
	LEFT JOIN organization org ON org.id = b.organizer_id
	WHERE (p_scope IS NULL OR scope_allows_bloc(p_scope, b.id))
	  AND (v_organizer_id IS NULL OR b.organizer_id = v_organizer_id)
	  AND (p_year IS NULL OR EXISTS (SELECT 1 FROM bloc_year y WHERE y.bloc_id = b.id AND y.year = p_year))
	  AND (v_member_id IS NULL OR EXISTS (SELECT 1 FROM bloc_member m WHERE m.bloc_id = b.id AND m.org_id = v_member_id
	                                    AND (p_year IS NULL OR m.year = p_year)))
	  AND (p_q IS NULL OR b.search LIKE like_contains(search_key(p_q)))
	  AND (p_after IS NULL OR (b.name COLLATE vietnamese, b.code::text) > (v_after_name COLLATE vietnamese, v_after_code))
	ORDER BY b.name COLLATE vietnamese, b.code
	LIMIT p_limit;
END $$;

CREATE FUNCTION api_bloc(p_scope bigint, p_code text)
RETURNS TABLE (code text, name text, kind text, organizer text, years json, note text)
LANGUAGE sql STABLE AS $$
	SELECT b.code, b.name, b.kind::text, org.code, bloc_years(b.id), b.note
	FROM bloc b LEFT JOIN organization org ON org.id = b.organizer_id
	WHERE b.id = scope_check_bloc(p_scope, resolve_bloc(p_code, NULL), 'code')
$$;

CREATE FUNCTION api_bloc_year(p_scope bigint, p_code text, p_year int)
RETURNS TABLE (bloc text, year int, members json, leader text, leader_person text, deputy text,
               deputy_person text, agreement json, criteria json, adjustments json, note text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_bid bigint := scope_check_bloc(p_scope, resolve_bloc(p_code, NULL), 'code');
	y bloc_year;
BEGIN
	SELECT * INTO y FROM bloc_year WHERE bloc_id = v_bid AND bloc_year.year = p_year;
	IF NOT FOUND THEN
		PERFORM api_raise(404, 'bloc_year_not_found', 'year',
		                  format('Bloc %s has no record for %s; its years are %s.', upper(p_code), p_year,
		                         bloc_years(v_bid)));
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

-- The value filters shared by the listing, the change feed and the history:
-- resolves the codes (400 for unknown ones, 403 outside the scope) once.
CREATE TYPE value_filter AS (
	org_ids bigint[],
	under_id bigint,
	bloc_ids bigint[],
	indicator_ids int[],
	period_codes text[],
	year int,
	subject_filtered boolean
);

CREATE FUNCTION value_filter_make(p_scope bigint, p_orgs text, p_under text, p_blocs text, p_indicators text,
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
		PERFORM scope_check_bloc(p_scope, v_id, 'bloc');
	END LOOP;
	f.indicator_ids := CASE WHEN p_indicators IS NOT NULL THEN resolve_indicators(p_indicators, 'indicator') END;
	f.period_codes := string_to_array(p_periods, ',');
	f.year := p_year;
	f.subject_filtered := p_orgs IS NOT NULL OR p_under IS NOT NULL OR p_blocs IS NOT NULL;
	RETURN f;
END $$;

-- Does a value (or a history row) pass the filter and the scope? `sub` and
-- `visible` are the subtree spans of the `under` filter and of the scope.
CREATE FUNCTION value_filter_keeps(f value_filter, p_scope bigint, p_org bigint, p_bloc bigint, p_indicator int,
                                   p period, p_under_ok boolean, p_scope_ok boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE
RETURN (NOT f.subject_filtered
        OR p_org = ANY (f.org_ids)
        OR p_bloc = ANY (f.bloc_ids)
        OR (f.under_id IS NOT NULL AND p_under_ok))
   AND (f.indicator_ids IS NULL OR p_indicator = ANY (f.indicator_ids))
   AND (f.period_codes IS NULL OR p.code = ANY (f.period_codes))
   AND (f.year IS NULL OR (p.kind <> 'term' AND p.year = f.year))
   AND (p_scope IS NULL OR p_scope_ok);

CREATE FUNCTION cursor_fail() RETURNS void
LANGUAGE sql
RETURN api_raise(400, 'invalid_cursor', 'cursor', 'cursor is not one this service handed out; start again without it.');

-- Values of organizations and blocs. `under` keeps the values of an
-- organization's subtree as it stood at the end of each value's period, so
-- a district dissolved in 2025 still counts under its city for 2023; the
-- scope works the same way. `year` keeps periods that lie within the year
-- (terms only when named).
CREATE FUNCTION api_values(p_scope bigint, p_orgs text, p_under text, p_blocs text, p_indicators text,
                           p_periods text, p_year int, p_after text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, period text, actual numeric, target numeric, note text,
               revision int, updated_at timestamptz, updated_by text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_orgs, p_under, p_blocs, p_indicators, p_periods, p_year);
	a text[] := string_to_array(p_after, E'\x1f');
	v_after_start date;
	v_after_end date;
BEGIN
	IF p_after IS NOT NULL THEN
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
	                         CASE WHEN v.org_id IS NOT NULL
	                              THEN EXISTS (SELECT 1 FROM visible WHERE visible.org_id = v.org_id
	                                                                   AND visible.during @> p.end_date)
	                              ELSE scope_allows_bloc(p_scope, v.bloc_id) END)
	  AND (p_after IS NULL
	       OR (CASE WHEN v.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(o.code, b.code)::text COLLATE "C",
	           i.code COLLATE "C", p.start_date, p.end_date, p.code COLLATE "C")
	          > (a[1], a[2] COLLATE "C", a[3] COLLATE "C", v_after_start, v_after_end, a[6] COLLATE "C"))
	-- organizations' values first, then blocs' own totals
	ORDER BY CASE WHEN v.org_id IS NOT NULL THEN '0' ELSE '1' END, coalesce(o.code, b.code)::text COLLATE "C",
	         i.code COLLATE "C", p.start_date, p.end_date, p.code COLLATE "C"
	LIMIT p_limit;
END $$;
