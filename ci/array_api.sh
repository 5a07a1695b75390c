#!/usr/bin/env bash
# The array API test suite (data-apis/array-api-tests) on ftrans.numpy, pinned to the
# 2023.12 standard. Not part of ci/test.sh: it needs a checkout of the suite (with its
# array-api submodule) and the suite's requirements (pytest, hypothesis, ndindex;
# pytest-json-report for --json-report), and fetches nothing itself. About a minute.
#
#   bash ci/array_api.sh PATH/TO/array-api-tests [MODE] [pytest arguments...]
#
# MODE: (none) ftrans.numpy on plain NumPy arrays, as the suite calls it;
#       --traced  every ftrans.numpy function that takes arrays run under ftrans.jit
#                 (ci/array_api_traced.py): the traced implementations' dtypes and values;
#       --vmap    the same under ftrans.vmap (a batch of two): the batch rules;
#       --numpy   NumPy itself, for comparison, with the same settings.
# Hypothesis runs without shrinking (ci/array_api_plugin.py): failures fail the same, fast.
# --traced and --vmap compile every call, so they run without the suite's 800 ms deadline
# per example (a timing check, which a loaded machine fails at random).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUITE="${1:?usage: ci/array_api.sh PATH/TO/array-api-tests [--traced|--vmap|--numpy] [pytest args]}"
shift
MODULE=ftrans.numpy
case "${1:-}" in
  --traced) MODULE=array_api_traced; export ARRAY_API_TRACED=jit; shift; set -- --disable-deadline "$@" ;;
  --vmap) MODULE=array_api_traced; export ARRAY_API_TRACED=vmap; shift; set -- --disable-deadline "$@" ;;
  --numpy) MODULE=numpy; shift ;;
esac
cd "$SUITE"
ARRAY_API_TESTS_MODULE="$MODULE" ARRAY_API_TESTS_VERSION=2023.12 \
  PYTHONPATH="$ROOT/ci:$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
  python3 -m pytest -p no:cacheprovider -p array_api_plugin -q -W ignore array_api_tests "$@"
