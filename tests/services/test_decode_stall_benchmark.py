"""benchmarks/decode_stall.py runs at a tiny size, so it cannot rot (it asserts no times)."""

from __future__ import annotations

from benchmarks.decode_stall import measure


def test_the_decode_stall_benchmark_runs(qapp) -> None:  # type: ignore[no-untyped-def]
    result = measure(count=2, side=300)
    assert set(result) == {"idle_max", "idle_p99", "busy_max", "busy_p99", "qt_max", "qt_p99", "pillow_max",
                           "pillow_p99", "ratio_max"}
    assert all(value >= 0 for value in result.values())
