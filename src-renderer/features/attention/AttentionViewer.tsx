// The attention-map viewer of a portrait. The contract has the place for the maps (Generation.attentionMapsBlob)
// but generations.generate neither asks the engine to capture them nor stores them, and their file format is not
// specified, so today every portrait arrives without maps and the viewer says so instead of inventing a picture.
import type { Generation } from '../../../src-main/common/api/index.js';
import { studio } from '../../bridge/studio.js';

export function AttentionViewer({ generation, onClose }: { generation: Generation; onClose: () => void }) {
  return (
    <section className="attention" aria-label={`Attention maps of portrait ${generation.id}`}>
      <div className="toolbar">
        <h2>Attention — portrait #{generation.id}</h2>
        <span className="spacer" />
        <button type="button" onClick={onClose}>Back to the grid</button>
      </div>
      <div className="attention-body">
        <img src={studio.fileUrl(generation.imageBlob)} alt={`Portrait ${generation.id}`} />
        <div role="status" className="empty-state">
          {generation.attentionMapsBlob === null
            ? <p>No attention maps were captured for this portrait. The studio does not capture them during generation yet.</p>
            : <p>This portrait has captured attention maps, but this version of the studio cannot read their format yet.</p>}
        </div>
      </div>
    </section>
  );
}
