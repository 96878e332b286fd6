-- Writes one resource at a time, the history of values and the change feed
-- a provincial portal syncs from.

-- The service runs every write in a transaction that starts with this, so
-- triggers know who wrote and under which request.
CREATE FUNCTION write_context(p_actor text, p_request_id text) RETURNS void
LANGUAGE sql AS $$
	SELECT set_config('thidua.actor', p_actor, true), set_config('thidua.request_id', p_request_id, true)
$$;

-- ---------------------------------------------------------------- values

CREATE FUNCTION api_value_delete(p_scope bigint, p_org text, p_bloc text, p_indicator text, p_period text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_org bigint;
	v_bloc bigint;
	v_indicator int := resolve_indicator(p_indicator, 'indicator');
	v_period int;
	v_lock bigint;
	v_id bigint;
BEGIN
	IF (p_org IS NULL) = (p_bloc IS NULL) THEN
		PERFORM api_raise(400, 'invalid_parameter', 'org', 'give org or bloc (one of them).');
	END IF;
	IF p_org IS NOT NULL THEN
		v_org := scope_check(p_scope, resolve_organization(p_org, 'org'), 'org');
	ELSE
		v_bloc := resolve_bloc(p_bloc, 'bloc');
		IF p_scope IS NOT NULL AND NOT scope_allows(p_scope, (SELECT organizer_id FROM bloc WHERE id = v_bloc)) THEN
			PERFORM scope_check_bloc(NULL, v_bloc, 'bloc');
			PERFORM api_raise(403, 'out_of_scope', 'bloc',
			                  format('Bloc %s is organized outside what this key may write.', upper(p_bloc)));
		END IF;
	END IF;
	SELECT id INTO v_period FROM period WHERE code = (period_parse(p_period)).code;
	SELECT v.id INTO v_id FROM value v
	WHERE v.indicator_id = v_indicator AND v.period_id = v_period
	  AND (v.org_id = v_org OR v.bloc_id = v_bloc)
	FOR UPDATE;
	IF v_id IS NULL THEN
		PERFORM api_raise(404, 'value_not_found', 'period',
		                  format('There is no value of %s for %s in %s.', upper(coalesce(p_org, p_bloc)),
		                         lower(p_indicator), (period_parse(p_period)).code));
	END IF;
	v_lock := value_lock(v_org, v_bloc, v_period);
	IF v_lock IS NOT NULL THEN
		PERFORM lock_refuse(v_lock);
	END IF;
	DELETE FROM value WHERE id = v_id;
END $$;

-- Every revision of the values the filters select, oldest change first:
-- the earlier versions kept in value_history and the current ones in
-- value, each with the figures it replaced (lag over the revisions).
CREATE FUNCTION api_value_history(p_scope bigint, p_orgs text, p_under text, p_blocs text, p_indicators text,
                                  p_periods text, p_year int, p_after text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, period text, revision int, operation text,
               actual numeric, target numeric, note text, old_actual numeric, old_target numeric, old_note text,
               changed_at timestamptz, changed_by text, request_id text, _cursor text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
	f value_filter := value_filter_make(p_scope, p_orgs, p_under, p_blocs, p_indicators, p_periods, p_year);
	a text[] := string_to_array(p_after, E'\x1f');
	v_after_at timestamptz;
	v_after_id bigint;
	v_after_rev int;
BEGIN
	IF p_after IS NOT NULL THEN
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
		WHERE value_filter_keeps(f, p_scope, ver.org_id, ver.bloc_id, ver.indicator_id, p,
		                         EXISTS (SELECT 1 FROM sub WHERE sub.org_id = ver.org_id AND sub.during @> p.end_date),
		                         CASE WHEN ver.org_id IS NOT NULL
		                              THEN EXISTS (SELECT 1 FROM visible WHERE visible.org_id = ver.org_id
		                                                                   AND visible.during @> p.end_date)
		                              ELSE scope_allows_bloc(p_scope, ver.bloc_id) END)
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
	WHERE p_after IS NULL OR (st.written_at, st.value_id, st.revision) > (v_after_at, v_after_id, v_after_rev)
	ORDER BY st.written_at, st.value_id, st.revision
	LIMIT p_limit;
END $$;

-- What changed since a moment: values written after it and values deleted
-- after it (deleted = true), in the order they changed, so a portal that
-- applies them in order ends with the same figures.
CREATE FUNCTION api_value_changes(p_scope bigint, p_orgs text, p_under text, p_blocs text, p_indicators text,
                                  p_periods text, p_year int, p_since timestamptz, p_after text, p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, period text, actual numeric, target numeric, note text,
               revision int, updated_at timestamptz, updated_by text, deleted boolean, _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_orgs, p_under, p_blocs, p_indicators, p_periods, p_year);
	a text[] := string_to_array(p_after, E'\x1f');
	v_after_at timestamptz;
	v_after_kind int;
	v_after_id bigint;
BEGIN
	IF p_after IS NOT NULL THEN
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
		FROM value v WHERE v.updated_at > p_since
		UNION ALL
		SELECT h.org_id, h.bloc_id, h.indicator_id, h.period_id, NULL, NULL, NULL, h.revision,
		       h.written_at, h.written_by, true, 0, h.id
		FROM value_history h WHERE h.deleted AND h.written_at > p_since
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
	                         CASE WHEN c.org_id IS NOT NULL
	                              THEN EXISTS (SELECT 1 FROM visible WHERE visible.org_id = c.org_id
	                                                                   AND visible.during @> p.end_date)
	                              ELSE scope_allows_bloc(p_scope, c.bloc_id) END)
	  AND (p_after IS NULL OR (c.at, c.kind, c.key) > (v_after_at, v_after_kind, v_after_id))
	ORDER BY c.at, c.kind, c.key
	LIMIT p_limit;
END $$;

-- The moment up to which a change feed read now is complete: writes still
-- in flight started after it, so a portal that asks again from here misses
-- nothing (it may see a few changes twice).
CREATE FUNCTION sync_as_of() RETURNS timestamptz
LANGUAGE sql STABLE
RETURN least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                     WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND datname = current_database()));

