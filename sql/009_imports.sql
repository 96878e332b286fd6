-- Bulk imports. The service parses the request body (CSV or a JSON array)
-- and streams one row per record into a temporary table with COPY:
-- import_value_rows (typed: the service checked each value row's fields,
-- period and numbers) or import_rows (seq, line, idx, doc jsonb) for
-- organizations and indicators. Records it refused go to import_rejects.
-- One call here then checks every row against the data, merges the good
-- ones, and returns the import summary. Rows are told apart by seq, their
-- place in the file: a JSON array on one line puts every element on line 1.
--
-- Numbers keep their value: 2516.100 is stored as typed and shown as
-- 2516.1. A field left out leaves the stored one as it is, and so does an
-- empty CSV or XLSX cell unless the request says empty=clear; JSON null
-- clears it.

-- The summary: counts, and the first 1000 rejected rows by line with the
-- field and the reason. `written` says whether anything is stored: false
-- when every row was refused or none changes what is there.
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

-- The problem of a row a row-by-row import could not write, as
-- (code, field, message): a problem the row function raised on purpose
-- (TDnnn) in its own words; a constraint of the schema in schema_words
-- (for its SQLSTATE), never in SQL's.
CREATE FUNCTION import_row_problem(p_state text, p_detail text, p_hint text, p_message text,
                                   p_schema_words text) RETURNS text[]
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN p_state ~ '^TD' THEN ARRAY[p_detail, p_hint, p_message]
            ELSE ARRAY['invalid_row', 'code', p_schema_words] END;

-- An organization's fields as an import writes them, for the changes an
-- import lists: NULL when there is no such organization.
CREATE FUNCTION organization_fields(p_code text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
	           'name', o.name, 'short_name', o.short_name, 'kind', o.kind, 'valid_from', o.valid_from,
	           'valid_to', o.valid_to, 'successor', (SELECT s.code FROM organization s WHERE s.id = o.successor_id),
	           'parents', coalesce((SELECT jsonb_agg(jsonb_build_object('parent', a.code, 'valid_from', l.valid_from,
	                                                                    'valid_to', l.valid_to)
	                                                 ORDER BY l.valid_from NULLS FIRST)
	                                FROM organization_parent l JOIN organization a ON a.id = l.parent_id
	                                WHERE l.org_id = o.id), '[]'::jsonb))
	FROM organization o WHERE o.code = p_code
$$;

-- An indicator's fields, the same way.
CREATE FUNCTION indicator_fields(p_code text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('name', i.name, 'name_en', i.name_en, 'unit', i.unit, 'kind', i.kind, 'rollup', i.rollup,
	                          'higher_is_better', i.higher_is_better, 'description', i.description)
	FROM indicator i WHERE i.code = p_code
$$;

-- The summary of a row-by-row import from import_checked, whose rows hold
-- each a status (created, updated, unchanged) or a problem, and for the
-- first 1000 rows that change something the fields before and after.
CREATE FUNCTION import_row_summary(p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	n record;
BEGIN
	SELECT count(*) FILTER (WHERE status = 'created') AS created, count(*) FILTER (WHERE status = 'updated') AS updated,
	       count(*) FILTER (WHERE status = 'unchanged') AS unchanged,
	       count(*) FILTER (WHERE problem IS NOT NULL) + (SELECT count(*) FROM import_rejects) AS rejected
	INTO n FROM import_checked;
	RETURN (import_summary((n.rejected = 0 OR p_keep_good) AND n.created + n.updated > 0, n.created, n.updated,
	                       n.unchanged, n.rejected)::jsonb
	        || jsonb_build_object(
	               'changes_count', n.created + n.updated,
	               'changes', coalesce((
	                   SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
	                              'line', c.line, 'index', c.idx, 'code', c.code,
	                              'operation', CASE WHEN c.status = 'created' THEN 'create' ELSE 'update' END))
	                          || CASE WHEN c.status = 'updated' THEN jsonb_build_object('before', c.before)
	                                  ELSE '{}'::jsonb END
	                          || jsonb_build_object('after', c.after)
	                          ORDER BY c.line, c.idx)
	                   FROM (SELECT * FROM import_checked WHERE status IN ('created', 'updated') AND after IS NOT NULL
	                         ORDER BY line, idx LIMIT 1000) c), '[]'::jsonb)))::json;
