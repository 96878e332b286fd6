-- Access: API keys, period locks, and the scope of a key — which
-- organizations it reaches, on which days.
--
-- A key is `thd_<prefix>_<secret>`: the prefix finds the row, the secret is
-- never stored — only a BLAKE2b-256 hash of the whole key, computed and
-- compared (in constant time) by the service with libsodium. Revoking sets
-- revoked_at; every request looks its key up, so a revoked key stops
-- working at once on every instance.
--
-- Scope is true to dates: a key scoped to X reaches organization N only on
-- the days N sat inside X's subtree. A read is judged on the days it shows
-- (a figure for period P on P's last day, or N's own last day when N ended
-- first), a write on its period's days, the rest (a key, a PATCH, a bloc's
-- organizer) today. Blocs are public among their members: a key that
-- reaches a member of a year, or the organizer, reads that year in full; for
-- any other key the bloc does not exist (404). Targets come from above: a
-- key sets the targets of the organizations under its own, not its own.

CREATE TYPE key_role AS ENUM ('reader', 'editor', 'admin');

CREATE TABLE api_key (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{12}$'),
	hash bytea NOT NULL CHECK (octet_length(hash) = 32),
	name display_name NOT NULL CHECK (length(name) <= 100),
	role key_role NOT NULL,
	scope_id bigint REFERENCES organization (id),  -- NULL: the whole tree
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL DEFAULT current_actor(),
	revoked_at timestamptz,
	revoked_by text
);

-- What the service needs to authenticate a request; it runs on every
-- request, so the scope's code is a look-up by primary key (a join could be
-- planned as a hash of every organization).
CREATE FUNCTION key_lookup(p_prefix text)
RETURNS TABLE (id bigint, name text, role text, scope_id bigint, scope text, hash text, revoked boolean)
LANGUAGE sql STABLE AS $$
	SELECT k.id, k.name, k.role::text, k.scope_id, (SELECT o.code::text FROM organization o WHERE o.id = k.scope_id),
	       encode(k.hash, 'hex'), k.revoked_at IS NOT NULL
	FROM api_key k
	WHERE k.prefix = p_prefix
$$;

-- After a review (tổng kết) an administrator locks a period for a subtree:
-- no value of an organization in it, for that period or any period inside
-- it, may change until the lock is lifted.
CREATE TABLE period_lock (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id bigint NOT NULL REFERENCES organization (id),
	period_id int NOT NULL REFERENCES period (id),
	note text CHECK (length(note) <= 2000),
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL DEFAULT current_actor(),
	UNIQUE (org_id, period_id)
);

-- Every (organization, lock) pair a lock covers, with the dates of the
-- locked period and the span during which the organization was under it.
CREATE FUNCTION lock_coverage()
RETURNS TABLE (lock_id bigint, org_id bigint, during daterange, start_date date, end_date date, lock_org text,
               lock_period text)
LANGUAGE sql STABLE AS $$
	SELECT l.id, s.org_id, s.during, p.start_date, p.end_date, o.code::text, p.code
	FROM period_lock l
	JOIN period p ON p.id = l.period_id
	JOIN organization o ON o.id = l.org_id
	CROSS JOIN LATERAL organization_subtree_spans(l.org_id) s
$$;

-- The lock that forbids writing this value, if any. A bloc's own totals
-- are locked by a lock covering its organizer.
CREATE FUNCTION value_lock(p_org bigint, p_bloc bigint, p_period int) RETURNS bigint
LANGUAGE sql STABLE AS $$
	SELECT c.lock_id
	FROM lock_coverage() c, period p
	WHERE p.id = p_period
	  AND c.org_id = coalesce(p_org, (SELECT organizer_id FROM bloc WHERE id = p_bloc))
	  AND c.during @> p.end_date
	  AND p.start_date >= c.start_date AND p.end_date <= c.end_date
	LIMIT 1
$$;

