"""`storefront build` as a command, at several commits (or settings), side by side in one run.

    .venv/bin/python bench/bench_build_compare.py main HEAD [--pages 1000] [--rounds 5]
    .venv/bin/python bench/bench_build_compare.py main main:STOREFRONT_BUILD_EARLY_PARSE=0

Each variant is a git ref (``.`` for the work tree as it is), optionally followed by
``:NAME=VALUE,...`` environment variables. A ref is exported (``git archive``) to a folder
under bench/out/ and run from there with PYTHONPATH, so every variant runs the same
installed packages and differs only in the shop's own code. Each variant has its own copy of
the --pages Markdown products (as bench_build.py writes them), its own database (migrated
by the work tree) and its own compiled-template folder, filled by one build before timing.

Per round, the variants take turns at going first, and each runs, as a fresh process:
``empty``, a full build into an empty folder on a fresh database; ``force``, ``--force``
into that same folder; ``one file``, a build after one product's body changed. The table
shows the median of the rounds (and the spread), of wall time and of CPU time (the command
and its workers: steadier when others use the machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_build import OUT, compile_bytecode, settle, shop_env, touch_body, write_pages  # noqa: E402

LAUNCHER = "import sys\nfrom storefront.cli import main\nsys.exit(main())\n"
MEASURES = ("empty", "force", "one file")


@dataclass
class Variant:
    spec: str
    tree: Path
    env: dict[str, str]
    work: Path
    times: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in MEASURES})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in MEASURES})

    def timed(self, measure: str, *args: str, db_file: Path, content: Path) -> None:
        """Wall time, and CPU time of the command and its workers (steadier than wall time
        on a machine others use)."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.times[measure].append(self.run(*args, db_file=db_file, content=content))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu[measure].append(after.ru_utime + after.ru_stime
                                 - before.ru_utime - before.ru_stime)

    def run(self, *args: str, db_file: Path, content: Path) -> float:
        env = {**shop_env(self.work, content, db_file), **self.env,
               "PYTHONPATH": str(self.tree)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # each tree is byte-compiled once
        started = time.perf_counter()
        subprocess.run([sys.executable, str(self.work / "storefront"), *args], check=True,
                       env=env, cwd=self.work, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
        return time.perf_counter() - started


def export(ref: str, folder: Path) -> Path:
    """The shop's code at ``ref``, in ``folder``; the work tree itself for ``.``."""
    if ref == ".":
        return ROOT
    archive = subprocess.run(["git", "archive", ref, "storefront", "loyalty_plugins", "hooks",
                              "themes"], cwd=ROOT, check=True, capture_output=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "storefront", "loyalty_plugins",
                    "hooks"], check=True, cwd=folder, stdout=subprocess.DEVNULL)
    return folder


def variant(spec: str, number: int, work: Path, content: Path) -> Variant:
    ref, _, settings = spec.partition(":")
    env = dict(pair.split("=", 1) for pair in settings.split(",") if pair)
    own = work / f"v{number}"
    tree = export(ref, own / "tree")
    own.mkdir(exist_ok=True)
    (own / "storefront").write_text(LAUNCHER)  # named so: the command's own process name
    shutil.copytree(content, own / "content")
    return Variant(spec, tree, env, own)


def one_round(v: Variant, template: Path, number: int) -> None:
    content = v.work / "content"
    db_file = v.work / f"round-{number}.sqlite3"
    shutil.copy(template, db_file)
    out = v.work / f"site-{number}"
    settle()
    v.timed("empty", "build", "--out", str(out), db_file=db_file, content=content)
    settle()
    v.timed("force", "build", "--out", str(out), "--force", db_file=db_file, content=content)
    touch_body(content, 10 + number, number)
    settle()
    v.timed("one file", "build", "--out", str(out), db_file=db_file, content=content)


def table(variants: list[Variant]) -> str:
    head = "| s, median (min-max) | " + " | ".join(f"`{v.spec}`" for v in variants) + " |"
    lines = [head, "|---|" + "---:|" * len(variants)]
    for kind in ("times", "cpu"):
        for measure in MEASURES:
            found = [getattr(v, kind)[measure] for v in variants]
            cells = [f"{statistics.median(f):.3f} ({min(f):.2f}-{max(f):.2f})" for f in found]
            label = measure if kind == "times" else f"{measure}, CPU s"
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        base = statistics.median(getattr(variants[0], kind)["empty"])
        ratios = [f"{statistics.median(getattr(v, kind)['empty']) / base:.2f}"
                  for v in variants]
        label = "empty, vs the first" + ("" if kind == "times" else ", CPU")
        lines.append(f"| {label} | " + " | ".join(ratios) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="REF or REF:NAME=VALUE,... ('.' = work tree)")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    work = Path(tempfile.mkdtemp(prefix="bench-compare-", dir=OUT))
    try:
        content = work / "content"
        write_pages(content, args.pages)
        template = work / "template.sqlite3"
        subprocess.run([str(Path(sys.executable).parent / "storefront"), "db", "upgrade"],
                       check=True, cwd=ROOT, env=shop_env(work, content, template),
                       stdout=subprocess.DEVNULL)
        variants = [variant(spec, n, work, content) for n, spec in enumerate(args.variants)]
        for v in variants:  # fills each variant's compiled templates
            warm = shutil.copy(template, v.work / "warm.sqlite3")
            v.run("build", "--out", str(v.work / "warm"), db_file=warm,
                  content=v.work / "content")
        for number in range(args.rounds):
            turn = variants[number % len(variants):] + variants[:number % len(variants)]
            for v in turn:
                one_round(v, template, number)
            print(f"round {number + 1}/{args.rounds} done", flush=True)
        print(f"{args.pages} pages, {args.rounds} rounds, {os.cpu_count()} CPUs")
        print(table(variants), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
