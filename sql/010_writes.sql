-- Writes of one resource at a time: an organization (POST, PATCH, DELETE),
-- an indicator, a bloc and its years, a value's deletion. Bulk writes are
-- the imports'. Every write runs in a transaction that starts with
-- write_context, so the history knows who wrote and under which request.

-- ---------------------------------------------------------------- organizations

-- Locks a row for a read-check-write under If-Match (no error when absent:
-- the write itself says 404).
CREATE FUNCTION organization_lock(p_code text) RETURNS void
LANGUAGE sql AS $$
	SELECT 1 FROM organization WHERE code = upper(p_code) FOR UPDATE
$$;

-- POST (p_mode 'create') and PATCH ('update') of one organization, by the
-- rules of the bulk import.
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
CREATE FUNCTION api_organization_delete(p_scope bigint, p_code text) RETURNS void
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

-- ---------------------------------------------------------------- indicators

-- PUT of one indicator, by the rules of the bulk import; the catalogue is
-- changed only by a key without scope.
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

-- ---------------------------------------------------------------- blocs

-- Locks a bloc's row for a read-check-write under If-Match.
CREATE FUNCTION bloc_lock(p_code text) RETURNS void
LANGUAGE sql AS $$
	SELECT 1 FROM bloc WHERE code = upper(p_code) FOR UPDATE
$$;

-- A scoped key may change a bloc only when it reaches the bloc's organizer
-- on p_on (a bloc without organizer: every member of every year).
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

-- PUT of a bloc: name, kind, organizer, note. A scoped key keeps only blocs
-- whose organizer it reaches today.
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
	IF NOT code_is_valid(v_code) THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'a bloc code is letters, digits and single hyphens, as in HN-CUM1');
	END IF;
	IF p_body ? 'code' AND upper(p_body->>'code') IS DISTINCT FROM v_code THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code in the body differs from the one in the path');
	END IF;
	IF jsonb_typeof(p_body->'name') IS DISTINCT FROM 'string' OR btrim(p_body->>'name') = '' OR length(p_body->>'name') > 300 THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name is required: 1 to 300 characters');
	END IF;
	IF p_body->>'kind' IS NULL THEN
		PERFORM api_raise(400, 'invalid_field', 'kind', 'kind is required: khoi (khối thi đua) or cum (cụm thi đua)');
	END IF;
	PERFORM enum_check(p_body->>'kind', 'bloc_kind', 'kind');
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

-- ---------------------------------------------------------------- values

-- One figure removed, judged on the period's days as any write of it; a
-- value of the key's own organization that holds a target came from above
-- and is not the key's to remove.
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
