// cc: client_credentials at the token endpoint, client_secret_basic; one token per operation.
import { token, machine } from './lib.mjs';

export default {
  name: 'cc',
  unit: 'tokens/s',
  setup: async (server) => ({ server }),
  iteration: async ({ server }) => {
    const t = await token(server, machine, { grant_type: 'client_credentials' });
    if (!t.access_token) throw new Error('no access_token');
  },
};
