# scim.slack developer commands.  `make test` is what CI runs; `make demo` shows the collection
# working against the local emulator.  Both start from a fresh clone: they create the venvs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The test matrix: the oldest supported ansible-core and the newest, each on its Python.
CORES := 2.16 2.21
PY_2.16 := 3.11
PY_2.21 := 3.12
NEWEST := 2.21

ROOT := $(CURDIR)
# ansible-test needs the collection at .../ansible_collections/scim/slack, outside this git
# checkout; hacking/stage.py mirrors the working tree there (one folder per clone).
COLLECTIONS_DIR := $(HOME)/.cache/scim-slack/$(shell printf %s "$(ROOT)" | sha1sum | cut -c1-12)
STAGE := $(COLLECTIONS_DIR)/ansible_collections/scim/slack
VENV := $(ROOT)/.venv
ANSIBLE_TEST_PATH := $(VENV)/pythons:$(PATH)
step = @printf '\n\033[1m>>> %s\033[0m\n' "$(1)"

.PHONY: help test demo bench venvs stage sanity units e2e emulator emulator-tests lint docs-lint docs \
        docs-check changelog-lint package-check clean property-long

help:
	@echo "make demo   run examples/demo.yml against the local emulator (twice: the second run changes nothing)"
	@echo "make test   everything CI checks: sanity, units and end-to-end on ansible-core $(CORES), lint, docs"
	@echo "make bench  time a user loop and a listing against the emulator (N=1000 users; make bench N=...)"

venvs:
	$(call step,dev venvs (pinned in tests/requirements/))
	@hacking/venv.sh 2.16 $(PY_2.16) && hacking/venv.sh 2.21 $(PY_2.21)
	@hacking/pythons.sh $(PY_2.16) $(PY_2.21)

stage:
	@$(VENV)/core-$(NEWEST)/bin/python hacking/stage.py $(COLLECTIONS_DIR)

sanity: venvs stage
	$(call step,ansible-test sanity (ansible-core $(NEWEST), Python $(PY_$(NEWEST))))
	cd $(STAGE) && PATH=$(ANSIBLE_TEST_PATH) $(VENV)/core-$(NEWEST)/bin/ansible-test sanity --venv \
	  --python $(PY_$(NEWEST)) --color no --truncate 0

units: venvs stage
	@for core in $(CORES); do \
	  py=$$( [ $$core = 2.16 ] && echo $(PY_2.16) || echo $(PY_2.21) ); \
	  printf '\n\033[1m>>> ansible-test units (ansible-core %s, Python %s)\033[0m\n' $$core $$py; \
	  echo "cd $(STAGE) && ansible-test units --venv --python $$py"; \
	  (cd $(STAGE) && PATH=$(ANSIBLE_TEST_PATH) $(VENV)/core-$$core/bin/ansible-test units --venv \
	     --python $$py --color no) || exit 1; \
	done

lint: venvs stage
	$(call step,ansible-lint (production profile))
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) PATH=$(VENV)/core-$(NEWEST)/bin:$(PATH) \
	  $(VENV)/core-$(NEWEST)/bin/ansible-lint --offline

docs-lint: venvs stage
	$(call step,antsibull-docs lint-collection-docs --plugin-docs)
	cd $(STAGE) && PATH=$(VENV)/core-$(NEWEST)/bin:$(PATH) $(VENV)/core-$(NEWEST)/bin/antsibull-docs \
	  lint-collection-docs --plugin-docs .

changelog-lint: venvs
	$(call step,antsibull-changelog lint)
	PATH=$(VENV)/core-$(NEWEST)/bin:$(PATH) $(VENV)/core-$(NEWEST)/bin/antsibull-changelog lint

e2e: venvs stage
	@for core in $(CORES); do \
	  printf '\n\033[1m>>> end-to-end tests: ansible-playbook against the emulator (ansible-core %s)\033[0m\n' $$core; \
	  echo "cd tests/e2e && pytest"; \
	  (cd tests/e2e && SCIM_SLACK_COLLECTIONS=$(COLLECTIONS_DIR) $(VENV)/core-$$core/bin/python -m pytest -q \
	     -p no:cacheprovider) || exit 1; \
	done

