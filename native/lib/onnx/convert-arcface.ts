// ONNX -> safetensors for the public ArcFace releases: reads the .onnx file (protobuf, no onnxruntime), maps its
// weights onto arcface_torch's state-dict names (arcface-graph.ts) and writes them with the architecture and the
// source file's SHA-256 in the metadata, so FaceEmbedder.open() loads the result without guessing.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

import { badArgument, describe, EngineError } from '../errors.js';
import { writeSafetensors } from '../io.js';
import { type ArcfaceConfigJson, mapArcfaceGraph } from './arcface-graph.js';
import { parseOnnxModel } from './onnx-proto.js';

/** The safetensors metadata keys written by the converter (the first is read by the engine). */
export const ARCFACE_METADATA_KEY = 'magicapture.arcface';
export const SOURCE_METADATA_KEY = 'magicapture.source';
export const SOURCE_SHA256_METADATA_KEY = 'magicapture.source_sha256';

// protobuf cannot describe a message of 2 GiB or more; such models keep their weights in external files.
const MAX_ONNX_BYTES = 2 ** 31 - 1;

export interface ArcfaceConversion {
  outPath: string;
  config: ArcfaceConfigJson;
  tensorCount: number;
  sourceSha256: string;
  opset: number;
  producer: string;
}

export async function convertArcfaceOnnx(onnxPath: string, outPath: string): Promise<ArcfaceConversion> {
  for (const [what, value] of [['onnxPath', onnxPath], ['outPath', outPath]] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) {
      throw badArgument(`expected ${what} to be a non-empty path, received ${describe(value)}`);
    }
  }
  if (resolve(onnxPath) === resolve(outPath)) throw badArgument(`expected outPath to differ from onnxPath, received ${onnxPath} twice`);
  let size: number;
  try {
    const info = await stat(onnxPath);
    if (!info.isFile()) throw badArgument(`expected ${onnxPath} to be a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw new EngineError('E_FILE_NOT_FOUND', `cannot read ${onnxPath}: ${(error as Error).message}`, 'Check the path of the .onnx file.');
  }
  if (size > MAX_ONNX_BYTES) {
    throw new EngineError('E_UNSUPPORTED_FORMAT', `${onnxPath}: ${size} bytes, expected at most ${MAX_ONNX_BYTES} for one ONNX file`,
      'ArcFace models are far smaller; this is not a face-recognition model.');
  }
  const bytes = await readFile(onnxPath);
  const sourceSha256 = createHash('sha256').update(bytes).digest('hex');
  const model = parseOnnxModel(bytes, onnxPath);
  const mapping = mapArcfaceGraph(model, onnxPath);
  const producer = `${model.producerName} ${model.producerVersion}`.trim();
  writeSafetensors(outPath, mapping.tensors, {
    [ARCFACE_METADATA_KEY]: JSON.stringify(mapping.config),
    [SOURCE_METADATA_KEY]: basename(onnxPath),
    [SOURCE_SHA256_METADATA_KEY]: sourceSha256,
    'magicapture.onnx_producer': producer,
    'magicapture.onnx_opset': String(mapping.opset),
  });
  return {
    outPath,
    config: mapping.config,
    tensorCount: mapping.tensors.length,
    sourceSha256,
    opset: mapping.opset,
    producer,
  };
}
