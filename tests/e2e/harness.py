# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end harness: a real emulator process, real ansible-playbook runs, and assertions on
the emulator's state and request log.

    with EmulatorProcess() as emulator:
        harness = Harness(emulator, collections_dir, workdir)
        run = harness.run([{"scim.slack.slack_scim_user": {...}}], check=True)
        assert run.changed and run.writes == []

Every run is checked for the token in everything it printed or returned.

Two execution modes, chosen by the environment variable SCIM_SLACK_E2E_MODE (or per harness or run):

- ``controller`` (the default): the play's host is localhost on a local connection with the
  controller's own Python, so the collection's action plugins run the modules' code in-process;
- ``remote``: the same host, with ``ansible_python_interpreter`` pointing at another path (a wrapper
  that runs the same Python and records each module it runs), so the action plugins fall back to
  executing the modules, as for any host other than the controller.  ``Run.module_runs`` lists the
  modules executed, by name.

In controller mode, a run in which one of the collection's modules ran as a module anyway (the action plugins
fell back: in-process execution does not work on this ansible-core, or the harness's Python is not the one
the play names) fails its test, unless the run says it means that (``modules_expected``): otherwise the suite
would pass, slower, without running the in-process code at all.  ``Run.module_runs`` lists them too.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "xoxp-e2e-secret-token-7f3a9c"
READ_METHODS = ("GET", "HEAD")
# Requests that change nothing although their method is POST: Slack documents auth.test as a POST.
READ_ONLY_POSTS = ("/api/auth.test",)
# Totals over a test session, printed at its end by conftest.py.
TOTALS = {"playbook runs": 0, "requests": 0, "token checks passed": 0, "modules executed": 0}
MODES = ("controller", "remote")
# The interpreter of remote mode: the same Python, under another path, noting each module it runs.
REMOTE_PYTHON = """#!/bin/sh
for arg in "$@"; do case "$arg" in *AnsiballZ_*) echo "$arg" >> "%(log)s";; esac; done
exec "%(python)s" "$@"
"""
# Runs a command and writes the peak resident memory (KiB) of its largest descendant to a file.
PEAK_RSS_WRAPPER = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[2:]); "
                    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
                    "sys.exit(rc)")