END $$;

-- ---------------------------------------------------------------- values

-- Values: the service has checked each row's shape (fields, the period
-- code, the numbers) and put it, typed, in import_value_rows; here the
-- codes are resolved and the rows checked against the data, all at once,
-- then merged. A row is within scope when the key reaches its organization
-- on the row's day for the period (a bloc's own total: its organizer).
CREATE FUNCTION import_values(p_scope bigint, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	v_rejected bigint;
	v_created bigint := 0;
	v_updated bigint := 0;
	v_unchanged bigint;
	v_valid bigint;
	v_n bigint := (SELECT count(*) FROM import_value_rows);
	v_written boolean := false;
	v_changes jsonb;
BEGIN
	-- A load much larger than what the statistics of `value` describe (a
	-- first load, a province's five years at once) would plan the look-up
	-- of the figures it replaces on stale numbers: minutes instead of
	-- seconds. ANALYZE samples a fixed number of rows: well under a second.
	IF v_n > 10000 AND v_n > 0.2 * (SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = 'value'::regclass) THEN
		ANALYZE value;
	END IF;
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
	           ARRAY['outside_existence', 'period', format('%s did not exist during %s', o.code, p.code)]
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
		  AND c.target IS DISTINCT FROM (SELECT v.target FROM value v WHERE v.org_id = c.org_id
		                                         AND v.indicator_id = c.indicator_id AND v.period_id = c.period_id);
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

	-- What each good row would change: a new figure, or the fields that
	-- differ from the stored one. Rows that change nothing are unchanged.
	CREATE TEMP TABLE import_changes ON COMMIT DROP AS
	SELECT c.seq, e.value_id IS NULL AS created, v.actual AS old_actual, v.target AS old_target, v.note AS old_note,
	       CASE WHEN c.present & 1 <> 0 OR e.seq IS NULL THEN c.actual ELSE v.actual END AS actual,
	       CASE WHEN c.present & 2 <> 0 OR e.seq IS NULL THEN c.target ELSE v.target END AS target,
	       CASE WHEN c.present & 4 <> 0 OR e.seq IS NULL THEN c.note ELSE v.note END AS note
	FROM import_checked c
	LEFT JOIN import_existing e ON e.seq = c.seq
	LEFT JOIN value v ON v.id = e.value_id
	WHERE c.problem IS NULL;
	DELETE FROM import_changes
	WHERE NOT created AND actual IS NOT DISTINCT FROM old_actual
	  AND target IS NOT DISTINCT FROM old_target AND note IS NOT DISTINCT FROM old_note;

	-- Locked periods refuse the rows that would change them; a row that
	-- repeats what is stored passes (a portal may re-push a whole year).
	IF EXISTS (SELECT 1 FROM period_lock) THEN
		UPDATE import_checked c
		SET problem = ARRAY['period_locked', 'period',
		                    format('%s is locked for %s (lock %s)', k.lock_period, k.lock_org, k.lock_id)]
		FROM period p, lock_coverage() k
		WHERE c.problem IS NULL AND p.id = c.period_id
		  AND c.seq IN (SELECT seq FROM import_changes)
		  AND k.org_id = coalesce(c.org_id, (SELECT organizer_id FROM bloc WHERE id = c.bloc_id))
		  AND k.during @> p.end_date AND p.start_date >= k.start_date AND p.end_date <= k.end_date;
		DELETE FROM import_changes x USING import_checked c WHERE c.seq = x.seq AND c.problem IS NOT NULL;
	END IF;

	SELECT count(*) FILTER (WHERE problem IS NOT NULL) + (SELECT count(*) FROM import_rejects),
	       count(*) FILTER (WHERE problem IS NULL)
	INTO v_rejected, v_valid
	FROM import_checked;
	SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
	INTO v_created, v_updated
	FROM import_changes;
	v_changes := import_value_changes();

	IF v_rejected = 0 OR p_keep_good THEN
		UPDATE value v
		SET actual = CASE WHEN c.present & 1 <> 0 THEN c.actual ELSE v.actual END,
		    target = CASE WHEN c.present & 2 <> 0 THEN c.target ELSE v.target END,
		    note = CASE WHEN c.present & 4 <> 0 THEN c.note ELSE v.note END
		FROM import_checked c JOIN import_existing e ON e.seq = c.seq
		WHERE c.problem IS NULL AND v.id = e.value_id
		  AND ((CASE WHEN c.present & 1 <> 0 THEN c.actual ELSE v.actual END) IS DISTINCT FROM v.actual
		       OR (CASE WHEN c.present & 2 <> 0 THEN c.target ELSE v.target END) IS DISTINCT FROM v.target
		       OR (CASE WHEN c.present & 4 <> 0 THEN c.note ELSE v.note END) IS DISTINCT FROM v.note);
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
		INSERT INTO value (bloc_id, indicator_id, period_id, actual, target, note)
		SELECT c.bloc_id, c.indicator_id, c.period_id, c.actual, c.target, c.note
		FROM import_checked c
		WHERE c.problem IS NULL AND c.bloc_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM import_existing e WHERE e.seq = c.seq)
		ORDER BY c.bloc_id, c.indicator_id, c.period_id
		ON CONFLICT (bloc_id, indicator_id, period_id) WHERE bloc_id IS NOT NULL DO UPDATE
		SET actual = coalesce(excluded.actual, value.actual), target = coalesce(excluded.target, value.target),
		    note = coalesce(excluded.note, value.note);
		v_written := v_created + v_updated > 0;
	END IF;
	v_unchanged := v_valid - v_created - v_updated;
	RETURN (import_summary(v_written, v_created, v_updated, v_unchanged, v_rejected)::jsonb || v_changes)::json;
END $$;

-- The changes of a value import, row by row (import_changes): the first
-- 1000 by place in the file, each with its figure's fields before and
-- after, and how many there are in all.
CREATE FUNCTION import_value_changes() RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN jsonb_build_object(
		'changes_count', (SELECT count(*) FROM import_changes),
		'changes', coalesce((
			SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
				       'line', c.line, 'index', c.idx, 'org', o.code, 'bloc', b.code, 'indicator', i.code,
				       'period', p.code, 'operation', CASE WHEN x.created THEN 'create' ELSE 'update' END))
			       || CASE WHEN x.created THEN '{}'::jsonb ELSE jsonb_build_object('before', jsonb_build_object(
				       'actual', trim_scale(x.old_actual), 'target', trim_scale(x.old_target), 'note', x.old_note)) END
			       || jsonb_build_object('after', jsonb_build_object(
				       'actual', trim_scale(x.actual), 'target', trim_scale(x.target), 'note', x.note))
			       ORDER BY x.seq)
			FROM (SELECT * FROM import_changes ORDER BY seq LIMIT 1000) x
			JOIN import_checked c ON c.seq = x.seq
			JOIN indicator i ON i.id = c.indicator_id
			JOIN period p ON p.id = c.period_id
			LEFT JOIN organization o ON o.id = c.org_id
			LEFT JOIN bloc b ON b.id = c.bloc_id), '[]'::jsonb));
