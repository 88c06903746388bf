#!/bin/sh
# Run by compose's minio-init service (image minio/mc) at every `docker compose up`; safe to repeat.
# Creates the product-file bucket, and a MinIO user for the store whose policy allows that bucket only.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "local/$S3_BUCKET"

cat > /tmp/store-files.json <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": ["arn:aws:s3:::$S3_BUCKET"] },
    { "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": ["arn:aws:s3:::$S3_BUCKET/*"] }
  ]
}
POLICY
mc admin policy create local store-files /tmp/store-files.json
# Adding an existing user sets its secret again, so a changed S3_SECRET_ACCESS_KEY takes effect.
mc admin user add local "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"
# Attaching a policy the user already has is an error: detach first (an error too when it had none).
mc admin policy detach local store-files --user "$S3_ACCESS_KEY_ID" >/dev/null 2>&1 || true
mc admin policy attach local store-files --user "$S3_ACCESS_KEY_ID"
echo "Bucket $S3_BUCKET ready for user $S3_ACCESS_KEY_ID."
