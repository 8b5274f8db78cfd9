#!/usr/bin/env bash
# Validates the conformance suite's JUnit XML with a real XSD validator
# (xmllint) against Jenkins xUnit's junit-10.xsd, kept in
# conformance/tests/fixtures/. Checks every report the CI writes under
# reports/ (*.junit.xml, when there are any) and the samples that
# `cargo test -p conformance --test junit_schema` writes (every verdict,
# escaping, an empty run).
#
# Usage (as root, from anywhere): bash .ci/junit-schema.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v xmllint >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libxml2-utils
fi

SCHEMA=conformance/tests/fixtures/junit-10.xsd
SAMPLES=target/tmp/junit-samples
rm -rf "$SAMPLES"
cargo test -p conformance --test junit_schema
cargo run --release -p conformance-runner -- --without pause --junit "$SAMPLES/fake-without-pause.xml" -q

shopt -s nullglob
files=("$SAMPLES"/*.xml reports/*.junit.xml)
if [ "${#files[@]}" -lt 3 ]; then
    echo "expected at least 3 JUnit files to validate, found ${#files[@]}" >&2
    exit 1
fi
for file in "${files[@]}"; do
    xmllint --noout --schema "$SCHEMA" "$file"
done
echo "${#files[@]} JUnit files valid against junit-10.xsd"
