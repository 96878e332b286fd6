-- Reporting periods by code, the same rules as src/domain/period.c (both
-- are held to tests/vectors/periods.tsv): 2022 year, 2022H1 half, 2022Q3
-- quarter, 2022M09 month, 2022YTD09 January to the end of September,
-- 2023-2028 congress term. Input is trimmed, case-insensitive, and months
-- may have one digit; the canonical code is returned.
--
-- An invalid code raises SQLSTATE TD400 with the reason as MESSAGE,
-- DETAIL 'invalid_period' and HINT 'period': the service answers that as a
-- 400 problem.

CREATE TYPE period_kind AS ENUM ('year', 'half', 'quarter', 'month', 'ytd', 'term');

CREATE TYPE period_info AS (
	code text,
	kind period_kind,
	year int,
	year_end int,
	number int,
	start_date date,
	end_date date,
	label text
);

CREATE FUNCTION period_parse(input text) RETURNS period_info
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	expected constant text := '2022, 2022H1, 2022Q3, 2022M09, 2022YTD09 or 2023-2028';
	s text := btrim(input, E' \t\r\n');
	shown text := '';
	ch text;
	lead text;
	rest text;
	part record;
	y int;
	y2 int;
	n int := 0;
	r period_info;
BEGIN
	IF input IS NULL THEN
		RETURN NULL;
	END IF;
	-- the input as shown in messages: at most 32 bytes, cut on a character
	IF octet_length(s) <= 32 THEN
		shown := s;
	ELSE
		FOREACH ch IN ARRAY regexp_split_to_array(s, '') LOOP
			EXIT WHEN octet_length(shown || ch) > 32;
			shown := shown || ch;
		END LOOP;
		shown := shown || '…';
	END IF;

	IF s = '' THEN
		PERFORM api_raise(400, 'invalid_period', 'period', 'period is empty; expected a code such as ' || expected);
	END IF;
	lead := substring(s FROM '^[0-9]*');
	IF lead = '' THEN
		PERFORM api_raise(400, 'invalid_period', 'period',
		                  format('period ''%s'' is not a valid code; expected %s', shown, expected));
	END IF;
	IF length(lead) <> 4 THEN
		PERFORM api_raise(400, 'invalid_period', 'period',
		                  format('period ''%s'' must start with a four-digit year, as in 2022', shown));
	END IF;
	rest := upper(substr(s, 5));
	r.year := lead::int;
	r.year_end := CASE WHEN rest ~ '^-[0-9]{4}$' THEN substr(rest, 2)::int ELSE r.year END;
	FOREACH y IN ARRAY ARRAY[r.year, r.year_end] LOOP
		IF y NOT BETWEEN 1900 AND 2100 THEN
			PERFORM api_raise(400, 'invalid_period', 'period', format('year %s is outside 1900 to 2100', y));
		END IF;
	END LOOP;
	y := r.year;
	y2 := r.year_end;

	IF rest = '' THEN
		r.kind := 'year';
	ELSIF rest ~ '^-[0-9]{4}$' THEN
		IF y2 <= y THEN
			PERFORM api_raise(400, 'invalid_period', 'period', format('a term must end after it starts, not %s-%s', y, y2));
		END IF;
		IF y2 - y > 10 THEN
			PERFORM api_raise(400, 'invalid_period', 'period', format('a term spans at most 10 years, not %s-%s', y, y2));
		END IF;
		r.kind := 'term';
	ELSE
		-- the periods within a year: a letter code and a number of at most
		-- `digits` digits, from 1 to max
		SELECT sp.* INTO part
		FROM (VALUES ('YTD', 2, 12, 'ytd', 'year-to-date must run to a month from YTD01 to YTD12, not YTD'),
		             ('H', 1, 2, 'half', 'half must be H1 or H2, not H'),
		             ('Q', 1, 4, 'quarter', 'quarter must be Q1 to Q4, not Q'),
		             ('M', 2, 12, 'month', 'month must be M01 to M12, not M')) sp(prefix, digits, max, kind, range)
		WHERE rest ~ ('^' || sp.prefix || '[0-9]{1,' || sp.digits || '}$');
		IF NOT FOUND THEN
			PERFORM api_raise(400, 'invalid_period', 'period',
			                  format('period ''%s'' is not a valid code; expected %s', shown, expected));
		END IF;
		n := substr(rest, length(part.prefix) + 1)::int;
		IF n NOT BETWEEN 1 AND part.max THEN
			PERFORM api_raise(400, 'invalid_period', 'period', part.range || lpad(n::text, part.digits, '0'));
		END IF;
		r.kind := part.kind;
	END IF;

	r.number := n;
	r.code := CASE r.kind
		WHEN 'year' THEN y::text
		WHEN 'half' THEN y || 'H' || n
		WHEN 'quarter' THEN y || 'Q' || n
		WHEN 'month' THEN y || 'M' || lpad(n::text, 2, '0')
		WHEN 'ytd' THEN y || 'YTD' || lpad(n::text, 2, '0')
		WHEN 'term' THEN y || '-' || r.year_end
	END;
	r.label := CASE r.kind
		WHEN 'year' THEN 'Năm ' || y
		WHEN 'half' THEN '6 tháng ' || CASE n WHEN 1 THEN 'đầu' ELSE 'cuối' END || ' năm ' || y
		WHEN 'quarter' THEN 'Quý ' || (ARRAY['I', 'II', 'III', 'IV'])[n] || '/' || y
		WHEN 'month' THEN 'Tháng ' || n || '/' || y
		WHEN 'ytd' THEN CASE WHEN n = 12 THEN '12 tháng năm ' || y ELSE n || ' tháng đầu năm ' || y END
		WHEN 'term' THEN 'Nhiệm kỳ ' || y || '–' || r.year_end
	END;
	r.start_date := make_date(y, CASE r.kind WHEN 'half' THEN 6 * n - 5 WHEN 'quarter' THEN 3 * n - 2
	                                         WHEN 'month' THEN n ELSE 1 END, 1);
	r.end_date := (make_date(r.year_end, CASE r.kind WHEN 'half' THEN 6 * n WHEN 'quarter' THEN 3 * n
	                                                 WHEN 'month' THEN n WHEN 'ytd' THEN n ELSE 12 END, 1)
	               + interval '1 month' - interval '1 day')::date;
	RETURN r;
