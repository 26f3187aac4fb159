#!/usr/bin/env node
// Builds cart-engine's embedded default dataset "emoji" in the dataset directory format (items.npy, items.tsv,
// captions.jsonl, dataset.json). Offline and deterministic: everything comes from the pinned npm packages.
//
//   items       every entry of emoji-datasource-twitter's emoji.json: the base emoji, skin-tone variants excluded
//               (they are nested under skin_variations there, so each base emoji is one entry)
//   embeddings  MobileNetV2 as bundled by nsfwjs (ImageNet backbone, fine-tuned by nsfwjs): the 1280-d output of
//               layer flatten_1 = global average pool of out_relu, before the dense classifier head
//   texts       test = CLDR English label; train = tags, shortcodes, emojilib keywords, Unicode name;
//               val = the Unicode name of a deterministic 10% of the items, and one more train text of another
//                     30% that is no item's test label (see SPLITS_RULE)
//
// Usage: npm ci && node prepare.js [OUT_DIR]   (OUT_DIR defaults to ../../src/main/resources/datasets/emoji)

'use strict';
const fs = require('fs');
const path = require('path');
const { PNG } = require('pngjs');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const nsfwjs = require('nsfwjs');

const OUT = path.resolve(process.argv[2] || path.join(__dirname, '../../src/main/resources/datasets/emoji'));
const MOD = path.join(__dirname, 'node_modules');
const IMG_DIR = path.join(MOD, 'emoji-datasource-twitter/img/twitter/64');
const SIZE = 224;
const FEATURE_LAYER = 'flatten_1';
const BATCH = 32;

const SPLITS_RULE =
  'One item per base emoji of emoji-datasource-twitter@16.0.0 (skin-tone variants excluded). ' +
  'test: the English CLDR label from emojibase-data@17.0.0 (one per item). ' +
  'train: emojibase tags; emojibase shortcodes (presets emojibase, github, iamcal) and emojilib@4.0.3 keywords with ' +
  'underscores turned into spaces; the lower-cased character name from emoji-datasource (the Unicode name for single ' +
  'code points). ' +
  'val: for items whose FNV-1a 32-bit hash of the UTF-8 id is 0 mod 10, the character name is moved from train to val. ' +
  'Texts are deduplicated per item after normalisation (lower case, runs of non-letters/digits collapsed to one ' +
  'space), keeping the first of test, val, train; so no train or val text of an item equals its test label. ' +
  'Then, for items whose hash is 1, 2 or 3 mod 10, the first remaining train text (in the order above) whose ' +
  'normalised form is no item\'s test label moves to val, so that model selection has several hundred queries.';

/** Hash residues (mod 10) of the items that give their first train text that is no test label to val. */
const EXTRA_VAL = new Set([1, 2, 3]);

const PACKAGES = ['emoji-datasource-twitter', 'emojibase-data', 'emojilib', 'nsfwjs', '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm', 'pngjs'];

// ---- texts ----------------------------------------------------------------------------------------------------

/** Code point sequence without variation selector 16, upper-case hex, 4-digit padded: the join key of all sources. */
function key(hex) {
  return hex.toUpperCase().split('-').filter((c) => c !== 'FE0F').map((c) => c.padStart(4, '0')).join('-');
}
function keyOfChars(s) {
  return key([...s].map((c) => c.codePointAt(0).toString(16)).join('-'));
}
function normText(s) {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}
function fnv1a32(s) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
const words = (s) => s.replace(/_/g, ' ').trim();

