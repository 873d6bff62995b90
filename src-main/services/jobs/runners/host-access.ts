// A host process started on first use: an import never pays for loading libtorch, and a host that gave up after
// too many crashes gets one fresh start when the next job needs it (start() throws HostStartError if it still
// cannot run, which fails that job with the reason instead of re-queueing it forever).
import type { MethodTable } from '../../../common/protocol/messages.js';
import type { HostSupervisor } from '../../processes/supervisor.js';

export class HostAccess<M extends MethodTable, C> {
  constructor(readonly supervisor: HostSupervisor<M, C>) {}

  async get(): Promise<HostSupervisor<M, C>> {
    const state = this.supervisor.state;
    if (state !== 'ready' && state !== 'starting' && state !== 'restarting') await this.supervisor.start();
    return this.supervisor;
  }
}
