// XMP for a deliverable: Dublin Core title, caption, creator and rights (what Lightroom, Photoshop and photo
// libraries show), the portrayed client (IPTC Extension PersonInImage), IPTC's DigitalSourceType saying the
// image is AI-generated (trainedAlgorithmicMedia), and the full generation recipe under the studio's namespace.
import type { ExportMetadata } from '../../common/protocol/media.js';

export const TRAINED_ALGORITHMIC_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
export const STUDIO_NAMESPACE = 'https://magicapture.studio/ns/1.0/';
export const CREATOR_TOOL = 'MagiCapture Studio';

/** XML 1.0 forbids most control characters even when escaped; they carry no meaning in a caption anyway. */
function escape(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const alt = (tag: string, value: string) => `<${tag}><rdf:Alt><rdf:li xml:lang="x-default">${escape(value)}</rdf:li></rdf:Alt></${tag}>`;
const seq = (tag: string, value: string) => `<${tag}><rdf:Seq><rdf:li>${escape(value)}</rdf:li></rdf:Seq></${tag}>`;
const bag = (tag: string, value: string) => `<${tag}><rdf:Bag><rdf:li>${escape(value)}</rdf:li></rdf:Bag></${tag}>`;
const simple = (tag: string, value: string) => `<${tag}>${escape(value)}</${tag}>`;

/** The XMP packet and the names of the properties it sets (for the recipe's record). */
export function buildXmp(meta: ExportMetadata, createdAt: Date): { xmp: string; fields: string[] } {
  const parts: Array<[string, string]> = [
    ['Iptc4xmpExt:DigitalSourceType', simple('Iptc4xmpExt:DigitalSourceType', TRAINED_ALGORITHMIC_MEDIA)],
    ['xmp:CreatorTool', simple('xmp:CreatorTool', CREATOR_TOOL)],
    ['xmp:CreateDate', simple('xmp:CreateDate', createdAt.toISOString())],
  ];
  if (meta.title !== undefined) parts.push(['dc:title', alt('dc:title', meta.title)]);
  if (meta.description !== undefined) parts.push(['dc:description', alt('dc:description', meta.description)]);
  if (meta.creator !== undefined) parts.push(['dc:creator', seq('dc:creator', meta.creator)]);
  if (meta.copyright !== undefined) parts.push(['dc:rights', alt('dc:rights', meta.copyright)]);
  if (meta.client !== undefined) parts.push(['Iptc4xmpExt:PersonInImage', bag('Iptc4xmpExt:PersonInImage', meta.client)]);
  if (meta.recipe !== undefined) parts.push(['magicapture:Recipe', simple('magicapture:Recipe', meta.recipe)]);
  const xmp =
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' +
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"' +
    ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"' +
    ` xmlns:magicapture="${STUDIO_NAMESPACE}">` +
    parts.map(([, xml]) => xml).join('') +
    '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
  return { xmp, fields: parts.map(([name]) => name) };
}

/** EXIF IFD0 text tags for readers that ignore XMP; the recipe stays in XMP only (EXIF text is meant to be short). */
export function exifTags(meta: ExportMetadata): Record<string, string> {
  const tags: Record<string, string> = { Software: CREATOR_TOOL };
  const caption = meta.description ?? meta.title;
  if (caption !== undefined) tags['ImageDescription'] = caption;
  if (meta.creator !== undefined) tags['Artist'] = meta.creator;
  if (meta.copyright !== undefined) tags['Copyright'] = meta.copyright;
  return tags;
}
