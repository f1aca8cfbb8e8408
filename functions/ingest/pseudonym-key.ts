/**
 * The stage's pseudonym key: 32 random bytes in an SSM SecureString that the ingestion function
 * creates on first use. Terraform never sees it (it is not in the state), the function's
 * environment holds only the parameter's name, and nothing logs it. Two containers that start
 * together both try to create it with Overwrite=false: the loser reads the winner's key.
 */
import { randomBytes } from 'node:crypto';
import {
  GetParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { PSEUDONYM_KEY_BYTES } from '../../core/privacy';

type Ssm = Pick<SSMClient, 'send'>;

async function readKey(ssm: Ssm, name: string): Promise<Uint8Array | undefined> {
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const key = Buffer.from(Parameter?.Value ?? '', 'base64');
    if (key.length !== PSEUDONYM_KEY_BYTES) {
      throw new Error(`the pseudonym key ${name} is not ${PSEUDONYM_KEY_BYTES} bytes of base64`);
    }
    return key;
  } catch (error) {
    if (error instanceof ParameterNotFound) return undefined;
    throw error;
  }
}

/** Reads the key, or creates it when the stage has none yet. */
export async function loadPseudonymKey(ssm: Ssm, name: string): Promise<Uint8Array> {
  const existing = await readKey(ssm, name);
  if (existing) return existing;
  const key = randomBytes(PSEUDONYM_KEY_BYTES);
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: key.toString('base64'),
        Type: 'SecureString',
        Overwrite: false,
        Description: 'clicklogger: the key of user pseudonyms (HMAC-SHA-256); deleting it unlinks every pseudonym',
      }),
    );
    return key;
  } catch (error) {
    if (!(error instanceof ParameterAlreadyExists)) throw error;
    // Another container created it first: its key is the stage's.
    const winner = await readKey(ssm, name);
    if (!winner) throw new Error(`the pseudonym key ${name} exists and cannot be read`, { cause: error });
    return winner;
  }
}
