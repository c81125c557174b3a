// refresh: the refresh-token grant with rotation; each connection follows its own chain (the new
// refresh token replaces the old one, which the server refuses from then on).
import { Jar, authorize, exchange, token, web } from './lib.mjs';

export default {
  name: 'refresh',
  unit: 'refreshes/s',
  setup: async (server) => {
    // oidc-provider keeps offline_access only with prompt=consent (OpenID Connect Core §11); OnePass
    // keeps it for a client allowed refresh tokens, and prompt=consent would show its consent page.
    const extra = server.name === 'peer' ? { prompt: 'consent' } : {};
    const issued = await exchange(server, await authorize(server, new Jar(), { scope: 'openid profile email offline_access', signIn: true, extra }));
    if (!issued.refresh_token) throw new Error('no refresh_token from the code exchange');
    return { server, refreshToken: issued.refresh_token };
  },
  iteration: async (state) => {
    const t = await token(state.server, web, { grant_type: 'refresh_token', refresh_token: state.refreshToken });
    if (!t.refresh_token || t.refresh_token === state.refreshToken) throw new Error('the refresh token was not rotated');
    state.refreshToken = t.refresh_token;
  },
};
