import os
import re
import subprocess
import sys

from conftest import TRAINER

LINE = re.compile(r"^bench (\S+): [\d.e+-]+ \S+ \(baseline [\d.e+-]+ .+, ratio (?:[\d.]+|nan)\)$")


def test_gpu_check_runs_on_the_cpu_with_quick_so_it_cannot_rot():
    """npm run bench:trainer:gpu is meant for a GPU machine; --quick runs the same code here in seconds."""
    out = subprocess.run([sys.executable, "bench/bench_trainer.py", "--gpu-check", "--quick"], cwd=TRAINER,
                         env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert all(LINE.match(line) for line in lines), lines
    names = {LINE.match(line).group(1) for line in lines}
    for objective in ("mae", "dino"):
        for figure in ("gpu_samples_per_s", "data_wait", "loader_samples_per_s"):
            assert f"trainer.{objective}.{figure}" in names