property-long: venvs stage
	$(call step,property-based idempotency, long profile (HYPOTHESIS_PROFILE=long))
	cd tests/e2e && HYPOTHESIS_PROFILE=long SCIM_SLACK_COLLECTIONS=$(COLLECTIONS_DIR) \
	  $(VENV)/core-$(NEWEST)/bin/python -m pytest -q -p no:cacheprovider test_properties.py

emulator-tests: venvs
	$(call step,emulator tests (pytest tests/emulator))
	PYTHONPATH=tools $(VENV)/core-$(NEWEST)/bin/python -m pytest -q -p no:cacheprovider tests/emulator

emulator: venvs
	PYTHONPATH=tools $(VENV)/core-$(NEWEST)/bin/python -m slack_scim_emulator --port $${PORT:-8765} --verbose

test: venvs stage sanity units emulator-tests e2e lint docs-lint docs-check changelog-lint package-check demo
	$(MAKE) --no-print-directory bench N=20 SYNC_N=200 GROUPS=3 LOOP_N=20
	$(call step,make test: every check passed)

# The demo needs ansible-core and requests only: its own small venv (.venv/core-demo), not the dev toolchain.
demo:
	@hacking/venv.sh demo $(PY_$(NEWEST))
	@hacking/demo.sh

N ?= 1000
SYNC_N ?= 10000
GROUPS ?= 100
LOOP_N ?= $(SYNC_N)
bench: venvs stage
	$(call step,benchmark 1: $(N) users through a slack_scim_user loop (twice) and one listing)
	$(VENV)/core-$(NEWEST)/bin/python hacking/bench.py --users $(N) --collections $(COLLECTIONS_DIR)
	$(call step,benchmark 2: $(SYNC_N) users and $(GROUPS) groups - user loop vs seed SDK script vs slack_scim_sync)
	@hacking/venv.sh bench $(PY_2.21)
	$(VENV)/core-$(NEWEST)/bin/python hacking/bench_sync.py --users $(SYNC_N) --groups $(GROUPS) \
	  --loop-users $(LOOP_N) --collections $(COLLECTIONS_DIR) --sdk-python $(VENV)/core-bench/bin/python

REFERENCE := docs/reference
docs: venvs stage
	$(call step,plugin reference into $(REFERENCE)/ (antsibull-docs))
	rm -rf $(REFERENCE) && mkdir -p $(REFERENCE)
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) PATH=$(VENV)/core-$(NEWEST)/bin:$(PATH) \
	  $(VENV)/core-$(NEWEST)/bin/antsibull-docs collection --use-current --squash-hierarchy --fail-on-error \
	  --output-format simplified-rst --no-add-antsibull-docs-version --no-breadcrumbs --dest-dir $(REFERENCE) \
	  scim.slack >/dev/null

docs-check: venvs stage
	$(call step,the plugin reference in $(REFERENCE)/ is up to date)
	tmp=$$(mktemp -d) && ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS_DIR) PATH=$(VENV)/core-$(NEWEST)/bin:$(PATH) \
	  $(VENV)/core-$(NEWEST)/bin/antsibull-docs collection --use-current --squash-hierarchy --fail-on-error \
	  --output-format simplified-rst --no-add-antsibull-docs-version --no-breadcrumbs --dest-dir $$tmp \
	  scim.slack >/dev/null && diff -ru $(REFERENCE) $$tmp \
	  || { echo "docs/reference is stale: run 'make docs' and commit the result" >&2; exit 1; }

package-check: venvs
	$(call step,release path (build, install into an empty path, ansible-doc, ansible-builder introspect))
	hacking/package-check.sh

clean:
	rm -rf .build tests/output .ansible scim-slack-*.tar.gz
