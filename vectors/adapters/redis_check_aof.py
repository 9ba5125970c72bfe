#!/usr/bin/env python3
"""redis-check-aof behind the aofsim vector contract (the check group).

One JSON request per line on stdin, one JSON answer per line on stdout (docs/porting.md).
Each request's AOF is written to appendonly.aof in a fresh temporary directory; the answer is
redis-check-aof's exit code and report (every line it prints), and the file's size after `redis-check-aof --fix` (answered "y"), or its size when it
was valid. The binary is $REDIS_CHECK_AOF, or redis-check-aof on PATH.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN = os.environ.get("REDIS_CHECK_AOF", "redis-check-aof")


def check(aof: bytes) -> dict:
    with tempfile.TemporaryDirectory(prefix="aofsim-check-aof-") as d:
        path = os.path.join(d, "appendonly.aof")
        with open(path, "wb") as f:
            f.write(aof)
        r = subprocess.run([BIN, "appendonly.aof"], cwd=d, capture_output=True, timeout=60, check=False)
        report = r.stdout.decode("latin-1").splitlines()
        size = len(aof)
        if r.returncode != 0:
            subprocess.run([BIN, "--fix", "appendonly.aof"], cwd=d, input=b"y\n", capture_output=True, timeout=60, check=False)
            size = os.path.getsize(path)
        return {"exit": r.returncode, "report": report, "size_after_fix": size}


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            if req.get("group") != "check":
                raise ValueError(f"this adapter runs the check group only, not {req.get('group')!r}")
            answer = {"id": rid, "output": check(req["input"]["aof"].encode("latin-1"))}
        except Exception as e:  # one answer per request, whatever went wrong
            answer = {"id": rid, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
