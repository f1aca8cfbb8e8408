import * as path from 'node:path';
import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset } from 'cdktf';
import { EmrserverlessApplication } from '@cdktf/provider-aws/lib/emrserverless-application';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Actions, allow, grant, serviceRole, sourceGuard } from '../iam';
import { RAW_PREFIX, REPORT_SQL_FILES, SPARK_FILES, sparkObjectKey } from '../../core/contracts';

/** The job's files in this repository. */
const SPARK_DIR = path.resolve(__dirname, '..', '..', 'spark');

export interface AnalyticsProps {
  readonly applicationName: string;
  readonly jobRoleName: string;
  readonly releaseLabel: string;
  readonly maxCpu: string;
  readonly maxMemory: string;
  readonly idleTimeoutMinutes: number;
  /** Always-warm workers (billed while the application is started). Default: 0. */
  readonly preInitializedWorkers?: number;
  readonly sourceBucket: S3Bucket;
  readonly rawBucket: S3Bucket;
  readonly outputBucket: S3Bucket;
  readonly logsBucket: S3Bucket;
  readonly account: string;
  readonly kmsKeyArn?: string;
  /** Let EMR Studio attach to the application. Default: false. */
  readonly studioEnabled?: boolean;
}

/** The EMR Serverless Spark application, its job role, and the job's script and SQL in the source bucket. */
export class Analytics extends Construct {
  readonly application: EmrserverlessApplication;
  readonly jobRole: IamRole;
  readonly scriptUri: string;
  readonly sqlUris: readonly string[];
  /** s3:// URI of the job's renderers module (--py-files). */
  readonly renderersUri: string;
  /** s3:// URI of the job's visits and funnels module (--py-files). */
  readonly visitsUri: string;
  /** s3:// URI of the job's HTML page module (--py-files). */
  readonly pageUri: string;
  /** s3:// URI of the job's erase mode (--py-files of the erase workflow). */
  readonly eraserUri: string;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    const { sourceBucket, rawBucket, outputBucket, logsBucket } = props;
    const workers = props.preInitializedWorkers ?? 0;

    this.application = new EmrserverlessApplication(this, 'application', {
      name: props.applicationName,
      releaseLabel: props.releaseLabel,
      type: 'SPARK',
      architecture: 'ARM64',
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: props.idleTimeoutMinutes },
      maximumCapacity: { cpu: props.maxCpu, memory: props.maxMemory },
      initialCapacity:
        workers > 0
          ? ['Driver', 'Executor'].map((type) => ({
              initialCapacityType: type,
              initialCapacityConfig: {
                workerCount: type === 'Driver' ? 1 : workers,
                workerConfiguration: { cpu: '2 vCPU', memory: '8 GB' },
              },
            }))
          : undefined,
      interactiveConfiguration: props.studioEnabled ? { studioEnabled: true } : undefined,
    });

    this.jobRole = serviceRole(this, 'job-role', {
      name: props.jobRoleName,
      service: 'emr-serverless.amazonaws.com',
      description: 'Runtime role of the clicklogger report job',
      // Only job runs of this application may assume it (the EMR Serverless guide's runtime-role trust policy).
      condition: sourceGuard(props.account, this.application.arn),
    });
    grant(this, 'job-policy', this.jobRole, [
      allow(Actions.s3List, [sourceBucket.arn, rawBucket.arn, outputBucket.arn, logsBucket.arn]),
      allow(Actions.s3Read, [`${sourceBucket.arn}/*`, `${rawBucket.arn}/${RAW_PREFIX}/*`]),
      // Hadoop's S3 file system HEADs a key before overwriting it; without GetObject that HEAD is a 403.
      allow(Actions.s3Read, `${outputBucket.arn}/*`),
      allow(Actions.s3Write, [`${outputBucket.arn}/*`, `${logsBucket.arn}/*`]),
      ...(props.kmsKeyArn ? [allow(Actions.kmsUse, props.kmsKeyArn)] : []),
    ]);

    const upload = (name: string) => {
      const asset = new TerraformAsset(this, `${name}-asset`, {
        path: path.join(SPARK_DIR, name),
        type: AssetType.FILE,
      });
      const object = new S3Object(this, name, {
        bucket: sourceBucket.id,
        key: sparkObjectKey(name),
        source: asset.path,
        sourceHash: Fn.filemd5(asset.path),
      });
      // Through the object's key, so that whatever uses the URI depends on the upload.
      return `s3://${sourceBucket.bucket}/${object.key}`;
    };
    this.scriptUri = upload(SPARK_FILES.script);
    this.sqlUris = Object.values(REPORT_SQL_FILES).map(upload);
    this.renderersUri = upload(SPARK_FILES.renderers);
    this.visitsUri = upload(SPARK_FILES.visits);
    this.pageUri = upload(SPARK_FILES.page);
    this.eraserUri = upload(SPARK_FILES.eraser);
  }
}
