/**
 * "Deploy to Azure" links in the form the Azure portal documents:
 * `https://portal.azure.com/#create/Microsoft.Template/uri/<encoded template URL>` and, for a template with
 * an install wizard, `/createUIDefinitionUri/<encoded createUiDefinition URL>`. The templates are read
 * from the repository's raw files, so a link always deploys what is on the branch.
 */

/** Raw files of the repository's default branch. Change it here if the repository moves; a test checks the docs. */
export const REPO_RAW_BASE = 'https://raw.githubusercontent.com/securescore-connector/securescore-connector/main';

export function deployToAzureUrl(templatePath: string, createUiDefinitionPath?: string, base = REPO_RAW_BASE): string {
  const raw = (path: string) => encodeURIComponent(`${base}/${path.split('/').map(encodeURIComponent).join('/')}`);
  const url = `https://portal.azure.com/#create/Microsoft.Template/uri/${raw(templatePath)}`;
  return createUiDefinitionPath ? `${url}/createUIDefinitionUri/${raw(createUiDefinitionPath)}` : url;
}

/** The three buttons: the table and DCR, the job, and the Sentinel solution with its wizard. */
export const DEPLOY_BUTTONS = [
  { label: 'Table and DCR', template: 'dcr-templates/securescore-dcr.json' },
  { label: 'Container Apps job', template: 'deploy/container-apps-job.json' },
  {
    label: 'Sentinel solution',
    template: 'Solutions/MicrosoftSecureScore/Package/mainTemplate.json',
    createUiDefinition: 'Solutions/MicrosoftSecureScore/Package/createUiDefinition.json',
  },
] as const;

const BADGE = 'https://aka.ms/deploytoazurebutton';

/** Markdown for one button. */
export function deployButtonMarkdown(button: { label: string; template: string; createUiDefinition?: string }): string {
  return `[![Deploy to Azure: ${button.label}](${BADGE})](${deployToAzureUrl(button.template, button.createUiDefinition)})`;
}
