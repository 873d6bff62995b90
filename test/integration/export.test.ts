// Batch export through the real media host into a temporary folder, read back by sharp, exif-reader and (where
// Debian's exiftool is installed) exiftool: sizes, the sRGB profile, EXIF and XMP fields, names from the
// template, no overwrite, no half-written or temporary files, and no way out of the chosen folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ExportMetadata } from '../../src-main/common/protocol/media.js';
import { localDate } from '../../src-main/media-host/finishing/file-names.js';
import { createMediaHost, hostEntry, type MediaHost } from '../../src-main/services/processes/hosts.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'faces');
const astronaut = { path: join(fixtures, 'astronaut.jpg') };
const camera = { path: join(fixtures, 'camera.png') };
const built = existsSync(hostEntry('media'));
const exiftool = ['/usr/bin/exiftool', '/usr/local/bin/exiftool'].find((p) => existsSync(p));
const recipe = JSON.stringify({ model: 'sd15 sha256:ab12', lora: 'sha256:cd34', prompt: 'a photo of <sks> person, <style>', seed: 42, sampler: 'ddim', steps: 50 });
const metadata: ExportMetadata = { client: 'Eileen Collins', creator: 'Ann Lens', copyright: '© 2025 Ann Lens Studio', title: 'Studio portrait', description: 'Headshot, grey backdrop', recipe };