END $$;

-- ---------------------------------------------------------------- organizations

-- One organization row, by the rules of the date-true scope: a new
-- organization's parent must be inside the key's reach for every day of
-- the new link; an existing one must be reached today; a move needs the
-- organization reached on its first day under the new parent, and the new
-- parent for every day from then on.
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
	IF NOT code_is_valid(v_code) THEN
		PERFORM api_raise(400, 'invalid_field', 'code',
		                  format('code %s must be letters, digits and single hyphens, at most 40, as in HN-HBT', left(d->>'code', 60)));
	END IF;
	PERFORM enum_check(d->>'kind', 'org_kind', 'kind');
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
CREATE FUNCTION import_organizations(p_scope bigint, p_keep_good boolean, p_mode text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v_state text;
	v_msg text;
	v_detail text;
	v_hint text;
	v_progress boolean := true;
	v_shown int := 0;
	v_before jsonb;
BEGIN
	SET CONSTRAINTS ALL IMMEDIATE;
	-- Each row's code and the codes it names, indexed, so that finding the
	-- rows whose parent or successor is still to be created is a join, not
	-- a scan of the file for every row.
	CREATE TEMP TABLE import_checked (seq int, line int, idx int, code text, parent text, successor text,
	                                  status text, problem text[], done boolean NOT NULL DEFAULT false,
	                                  before jsonb, after jsonb)
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
				-- what changes, for the first 1000 rows (a dry run shows them)
				v_shown := v_shown + 1;
				v_before := CASE WHEN v_shown <= 1000 THEN organization_fields(upper(r.doc->>'code')) END;
				UPDATE import_checked SET done = true, status = import_organization_row(p_scope, r.doc, p_mode)
				WHERE seq = r.seq;
				IF v_shown <= 1000 THEN
					UPDATE import_checked SET before = v_before, after = organization_fields(code) WHERE seq = r.seq;
				END IF;
			EXCEPTION WHEN others THEN
				GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL,
				                        v_hint = PG_EXCEPTION_HINT;
				UPDATE import_checked SET done = true, problem = import_row_problem(v_state, v_detail, v_hint, v_msg,
					CASE v_state
						WHEN '23P01' THEN 'the organization would have two parents at once'
						WHEN '23514' THEN 'a value breaks a rule of the data (dates in order, names one line)'
						ELSE 'the row contradicts the data already stored' END)
				WHERE seq = r.seq;
			END;
			v_progress := true;
		END LOOP;
	END LOOP;
	UPDATE import_checked SET done = true,
		problem = ARRAY['invalid_row', 'parent', 'new organizations name each other as parent or successor in a circle']
	WHERE NOT done;
	RETURN import_row_summary(p_keep_good);
END $$;

-- ---------------------------------------------------------------- indicators

-- One indicator row, its text fields checked as every body's are.
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
	IF v_code IS NULL OR NOT indicator_code_is_valid(v_code) THEN
		PERFORM api_raise(400, 'invalid_field', 'code', 'code must be lowercase letters, digits and underscores, as in new_members');
	END IF;
	PERFORM enum_check(d->>'kind', 'indicator_kind', 'kind');
	PERFORM enum_check(d->>'rollup', 'rollup_rule', 'rollup');
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

-- Indicator rows one by one, each in a subtransaction; only a key without
-- scope changes the catalogue.
CREATE FUNCTION import_indicators(p_scope bigint, p_keep_good boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	v_state text;
	v_msg text;
	v_detail text;
	v_hint text;
	v_shown int := 0;
	v_before jsonb;
BEGIN
	PERFORM catalogue_check(p_scope);
	CREATE TEMP TABLE import_checked (line int, idx int, code text, status text, problem text[], before jsonb,
	                                  after jsonb) ON COMMIT DROP;
	FOR r IN SELECT line, idx, doc, lower(doc->>'code') AS code FROM import_rows ORDER BY seq LOOP
		BEGIN
			v_shown := v_shown + 1;
			v_before := CASE WHEN v_shown <= 1000 THEN indicator_fields(r.code) END;
			INSERT INTO import_checked (line, idx, code, status)
			VALUES (r.line, r.idx, r.code, import_indicator_row(r.doc));
			IF v_shown <= 1000 THEN
				UPDATE import_checked SET before = v_before, after = indicator_fields(r.code)
				WHERE line = r.line AND idx IS NOT DISTINCT FROM r.idx AND code = r.code;
			END IF;
		EXCEPTION WHEN others THEN
			GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL,
			                        v_hint = PG_EXCEPTION_HINT;
			INSERT INTO import_checked (line, idx, problem) VALUES (r.line, r.idx, import_row_problem(v_state, v_detail,
				v_hint, v_msg, 'a value breaks a rule of the data (names one line, at most 300 characters)'));
		END;
	END LOOP;
	RETURN import_row_summary(p_keep_good);
END $$;
