-- The value rows a listing shows (008_reads.sql), found by index: the
-- rows were chosen by one condition ORing "nothing narrows them", "of
-- these organizations" and "a bloc's total", which the planner can only
-- read as a scan of every value (0.1 s for the history of one union at
-- scale 0.1, more than a second at scale 1). The same rows, in disjoint
-- parts (a value belongs to an organization or to a bloc, never both),
-- each on its own index.
CREATE OR REPLACE FUNCTION values_chosen(p_scope bigint, f value_filter, p_source text, p_since timestamptz)
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
		-- three kinds of rows, each found by its own index: every row when
		-- nothing narrows them; else those of the organizations gathered
		-- above; and blocs' own totals
		SELECT v.id AS value_id, v.org_id, v.bloc_id, v.indicator_id, v.period_id, v.revision, false AS deleted,
		       v.actual, v.target, v.note, v.updated_at AS at, v.updated_by AS who, v.request_id, v.id AS row_key
		FROM value v
		WHERE (p_source <> 'changes' OR v.updated_at > p_since)
		  AND NOT f.subject_filtered AND p_scope IS NULL
		UNION ALL
		SELECT v.id, v.org_id, v.bloc_id, v.indicator_id, v.period_id, v.revision, false, v.actual, v.target, v.note,
		       v.updated_at, v.updated_by, v.request_id, v.id
		FROM value v
		WHERE (p_source <> 'changes' OR v.updated_at > p_since)
		  AND (f.subject_filtered OR p_scope IS NOT NULL)
		  AND v.org_id IN (SELECT o.org_id FROM orgs o)
		UNION ALL
		SELECT v.id, v.org_id, v.bloc_id, v.indicator_id, v.period_id, v.revision, false, v.actual, v.target, v.note,
		       v.updated_at, v.updated_by, v.request_id, v.id
		FROM value v
		WHERE (p_source <> 'changes' OR v.updated_at > p_since)
		  AND (f.subject_filtered OR p_scope IS NOT NULL)
		  AND v.bloc_id IS NOT NULL AND (NOT f.subject_filtered OR v.bloc_id = ANY (f.bloc_ids))
		UNION ALL
		SELECT h.value_id, h.org_id, h.bloc_id, h.indicator_id, h.period_id, h.revision, h.deleted, h.actual,
		       h.target, h.note, h.written_at, h.written_by, h.request_id, h.id
		FROM value_history h
		WHERE (p_source = 'versions' OR (p_source = 'changes' AND h.deleted AND h.written_at > p_since))
		  AND NOT f.subject_filtered AND p_scope IS NULL
		UNION ALL
		SELECT h.value_id, h.org_id, h.bloc_id, h.indicator_id, h.period_id, h.revision, h.deleted, h.actual,
		       h.target, h.note, h.written_at, h.written_by, h.request_id, h.id
		FROM value_history h
		WHERE (p_source = 'versions' OR (p_source = 'changes' AND h.deleted AND h.written_at > p_since))
		  AND (f.subject_filtered OR p_scope IS NOT NULL)
		  AND h.org_id IN (SELECT o.org_id FROM orgs o)
		UNION ALL
		SELECT h.value_id, h.org_id, h.bloc_id, h.indicator_id, h.period_id, h.revision, h.deleted, h.actual,
		       h.target, h.note, h.written_at, h.written_by, h.request_id, h.id
		FROM value_history h
		WHERE (p_source = 'versions' OR (p_source = 'changes' AND h.deleted AND h.written_at > p_since))
		  AND (f.subject_filtered OR p_scope IS NOT NULL)
		  AND h.bloc_id IS NOT NULL AND (NOT f.subject_filtered OR h.bloc_id = ANY (f.bloc_ids))
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


-- The updated_after feed (008_reads.sql) reads a window of changes, not
-- all of them: it sorted every change since T to return the first page,
-- so a portal syncing the country from the start paid a second for each
-- page of 1 000 at scale 0.1, and the whole table again for the next.
--
-- The window ends at the N-th value written after the cursor, in the
-- feed's order (N the page size at first; a large import writes its rows
-- at one moment, so the window ends at a row, not at a moment); when the
-- filters and the key's scope leave fewer than a page of changes in it,
-- it grows eightfold and is counted again. Every change of the page lies
-- in the window: the window holds everything up to its end.
CREATE OR REPLACE FUNCTION api_value_changes(p_scope bigint, p_org text, p_under text, p_bloc text, p_indicator text,
                                             p_period text, p_year int, p_updated_after timestamptz, p_cursor text,
                                             p_limit int)
RETURNS TABLE (org text, bloc text, indicator text, indicator_name text, period text, actual numeric,
               target numeric, note text, revision int, updated_at timestamptz, updated_by text, deleted boolean,
               _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f value_filter := value_filter_make(p_scope, p_org, p_under, p_bloc, p_indicator, p_period, p_year);
	k moment_position := cursor_moment(p_cursor);
	-- where the values after the cursor start, in (moment, row) order
	v_from_at timestamptz := coalesce(k.at, p_updated_after);
	v_from_id bigint := CASE WHEN k.at IS NULL THEN 9223372036854775807 WHEN k.n1 = 0 THEN 0 ELSE k.n2 END;
	v_span bigint := greatest(p_limit, 1);
	v_until timestamptz;
	v_until_id bigint;
	v_n bigint;
BEGIN
	LOOP
		SELECT v.updated_at, v.id INTO v_until, v_until_id
		FROM value v
		WHERE (v.updated_at, v.id) > (v_from_at, v_from_id)
		ORDER BY v.updated_at, v.id
		OFFSET v_span - 1 LIMIT 1;
		EXIT WHEN v_until IS NULL;
		SELECT count(*) INTO v_n
		FROM (SELECT 1 FROM values_chosen(p_scope, f, 'changes', p_updated_after) c
		      WHERE (c.at < v_until OR (c.at = v_until AND (c.deleted OR c.row_key <= v_until_id)))
		        AND (p_cursor IS NULL OR (c.at, CASE WHEN c.deleted THEN 0 ELSE 1 END, c.row_key) > (k.at, k.n1, k.n2))
		      LIMIT p_limit) x;
		EXIT WHEN v_n >= p_limit;
		v_span := v_span * 8;
	END LOOP;
	RETURN QUERY
	WITH changes AS (
		-- a deletion sorts before a write of the same moment (kind 0, 1)
		SELECT c.*, CASE WHEN c.deleted THEN 0 ELSE 1 END AS kind
		FROM values_chosen(p_scope, f, 'changes', p_updated_after) c
		WHERE v_until IS NULL OR c.at < v_until OR (c.at = v_until AND (c.deleted OR c.row_key <= v_until_id))
	)
	SELECT c.org_code, c.bloc_code, c.indicator_code, c.indicator_name, c.period_code, c.actual, c.target, c.note,
	       c.revision, c.at, c.who, c.deleted, concat_ws(E'\x1f', c.at::text, c.kind, c.row_key)
	FROM changes c
	WHERE p_cursor IS NULL OR (c.at, c.kind, c.row_key) > (k.at, k.n1, k.n2)
	ORDER BY c.at, c.kind, c.row_key
	LIMIT p_limit;
END $$;
