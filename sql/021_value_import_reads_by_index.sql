-- A values import reads the figures it replaces once, under their lock,
-- by their index. It read them four times (to lock them, to check that
-- each keeps an actual or a target, to see what changes, to write), each
-- time joining the whole `value` table by hash: a province re-pushing a
-- year it had sent (250 000 figures, none changed) took 50 s at scale 1,
-- 45 s of it in four sequential reads of 12.6 million figures (now 7.9 s
-- in all; 250 000 figures changed: 35 s). The import
-- itself is as in 009_imports.sql.

CREATE OR REPLACE FUNCTION import_values(p_scope bigint, p_keep_good boolean) RETURNS json
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
	-- concurrent imports of the same figures queue instead of deadlocking,
	-- and read once under the lock (import_stored), by their index.
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
	CREATE TEMP TABLE import_stored ON COMMIT DROP AS
	SELECT v.id, v.actual, v.target, v.note FROM value v
	WHERE v.id = ANY (ARRAY(SELECT value_id FROM import_existing))
	ORDER BY v.id FOR UPDATE;
	CREATE UNIQUE INDEX ON import_stored (id);
	ANALYZE import_stored;

	-- A figure must keep an actual or a target.
	UPDATE import_checked c
	SET problem = ARRAY['missing_field', 'actual', 'a figure needs an actual or a target; to remove one use DELETE /v1/values']
	FROM import_existing e JOIN import_stored v ON v.id = e.value_id
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
	LEFT JOIN import_stored v ON v.id = e.value_id
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
		  -- by the index, only the figures that change
		  AND v.id = ANY (ARRAY(SELECT e2.value_id FROM import_existing e2 JOIN import_changes x ON x.seq = e2.seq
		                        WHERE NOT x.created))
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
