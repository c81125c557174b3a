// limit: GET / on the bare Kestrel endpoint (bench/Limits kestrel), the same driver as the scenarios.
import { http } from './lib.mjs';

export default {
  name: 'kestrel',
  unit: 'req/s',
  setup: async (server) => ({ server }),
  iteration: async ({ server }) => {
    const r = await http('GET', server.url);
    if (r.status !== 200) throw new Error(`kestrel ${r.status}`);
  },
};
