# scim.slack developer commands.  `make test` is what CI runs; `make demo` shows the collection
# working against the local emulator.  Both start from a fresh clone: they create the venvs.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The test matrix, one row a core, oldest first: the ansible-core line, its Python, and how much of the
# end-to-end suite it runs (all: the whole suite in-process plus E2E_REMOTE as modules; smoke: E2E_SMOKE, every
# module and the lookup in both modes).  Its pins are in tests/requirements/core-<line>.txt.  A new line is one
# row here and one requirements file.
CORES :=
KNOWN_CORES :=
add_core = $(eval CORES += $(1))$(eval KNOWN_CORES += $(1))$(eval PY_$(1) := $(2))$(eval E2E_$(1) := $(3))
$(call add_core,2.16,3.11,all)
$(call add_core,2.17,3.12,smoke)
$(call add_core,2.18,3.11,smoke)
$(call add_core,2.19,3.13,smoke)
$(call add_core,2.20,3.12,smoke)
$(call add_core,2.21,3.12,all)
$(call add_core,2.22,3.13,smoke)
# The one-core targets (sanity, lint, docs, demo, bench, quick) run on the newest release, whose venv holds
# the tools; 2.22 is a pre-release (2.22.0rc1).
NEWEST := 2.21
# `make units CORES=2.19` and the like run one line; a line not in the table is refused (below).

ROOT := $(CURDIR)
# ansible-test needs the collection at .../ansible_collections/scim/slack, outside this git
# checkout; hacking/stage.py mirrors the working tree there (one folder per clone).
COLLECTIONS_DIR := $(HOME)/.cache/scim-slack/$(shell printf %s "$(ROOT)" | sha1sum | cut -c1-12)
STAGE := $(COLLECTIONS_DIR)/ansible_collections/scim/slack
VENV := $(ROOT)/.venv
ANSIBLE_TEST_PATH := $(VENV)/pythons:$(PATH)
# Bold headings on a terminal only: CI logs and pipes get plain text.
BOLD := $(shell [ -t 1 ] && printf '\033[1m')
PLAIN := $(shell [ -t 1 ] && printf '\033[0m')
step = @printf '\n$(BOLD)>>> %s$(PLAIN)\n' "$(1)"
$(foreach core,$(CORES),$(if $(filter $(core),$(KNOWN_CORES)),,$(error CORES: unknown ansible-core line $(core); \
  known: $(KNOWN_CORES) (see the table at the top of the Makefile))))

.PHONY: help test quick demo bench venvs stage sanity units integration e2e emulator emulator-tests lint docs-lint \
        docs docs-check changelog-lint package-check release release-check publish clean property-long

help:
	@echo "make demo      run examples/demo.yml against the local emulator (twice: the second run changes nothing)"
	@echo "make test      everything CI checks: sanity, units, integration and end-to-end on ansible-core $(CORES), lint, docs"
	@echo "make quick     the edit-and-test loop (about 3 minutes): units and an end-to-end smoke run on $(NEWEST)"
	@echo ""
	@echo "single steps (CORES=<line> limits the ones that run per core to that line, e.g. make units CORES=2.19):"
	@echo "make units     ansible-test units on every core       make e2e          end-to-end tests (all/smoke per core)"
	@echo "make integration  ansible-test integration            make sanity       ansible-test sanity on every core"
	@echo "make emulator-tests  the emulator's own tests         make lint         ansible-lint, production profile"
	@echo "make docs      regenerate docs/reference/             make docs-check   docs/reference/ is up to date"
	@echo "make docs-lint, changelog-lint, package-check         make bench        the performance goals, full size"
	@echo "make release VERSION=x.y.z, release-check, publish     the release (CONTRIBUTING.md, Releasing)"
	@echo "make emulator  run the emulator on PORT (8765)        make clean        remove build output and the staging tree"

venvs:
	$(call step,dev venvs (pinned in tests/requirements/))
	@$(foreach core,$(CORES),hacking/venv.sh $(core) $(PY_$(core)) && ) true
	@hacking/pythons.sh $(foreach core,$(CORES),$(PY_$(core)))

stage:
	@$(VENV)/core-$(NEWEST)/bin/python hacking/stage.py $(COLLECTIONS_DIR)

