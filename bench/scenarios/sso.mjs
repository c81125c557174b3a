// sso: the warm single-sign-on round trip with a live session cookie: authorize -> code -> token
// exchange with PKCE (S256). Each connection signs in once, untimed, to get its session.
import { Jar, authorize, exchange } from './lib.mjs';

export default {
  name: 'sso',
  unit: 'round trips/s',
  setup: async (server) => {
    const jar = new Jar();
    await exchange(server, await authorize(server, jar, { signIn: true }));
    return { server, jar };
  },
  iteration: async ({ server, jar }) => {
    const t = await exchange(server, await authorize(server, jar));
    if (!t.id_token) throw new Error('no id_token');
  },
};
