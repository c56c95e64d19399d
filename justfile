# Task runner (https://just.systems). Every recipe is a plain cargo command you can also run by hand.

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
