"""Streaming validation of a large JSONL upload: throughput and peak memory.

    .venv/bin/python bench/bench_data_stream.py                  # 200,000 rows
    .venv/bin/python bench/bench_data_stream.py --rows 1000000   # the 1M-row target (< 1.5 GB peak RSS)

Writes a synthetic instruction dataset (with 2% exact duplicates and some malformed lines) to a temporary
file, then runs side by side: a bare ``json.loads`` loop over the file (baseline), and the full ingest
(encoding detection, parsing, normalisation, validation incl. exact + near duplicates, toxicity, language,
token stats, canonical JSONL writing and hashing). Prints rows/s for both, the ratio, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_dataset(path: str, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    domain = ["the", "pump", "seal", "motor", "line", "belt", "failed", "replaced", "checked"]
    words = [f"w{i}" for i in range(20_000)] + domain
    with open(path, "w", encoding="utf-8") as out:
        previous: list[str] = []
        for i in range(rows):
            if i % 997 == 5:
                out.write('{"question": "broken line", \n')
                continue
            if previous and rng.random() < 0.02:
                out.write(rng.choice(previous))
                continue
            prompt = " ".join(rng.choices(words, k=rng.randint(8, 20)))
            answer = " ".join(rng.choices(words, k=rng.randint(15, 40)))
            line = json.dumps({"question": f"How do I fix {prompt}?", "answer": answer}) + "\n"
            if len(previous) < 1000:
                previous.append(line)
            out.write(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--near-max", type=int, default=200_000, help="near-duplicate search cap (records)")
    args = parser.parse_args()

    from tuneline.data.processing.pipeline import ingest
    from tuneline.data.processing.validation import ValidationConfig

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.jsonl")
        t0 = time.perf_counter()
        write_dataset(path, args.rows, args.seed)
        size_mb = os.path.getsize(path) / 1e6
        took = time.perf_counter() - t0
        print(f"rows={args.rows} file={size_mb:.0f} MB (written in {took:.1f}s)  rss={_rss_mb():.0f} MB")

        t0 = time.perf_counter()
        parsed = 0
        with open(path, "rb") as handle:
            for line in handle:
                try:
                    json.loads(line)
                    parsed += 1
                except json.JSONDecodeError:
                    pass
        t_base = time.perf_counter() - t0

        t0 = time.perf_counter()
        with open(path, "rb") as handle, open(os.devnull, "wb") as sink:
            result = ingest(
                handle, "big.jsonl", sink=sink, validation=ValidationConfig(near_duplicate_max_records=args.near_max)
            )
        t_ingest = time.perf_counter() - t0

    report = result.report
    print(f"baseline json.loads loop   {parsed / t_base:10.0f} rows/s  ({t_base:.1f}s)")
    print(f"full streaming ingest      {result.record_count / t_ingest:10.0f} rows/s  ({t_ingest:.1f}s)")
    print(f"ingest / baseline time     {t_ingest / t_base:10.1f}x")
    print(
        f"valid={report.valid_records} format_errors={report.format.error_count} "
        f"exact_dups={report.duplicates.exact_count} near_dups={report.duplicates.near_count} "
        f"near_checked={report.duplicates.near_checked_records} quality={report.quality.score}"
    )
    print(f"peak RSS {_rss_mb():.0f} MB (target < 1500 MB)")


if __name__ == "__main__":
    main()
