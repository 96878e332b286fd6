-- API keys and period locks.
--
-- A key is `thd_<prefix>_<secret>`: the prefix finds the row, the secret is
-- never stored — only a BLAKE2b-256 hash of the whole key, computed and
-- compared (in constant time) by the service with libsodium. Revoking sets
-- revoked_at; every request looks its key up, so a revoked key stops
-- working at once on every instance.

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

-- What the service needs to authenticate a request.
CREATE FUNCTION key_lookup(p_prefix text)
RETURNS TABLE (id bigint, name text, role text, scope_id bigint, scope text, hash text, revoked boolean)
LANGUAGE sql STABLE AS $$
	SELECT k.id, k.name, k.role::text, k.scope_id, o.code::text, encode(k.hash, 'hex'), k.revoked_at IS NOT NULL
	FROM api_key k LEFT JOIN organization o ON o.id = k.scope_id
	WHERE k.prefix = p_prefix
$$;

-- Creates a key; its scope must lie within the creator's (an admin of Hà
-- Tĩnh cannot mint a key for Hà Nội, nor one for everything).
CREATE FUNCTION key_create(p_creator_scope bigint, p_name text, p_role text, p_scope text, p_prefix text,
                           p_hash_hex text)
RETURNS TABLE (id bigint, name text, role text, scope text, prefix text, created_at timestamptz, created_by text,
               revoked_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
	v_scope bigint := CASE WHEN p_scope IS NOT NULL THEN resolve_organization(p_scope, 'scope') END;
	v_id bigint;
BEGIN
	IF p_role IS NULL OR p_role NOT IN ('reader', 'editor', 'admin') THEN
		PERFORM api_raise(400, 'invalid_field', 'role', 'role must be reader, editor or admin.');
	END IF;
	IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 100 OR p_name ~ '[[:cntrl:]]' OR p_name <> btrim(p_name) THEN
		PERFORM api_raise(400, 'invalid_field', 'name', 'name must be one line of 1 to 100 characters.');
	END IF;
	IF p_creator_scope IS NOT NULL THEN
		IF v_scope IS NULL THEN
			PERFORM api_raise(403, 'out_of_scope', 'scope',
			                  'This key is limited to part of the tree; a key it creates needs a scope inside it.');
		END IF;
		PERFORM scope_check(p_creator_scope, v_scope, 'scope');
	END IF;
	INSERT INTO api_key (prefix, hash, name, role, scope_id)
	VALUES (p_prefix, decode(p_hash_hex, 'hex'), p_name, p_role::key_role, v_scope)
	RETURNING api_key.id INTO v_id;
	RETURN QUERY SELECT * FROM api_keys(NULL, true, NULL, NULL) k WHERE k.id = v_id;
END $$;

CREATE FUNCTION api_keys(p_scope bigint, p_include_revoked boolean, p_after text, p_limit int)
RETURNS TABLE (id bigint, name text, role text, scope text, prefix text, created_at timestamptz, created_by text,
               revoked_at timestamptz)
LANGUAGE sql STABLE AS $$
	SELECT k.id, k.name::text, k.role::text, o.code::text, k.prefix, k.created_at, k.created_by, k.revoked_at
	FROM api_key k LEFT JOIN organization o ON o.id = k.scope_id
	WHERE (p_scope IS NULL OR (k.scope_id IS NOT NULL AND scope_allows(p_scope, k.scope_id)))
	  AND (coalesce(p_include_revoked, false) OR k.revoked_at IS NULL)
	  AND (p_after IS NULL OR k.id > p_after::bigint)
	ORDER BY k.id
	LIMIT p_limit
$$;

CREATE FUNCTION key_revoke(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	k api_key;
BEGIN
	SELECT * INTO k FROM api_key WHERE id = p_id;
	IF NOT FOUND OR (p_scope IS NOT NULL AND (k.scope_id IS NULL OR NOT scope_allows(p_scope, k.scope_id))) THEN
		PERFORM api_raise(404, 'key_not_found', 'id', format('There is no key %s.', p_id));
	END IF;
	UPDATE api_key SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, current_actor())
	WHERE id = p_id;
END $$;

-- ---------------------------------------------------------------- locks

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

CREATE FUNCTION lock_refuse(p_lock bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	l record;
BEGIN
	SELECT o.code, p.code AS period, p.label INTO l
	FROM period_lock k JOIN organization o ON o.id = k.org_id JOIN period p ON p.id = k.period_id WHERE k.id = p_lock;
	PERFORM api_raise(409, 'period_locked', 'period',
	                  format('%s is locked for %s and the organizations under it (lock %s); an administrator can '
	                         'lift it with DELETE /v1/locks/%s.', l.label, l.code, p_lock, p_lock));
END $$;

CREATE FUNCTION api_locks(p_scope bigint, p_org text, p_after text, p_limit int)
RETURNS TABLE (id bigint, org text, period text, label text, note text, created_at timestamptz, created_by text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_org bigint := scope_check(p_scope, CASE WHEN p_org IS NOT NULL THEN resolve_organization(p_org, 'org') END, 'org');
BEGIN
	RETURN QUERY
	SELECT l.id, o.code::text, p.code, p.label, l.note, l.created_at, l.created_by
	FROM period_lock l JOIN organization o ON o.id = l.org_id JOIN period p ON p.id = l.period_id
	WHERE (p_scope IS NULL OR scope_allows(p_scope, l.org_id))
	  AND (v_org IS NULL OR l.org_id = v_org)
	  AND (p_after IS NULL OR l.id > p_after::bigint)
	ORDER BY l.id
	LIMIT p_limit;
END $$;

CREATE FUNCTION lock_create(p_scope bigint, p_org text, p_period text, p_note text)
RETURNS TABLE (id bigint, org text, period text, label text, note text, created_at timestamptz, created_by text)
LANGUAGE plpgsql AS $$
DECLARE
	v_org bigint := scope_check(p_scope, resolve_organization(p_org, 'org'), 'org');
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
		                  format('%s is already locked for %s (lock %s).', p_period, upper(p_org), v_id));
	END IF;
	RETURN QUERY SELECT * FROM api_locks(NULL, NULL, NULL, NULL) l WHERE l.id = v_id;
END $$;

CREATE FUNCTION lock_delete(p_scope bigint, p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	v_org bigint;
BEGIN
	SELECT org_id INTO v_org FROM period_lock WHERE id = p_id;
	IF v_org IS NULL OR NOT scope_allows(p_scope, v_org) THEN
		PERFORM api_raise(404, 'lock_not_found', 'id', format('There is no lock %s.', p_id));
	END IF;
	DELETE FROM period_lock WHERE id = p_id;
END $$;
