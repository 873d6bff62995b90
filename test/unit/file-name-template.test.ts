// The export name template shared by the export job and the export dialog's preview: values never add a folder
// or a forbidden character, {n} is padded to the batch, and unsafe templates are refused with what was received.
import { describe, expect, it } from 'vitest';

import { expandTemplate, previewNames, templateProblem } from '../../src-main/common/api/file-name-template.js';

describe('export file-name templates', () => {
  it('previews the first names with {n} padded to the batch size', () => {
    expect(previewNames('{client}-{title}-{n}', { client: 'Ann Lee', title: 'Spring', date: '2026-11-25' }, 12, 'jpg')).toEqual(['Ann Lee-Spring-01.jpg', 'Ann Lee-Spring-02.jpg', 'Ann Lee-Spring-03.jpg']);
    expect(previewNames('{date}/{n}', { client: '', title: '', date: '2026-11-25' }, 1, 'png')).toEqual(['2026-11-25/1.png']);
  });

  it('keeps values from making folders or names a file system refuses', () => {
    expect(expandTemplate('{client}/{title}', { client: '../../etc', title: 'a/b:c', date: '', n: '1' })).toEqual({ folders: ['etc'], stem: 'a-b-c' });
    expect(expandTemplate('{client}', { client: 'con', title: '', date: '', n: '1' }).stem).toBe('con_');
  });

  it('refuses unsafe or unknown templates, saying what it received', () => {
    expect(templateProblem('{client}-{n}')).toBeNull();
    expect(templateProblem('')).toBe('expected a file-name template of 1 to 200 characters, received ""');
    expect(templateProblem('a\\b')).toMatch(/using "\/" for subfolders/);
    expect(templateProblem('{n')).toMatch(/balanced braces/);
    expect(templateProblem('a//b')).toMatch(/without empty/);
    expect(templateProblem('a?{n}')).toMatch(/characters file systems refuse/);
  });
});
