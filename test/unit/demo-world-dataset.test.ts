// Datasets of the world: reproducible from a seed, grid or random pairs, and held-out combinations that never
// reach the training split.
import { describe, expect, it } from 'vitest';

import {
  identityOf, makeDataset, matchesCombination, render, styleOf, type DatasetSample, type HeldOutCombination,
} from '../../src-main/services/demo-world/index.js';

const heldOut: HeldOutCombination[] = [{ hairColor: 'red', backgroundColor: 'green' }, { glasses: 'round', clothingType: 'suit' }, { skinTone: 'dark' }];
const held = (s: DatasetSample) => heldOut.some((c) => matchesCombination(s.attributes, c));

describe('makeDataset', () => {
  it('yields every identity × style × pose of a grid, in order', () => {
    const all = [...makeDataset({ seed: 4, size: 16, identities: 3, styles: 4, perPair: 2 })];
    expect(all).toHaveLength(24);
    expect(all.map((s) => [s.identityIndex, s.styleIndex])).toEqual(
      [0, 1, 2].flatMap((i) => [0, 1, 2, 3].flatMap((j) => [[i, j], [i, j]])),
    );
    expect(all.map((s) => s.index)).toEqual([...Array(24).keys()]);
    // The two renders of a pair differ in pose only.
    expect(all[0]?.pose).not.toEqual(all[1]?.pose);
    expect(all[0]?.attributes).toEqual(all[1]?.attributes);
  });

  it('draws the same people and styles from a seed, however many are drawn', () => {
    const few = [...makeDataset({ seed: 9, size: 16, identities: 2, styles: 2 })];
    const many = [...makeDataset({ seed: 9, size: 16, identities: 5, styles: 5 })];
    expect(few[0]?.identity).toEqual(many[0]?.identity);
    expect(few[1]?.style).toEqual(many[1]?.style);
    expect(identityOf(9, 3)).toEqual(many[15]?.identity);
    expect(styleOf(9, 0)).toEqual(few[0]?.style);
    const again = [...makeDataset({ seed: 9, size: 16, identities: 2, styles: 2 })];
    expect(again.map((s) => Buffer.from(s.rgb).toString('base64'))).toEqual(few.map((s) => Buffer.from(s.rgb).toString('base64')));
  });

  it('keeps held-out combinations out of the training split, and only them in the held-out split', () => {
    const options = { seed: 1, size: 16, identities: 30, styles: 30, heldOut } as const;
    const train = [...makeDataset({ ...options, split: 'train' })];
    const test = [...makeDataset({ ...options, split: 'heldout' })];
    expect(train.length + test.length).toBe(900);
    expect(train.some(held)).toBe(false);
    expect(test.every(held)).toBe(true);
    expect(test.length).toBeGreaterThan(0);
    expect(train.every((s) => s.split === 'train') && test.every((s) => s.split === 'heldout')).toBe(true);
    // Every attribute value of a held-out pair still trains, just never together with its partner.
    expect(train.some((s) => s.attributes.hairColor === 'red')).toBe(true);
    expect(train.some((s) => s.attributes.backgroundColor === 'green')).toBe(true);
  });

  it('draws random pairs up to a count, training split only by default', () => {
    const train = [...makeDataset({ seed: 13, size: 16, identities: 50, styles: 50, pairing: 'random', count: 120, heldOut })];
    expect(train).toHaveLength(120);
    expect(train.some(held)).toBe(false);
    const test = [...makeDataset({ seed: 13, size: 16, identities: 50, styles: 50, pairing: 'random', count: 10, heldOut, split: 'heldout' })];
    expect(test).toHaveLength(10);
    expect(test.every(held)).toBe(true);
  });

  it('renders a sample exactly as render() does for its identity, style and seed', () => {
    const [sample] = [...makeDataset({ seed: 2, size: 32, identities: 1, styles: 1 })];
    const again = render(identityOf(2, 0), styleOf(2, 0), { size: 32, seed: sample?.seed ?? -1 });
    expect(Buffer.from(again.rgb).equals(Buffer.from(sample?.rgb ?? []))).toBe(true);
  });

  it('refuses bad options with what it expected', () => {
    const run = (o: object) => () => [...makeDataset({ seed: 1, size: 16, identities: 2, styles: 2, ...o })];
    expect(run({ heldOut: [{ hair: 'red' }] })).toThrow(/received hair/);
    expect(run({ heldOut: [{ hairColor: 'purple' }] })).toThrow(/hairColor to be one of/);
    expect(run({ heldOut: [{}] })).toThrow(/at least one attribute/);
    expect(run({ size: 20 })).toThrow(/multiple of 8/);
    expect(run({ pairing: 'random' })).toThrow(/count/);
    expect(run({ pairing: 'random', count: 5, heldOut: [{ gender: 'woman' }, { gender: 'man' }] })).toThrow(/too few/);
  });
});
