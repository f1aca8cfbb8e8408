/**
 * `clicklogger erase`: one person's clicks out of the raw data, in a local run's folder
 * (erase-local.ts) or on a deployed stage (erase-stage.ts). Both say what they will remove and
 * ask first (unless --yes), suppress the person's later clicks, rewrite the files that hold
 * theirs, report the days again, log the erasure by pseudonym, and end with a proof.
 */
import * as path from 'node:path';
import { usageError } from './errors';
import type { Io } from './io';
import type { CloudOptions } from './cloud';
import { COMMAND_FLAGS } from './command-flags';
import { parseFlags } from './flags';
import { engineFlag } from './local-command';
import { eraseLocally } from './erase-local';
import { type ErasePerson, rangeOf } from './erase-plan';
import { eraseOnStage } from './erase-stage';
import { ERASE_USAGE } from './usage';

export async function eraseCommand(argv: string[], io: Io, options: CloudOptions = {}): Promise<number> {
  const values = parseFlags(argv, COMMAND_FLAGS.erase, ERASE_USAGE);
  if ((values.user === undefined) === (values.contextid === undefined)) {
    throw usageError(`name the person with one of --user or --contextid (usage: ${ERASE_USAGE})`);
  }
  const person: ErasePerson =
    values.user !== undefined ? { kind: 'user', value: values.user } : { kind: 'contextid', value: values.contextid! };
  if (person.value.trim() === '') throw usageError(`--${person.kind} must not be blank`);
  const range = rangeOf(values.from, values.to);
  const yes = values.yes ?? false;
  if (values.stage !== undefined) {
    if (values.out !== undefined) throw usageError('--stage and --out name different places: give one');
    if (values.engine !== undefined)
      throw usageError('--engine is for a local folder: a stage erases on EMR Serverless');
    if (values.stage === '') throw usageError('--stage must name a stage, got ""');
    return eraseOnStage(person, range, { stage: values.stage, yes }, io, options);
  }
  if (values.out === '') throw usageError('--out must name a folder, got ""');
  const outDir = path.resolve(values.out ?? '.clicklogger');
  return eraseLocally(person, range, { outDir, engine: engineFlag(values.engine), yes }, io);
}