END $$;

-- For CHECK constraints: true for a valid code (in any accepted spelling).
CREATE FUNCTION period_is_valid(input text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
	RETURN (period_parse(input)).code IS NOT NULL;
EXCEPTION WHEN SQLSTATE 'TD400' THEN
	RETURN false;
END $$;

-- Every period code a value uses, with its dates; rows are added on demand
-- by period_ensure() (and, set-wise, by the imports). The derived columns
-- must agree with period_parse().
CREATE TABLE period (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE,
	kind period_kind NOT NULL,
	year int NOT NULL,
	year_end int NOT NULL,
	number int NOT NULL,
	start_date date NOT NULL,
	end_date date NOT NULL,
	label text NOT NULL,
	CHECK (period_is_valid(code)),
	CHECK (ROW(code, kind, year, year_end, number, start_date, end_date, label)::period_info = period_parse(code))
);
CREATE INDEX period_year ON period (year, kind);

-- The id of a period, its row made the first time the code is used.
CREATE FUNCTION period_ensure(p_code text) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
	p period_info := period_parse(p_code);
	pid int;
BEGIN
	SELECT id INTO pid FROM period WHERE code = p.code;
	IF pid IS NULL THEN
		INSERT INTO period (code, kind, year, year_end, number, start_date, end_date, label)
		VALUES (p.code, p.kind, p.year, p.year_end, p.number, p.start_date, p.end_date, p.label)
		ON CONFLICT (code) DO NOTHING;
		SELECT id INTO pid FROM period WHERE code = p.code;
	END IF;
	RETURN pid;
END $$;

-- The same period a year earlier (NULL for a congress term).
CREATE FUNCTION period_year_before(p period_info) RETURNS period_info
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p.kind
	WHEN 'year' THEN period_parse((p.year - 1)::text)
	WHEN 'half' THEN period_parse((p.year - 1) || 'H' || p.number)
	WHEN 'quarter' THEN period_parse((p.year - 1) || 'Q' || p.number)
	WHEN 'month' THEN period_parse((p.year - 1) || 'M' || p.number)
	WHEN 'ytd' THEN period_parse((p.year - 1) || 'YTD' || p.number)
END;
