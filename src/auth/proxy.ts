/**
 * The outbound proxy a request to `url` goes through, as @azure/core-rest-pipeline decides it (its
 * proxy policy reads HTTPS_PROXY, then ALL_PROXY, then HTTP_PROXY, in upper or lower case, and
 * skips hosts listed in NO_PROXY exactly or by a `.suffix`). Only used to name the proxy in
 * messages, without its user and password.
 */
export function proxyFor(url: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const read = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const proxy = read('HTTPS_PROXY') ?? read('ALL_PROXY') ?? read('HTTP_PROXY');
  if (!proxy) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const bypass = (read('NO_PROXY') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .some((p) => (p.startsWith('.') ? host.endsWith(p) || host === p.slice(1) : host === p));
  if (bypass) return undefined;
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return proxy.replace(/\/\/[^@/]*@/, '//');
  }
}
