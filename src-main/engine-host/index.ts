// Entry of the engine host process (forked headless, a utilityProcess under Electron): loads the native
// libtorch addon, reports its versions and devices in the ready handshake, then serves engine requests one
// job at a time. A crash here fails the job in flight, never the app.
import { addon } from '../../native/lib/addon.js';
import { DTYPES, ENGINE_EXCLUSIVE, type EngineCapabilities, type EngineMethods, engineParams } from '../common/protocol/engine.js';
import { serveHost } from '../services/processes/host-server.js';
import { engineHandlers } from './handlers.js';
import { ModelRegistry } from './models.js';

const models = new ModelRegistry();

serveHost<EngineMethods, EngineCapabilities>({
  host: 'engine',
  async start() {
    // Loading the addon here, not on the first request, turns a missing or broken build into a start failure.
    const native = addon();
    const cuda = native.cudaAvailable();
    return {
      versions: { node: process.versions.node, napi: process.versions.napi ?? '', torch: native.torchVersion },
      capabilities: { torch: native.torchVersion, cuda, devices: cuda ? ['cpu', 'cuda'] : ['cpu'], dtypes: [...DTYPES], jobs: 'one-at-a-time' },
    };
  },
  validators: engineParams,
  handlers: engineHandlers(models),
  exclusive: ENGINE_EXCLUSIVE,
  stop: () => models.closeAll(),
});
