"""Content files: `storefront content check` names file, field and problem; requests never
crash on a bad file."""

import shutil
from pathlib import Path

import pytest

from storefront.cli import main
from storefront.content.loader import load_content

ROOT = Path(__file__).resolve().parent.parent

GOOD = """---
title: Test Beans
sku: TST-1
price: "9.99"
stock: 3
category: coffee
tags: [test]
---
Tasty.
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / "products").mkdir(parents=True, exist_ok=True)
    (folder / "pages").mkdir(exist_ok=True)
    (folder / "products" / name).write_text(text)


def test_demo_content_is_valid():
    result = load_content(ROOT / "content")
    assert result.problems == [] and len(result.products) >= 10 and "about" in result.pages


@pytest.mark.parametrize("text, field, problem", [
    (GOOD.replace('price: "9.99"', 'price: "9.999"'), "price", "more than two decimal places"),
    (GOOD.replace('price: "9.99"', 'price: "free"'), "price", "must be an amount"),
    (GOOD.replace('price: "9.99"\n', ""), "price", "is required"),
    (GOOD.replace("stock: 3", "stock: -1"), "stock", "0 or more"),
    (GOOD.replace('price: "9.99"', 'price: "9.99"\ncost: "4.201"'), "cost",
     "more than two decimal places"),
    (GOOD.replace('price: "9.99"', 'price: "9.99"\ncost: cheap'), "cost", "must be an amount"),
    (GOOD.replace('price: "9.99"', 'price: "9.99"\ncost: "-1"'), "cost", "must not be negative"),
    (GOOD.replace("sku: TST-1", "sku: 'bad sku!'"), "sku", "may hold only"),
    (GOOD.replace("title: Test Beans\n", ""), "title", "is required"),
    (GOOD.replace("tags: [test]", "tags: Test Tag"), "tags", "must be a list"),
    (GOOD.replace("title: Test Beans", "title: [unclosed"), "front matter", "invalid YAML"),
    ("no front matter here", "front matter", "must start with"),
])
def test_check_names_file_field_and_problem(tmp_path, text, field, problem):
    write(tmp_path, "broken.md", text)
    result = load_content(tmp_path)
    assert len(result.problems) == 1
    message = str(result.problems[0])
    assert message.startswith(f"{tmp_path.name}/products/broken.md: {field}: ")
    assert problem in message


def test_duplicate_sku_is_reported(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    problems = load_content(tmp_path).problems
    assert [p.field for p in problems] == ["slug"] or [p.field for p in problems] == ["sku"]


def test_content_check_command_exit_codes(app, tmp_path):
    runner = app.test_cli_runner()
    ok = runner.invoke(main, ["content", "check"])
    assert ok.exit_code == 0 and "0 problems" in ok.output
    write(tmp_path, "broken.md", GOOD.replace("stock: 3", "stock: lots"))
    bad = runner.invoke(main, ["content", "check", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "products/broken.md: stock: must be a whole number" in bad.output


def test_bad_page_file_never_crashes_a_request(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "broken.md").write_text("---\ntitle: [oops\n---\nbody")
    app = make_app(CONTENT_DIR=str(content))
    client = app.test_client()
    assert client.get("/pages/broken").status_code == 404
    assert client.get("/pages/about").status_code == 200


def test_a_content_page_reads_only_the_page_files(make_app, tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "broken.md").write_text("---\ntitle: [oops\n---\nbody")
    write(content, "broken-product.md", "---\ntitle: No SKU\n---\n")
    client = make_app(CONTENT_DIR=str(content)).test_client()

    with caplog.at_level("WARNING", logger="storefront.content"):
        assert client.get("/pages/about").status_code == 200

    skipped = [r.getMessage() for r in caplog.records]
    assert any("pages/broken.md" in m for m in skipped)  # the pages are read and checked
    assert not any("products/" in m for m in skipped)  # the 13 product files are not


def test_sync_updates_descriptions_keeps_stock_and_hides_removed(make_app, tmp_path, shop):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(CONTENT_DIR=str(content))
    shop.set_stock("COF-ETH-250", 7)
    path = content / "products" / "ethiopia-yirgacheffe.md"
    path.write_text(path.read_text().replace('price: "12.50"', 'price: "13.00"'))
    (content / "products" / "paper-filters.md").unlink()
    result = app.test_cli_runner().invoke(main, ["content", "sync"])
    assert "0 created, 11 updated, 1 hidden" in result.output
    client = app.test_client()
    html = client.get("/products/ethiopia-yirgacheffe").get_data(as_text=True)
    assert "€13.00" in html and "7 in stock" in html
    assert client.get("/products/paper-filters").status_code == 404


def test_a_cost_is_optional_and_only_the_main_file_sets_it(tmp_path):
    write(tmp_path, "beans.md", GOOD.replace('price: "9.99"', 'price: "9.99"\ncost: "4.20"'))
    write(tmp_path, "plain.md", GOOD.replace("TST-1", "TST-2"))
    write(tmp_path, "beans.es.md", '---\ntitle: Granos\ncost: "1.00"\n---\n')
    result = load_content(tmp_path)
    assert {p.sku: p.cost for p in result.products} == {"TST-1": 420, "TST-2": None}
    assert [(p.field, p.problem.split(":")[0]) for p in result.problems] == [
        ("cost", "is set in beans.md only")]


def test_content_check_names_a_bad_cost(app, tmp_path):
    write(tmp_path, "broken.md", GOOD.replace('price: "9.99"', 'price: "9.99"\ncost: 4,20'))
    bad = app.test_cli_runner().invoke(main, ["content", "check", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "products/broken.md: cost: must be an amount" in bad.output
