-- Foundation: the extensions, the collation and the small functions every
-- later file relies on.
--
-- How the SQL is laid out: each table, type, function and trigger is
-- defined once, in the file named for what it holds (periods,
-- organizations, indicators, blocs, values, access, reads, imports, writes,
-- analytics). These files are the baseline; a later change is a new
-- migration, never an edit of an applied one (see README, "Changing the
-- schema").
--
-- Errors meant for API clients are raised with SQLSTATE class TD (TD400,
-- TD403, TD404, TD409): MESSAGE is safe to show, DETAIL is the problem code
-- and HINT the offending field. The service maps any other error itself
-- (reply_db_failure) and never shows the database's words.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Names sort in Vietnamese order (Đ after D, Ư after U).
CREATE COLLATION vietnamese (provider = icu, locale = 'vi-VN');

-- The search key of a name: NFC, accents removed, then lowercased (ASCII
-- lowercase works in any database locale). "HAI BÀ TRƯNG" -> "hai ba trung".
CREATE FUNCTION search_key(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(public.unaccent('public.unaccent'::regdictionary, normalize(coalesce(t, ''), NFC)));

-- A LIKE pattern matching s anywhere, with s's own % and _ taken literally.
CREATE FUNCTION like_contains(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '%' || replace(replace(replace(s, '\', '\\'), '%', '\%'), '_', '\_') || '%';

-- A span of days in words: "2023-01-01 to 2025-06-30", "until 2025-06-30",
-- "from 2025-07-01", "all the time".
CREATE FUNCTION dates_text(r daterange) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE
	WHEN lower_inf(r) AND upper_inf(r) THEN 'all the time'
	WHEN lower_inf(r) THEN 'until ' || (upper(r) - 1)
	WHEN upper_inf(r) THEN 'from ' || lower(r)
	ELSE lower(r) || ' to ' || (upper(r) - 1)
END;

-- The shape of a code that names an organization or a bloc in URLs and
-- files: uppercase ASCII letters and digits, single hyphens inside, at
-- most 40. The one definition: the entity_code domain checks it, import
-- rows are checked against it, and the service's C side is generated from
-- this pattern (tools/embed.py).
CREATE FUNCTION code_is_valid(p text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN p ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND length(p) <= 40;

CREATE DOMAIN entity_code AS text CHECK (code_is_valid(VALUE));

-- Names are one line of printable text.
CREATE DOMAIN display_name AS text
	CHECK (btrim(VALUE) <> '' AND VALUE = btrim(VALUE) AND length(VALUE) <= 300 AND VALUE !~ '[[:cntrl:]]');

-- Raises a problem for the client: status, problem code, field, message.
CREATE FUNCTION api_raise(p_status int, p_code text, p_field text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'TD' || p_status::text, DETAIL = p_code, HINT = coalesce(p_field, ''),
		MESSAGE = p_message;
END $$;

-- A text field of a body, checked before the table's own constraint could
-- refuse it in words a client cannot act on: at most p_max characters; one
-- line (no control characters, no spaces at its ends) when p_one_line, else
-- no control characters but tabs and line breaks. Returns the text.
CREATE FUNCTION text_check(p_value text, p_field text, p_max int, p_one_line boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_value IS NULL THEN
		RETURN NULL;
	END IF;
	IF length(p_value) > p_max THEN
		PERFORM api_raise(400, 'invalid_field', p_field, format('%s is longer than %s characters', p_field, p_max));
	END IF;
	IF p_one_line AND (p_value ~ '[[:cntrl:]]' OR p_value <> btrim(p_value) OR p_value = '') THEN
		PERFORM api_raise(400, 'invalid_field', p_field,
		                  format('%s must be one line of text, without spaces at its start or end', p_field));
	END IF;
	IF NOT p_one_line AND p_value ~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
		PERFORM api_raise(400, 'invalid_field', p_field, format('%s may not contain control characters', p_field));
	END IF;
	RETURN p_value;
END $$;

-- A value of an enum type, written as text: refused (400 invalid_field)
-- unless it is one of the type's labels, which the message lists. The
-- enum types are the one list of each kind of thing.
CREATE FUNCTION enum_check(p_value text, p_type regtype, p_field text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_labels text[] := (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e
	                    WHERE e.enumtypid = p_type);
BEGIN
	IF p_value IS NOT NULL AND NOT p_value = ANY (v_labels) THEN
		PERFORM api_raise(400, 'invalid_field', p_field,
		                  format('%s %s is not one of %s', p_field, left(p_value, 40), array_to_string(v_labels, ', ')));
	END IF;
	RETURN p_value;
END $$;

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

-- Who and which request: the service sets thidua.actor (the API key's
-- name) and thidua.request_id for its transaction, with write_context; from
-- psql the database user is recorded.
CREATE FUNCTION current_actor() RETURNS text
LANGUAGE sql STABLE
RETURN coalesce(nullif(current_setting('thidua.actor', true), ''), session_user);

CREATE FUNCTION current_request_id() RETURNS text
LANGUAGE sql STABLE
RETURN nullif(current_setting('thidua.request_id', true), '');

-- Every write of the service starts its transaction with this.
CREATE FUNCTION write_context(p_actor text, p_request_id text) RETURNS void
LANGUAGE sql AS $$
	SELECT set_config('thidua.actor', p_actor, true), set_config('thidua.request_id', p_request_id, true)
$$;
