#!/bin/sh
# One-shot MinIO setup for the compose stack: the Tuneline bucket and an account limited to it.
# Idempotent, so `docker compose up` can run it on every start.
set -eu

: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is required}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is required}"
: "${BUCKET:?BUCKET is required}"
: "${APP_ACCESS_KEY:?APP_ACCESS_KEY (TUNELINE_S3_ACCESS_KEY) is required}"
: "${APP_SECRET_KEY:?APP_SECRET_KEY (TUNELINE_S3_SECRET_KEY) is required}"

mc alias set tuneline http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "tuneline/$BUCKET"

# Versioning keeps overwritten or deleted objects recoverable (see docs/operations-deploy.md, backups).
mc version enable "tuneline/$BUCKET"

policy_file=$(mktemp)
cat >"$policy_file" <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
     "Resource": ["arn:aws:s3:::$BUCKET"]},
    {"Effect": "Allow",
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts"],
     "Resource": ["arn:aws:s3:::$BUCKET/*"]}
  ]
}
POLICY
mc admin policy create tuneline tuneline-app "$policy_file"
rm -f "$policy_file"

# `user add` on an existing user updates its secret, so a changed TUNELINE_S3_SECRET_KEY takes effect.
mc admin user add tuneline "$APP_ACCESS_KEY" "$APP_SECRET_KEY"
# attach refuses a policy that is already attached; only then is its failure fine.
if ! mc admin policy attach tuneline tuneline-app --user "$APP_ACCESS_KEY" >/dev/null 2>&1; then
  mc admin user info tuneline "$APP_ACCESS_KEY" | grep -q "tuneline-app" \
    || { echo "minio-init: could not attach policy tuneline-app to $APP_ACCESS_KEY" >&2; exit 1; }
fi
echo "minio-init: bucket $BUCKET ready for $APP_ACCESS_KEY"
