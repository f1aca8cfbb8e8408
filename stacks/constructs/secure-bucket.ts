import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { policyDocument } from '../iam';

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Let `cdktf destroy` delete a non-empty bucket. Default: false. */
  readonly forceDestroy?: boolean;
  /** SSE-KMS with this key; SSE-S3 when absent. */
  readonly kmsKeyArn?: string;
  /** Keep object versions; old versions expire after `noncurrentVersionExpiryDays`. Default: false. */
  readonly versioned?: boolean;
  /** Default: 90. Only with `versioned`. */
  readonly noncurrentVersionExpiryDays?: number;
  /** Delete objects this many days after creation (log buckets). Default: never. */
  readonly expireAfterDays?: number;
  /** Default: 7. */
  readonly abortIncompleteUploadsAfterDays?: number;
}

/**
 * An S3 bucket with secure defaults: no public access, bucket-owner-enforced
 * ownership, encryption at rest, TLS-only access, and no orphaned multipart uploads.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (props.noncurrentVersionExpiryDays !== undefined && !props.versioned) {
      throw new Error(`SecureBucket ${id}: noncurrentVersionExpiryDays needs versioned: true`);
    }

    const bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy ?? false,
    });
    this.bucket = bucket;

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });

    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });

    new S3BucketPolicy(this, 'tls-only', {
      bucket: bucket.id,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.arn, `${bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
      // S3 rejects a bucket policy while the public access block is still being applied.
      dependsOn: [publicAccessBlock],
    });

    if (props.versioned) {
      new S3BucketVersioningA(this, 'versioning', {
        bucket: bucket.id,
        versioningConfiguration: { status: 'Enabled' },
      });
    }

    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteUploadsAfterDays ?? 7 }],
      },
    ];
    if (props.expireAfterDays !== undefined) {
      rules.push({
        id: 'expire-objects',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        expiration: [{ days: props.expireAfterDays }],
      });
    }
    if (props.versioned) {
      rules.push({
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpiryDays ?? 90 }],
      });
    }
    new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket: bucket.id, rule: rules });
  }
}
