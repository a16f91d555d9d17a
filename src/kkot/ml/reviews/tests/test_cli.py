import csv
import json

from kkot.ml.reviews.commands import analyze, train_reviews
from kkot.ml.reviews.data import read_table

ROWS = [("배송 빨라요 만족합니다", 5), ("사이즈 딱 맞아요", 5), ("물빠짐 심해요 실망", 1), ("보풀 생겨요 별로", 2),
        ("색감 예뻐요", 5), ("", 3), ("ㅋㅋㅋㅋ", 5), ("허리가 커요", 3)] * 6


def _write_csv(path, delimiter=","):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(["리뷰", "별점"])
        w.writerows(ROWS)


def test_analyze_csv_and_tsv(tmp_path):
    for name, delim in (("r.csv", ","), ("r.tsv", "\t")):
        _write_csv(tmp_path / name, delim)
        out = tmp_path / (name + "_out")
        assert analyze([str(tmp_path / name), "--out", str(out), "--no-progress"]) == 0
        rows = list(csv.DictReader(open(out / "reviews.csv", encoding="utf-8-sig")))
        assert len(rows) == len(ROWS)
        assert rows[5]["status"] == "empty" and rows[6]["status"] == "no_text"
        assert "색상:negative" in rows[2]["aspects"]
        assert "<svg" in (out / "report.html").read_text(encoding="utf-8")


def test_analyze_excel(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["번호", "내용", "평점"])
    for i, (t, s) in enumerate(ROWS):
        ws.append([i, t or None, s])
    wb.save(tmp_path / "r.xlsx")
    assert read_table(tmp_path / "r.xlsx").guess_text_column() == "내용"
    assert analyze([str(tmp_path / "r.xlsx"), "--out", str(tmp_path / "o"), "--no-progress"]) == 0


def test_bad_files(tmp_path, capsys):
    assert analyze([str(tmp_path / "missing.csv")]) == 2
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert analyze([str(tmp_path / "x.csv"), "--text-col", "review"]) == 2
    assert "not found" in capsys.readouterr().err
    assert train_reviews([str(tmp_path / "x.csv"), "--text-col", "a"]) == 2


def test_train_reviews_then_analyze_with_model(tmp_path):
    _write_csv(tmp_path / "r.csv")
    model = tmp_path / "model"
    assert train_reviews([str(tmp_path / "r.csv"), "--out", str(model)]) == 0
    assert (model / "model.json").exists() and (model / "weights.npz").exists()
    out = tmp_path / "o"
    assert analyze([str(tmp_path / "r.csv"), "--model", str(model), "--out", str(out), "--no-progress"]) == 0
    rows = list(csv.DictReader(open(out / "reviews.csv", encoding="utf-8-sig")))
    assert rows[3]["sentiment"] == "negative"
    # by default the store model is n-grams + prior; --seq-features adds the character model's pooled features
    assert "seq_features" not in json.loads((model / "model.json").read_text(encoding="utf-8"))["meta"]
    on = tmp_path / "on"
    assert train_reviews([str(tmp_path / "r.csv"), "--out", str(on), "--seq-features", "0.01", "--no-clauses"]) == 0
    assert json.loads((on / "model.json").read_text(encoding="utf-8"))["meta"]["seq_features"]["scale"] == 0.01
