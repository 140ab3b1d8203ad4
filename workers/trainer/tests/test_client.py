import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hounsfield_trainer import client


class FakeServer:
    """The run endpoints the client calls: metrics POSTs answer `status` while it is set (accepted batches are
    recorded); creating a run, transitions and GET of a run are recorded in `calls`."""

    def __init__(self):
        self.status, self.fail_next, self.requests, self.accepted, self.calls = 200, 0, [], [], []
        self.run_status = "RUNNING"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, code, body):
                self.send_response(code)
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def do_GET(self):
                outer.calls.append(("GET", self.path, None))
                self._answer(outer.status, {"id": self.path.rsplit("/", 1)[-1], "status": outer.run_status})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                code = outer.status
                if not self.path.endswith("/metrics"):
                    outer.calls.append(("POST", self.path, body))
                    return self._answer(code, {"id": "run-new"} if self.path == "/api/v1/runs" else {})
                outer.requests.append((self.path, self.headers.get("Authorization")))
                if outer.fail_next:
                    outer.fail_next -= 1
                    code = 503
                if code == 200:
                    outer.accepted.append(body["points"])
                self._answer(code, {})

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def _standalone(monkeypatch, server, tmp_path, run_id="run-9", **kwargs):
    monkeypatch.delenv("HOUNSFIELD_RUN_DIR", raising=False)
    monkeypatch.setenv("HOUNSFIELD_URL", server.url)
    monkeypatch.setenv("HOUNSFIELD_TOKEN", "tok-123")
    if run_id:
        monkeypatch.setenv("HOUNSFIELD_RUN_ID", run_id)
    else:
        monkeypatch.delenv("HOUNSFIELD_RUN_ID", raising=False)
    # Not at this test process's exit: the hooks are tested on their own below.
    monkeypatch.setattr(client, "_finish_on_exit", lambda run: None)
    return client.init(spool_path=str(tmp_path / "spool.jsonl"), backoff_s=0.01, max_retries=2, batch_size=1000, **kwargs)


def test_run_dir_mode_writes_the_contract(tmp_path, monkeypatch):
    monkeypatch.setenv("HOUNSFIELD_RUN_DIR", str(tmp_path / "run"))
    run = client.init(config={"lr": 0.1})
    assert run.mode == "run_dir"
    client.log({"loss": 0.5, "gn": float("nan"), "x": float("-inf")}, step=1)
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(b"abc")
    path = client.save_checkpoint({"model.safetensors": str(weights)}, step=1)
    client.finish()
    lines = open(tmp_path / "run" / "metrics.jsonl").read().splitlines()
    first = json.loads(lines[0], parse_constant=lambda c: pytest.fail(c))
    assert first["step"] == 1 and first["loss"] == 0.5 and first["gn"] == "NaN" and first["x"] == "-Infinity"
    assert json.loads(lines[1])["event"] == "checkpoint"
    assert open(os.path.join(path, "model.safetensors"), "rb").read() == b"abc"
    assert json.load(open(tmp_path / "run" / "final.json"))["status"] == "succeeded"
    assert json.load(open(tmp_path / "run" / "config.json")) == {"lr": 0.1}


def test_standalone_posts_with_token_and_retries(tmp_path, monkeypatch, server):
    server.fail_next = 2
    run = _standalone(monkeypatch, server, tmp_path)
    run.log({"loss": 1.25, "bad": float("inf")}, step=3)
    run.flush()
    assert len(server.requests) == 3  # two 503s, then accepted
    assert {r for r in server.requests} == {("/api/v1/runs/run-9/metrics", "Bearer tok-123")}
    points = server.accepted[0]
    assert [(p["key"], p["step"], p["value"]) for p in points] == [("loss", 3, 1.25), ("bad", 3, "Infinity")]
    assert all(isinstance(p["ts"], float) for p in points)
    assert not os.path.exists(tmp_path / "spool.jsonl")


