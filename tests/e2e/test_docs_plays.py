# Copyright (c) scim.slack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The documentation as tests: every play a reader can paste runs, converges, and reruns as a no-op.

What runs, exactly as written (the rule):

- every fenced ``yaml`` block of README.md and docs/*.md that is a complete play (a YAML list of
  mappings with ``hosts``). A block without ``hosts`` is a fragment: it only has to parse as YAML;
- every playbook in examples/, from a copy of that folder, so files it reads (hr-export.csv) sit beside
  it. A docs block whose first line starts ``# examples/<file>.yml`` must be that file, byte for byte,
  and runs as that file;
- each plugin's EXAMPLES (a task list, the way ansible-doc shows it) as the ``tasks`` of one play,
  ``hosts: localhost``, ``connection: local``, ``gather_facts: false``, and nothing else: every task of
  the block must work, in order, on its own, as for a reader who pastes the whole block under
  ``tasks:``. A task that needs an object the block does not create finds it first and is conditional.

Each play runs against an empty organization (the emulator, reset) with only what a reader sets:
``SLACK_SCIM_API_URL`` (the emulator's v2 URL), ``SLACK_SCIM_TOKEN``, and the variable
``slack_scim_token`` in ``group_vars/all/vault.yml`` beside the playbook. No play may set ``api_url`` or
a literal token. Then:

1. ``--check --diff``: no failure, no write, the organization unchanged;
2. for real: no failure, and ``changed`` as check mode said (for the play: a task's prediction cannot
   see what the tasks before it would have done);
3. again: no failure, nothing changed, no write.

Exceptions, each named here, none silent:

- SEEDED (an organization with people, not an empty one): ``docs/recipes.md`` "Groups from user
  attributes" builds groups from the people already in Slack, so it runs against five seeded users;
  ``examples/sync_from_csv.yml`` deactivates the HR export's leaver, so that leaver has an account.
- DATA FILES: slack_scim_sync's EXAMPLES read ``slack-directory.yml``, the reader's own data file; the
  test writes a small one beside the play.

Besides the plays: the AWX credential type (examples/awx/) injects exactly the environment variables the
plugins read, and the demo's pins agree with the development pins.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import sys
import textwrap

import pytest
import yaml

from harness import ROOT, TOKEN

MARKDOWN = ["README.md"] + sorted("docs/" + name for name in os.listdir(os.path.join(ROOT, "docs"))
                                  if name.endswith(".md"))
PLUGINS = ["plugins/modules/slack_scim_user.py", "plugins/modules/slack_scim_group.py",
           "plugins/modules/slack_scim_info.py", "plugins/lookup/slack_scim_info.py",
           "plugins/modules/slack_scim_sync.py"]
EXAMPLES_DIR = os.path.join(ROOT, "examples")
FENCE = re.compile(r"^```ya?ml[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
SAME_AS_FILE = re.compile(r"\A# (examples/[\w./-]+\.ya?ml)\b")


def markdown_blocks():
    """(where, text) of every fenced yaml block of README.md and docs/*.md."""
    for name in MARKDOWN:
        with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
            source = handle.read()
        for match in FENCE.finditer(source):
            yield "%s:%d" % (name, source.count("\n", 0, match.start()) + 2), match.group(1)


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def is_play(text):
    """Whether YAML text is a playbook: a list of mappings with ``hosts`` (text that does not parse is
    not, and fails test_every_yaml_block_parses instead)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, list) and bool(data) and all(isinstance(p, dict) and "hosts" in p for p in data)


def plugin_examples(path):
    """A plugin's EXAMPLES string, read without importing the plugin."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["EXAMPLES"]:
            return node.value.value
    raise AssertionError("%s has no EXAMPLES" % path)


def as_play(name, tasks_text):
    """A plugin's EXAMPLES as the tasks of one play on localhost, indented and otherwise untouched."""
    return ("- name: %s EXAMPLES\n  hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n%s\n"
            % (name, textwrap.indent(tasks_text.strip("\n"), "    ")))


def example_files():
    """Every YAML file under examples/, as a path relative to it."""
    found = []
    for folder, _subfolders, names in os.walk(EXAMPLES_DIR):
        found += [os.path.relpath(os.path.join(folder, name), EXAMPLES_DIR)
                  for name in names if name.endswith((".yml", ".yaml"))]
    return sorted(found)


def example_playbooks():
    return [name for name in example_files() if is_play(read(os.path.join(EXAMPLES_DIR, name)))]


def documented_plays():
    """{id: (playbook text or None, examples file or None)} for every play the rule above runs."""
    plays = {}
    for where, text in markdown_blocks():
        if SAME_AS_FILE.match(text) is None and is_play(text):
            plays[where] = (text, None)
    for path in PLUGINS:
        plays["EXAMPLES " + path] = (as_play(os.path.basename(path)[:-3], plugin_examples(path)), None)
    for name in example_playbooks():
        plays["examples/" + name] = (None, name)
    plays[EXCEL_CSV] = (None, "sync_from_csv.yml")
    return plays


# The CSV recipe again, with hr-export.csv saved as Excel's "CSV UTF-8" does: a byte-order mark, CRLF lines.
EXCEL_CSV = "examples/sync_from_csv.yml, from Excel's CSV UTF-8"


def as_excel_csv(folder):
    path = os.path.join(folder, "hr-export.csv")
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    with open(path, "w", encoding="utf-8-sig", newline="\r\n") as handle:
        handle.write("\n".join(lines) + "\n")


REWRITES = {EXCEL_CSV: as_excel_csv}


PLAYS = documented_plays()

SLACK_DIRECTORY = """\
users:
  - user_name: grace
    email: grace@example.com
    given_name: Grace
    family_name: Hopper
    title: Staff Engineer
groups:
  - display_name: Staff
    members:
      set: [grace]
"""


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def seed_user(emulator, user_name, department=None, active=True):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
            "emails": [{"value": "%s@example.com" % user_name, "primary": True}]}
    if department:
        body["schemas"].append(ENTERPRISE)
        body[ENTERPRISE] = {"department": department}
    response = emulator.scim("POST", "Users", json=body)
    assert response.status_code == 201, response.text
    if not active:
        assert emulator.scim("DELETE", "Users/" + response.json()["id"]).status_code in (200, 204)


def seed_people(emulator):
    """People with departments, one deactivated and one without a department: an organization that
    exists already."""
    for user_name, department, active in (("ada", "Platform", True), ("bo", "Platform", True),
                                          ("cy", "Design", True), ("dee", "Platform", False),
                                          ("eve", None, True)):
        seed_user(emulator, user_name, department, active)


def seed_leaver(emulator):
    """The HR export's terminated employee still has an active Slack account."""
    seed_user(emulator, "sam.k", "Platform")


def groups_from_attributes_block():
    matches = [where for where, text in markdown_blocks()
               if where.startswith("docs/recipes.md:") and "name: Groups from user attributes" in text]
    assert len(matches) == 1, "docs/recipes.md must hold one play named 'Groups from user attributes'"
    return matches[0]


SEEDED = {groups_from_attributes_block(): seed_people, "examples/sync_from_csv.yml": seed_leaver, EXCEL_CSV: seed_leaver}
DATA_FILES = {"EXAMPLES plugins/modules/slack_scim_sync.py": {"slack-directory.yml": SLACK_DIRECTORY}}


def run_playbook(harness, playbook, check=False, diff=False):
    """ansible-playbook as a reader runs it (the harness's run of a playbook file, with no ``-c local`` and no
    SLACK_* variable of this process): an inventory of localhost (``-i localhost,``), the emulator's URL and
    the token in the environment, and the variable slack_scim_token in group_vars/all/vault.yml beside
    the playbook, where docs/getting-started.md puts it (so task vars still override it)."""
    vault = os.path.join(os.path.dirname(playbook), "group_vars", "all", "vault.yml")
    os.makedirs(os.path.dirname(vault), exist_ok=True)
    with open(vault, "w") as handle:
        json.dump({"slack_scim_token": TOKEN}, handle)
    # An inventory that names localhost, as a reader's usually does: a play without connection: local then
    # tries ssh, where the implicit localhost of no inventory would hide it.
    env = dict((name, None) for name in os.environ if name.startswith("SLACK_"))
    env.update({"ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
                "SLACK_SCIM_TOKEN": TOKEN, "SLACK_SCIM_API_URL": harness.emulator.base_url("v2")})
    return harness.run_playbook(playbook, check=check, diff=diff, env=env)


def report(stage, run):
    """What a failed assertion shows: the run's errors and warnings, then the end of its output."""
    notable = [line for line in run.output.splitlines()
               if line.startswith(("fatal:", "failed:", "[ERROR]", "[WARNING]", "ERROR!"))]
    return "%s run: rc=%s, changed=%s, %d writes\n%s\n--- end of output ---\n%s" % (
        stage, run.rc, run.changed, len(run.writes), "\n".join(notable), run.output[-1500:])


@pytest.mark.parametrize("play_id", sorted(PLAYS))
def test_documented_play_converges_as_pasted(harness, tmp_path, play_id):
    text, example = PLAYS[play_id]
    if example:
        shutil.copytree(EXAMPLES_DIR, str(tmp_path / "examples"))
        REWRITES.get(play_id, lambda folder: None)(str(tmp_path / "examples"))
        playbook = str(tmp_path / "examples" / example)
    else:
        folder = tmp_path / "play"
        folder.mkdir()
        playbook = str(folder / "play.yml")
        with open(playbook, "w", encoding="utf-8") as handle:
            handle.write(text)
        for name, content in DATA_FILES.get(play_id, {}).items():
            (folder / name).write_text(content)
    if play_id in SEEDED:
        SEEDED[play_id](harness.emulator)

    before = harness.emulator.state()
    check = run_playbook(harness, playbook, check=True, diff=True)
    assert not check.failed, report("check-mode", check)
    assert check.writes == [], ("check mode sent writes", check.writes)
    assert harness.emulator.state() == before, "check mode changed the organization"

    first = run_playbook(harness, playbook)
    assert not first.failed, report("first real", first)
    assert first.changed == check.changed, "check mode said changed=%s, the real run changed=%s\n%s\n%s" % (
        check.changed, first.changed, report("check-mode", check), report("first real", first))

    second = run_playbook(harness, playbook)
    assert not second.failed, report("second real", second)
    changed = [r["task"] for r in second.results if r["result"].get("changed")]
    assert not second.changed, "the rerun changed %s\n%s" % (changed, report("second real", second))
    assert second.writes == [], ("the rerun sent writes", second.writes)
    EXPECTED_STATE.get(play_id, lambda emulator: None)(harness.emulator)


def adoption_block():
    matches = [where for where, text in markdown_blocks()
               if where.startswith("docs/recipes.md:") and "name: Adopt the organization as it is" in text]
    assert len(matches) == 1, "docs/recipes.md must hold one play named 'Adopt the organization as it is ...'"
    return matches[0]


def together_order():
    """Every documented play once, in the order test_all_documented_plays_settle_together runs them.

    Three plays describe the organization as the others leave it, so they run last, in this order: the
    groups built from every user's attributes, the export (saved to a file), and the adoption, which exports
    the organization and purges whoever its file does not declare.  Anywhere earlier, a later play changes
    what they read, and they change again on the rerun: that is what they are for, not a conflict."""
    last = [groups_from_attributes_block(), "EXAMPLES plugins/modules/slack_scim_info.py", adoption_block()]
    return sorted(play for play in PLAYS if play not in last and play != EXCEL_CSV) + last


def test_all_documented_plays_settle_together(harness, tmp_path):
    """Every example with every other (issue 24): all the plays as one playbook, each from its own folder (its
    files beside it), on one organization seeded for all of them, then again: nothing changes and nothing is
    written, so no two examples declare the same user or group differently."""
    imports = []
    for index, play_id in enumerate(together_order()):
        folder = tmp_path / ("%02d" % index)
        text, example = PLAYS[play_id]
        if example:
            shutil.copytree(EXAMPLES_DIR, str(folder))
            playbook = folder / example
        else:
            folder.mkdir()
            playbook = folder / "play.yml"
            playbook.write_text(text, encoding="utf-8")
            for name, content in DATA_FILES.get(play_id, {}).items():
                (folder / name).write_text(content)
        (folder / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
        (folder / "group_vars" / "all" / "vault.yml").write_text(json.dumps({"slack_scim_token": TOKEN}))
        imports.append("- import_playbook: %s  # %s\n" % (playbook.relative_to(tmp_path), play_id))
    together = tmp_path / "together.yml"
    together.write_text("".join(imports))
    for seed in sorted(set(SEEDED.values()), key=lambda function: function.__name__):
        seed(harness.emulator)

    first = run_playbook(harness, str(together))
    assert not first.failed, report("first real", first)
    assert first.output.count("\nPLAY [") >= len(imports), "not every play ran\n%s" % report("first real", first)
    second = run_playbook(harness, str(together))
    assert not second.failed, report("second real", second)
    changed = [r["task"] for r in second.results if r["result"].get("changed")]
    assert not second.changed, "the rerun changed %s\n%s" % (changed, report("second real", second))
    assert second.writes == [], ("the rerun sent writes", second.writes)


def group_members(emulator):
    by_id = {user["id"]: name for name, user in emulator.users().items()}
    return {name: sorted(by_id[m] for m in group["members"]) for name, group in emulator.groups().items()}


def csv_recipe_state(emulator):
    """examples/sync_from_csv.yml: the active people exist with their department, the terminated one is
    deactivated, and each department is a group of its active people."""
    users = emulator.users()
    assert users["lena"]["active"] and users["lena"]["enterprise"]["department"] == "Platform", users["lena"]
    assert not users["sam.k"]["active"]
    assert group_members(emulator) == {"dept-design": ["marco"], "dept-platform": ["lena", "priya"]}


def attributes_recipe_state(emulator):
    """docs/recipes.md, groups from user attributes: one group per department of the active people."""
    assert group_members(emulator) == {"team-design": ["cy"], "team-platform": ["ada", "bo"]}


EXPECTED_STATE = {"examples/sync_from_csv.yml": csv_recipe_state, EXCEL_CSV: csv_recipe_state,
                  groups_from_attributes_block(): attributes_recipe_state}


def walk(node):
    """Every mapping inside a parsed play, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_every_yaml_block_parses_and_plays_use_the_readers_connection():
    """Fragments too must parse; a play names no api_url and no literal token."""
    count = 0
    texts = list(markdown_blocks())
    texts += [("EXAMPLES " + path, plugin_examples(path)) for path in PLUGINS]
    texts += [("examples/" + name, read(os.path.join(EXAMPLES_DIR, name))) for name in example_files()]
    for where, text in texts:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise AssertionError("%s is not valid YAML: %s" % (where, exc)) from None
        for mapping in walk(data):
            assert "api_url" not in mapping, "%s sets api_url; plays take SLACK_SCIM_API_URL instead" % where
            token = mapping.get("token")
            assert token in (None, "{{ slack_scim_token }}", "{{ slack_scim_token | default(omit) }}"), (
                "%s sets token to %r; use \"{{ slack_scim_token }}\" or SLACK_SCIM_TOKEN" % (where, token))
        count += 1
    tokens = [where for where, text in texts if re.search(r"xox[abep]-[0-9A-Za-z]{4,}", text)]
    assert tokens == [], "what looks like a Slack token is written in %s" % tokens
    assert count > 10


def test_docs_blocks_that_name_an_example_file_are_that_file():
    named = [(where, SAME_AS_FILE.match(text).group(1), text) for where, text in markdown_blocks()
             if SAME_AS_FILE.match(text)]
    assert named, "no docs block shows an examples/ file"
    for where, path, text in named:
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            assert handle.read() == text, "%s differs from %s: copy the file into the docs again" % (where, path)


def test_the_documented_plays_include_the_issue_17_set():
    """The collection of plays is not empty by accident (a broken fence regex would run nothing)."""
    ids = set(PLAYS)
    assert any(i.startswith("README.md:") for i in ids)
    assert any(i.startswith("docs/getting-started.md:") for i in ids)
    assert {"examples/demo.yml", "examples/sync_from_csv.yml"} <= ids
    assert {"EXAMPLES " + p for p in PLUGINS} <= ids


def plugin_env_variables():
    """{environment variable: option} as the modules read them (the argspec's env fallbacks) and as the
    lookup reads them (the doc fragment's env entries)."""
    collections = os.environ["SCIM_SLACK_COLLECTIONS"]
    if collections not in sys.path:
        sys.path.insert(0, collections)
    from ansible_collections.scim.slack.plugins.doc_fragments.connection import ModuleDocFragment
    from ansible_collections.scim.slack.plugins.module_utils._connection import argument_spec

    modules = {}
    for option, spec in argument_spec().items():
        for name in (spec.get("fallback") or (None, []))[1]:
            modules[name] = option
    lookup = {}
    for option, spec in yaml.safe_load(ModuleDocFragment.PLUGINS)["options"].items():
        for entry in spec.get("env") or []:
            lookup[entry["name"]] = option
    return modules, lookup


def test_awx_credential_type_injects_what_the_plugins_read():
    """examples/awx/credential-type.yml: valid YAML in AWX's shape; one environment variable per input,
    each one that the modules and the lookup read for the option of the same name."""
    with open(os.path.join(EXAMPLES_DIR, "awx", "credential-type.yml"), encoding="utf-8") as handle:
        definition = yaml.safe_load(handle)
    assert definition["kind"] in ("cloud", "net"), "AWX accepts custom credential types of kind cloud or net"
    assert definition["name"] and definition["description"]
    fields = {field["id"]: field for field in definition["inputs"]["fields"]}
    assert sorted(fields) == ["api_url", "api_version", "token"]
    assert all(field.get("type", "string") == "string" and field.get("label") for field in fields.values())
    assert fields["token"].get("secret") is True, "the token must be a secret input"
    assert "token" in definition["inputs"]["required"]
    assert set(definition["inputs"]["required"]) <= set(fields)
    assert set(definition["injectors"]) == {"env"}, "the inputs go to the environment only"
    injected = definition["injectors"]["env"]
    assert sorted(injected) == ["SLACK_SCIM_API_URL", "SLACK_SCIM_API_VERSION", "SLACK_SCIM_TOKEN"]

    modules, lookup = plugin_env_variables()
    for variable, template in injected.items():
        match = re.fullmatch(r"\{\{ *(\w+) *\}\}", template)
        assert match and match.group(1) in fields, "%s: %r injects no input" % (variable, template)
        assert modules.get(variable) == match.group(1), (
            "the modules read %s as %s, the credential type injects %s" % (variable, modules.get(variable), template))
        assert lookup.get(variable) == match.group(1), (
            "the lookup reads %s as %s, the credential type injects %s" % (variable, lookup.get(variable), template))

    from ansible_collections.scim.slack.plugins.module_utils._connection import argument_spec
    version = argument_spec()["api_version"]
    assert sorted(fields["api_version"]["choices"]) == sorted(version["choices"])
    assert fields["api_version"]["default"] == version["default"]


def test_awx_execution_environment_names_the_collection():
    with open(os.path.join(EXAMPLES_DIR, "awx", "execution-environment.yml"), encoding="utf-8") as handle:
        text = handle.read()
    definition = yaml.safe_load(text)
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        version = yaml.safe_load(handle)["version"]
    for where, source in (("examples/awx/execution-environment.yml", text),
                          ("docs/awx.md", read(os.path.join(ROOT, "docs", "awx.md")))):
        tagged = re.findall(r"slack-scim-ee:([\w.]+)|scim-slack-([\d.]+)\.tar\.gz", source)
        assert tagged and {a or b for a, b in tagged} == {version}, (
            "%s names the image or collection %s; the collection is %s" % (where, tagged, version))
    assert definition["version"] == 3 and definition["images"]["base_image"]["name"]
    assert [c["name"] for c in definition["dependencies"]["galaxy"]["collections"]] == ["scim.slack"]
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        collection_ee = yaml.safe_load(handle)
    with open(os.path.join(ROOT, collection_ee["dependencies"]["python"]), encoding="utf-8") as handle:
        assert re.search(r"^requests\b", handle.read(), re.M), "the collection's EE metadata must bring requests"


def pins(name):
    with open(os.path.join(ROOT, "tests", "requirements", name), encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    return {re.split("==", line)[0].lower().replace("_", "-"): line.split("==")[1] for line in lines}


def test_demo_pins_are_the_development_pins():
    """make demo's venv (tests/requirements/core-demo.txt) holds ansible-core and requests at the versions
    make test uses; hacking/demo.sh checks that the venv holds exactly these pins."""
    demo, development = pins("core-demo.txt"), pins("core-2.21.txt")
    assert {"ansible-core", "requests"} <= set(demo)
    assert len(demo) < len(development) / 3, "the demo venv should stay small"
    assert {name: version for name, version in demo.items() if development.get(name) != version} == {}
