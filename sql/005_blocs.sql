-- Emulation blocs (khối / cụm thi đua): peers grouped by an organizer, and
-- per year their members, leader and deputy, the agreement they sign,
-- its scoring criteria and the bonus or penalty points of each member.

CREATE TYPE bloc_kind AS ENUM ('khoi', 'cum');

CREATE TABLE bloc (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code entity_code NOT NULL UNIQUE,
	name display_name NOT NULL,
	kind bloc_kind NOT NULL,
	organizer_id bigint REFERENCES organization (id),  -- NULL: peers organizing together
	note text CHECK (length(note) <= 2000),
	search text GENERATED ALWAYS AS (search_key(code || ' ' || name)) STORED,
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX bloc_organizer ON bloc (organizer_id);

-- One year of a bloc: its leader (trưởng khối / cụm trưởng) and deputy
-- rotate yearly; the agreement (giao ước thi đua) is signed for the year.
CREATE TABLE bloc_year (
	bloc_id bigint NOT NULL REFERENCES bloc (id) ON DELETE CASCADE,
	year int NOT NULL CHECK (year BETWEEN 1900 AND 2100),
	leader_id bigint,
	deputy_id bigint,
	leader_person display_name,   -- when only the person is named
	deputy_person display_name,
	agreement_signed_on date,
	agreement_content_count int CHECK (agreement_content_count >= 0),
	agreement_note text CHECK (length(agreement_note) <= 2000),
	note text CHECK (length(note) <= 2000),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (bloc_id, year),
	CHECK (leader_id <> deputy_id)
);

CREATE TABLE bloc_member (
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	org_id bigint NOT NULL REFERENCES organization (id),
	PRIMARY KEY (bloc_id, year, org_id),
	FOREIGN KEY (bloc_id, year) REFERENCES bloc_year (bloc_id, year) ON DELETE CASCADE
);

CREATE INDEX bloc_member_org ON bloc_member (org_id, year);

-- The leader and deputy must be members of that year (checked at commit,
-- so a year and its members can be written in any order).
ALTER TABLE bloc_year
	ADD CONSTRAINT bloc_year_leader_is_member FOREIGN KEY (bloc_id, year, leader_id)
		REFERENCES bloc_member (bloc_id, year, org_id) DEFERRABLE INITIALLY DEFERRED,
	ADD CONSTRAINT bloc_year_deputy_is_member FOREIGN KEY (bloc_id, year, deputy_id)
		REFERENCES bloc_member (bloc_id, year, org_id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE bloc_agreement_content (
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	position int NOT NULL CHECK (position >= 1),
	content text NOT NULL CHECK (btrim(content) <> '' AND length(content) <= 2000),
	PRIMARY KEY (bloc_id, year, position),
	FOREIGN KEY (bloc_id, year) REFERENCES bloc_year (bloc_id, year) ON DELETE CASCADE
);

-- Scoring criteria: points = weight × min(completion, cap) / 100.
CREATE TABLE bloc_criterion (
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	indicator_id int NOT NULL REFERENCES indicator (id),
	weight numeric NOT NULL CHECK (weight > 0 AND weight <= 1000),
	cap_pct numeric CHECK (cap_pct >= 100 AND cap_pct <= 1000),  -- NULL: no cap
	PRIMARY KEY (bloc_id, year, indicator_id),
	FOREIGN KEY (bloc_id, year) REFERENCES bloc_year (bloc_id, year) ON DELETE CASCADE
);

-- Bonus (positive) or penalty (negative) points, e.g. from cross-inspection.
CREATE TABLE bloc_adjustment (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	bloc_id bigint NOT NULL,
	year int NOT NULL,
	org_id bigint NOT NULL,
	points numeric NOT NULL CHECK (points <> 0 AND points BETWEEN -1000 AND 1000),
	reason text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 2000),
	FOREIGN KEY (bloc_id, year, org_id) REFERENCES bloc_member (bloc_id, year, org_id) ON DELETE CASCADE
);

CREATE INDEX bloc_adjustment_year ON bloc_adjustment (bloc_id, year);

-- The years a bloc has records for, as a JSON array.
CREATE FUNCTION bloc_years(p_bloc bigint) RETURNS json
LANGUAGE sql STABLE
RETURN coalesce((SELECT json_agg(y.year ORDER BY y.year) FROM bloc_year y WHERE y.bloc_id = p_bloc), '[]'::json);

-- The record of a bloc's year for a period; 404 naming the bloc's years
-- when there is none.
CREATE FUNCTION bloc_year_of(p_bloc bigint, p period_info) RETURNS bloc_year
LANGUAGE plpgsql STABLE AS $$
DECLARE
	y bloc_year;
BEGIN
	SELECT * INTO y FROM bloc_year WHERE bloc_id = p_bloc AND year = p.year;
	IF NOT FOUND THEN
		PERFORM api_raise(404, 'bloc_year_not_found', 'period',
		                  format('Bloc %s has no record for %s (the year of %s); its years are %s.',
		                         (SELECT code FROM bloc WHERE id = p_bloc), p.year, p.code, bloc_years(p_bloc)));
	END IF;
	RETURN y;
END $$;