/** Every file below dir, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

describe.skipIf(!built)('finishing.export (needs npx tsc -p tsconfig.json)', () => {
  let host: MediaHost;
  let root: string;
  const scratch: string[] = [];
  beforeAll(async () => {
    host = createMediaHost({ onOutput: () => undefined });
    root = mkdtempSync(join(tmpdir(), 'magicapture-export-'));
    scratch.push(root);
    await host.start();
  });
  afterAll(async () => {
    await host.stop();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('writes 2048 px JPEGs named from the template, with the sRGB profile, EXIF and XMP, and records every step', async () => {
    const destination = join(root, 'deliveries');
    const progress: string[] = [];
    const started = Date.now();
    const { files } = await host.request(
      'finishing.export',
      {
        items: [{ source: astronaut }, { source: camera, metadata: { title: 'Second look' } }],
        destination,
        fileName: '{client}/{date}-{title}-{n}',
        options: { format: 'jpeg', quality: 90, upscale: 'off', metadata },
      },
      { onProgress: (p) => progress.push(`${p.done}/${p.total}`) },
    );
    console.log(`export of 2 JPEGs at 2048 px: ${Date.now() - started} ms`);
    const date = localDate(new Date());
    expect(listFiles(destination)).toEqual([`Eileen Collins/${date}-Second look-2.jpg`, `Eileen Collins/${date}-Studio portrait-1.jpg`]);
    expect(progress).toEqual(['1/2', '2/2']);
    const [first] = files;
    expect(first).toMatchObject({ index: 0, path: join(destination, 'Eileen Collins', `${date}-Studio portrait-1.jpg`), format: 'jpeg', width: 2048, height: 2048 });
    expect(first!.steps.map((s) => s.step)).toEqual(['decode', 'resize', 'colour', 'metadata', 'encode', 'write']);
    expect(first!.steps.at(-2)).toEqual({ step: 'encode', format: 'jpeg', quality: 90, bitDepth: 8 });
    const data = readFileSync(first!.path);
    expect(first!.bytes).toBe(data.length);

    const meta = await sharp(data).metadata();
    expect([meta.format, meta.width, meta.height, meta.space, meta.hasProfile, meta.chromaSubsampling]).toEqual(['jpeg', 2048, 2048, 'srgb', true, '4:4:4']);
    // The profile's description tag, "sRGB" in UTF-16BE.
    expect(Buffer.from(meta.icc!).includes(Buffer.from([0, 0x73, 0, 0x52, 0, 0x47, 0, 0x42]))).toBe(true);
    const exif = exifReader(meta.exif!);
    expect(exif.Image).toMatchObject({ ImageDescription: 'Headshot, grey backdrop', Artist: 'Ann Lens', Software: 'MagiCapture Studio' });
    const xmp = meta.xmp!.toString('utf8');
    expect(xmp).toContain('<rdf:li xml:lang="x-default">Studio portrait</rdf:li>');
    expect(xmp).toContain('<Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Eileen Collins</rdf:li></rdf:Bag>');
    expect(xmp).toContain('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
    expect(xmp).toContain('© 2025 Ann Lens Studio');
    expect(xmp).toContain(`<magicapture:Recipe>${recipe.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}</magicapture:Recipe>`);

    if (!exiftool) {
      console.log('exiftool not installed (apt-get install libimage-exiftool-perl): skipping the independent read-back');
      return;
    }
    const [tags] = JSON.parse(execFileSync(exiftool, ['-j', '-G1', '-struct', first!.path], { encoding: 'utf8' })) as Array<Record<string, unknown>>;
    expect(tags).toMatchObject({
      'ICC_Profile:ProfileDescription': 'sRGB',
      'XMP-dc:Title': 'Studio portrait',
      'XMP-dc:Rights': '© 2025 Ann Lens Studio',
      'XMP-iptcExt:PersonInImage': ['Eileen Collins'],
      'XMP-iptcExt:DigitalSourceType': 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      'XMP-magicapture:Recipe': recipe,
      'IFD0:Artist': 'Ann Lens',
      'File:ImageWidth': 2048,
    });
  });

  it('writes 16-bit TIFF and 8-bit PNG with the profile and XMP', async () => {
    const destination = join(root, 'formats');
    const tiff = await host.request('finishing.export', { items: [{ source: astronaut }], destination, fileName: 'master-{n}', options: { format: 'tiff', longEdge: 1024, upscale: 'off', metadata } });
    const png = await host.request('finishing.export', { items: [{ source: astronaut }], destination, fileName: 'web-{n}', options: { format: 'png', longEdge: 1024, upscale: 'off', metadata } });
    const tiffMeta = await sharp(tiff.files[0]!.path).metadata();
    expect([tiffMeta.format, tiffMeta.depth, tiffMeta.width, tiffMeta.hasProfile]).toEqual(['tiff', 'ushort', 1024, true]);
    expect(tiffMeta.xmp!.toString()).toContain('Studio portrait');
    const pngMeta = await sharp(png.files[0]!.path).metadata();
    expect([pngMeta.format, pngMeta.depth, pngMeta.hasProfile]).toEqual(['png', 'uchar', true]);
    expect(exifReader(pngMeta.exif!).Image?.Artist).toBe('Ann Lens');
    expect(listFiles(destination)).toEqual(['master-1.tif', 'web-1.png']);
  });

  it('never overwrites: taken names get -2, -3, and the existing file is untouched', async () => {
    const destination = join(root, 'again');
    mkdirSync(destination);
    writeFileSync(join(destination, 'proof-1.jpg'), 'the photographer edited this one');
    const request = { items: [{ source: astronaut }], destination, fileName: 'proof-{n}', options: { format: 'jpeg' as const, longEdge: 512, upscale: 'off' as const } };
    const second = await host.request('finishing.export', request);
    const third = await host.request('finishing.export', request);
    expect([second.files[0]!.path, third.files[0]!.path]).toEqual([join(destination, 'proof-1-2.jpg'), join(destination, 'proof-1-3.jpg')]);
    expect(readFileSync(join(destination, 'proof-1.jpg'), 'utf8')).toBe('the photographer edited this one');
    expect(listFiles(destination)).toEqual(['proof-1-2.jpg', 'proof-1-3.jpg', 'proof-1.jpg']); // no .tmp- leftovers
  });

  it('refuses destinations and templates that leave the chosen folder, and keeps values from adding folders', async () => {
    const destination = join(root, 'safe');
    const options = { format: 'jpeg' as const, longEdge: 256, upscale: 'off' as const };
    const refused = async (destinationPath: string, fileName: string, pattern: RegExp) =>
      expect(host.request('finishing.export', { items: [{ source: astronaut }], destination: destinationPath, fileName, options })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: expect.stringMatching(pattern) });
    await refused(destination, '../escape-{n}', /without empty, "\." or "\.\." folder names/);
    await refused(destination, '/etc/{n}', /relative to the export folder/);
    await refused(destination, 'a\\..\\b', /using "\/" for subfolders/);
    await refused(destination, '{client}-{secret}', /template tokens among \{client\}, \{title\}, \{date\}, \{n\}/);
    await refused('relative/folder', '{n}', /absolute folder path/);
    await refused(`${root}/safe/../elsewhere`, '{n}', /without "\." or "\.\." segments/);
    // A folder inside the destination that links elsewhere is not followed.
    const outside = mkdtempSync(join(tmpdir(), 'magicapture-outside-'));
    scratch.push(outside);
    mkdirSync(destination, { recursive: true });
    symlinkSync(outside, join(destination, 'link'));
    await refused(destination, 'link/{n}', /stay inside/);
    expect(readdirSync(outside)).toEqual([]);
    // Values are data: a hostile client name becomes part of one file name.
    const { files } = await host.request('finishing.export', {
      items: [{ source: astronaut }],
      destination,
      fileName: '{client}-{n}',
      options: { ...options, metadata: { client: '../../etc/passwd' } },
    });
    expect(files[0]!.path).toBe(join(destination, 'etc-passwd-1.jpg'));
    expect(existsSync(join(root, 'elsewhere'))).toBe(false);
  });

  it('checks every source before writing anything', async () => {
    const destination = join(root, 'batch');
    const truncated = (await sharp(astronaut.path).jpeg().toBuffer()).subarray(0, 2000);
    await expect(
      host.request('finishing.export', { items: [{ source: astronaut }, { source: { bytes: new Uint8Array(truncated) } }], destination, fileName: '{n}', options: { format: 'png', upscale: 'off', longEdge: 256 } }),
    ).rejects.toMatchObject({ code: 'E_BAD_IMAGE', message: expect.stringMatching(/^items\[1\]: /) });
    await expect(
      host.request('finishing.export', { items: [{ source: astronaut }], destination, fileName: '{n}', options: { format: 'jpeg', metadata: { recipe: '<'.repeat(30_000) } } }),
    ).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT', message: expect.stringMatching(/fits a JPEG's XMP/) });
    expect(existsSync(destination) ? listFiles(destination) : []).toEqual([]);
    await expect(host.request('finishing.export', { items: [{ source: astronaut }], destination, fileName: '{n}', options: { format: 'jpeg', bitDepth: 16 } })).rejects.toMatchObject({
      code: 'E_BAD_ARGUMENT',
      message: 'expected options.bitDepth to be 8 for jpeg (16 needs PNG or TIFF), received 16',
    });
  });
});
