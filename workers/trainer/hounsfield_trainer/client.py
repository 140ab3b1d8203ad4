"""Logging client for your own training scripts (standard library only; this file can be copied alone).

    from hounsfield_trainer import client as hf
    hf.init(name="my experiment", config={"lr": 3e-4})
    hf.log({"loss": 0.41, "lr": 3e-4}, step=10)
    hf.save_checkpoint({"model.safetensors": "out/model.safetensors"}, step=10)
    hf.finish()

Started by the Hounsfield agent (HOUNSFIELD_RUN_DIR set): writes the run-directory contract (metrics.jsonl,
checkpoints/step-N/, final.json) and the agent ships it. Standalone (HOUNSFIELD_URL and HOUNSFIELD_TOKEN, a token
with the runs:write scope): init(name=...) creates a run that your script drives (RUNNING at once, never given
to a worker), or attaches to HOUNSFIELD_RUN_ID (a queued run becomes RUNNING). Metric batches go to
{url}/api/v1/runs/{id}/metrics, retried with exponential backoff; batches that still fail go to a spool file and
are replayed before later posts and at finish(). The server is idempotent on (run, key, step), so a replayed
batch never duplicates points. finish() marks the run SUCCEEDED (or FAILED); an uncaught exception finishes it
as FAILED with the error; a script killed before finishing becomes LOST once it stops writing.
"""
import json
import math
import os
import shutil
import sys
import time
import urllib.error
import urllib.request

RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class ClientError(RuntimeError):
    pass


class Unreachable(ClientError):
    """The server did not answer (network errors and 5xx) after the retries."""


