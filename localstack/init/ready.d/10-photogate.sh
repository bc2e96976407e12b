#!/usr/bin/env bash
# Runs inside the LocalStack container once it is ready: checks that every service the
# photogate stack deploys is up, so a missing one fails here and not halfway through a deploy.
set -euo pipefail
health="$(curl -sf http://localhost:4566/_localstack/health)"
missing=""
for service in s3 lambda dynamodb sqs iam sts cloudwatch logs sns scheduler; do
  if ! grep -Eq "\"${service}\": *\"(available|running)\"" <<<"${health}"; then
    missing="${missing} ${service}"
  fi
done
if [ -n "${missing}" ]; then
  echo "photogate: LocalStack is missing:${missing} (check SERVICES in localstack/docker-compose.yml)" >&2
  exit 1
fi
echo "photogate: LocalStack ready. Deploy with: LOCALSTACK_URL=http://localhost:4566 npx cdktf-cli@0.21 deploy photogate-localstack"
