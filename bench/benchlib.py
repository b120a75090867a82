"""What the database benchmarks (bench_points.py, bench_events.py) share: progress lines,
percentiles, the engine of an app, and the machine's facts."""

from __future__ import annotations

import os
import platform
import time
from importlib import metadata
from pathlib import Path

from storefront.extensions import db

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _engine(app):
    with app.app_context():
        return db.engine


def machine() -> dict:
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), platform.machine())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average": os.getloadavg(),
            "packages": {p: metadata.version(p) for p in
                         ("Flask", "SQLAlchemy", "psycopg", "Werkzeug")}}
