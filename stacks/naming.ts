/**
 * Physical names, in the seed's scheme so the blog's instructions still apply:
 * resources are `<prefix>-<stage>-<purpose>`, buckets `<region>-<prefix>-<stage>-<purpose>-<account>`.
 */
/** The delivery stream's purpose: `clicklogger-dev-firehose-delivery-stream`, as the seed named it. */
export const DELIVERY_STREAM_PURPOSE = 'firehose-delivery-stream';

export class Naming {
  constructor(
    readonly prefix: string,
    readonly stage: string,
    readonly region: string,
    /** Account id; usually a Terraform reference resolved at plan time. */
    readonly account: string,
  ) {}

  /** `clicklogger-dev-<purpose>` */
  resource(purpose: string): string {
    return `${this.prefix}-${this.stage}-${purpose}`;
  }

  /** `<region>-clicklogger-dev-<purpose>-<account>` */
  bucket(purpose: string): string {
    return `${this.region}-${this.prefix}-${this.stage}-${purpose}-${this.account}`;
  }

  /** `/clicklogger/dev/pseudonym-key`: the SSM parameter of the stage's pseudonym key. */
  pseudonymKeyParameter(): string {
    return `/${this.prefix}/${this.stage}/pseudonym-key`;
  }

  /** Glue names: underscores, because Athena and Spark SQL reject dashes in identifiers. */
  glue(purpose: string): string {
    return `${this.prefix}_${this.stage}_${purpose}`.replaceAll('-', '_');
  }
}

/** The stack id for a stage: `clicklogger-<stage>`. */
export function stackName(prefix: string, stage: string): string {
  return `${prefix}-${stage}`;
}

/** Where the stack's resources live: the parts of an ARN that the stack knows only as Terraform references. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` */
export function arnOf(scope: ArnScope, service: string, resource: string): string {
  return `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
}
