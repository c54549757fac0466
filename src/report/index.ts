/** The HTML report for people without Sentinel: NDJSON records -> report model -> one self-contained page. */
export { readNdjson, type NdjsonReadResult } from './read-ndjson.js';
export { ReportAccumulator, type InputFacts } from './report-accumulator.js';
export { renderReport } from './render-report.js';
export type { ReportModel } from './model.js';
