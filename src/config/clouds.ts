/** The clouds Secure Score is offered in, and the three endpoints that must agree for each. */
export interface CloudSettings {
  readonly graphEndpoint: string;
  readonly authorityHost: string;
  /** Token audience of the Logs Ingestion API (the SDK appends `/.default`). */
  readonly ingestionAudience: string;
}

export const CLOUDS = {
  AzurePublic: {
    graphEndpoint: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    ingestionAudience: 'https://monitor.azure.com',
  },
  // GCC High.
  AzureUSGovernment: {
    graphEndpoint: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    ingestionAudience: 'https://monitor.azure.us',
  },
  AzureUSGovernmentDoD: {
    graphEndpoint: 'https://dod-graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    ingestionAudience: 'https://monitor.azure.us',
  },
} as const satisfies Record<string, CloudSettings>;

export type CloudName = keyof typeof CLOUDS;
export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[];

/** Names people try that we refuse with a reason rather than "unknown value". */
export const UNSUPPORTED_CLOUDS: Record<string, string> = {
  AzureChina: 'the Secure Score APIs are not offered in the Microsoft Azure operated by 21Vianet (China) cloud',
  AzureChinaCloud: 'the Secure Score APIs are not offered in the Microsoft Azure operated by 21Vianet (China) cloud',
};

/** Authority hosts of Microsoft clouds; anything else gets instance discovery disabled. */
export const MICROSOFT_AUTHORITY_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn']);

/** Hosts graph-client already trusts with a token. */
export const GRAPH_HOSTS = new Set(['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us']);