# `$(call ansible_test_each_core,<command>[,<cores>])`: ansible-test <command> --venv in the stage, on every core
# of the matrix (or those given) in turn, each on its Python; stops at the first failure.
FULL_CORES = $(foreach core,$(CORES),$(if $(filter all,$(E2E_$(core))),$(core)))
ansible_test_each_core = $(foreach core,$(or $(2),$(CORES)), \
	printf '\n$(BOLD)>>> ansible-test $(1) (ansible-core %s, Python %s)$(PLAIN)\n' $(core) $(PY_$(core)); \
	echo "cd $(STAGE) && ansible-test $(1) --venv --python $(PY_$(core))"; \
	(cd $(STAGE) && PATH=$(ANSIBLE_TEST_PATH) $(VENV)/core-$(core)/bin/ansible-test $(1) --venv \
	   --python $(PY_$(core)) --color no) || exit 1;)

# ansible-test sanity on every line of the matrix, sized for `make test`: NEWEST runs every test; the oldest line every
# test but pylint (about 80% of a full run, and its findings depend on the code, not on the line); the lines between
# the tests that load the collection with their ansible-core or compile it with their Python.
SANITY_PER_CORE := action-plugin-docs ansible-doc compile import runtime-metadata validate-modules
sanity_tests = $(if $(filter $(NEWEST),$(1)),,$(if $(filter $(firstword $(KNOWN_CORES)),$(1)),--skip-test pylint,$\
	$(addprefix --test ,$(SANITY_PER_CORE))))
sanity: venvs stage
	@$(foreach core,$(CORES),$(call ansible_test_each_core,sanity --truncate 0 $(call sanity_tests,$(core)),$(core)))

# ansible-test units, sized for `make test` like sanity: the lines that run the whole end-to-end suite and the newest
# line of the table (the pre-release, on the newest Python) run every unit test; the lines between run the tests of
# the code that meets ansible-core (the action, lookup and module plugins, plugin_utils, and the Ansible side of
# module_utils).  The rest of module_utils imports no ansible-core: its result is the same on every line, and the
# three Pythons of the table each run it in full.
UNITS_PER_CORE := tests/unit/plugins/action/ tests/unit/plugins/lookup/ tests/unit/plugins/modules/ \
	tests/unit/plugins/plugin_utils/ tests/unit/plugins/module_utils/test_module.py \
	tests/unit/plugins/module_utils/test_connection.py tests/unit/plugins/module_utils/test_connection_options.py
units_tests = $(if $(filter $(FULL_CORES) $(lastword $(KNOWN_CORES)),$(1)),,$(UNITS_PER_CORE))
units: venvs stage
	@$(foreach core,$(CORES),$(call ansible_test_each_core,units $(call units_tests,$(core)),$(core)))

# tests/integration/targets/: slack_scim_user against the emulator that setup_slack_scim_emulator starts, on the
# cores that run the whole end-to-end suite (the others run the modules through the end-to-end smoke set).
integration: venvs stage
	@$(call ansible_test_each_core,integration,$(FULL_CORES))

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

# End-to-end tests in both execution modes (SCIM_SLACK_E2E_MODE, see tests/e2e/harness.py): on a core marked
# `all`, the whole suite with the modules' code run in-process on the controller by the action plugins; on a core
# marked `smoke`, E2E_SMOKE (every module and the lookup, each run both ways and compared: test_execution_modes.py).
# The oldest `all` core also runs E2E_REMOTE with the action plugins falling back to running the modules, as for any
# other host: the faults, whose retries, waits and deadlines then run in the module's own process.  The rest of the
# suite runs the same module code either way, which the smoke set compares on every core.
# E2E_JOBS cores run side by side, each test with an emulator of its own on a free port; a hung playbook fails its
# test at the harness's timeout (600 s), a hung suite at E2E_TIMEOUT seconds.
# Scenarios that take both SCIM dialects run v1 on the oldest `all` core and v2 on every other core, so that each
# runs once in each dialect: the dialects are the collection's own code, the same on every ansible-core (with a
# single `all` core in CORES, that core runs both).
E2E_REMOTE ?= test_faults.py
E2E_SMOKE ?= test_execution_modes.py
E2E_TIMEOUT ?= 2400
# How many cores' end-to-end runs go side by side (the whole suites first, then the smoke sets).
E2E_JOBS ?= 2
E2E_V1_CORE = $(if $(word 2,$(FULL_CORES)),$(firstword $(FULL_CORES)))
E2E_BOTH_CORE = $(if $(word 2,$(FULL_CORES)),,$(FULL_CORES))
e2e_pytest = cd tests/e2e && SCIM_SLACK_E2E_MODE=$(2) SCIM_SLACK_COLLECTIONS=$(COLLECTIONS_DIR) \
	SCIM_SLACK_E2E_DIALECTS=$$(if [ "$(1)" = "$(E2E_V1_CORE)" ]; then echo v1; \
	  elif [ "$(1)" = "$(E2E_BOTH_CORE)" ]; then echo v2,v1; else echo v2; fi) \
	timeout -k 10 $(E2E_TIMEOUT) $(VENV)/core-$(1)/bin/python -m pytest -q -p no:cacheprovider
