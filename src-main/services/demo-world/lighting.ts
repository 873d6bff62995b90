// The key light of a style. Shading is normalised so that a surface facing the camera keeps its own colour
// under every light: the light changes the sides and edges (where read-outs of it look) and leaves the centre of
// the face, the hair crown and the garment front close to their true colours (where colour read-outs look).
import type { LightDirection, LightStrength } from './attributes.js';

export interface Light {
  /** Unit vector toward the light: x to the image's right, y down, z toward the viewer. */
  x: number;
  y: number;
  z: number;
  /** How much the light side brightens and the far side darkens. */
  contrast: number;
}

const DIRECTIONS: Record<LightDirection, [number, number, number]> = {
  left: [-0.62, -0.25, 0.74],
  right: [0.62, -0.25, 0.74],
  front: [0, -0.12, 0.99],
  above: [0, -0.8, 0.6],
};

const CONTRAST: Record<LightStrength, number> = { soft: 0.25, harsh: 1.0 };

/** Shadows never go fully black: the world has fill light. */
const FLOOR = 0.35;
/** How much the backdrop brightens toward the light (fraction at the image edge). */
const BACKDROP_GRADIENT = 0.08;

export function lightOf(direction: LightDirection, strength: LightStrength): Light {
  const [x, y, z] = DIRECTIONS[direction];
  const n = Math.sqrt(x * x + y * y + z * z);
  return { x: x / n, y: y / n, z: z / n, contrast: CONTRAST[strength] };
}

/** Brightness factor for a surface with unit normal (nx, ny, nz) in image axes. */
export function shade(light: Light, nx: number, ny: number, nz: number): number {
  const lambert = Math.max(0, nx * light.x + ny * light.y + nz * light.z);
  return Math.max(FLOOR, 1 + light.contrast * (lambert - light.z));
}

/** Brightness factor of the flat backdrop at (u, v), fractions of the width and height. */
export function backdropShade(light: Light, u: number, v: number): number {
  const k = BACKDROP_GRADIENT * (light.contrast / CONTRAST.harsh);
  return 1 + k * (light.x * (2 * u - 1) + light.y * (2 * v - 1));
}
