#!/usr/bin/env bash
# A CI step: the tests' output (stdout and stderr) goes through `hush redact` on
# its way to the build log. The step fails when the tests fail, and also when
# they printed a secret: the log shows it as [REDACTED:rule-id], and
# --fail-on-secret makes hush exit 1. pipefail makes the pipeline's status that
# of the first failing command instead of hush's alone.
set -euo pipefail
make test 2>&1 | hush redact --fail-on-secret