e2e: venvs stage
	@logs=$$(mktemp -d); status=0; running=0; \
	suites() { \
	  if [ "$$2" = all ]; then \
	    echo ">>> end-to-end tests, ansible-core $$1, controller mode (in-process): the whole suite"; \
	    ($(call e2e_pytest,$$1,controller)) || return 1; \
	    if [ "$$1" = "$(firstword $(FULL_CORES))" ] && [ -n "$(E2E_REMOTE)" ]; then \
	      echo ">>> end-to-end tests, ansible-core $$1, remote mode (modules): $(E2E_REMOTE)"; \
	      ($(call e2e_pytest,$$1,remote) $(E2E_REMOTE)) || return 1; \
	    fi; \
	  else \
	    echo ">>> end-to-end smoke set, ansible-core $$1, both modes: $(E2E_SMOKE)"; \
	    ($(call e2e_pytest,$$1,controller) $(E2E_SMOKE)) || return 1; \
	  fi; \
	}; \
	for core in $(FULL_CORES) $(filter-out $(FULL_CORES),$(CORES)); do \
	  if [ $$running -ge $(E2E_JOBS) ]; then wait -n || status=1; running=$$((running - 1)); fi; \
	  echo ">>> end-to-end tests on ansible-core $$core, in the background: $$logs/$$core.log"; \
	  kind=all; case " $(FULL_CORES) " in *" $$core "*) ;; *) kind=smoke;; esac; \
	  suites $$core $$kind > $$logs/$$core.log 2>&1 & running=$$((running + 1)); \
	done; \
	while [ $$running -gt 0 ]; do wait -n || status=1; running=$$((running - 1)); done; \
	for core in $(CORES); do cat $$logs/$$core.log; done; \
	rm -rf $$logs; \
	if [ $$status -ne 0 ]; then echo "end-to-end tests failed" >&2; fi; \
	exit $$status

# The edit-and-test loop: units and the smoke set on the newest release.
quick: venvs stage
	@$(call ansible_test_each_core,units,$(NEWEST))
	$(call step,end-to-end smoke set (ansible-core $(NEWEST)): $(E2E_SMOKE))
	@$(call e2e_pytest,$(NEWEST),controller) $(E2E_SMOKE)

property-long: venvs stage
	$(call step,property-based idempotency, long profile (HYPOTHESIS_PROFILE=long))
	cd $(STAGE) && HYPOTHESIS_PROFILE=long PYTHONPATH=$(COLLECTIONS_DIR) PYTHONDONTWRITEBYTECODE=1 \
	  $(VENV)/core-$(NEWEST)/bin/python -m pytest -q -p no:cacheprovider \
	  tests/unit/plugins/module_utils/test_idempotency_properties.py

emulator-tests: venvs
	$(call step,emulator tests (pytest tests/emulator))
	PYTHONPATH=tools $(VENV)/core-$(NEWEST)/bin/python -m pytest -q -p no:cacheprovider tests/emulator

emulator: venvs
	PYTHONPATH=tools $(VENV)/core-$(NEWEST)/bin/python -m slack_scim_emulator --port $${PORT:-8765} --verbose

# One step after the other: the end-to-end runs are latency-bound (a playbook's controller, worker and the emulator
# hand each request on), so they starve beside CPU-bound checks (measured: a third of their speed beside the units).
test: venvs stage sanity units integration emulator-tests e2e lint docs-lint docs-check changelog-lint package-check demo
	$(MAKE) --no-print-directory bench N=20 ITEMS=20 REMOTE_ITEMS=5 SYNC_N=200 GROUPS=3 LOOP_N=20
	$(call step,make test: every check passed)

