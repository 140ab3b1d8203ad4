import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hounsfield_trainer import client


class FakeServer:
    """A tiny metrics endpoint: answers `status` to each POST while it is set, records accepted batches."""

    def __init__(self):
        self.status, self.fail_next, self.requests, self.accepted = 200, 0, [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, self.headers.get("Authorization")))
                code = outer.status
                if outer.fail_next:
                    outer.fail_next -= 1
                    code = 503
                if code == 200:
                    outer.accepted.append(body["points"])
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"{}")

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


def _standalone(monkeypatch, server, tmp_path):
    monkeypatch.delenv("HOUNSFIELD_RUN_DIR", raising=False)
    monkeypatch.setenv("HOUNSFIELD_URL", server.url)
    monkeypatch.setenv("HOUNSFIELD_TOKEN", "tok-123")
    monkeypatch.setenv("HOUNSFIELD_RUN_ID", "run-9")
    return client.init(spool_path=str(tmp_path / "spool.jsonl"), backoff_s=0.01, max_retries=2, batch_size=1000)


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
