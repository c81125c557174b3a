// disco: discovery document then JWKS, one pair per operation (what a relying party fetches).
import { http } from './lib.mjs';

export default {
  name: 'disco',
  unit: 'pairs/s',
  setup: async (server) => ({ server }),
  iteration: async ({ server }) => {
    const d = await http('GET', server.discoveryUrl);
    const j = await http('GET', server.config.jwks_uri);
    if (d.status !== 200 || j.status !== 200) throw new Error(`discovery ${d.status}, jwks ${j.status}`);
  },
};