# The demo needs ansible-core and requests only: its own small venv (.venv/core-demo), not the dev toolchain.
demo:
	@hacking/venv.sh demo $(PY_$(NEWEST))
	@hacking/demo.sh

# The goals (issue 18) are checked at ITEMS >= 300 and SYNC_N >= 10000 with GROUPS >= 100 (a miss fails);
# below, as in `make test`, the numbers are reported only.
N ?= 1000
ITEMS ?= 300
REMOTE_ITEMS ?= 50
SYNC_N ?= 10000
GROUPS ?= 100
LOOP_N ?= 1000
# BENCH_CORE: the ansible-core line measured (any line of the table: make bench BENCH_CORE=2.19).
BENCH_CORE ?= $(NEWEST)
bench: venvs stage
	$(call step,benchmark 1 (ansible-core $(BENCH_CORE)): $(ITEMS)-item loops against ansible.builtin.debug; $(N) users through a slack_scim_user loop (twice) and one listing)
	$(VENV)/core-$(BENCH_CORE)/bin/python hacking/bench.py --items $(ITEMS) --remote-items $(REMOTE_ITEMS) --users $(N) \
	  --collections $(COLLECTIONS_DIR)
	$(call step,benchmark 2 (ansible-core $(BENCH_CORE)): $(SYNC_N) users and $(GROUPS) groups - loops vs seed SDK script vs slack_scim_sync)
	@hacking/venv.sh bench $(PY_$(NEWEST))
	$(VENV)/core-$(BENCH_CORE)/bin/python hacking/bench_sync.py --users $(SYNC_N) --groups $(GROUPS) \
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
	$(call step,release path on ansible-core $(NEWEST): build - install - ansible-doc - ansible-builder introspect)
	hacking/package-check.sh $(NEWEST)

# The release procedure is CONTRIBUTING.md's "Releasing".  `make release VERSION=x.y.z` writes the version wherever
# it is named, releases the changelog and regenerates the plugin reference, for a commit after `make test`.
release: venvs
	@[ -n "$(VERSION)" ] || { echo "usage: make release VERSION=x.y.z" >&2; exit 1; }
	$(call step,release $(VERSION): the version - antsibull-changelog release - the plugin reference)
	$(VENV)/core-$(NEWEST)/bin/python hacking/release.py version $(VERSION)
	PATH=$(VENV)/core-$(NEWEST)/bin:$(PATH) $(VENV)/core-$(NEWEST)/bin/antsibull-changelog release
	@$(MAKE) --no-print-directory docs

release-check: venvs
	$(call step,release check: galaxy.yml's links are no placeholders)
	$(VENV)/core-$(NEWEST)/bin/python hacking/release.py check

# `make publish` uploads the committed release to GALAXY_URL.  The API token comes from GALAXY_TOKEN in the
# environment (`read -rs GALAXY_TOKEN && export GALAXY_TOKEN`), never from the command line or shell history;
# ansible-galaxy reads it as the token of a server defined by environment variables.
GALAXY_URL ?= https://galaxy.ansible.com/api/
publish: release-check
	@[ -n "$${GALAXY_TOKEN:-}" ] \
	  || { echo "publish: GALAXY_TOKEN is not set (read -rs GALAXY_TOKEN && export GALAXY_TOKEN)" >&2; exit 1; }
	@[ -z "$$(git status --porcelain)" ] \
	  || { echo "publish: the working tree has changes; commit the release first" >&2; exit 1; }
	$(call step,build the tarball and publish it to $(GALAXY_URL))
	rm -rf .build/dist && $(VENV)/core-$(NEWEST)/bin/ansible-galaxy collection build --output-path .build/dist
	ANSIBLE_GALAXY_SERVER_LIST=release ANSIBLE_GALAXY_SERVER_RELEASE_URL=$(GALAXY_URL) \
	  ANSIBLE_GALAXY_SERVER_RELEASE_TOKEN="$$GALAXY_TOKEN" \
	  $(VENV)/core-$(NEWEST)/bin/ansible-galaxy collection publish .build/dist/scim-slack-*.tar.gz

clean:
	rm -rf .build tests/output .ansible scim-slack-*.tar.gz $(COLLECTIONS_DIR)
