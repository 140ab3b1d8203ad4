"""metrics.jsonl writer: one strict-JSON object per line, NaN/Infinity written as the strings
"NaN", "Infinity", "-Infinity" (plain JSON has no such numbers)."""
import json
import math
import os
import time


def encode_value(v):
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def decode_value(v):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) if isinstance(v, str) else v


def dumps_line(record):
    return json.dumps({k: encode_value(v) for k, v in record.items()}, allow_nan=False, separators=(",", ":")) + "\n"


class MetricsLog:
    """Append-only; each record goes out in one write and flush so a tailer sees whole lines only at '\\n'."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self._f = open(path, "a", buffering=1)

    def log(self, step, values, ts=None):
        self._f.write(dumps_line({"step": int(step), "ts": time.time() if ts is None else ts, **values}))
        self._f.flush()

    def event(self, name, **fields):
        self._f.write(dumps_line({"event": name, "ts": time.time(), **fields}))
        self._f.flush()

    def close(self):
        self._f.close()


class NullLog:
    def log(self, step, values, ts=None):
        pass

    def event(self, name, **fields):
        pass

    def close(self):
        pass


def read_metrics(path):
    """Parse metrics.jsonl back (special strings become floats); returns (step records, event records)."""
    steps, events = [], []
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):
                break
            rec = {k: decode_value(v) for k, v in json.loads(line).items()}
            (events if "event" in rec else steps).append(rec)
    return steps, events
