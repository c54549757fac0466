import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEPLOY_BUTTONS, deployButtonMarkdown, deployToAzureUrl, REPO_RAW_BASE } from '../../tools/content/deploy-buttons.js';

describe('Deploy to Azure links', () => {
  it('use the documented portal form, the raw file URL encoded whole, and the wizard for the solution', () => {
    expect(deployToAzureUrl('a/b.json', undefined, 'https://raw.githubusercontent.com/o/r/main')).toBe(
      'https://portal.azure.com/#create/Microsoft.Template/uri/https%3A%2F%2Fraw.githubusercontent.com%2Fo%2Fr%2Fmain%2Fa%2Fb.json',
    );
    expect(deployToAzureUrl('a.json', 'ui.json', 'https://x/y')).toBe(
      'https://portal.azure.com/#create/Microsoft.Template/uri/https%3A%2F%2Fx%2Fy%2Fa.json/createUIDefinitionUri/https%3A%2F%2Fx%2Fy%2Fui.json',
    );
    expect(REPO_RAW_BASE).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[^/]+$/);
  });

  it.each(DEPLOY_BUTTONS)('$label: points at files in the repository, and docs/solution.md and the README have the button', (button) => {
    expect(existsSync(button.template)).toBe(true);
    if ('createUiDefinition' in button) expect(existsSync(button.createUiDefinition)).toBe(true);
    expect(readFileSync('docs/solution.md', 'utf8')).toContain(deployButtonMarkdown(button));
    expect(readFileSync('README.md', 'utf8')).toContain(
      `(${deployToAzureUrl(button.template, 'createUiDefinition' in button ? button.createUiDefinition : undefined)})`,
    );
  });
});
