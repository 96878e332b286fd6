-- Demo data: the figures of the five articles (filled by the domain migration work).
SELECT 1;
