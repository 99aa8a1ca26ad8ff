import { type EgressProxy, startEgressProxy } from '../net/egress-proxy.ts';

/**
 * The process's egress proxies, one per policy, started on first use and shared by every browser
 * the process launches: the public-only one is Chromium's default (`--proxy-server`), and each job's
 * browser context names the one its policy needs.
 */
const proxies = new Map<boolean, Promise<EgressProxy>>();

const proxyFor = (allowPrivateNetwork: boolean): Promise<EgressProxy> => {
  let proxy = proxies.get(allowPrivateNetwork);
  if (!proxy) {
    proxy = startEgressProxy({ allowPrivateNetwork });
    proxies.set(allowPrivateNetwork, proxy);
    proxy.catch(() => proxies.delete(allowPrivateNetwork));
  }
  return proxy;
};

/** The URL of the proxy that applies `allowPrivateNetwork`, for Chromium's proxy settings. */
export const egressProxyUrl = async (allowPrivateNetwork: boolean): Promise<string> =>
  (await proxyFor(allowPrivateNetwork)).url;

/** Loads the proxies refused so far, both policies together: lets tests prove a refusal happened. */
export const egressRefusals = async (): Promise<number> => {
  let total = 0;
  for (const proxy of proxies.values()) total += await proxy.then((p) => p.refused()).catch(() => 0);
  return total;
};

/** Stops the proxies (local stack shutdown, benchmarks); the next render starts them again. */
export const closeEgressProxies = async (): Promise<void> => {
  const open = [...proxies.values()];
  proxies.clear();
  await Promise.all(open.map((proxy) => proxy.then((p) => p.close()).catch(() => undefined)));
};
