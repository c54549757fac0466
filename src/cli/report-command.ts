import { createReadStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ConnectorError, describeError } from '../errors.js';
import { ReportAccumulator, readNdjson, renderReport } from '../report/index.js';
import type { CommandContext } from './context.js';

/** Arguments of `report`. */
export interface ReportArgs {
  readonly ndjson: readonly string[];
  /** The HTML file to write. */
  readonly output: string;
}

/**
 * `report FILE..`: one self-contained HTML page from NDJSON written by `run --output`, for people
 * without Sentinel. Files are streamed and aggregated as they are read, so their size does not matter.
 */
export async function reportCommand(args: ReportArgs, context: CommandContext): Promise<number> {
  // yargs drops a lone "-" from the list, so "report -" arrives here empty.
  if (args.ndjson.length === 0)
    throw new ConnectorError(
      'CONFIG',
      'report: no NDJSON file named. Name the files written by "run --output FILE" (for a pipe, use /dev/stdin)',
    );
  const accumulator = new ReportAccumulator();
  let unreadableLines = 0;
  for (const file of args.ndjson) {
    // A shell passes a pattern that matches nothing on as it is: say that, not "no such file".
    if (/[*?[]/.test(file) && !existsSync(file))
      throw new ConnectorError(
        'CONFIG',
        `report: ${file} matches no file. Check the folder and the pattern; the files are those run --output wrote`,
      );
    const input = createReadStream(file);
    let result;
    try {
      result = await readNdjson(input, (record) => accumulator.add(record));
    } catch (error) {
      throw new ConnectorError(
        'CONFIG',
        `report: cannot read ${file} (${describeError(error)}). Give the NDJSON file written by "run --output FILE"`,
        { cause: error },
      );
    }
    unreadableLines += result.unreadableLines;
    if (result.unreadableLines > 0)
      context.log(
        `report: ${result.unreadableLines} line(s) of ${file} are not records (the first is line ${result.firstUnreadableLine}); they were skipped. Check the file was written by run --output`,
      );
  }
  if (accumulator.recordCount === 0)
    throw new ConnectorError(
      'CONFIG',
      `report: ${args.ndjson.join(', ')} holds no securescore-connector records. Give the NDJSON file written by "run --output FILE"`,
    );
  const model = accumulator.finish({ generatedAt: new Date().toISOString(), files: args.ndjson, unreadableLines });
  try {
    await writeFile(args.output, renderReport(model));
  } catch (error) {
    throw new ConnectorError(
      'CONFIG',
      `report: cannot write ${args.output} (${describeError(error)}). Choose a writable path with --output`,
      {
        cause: error,
      },
    );
  }
  context.log(
    `report: wrote ${args.output}: ${model.tenants.length} tenant(s), ${model.input.records} record(s) from ${args.ndjson.length} file(s)`,
  );
  return 0;
}
