# Task runner (https://just.systems). Every recipe is a plain cargo command you can also run by hand.

# Run the server on the embedded defaults (SQLite under ./data, offline interviewer)
run:
    cargo run -p server

# Run the tests (the same command CI runs; PostgreSQL too when TEST_DATABASE_URL is set)
test:
    cargo test --workspace

# Formatting and lints exactly as CI checks them
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Format the code
fmt:
    cargo fmt --all

# Load benchmark on a fresh SQLite database: K candidates × T turns (rate limiting off)
bench k="64" t="100":
    cargo build --release -p server -p loadgen
    ./target/release/loadgen --server-bin ./target/release/interview-server -k {{k}} -t {{t}}

# The same on a fresh PostgreSQL database (needs a local server with trust auth)
bench-pg k="64" t="100" admin="postgres://postgres@127.0.0.1:5432/postgres":
    cargo build --release -p server -p loadgen
    psql "{{admin}}" -qc 'DROP DATABASE IF EXISTS interview_bench' -c 'CREATE DATABASE interview_bench' -c 'CHECKPOINT'
    APP__DATABASE__MAX_CONNECTIONS=8 ./target/release/loadgen --server-bin \
        ./target/release/interview-server -k {{k}} -t {{t}} \
        --database-url "postgres://postgres@127.0.0.1:5432/interview_bench"

# Live-voice relay benchmark: N realtime sessions streaming 20 ms audio both ways through the
# server, against a fake OpenAI Realtime upstream hosted by loadgen (docs/performance.md).
# Each N runs on a fresh server; needs about 2 open files per session here and as many in the server.
bench-realtime n="250,500,1000,2000" seconds="20":
    cargo build --release -p server -p loadgen
    ulimit -n 16384 || true; ./target/release/loadgen --server-bin ./target/release/interview-server \
        realtime -n {{n}} --seconds {{seconds}}