function loadItems() {
  const emoji = require(path.join(MOD, 'emoji-datasource-twitter/emoji.json'));
  const base = require(path.join(MOD, 'emojibase-data/en/data.json'));
  const baseByKey = new Map(base.map((e) => [key(e.hexcode), e]));
  const shortcodeSets = ['emojibase', 'github', 'iamcal'].map((p) =>
    require(path.join(MOD, `emojibase-data/en/shortcodes/${p}.json`)));
  const shortcodesByKey = new Map();
  for (const set of shortcodeSets) {
    for (const [hex, codes] of Object.entries(set)) {
      const k = key(hex);
      if (!shortcodesByKey.has(k)) shortcodesByKey.set(k, []);
      shortcodesByKey.get(k).push(...(Array.isArray(codes) ? codes : [codes]));
    }
  }
  const lib = require(path.join(MOD, 'emojilib/dist/emoji-en-US.json'));
  const libByKey = new Map(Object.entries(lib).map(([ch, kws]) => [keyOfChars(ch), kws]));

  emoji.sort((a, b) => a.sort_order - b.sort_order);
  const items = [];
  const stats = { noEmojilib: 0, droppedAsLabel: 0 };
  for (const e of emoji) {
    const k = key(e.unified);
    const b = baseByKey.get(k);
    if (!b) throw new Error(`no emojibase entry for ${e.unified} ${e.name}`);
    const id = e.unified;
    const name = e.name.toLowerCase();
    const inVal = fnv1a32(id) % 10 === 0;
    const candidates = [['test', b.label]];
    if (inVal) candidates.push(['val', name]);
    for (const t of b.tags || []) candidates.push(['train', t]);
    for (const s of shortcodesByKey.get(k) || []) candidates.push(['train', words(s)]);
    const kws = libByKey.get(k);
    if (!kws) stats.noEmojilib++;
    for (const w of kws || []) candidates.push(['train', words(w)]);
    if (!inVal) candidates.push(['train', name]);
    const seen = new Set();
    const captions = [];
    for (const [split, text] of candidates) {
      const n = normText(text);
      if (!n || seen.has(n)) {
        if (n && normText(b.label) === n && split !== 'test') stats.droppedAsLabel++;
        continue;
      }
      seen.add(n);
      captions.push({ item: id, text, split });
    }
    items.push({ id, char: b.emoji, image: e.image, subcategory: e.subcategory, captions });
  }
  // A val split of a few dozen queries makes "best epoch" noise: a further 30% of the items each give one train
  // text to val, never a text that is some item's test label (val must not leak the test queries).
  const labels = new Set(items.map((it) => normText(it.captions[0].text)));
  for (const it of items) {
    if (!EXTRA_VAL.has(fnv1a32(it.id) % 10)) continue;
    const c = it.captions.find((x) => x.split === 'train' && !labels.has(normText(x.text)));
    if (c) c.split = 'val';
  }
  return { items, stats };
}

// ---- images and features --------------------------------------------------------------------------------------

/** 64x64 RGBA PNG composited onto white: Float32Array HxWx3 in [0,1] (nsfwjs feeds pixels / 255). */
function readOnWhite(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const { width, height, data } = png;
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const a = data[4 * p + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[3 * p + c] = (data[4 * p + c] * a + 255 * (1 - a)) / 255;
  }
  return { rgb, width, height };
}

async function features(items) {
  await tf.setBackend('wasm');
  await tf.ready();
  const net = await nsfwjs.load('MobileNetV2', { size: SIZE });
  const layer = net.model.getLayer(FEATURE_LAYER);
  const extractor = tf.model({ inputs: net.model.inputs, outputs: layer.output });
  const dim = layer.outputShape[layer.outputShape.length - 1];
  const out = new Float32Array(items.length * dim);
  for (let start = 0; start < items.length; start += BATCH) {
    const batch = items.slice(start, start + BATCH);
    const feats = tf.tidy(() => {
      const imgs = batch.map((it) => {
        const { rgb, width, height } = readOnWhite(path.join(IMG_DIR, it.image));
        // same resize as nsfwjs's own preprocessing (bilinear, align corners)
        return tf.image.resizeBilinear(tf.tensor3d(rgb, [height, width, 3]), [SIZE, SIZE], true);
      });
      return extractor.predict(tf.stack(imgs));
    });
    out.set(await feats.data(), start * dim);
    feats.dispose();
    process.stderr.write(`\rfeatures ${Math.min(start + BATCH, items.length)}/${items.length}`);
  }
  process.stderr.write('\n');
  return { data: out, dim, backend: tf.getBackend() };
}

