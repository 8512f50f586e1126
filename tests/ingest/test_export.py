"""write_labeled_csv: original rows in original order, a label column, safe for spreadsheets."""

import numpy as np
import pandas as pd
import pytest

from labeler.ingest import ingest_csv, open_series, write_labeled_csv
from tests.csv_cases import CASES_BY_ID
from tests.ingest.conftest import numeric_csv_text


def _export(source, tmp_path, labels_for_series):
    ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    out = tmp_path / "out.csv"
    write_labeled_csv(source, tmp_path / "cache", out, labels_for_series(series))
    return out, series


def test_rows_keep_their_original_order_after_a_resort(write_csv, tmp_path):
    source = write_csv("unsorted.csv", "time,a\n0,10\n2,30\n1,20\n3,40\n")
    out, series = _export(source, tmp_path, lambda s: np.where(np.asarray(s.time) >= 2, "late", ""))
    assert series.resorted
    assert out.read_text() == "time,a,label\n0,10,\n2,30,late\n1,20,\n3,40,late\n"


def test_every_row_comes_back_with_its_label(write_csv, tmp_path):
    source = write_csv("big.csv", numeric_csv_text(50_000))
    out, series = _export(source, tmp_path, lambda s: np.where(np.arange(s.rows) % 3 == 0, "A", ""))
    written = pd.read_csv(out, keep_default_na=False, dtype=str)
    original = pd.read_csv(source, dtype=str)
    assert list(written.columns) == [*original.columns, "label"]
    assert len(written) == 50_000
    pd.testing.assert_frame_equal(written[original.columns], original)
    assert (written["label"] == np.where(np.arange(50_000) % 3 == 0, "A", "")).all()


def test_formula_cells_are_neutralised(write_csv, tmp_path):
    source = write_csv(
        "notes.csv",
        "time,a,note,=sum\n"
        "0,1,=1+2,x\n"
        "1,2,+cmd,x\n"
        "2,3,-x,-5\n"
        "3,4,@SUM(A1),+1.5\n"
        '4,5,"\tfoo",ok\n'
        "5,-6,plain,1e3\n",
    )
    out, _ = _export(source, tmp_path, lambda s: ["=HYPERLINK()", "", "-", "A", "", "+x"])
    assert out.read_text() == (
        "time,a,note,'=sum,label\n"
        "0,1,'=1+2,x,'=HYPERLINK()\n"
        "1,2,'+cmd,x,\n"
        "2,3,'-x,-5,'-\n"
        "3,4,'@SUM(A1),+1.5,A\n"
        "4,5,'\tfoo,ok,\n"
        "5,-6,plain,1e3,'+x\n"
    )


def test_full_width_formula_starts_are_neutralised(write_csv, tmp_path):
    source = write_csv(
        "wide.csv",
        "time,a,note,＝total\n0,1,＝1+2,x\n1,2,＋cmd,x\n2,3,－１,x\n3,4,＠SUM(A1),x\n4,5,a＝b,x\n",
    )
    out, _ = _export(source, tmp_path, lambda s: ["＝HYPERLINK()", "", "＠x", "A", ""])
    assert out.read_text(encoding="utf-8") == (
        "time,a,note,'＝total,label\n"
        "0,1,'＝1+2,x,'＝HYPERLINK()\n"
        "1,2,'＋cmd,x,\n"
        "2,3,'－１,x,'＠x\n"
        "3,4,'＠SUM(A1),x,A\n"
        "4,5,a＝b,x,\n"
    )


def test_decimal_commas_and_thousands_become_plain_numbers(tmp_path):
    source = CASES_BY_ID["thousands_dot_decimal_comma"].write(tmp_path)
    out, _ = _export(source, tmp_path, lambda s: [""] * s.rows)
    assert out.read_text() == "time,price,label\n0,1234.5,\n1,2345.75,\n2,999.5,\n"


def test_quoted_thousands_and_text_with_commas(write_csv, tmp_path):
    source = write_csv("q.csv", 'time,price,note\n0,"1,234.5","a, b"\n1,"2,000","say ""hi"""\n')
    out, _ = _export(source, tmp_path, lambda s: ["x", "y"])
    assert out.read_text() == 'time,price,note,label\n0,1234.5,"a, b",x\n1,2000,"say ""hi""",y\n'


def test_non_utf8_sources_are_written_as_utf8(tmp_path):
    source = CASES_BY_ID["cp1252_text"].write(tmp_path)
    out, _ = _export(source, tmp_path, lambda s: ["", "", ""])
    assert out.read_bytes().decode("utf-8").splitlines()[2] == "1,2.5,crème brûlée,"


def test_utf16_and_bom_sources(tmp_path):
    for case_id in ("utf16_bom", "utf8_bom_crlf"):
        folder = tmp_path / case_id
        folder.mkdir()
        source = CASES_BY_ID[case_id].write(folder)
        out, _ = _export(source, folder, lambda s: [""] * s.rows)
        assert out.read_bytes().startswith(b"time,a,b,label\n")


def test_existing_label_column_gets_another_name(write_csv, tmp_path):
    source = write_csv("lab.csv", "time,a,label\n0,1,old\n1,2,old\n")
    out, _ = _export(source, tmp_path, lambda s: ["new", ""])
    assert out.read_text() == "time,a,label,label_2\n0,1,old,new\n1,2,old,\n"


def test_wrong_label_count_and_changed_source_are_refused(write_csv, tmp_path):
    source = write_csv("s.csv", "time,a\n0,1\n1,2\n")
    ingest_csv(source, tmp_path / "cache")
    out = tmp_path / "out.csv"
    with pytest.raises(ValueError, match="has 1 entries but the file has 2 rows"):
        write_labeled_csv(source, tmp_path / "cache", out, ["x"])
    source.write_text("time,a\n0,1\n1,3\n")
    with pytest.raises(ValueError, match="does not match its cache"):
        write_labeled_csv(source, tmp_path / "cache", out, ["x", "y"])
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "s.csv"]


def test_labels_as_categorical_list_or_array(write_csv, tmp_path):
    source = write_csv("s.csv", "time,a\n0,1\n1,2\n2,3\n")
    ingest_csv(source, tmp_path / "cache")
    expected = "time,a,label\n0,1,x\n1,2,\n2,3,y\n"
    for number, labels in enumerate(
        [
            pd.Categorical(["x", None, "y"]),
            ["x", "", "y"],
            np.array(["x", "", "y"]),
            np.array(["x", None, "y"], dtype=object),
        ]
    ):
        out = tmp_path / f"out{number}.csv"
        write_labeled_csv(source, tmp_path / "cache", out, labels)
        assert out.read_text() == expected