-- Refuses a write into a locked period (409), naming the lock to lift.
CREATE FUNCTION lock_refuse(p_lock bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	l record;
BEGIN
	SELECT o.code, p.code AS period INTO l
	FROM period_lock k JOIN organization o ON o.id = k.org_id JOIN period p ON p.id = k.period_id WHERE k.id = p_lock;
	PERFORM api_raise(409, 'period_locked', 'period',
	                  format('%s is locked for %s and the organizations under it (lock %s); an administrator can '
	                         'lift it with DELETE /v1/locks/%s.', l.period, l.code, p_lock, p_lock));
END $$;

-- ---------------------------------------------------------------- scope

-- The subtree of a key's scope, each organization with the days it sat in
-- it: what lists join against (empty for a key without scope, which reaches
-- everything and does not use it).
CREATE FUNCTION scope_spans(p_scope bigint) RETURNS TABLE (org_id bigint, during daterange)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT s.org_id, s.during FROM organization_subtree_spans(p_scope) s WHERE p_scope IS NOT NULL
$$;

-- Whether the key reaches p_org on any day at all (filters: what is shown
-- is then judged row by row).
CREATE FUNCTION scope_allows(p_scope bigint, p_org bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT p_scope IS NULL
	    OR EXISTS (SELECT 1 FROM organization_ancestor_spans(p_org) a WHERE a.ancestor_id = p_scope)
$$;

-- Refuses (403) an organization the key reaches on no day at all: a filter
-- naming it (which of its rows show is then judged row by row).
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

-- The days on which p_org sat inside the subtree of p_scope: all of them
-- for a key without scope, none for an organization never under it.
CREATE FUNCTION scope_reach(p_scope bigint, p_org bigint) RETURNS datemultirange
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_scope IS NULL THEN datemultirange(daterange(NULL, NULL))
	            ELSE coalesce((SELECT range_agg(a.during) FROM organization_ancestor_spans(p_org) a
	                           WHERE a.ancestor_id = p_scope), '{}'::datemultirange) END
$$;

-- Whether the key reaches p_org on the day it is seen on for p_on.
CREATE FUNCTION scope_reaches(p_scope bigint, p_org bigint, p_on date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT p_scope IS NULL OR scope_reach(p_scope, p_org) @> organization_day(p_org, p_on)
$$;

-- Days in words: "2020-01-01 to 2024-12-31, from 2026-01-01".
CREATE FUNCTION reach_text(m datemultirange) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT string_agg(dates_text(r), ', ' ORDER BY lower(r) NULLS FIRST) FROM unnest(m) r
$$;

-- Refuses (403 out_of_scope) an organization the key does not reach on the
-- day it is seen on for p_on; returns p_org.
CREATE FUNCTION scope_check_on(p_scope bigint, p_org bigint, p_on date, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_reach datemultirange;
	v_day date;
	v_code text;
	v_scope text;
BEGIN
	IF p_scope IS NULL OR p_org IS NULL THEN
		RETURN p_org;
	END IF;
	v_reach := scope_reach(p_scope, p_org);
	v_day := organization_day(p_org, p_on);
	IF NOT v_reach @> v_day THEN
		SELECT code INTO v_code FROM organization WHERE id = p_org;
		SELECT code INTO v_scope FROM organization WHERE id = p_scope;
		PERFORM api_raise(403, 'out_of_scope', p_field,
		                  CASE WHEN isempty(v_reach)
		                       THEN format('%s is outside what this key may reach (%s and the organizations under it).',
		                                   v_code, v_scope)
		                       ELSE format('%s is outside what this key may reach on %s: it was under %s %s.',
		                                   v_code, v_day, v_scope, reach_text(v_reach)) END);
	END IF;
	RETURN p_org;
END $$;

-- Refuses (403) a span of days that is not wholly inside the key's reach
-- of p_org (a new parent link: the child joins p_org's subtree for those
-- days).
CREATE FUNCTION scope_check_span(p_scope bigint, p_org bigint, p_span daterange, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_reach datemultirange;
BEGIN
	IF p_scope IS NULL OR p_org IS NULL THEN
		RETURN p_org;
	END IF;
	v_reach := scope_reach(p_scope, p_org);
	IF NOT v_reach @> p_span THEN
		PERFORM api_raise(403, 'out_of_scope', p_field,
		                  format('%s is inside what this key may reach (%s and the organizations under it) %s, '
		                         'not %s; give dates within that (parent_from, valid_from).',
		                         (SELECT code FROM organization WHERE id = p_org),
		                         (SELECT code FROM organization WHERE id = p_scope),
		                         coalesce(reach_text(v_reach), 'never'), dates_text(p_span)));
	END IF;
	RETURN p_org;
END $$;

-- Whether a key reaches a bloc. Blocs are public among their members: for
-- one year, a key reaches the bloc when its subtree holds the organizer
-- (on that year's last day) or a member of that year (on its own last day
-- in it); for the bloc as a whole (p_year NULL), when it does so for any
-- year, or holds the organizer today.
CREATE FUNCTION bloc_reached(p_scope bigint, p_bloc bigint, p_year int) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT p_scope IS NULL
	    OR EXISTS (SELECT 1 FROM bloc b
	               WHERE b.id = p_bloc AND b.organizer_id IS NOT NULL
	                 AND (scope_reaches(p_scope, b.organizer_id, coalesce(make_date(p_year, 12, 31), current_date))
	                      OR (p_year IS NULL AND EXISTS (
	                          SELECT 1 FROM bloc_year y WHERE y.bloc_id = b.id
	                            AND scope_reaches(p_scope, b.organizer_id, make_date(y.year, 12, 31))))))
	    OR EXISTS (SELECT 1 FROM bloc_member m
	               WHERE m.bloc_id = p_bloc AND (p_year IS NULL OR m.year = p_year)
	                 AND scope_reaches(p_scope, m.org_id, make_date(m.year, 12, 31)))
$$;

-- A bloc named in a path the key does not reach does not exist for it
-- (404); one named in a filter is unknown (400).
CREATE FUNCTION bloc_check(p_scope bigint, p_bloc bigint, p_year int, p_code text, p_field text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_bloc IS NOT NULL AND NOT bloc_reached(p_scope, p_bloc, p_year) THEN
		IF p_field IS NULL THEN
			PERFORM api_raise(404, 'bloc_not_found', 'code', format('There is no bloc %s.', upper(p_code)));
		END IF;
		PERFORM api_raise(400, 'unknown_bloc', p_field, format('%s: there is no bloc %s.', p_field, upper(p_code)));
	END IF;
	RETURN p_bloc;
END $$;

-- The indicator catalogue is shared by the whole tree: only a key without
-- scope changes it (a province's administrator would change every other
-- province's figures' meaning).
CREATE FUNCTION catalogue_check(p_scope bigint) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_scope IS NOT NULL THEN
		PERFORM api_raise(403, 'out_of_scope', 'code',
		                  format('The indicator catalogue is shared by the whole tree; a key limited to %s cannot '
		                         'change it.', (SELECT code FROM organization WHERE id = p_scope)));
	END IF;
END $$;

-- ---------------------------------------------------------------- keys

-- Creates a key; its scope must be an organization the creator reaches
-- today (an admin of Hà Tĩnh cannot mint a key for Hà Nội, nor for an
-- organization that has left Hà Tĩnh, nor one for everything).
CREATE FUNCTION key_create(p_scope bigint, p_name text, p_role text, p_key_scope text, p_prefix text, p_hash text)
RETURNS TABLE (id bigint, name text, role text, org text, prefix text, created_at timestamptz, created_by text,
               revoked_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	v_key_scope bigint := CASE WHEN p_key_scope IS NOT NULL THEN resolve_organization(p_key_scope, 'org') END;
	v_id bigint;
BEGIN
	IF p_role IS NULL THEN
		PERFORM api_raise(400, 'missing_field', 'role', 'role is required: reader, editor or admin.');
	END IF;
	PERFORM enum_check(p_role, 'key_role', 'role');
	IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 100 OR p_name ~ '[[:cntrl:]]' OR p_name <> btrim(p_name) THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name must be one line of 1 to 100 characters.');
	END IF;
	IF p_scope IS NOT NULL THEN
		IF v_key_scope IS NULL THEN
			PERFORM api_raise(403, 'out_of_scope', 'org',
			                  'This key is limited to part of the tree; a key it creates needs an org inside it.');
		END IF;
		PERFORM scope_check_on(p_scope, v_key_scope, current_date, 'org');
	END IF;
	INSERT INTO api_key (prefix, hash, name, role, scope_id)
	VALUES (p_prefix, decode(p_hash, 'hex'), p_name, p_role::key_role, v_key_scope)
	RETURNING api_key.id INTO v_id;
	RETURN QUERY SELECT k.id, k.name, k.role, k.org, k.prefix, k.created_at, k.created_by, k.revoked_at
	             FROM api_keys(NULL, true, NULL, NULL) k WHERE k.id = v_id;
END $$;

-- The keys an administrator sees: those whose scope it reaches today.
CREATE FUNCTION api_keys(p_scope bigint, p_include_revoked boolean, p_cursor text, p_limit int)
RETURNS TABLE (id bigint, name text, role text, org text, prefix text, created_at timestamptz, created_by text,
               revoked_at timestamptz, _cursor text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_cursor IS NOT NULL AND p_cursor !~ '^[0-9]{1,18}$' THEN
		PERFORM cursor_fail();
	END IF;
	RETURN QUERY
	SELECT k.id, k.name::text, k.role::text, o.code::text, k.prefix, k.created_at, k.created_by, k.revoked_at, k.id::text
	FROM api_key k LEFT JOIN organization o ON o.id = k.scope_id
	WHERE (p_scope IS NULL OR (k.scope_id IS NOT NULL AND scope_reaches(p_scope, k.scope_id, current_date)))
	  AND (coalesce(p_include_revoked, false) OR k.revoked_at IS NULL)
	  AND (p_cursor IS NULL OR k.id > p_cursor::bigint)
	ORDER BY k.id
	LIMIT p_limit;
END $$;

-- Revokes a key at once (a revoked one stays revoked); a key outside the
-- administrator's reach does not exist for it.
CREATE FUNCTION key_revoke(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	k api_key;
BEGIN
	SELECT * INTO k FROM api_key WHERE api_key.id = p_id;
	IF NOT FOUND OR (p_scope IS NOT NULL AND (k.scope_id IS NULL OR NOT scope_reaches(p_scope, k.scope_id, current_date))) THEN
		PERFORM api_raise(404, 'key_not_found', 'id', format('There is no key %s.', p_id));
	END IF;
	UPDATE api_key SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, current_actor())
	WHERE api_key.id = p_id;
END $$;

-- ---------------------------------------------------------------- locks

-- The locks a key sees: those on organizations it reaches on the locked
-- period's last day.
CREATE FUNCTION api_locks(p_scope bigint, p_org text, p_cursor text, p_limit int)
RETURNS TABLE (id bigint, org text, period text, label text, note text, created_at timestamptz, created_by text,
               _cursor text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_org bigint := scope_check(p_scope, CASE WHEN p_org IS NOT NULL THEN resolve_organization(p_org, 'org') END, 'org');
BEGIN
	IF p_cursor IS NOT NULL AND p_cursor !~ '^[0-9]{1,18}$' THEN
		PERFORM cursor_fail();
	END IF;
	RETURN QUERY
	SELECT l.id, o.code::text, p.code, p.label, l.note, l.created_at, l.created_by, l.id::text
	FROM period_lock l JOIN organization o ON o.id = l.org_id JOIN period p ON p.id = l.period_id
	WHERE (p_scope IS NULL OR scope_reaches(p_scope, l.org_id, p.end_date))
	  AND (v_org IS NULL OR l.org_id = v_org)
	  AND (p_cursor IS NULL OR l.id > p_cursor::bigint)
	ORDER BY l.id
	LIMIT p_limit;
END $$;

-- Locks a period for an organization's subtree, judged on the period's
-- last day.
CREATE FUNCTION lock_create(p_scope bigint, p_org text, p_period text, p_note text)
RETURNS TABLE (id bigint, org text, period text, label text, note text, created_at timestamptz, created_by text)
LANGUAGE plpgsql AS $$
DECLARE
	p period_info := period_parse(p_period);
	v_org bigint := scope_check_on(p_scope, resolve_organization(p_org, 'org'), p.end_date, 'org');
	v_period int := period_ensure(p_period);
	v_id bigint;
BEGIN
	IF p_note IS NOT NULL AND length(p_note) > 2000 THEN
		PERFORM api_raise(400, 'invalid_field', 'note', 'note is longer than 2000 characters.');
	END IF;
	INSERT INTO period_lock (org_id, period_id, note) VALUES (v_org, v_period, p_note)
	ON CONFLICT (org_id, period_id) DO NOTHING
	RETURNING period_lock.id INTO v_id;
	IF v_id IS NULL THEN
		SELECT l.id INTO v_id FROM period_lock l WHERE l.org_id = v_org AND l.period_id = v_period;
		PERFORM api_raise(409, 'lock_exists', 'period',
		                  format('%s is already locked for %s (lock %s).', p.code, upper(p_org), v_id));
	END IF;
	RETURN QUERY SELECT l.id, l.org, l.period, l.label, l.note, l.created_at, l.created_by
	             FROM api_locks(NULL, NULL, NULL, NULL) l WHERE l.id = v_id;
END $$;

-- Lifts a lock the key sees.
CREATE FUNCTION lock_delete(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_org bigint;
	v_end date;
BEGIN
	SELECT l.org_id, p.end_date INTO v_org, v_end FROM period_lock l JOIN period p ON p.id = l.period_id WHERE l.id = p_id;
	IF v_org IS NULL OR NOT scope_reaches(p_scope, v_org, v_end) THEN
		PERFORM api_raise(404, 'lock_not_found', 'id', format('There is no lock %s.', p_id));
	END IF;
	DELETE FROM period_lock WHERE id = p_id;
END $$;
