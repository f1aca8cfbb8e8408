import {
  GetParameterCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadPseudonymKey } from '../../../functions/ingest/pseudonym-key';

const NAME = '/clicklogger/test/pseudonym-key';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1' });
const notFound = () => new ParameterNotFound({ message: 'not found', $metadata: {} });
const KEY = Buffer.alloc(32, 3);

beforeEach(() => ssm.reset());

it("reads the stage's key when it exists, and creates nothing", async () => {
  // Prepare
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: KEY.toString('base64') } });

  // Act
  const key = await loadPseudonymKey(client, NAME);

  // Assert
  expect(Buffer.from(key)).toEqual(KEY);
  expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: NAME, WithDecryption: true });
  expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
});

it('creates 32 random bytes as a SecureString, never overwriting, when the stage has none', async () => {
  // Prepare
  ssm.on(GetParameterCommand).rejects(notFound());
  ssm.on(PutParameterCommand).resolves({ Version: 1 });

  // Act
  const key = await loadPseudonymKey(client, NAME);

  // Assert
  const put = ssm.commandCalls(PutParameterCommand)[0].args[0].input;
  expect(put).toMatchObject({ Name: NAME, Type: 'SecureString', Overwrite: false });
  expect(Buffer.from(put.Value!, 'base64')).toEqual(Buffer.from(key));
  expect(key).toHaveLength(32);
  expect(Buffer.from(key).equals(Buffer.alloc(32))).toBe(false);
});

it("takes the winner's key when another container created it first", async () => {
  // Prepare
  ssm
    .on(GetParameterCommand)
    .rejectsOnce(notFound())
    .resolves({ Parameter: { Value: KEY.toString('base64') } });
  ssm.on(PutParameterCommand).rejects(new ParameterAlreadyExists({ message: 'exists', $metadata: {} }));

  // Act
  const key = await loadPseudonymKey(client, NAME);

  // Assert
  expect(Buffer.from(key)).toEqual(KEY);
  expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
});

it('refuses a stored value that is not a 32-byte key, naming the parameter and not the value', async () => {
  // Prepare
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'c2hvcnQ=' } });

  // Act
  const loading = loadPseudonymKey(client, NAME);

  // Assert
  await expect(loading).rejects.toThrow(`the pseudonym key ${NAME} is not 32 bytes of base64`);
  await expect(loading).rejects.not.toThrow('c2hvcnQ');
});
