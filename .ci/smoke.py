"""The installed wheel, in a venv with no test extras: it starts, replays a cassette, serves its inspector.

Run with that venv's python from outside the source tree, the repository's path as argument.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import mockgem

repository = Path(sys.argv[1])
assert not str(Path(mockgem.__file__).resolve()).startswith(str(repository.resolve())), "mockgem imported from the source tree"
assert not any(importlib.util.find_spec(name) for name in ("pytest", "openai", "mypy")), "test extras installed"
version = subprocess.run([sys.executable, "-m", "mockgem", "--version"], capture_output=True, text=True, check=True).stdout
assert version == f"mockgem {mockgem.__version__}\n", version

command = [str(Path(sys.executable).parent / "mockgem"), "serve", "--port", "0", "--example"]
server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
try:
    assert server.stdout is not None
    url = server.stdout.readline().split()[-1]
    body = json.dumps({"contents": [{"parts": [{"text": "What is the capital of France?"}], "role": "user"}]}).encode()
    request = urllib.request.Request(f"{url}/v1beta/models/gemini-2.5-flash:generateContent?key=k", data=body, method="POST")
    with urllib.request.urlopen(request) as response:
        text = json.load(response)["candidates"][0]["content"]["parts"][0]["text"]
    with urllib.request.urlopen(f"{url}/_mockgem/") as page, urllib.request.urlopen(f"{url}/_mockgem/inspector.js") as script:
        assert b"mockgem inspector" in page.read() and b"refresh" in script.read()
finally:
    server.terminate()
    server.wait(timeout=10)
print(f"smoke: mockgem {mockgem.__version__} from the wheel replayed {text!r} and served its inspector")
