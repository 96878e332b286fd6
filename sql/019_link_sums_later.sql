-- During an import, a link's figures are added up once, at its end. Since
-- 017_child_sums.sql an organizations import noted, for every statement on
-- the links (a move is two: the old link closed, the new one opened), the
-- sums those links carried, each computed by reading the child's figures
-- (225 for one union at scale 0.1, 2 ms a statement): 2 000 moves of unions
-- that had figures took 20 s, 14 s of it in that trigger. The links are
-- now noted as they are, and their figures read once, for all of them, by
-- children_flush() (the figures do not change during an organizations
-- import; a link opened and closed again within it cancels out). Outside
-- an import (a move by PATCH), nothing changes: applied at once.

DROP FUNCTION children_changed(child_sum[], bigint[]);

-- Changes to the sums, and links added (p_links) or gone (p_gone) whose
-- figures move between parents' sums and whose parents' children are to
-- be counted again: applied at once; or, during an import
-- (thidua.sums_later), noted and applied once after its last statement by
-- children_flush(), in one batch that takes the sums' rows in key order.
CREATE FUNCTION children_changed(p_changes child_sum[], p_links organization_parent[],
                                 p_gone organization_parent[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_changes child_sum[];
BEGIN
	IF cardinality(p_changes) + cardinality(p_links) + cardinality(p_gone) = 0 THEN
		RETURN;
	END IF;
	IF current_setting('thidua.sums_later', true) = 'on' THEN
		IF to_regclass('pg_temp.children_pending') IS NULL THEN
			CREATE TEMP TABLE children_pending (changes child_sum[], links organization_parent[],
			                                    gone organization_parent[]) ON COMMIT DROP;
		END IF;
		INSERT INTO children_pending VALUES (p_changes, p_links, p_gone);
		RETURN;
	END IF;
	v_changes := p_changes || ARRAY(SELECT child_sums_of_links(p_gone, -1) UNION ALL
	                                SELECT child_sums_of_links(p_links, 1));
	IF cardinality(v_changes) > 0 THEN
		PERFORM child_sum_add(v_changes);
	END IF;
	IF cardinality(p_links) + cardinality(p_gone) > 0 THEN
		PERFORM child_count_refresh(ARRAY(SELECT parent_id FROM unnest(p_links) UNION
		                                  SELECT parent_id FROM unnest(p_gone)));
	END IF;
END $$;

-- The end of an import: what it noted, applied in one batch.
CREATE OR REPLACE FUNCTION children_flush() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('thidua.sums_later', 'off', true);
	IF to_regclass('pg_temp.children_pending') IS NOT NULL THEN
		PERFORM children_changed(ARRAY(SELECT c FROM children_pending p, unnest(p.changes) c),
		                         ARRAY(SELECT l FROM children_pending p, unnest(p.links) l),
		                         ARRAY(SELECT l FROM children_pending p, unnest(p.gone) l));
		DROP TABLE children_pending;
	END IF;
END $$;

CREATE OR REPLACE FUNCTION children_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	v_new value[] := '{}';
	v_old value[] := '{}';
	v_links organization_parent[] := '{}';
	v_gone organization_parent[] := '{}';
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		-- of the figures or of the links: every sum goes with them
		DELETE FROM child_sum;
		IF TG_TABLE_NAME = 'organization_parent' THEN
			DELETE FROM child_count;
		END IF;
		RETURN NULL;
	END IF;
	IF TG_TABLE_NAME = 'value' THEN
		IF TG_OP = 'INSERT' THEN
			v_new := ARRAY(SELECT n::value FROM new_rows n WHERE n.org_id IS NOT NULL);
		ELSIF TG_OP = 'DELETE' THEN
			v_old := ARRAY(SELECT o::value FROM old_rows o WHERE o.org_id IS NOT NULL);
		ELSE
			-- only the rows whose figures or subject changed (a note, a revision alone change nothing)
			SELECT coalesce(array_agg(n::value), '{}'), coalesce(array_agg(o::value), '{}') INTO v_new, v_old
			FROM new_rows n JOIN old_rows o ON o.id = n.id
			WHERE (n.org_id IS NOT NULL OR o.org_id IS NOT NULL)
			  AND (n.org_id, n.indicator_id, n.period_id, n.actual, n.target)
			      IS DISTINCT FROM (o.org_id, o.indicator_id, o.period_id, o.actual, o.target);
		END IF;
		PERFORM children_changed(ARRAY(SELECT child_sums_of(v_old, -1) UNION ALL SELECT child_sums_of(v_new, 1)),
		                         '{}', '{}');
	ELSE
		IF TG_OP IN ('INSERT', 'UPDATE') THEN
			v_links := ARRAY(SELECT n::organization_parent FROM new_rows n);
		END IF;
		IF TG_OP IN ('DELETE', 'UPDATE') THEN
			v_gone := ARRAY(SELECT o::organization_parent FROM old_rows o);
		END IF;
		-- the figures the links carried move between parents' sums
		PERFORM children_changed('{}', v_links, v_gone);
	END IF;
	RETURN NULL;
END $$;