def _json_value(v):
    v = float(v)
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def _write_line(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n")


class Run:
    def __init__(self, run_dir=None, url=None, token=None, run_id=None, config=None, spool_path=None,
                 batch_size=500, max_retries=3, backoff_s=0.5, timeout_s=10.0, name=None, tags=None):
        self.run_dir, self.url, self.token, self.run_id = run_dir, url, token, run_id
        self.batch_size, self.max_retries = batch_size, max_retries
        self.backoff_s, self.timeout_s = backoff_s, timeout_s
        self._pending = []
        self._finished = False
        if run_dir:
            os.makedirs(run_dir, exist_ok=True)
            if config is not None:
                with open(os.path.join(run_dir, "config.json"), "w") as f:
                    json.dump(config, f, indent=2, sort_keys=True)
        elif url:
            if not token:
                raise ClientError("standalone mode needs HOUNSFIELD_TOKEN with HOUNSFIELD_URL")
            if run_id:
                self._attach()
            else:
                self.run_id = self._request("POST", "/runs", {
                    "name": name or os.path.basename(sys.argv[0] or "script") or "script", "driver": "script",
                    "gpus": 0, "tags": list(tags or []), **({"config": config} if config is not None else {})})["id"]
            self.spool_path = spool_path or os.path.join(os.getcwd(), f".hounsfield-spool-{self.run_id}.jsonl")
            self._replay_spool()
        else:
            raise ClientError("set HOUNSFIELD_RUN_DIR (under the agent) or HOUNSFIELD_URL and HOUNSFIELD_TOKEN")

    @property
    def mode(self):
        return "run_dir" if self.run_dir else "http"

    def log(self, values, step):
        ts = time.time()
        if self.run_dir:
            record = {"step": int(step), "ts": ts}
            record.update({k: _json_value(v) for k, v in values.items()})
            _write_line(os.path.join(self.run_dir, "metrics.jsonl"), record)
            return
        self._pending += [{"key": k, "step": int(step), "value": _json_value(v), "ts": ts} for k, v in values.items()]
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self):
        if self.run_dir or not self._pending:
            return
        batch, self._pending = self._pending, []
        if not (self._replay_spool() and self._post(batch)):
            _write_line(self.spool_path, {"points": batch})

    def save_checkpoint(self, files, step, metadata=None):
        """Copy files ({name in checkpoint: source path}) into checkpoints/step-N/ atomically; returns that folder.
        Standalone runs keep checkpoints next to the spool file (uploads are the agent's job)."""
        root = os.path.join(self.run_dir or os.path.dirname(os.path.abspath(self.spool_path)), "checkpoints")
        final = os.path.join(root, f"step-{int(step)}")
        tmp = os.path.join(root, f".tmp-step-{int(step)}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        for name, src in files.items():
            shutil.copyfile(src, os.path.join(tmp, name))
        if metadata:
            with open(os.path.join(tmp, "checkpoint.json"), "w") as f:
                json.dump(metadata, f, indent=2, sort_keys=True)
        if os.path.exists(final):
            shutil.rmtree(final)
        os.rename(tmp, final)
        if self.run_dir:
            _write_line(os.path.join(self.run_dir, "metrics.jsonl"),
                        {"event": "checkpoint", "ts": time.time(), "step": int(step),
                         "path": os.path.relpath(final, self.run_dir)})
        return final

    def finish(self, status="succeeded", reason=None):
        if self._finished:
            return
        self._finished = True
        if self.run_dir:
            marker = {"status": status, "ts": time.time()}
            if reason:
                marker["reason"] = reason
            with open(os.path.join(self.run_dir, "final.json"), "w") as f:
                json.dump(marker, f)
            return
        self.flush()
        if not self._replay_spool():
            print(f"hounsfield: server unreachable; points kept in {self.spool_path}, run left for the server to mark "
                  "LOST (run the script's finish() again later to send them)", file=sys.stderr)
            self._finished = False
            return
        to = "SUCCEEDED" if status == "succeeded" else "FAILED"
        self._request("POST", f"/runs/{self.run_id}/transitions", {"to": to, "reason": (reason or "finished by the script")[:2000]})

    def _attach(self):
        """An existing run: one that waits in the queue becomes this script's (STARTING, then RUNNING)."""
        run = self._request("GET", f"/runs/{self.run_id}")
        if run.get("status") == "QUEUED":
            for to in ("STARTING", "RUNNING"):
                self._request("POST", f"/runs/{self.run_id}/transitions", {"to": to, "reason": "attached by a script"})

    def _request(self, method, path, body=None):
        """One JSON call with retries on network errors and 5xx; a 4xx raises with the server's problem text."""
        data = None if body is None else json.dumps(body, allow_nan=False).encode()
        url = f"{self.url.rstrip('/')}/api/v1{path}"
        for attempt in range(self.max_retries + 1):
            headers = {"Authorization": f"Bearer {self.token}", **({"Content-Type": "application/json"} if data else {})}
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                    text = r.read()
                return json.loads(text) if text else {}
            except urllib.error.HTTPError as e:
                if e.code not in RETRY_STATUS:
                    raise ClientError(f"{method} {path} refused ({e.code}): {e.read()[:500]!r}") from None
            except (urllib.error.URLError, OSError):
                pass
            if attempt < self.max_retries:
                time.sleep(self.backoff_s * 2 ** attempt)
        raise Unreachable(f"{method} {path}: server unreachable")

    def _replay_spool(self):
        """Post spooled batches oldest first; True when the spool is empty afterwards."""
        path = self.spool_path
        if not os.path.exists(path):
            return True
        with open(path) as f:
            batches = [json.loads(line)["points"] for line in f if line.endswith("\n")]
        for i, batch in enumerate(batches):
            if not self._post(batch):
                tmp = path + ".tmp"
                with open(tmp, "w") as f:
                    for rest in batches[i:]:
                        f.write(json.dumps({"points": rest}, separators=(",", ":")) + "\n")
                os.replace(tmp, path)
                return False
        os.unlink(path)
        return True

    def _post(self, points):
        """True when the server took the batch; False after the retries ran out (the caller spools it)."""
        try:
            self._request("POST", f"/runs/{self.run_id}/metrics", {"points": points})
            return True
        except Unreachable:
            print(f"hounsfield: server unreachable, spooled {len(points)} points to {self.spool_path}", file=sys.stderr)
            return False


_current = None


def init(config=None, **kwargs):
    """Start logging; settings default to the HOUNSFIELD_* environment the agent (or you) provide."""
    global _current
    env = os.environ
    kwargs.setdefault("run_dir", env.get("HOUNSFIELD_RUN_DIR"))
    if not kwargs["run_dir"]:
        kwargs.setdefault("url", env.get("HOUNSFIELD_URL"))
        kwargs.setdefault("token", env.get("HOUNSFIELD_TOKEN"))
        kwargs.setdefault("run_id", env.get("HOUNSFIELD_RUN_ID"))
    _current = Run(config=config, **kwargs)
    if _current.mode == "http":
        _finish_on_exit(_current)
    return _current


def _finish_on_exit(run):
    """Like the other trackers: an uncaught exception ends the run FAILED with the error, a normal exit without
    finish() SUCCEEDED. A process killed outright runs neither, and its run is marked LOST by the server."""
    import atexit
    previous = sys.excepthook

    def hook(kind, value, tb):
        try:
            run.finish("failed", f"{kind.__name__}: {value}")
        except Exception as e:  # the original error matters more than this one
            print(f"hounsfield: could not mark the run failed: {e}", file=sys.stderr)
        previous(kind, value, tb)

    sys.excepthook = hook
    atexit.register(lambda: run._finished or run.finish())


def _run():
    if _current is None:
        raise ClientError("call init() first")
    return _current


def log(values, step):
    _run().log(values, step)


def save_checkpoint(files, step, metadata=None):
    return _run().save_checkpoint(files, step, metadata)


def finish(status="succeeded", reason=None):
    _run().finish(status, reason)
