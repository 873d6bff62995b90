// The face-recognition facade: FaceEmbedder.open() loads an arcface_torch IResNet or MobileFaceNet from .safetensors
// on a device; embed() turns aligned 112x112 faces into embeddings off the JS thread. convertArcfaceOnnx() turns the
// public .onnx releases into such a file. Arguments are validated here, before the one native crossing.
import { addon, type NativeTensor } from './addon.js';
import { badArgument, describe, fromNative } from './errors.js';

export { type ArcfaceConversion, convertArcfaceOnnx } from './onnx/convert-arcface.js';
export type { ArcfaceConfigJson } from './onnx/arcface-graph.js';

export interface FaceEmbedderOptions {
  /** "cpu", "cuda" or "cuda:N". Default "cpu". */
  device?: string;
  /**
   * CUDA only: run the trunk under fp16 autocast with fc/features in fp32, as arcface_torch's fp16=True (MagiCapture's
   * ArcFace-R100 runs this way). Ignored on the CPU, which computes in fp32. Default false.
   */
  fp16?: boolean;
}

export interface FaceEmbedderInfo {
  path: string;
  architecture: 'iresnet' | 'mobilefacenet';
  /** Blocks per stage (IResNet) or per residual group (MobileFaceNet). */
  layers: number[];
  baseWidth: number;
  scale: number;
  embeddingSize: number;
  /** Batch norms folded into the convolutions (converted from a constant-folded ONNX export). */
  folded: boolean;
  configSource: 'metadata' | 'inferred from weights';
  device: string;
  /** Effective: requested and on CUDA. */
  fp16: boolean;
  parameters: number;
  unusedKeys: string[];
}

/** Planar float32 [B, 3, 112, 112] in [-1, 1]: faces aligned to ArcFace's five-point template. */
export interface AlignedFaces {
  data: Float32Array;
  shape: number[];
}

export interface InputGradient {
  /** One embedding per image. */
  embeddings: Float32Array[];
  /** d(sum(embeddings * cotangent)) / d(image), [B, 3, 112, 112]. */
  inputGradient: NativeTensor;
}

interface NativeFaceEmbedderHandle {
  info(): FaceEmbedderInfo;
  embed(image: NativeTensor): Promise<NativeTensor>;
  inputGradient(image: NativeTensor, cotangent: NativeTensor): Promise<{ embeddings: NativeTensor; inputGradient: NativeTensor }>;
  close(): void;
}

interface ArcfaceNative {
  openFaceEmbedder(path: string, options: { device: string; fp16: boolean }): Promise<NativeFaceEmbedderHandle>;
}

const MAX_BATCH = 4096;

export class FaceEmbedder {
  private constructor(
    private handle: NativeFaceEmbedderHandle | undefined,
    readonly info: FaceEmbedderInfo,
  ) {}

  /** Loads a .safetensors ArcFace network (an arcface_torch backbone, or the output of convertArcfaceOnnx). */
  static async open(path: string, options: FaceEmbedderOptions = {}): Promise<FaceEmbedder> {
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
      throw badArgument(`expected a model path, received ${describe(path)}`);
    }
    const device = options.device ?? 'cpu';
    if (typeof device !== 'string' || !/^(cpu|cuda(:\d{1,3})?)$/.test(device)) {
      throw badArgument(`expected device "cpu", "cuda" or "cuda:N", received ${describe(device)}`);
    }
    const fp16 = options.fp16 ?? false;
    if (typeof fp16 !== 'boolean') throw badArgument(`expected fp16 to be true or false, received ${describe(fp16)}`);
    try {
      const handle = await (addon() as unknown as ArcfaceNative).openFaceEmbedder(path, { device, fp16 });
      return new FaceEmbedder(handle, handle.info());
    } catch (error) {
      throw fromNative(error);
    }
  }

  /** One embedding (info.embeddingSize floats, not L2-normalised) per aligned face. */
  async embed(faces: AlignedFaces): Promise<Float32Array[]> {
    const handle = this.requireOpen();
    const image = checkFaces(faces);
    try {
      return split(await handle.embed(image), this.info.embeddingSize);
    } catch (error) {
      throw fromNative(error);
    }
  }

  /**
   * The embeddings and the gradient of sum(embeddings * cotangent) with respect to the image: the path the identity
   * loss takes back into the generated image. `cotangent` has embeddingSize values (shared by every image) or
   * batch x embeddingSize.
   */
  async inputGradient(faces: AlignedFaces, cotangent: Float32Array): Promise<InputGradient> {
    const handle = this.requireOpen();
    const image = checkFaces(faces);
    const batch = image.shape[0] as number;
    const size = this.info.embeddingSize;
    if (!(cotangent instanceof Float32Array) || (cotangent.length !== size && cotangent.length !== batch * size)) {
      throw badArgument(`expected cotangent to be a Float32Array of ${size} or ${batch * size} values, received ${describe(cotangent)}` +
        (cotangent instanceof Float32Array ? ` of ${cotangent.length}` : ''));
    }
    try {
      const result = await handle.inputGradient(image, { data: cotangent, shape: [cotangent.length] });
      return { embeddings: split(result.embeddings, size), inputGradient: result.inputGradient };
    } catch (error) {
      throw fromNative(error);
    }
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }

  private requireOpen(): NativeFaceEmbedderHandle {
    if (!this.handle) throw badArgument('this face embedder was closed', 'Open the model again.');
    return this.handle;
  }
}

function checkFaces(faces: AlignedFaces): NativeTensor {
  if (typeof faces !== 'object' || faces === null) throw badArgument(`expected faces to be {data, shape}, received ${describe(faces)}`);
  const { data, shape } = faces;
  if (!(data instanceof Float32Array)) throw badArgument(`expected faces.data to be a Float32Array, received ${describe(data)}`);
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isSafeInteger(d)) ||
      shape[1] !== 3 || shape[2] !== 112 || shape[3] !== 112 || (shape[0] as number) < 1 || (shape[0] as number) > MAX_BATCH) {
    throw badArgument(`expected faces.shape to be [B, 3, 112, 112] with B from 1 to ${MAX_BATCH}, received ${JSON.stringify(shape)}`,
      'Align each face to the 112x112 ArcFace template first.');
  }
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw badArgument(`expected faces.data to hold ${expected} values, received ${data.length}`);
  return { data, shape: [...shape] };
}

function split(tensor: NativeTensor, size: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < tensor.data.length; i += size) out.push(tensor.data.slice(i, i + size));
  return out;
}
