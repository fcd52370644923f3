"""Fixtures of the data-layer tests: copies of raw folders to break, a local HTTP server."""

import contextlib
import functools
import http.server
import pathlib
import shutil
import socket
import threading

import pytest


@pytest.fixture
def copy_raw(data_root, tmp_path):
  """``copy_raw(folder, root=None) -> raw_dir``: a writable copy of ``<data_root>/<folder>/raw``.

  The copy lives at ``<root>/<folder>/raw`` (``root`` defaults to ``tmp_path / 'root'``) so it
  can be read by the readers directly or through ``jgssl.data.load(..., root=root)``.
  """

  def copy(folder, root=None):
    root = pathlib.Path(root) if root is not None else tmp_path / "root"
    dst = root / folder / "raw"
    shutil.copytree(data_root / folder / "raw", dst)
    for p in dst.iterdir():
      p.chmod(0o644)
    return dst

  return copy


class _QuietHandler(http.server.SimpleHTTPRequestHandler):

  def log_message(self, *args):  # keep pytest output clean
    pass


@contextlib.contextmanager
def serve_directory(directory):
  """Serves ``directory`` on 127.0.0.1 (random free port) from a thread; yields the base URL."""
  handler = functools.partial(_QuietHandler, directory=str(directory))
  server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
  thread = threading.Thread(target=server.serve_forever, daemon=True)
  thread.start()
  try:
    yield f"http://127.0.0.1:{server.server_address[1]}"
  finally:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def http_serve():
  """``http_serve(directory) -> base URL``; every server is shut down after the test."""
  stack = contextlib.ExitStack()

  def start(directory):
    return stack.enter_context(serve_directory(directory))

  with stack:
    yield start


@pytest.fixture
def closed_port_url():
  """A URL on 127.0.0.1 whose port was just freed: connections are refused (nothing listens)."""
  with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
  return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session", autouse=True)
def _verification_cache(tmp_path_factory):
  """Verified digests go to a session folder, not the user's ``~/.cache/jgssl/verified.json``
  (subprocesses inherit it through the environment)."""
  mp = pytest.MonkeyPatch()
  mp.setenv("JGSSL_CACHE_DIR", str(tmp_path_factory.mktemp("verify-cache")))
  yield
  mp.undo()
