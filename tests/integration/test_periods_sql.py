"""period_parse in SQL against the same vectors as the C parser."""
import os

import psycopg2
import pytest

from contract import SOURCE_ROOT


def decode(text: str) -> str:
    return "" if text == "<empty>" else text.replace("\\s", " ").replace("\\t", "\t")


def vectors():
    path = os.path.join(SOURCE_ROOT, "tests", "vectors", "periods.tsv")
    rows = []
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    for line in lines[1:]:
        rows.append(line.split("\t"))
    assert len(rows) >= 50
    return rows


VECTORS = vectors()


@pytest.mark.parametrize("vector", VECTORS, ids=[v[0] for v in VECTORS])
def test_sql_parser_matches_the_vector(pg, empty_template, vector):
    text = decode(vector[0])
    if vector[1] == "ok":
        rows = pg.query(empty_template, "SELECT code, kind::text, year, year_end, number, start_date::text, "
                                        "end_date::text, label FROM period_parse(%s)", (text,))
        got = [str(x) for x in rows[0]]
        assert got == vector[2:10]
        assert pg.query(empty_template, "SELECT period_is_valid(%s)", (text,)) == [(True,)]
    else:
        with pytest.raises(psycopg2.Error) as e:
            pg.query(empty_template, "SELECT period_parse(%s)", (text,))
        assert e.value.pgcode == "TD400"
        assert e.value.diag.message_primary == vector[2]
        assert e.value.diag.message_detail == "invalid_period"
        assert pg.query(empty_template, "SELECT period_is_valid(%s)", (text,)) == [(False,)]


def test_null_is_null(pg, empty_template):
    assert pg.query(empty_template, "SELECT period_parse(NULL) IS NULL") == [(True,)]