// ---- float16 and .npy -----------------------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** IEEE 754 binary16 of a float32, round to nearest even (finite inputs of moderate size only). */
function toHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}
function fromHalf(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function npyF16(data, rows, dim) {
  let header = `{'descr': '<f2', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from([0x93]).copy(pre, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(rows * dim * 2);
  for (let i = 0; i < rows * dim; i++) body.writeUInt16LE(toHalf(data[i]), 2 * i);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

// ---- sanity: does the embedding carry meaning? ----------------------------------------------------------------

/** Share of items whose cosine nearest neighbour (itself excluded) has the same sub-category, and its chance level. */
function nearestNeighbourAgreement(vecs, rows, dim, labels) {
  const unit = new Float32Array(vecs.length);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (let j = 0; j < dim; j++) n += vecs[i * dim + j] ** 2;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < dim; j++) unit[i * dim + j] = vecs[i * dim + j] / n;
  }
  let same = 0;
  for (let i = 0; i < rows; i++) {
    let best = -Infinity;
    let arg = -1;
    for (let k = 0; k < rows; k++) {
      if (k === i) continue;
      let d = 0;
      for (let j = 0; j < dim; j++) d += unit[i * dim + j] * unit[k * dim + j];
      if (d > best) { best = d; arg = k; }
    }
    if (labels[arg] === labels[i]) same++;
  }
  const counts = new Map();
  for (const l of labels) counts.set(l, (counts.get(l) || 0) + 1);
  let chance = 0;
  for (const c of counts.values()) chance += (c / rows) * ((c - 1) / (rows - 1));
  return { agreement: same / rows, chance, subcategories: counts.size };
}

// ---- main -----------------------------------------------------------------------------------------------------

async function main() {
  const { items, stats } = loadItems();
  const { data, dim, backend } = await features(items);
  const rows = items.length;
  const npy = npyF16(data, rows, dim);
  const stored = new Float32Array(rows * dim);
  for (let i = 0; i < rows * dim; i++) stored[i] = fromHalf(npy.readUInt16LE(npy.length - rows * dim * 2 + 2 * i));
  const nn = nearestNeighbourAgreement(stored, rows, dim, items.map((it) => it.subcategory));

  const versions = {};
  for (const p of PACKAGES) versions[p] = require(path.join(MOD, p, 'package.json')).version;
  const captions = items.flatMap((it) => it.captions);
  const perSplit = { train: 0, val: 0, test: 0 };
  for (const c of captions) perSplit[c.split]++;

  const info = {
    name: 'emoji',
    modality: 'image',
    dim,
    items: rows,
    encoder: `MobileNetV2 bundled by nsfwjs@${versions.nsfwjs} (ImageNet backbone, fine-tuned by nsfwjs): ${dim}-d ` +
      `global-average-pooled features (layer ${FEATURE_LAYER}, before the classifier head) of the 64 px Twemoji PNG ` +
      `composited onto white, resized bilinearly to ${SIZE}x${SIZE} (align corners), pixels / 255; ` +
      `@tensorflow/tfjs@${versions['@tensorflow/tfjs']} ${backend} backend; stored as float16`,
    source: `Twemoji 64 px PNGs from npm emoji-datasource-twitter@${versions['emoji-datasource-twitter']}; ` +
      `texts from emojibase-data@${versions['emojibase-data']} and emojilib@${versions.emojilib}; ` +
      'built by cart/prep/emoji/prepare.js',
    license: 'Twemoji graphics by Twitter, Inc and other contributors (jdecked/twemoji), licensed CC-BY 4.0 ' +
      '(https://creativecommons.org/licenses/by/4.0/), as shipped by emoji-datasource-twitter (MIT, Cal Henderson); ' +
      'emojibase-data MIT (Miles Johnson); emojilib MIT (Mu-An Chiou); features derived from these images. ' +
      'This attribution must accompany copies of the dataset.',
    splits_rule: SPLITS_RULE,
    label_column: 'the emoji character',
    sanity: {
      nn_same_subcategory: Number(nn.agreement.toFixed(4)),
      nn_same_subcategory_chance: Number(nn.chance.toFixed(4)),
      subcategories: nn.subcategories,
      note: 'share of items whose cosine nearest neighbour in items.npy has the same emoji-datasource sub-category',
    },
    packages: versions,
  };

  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'items.npy'), npy);
  fs.writeFileSync(path.join(OUT, 'items.tsv'), items.map((it) => `${it.id}\t\t${it.char}\n`).join(''));
  fs.writeFileSync(path.join(OUT, 'captions.jsonl'), captions.map((c) => JSON.stringify(c) + '\n').join(''));
  fs.writeFileSync(path.join(OUT, 'dataset.json'), JSON.stringify(info, null, 2) + '\n');

  console.log(`items ${rows}, dim ${dim}, captions ${captions.length} ` +
    `(train ${perSplit.train}, val ${perSplit.val}, test ${perSplit.test})`);
  console.log(`items without emojilib keywords ${stats.noEmojilib}; train/val texts dropped as equal to the label ` +
    `${stats.droppedAsLabel}`);
  console.log(`nearest neighbour shares the sub-category: ${(100 * nn.agreement).toFixed(1)}% ` +
    `(chance ${(100 * nn.chance).toFixed(1)}%, ${nn.subcategories} sub-categories)`);
  console.log(`wrote ${OUT}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
