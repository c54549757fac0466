/**
 * The clouds, one record each: the three endpoints that must agree, or why Secure Score is not
 * offered there. Every host list the code needs (Microsoft authorities, Graph hosts) is derived
 * from these records, so a new cloud is one record.
 */
export interface CloudRecord {
  readonly name: string;
  readonly graphEndpoint: string;
  readonly authorityHost: string;
  /** Token audience of the Logs Ingestion API (the SDK appends `/.default`). */
  readonly ingestionAudience: string;
  /** Set when the Secure Score APIs are not offered in this cloud: the run is refused with this reason. */
  readonly unsupported?: string;
  /** Other names people use for it. */
  readonly aliases?: readonly string[];
}

const CHINA = 'the Secure Score APIs are not offered in the Microsoft Azure operated by 21Vianet (China) cloud';

const CLOUD_RECORDS: readonly CloudRecord[] = [
  {
    name: 'AzurePublic',
    graphEndpoint: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    ingestionAudience: 'https://monitor.azure.com',
  },
  {
    // GCC High.
    name: 'AzureUSGovernment',
    graphEndpoint: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    ingestionAudience: 'https://monitor.azure.us',
  },
  {
    name: 'AzureUSGovernmentDoD',
    graphEndpoint: 'https://dod-graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    ingestionAudience: 'https://monitor.azure.us',
  },
  {
    name: 'AzureChina',
    aliases: ['AzureChinaCloud'],
    graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    ingestionAudience: 'https://monitor.azure.cn',
    unsupported: CHINA,
  },
];

export const DEFAULT_CLOUD = 'AzurePublic';

/** Clouds the connector runs in. */
export const CLOUD_NAMES: readonly string[] = CLOUD_RECORDS.filter((c) => !c.unsupported).map((c) => c.name);

/** The record a name (or alias) names, ignoring case. */
export function findCloud(name: string): CloudRecord | undefined {
  const key = name.toLowerCase();
  return CLOUD_RECORDS.find((c) => c.name.toLowerCase() === key || c.aliases?.some((a) => a.toLowerCase() === key));
}

const hostOf = (url: string) => new URL(url).hostname.toLowerCase();

/** Authority hosts of Microsoft clouds; anything else gets instance discovery disabled. */
export const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set(CLOUD_RECORDS.map((c) => hostOf(c.authorityHost)));

/** Hosts graph-client already trusts with a token. */
export const GRAPH_HOSTS: ReadonlySet<string> = new Set(CLOUD_RECORDS.filter((c) => !c.unsupported).map((c) => hostOf(c.graphEndpoint)));
