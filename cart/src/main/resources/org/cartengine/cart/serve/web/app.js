// The search page: queries GET /api/search and shows each result as a card. Everything from the server is
// put into the page as text (textContent), never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// A short label without media (the emoji data set's label is the emoji itself) is shown large as the picture.
function isGlyph(label) {
  return label && [...label].length <= 4;
}

// What the score is (the server says: the identifier's log-probability, or the re-rank's blend).
function card(r, scoreName) {
  const li = el('li', 'card');
  li.dataset.rank = r.rank;
  li.dataset.id = r.id;
  li.appendChild(el('span', 'rank', '#' + r.rank));
  const pic = el('div', 'picture');
  if (r.picture) {
    const img = el('img');
    img.src = r.picture;
    img.alt = r.label || r.id;
    img.loading = 'lazy';
    img.onerror = () => { pic.hidden = true; }; // an unreachable URL shows no broken image
    pic.appendChild(img);
  } else if (isGlyph(r.label)) {
    pic.appendChild(el('span', 'glyph', r.label));
  } else {
    pic.hidden = true;
  }
  li.appendChild(pic);
  // A glyph label beside its own picture says nothing more (and is a box without a colour emoji font).
  if (!(r.picture && isGlyph(r.label))) li.appendChild(el('span', 'label', r.label || r.id));
  li.appendChild(el('span', 'id', r.id));
  const toks = el('div', 'tokens');
  for (const [name, value] of Object.entries(r.identifier)) toks.appendChild(el('span', 'token', name + ' ' + value));
  li.appendChild(toks);
  const name = scoreName || 'score';
  const score = el('span', 'score', name.split(':')[0] + ' ' + r.score.toFixed(3));
  score.title = name;
  li.appendChild(score);
  return li;
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const q = $('q').value.trim();
  if (!q) return;
  const k = $('k').value;
  $('error').hidden = true;
  $('status').textContent = 'searching…';
  const t0 = performance.now();
  try {
    const res = await fetch('/api/search?q=' + encodeURIComponent(q) + (k ? '&k=' + encodeURIComponent(k) : ''));
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || res.statusText);
    const list = $('results');
    list.replaceChildren(...body.results.map((r) => card(r, body.score)));
    const ms = performance.now() - t0;
    $('status').textContent = body.results.length + ' results for “' + body.query + '” in ' + ms.toFixed(0) + ' ms';
    $('results').dataset.query = body.query;
    history.replaceState(null, '', '?q=' + encodeURIComponent(q));
  } catch (e) {
    $('status').textContent = '';
    $('error').textContent = 'Search failed: ' + e.message;
    $('error').hidden = false;
  }
}

async function refreshStats() {
  try {
    const res = await fetch('/api/stats');
    if (!res.ok) return;
    const s = await res.json();
    const q = s.queries;
    $('qps').textContent = 'queries/s: ' + q.queries_per_second.toFixed(1);
    $('latency').textContent = 'latency p50/p99: ' + q.latency_ms.p50.toFixed(1) + ' / ' + q.latency_ms.p99.toFixed(1) + ' ms';
    $('served').textContent = 'served: ' + q.served;
    if (!$('dataset').textContent) {
      const names = s.identifiers.names;
      $('how').textContent = 'Generative retrieval: the model writes each result\'s identifier (' + names.join(', ') + ') token by token, constrained by the prefix trie' +
          (names.length === 1 ? ' (one token per item: atomic ids, not the paper\'s semantic ones).' : '.');
      $('dataset').textContent = s.model.method + ' on ' + s.dataset.name + ': ' + s.dataset.items + ' items (' + s.dataset.modality + '), identifier ' +
          names.join(', ') + ', beam ' + s.model.beam + ', backend ' + s.model.backend + '; score: ' + s.model.score;
      const sel = $('k');
      for (let k = 1; k <= s.model.beam; k++) {
        const o = el('option', null, String(k));
        o.value = k;
        if (k === Math.min(10, s.model.beam)) o.selected = true;
        sel.appendChild(o);
      }
    }
  } catch (e) {
    // the stats line is informative only; the next refresh tries again
  }
}

$('search').addEventListener('submit', search);
refreshStats().then(() => {
  const q = new URLSearchParams(location.search).get('q');
  if (q) { $('q').value = q; search(); }
});
setInterval(refreshStats, 2000);
