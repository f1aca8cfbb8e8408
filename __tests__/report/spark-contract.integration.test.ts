/** The Spark job agrees with the click schema and the report columns (needs the project's Python environment). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { CLICK_FIELDS } from '../../core/click-schema';
import { ERASURE, PARTITION_KEY, RAW_PREFIX, REPORT_FILES } from '../../core/contracts';
import { pythonEnvBin, pythonEnvHas } from '../../local/emr/python-env';
import { REPORT_COLUMNS } from '../../report/markdown';
import { requireTool } from '../support/ci';

const ROOT = path.resolve(__dirname, '..', '..');

const hasPython = requireTool("the project's Python environment", pythonEnvHas());
(hasPython ? it : it.skip)(
  'has the Spark job read the click schema columns from the shared partitions, write the report files and columns, and erase with the shared names',
  () => {
    const out = execFileSync(
      pythonEnvBin('python'),
      [
        '-c',
        'import json, report_job as r, report_erase as e; print(json.dumps([r.CLICK_COLUMNS, r.REPORT_COLUMNS, ' +
          '[r.RAW_PREFIX, r.PARTITION_KEY, r.REPORT_MARKDOWN, r.REPORT_JSON, r.REPORT_HTML], ' +
          '[e.ERASE_MODE, e.PENDING_ERASURE, e.ERASURE_LOG_PREFIX, e.NO_DATE, e.MAX_VALUE_LENGTH]]))',
      ],
      { cwd: path.join(ROOT, 'spark'), encoding: 'utf8' },
    );
    const [clickColumns, reportColumns, names, erasure] = JSON.parse(out);
    expect(clickColumns).toEqual(CLICK_FIELDS.map((f) => f.name));
    expect(reportColumns).toEqual([...REPORT_COLUMNS]);
    expect(names).toEqual([
      RAW_PREFIX,
      PARTITION_KEY.name,
      REPORT_FILES.markdown,
      REPORT_FILES.json,
      REPORT_FILES.html,
    ]);
    const userField = CLICK_FIELDS.find((f) => f.name === 'user')!;
    expect(erasure).toEqual([ERASURE.mode, ERASURE.pending, ERASURE.logPrefix, ERASURE.noDate, userField.maxBytes]);
  },
);
