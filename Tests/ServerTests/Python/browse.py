"""Loads a page in a real headless Chromium and reports what a test needs to check.

Drives Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3 in,
fd 4 out), standard library only. Prints one JSON object:
  {"result": <the value of --eval>, "requests": [every URL the page asked for],
   "console": [console messages and log entries of level warning/error],
   "exceptions": [uncaught script errors], "status": <HTTP status of the page>}
and writes a full-page PNG to --screenshot.

  python3 browse.py --chromium /usr/bin/chromium --url http://127.0.0.1:5000/ \
      --eval 'document.title' --screenshot out.png [--width 1280 --height 800] [--wait-for JS]
"""
import argparse
import base64
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="track-chromium-")
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # The child reads commands on fd 3 and writes answers on fd 4.
        def setup():
            # Out of the way first (a pipe end may itself be fd 3 or 4), then into place.
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
             "--user-data-dir=" + self.profile, "--window-size=%d,%d" % (width, height),
             "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(os.environ.get("BROWSE_LOG", os.devnull), "wb"),
            preexec_fn=setup, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self.out = os.fdopen(to_child_w, "wb", buffering=0)
        self.inp = os.fdopen(from_child_r, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium in time")
            chunk = os.read(self.inp.fileno(), 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe (exit %s)" % self.process.poll())
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=True, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.out.write(json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        for event in self.events:
            if predicate(event):
                return event
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if predicate(event):
                return event

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        subprocess.run(["rm", "-rf", self.profile])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--eval", default="null")
    parser.add_argument("--wait-for", default=None,
                        help="a JS expression; evaluated until true before --eval")
    parser.add_argument("--screenshot", default=None)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()

    browser = Browser(args.chromium, args.width, args.height)
    try:
        targets = browser.send("Target.getTargets", session=False)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        browser.session = browser.send(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
            session=False)["sessionId"]
        for domain in ["Page", "Network", "Runtime", "Log"]:
            browser.send(domain + ".enable")
        browser.send("Emulation.setDeviceMetricsOverride", {
            "width": args.width, "height": args.height, "deviceScaleFactor": 1,
            "mobile": args.width < 600})
        browser.send("Page.navigate", {"url": args.url})
        browser.wait_for(lambda e: e.get("method") == "Page.loadEventFired", args.timeout)
        if args.wait_for:
            deadline = time.time() + args.timeout
            while True:
                value = browser.send("Runtime.evaluate", {
                    "expression": args.wait_for, "returnByValue": True})
                if value.get("result", {}).get("value") is True:
                    break
                if time.time() > deadline:
                    raise TimeoutError("--wait-for never became true: " + args.wait_for)
                time.sleep(0.2)
        time.sleep(0.3)  # let late requests and console messages arrive
        evaluated = browser.send("Runtime.evaluate", {
            "expression": "JSON.stringify((function(){ return (%s); })())" % args.eval,
            "returnByValue": True})
        if "exceptionDetails" in evaluated:
            raise RuntimeError("--eval threw: %s" % evaluated["exceptionDetails"])
        result = json.loads(evaluated["result"].get("value") or "null")
        if args.screenshot:
            metrics = browser.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = browser.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": args.width,
                         "height": min(6000, max(args.height, size["height"])), "scale": 1}})
            with open(args.screenshot, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
        # Drain what has arrived without blocking.
        requests, console, exceptions, status = [], [], [], None
        for event in browser.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                requests.append(params["request"]["url"])
            elif method == "Network.responseReceived" and params.get("type") == "Document":
                status = params["response"]["status"]
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                console.append({"level": params["type"], "text": " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", []))})
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                console.append({"level": params["entry"]["level"], "text": params["entry"]["text"],
                                "url": params["entry"].get("url", "")})
            elif method == "Runtime.exceptionThrown":
                exceptions.append(params["exceptionDetails"].get("exception", {}).get(
                    "description", params["exceptionDetails"].get("text", "")))
        print(json.dumps({"result": result, "requests": requests, "console": console,
                          "exceptions": exceptions, "status": status}))
    finally:
        browser.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # the test prints this
        print("browse.py: %s" % error, file=sys.stderr)
        sys.exit(1)
