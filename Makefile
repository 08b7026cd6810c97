# The two commands of the README, and a few more. Each installs GSL first when it is missing.
SCENARIO ?= scenarios/100k.json

.PHONY: run test test-checks sanitize deps bench reports

deps:
	@scripts/ensure-deps

## Run a scenario (release build) and write its reports under reports/<name>/.
run: deps
	swift build -c release --product scalesim
	.build/release/scalesim $(SCENARIO)

## Run the whole test suite.
test: deps
	swift test

## The engine and determinism tests again with the engine's invariant checks compiled in
## (checked after every event; a separate build folder, so the normal build stays as it is).
test-checks: deps
	swift build -Xswiftc -DSCALESIM_CHECKS --scratch-path .build-checks --build-tests
	swift test -Xswiftc -DSCALESIM_CHECKS --scratch-path .build-checks --skip-build --filter "Engine|Determinism"

## The tests of the engine, the parallel runner (--jobs 2), the scenario parser and the report
## writer under AddressSanitizer and ThreadSanitizer, each in its own build folder.
SANITIZE_TESTS ?= Engine|Determinism|ScenarioTests|DynamicsDecodingTests|ToolFaultTests|FingerprintTests
sanitize: deps
	swift build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS="suppressions=$(CURDIR)/sanitizers/lsan.supp $(LSAN_OPTIONS)" swift test --sanitize=address --scratch-path .build-asan --skip-build --filter "$(SANITIZE_TESTS)"
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 $(TSAN_OPTIONS)" swift test --sanitize=thread --scratch-path .build-tsan --skip-build --filter "$(SANITIZE_TESTS)"

## Engine benchmark: events per second and peak memory (release build).
bench: deps
	swift run -c release --package-path Benchmarks scalesim-bench 10

## Regenerate the bundled reports under reports/.
reports: deps
	swift build -c release --product scalesim
	for f in scenarios/validation/*.json; do .build/release/scalesim run "$$f" --quiet --out reports/validation/$$(basename "$$f" .json) > /dev/null || exit 1; done
	for f in 1 10 100 1k 10k 100k superbowl instance-failure celebrity beyond-1m; do .build/release/scalesim run scenarios/$$f.json --quiet --out reports/$$f > /dev/null || exit 1; done
	.build/release/scalesim plan scenarios/100k.json --users 150000 --out reports/100k > /dev/null 2>&1
