-- An organizations import writes the rows it can as sets. Row by row, in
-- plpgsql, a new organization or a move cost 1 to 2 ms (the statements of
-- import_organization_row and the statement triggers of each): 100 000
-- unions and their moves took 18 minutes of a national load. Most rows of
-- a large file are one of two shapes: a new organization, or an existing
-- one moved under another parent from a day (code, parent, parent_from).
-- Consecutive rows of those shapes that cannot touch each other (no code
-- twice, none the parent of another) form a wave, written by a few
-- statements (import_organization_wave). A wave either does exactly what
-- the rows would have done one by one, or it raises; then it is split in
-- two and each half tried, down to single rows, which take the row-by-row
-- path (import_organization_row) and get its answer, problem and words.
-- The row-by-row path stays the definition of what a row does; the wave
-- is a faster way to the same result for the rows that pass it.

-- Writes the rows p_seqs of import_rows, all new organizations ('create')
-- or all moves ('move') as import_organizations classed them, and marks
-- them done with their status; raises when any of them is not what the
-- wave writes, or the data refuses it (the caller then splits the wave).
-- The first p_show rows are listed with their fields before and after.
CREATE FUNCTION import_organization_wave(p_scope bigint, p_mode text, p_seqs int[], p_show int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_bad int;
BEGIN
	DELETE FROM import_wave;
	INSERT INTO import_wave (seq, class, code, org_id, parent_id, name, short_name, kind, valid_from, valid_to,
	                         parent_from, shown, unreadable)
	SELECT c.seq, c.class, c.code, o.id, p.id, i.doc->>'name', nullif(i.doc->>'short_name', ''), i.doc->>'kind',
	       import_date(i.doc->>'valid_from'), import_date(i.doc->>'valid_to'), import_date(i.doc->>'parent_from'),
	       s.n <= p_show,
	       -- a date given that is not one, a parent named that does not exist
	       EXISTS (SELECT 1 FROM unnest(ARRAY['valid_from', 'valid_to', 'parent_from']) k
	               WHERE i.doc->>k IS NOT NULL AND import_date(i.doc->>k) IS NULL)
	       OR (i.doc->>'parent' IS NOT NULL AND p.id IS NULL)
	FROM unnest(p_seqs) WITH ORDINALITY s(seq, n)
	JOIN import_checked c ON c.seq = s.seq
	JOIN import_rows i ON i.seq = s.seq
	LEFT JOIN organization o ON o.code = c.code
	LEFT JOIN organization p ON p.code = c.parent;

	-- what the row-by-row path would refuse, or write otherwise
	SELECT w.seq INTO v_bad FROM import_wave w
	WHERE w.unreadable
	   OR w.class = 'create' AND (w.org_id IS NOT NULL OR p_mode = 'update' OR w.name IS NULL OR w.kind IS NULL
	                              OR (p_scope IS NOT NULL AND w.parent_id IS NULL)
	                              -- a first day under the parent after the last (the row's range of dates)
	                              OR coalesce(w.parent_from, w.valid_from) > w.valid_to)
	   OR w.class = 'move' AND (w.org_id IS NULL OR p_mode = 'create' OR p_scope IS NOT NULL OR w.parent_from IS NULL)
	   OR w.class NOT IN ('create', 'move')
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'row %: for the row-by-row path', v_bad;
	END IF;
	PERFORM scope_check_span(p_scope, w.parent_id, daterange(coalesce(w.parent_from, w.valid_from), w.valid_to, '[]'),
	                         'parent')
	FROM import_wave w WHERE w.class = 'create' AND p_scope IS NOT NULL;

	UPDATE import_checked c SET before = organization_fields(w.code)
	FROM import_wave w WHERE w.shown AND w.class = 'move' AND c.seq = w.seq;

	-- new organizations, and their first parent (the names' and codes' rules
	-- are the columns' domains, the same as text_check's and code_is_valid's)
	INSERT INTO organization (code, name, short_name, kind, valid_from, valid_to)
	SELECT w.code, w.name, w.short_name, w.kind::org_kind, w.valid_from, w.valid_to
	FROM import_wave w WHERE w.class = 'create' ORDER BY w.seq;
	UPDATE import_wave w SET org_id = o.id, status = 'created'
	FROM organization o WHERE w.class = 'create' AND o.code = w.code;
	INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
	SELECT w.org_id, w.parent_id, coalesce(w.parent_from, w.valid_from), w.valid_to
	FROM import_wave w WHERE w.class = 'create' AND w.parent_id IS NOT NULL ORDER BY w.seq;

	-- moves: under a new parent from parent_from to the end; the link
	-- holding that day ends the day before
	PERFORM 1 FROM organization o WHERE o.id IN (SELECT org_id FROM import_wave WHERE class = 'move')
	ORDER BY o.id FOR UPDATE;
	UPDATE import_wave w SET status = CASE WHEN organization_parent_on(w.org_id, w.parent_from) IS NOT DISTINCT FROM
	                                            w.parent_id THEN 'unchanged' ELSE 'updated' END,
	                         valid_to = o.valid_to
	FROM organization o WHERE w.class = 'move' AND o.id = w.org_id;
	-- A move that would remove a link (one starting that day or later) goes
	-- row by row: the check of a circle there still sees that link while
	-- the rows before it are written, and a wave must refuse what it refuses.
	SELECT w.seq INTO v_bad FROM import_wave w JOIN organization_parent l ON l.org_id = w.org_id
	WHERE w.status = 'updated' AND l.valid_from >= w.parent_from
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'row %: for the row-by-row path', v_bad;
	END IF;
	UPDATE organization_parent l SET valid_to = w.parent_from - 1 FROM import_wave w
	WHERE w.status = 'updated' AND l.org_id = w.org_id AND l.during @> w.parent_from;
	INSERT INTO organization_parent (org_id, parent_id, valid_from, valid_to)
	SELECT w.org_id, w.parent_id, w.parent_from, w.valid_to
	FROM import_wave w WHERE w.status = 'updated' AND w.class = 'move' ORDER BY w.seq;

	UPDATE import_checked c SET done = true, status = w.status,
	                            after = CASE WHEN w.shown THEN organization_fields(w.code) END
	FROM import_wave w WHERE c.seq = w.seq;
END $$;

-- One row by the row-by-row path, in a subtransaction: its status, or its
-- problem. p_shown: among the rows whose changes are listed.
CREATE FUNCTION import_organization_one(p_scope bigint, p_mode text, p_seq int, p_shown boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_doc jsonb := (SELECT doc FROM import_rows WHERE seq = p_seq);
	v_before jsonb;
	v_state text;
	v_msg text;
	v_detail text;
	v_hint text;
BEGIN
	v_before := CASE WHEN p_shown THEN organization_fields(upper(v_doc->>'code')) END;
	UPDATE import_checked SET done = true, status = import_organization_row(p_scope, v_doc, p_mode) WHERE seq = p_seq;
	IF p_shown THEN
		UPDATE import_checked SET before = v_before, after = organization_fields(code) WHERE seq = p_seq;
	END IF;
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL,
	                        v_hint = PG_EXCEPTION_HINT;
	UPDATE import_checked SET done = true, problem = import_row_problem(v_state, v_detail, v_hint, v_msg,
		CASE
			WHEN v_state = '23P01' THEN 'the organization would have two parents at once'
			-- 22000: a range of dates given backwards, before any check of the schema
			WHEN v_state IN ('23514', '22000') THEN 'a value breaks a rule of the data (dates in order, names one line)'
			ELSE 'the row contradicts the data already stored' END)
	WHERE seq = p_seq;
END $$;

-- A wave, or when it raises its two halves in turn, down to eight rows or
-- fewer, which go one by one: the rows keep the file's order either way.
CREATE FUNCTION import_organization_rows(p_scope bigint, p_mode text, p_seqs int[], p_show int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_n int := cardinality(p_seqs);
	v_half int := cardinality(p_seqs) / 2;
	v_i int;
BEGIN
	IF v_n > 8 THEN
		BEGIN
			PERFORM import_organization_wave(p_scope, p_mode, p_seqs, p_show);
			RETURN;
		EXCEPTION WHEN others THEN
			NULL;
		END;
		PERFORM import_organization_rows(p_scope, p_mode, p_seqs[1:v_half], p_show);
		PERFORM import_organization_rows(p_scope, p_mode, p_seqs[v_half + 1:], p_show - v_half);
		RETURN;
	END IF;
	FOR v_i IN 1 .. v_n LOOP
		PERFORM import_organization_one(p_scope, p_mode, p_seqs[v_i], v_i <= p_show);
	END LOOP;
END $$;

-- Rows go in dependency order (a parent or successor named in the file is
-- written before the rows that refer to it), each pass in the file's
-- order: a run of rows a wave can write together goes as one, any other
-- row alone.
CREATE OR REPLACE FUNCTION import_organizations(p_scope bigint, p_keep_good boolean, p_mode text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
	g record;
	v_progress boolean := true;
	v_shown int := 0;
BEGIN
	SET CONSTRAINTS ALL IMMEDIATE;
	-- Each row's code and the codes it names, indexed, so that finding the
	-- rows whose parent or successor is still to be created is a join, not
	-- a scan of the file for every row.
	CREATE TEMP TABLE import_checked (seq int, line int, idx int, code text, parent text, successor text,
	                                  class text, status text, problem text[], done boolean NOT NULL DEFAULT false,
	                                  before jsonb, after jsonb)
		ON COMMIT DROP;
	-- A row is of a wave's shape ('create', 'move') by its fields alone;
	-- whether it is new is known when its pass comes.
	INSERT INTO import_checked (seq, line, idx, code, parent, successor, class)
	SELECT seq, line, idx, upper(doc->>'code'), upper(doc->>'parent'), upper(doc->>'successor'),
	       CASE WHEN jsonb_typeof(doc->'code') <> 'string'
	                 OR EXISTS (SELECT 1 FROM jsonb_each(doc) f WHERE jsonb_typeof(f.value) NOT IN ('string', 'null'))
	            THEN NULL
	            WHEN doc - ARRAY['code', 'parent', 'parent_from'] = '{}' AND jsonb_typeof(doc->'parent') = 'string'
	                 AND import_date(doc->>'parent_from') IS NOT NULL AND p_scope IS NULL AND p_mode <> 'create'
	                 THEN 'move'
	            WHEN doc - ARRAY['code', 'name', 'short_name', 'kind', 'parent', 'parent_from', 'valid_from',
	                             'valid_to'] = '{}' AND p_mode <> 'update' THEN 'create' END
	FROM import_rows;
	CREATE UNIQUE INDEX ON import_checked (seq);
	CREATE INDEX ON import_checked (code);
	ANALYZE import_checked;
	CREATE TEMP TABLE import_wave (seq int, class text, code text, org_id bigint, parent_id bigint, name text,
	                               short_name text, kind text, valid_from date, valid_to date, parent_from date,
	                               shown boolean, unreadable boolean, status text)
		ON COMMIT DROP;
	-- the codes pending rows create, for each pass: what a row waits for
	CREATE TEMP TABLE import_creators (code text, rows bigint, seq int) ON COMMIT DROP;
	CREATE TEMP TABLE import_pass (seq int, code text, parent text, class text, run bigint) ON COMMIT DROP;
	WHILE v_progress LOOP
		v_progress := false;
		DELETE FROM import_creators;
		INSERT INTO import_creators
		SELECT c.code, count(*), min(c.seq) FROM import_checked c
		WHERE NOT c.done AND c.code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organization o WHERE o.code = c.code)
		GROUP BY c.code;
		ANALYZE import_creators;
		-- this pass: the rows that wait for nothing, in runs of rows a wave
		-- may take, each run broken by any other row
		DELETE FROM import_pass;
		INSERT INTO import_pass (seq, code, parent, class, run)
		SELECT p.seq, p.code, p.parent, p.class, count(*) FILTER (WHERE p.class IS NULL) OVER (ORDER BY p.seq)
		FROM (SELECT c.seq, c.code, c.parent,
		             -- a move of an organization that exists, a new one that does not
		             CASE WHEN c.class = 'move' AND o.id IS NOT NULL OR c.class = 'create' AND o.id IS NULL
		                  THEN c.class END AS class
		      FROM import_checked c
		      LEFT JOIN organization o ON o.code = c.code
		      LEFT JOIN import_creators p ON p.code = c.parent
		      LEFT JOIN import_creators s ON s.code = c.successor
		      WHERE NOT c.done
		        -- wait for a parent or successor that another pending row creates
		        AND NOT coalesce(p.rows > 1 OR p.seq <> c.seq, false)
		        AND NOT coalesce(s.rows > 1 OR s.seq <> c.seq, false)) p;
		ANALYZE import_pass;
		FOR g IN
			-- a run is broken again before a row whose code, or parent, an
			-- earlier row of the run names as its code, or whose code an
			-- earlier row names as parent
			SELECT array_agg(b.seq ORDER BY b.seq) AS seqs, bool_and(b.class IS NOT NULL) AS wave
			FROM (SELECT r.seq, r.run, r.class,
			             sum(coalesce(r.seq > least(same.seq, above.seq, below.seq), false)::int)
			                 OVER (PARTITION BY r.run ORDER BY r.seq) AS part
			      FROM import_pass r
			      LEFT JOIN (SELECT run, code, min(seq) AS seq FROM import_pass WHERE class IS NOT NULL
			                 GROUP BY run, code) same ON same.run = r.run AND same.code = r.code
			      LEFT JOIN (SELECT run, code, min(seq) AS seq FROM import_pass WHERE class IS NOT NULL
			                 GROUP BY run, code) above ON above.run = r.run AND above.code = r.parent
			      LEFT JOIN (SELECT run, parent, min(seq) AS seq FROM import_pass WHERE class IS NOT NULL
			                 GROUP BY run, parent) below ON below.run = r.run AND below.parent = r.code) b
			GROUP BY b.run, b.part, CASE WHEN b.class IS NULL THEN b.seq END
			ORDER BY min(b.seq)
		LOOP
			IF g.wave THEN
				PERFORM import_organization_rows(p_scope, p_mode, g.seqs, 1000 - v_shown);
			ELSE
				PERFORM import_organization_one(p_scope, p_mode, g.seqs[1], v_shown < 1000);
			END IF;
			v_shown := v_shown + cardinality(g.seqs);
			v_progress := true;
		END LOOP;
	END LOOP;
	UPDATE import_checked SET done = true,
		problem = ARRAY['invalid_row', 'parent', 'new organizations name each other as parent or successor in a circle']
	WHERE NOT done;
	RETURN import_row_summary(p_keep_good);
END $$;

-- The check of each new link walks up from its parent. Planned, and its
-- plan kept for the session, while the links were few (the first chunk of
-- a first load, whose provinces go before its unions), the walk read every
-- link at each step: 20 000 unions of the country's first 20 000-row file
-- took 168 s in that check alone. It follows the indexes, as
-- org_bucket_refresh's walk does.
ALTER FUNCTION organization_parent_check() SET enable_seqscan = off SET enable_hashjoin = off
	SET enable_mergejoin = off;
