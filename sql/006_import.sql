-- Bulk imports. The service parses the request body (CSV or a JSON array)
-- and streams one row per record into the temporary table import_rows
-- (line, idx, doc jsonb) with COPY; records it could not read at all go to
-- import_rejects. One call here then validates every row at once, merges
-- the good ones, and returns the import summary.
--
-- JSON numbers reach this code as text inside jsonb, so 2516.100 stays
-- 2516.100; CSV cells arrive as strings and are read here, the same way for
-- every input. A field left out leaves the stored one as it is; null (an
-- empty CSV cell) clears it.

-- A number written as text: 2529.554, or with decimal_comma the Vietnamese
-- way 2.529,554. NULL when the text is not such a number.
CREATE FUNCTION import_number(p text, p_decimal_comma boolean) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN p_decimal_comma THEN
		CASE WHEN btrim(p) ~ '^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$'
		     THEN replace(replace(btrim(p), '.', ''), ',', '.')::numeric END
	ELSE
		CASE WHEN btrim(p) ~ '^[+-]?[0-9]+(\.[0-9]+)?$' THEN btrim(p)::numeric END
END;

-- Why a text is not a number, in words that say what to send instead.
CREATE FUNCTION import_number_problem(p_field text, p text, p_decimal_comma boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
	WHEN NOT p_decimal_comma AND btrim(p) ~ '^[+-]?[0-9.,]+$' AND p ~ ',' THEN
		format('%s: %s has a comma; send numbers as 2529.554 (a dot before the decimals, no thousands '
		       'separators), or add decimal=comma to the request to read Vietnamese-style 2.529,554', p_field, p)
	WHEN p_decimal_comma AND btrim(p) ~ '^[+-]?[0-9.,]+$' THEN
		format('%s: %s is not a number in the decimal=comma style (2.529,554: dots between thousands, a comma '
		       'before the decimals)', p_field, p)
	ELSE
		format('%s: %s is not a number; write it as 2529.554', p_field, left(p, 40))
END;

-- Parses each distinct period text once, creating its period row.
CREATE FUNCTION import_period(p_text text, OUT period_id int, OUT problem text)
LANGUAGE plpgsql AS $$
BEGIN
	period_id := period_ensure(p_text);
EXCEPTION WHEN SQLSTATE 'TD400' THEN
	GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
END $$;

-- ---------------------------------------------------------------- values

CREATE FUNCTION import_values(p_scope bigint, p_decimal_comma boolean, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	v_rejected bigint;
	v_created bigint;
	v_updated bigint;
	v_unchanged bigint;
	v_written boolean := false;
	v_summary json;
BEGIN
	CREATE TEMP TABLE import_periods ON COMMIT DROP AS
	SELECT t.period_text, ip.period_id, ip.problem
	FROM (SELECT DISTINCT r.doc->>'period' AS period_text FROM import_rows r
	      WHERE jsonb_typeof(r.doc->'period') = 'string') t
	CROSS JOIN LATERAL import_period(t.period_text) ip;

	CREATE TEMP TABLE import_checked ON COMMIT DROP AS
	WITH r AS (
		SELECT r.line, r.idx, r.doc,
		       (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(r.doc) k
		        WHERE k NOT IN ('org', 'bloc', 'indicator', 'period', 'actual', 'target', 'note')) AS unknown_keys,
		       jsonb_typeof(r.doc->'org') AS t_org, jsonb_typeof(r.doc->'bloc') AS t_bloc,
		       jsonb_typeof(r.doc->'indicator') AS t_indicator, jsonb_typeof(r.doc->'period') AS t_period,
		       jsonb_typeof(r.doc->'actual') AS t_actual, jsonb_typeof(r.doc->'target') AS t_target,
		       jsonb_typeof(r.doc->'note') AS t_note,
		       r.doc->>'actual' AS actual_text, r.doc->>'target' AS target_text
		FROM import_rows r
	), n AS (
		SELECT r.*,
		       CASE WHEN t_actual = 'number' THEN actual_text::numeric
		            WHEN t_actual = 'string' THEN import_number(actual_text, p_decimal_comma) END AS actual,
		       CASE WHEN t_target = 'number' THEN target_text::numeric
		            WHEN t_target = 'string' THEN import_number(target_text, p_decimal_comma) END AS target,
		       o.id AS org_id, o.code::text AS org_code, o.validity, b.id AS bloc_id, i.id AS indicator_id,
		       ip.period_id, ip.problem AS period_problem, p.start_date, p.end_date, p.label AS period_label
		FROM r
		LEFT JOIN organization o ON r.t_org = 'string' AND o.code = upper(r.doc->>'org')
		LEFT JOIN bloc b ON r.t_bloc = 'string' AND b.code = upper(r.doc->>'bloc')
		LEFT JOIN indicator i ON r.t_indicator = 'string' AND i.code = lower(r.doc->>'indicator')
		LEFT JOIN import_periods ip ON r.t_period = 'string' AND ip.period_text = r.doc->>'period'
		LEFT JOIN period p ON p.id = ip.period_id
	)
	SELECT n.line, n.idx, n.org_id, n.bloc_id, n.indicator_id, n.period_id,
	       n.t_actual IS NOT NULL AS has_actual, n.t_target IS NOT NULL AS has_target, n.t_note IS NOT NULL AS has_note,
	       n.actual, n.target, CASE WHEN n.t_note = 'string' AND n.doc->>'note' <> '' THEN n.doc->>'note' END AS note,
	       CASE
	       WHEN n.unknown_keys IS NOT NULL THEN
	           ARRAY['unknown_field', split_part(n.unknown_keys, ', ', 1),
	                 format('unknown field %s; the fields are org (or bloc), indicator, period, actual, target, note',
	                        n.unknown_keys)]
	       WHEN n.t_org IS NOT NULL AND n.t_bloc IS NOT NULL THEN
	           ARRAY['invalid_field', 'bloc', 'give org or bloc, not both']
	       WHEN n.t_org IS NULL AND n.t_bloc IS NULL THEN
	           ARRAY['missing_field', 'org', 'org is missing: the organization''s code, as in HP']
	       WHEN n.t_org IS NOT NULL AND n.t_org <> 'string' THEN
	           ARRAY['invalid_field', 'org', 'org must be a code written as text, as in "HP"']
	       WHEN n.t_bloc IS NOT NULL AND n.t_bloc <> 'string' THEN
	           ARRAY['invalid_field', 'bloc', 'bloc must be a code written as text, as in "HN-CUM1"']
	       WHEN n.t_org IS NOT NULL AND n.org_id IS NULL THEN
	           ARRAY['unknown_organization', 'org', format('there is no organization %s', left(n.doc->>'org', 60))]
	       WHEN n.t_bloc IS NOT NULL AND n.bloc_id IS NULL THEN
	           ARRAY['unknown_bloc', 'bloc', format('there is no bloc %s', left(n.doc->>'bloc', 60))]
	       WHEN n.t_indicator IS NULL THEN
	           ARRAY['missing_field', 'indicator', 'indicator is missing: an indicator code, as in new_members']
	       WHEN n.t_indicator <> 'string' THEN
	           ARRAY['invalid_field', 'indicator', 'indicator must be a code written as text, as in "new_members"']
	       WHEN n.indicator_id IS NULL THEN
	           ARRAY['unknown_indicator', 'indicator', format('there is no indicator %s', left(n.doc->>'indicator', 60))]
	       WHEN n.t_period IS NULL THEN
	           ARRAY['missing_field', 'period', 'period is missing: a code such as 2022, 2022H1, 2022Q3 or 2022YTD09']
	       WHEN n.t_period <> 'string' THEN
	           ARRAY['invalid_period', 'period', 'period must be a code written as text, as in "2022"']
	       WHEN n.period_id IS NULL THEN
	           ARRAY['invalid_period', 'period', n.period_problem]
	       WHEN n.t_actual NOT IN ('number', 'string', 'null') THEN
	           ARRAY['invalid_number', 'actual', 'actual must be a number']
	       WHEN n.t_actual = 'string' AND btrim(n.actual_text) <> '' AND n.actual IS NULL THEN
	           ARRAY['invalid_number', 'actual', import_number_problem('actual', n.actual_text, p_decimal_comma)]
	       WHEN n.t_target NOT IN ('number', 'string', 'null') THEN
	           ARRAY['invalid_number', 'target', 'target must be a number']
	       WHEN n.t_target = 'string' AND btrim(n.target_text) <> '' AND n.target IS NULL THEN
	           ARRAY['invalid_number', 'target', import_number_problem('target', n.target_text, p_decimal_comma)]
	       WHEN abs(n.actual) > 1e15 THEN
	           ARRAY['invalid_number', 'actual', 'actual is larger than 10^15']
	       WHEN abs(n.target) > 1e15 THEN
	           ARRAY['invalid_number', 'target', 'target is larger than 10^15']
	       WHEN n.t_note NOT IN ('string', 'null') THEN
	           ARRAY['invalid_field', 'note', 'note must be text']
	       WHEN length(n.doc->>'note') > 2000 THEN
	           ARRAY['invalid_field', 'note', 'note is longer than 2000 characters']
	       WHEN n.t_actual IS NULL AND n.t_target IS NULL AND n.t_note IS NULL THEN
	           ARRAY['missing_field', 'actual', 'nothing to write: give actual, target or note']
	       WHEN n.org_id IS NOT NULL AND NOT n.validity && daterange(n.start_date, n.end_date, '[]') THEN
	           ARRAY['outside_existence', 'period',
	                 format('%s did not exist during %s', n.org_code, n.period_label)]
	       END AS problem
	FROM n;

	-- Outside the key's scope: the organization, as the hierarchy stood at
	-- the end of the period, is not under the scope.
	IF p_scope IS NOT NULL THEN
		UPDATE import_checked c
		SET problem = ARRAY['out_of_scope', CASE WHEN c.org_id IS NOT NULL THEN 'org' ELSE 'bloc' END,
		                    format('%s is outside what this key may write (%s and the organizations under it)',
		                           coalesce((SELECT code FROM organization WHERE id = c.org_id),
		                                    (SELECT code FROM bloc WHERE id = c.bloc_id)),
		                           (SELECT code FROM organization WHERE id = p_scope))]
		WHERE c.problem IS NULL
		  AND NOT EXISTS (SELECT 1 FROM organization_subtree_spans(p_scope) s, period p
		                  WHERE p.id = c.period_id
		                    AND s.org_id = coalesce(c.org_id, (SELECT organizer_id FROM bloc WHERE id = c.bloc_id))
		                    AND s.during @> p.end_date);
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
	                    format('the same %s, indicator and period as line %s', CASE WHEN c.org_id IS NOT NULL THEN 'org' ELSE 'bloc' END, d.first_line)]
	FROM (SELECT line, min(line) OVER (PARTITION BY org_id, bloc_id, indicator_id, period_id) AS first_line
	      FROM import_checked WHERE problem IS NULL) d
	WHERE c.line = d.line AND d.first_line <> d.line;

	-- Compare with what is stored, locking what may change (in id order, so
	-- concurrent imports touching the same figures queue instead of
	-- deadlocking or losing an update).
	ALTER TABLE import_checked ADD COLUMN value_id bigint, ADD COLUMN status text,
		ADD COLUMN new_actual numeric, ADD COLUMN new_target numeric, ADD COLUMN new_note text;
	ANALYZE import_checked;
	PERFORM 1 FROM value v
	WHERE v.id IN (SELECT v2.id FROM import_checked c JOIN value v2
	                 ON v2.org_id = c.org_id AND v2.indicator_id = c.indicator_id AND v2.period_id = c.period_id
	               WHERE c.problem IS NULL
	               UNION ALL
	               SELECT v2.id FROM import_checked c JOIN value v2
	                 ON v2.bloc_id = c.bloc_id AND v2.indicator_id = c.indicator_id AND v2.period_id = c.period_id
	               WHERE c.problem IS NULL AND c.bloc_id IS NOT NULL AND v2.bloc_id IS NOT NULL)
	ORDER BY v.id FOR UPDATE;
	UPDATE import_checked c
	SET value_id = v.id,
	    new_actual = CASE WHEN c.has_actual THEN c.actual ELSE v.actual END,
	    new_target = CASE WHEN c.has_target THEN c.target ELSE v.target END,
	    new_note = CASE WHEN c.has_note THEN c.note ELSE v.note END
	FROM value v
	WHERE c.problem IS NULL AND v.org_id = c.org_id AND v.indicator_id = c.indicator_id AND v.period_id = c.period_id;
	UPDATE import_checked c
	SET value_id = v.id,
	    new_actual = CASE WHEN c.has_actual THEN c.actual ELSE v.actual END,
	    new_target = CASE WHEN c.has_target THEN c.target ELSE v.target END,
	    new_note = CASE WHEN c.has_note THEN c.note ELSE v.note END
	FROM value v
	WHERE c.problem IS NULL AND c.bloc_id IS NOT NULL AND v.bloc_id IS NOT NULL
	  AND v.bloc_id = c.bloc_id AND v.indicator_id = c.indicator_id AND v.period_id = c.period_id;
	UPDATE import_checked c
	SET status = CASE WHEN v.actual::text IS NOT DISTINCT FROM c.new_actual::text
	                   AND v.target::text IS NOT DISTINCT FROM c.new_target::text
	                   AND v.note IS NOT DISTINCT FROM c.new_note THEN 'unchanged'
	                  WHEN c.new_actual IS NULL AND c.new_target IS NULL THEN 'empty'
	                  ELSE 'update' END
	FROM value v WHERE v.id = c.value_id;
	UPDATE import_checked c
	SET status = CASE WHEN c.actual IS NULL AND c.target IS NULL THEN 'empty' ELSE 'create' END,
	    new_actual = c.actual, new_target = c.target, new_note = c.note
	WHERE c.problem IS NULL AND c.value_id IS NULL;
	UPDATE import_checked c
	SET problem = ARRAY['missing_field', 'actual',
	                    'a figure needs an actual or a target; to remove one use DELETE /v1/values']
	WHERE c.status = 'empty';

	SELECT count(*) FILTER (WHERE problem IS NOT NULL) + (SELECT count(*) FROM import_rejects),
	       count(*) FILTER (WHERE problem IS NULL AND status = 'create'),
	       count(*) FILTER (WHERE problem IS NULL AND status = 'update'),
	       count(*) FILTER (WHERE problem IS NULL AND status = 'unchanged')
	INTO v_rejected, v_created, v_updated, v_unchanged
	FROM import_checked;

	IF v_rejected = 0 OR p_keep_good THEN
		UPDATE value v SET actual = c.new_actual, target = c.new_target, note = c.new_note
		FROM import_checked c WHERE c.problem IS NULL AND c.status = 'update' AND v.id = c.value_id;
		-- A figure created meanwhile by another import is merged, not lost.
		INSERT INTO value (org_id, indicator_id, period_id, actual, target, note)
		SELECT c.org_id, c.indicator_id, c.period_id, c.new_actual, c.new_target, c.new_note
		FROM import_checked c WHERE c.problem IS NULL AND c.status = 'create' AND c.org_id IS NOT NULL
		ORDER BY c.org_id, c.indicator_id, c.period_id
		ON CONFLICT (org_id, indicator_id, period_id) DO UPDATE
		SET actual = coalesce(excluded.actual, value.actual), target = coalesce(excluded.target, value.target),
		    note = coalesce(excluded.note, value.note);
		INSERT INTO value (bloc_id, indicator_id, period_id, actual, target, note)
		SELECT c.bloc_id, c.indicator_id, c.period_id, c.new_actual, c.new_target, c.new_note
		FROM import_checked c WHERE c.problem IS NULL AND c.status = 'create' AND c.bloc_id IS NOT NULL
		ORDER BY c.bloc_id, c.indicator_id, c.period_id
		ON CONFLICT (bloc_id, indicator_id, period_id) WHERE bloc_id IS NOT NULL DO UPDATE
		SET actual = coalesce(excluded.actual, value.actual), target = coalesce(excluded.target, value.target),
		    note = coalesce(excluded.note, value.note);
		v_written := true;
	END IF;

	SELECT import_summary(v_written, v_created, v_updated, v_unchanged, v_rejected) INTO v_summary;
	RETURN v_summary;
END $$;

-- The summary: counts, and the first 1000 rejected rows by line with the
-- field and the reason. `written` says whether anything was stored.
CREATE FUNCTION import_summary(p_written boolean, p_created bigint, p_updated bigint, p_unchanged bigint,
                               p_rejected bigint) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	RETURN json_build_object(
		'written', p_written,
		'created', p_created,
		'updated', p_updated,
		'unchanged', p_unchanged,
		'rejected_count', p_rejected,
		'rejected', coalesce((
			SELECT json_agg(json_strip_nulls(json_build_object('line', x.line, 'index', x.idx, 'field', x.field,
			                                                   'code', x.code, 'message', x.message))
			                ORDER BY x.line, x.idx)
			FROM (SELECT * FROM (
				SELECT c.line, c.idx, c.problem[2] AS field, c.problem[1] AS code, c.problem[3] AS message
				FROM import_checked c WHERE c.problem IS NOT NULL
				UNION ALL
				SELECT j.line, j.idx, j.field, j.code, j.message FROM import_rejects j
			) u ORDER BY u.line, u.idx LIMIT 1000) x), '[]'::json));
END $$;

-- ---------------------------------------------------------------- organizations

-- A date written as text, NULL when it is not one.
CREATE FUNCTION import_date(p text) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		RETURN NULL;
	END IF;
	RETURN p::date;
EXCEPTION WHEN others THEN
	RETURN NULL;
END $$;

-- One organization row, applied inside its own subtransaction by
-- import_organizations. Returns 'created', 'updated' or 'unchanged'; raises
-- TD4xx with the field for anything wrong. p_mode 'create' refuses an
-- existing code, 'update' a missing one.
CREATE FUNCTION import_organization_row(p_scope bigint, d jsonb, p_mode text) RETURNS text
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
	IF d ? 'name' AND (d->>'name' IS NULL OR btrim(d->>'name') = '' OR length(d->>'name') > 300) THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name must be 1 to 300 characters');
	END IF;
	IF d->>'parent' IS NOT NULL THEN
		v_parent := scope_check(p_scope, resolve_organization(d->>'parent', 'parent'), 'parent');
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
	PERFORM scope_check(p_scope, o.id, 'code');
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
CREATE FUNCTION import_organizations(p_scope bigint, p_keep_good boolean, p_mode text) RETURNS json
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
	CREATE TEMP TABLE import_checked (line int, idx int, problem text[], done boolean NOT NULL DEFAULT false)
		ON COMMIT DROP;
	INSERT INTO import_checked (line, idx) SELECT line, idx FROM import_rows;
	WHILE v_progress LOOP
		v_progress := false;
		FOR r IN
			SELECT i.line, i.idx, i.doc FROM import_rows i JOIN import_checked c USING (line)
			WHERE NOT c.done
			  -- wait for a parent or successor that another pending row creates
			  AND NOT EXISTS (SELECT 1 FROM import_rows j JOIN import_checked cj USING (line)
			                  WHERE NOT cj.done AND j.line <> i.line
			                    AND upper(j.doc->>'code') IN (upper(i.doc->>'parent'), upper(i.doc->>'successor'))
			                    AND NOT EXISTS (SELECT 1 FROM organization WHERE code = upper(j.doc->>'code')))
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

-- ---------------------------------------------------------------- indicators

CREATE FUNCTION import_indicator_row(d jsonb) RETURNS text
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
		IF d ? k AND (d->>k IS NULL OR btrim(d->>k) = '' OR length(d->>k) > 300) THEN
			PERFORM api_raise(400, 'invalid_field', k, format('%s must be 1 to 300 characters', k));
		END IF;
	END LOOP;
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

CREATE FUNCTION import_indicators(p_keep_good boolean) RETURNS json
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
	CREATE TEMP TABLE import_checked (line int, idx int, problem text[]) ON COMMIT DROP;
	FOR r IN SELECT line, idx, doc FROM import_rows ORDER BY line LOOP
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