class EmulatorProcess:
    """``python -m slack_scim_emulator --port 0`` in the background, stopped on exit."""

    def __init__(self, workdir, rate_limit_scale=0.0, extra_args=()):
        self.workdir = workdir
        self.rate_limit_scale = rate_limit_scale
        self.extra_args = list(extra_args)
        self.process = None
        self.url = None

    def __enter__(self):
        url_file = os.path.join(self.workdir, "emulator.url")
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tools"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slack_scim_emulator", "--port", "0", "--token", TOKEN, "--url-file", url_file,
             "--rate-limit-scale", str(self.rate_limit_scale)] + self.extra_args,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while not os.path.exists(url_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("emulator did not start: %s" % self.process.stderr.read().decode())
            time.sleep(0.05)
        with open(url_file) as handle:
            self.url = handle.read().strip()
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(timeout=10)

    def control(self, method, route, body=None):
        response = requests.request(method, "%s/_control/%s" % (self.url, route), json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def reset(self):
        self.control("POST", "reset")

    def log(self):
        return self.control("GET", "log")["requests"]

    def state(self):
        return self.control("GET", "state")

    def scim(self, method, path, api_version="v2", **kwargs):
        return requests.request(method, "%s/scim/%s/%s" % (self.url, api_version, path),
                                headers={"Authorization": "Bearer " + TOKEN}, timeout=30, **kwargs)

    def users(self):
        return {u["userName"]: u for u in self.state()["users"]}

    def groups(self):
        return {g["displayName"]: g for g in self.state()["groups"]}

    def base_url(self, api_version):
        return "%s/scim/%s/" % (self.url, api_version)


def module_name(path):
    """``slack_scim_user`` for ``.../AnsiballZ_slack_scim_user.py``."""
    return os.path.basename(path)[len("AnsiballZ_"):].rsplit(".", 1)[0]


def is_read(request):
    return request["method"] in READ_METHODS or request["path"] in READ_ONLY_POSTS


def read_results(path):
    """What the scim_results callback wrote: (the task results, the plays' starts), both empty without a file."""
    entries = []
    if os.path.exists(path):
        with open(path) as handle:
            entries = [json.loads(line) for line in handle if line.strip()]
    return ([entry for entry in entries if "play_start" not in entry],
            [entry for entry in entries if "play_start" in entry])


def e2e_mode():
    """The execution mode of this test session: SCIM_SLACK_E2E_MODE, controller by default."""
    mode = os.environ.get("SCIM_SLACK_E2E_MODE") or "controller"
    if mode not in MODES:
        raise RuntimeError("SCIM_SLACK_E2E_MODE must be one of %s, not %r" % (", ".join(MODES), mode))
    return mode


def diff_of(result):
    """A result's diff with each side parsed back from the JSON text the modules return (sync: a list)."""
    def parsed(entry):
        return dict(entry, before=json.loads(entry["before"]), after=json.loads(entry["after"]))
    diff = result["diff"]
    return [parsed(entry) for entry in diff] if isinstance(diff, list) else parsed(diff)


class Run:
    def __init__(self, rc, output, results, requests_made, seconds=None, peak_rss_kb=None, mode="controller",
                 module_runs=None, play_starts=()):
        self.rc = rc
        self.play_starts = play_starts  # what the scim_results callback noted of each play's start
        self.mode = mode
        self.module_runs = module_runs
        self.seconds = seconds
        self.peak_rss_kb = peak_rss_kb
        self.output = output
        self.results = results
        self.requests = requests_made
        self.writes = [r for r in requests_made if not is_read(r)]
        self.reads = [r for r in requests_made if is_read(r)]

    @property
    def changed(self):
        return any(r["result"].get("changed") for r in self.results)

    @property
    def failed(self):
        return self.rc != 0 or any(r["status"] in ("failed", "item_failed") for r in self.results)

    def phases(self, starts, count):
        """This run of several plays (phases) as one Run a phase: its results, requests and output."""
        times = [entry["time"] for entry in starts] + [float("inf")] * (count + 1 - len(starts))
        outputs = self.output.split("\nPLAY [phase ")
        runs = []
        for index in range(count):
            name = "phase %d" % index
            results = [entry for entry in self.results if entry.get("play") == name]
            made = [request for request in self.requests if times[index] <= request["time"] < times[index + 1]]
            output = outputs[index + 1] if index + 1 < len(outputs) else ""
            runs.append(Run(self.rc, output, results, made, self.seconds, self.peak_rss_kb, self.mode,
                            self.module_runs))
        return runs

    def result(self, task=None):
        """The result of the named task (or of the last task)."""
        matches = [r for r in self.results if task is None or r["task"] == task]
        assert matches, "no result for task %r in %s" % (task, [r["task"] for r in self.results])
        return matches[-1]["result"]

    def __repr__(self):
        return "Run(rc=%s, changed=%s, writes=%d, reads=%d)\n%s" % (
            self.rc, self.changed, len(self.writes), len(self.reads), self.output[-4000:])


class Harness:
    def __init__(self, emulator, collections_dir, workdir, mode=None):
        self.emulator = emulator
        self.collections_dir = collections_dir
        self.workdir = workdir
        self.count = 0
        self.mode = mode or e2e_mode()

    def python_interpreter(self, mode=None):
        """ansible_python_interpreter for a mode: this Python, or (remote) a wrapper around it."""
        if (mode or self.mode) == "controller":
            return sys.executable
        folder = os.path.join(self.workdir, "remote-python")
        path = os.path.join(folder, "python")
        if not os.path.exists(path):
            os.makedirs(folder, exist_ok=True)
            with open(path, "w") as handle:
                handle.write(REMOTE_PYTHON % {"log": os.path.join(folder, "modules.log"), "python": sys.executable})
            os.chmod(path, 0o755)
        return path

    def _module_log(self):
        path = os.path.join(self.workdir, "remote-python", "modules.log")
        if not os.path.exists(path):
            return []
        with open(path) as handle:
            return [line.strip() for line in handle if line.strip()]

    def _kept_modules_dir(self):
        return os.path.join(self.workdir, "remote-tmp")

    def _kept_modules(self):
        """The AnsiballZ files ansible-core kept in controller mode's remote temporary folder."""
        return set(glob.glob(os.path.join(self._kept_modules_dir(), "*", "AnsiballZ_*.py")))

    def run(self, tasks, check=False, diff=False, api_version="v2", extra_args=(), env=None, verbosity=0,
            connection_defaults=True, measure_memory=False, mode=None, timeout=600, phases=None,
            modules_expected=False):
        """Run ``tasks`` as one play on localhost; return the Run with results and the requests it made.
        ``mode`` overrides the harness's execution mode for this run; a run past ``timeout`` seconds (a hung
        playbook) fails the test.  ``phases`` (a list of play keywords, such as ``{"check_mode": True}``) runs
        the tasks once a phase, each phase a play of the one ansible-playbook run, and returns a Run a phase."""
        play = {"name": "e2e", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
        if connection_defaults:
            play["module_defaults"] = {"group/scim.slack.slack_scim": {
                "api_url": self.emulator.base_url(api_version), "api_version": api_version,
                "retries": {"max_wait": 10}}}
        plays = [dict(play, name="phase %d" % index, **keywords) for index, keywords in enumerate(phases or [{}])]
        playbook = os.path.join(self.workdir, "play%03d.yml" % (self.count + 1))  # numbered as its run_playbook
        with open(playbook, "w") as handle:
            json.dump(plays, handle, indent=1)
        # Further playbooks in extra_args must follow this one, before any option: ansible-playbook takes its
        # playbooks as one run of positional arguments.
        run = self.run_playbook(playbook, check, diff, list(extra_args) + ["-c", "local"], env, verbosity,
                                measure_memory, mode, timeout, modules_expected)
        return run.phases(run.play_starts, len(phases)) if phases else run

    def run_playbook(self, playbook, check=False, diff=False, extra_args=(), env=None, verbosity=0,
                     measure_memory=False, mode=None, timeout=600, modules_expected=False):
        """Run a playbook file from its own folder, on the inventory ``localhost,``, the way ``run`` runs its
        play (see there); ``env`` adds to this process's environment, and a variable it sets to None is left
        out.  In controller mode, the collection's modules must not run as modules unless ``modules_expected``
        (see the module's docstring).  Returns the Run."""
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))
        self.count += 1
        results_file = os.path.join(self.workdir, "results%03d.jsonl" % self.count)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                   playbook] + list(extra_args)
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        run_env = dict(os.environ)
        run_env.update({
            "ANSIBLE_COLLECTIONS_PATH": self.collections_dir,
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(ROOT, "tests", "e2e", "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "scim_results",
            "ANSIBLE_PYTHON_INTERPRETER": self.python_interpreter(mode),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": os.path.join(self.workdir, "tmp"),
            "SCIM_RESULTS_FILE": results_file,
            "SLACK_SCIM_TOKEN": TOKEN,
        })
        if mode == "controller":  # a module that runs leaves its AnsiballZ file behind, to be counted
            run_env.update({"ANSIBLE_REMOTE_TEMP": self._kept_modules_dir(), "ANSIBLE_KEEP_REMOTE_FILES": "1"})
        run_env.update(env or {})
        run_env = {name: value for name, value in run_env.items() if value is not None}
        peak_file = os.path.join(self.workdir, "peak%03d" % self.count)
        if measure_memory:
            command = [sys.executable, "-c", PEAK_RSS_WRAPPER, peak_file] + command
        since = len(self.emulator.log())
        modules_before = len(self._module_log())
        kept_before = self._kept_modules()
        started = time.monotonic()
        completed = subprocess.run(command, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   cwd=os.path.dirname(playbook), timeout=timeout, check=False)
        seconds = time.monotonic() - started
        output = completed.stdout.decode("utf-8", "replace")
        results, starts = read_results(results_file)
        made = self.emulator.control("GET", "log?since=%d" % since)["requests"]
        peak = None
        if measure_memory and os.path.exists(peak_file):
            with open(peak_file) as handle:
                peak = int(handle.read())
        if mode == "remote":
            module_runs = [module_name(path) for path in self._module_log()[modules_before:]]
        else:
            module_runs = sorted(module_name(path) for path in self._kept_modules() - kept_before)
        run = Run(completed.returncode, output, results, made, seconds, peak, mode, module_runs, starts)
        assert TOKEN not in output, "the token leaked into the output of %s" % playbook
        assert TOKEN not in json.dumps(results), "the token leaked into the results of %s" % playbook
        assert TOKEN not in json.dumps(made), "the token leaked into the request log"
        TOTALS["playbook runs"] += 1
        TOTALS["requests"] += len(made)
        TOTALS["token checks passed"] += 1
        TOTALS["modules executed"] += len(module_runs)
        if mode == "controller" and not modules_expected:
            ours = [name for name in module_runs if name.startswith("slack_scim_")]
            assert not ours, ("in controller mode, %s ran as modules: the action plugins fell back (-vvvv says why)"
                              % ", ".join(ours))
        return run
