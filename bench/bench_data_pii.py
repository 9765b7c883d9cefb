"""Validation + PII throughput on ~200-character records, side by side with presidio's plain loop.

    .venv/bin/python bench/bench_data_pii.py                 # 10,000 records, baseline on 500 (extrapolated)
    .venv/bin/python bench/bench_data_pii.py --records 2000 --baseline 2000

The plain baseline is presidio's AnalyzerEngine (default recognizers, the same offline small spaCy model)
called once per record; it is slow, so by default it runs on a subset and its rate is extrapolated. Recall
of both is measured on the same labelled subset (every planted span overlapped by a detection of the same
entity type). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=500, help="records for the plain presidio loop")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    from tuneline.data.pii.engine import SUPPORTED_ENTITIES, PiiScanner
    from tuneline.data.pii.presidio_setup import create_plain_analyzer
    from tuneline.data.pii.report import PiiAudit
    from tuneline.data.pii.synthetic import generate, recall
    from tuneline.data.processing.errors import Location
    from tuneline.data.processing.records import RecordMode
    from tuneline.data.processing.validation import DatasetValidator, ValidationConfig

    corpus = generate(args.records, seed=args.seed)
    texts = [item.text for item in corpus]
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"records={len(texts)} mean_chars={mean_chars:.0f} labelled_spans={sum(len(i.spans) for i in corpus)}")

    t0 = time.perf_counter()
    scanner = PiiScanner()
    plain = create_plain_analyzer()
    print(f"load presidio (both engines) {time.perf_counter() - t0:.1f}s")

    # Ours and the plain loop run interleaved, block by block, so both see the same machine load; CPU time
    # of this process is reported next to wall time because other jobs share the two cores.
    validator = DatasetValidator(mode=RecordMode.TEXT, config=ValidationConfig())
    audit = PiiAudit(scanner, RecordMode.TEXT)
    subset = texts[: args.baseline]
    blocks = max(1, min(20, len(texts) // 500))
    ours_cpu = ours_wall = plain_cpu = plain_wall = 0.0
    baseline: list = []
    for block in range(blocks):
        lo, hi = block * len(texts) // blocks, (block + 1) * len(texts) // blocks
        c0, w0 = time.process_time(), time.perf_counter()
        records = [{"text": text, "source": "bench", "page": None} for text in texts[lo:hi]]
        for index, record in enumerate(audit.process(records)):
            validator.add_record(record, Location(line=lo + index + 1))
        ours_cpu += time.process_time() - c0
        ours_wall += time.perf_counter() - w0
        plo, phi = block * len(subset) // blocks, (block + 1) * len(subset) // blocks
        c0, w0 = time.process_time(), time.perf_counter()
        baseline.extend(plain.analyze(text, language="en") for text in subset[plo:phi])
        plain_cpu += time.process_time() - c0
        plain_wall += time.perf_counter() - w0
    validator.report()
    ours = scanner.scan(subset)  # same subset as the baseline, for recall

    n = len(texts)
    print(f"{'':28}{'records/s (CPU)':>16}{'records/s (wall)':>18}")
    print(f"{'validation + PII (ours)':28}{n / ours_cpu:16.0f}{n / ours_wall:18.0f}   stats={scanner.stats}")
    print(
        f"{'plain presidio loop':28}{len(subset) / plain_cpu:16.0f}{len(subset) / plain_wall:18.0f}   "
        f"(on {len(subset)} records, extrapolated {n * plain_wall / len(subset):.0f}s wall for {n})"
    )
    print(
        f"speed-up ours/plain: {(n / ours_cpu) / (len(subset) / plain_cpu):.1f}x by CPU time, "
        f"{(n / ours_wall) / (len(subset) / plain_wall):.1f}x by wall time"
    )

    wanted = set(SUPPORTED_ENTITIES)
    labelled = corpus[: args.baseline]
    ours_spans = [[(s.entity_type, s.start, s.end) for s in spans] for spans in ours]
    plain_spans = [[(r.entity_type, r.start, r.end) for r in found if r.entity_type in wanted] for found in baseline]
    r_ours, r_plain = recall(labelled, ours_spans), recall(labelled, plain_spans)
    print(f"{'recall':<16}{'ours':>8}{'plain':>8}")
    for entity in r_ours:
        print(f"{entity:<16}{r_ours[entity]:8.3f}{r_plain.get(entity, 0.0):8.3f}")
    planted = sum(len(i.spans) for i in labelled)
    fp_ours = sum(len(s) for s in ours_spans) - sum(
        1
        for item, found in zip(labelled, ours_spans, strict=True)
        for e, s, t in found
        if any(e == le and s < lt and ls < t for le, ls, lt in item.spans)
    )
    fp_plain = sum(len(s) for s in plain_spans) - sum(
        1
        for item, found in zip(labelled, plain_spans, strict=True)
        for e, s, t in found
        if any(e == le and s < lt and ls < t for le, ls, lt in item.spans)
    )
    print(f"unmatched detections (false positives) on {planted} planted spans: ours={fp_ours} plain={fp_plain}")


if __name__ == "__main__":
    main()
