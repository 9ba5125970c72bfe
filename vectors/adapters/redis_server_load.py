#!/usr/bin/env python3
"""redis-server behind the aofsim vector contract (the load group).

One JSON request per line on stdin, one JSON answer per line on stdout (docs/porting.md).
Each request's AOF is written as appendonly.aof in a fresh temporary directory, and
redis-server (7.0: it migrates the legacy file into appendonlydir and loads it) is started
there on 127.0.0.1 and a free port, with aof-load-truncated as the request says. Once it is
ready, the dataset is read over RESP and rendered as `aofsim load --dump` renders it; if it
exits instead, its log says why. Redis's log lines are mapped to the outcomes and the seed's
messages the vectors use:

  "Bad file format reading the append only file"      -> bad-format
  "Unexpected end of file reading the append only file" -> unexpected-eof
  "Unknown command '<c>' reading the append only file"  -> unknown-command
  "!!! Truncating the AOF <f> at offset <n> !!!"        -> truncated, valid_up_to n
  "sending an error to its AOF-loading-client"          -> one replay error each
  any other exit (a crash)                               -> crashed

A zero-length file is "empty". The binary is $REDIS_SERVER, or redis-server on PATH.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("REDIS_SERVER", "redis-server")
BAD_FORMAT = ("Bad file format reading the append only file: make a backup of your AOF file, "
              "then use ./redis-check-aof --fix <filename>")
UNEXPECTED_EOF = "Unexpected end of file reading the append only file"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Resp:
    """A minimal RESP2 client: commands as arrays of bulk strings, replies parsed recursively."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def close(self):
        self.sock.close()

    def call(self, *argv: str):
        out = b"*%d\r\n" % len(argv)
        for a in argv:
            b = a.encode("latin-1")
            out += b"$%d\r\n%s\r\n" % (len(b), b)
        self.sock.sendall(out)
        return self.reply()

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n: int) -> bytes:
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+",):
            return rest.decode("latin-1")
        if kind == b"-":
            raise RuntimeError(rest.decode("latin-1"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.exact(n).decode("latin-1")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")


def dump(c: Resp) -> list:
    """Every key of the 16 dbs as `aofsim load --dump` objects, by db then key bytes."""
    out = []
    for db in range(16):
        c.call("SELECT", str(db))
        keys, cursor = set(), "0"
        while True:
            cursor, batch = c.call("SCAN", cursor, "COUNT", "1000")
            keys.update(batch)
            if cursor == "0":
                break
        for key in sorted(keys):
            kind = c.call("TYPE", key)
            ttl = c.call("PEXPIRETIME", key)
            if kind == "string":
                value = c.call("GET", key)
            elif kind == "list":
                value = c.call("LRANGE", key, "0", "-1")
            elif kind == "set":
                value = sorted(c.call("SMEMBERS", key))
            elif kind == "hash":
                flat = c.call("HGETALL", key)
                value = sorted([[flat[i], flat[i + 1]] for i in range(0, len(flat), 2)])
            elif kind == "zset":
                flat = c.call("ZRANGE", key, "0", "-1", "WITHSCORES")
                value = [[flat[i], flat[i + 1]] for i in range(0, len(flat), 2)]
            else:
                raise RuntimeError(f"type {kind} is not in the dump format")
            out.append({"db": db, "key": key, "type": kind, "expireAt": None if ttl == -1 else ttl, "value": value})
    return out


def load(aof: bytes, truncated: bool) -> dict:
    result = {"outcome": "loaded", "message": None, "valid_up_to": None, "replay_errors": 0, "dataset": None}
    with tempfile.TemporaryDirectory(prefix="aofsim-redis-load-") as d:
        with open(os.path.join(d, "appendonly.aof"), "wb") as f:
            f.write(aof)
        logfile = os.path.join(d, "redis.log")
        port = free_port()
        proc = subprocess.Popen(
            [BIN, "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "no", "--save", "",
             "--dir", d, "--logfile", logfile, "--appendonly", "yes", "--appendfilename", "appendonly.aof",
             "--aof-use-rdb-preamble", "no", "--aof-load-truncated", "yes" if truncated else "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            ready = False
            while time.monotonic() < deadline:
                text = open(logfile, encoding="latin-1").read() if os.path.exists(logfile) else ""
                if "Ready to accept connections" in text:
                    ready = True
                    break
                if proc.poll() is not None:
                    break
                time.sleep(0.02)
            if not ready:
                proc.wait(timeout=10)
            log = open(logfile, encoding="latin-1").read() if os.path.exists(logfile) else ""
            result["replay_errors"] = log.count("sending an error to its AOF-loading-client")
            if not ready:
                m = re.search(r"Unknown command '(.*)' reading the append only file", log)
                if "Bad file format reading the append only file" in log:
                    result.update(outcome="bad-format", message=BAD_FORMAT)
                elif "Unexpected end of file reading the append only file" in log:
                    result.update(outcome="unexpected-eof", message=UNEXPECTED_EOF)
                elif m:
                    result.update(outcome="unknown-command", message=f"Unknown command '{m.group(1)}' reading the append only file")
                else:
                    result.update(outcome="crashed", message=f"redis-server exited with {proc.returncode}")
                return result
            m = re.search(r"!!! Truncating the AOF \S+ at offset (\d+) !!!", log)
            if m:
                result.update(outcome="truncated", valid_up_to=int(m.group(1)))
            elif len(aof) == 0:
                result["outcome"] = "empty"
            c = Resp(port)
            try:
                result["dataset"] = dump(c)
            finally:
                c.close()
            return result
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            if req.get("group") != "load":
                raise ValueError(f"this adapter runs the load group only, not {req.get('group')!r}")
            inp = req["input"]
            answer = {"id": rid, "output": load(inp["aof"].encode("latin-1"), bool(inp.get("load_truncated")))}
        except Exception as e:  # one answer per request, whatever went wrong
            answer = {"id": rid, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