-- ---------------------------------------------------------------- organizations

-- Locks a row for a read-check-write under If-Match (no error when absent:
-- the write itself says 404).
CREATE FUNCTION organization_lock(p_code text) RETURNS void
LANGUAGE sql AS $$
	SELECT 1 FROM organization WHERE code = upper(p_code) FOR UPDATE
$$;

-- POST (p_mode 'create') and PATCH ('update') of one organization, by the
-- rules of the bulk import.
CREATE FUNCTION api_organization_write(p_scope bigint, p_doc jsonb, p_mode text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_state text;
	v_msg text;
	v_code text;
	v_field text;
BEGIN
	IF jsonb_typeof(p_doc) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	SET CONSTRAINTS ALL IMMEDIATE;
	RETURN import_organization_row(p_scope, p_doc, p_mode);
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
-- (valid_to) instead, so its history stays.
CREATE FUNCTION api_organization_delete(p_scope bigint, p_code text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint := scope_check(p_scope, resolve_organization(p_code, NULL), 'code');
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

-- ---------------------------------------------------------------- indicators

CREATE FUNCTION api_indicator_put(p_code text, p_doc jsonb) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF jsonb_typeof(p_doc) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	IF p_doc ? 'code' AND lower(p_doc->>'code') IS DISTINCT FROM lower(p_code) THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code in the body differs from the one in the path');
	END IF;
	RETURN import_indicator_row(p_doc || jsonb_build_object('code', p_code));
END $$;

-- ---------------------------------------------------------------- blocs

CREATE FUNCTION bloc_lock(p_code text) RETURNS void
LANGUAGE sql AS $$
	SELECT 1 FROM bloc WHERE code = upper(p_code) FOR UPDATE
$$;

-- A scoped key may change a bloc only when its organizer lies inside the
-- scope (a bloc without organizer: every member must).
CREATE FUNCTION bloc_write_check(p_scope bigint, p_bloc bigint, p_code text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_organizer bigint := (SELECT organizer_id FROM bloc WHERE id = p_bloc);
BEGIN
	IF p_scope IS NULL THEN
		RETURN;
	END IF;
	IF (v_organizer IS NOT NULL AND NOT scope_allows(p_scope, v_organizer))
	   OR (v_organizer IS NULL AND EXISTS (SELECT 1 FROM bloc_member m WHERE m.bloc_id = p_bloc
	                                        AND NOT scope_allows(p_scope, m.org_id))) THEN
		PERFORM api_raise(403, 'out_of_scope', 'code',
		                  format('Bloc %s is organized outside what this key may change (%s and below).',
		                         upper(p_code), (SELECT code FROM organization WHERE id = p_scope)));
	END IF;
END $$;

CREATE FUNCTION api_bloc_put(p_scope bigint, p_code text, p_doc jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k text;
	b bloc;
	v_organizer bigint;
	v_code text := upper(p_code);
BEGIN
	IF jsonb_typeof(p_doc) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	FOR k IN SELECT jsonb_object_keys(p_doc) LOOP
		IF k NOT IN ('code', 'name', 'kind', 'organizer', 'note', 'years') THEN
			PERFORM api_raise(400, 'unknown_field', k, format('unknown field %s; the fields are name, kind, organizer, note', k));
		END IF;
	END LOOP;
	IF v_code !~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' OR length(v_code) > 40 THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'a bloc code is letters, digits and single hyphens, as in HN-CUM1');
	END IF;
	IF p_doc ? 'code' AND upper(p_doc->>'code') IS DISTINCT FROM v_code THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code in the body differs from the one in the path');
	END IF;
	IF jsonb_typeof(p_doc->'name') IS DISTINCT FROM 'string' OR btrim(p_doc->>'name') = '' OR length(p_doc->>'name') > 300 THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name is required: 1 to 300 characters');
	END IF;
	IF p_doc->>'kind' IS NULL OR p_doc->>'kind' NOT IN ('khoi', 'cum') THEN
		PERFORM api_raise(400, 'invalid_field', 'kind', 'kind is required: khoi (khối thi đua) or cum (cụm thi đua)');
	END IF;
	IF p_doc->>'organizer' IS NOT NULL THEN
		v_organizer := scope_check(p_scope, resolve_organization(p_doc->>'organizer', 'organizer'), 'organizer');
	ELSIF p_scope IS NOT NULL THEN
		PERFORM api_raise(403, 'out_of_scope', 'organizer', 'This key may only keep blocs organized inside its scope.');
	END IF;
	SELECT * INTO b FROM bloc WHERE code = v_code FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO bloc (code, name, kind, organizer_id, note)
		VALUES (v_code, p_doc->>'name', (p_doc->>'kind')::bloc_kind, v_organizer, nullif(p_doc->>'note', ''));
		RETURN 'created';
	END IF;
	PERFORM bloc_write_check(p_scope, b.id, v_code);
	UPDATE bloc SET name = p_doc->>'name', kind = (p_doc->>'kind')::bloc_kind, organizer_id = v_organizer,
	                note = nullif(p_doc->>'note', ''), updated_at = now()
	WHERE id = b.id AND (name, kind, organizer_id, note) IS DISTINCT FROM
	      (p_doc->>'name', (p_doc->>'kind')::bloc_kind, v_organizer, nullif(p_doc->>'note', ''));
	RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

-- Replaces a bloc's year as a whole: members, leader, deputy, agreement,
-- criteria and adjustments, as GET /v1/blocs/{code}/years/{year} shows them.
CREATE FUNCTION api_bloc_year_put(p_scope bigint, p_code text, p_year int, p_doc jsonb) RETURNS text
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
	a jsonb := p_doc->'agreement';
BEGIN
	PERFORM bloc_write_check(p_scope, v_bloc, p_code);
	IF jsonb_typeof(p_doc) <> 'object' THEN
		PERFORM api_raise(400, 'invalid_body', 'body', 'the body must be a JSON object');
	END IF;
	FOR k IN SELECT jsonb_object_keys(p_doc) LOOP
		IF k NOT IN ('bloc', 'year', 'members', 'leader', 'leader_person', 'deputy', 'deputy_person', 'agreement',
		             'criteria', 'adjustments', 'note') THEN
			PERFORM api_raise(400, 'unknown_field', k,
			                  format('unknown field %s; the fields are members, leader, leader_person, deputy, '
			                         'deputy_person, agreement, criteria, adjustments, note', k));
		END IF;
	END LOOP;
	IF p_doc ? 'year' AND (p_doc->>'year') IS DISTINCT FROM p_year::text THEN
		PERFORM api_raise(400, 'invalid_field', 'year', 'year in the body differs from the one in the path');
	END IF;
	IF jsonb_typeof(p_doc->'members') IS DISTINCT FROM 'array' THEN
		PERFORM api_raise(400, 'invalid_field', 'members', 'members must be a list of organization codes');
	END IF;
	n := 0;
	FOR e IN SELECT jsonb_array_elements(p_doc->'members') LOOP
		IF jsonb_typeof(e) <> 'string' THEN
			PERFORM api_raise(400, 'invalid_field', format('members[%s]', n), 'each member is an organization code');
		END IF;
		v_id := scope_check(p_scope, resolve_organization(e #>> '{}', format('members[%s]', n)), format('members[%s]', n));
		IF v_id = ANY (v_members) THEN
			PERFORM api_raise(400, 'invalid_field', format('members[%s]', n), format('%s is listed twice', e #>> '{}'));
		END IF;
		IF NOT (SELECT validity && daterange(make_date(p_year, 1, 1), make_date(p_year, 12, 31), '[]')
		        FROM organization WHERE id = v_id) THEN
			PERFORM api_raise(400, 'outside_existence', format('members[%s]', n),
			                  format('%s did not exist in %s', e #>> '{}', p_year));
		END IF;
		v_members := v_members || v_id;
		n := n + 1;
	END LOOP;
	FOREACH k IN ARRAY ARRAY['leader', 'deputy'] LOOP
		IF p_doc->>k IS NOT NULL THEN
			v_id := resolve_organization(p_doc->>k, k);
			IF NOT v_id = ANY (v_members) THEN
				PERFORM api_raise(400, 'invalid_field', k, format('%s %s is not among the members', k, upper(p_doc->>k)));
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
		IF a->'content_count' IS NOT NULL AND jsonb_typeof(a->'content_count') NOT IN ('number', 'null') THEN
			PERFORM api_raise(400, 'invalid_field', 'agreement.content_count', 'content_count is a whole number');
		END IF;
	END IF;
	IF p_doc->'criteria' IS NOT NULL AND jsonb_typeof(p_doc->'criteria') <> 'array' THEN
		PERFORM api_raise(400, 'invalid_field', 'criteria', 'criteria is a list of {indicator, weight, cap_pct}');
	END IF;
	IF p_doc->'adjustments' IS NOT NULL AND jsonb_typeof(p_doc->'adjustments') <> 'array' THEN
		PERFORM api_raise(400, 'invalid_field', 'adjustments', 'adjustments is a list of {org, points, reason}');
	END IF;

	v_before := (SELECT row_to_json(x)::text FROM api_bloc_year(NULL, p_code, p_year) x
	             WHERE EXISTS (SELECT 1 FROM bloc_year WHERE bloc_id = v_bloc AND year = p_year));
	v_existed := v_before IS NOT NULL;
	DELETE FROM bloc_year WHERE bloc_id = v_bloc AND year = p_year;
	INSERT INTO bloc_year (bloc_id, year, leader_id, deputy_id, leader_person, deputy_person, agreement_signed_on,
	                       agreement_content_count, agreement_note, note)
	VALUES (v_bloc, p_year, v_leader, v_deputy, nullif(p_doc->>'leader_person', ''), nullif(p_doc->>'deputy_person', ''),
	        import_date(a->>'signed_on'), (a->>'content_count')::int, nullif(a->>'note', ''), nullif(p_doc->>'note', ''));
	INSERT INTO bloc_member (bloc_id, year, org_id) SELECT v_bloc, p_year, unnest(v_members);
	n := 0;
	FOR e IN SELECT jsonb_array_elements(coalesce(a->'contents', '[]')) LOOP
		n := n + 1;
		IF jsonb_typeof(e) <> 'string' OR btrim(e #>> '{}') = '' THEN
			PERFORM api_raise(400, 'invalid_field', format('agreement.contents[%s]', n - 1), 'each content is a non-empty text');
		END IF;
		INSERT INTO bloc_agreement_content VALUES (v_bloc, p_year, n, e #>> '{}');
	END LOOP;
	n := 0;
	FOR e IN SELECT jsonb_array_elements(coalesce(p_doc->'criteria', '[]')) LOOP
		IF jsonb_typeof(e->'weight') <> 'number' OR (e->>'weight')::numeric <= 0 OR (e->>'weight')::numeric > 1000 THEN
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
	FOR e IN SELECT jsonb_array_elements(coalesce(p_doc->'adjustments', '[]')) LOOP
		v_id := resolve_organization(e->>'org', format('adjustments[%s].org', n));
		IF NOT v_id = ANY (v_members) THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].org', n), format('%s is not among the members', e->>'org'));
		END IF;
		IF jsonb_typeof(e->'points') <> 'number' OR (e->>'points')::numeric = 0 OR abs((e->>'points')::numeric) > 1000 THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].points', n), 'points is a non-zero number: positive for a bonus, negative for a penalty');
		END IF;
		IF jsonb_typeof(e->'reason') IS DISTINCT FROM 'string' OR btrim(e->>'reason') = '' OR length(e->>'reason') > 2000 THEN
			PERFORM api_raise(400, 'invalid_field', format('adjustments[%s].reason', n), 'every adjustment needs its reason');
		END IF;
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
