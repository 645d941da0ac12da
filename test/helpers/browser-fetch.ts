/**
 * A tiny browser for HTTP-level journeys across several origins (the app and
 * an identity provider): cookies kept per host, redirects followed by hand.
 */
export class CookieBrowser {
  readonly #jars = new Map<string, Map<string, string>>();

  #jar(url: URL): Map<string, string> {
    let jar = this.#jars.get(url.host);
    if (!jar) {
      jar = new Map();
      this.#jars.set(url.host, jar);
    }
    return jar;
  }

  async fetch(input: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const jar = this.#jar(url);
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      const expired = attributes.some(
        (a) => /^\s*expires=thu, 01 jan 1970/i.test(a) || /^\s*max-age=0\b/i.test(a),
      );
      if (expired) jar.delete(name.trim());
      else jar.set(name.trim(), value.join('='));
    }
    return res;
  }

  /** GETs `url` and follows redirects (any host) until a non-redirect answer; returns it and the hops. */
  async follow(url: string, maxHops = 20): Promise<{ res: Response; url: string; hops: string[] }> {
    const hops: string[] = [];
    let current = url;
    for (let i = 0; i < maxHops; i++) {
      const res = await this.fetch(current);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).toString();
        hops.push(current);
        continue;
      }
      return { res, url: current, hops };
    }
    throw new Error(`too many redirects: ${hops.join(' → ')}`);
  }
}
