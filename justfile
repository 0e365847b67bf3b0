# SOS task runner. `just --list` shows the recipes.

# Run the whole CI gate locally.
ci:
    bash .ci/run

# Run all tests (the same command as the README and CI).
test:
    cargo test --workspace

# Format and lint.
lint:
    cargo fmt --all
    cargo clippy --workspace --all-targets -- -D warnings

# The benchmark: the release server against PostgreSQL's own limits on this machine, in one run
# (about 7 minutes plus the build). Prints the table and writes it into docs/performance.md.
bench:
    @ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || command -v pgbench >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
    cargo build --release -p sos-server -p sos-bench
    cargo run --release -q -p sos-bench -- --write docs/performance.md

# Only the monthly calculation at 100,000 sellers: wall time and peak memory (issue 3).
bench-calc:
    @ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || command -v pgbench >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
    cargo build --release -p sos-server -p sos-bench
    cargo run --release -q -p sos-bench -- --only calc --calc-sellers 100000

# Domain benchmark: seller scores per second on one core.
bench-domain:
    cargo bench -p sos-domain --bench score_sellers

# Start the server on the embedded default (private PostgreSQL under .sos/).
run:
    cargo run --release -p sos-server

# API fuzzing: schemathesis over every operation of the release server (as CI runs it).
fuzz:
    bash .ci/schemathesis.sh

# Crash and fault tests (kill -9, database outage, races), printing what they injected.
faults:
    cargo test -p sos-server --test faults --test webhook_faults -- --nocapture
