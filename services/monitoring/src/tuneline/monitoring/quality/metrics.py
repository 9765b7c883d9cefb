"""Prometheus figures for answer quality, exposed on the service's /metrics; refreshed by the periodic pass."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import Gauge

from tuneline.monitoring.quality.bucket import QualityBucket
from tuneline.monitoring.rollups.metrics import LABELS
from tuneline.monitoring.rollups.rollup import RollupKey

THUMBS_UP_RATE = Gauge("tuneline_monitoring_thumbs_up_rate", "Share of thumbs up over the current day", LABELS)
ACCURACY = Gauge("tuneline_monitoring_accuracy", "Accuracy on requests with ground truth, current day", LABELS)


def set_quality(buckets: Mapping[RollupKey, QualityBucket]) -> None:
    for key, bucket in buckets.items():
        labels = (key.model, key.version, key.arm)
        if bucket.thumbs_up_rate is not None:
            THUMBS_UP_RATE.labels(*labels).set(bucket.thumbs_up_rate)
        if bucket.accuracy is not None:
            ACCURACY.labels(*labels).set(bucket.accuracy)
