-- A figure's own value (rules 1 and 2) is looked up by a few short
-- statements in own_figure() and derive_from_periods(), called for every
-- indicator and slot of a summary and for every child a roll-up goes down
-- into. The summaries and the breakdown run with plan_cache_mode =
-- force_custom_plan (sql/011_analytics.sql: their own queries must be
-- planned for their arguments), and a function's setting holds for
-- everything it calls: these statements were planned again at every call,
-- 0.3 to 0.9 ms of planning for a 0.07 ms look-up. Their one plan
-- (an index on the organization or the bloc, then the period) suits every
-- argument, so they keep it. (A later CREATE OR REPLACE of either drops
-- this setting: set it again.)
ALTER FUNCTION own_figure(bigint, bigint, int, indicator_kind, period_info, text)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION derive_from_periods(bigint, bigint, int, indicator_kind, period_info, text)
	SET plan_cache_mode = force_generic_plan;
