// login: a full password sign-in from a fresh browser (no cookies): authorize -> sign-in page ->
// password post -> code -> token exchange. Bounded by the password hash (PBKDF2-SHA512, 100k).
import { Jar, authorize, exchange } from './lib.mjs';

export default {
  name: 'login',
  unit: 'sign-ins/s',
  setup: async (server) => ({ server }),
  iteration: async ({ server }) => {
    const t = await exchange(server, await authorize(server, new Jar(), { signIn: true }));
    if (!t.id_token) throw new Error('no id_token');
  },
};