def test_unreachable_server_spools_and_replays_in_order(tmp_path, monkeypatch, server):
    run = _standalone(monkeypatch, server, tmp_path)
    server.status = 503
    run.log({"loss": 1.0}, step=1)
    run.flush()
    run.log({"loss": 0.9}, step=2)
    run.flush()
    spool = tmp_path / "spool.jsonl"
    assert [json.loads(line)["points"][0]["step"] for line in open(spool)] == [1, 2]
    assert server.accepted == []
    server.status = 200
    run.log({"loss": 0.8}, step=3)
    run.finish()
    assert [[p["step"] for p in batch] for batch in server.accepted] == [[1], [2], [3]]
    assert not spool.exists()
    later = _standalone(monkeypatch, server, tmp_path)  # a new process replays a spool left behind
    assert later.mode == "http"


def test_spool_left_by_a_crashed_process_is_replayed_at_init(tmp_path, monkeypatch, server):
    spool = tmp_path / "spool.jsonl"
    spool.write_text(json.dumps({"points": [{"key": "loss", "step": 7, "value": "NaN", "ts": 1.0}]}) + "\n")
    _standalone(monkeypatch, server, tmp_path)
    assert server.accepted == [[{"key": "loss", "step": 7, "value": "NaN", "ts": 1.0}]]
    assert not spool.exists()


def test_refused_token_raises_instead_of_spooling(tmp_path, monkeypatch, server):
    run = _standalone(monkeypatch, server, tmp_path)
    server.status = 401
    run.log({"loss": 1.0}, step=1)
    with pytest.raises(client.ClientError, match="401"):
        run.flush()
    assert not os.path.exists(tmp_path / "spool.jsonl")


def test_init_creates_a_script_run_and_finish_marks_it_succeeded(tmp_path, monkeypatch, server):
    run = _standalone(monkeypatch, server, tmp_path, run_id=None, name="my experiment", config={"lr": 0.1}, tags=["a"])
    assert run.run_id == "run-new"
    assert server.calls[0] == ("POST", "/api/v1/runs", {"name": "my experiment", "driver": "script", "gpus": 0, "tags": ["a"], "config": {"lr": 0.1}})
    run.log({"loss": 1.0}, step=1)
    run.finish()
    assert server.accepted == [[{"key": "loss", "step": 1, "value": 1.0, "ts": server.accepted[0][0]["ts"]}]]
    assert server.calls[-1] == ("POST", "/api/v1/runs/run-new/transitions", {"to": "SUCCEEDED", "reason": "finished by the script"})
    run.finish()  # a second finish sends nothing
    assert len(server.calls) == 2


def test_attaching_to_a_queued_run_makes_it_running(tmp_path, monkeypatch, server):
    server.run_status = "QUEUED"
    _standalone(monkeypatch, server, tmp_path, run_id="run-9")
    assert [(c[1], c[2]) for c in server.calls] == [
        ("/api/v1/runs/run-9", None),
        ("/api/v1/runs/run-9/transitions", {"to": "STARTING", "reason": "attached by a script"}),
        ("/api/v1/runs/run-9/transitions", {"to": "RUNNING", "reason": "attached by a script"}),
    ]


def test_an_uncaught_exception_finishes_the_run_failed_with_the_error(tmp_path, monkeypatch, server):
    run = _standalone(monkeypatch, server, tmp_path, run_id=None, name="crashes")
    monkeypatch.undo()  # the real hooks, on a saved excepthook
    seen = []
    monkeypatch.setattr("sys.excepthook", lambda *a: seen.append(a[0]))
    monkeypatch.setattr("atexit.register", lambda fn: None)
    client._finish_on_exit(run)
    import sys
    sys.excepthook(ValueError, ValueError("loss exploded"), None)
    assert server.calls[-1] == ("POST", "/api/v1/runs/run-new/transitions", {"to": "FAILED", "reason": "ValueError: loss exploded"})
    assert seen == [ValueError]  # the original hook still prints the error


def test_finish_while_the_server_is_away_keeps_the_points_and_says_so(tmp_path, monkeypatch, server, capsys):
    run = _standalone(monkeypatch, server, tmp_path, run_id=None, name="offline")
    server.status = 503
    run.log({"loss": 1.0}, step=1)
    run.finish()
    assert "server unreachable" in capsys.readouterr().err
    assert [c for c in server.calls if c[1].endswith("/transitions")] == []
    server.status = 200
    run.finish()  # later, by hand: the points go out, then the end
    assert server.accepted and server.calls[-1][2]["to"] == "SUCCEEDED"
