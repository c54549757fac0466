/** The HTML report for people without Sentinel: NDJSON records -> report model -> one self-contained page. */
export { readNdjson } from './read-ndjson.js';
export { ReportAccumulator } from './report-accumulator.js';
export { renderReport } from './render-report.js';
