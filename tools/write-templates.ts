/**
 * `npm run generate`: writes dcr-templates/ from src/schema and kql/deploy/ from the kql/ sources. A
 * test fails when the committed files differ from what this would write, so edit the sources and
 * re-run this instead.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSentinelTemplates } from './content/arm.js';
import { CONNECTOR_PATH, renderConnectorDefinition } from './content/connector.js';
import { renderSolution } from './content/solution.js';
import { loadSentinelContent } from './content/load.js';
import { buildDcrArmTemplate } from './dcr-template.js';
import { spliceTroubleshooting, TROUBLESHOOTING_PATH } from './troubleshooting.js';

/** Path of the generated ARM template, relative to the repository root. */
export const DCR_TEMPLATE_PATH = 'dcr-templates/securescore-dcr.json';

/** The exact text the committed template must have. */
export function renderDcrTemplate(): string {
  return `${JSON.stringify(buildDcrArmTemplate(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await mkdir('dcr-templates', { recursive: true });
  await writeFile(DCR_TEMPLATE_PATH, renderDcrTemplate());
  console.log(`wrote ${DCR_TEMPLATE_PATH}`);
  await mkdir('kql/deploy', { recursive: true });
  for (const [path, text] of Object.entries(renderSentinelTemplates(loadSentinelContent()))) {
    await writeFile(path, text);
    console.log(`wrote ${path}`);
  }
  for (const [path, text] of Object.entries({ [CONNECTOR_PATH]: renderConnectorDefinition(), ...renderSolution(loadSentinelContent()) })) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    console.log(`wrote ${path}`);
  }
  await writeFile(TROUBLESHOOTING_PATH, spliceTroubleshooting(await readFile(TROUBLESHOOTING_PATH, 'utf8')));
  console.log(`wrote ${TROUBLESHOOTING_PATH}`);
}
