// The Playground's stage: features, the network with each neuron's picture, the output plane
// and the loss, painted on one canvas. It plays the epochs the server sends (one frame each)
// and asks for the next chunk before it runs out; clicks on an edge, a node, a feature or the
// plane go back to Python as trigger values. Nothing is fetched from anywhere.
// (About 400 lines on purpose: layout, painting and hit-testing share one canvas's geometry,
// and ui/playground_stage.py hands the component to Streamlit as this one script.)
const G = (window.__nnpg = window.__nnpg || { stages: {}, redraws: 0, drawMs: 0 });
const FEATURE_LABELS = { x1: "X₁", x2: "X₂", "x1^2": "X₁²", "x2^2": "X₂²", "x1*x2": "X₁X₂",
  sin_x1: "sin(X₁)", sin_x2: "sin(X₂)" };
const POS = [8, 119, 189], NEG = [245, 147, 34];

function dec(s, type) {
  if (!s) return type === "f4" ? new Float32Array(0) : new Uint8Array(0);
  const bin = atob(s), u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return type === "f4" ? new Float32Array(u.buffer) : u;
}
const fmtEpoch = (e) => String(Math.max(0, e | 0)).padStart(6, "0").replace(/^(\d{3})(\d{3})$/, "$1,$2");
const fmtLoss = (v) => (v === null || v === undefined ? "–" : v.toFixed(3));
function signColour(v, alpha) {
  const c = v >= 0 ? POS : NEG;
  return `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

function picture(codes, offset, n, palette, flip, into) {
  // n x n codes (row 0 = lowest x2) -> an offscreen canvas, x2 growing upwards.
  const c = into || document.createElement("canvas");
  if (c.width !== n || c.height !== n) { c.width = n; c.height = n; }
  const ctx = c.getContext("2d"), img = ctx.createImageData(n, n);
  for (let r = 0; r < n; r++) {
    const row = flip ? n - 1 - r : r;
    for (let q = 0; q < n; q++) {
      const code = codes[offset + r * n + q], o = (row * n + q) * 4;
      img.data[o] = palette[3 * code]; img.data[o + 1] = palette[3 * code + 1];
      img.data[o + 2] = palette[3 * code + 2]; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function atlas(codes, count, n, palette, c) {
  // `count` n x n pictures stacked in one canvas: one putImageData for all of a frame's neurons.
  if (c.width !== n || c.height !== n * count) { c.width = n; c.height = n * count; }
  const ctx = c.getContext("2d"), img = ctx.createImageData(n, n * count), px = img.data;
  for (let k = 0; k < count; k++) {
    for (let r = 0; r < n; r++) {
      const row = k * n + (n - 1 - r);  // x2 grows upwards
      for (let q = 0; q < n; q++) {
        const code = codes[(k * n + r) * n + q], o = (row * n + q) * 4;
        px[o] = palette[3 * code]; px[o + 1] = palette[3 * code + 1];
        px[o + 2] = palette[3 * code + 2]; px[o + 3] = 255;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function layout(st) {
  const d = st.d, W = Math.max(300, st.root.clientWidth || 800);
  const wide = W >= 720;
  const feats = d.all_features.length ? d.all_features : d.inputs;
  const rows = Math.max(feats.length, ...d.sizes.slice(1), 1);
  const P = wide ? Math.max(230, Math.min(330, Math.round(W * 0.28))) : Math.min(W - 50, 340);
  const netW = wide ? W - P - 40 : W;
  const pitch = wide ? Math.min(58, (d.height - 50) / rows) : Math.min(48, Math.max(30, 480 / rows));
  const netH = rows * pitch + 40;
  const S = Math.max(12, Math.min(34, pitch * 0.66));
  const n = d.sizes.length, x0 = 70, x1 = netW - S / 2 - 12;
  const xs = d.sizes.map((_, k) => x0 + (k * (x1 - x0)) / Math.max(n - 1, 1));
  const colY = (count) => Array.from({ length: count }, (_, j) => 30 + pitch * (j + 0.5));
  const g = { W, wide, S, pitch, xs, netW, netH, P, nodes: [], edges: [], feats: [] };
  g.feats = feats.map((name, r) => ({ name, x: xs[0], y: colY(feats.length)[r],
    on: d.inputs.includes(name) }));
  const inputY = d.inputs.map((name) => (g.feats.find((f) => f.name === name) || {}).y);
  g.nodes.push(d.inputs.map((name, j) => ({ x: xs[0], y: inputY[j] })));
  for (let k = 1; k < n; k++) {
    const ys = colY(d.sizes[k]);
    g.nodes.push(ys.map((y) => ({ x: xs[k], y })));
  }
  let w = 0;
  for (let l = 0; l < n - 1; l++) {
    for (let i = 0; i < d.sizes[l]; i++) {
      for (let j = 0; j < d.sizes[l + 1]; j++) {
        const a = g.nodes[l][i], b = g.nodes[l + 1][j];
        g.edges.push({ l, i, j, w: w++, ax: a.x + S / 2, ay: a.y, bx: b.x - S / 2, by: b.y });
      }
    }
  }
  g.panel = wide ? { x: W - P - 10, y: 8 } : { x: Math.round((W - P) / 2), y: netH + 10 };
  g.plane = { x: g.panel.x, y: g.panel.y + 70, s: P };
  g.H = wide ? Math.max(netH, g.plane.y + P + 24) : g.plane.y + P + 24;
  return g;
}

function curve(ctx, e) {
  const mx = (e.ax + e.bx) / 2;
  ctx.moveTo(e.ax, e.ay);
  ctx.bezierCurveTo(mx, e.ay, mx, e.by, e.bx, e.by);
}

function bez(e, t) {
  const mx = (e.ax + e.bx) / 2, u = 1 - t;
  return [u * u * u * e.ax + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * e.bx,
    u * u * u * e.ay + 3 * u * u * t * e.ay + 3 * u * t * t * e.by + t * t * t * e.by];
}

function draw(st) {
  const d = st.d, g = st.g, f = st.frames[st.idx];
  if (!g || !f) return;
  const ctx = st.ctx, dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, g.W, g.H);
  ctx.font = "13px sans-serif";
  const W = (f._w = f._w || dec(f.w, "f4")), B = (f._b = f._b || dec(f.b, "f4"));
  const sel = d.selected || {};
  // Edges in buckets of |w| (20 steps of 0.25 up to TF Playground's full width at 5), one
  // path per sign and bucket: a big net's 1,400 edges are 40 strokes, not 1,400.
  const buckets = {};
  for (const e of g.edges) {
    const v = W[e.w];
    if (sel.k === "w" && sel.l === e.l && sel.i === e.i && sel.j === e.j) {
      ctx.beginPath(); curve(ctx, e);
      ctx.strokeStyle = "rgba(255,196,0,0.8)"; ctx.lineWidth = 12; ctx.stroke();
    }
    const k = Number.isFinite(v) ? Math.min(19, Math.floor(Math.abs(v) / 0.25)) : -1;
    const id = (v >= 0 ? "+" : "-") + k;
    (buckets[id] = buckets[id] || []).push(e);
  }
  for (let k = -1; k < 20; k++) {
    for (const sign of ["+", "-"]) {
      const list = buckets[sign + k];
      if (!list) continue;
      const mid = (k + 0.5) * 0.25;
      ctx.beginPath();
      for (const e of list) curve(ctx, e);
      ctx.strokeStyle = k < 0 ? "#ccc" : signColour(sign === "+" ? 1 : -1, 0.25 + 0.75 * Math.min(1, mid));
      ctx.lineWidth = k < 0 ? 1 : 1 + 9 * Math.min(1, mid / 5);  // TF Playground's scale: |w| 0..5
      ctx.stroke();
    }
  }
  const S = g.S, hpal = st.hpal, opal = st.opal;
  // features (inputs)
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const ft of g.feats) {
    ctx.globalAlpha = ft.on ? 1 : 0.3;
    const pic = d.feature_pics[ft.name];
    if (pic) ctx.drawImage(st.cache("f:" + ft.name, () => picture(dec(pic), 0, d.thumb, hpal, true)),
      ft.x - S / 2, ft.y - S / 2, S, S);
    else { ctx.fillStyle = "#fff"; ctx.fillRect(ft.x - S / 2, ft.y - S / 2, S, S); }
    ctx.strokeStyle = "#333"; ctx.lineWidth = 1;
    ctx.strokeRect(ft.x - S / 2, ft.y - S / 2, S, S);
    ctx.fillStyle = "#333";
    ctx.fillText(FEATURE_LABELS[ft.name] || ft.name, ft.x - S / 2 - 6, ft.y);
    ctx.globalAlpha = 1;
  }
  // hidden and output neurons
  const hc = f.h ? (f._h = f._h || dec(f.h)) : null, nc = f.n ? (f._n = f._n || dec(f.n)) : null;
  let k = 0, bi = 0;
  const t = d.thumb, n = d.sizes.length;
  const nHidden = d.sizes.slice(1, -1).reduce((a, b) => a + b, 0);
  const hAtlas = hc && nHidden ? atlas(hc, nHidden, t, hpal, st.slot("hidden")) : null;
  const oAtlas = nc ? atlas(nc, d.sizes[n - 1] > 1 && !d.single_out ? d.sizes[n - 1] : 1, t,
    d.single_out ? opal : hpal, st.slot("out")) : null;
  for (let l = 1; l < n; l++) {
    const out = l === n - 1;
    g.nodes[l].forEach((node, j) => {
      const x = node.x - S / 2, y = node.y - S / 2;
      if (!out && hAtlas) ctx.drawImage(hAtlas, 0, k * t, t, t, x, y, S, S);
      else if (out && oAtlas) ctx.drawImage(oAtlas, 0, (d.single_out ? 0 : j) * t, t, t, x, y, S, S);
      else { ctx.fillStyle = "#fff"; ctx.fillRect(x, y, S, S); }
      const chosen = sel.k === "b" && sel.l === l - 1 && sel.j === j;
      ctx.lineWidth = chosen ? 4 : 1; ctx.strokeStyle = chosen ? "rgba(255,176,0,1)" : "#222";
      ctx.strokeRect(x, y, S, S);
      if (d.use_bias) {  // the bias: a small square at the node's lower left, coloured by sign
        const b = B[bi], q = Math.max(5, S / 4);
        ctx.fillStyle = signColour(b, 0.3 + 0.7 * Math.min(1, Math.abs(b)));
        ctx.fillRect(x - q - 2, y + S - q, q, q);
      }
      if (!out) k++;
      bi++;
    });
  }
  drawPanel(st, f);
  G.redraws++;
  for (const el of document.querySelectorAll(".pg-epoch-value")) el.textContent = fmtEpoch(f.e);
}

function drawPanel(st, f) {
  const d = st.d, g = st.g, ctx = st.ctx, p = g.plane;
  ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
  ctx.fillStyle = "#222"; ctx.font = "14px sans-serif";
  ctx.fillText(`Test loss ${fmtLoss(f.ls)}`, g.panel.x, g.panel.y + 18);
  ctx.fillStyle = "#666";
  ctx.fillText(`Training loss ${fmtLoss(f.lt)}`, g.panel.x, g.panel.y + 40);
  // the loss curve so far: train dark, test grey
  const cx = g.panel.x + 150, cw = g.P - 150, cy = g.panel.y + 4, ch = 52;
  // the curve spans its own range, so a slow start still shows it going down
  const c = st.curve, all = c.lt.concat(c.ls).filter(Number.isFinite);
  const top = Math.max(...all, 1e-9), bottom = Math.min(...all, top), span = Math.max(top - bottom, 1e-9);
  const last = c.e.length ? c.e[c.e.length - 1] || 1 : 1;
  ctx.strokeStyle = "#ddd"; ctx.lineWidth = 1; ctx.strokeRect(cx, cy, cw, ch);
  for (const [ys, colour] of [[c.ls, "#999"], [c.lt, "#222"]]) {
    ctx.beginPath(); ctx.strokeStyle = colour; ctx.lineWidth = 1.5;
    ys.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const x = cx + (c.e[i] / last) * cw, y = cy + ch - ((v - bottom) / span) * ch;
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  }
  if (!d.has_plane) {
    ctx.fillStyle = "#666"; ctx.font = "13px sans-serif";
    ctx.fillText("These inputs are not a 2-D plane:", p.x, p.y + 20);
    ctx.fillText("no picture of the output.", p.x, p.y + 38);
    return;
  }
  let codes = f._o || (f._o = dec(f.o));
  if (d.discretize) codes = codes.map((v) => (d.single_out ? (v < 127 ? 0 : 254) : v - (v % d.shades) + d.shades - 1));
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(picture(codes, 0, d.grid, st.opal, true, st.slot("plane")), p.x, p.y, p.s, p.s);
  ctx.strokeStyle = "#bbb"; ctx.lineWidth = 1; ctx.strokeRect(p.x, p.y, p.s, p.s);
  const [lo, hi] = d.domain, toX = (v) => p.x + ((v - lo) / (hi - lo)) * p.s;
  const toY = (v) => p.y + p.s - ((v - lo) / (hi - lo)) * p.s;
  for (const [side, ring] of [["train", "#fff"], ["test", "#111"]]) {
    if (side === "test" && !d.show_test) continue;
    const pts = st.pts[side];
    for (let i = 0; i < pts.x.length; i++) {
      ctx.beginPath(); ctx.arc(toX(pts.x[i]), toY(pts.y[i]), 3.4, 0, 6.283);
      const q = pts.c[i];
      ctx.fillStyle = `rgb(${st.lpal[3 * q]},${st.lpal[3 * q + 1]},${st.lpal[3 * q + 2]})`;
      ctx.fill(); ctx.strokeStyle = ring; ctx.lineWidth = 1; ctx.stroke();
    }
  }
  ctx.fillStyle = "#555"; ctx.font = "11px sans-serif"; ctx.textAlign = "center";
  for (let v = Math.ceil(lo); v <= hi; v += Math.max(1, Math.round((hi - lo) / 6))) {
    ctx.fillText(String(v), toX(v), p.y + p.s + 13);
  }
}

function hit(st, mx, my) {
  const d = st.d, g = st.g, f = st.frames[st.idx];
  if (!g || !f) return null;
  const S = g.S, p = g.plane;
  if (d.has_plane && mx >= p.x && mx <= p.x + p.s && my >= p.y && my <= p.y + p.s) {
    const [lo, hi] = d.domain;
    return { k: "plane", x: lo + ((mx - p.x) / p.s) * (hi - lo), y: lo + ((p.y + p.s - my) / p.s) * (hi - lo) };
  }
  for (const ft of g.feats) {
    if (d.all_features.length && Math.abs(mx - ft.x) <= S / 2 && Math.abs(my - ft.y) <= S / 2) return { k: "f", name: ft.name };
  }
  for (let l = 1; l < g.nodes.length; l++) {
    for (let j = 0; j < g.nodes[l].length; j++) {
      const node = g.nodes[l][j], q = Math.max(5, S / 4);
      if (mx >= node.x - S / 2 - q - 3 && mx <= node.x + S / 2 && Math.abs(my - node.y) <= S / 2) return { k: "b", l: l - 1, j };
    }
  }
  let best = null, bestD = 7;
  const W = f._w || dec(f.w, "f4");
  for (const e of g.edges) {
    if (mx < Math.min(e.ax, e.bx) - 8 || mx > Math.max(e.ax, e.bx) + 8) continue;
    for (let t = 0; t <= 1; t += 0.04) {
      const [x, y] = bez(e, t), dd = Math.hypot(x - mx, y - my);
      if (dd < bestD) { bestD = dd; best = e; }
    }
  }
  return best ? { k: "w", l: best.l, i: best.i, j: best.j, v: W[best.w] } : null;
}

function describe(st, h) {
  const f = st.frames[st.idx];
  if (h.k === "plane") return st.d.edit_hint;
  if (h.k === "f") return `${FEATURE_LABELS[h.name] || h.name}: click to ${st.d.inputs.includes(h.name) ? "switch off" : "switch on"}`;
  if (h.k === "w") return `weight W${h.l + 1}[${h.i + 1},${h.j + 1}] = ${h.v.toPrecision(4)} · click to edit`;
  let bi = 0;
  for (let l = 0; l < h.l; l++) bi += st.d.sizes[l + 1];
  const B = f._b || dec(f.b, "f4");
  return `neuron ${h.l + 1 === st.d.sizes.length - 1 ? "o" : "h" + (h.l + 1) + "."}${h.j + 1}: bias ${B[bi + h.j].toPrecision(4)} · click to edit`;
}

function accept(st, d) {
  const old = st.d;
  st.d = d;
  if (!old || old.palettes !== d.palettes) {
    st.hpal = dec(d.palettes.hidden); st.opal = dec(d.palettes.output);
    st.lpal = st.opal;
  }
  st.pts = { train: { x: dec(d.points.train.x, "f4"), y: dec(d.points.train.y, "f4"), c: dec(d.points.train.c) },
    test: { x: dec(d.points.test.x, "f4"), y: dec(d.points.test.y, "f4"), c: dec(d.points.test.c) } };
  if (!d.playing) {
    Object.assign(st, { frames: d.frames.slice(), playing: false, pausing: false, requested: null });
    st.idx = st.frames.length - 1;
    st.curve = { e: d.curve.e.slice(), lt: d.curve.lt.slice(), ls: d.curve.ls.slice() };
  } else if (st.pausing) {
    // a chunk that was on its way when Pause was pressed: keep showing the paused epoch
  } else if (!st.playing || st.sig !== d.sig) {
    Object.assign(st, { frames: d.frames.slice(), idx: 0, playing: true, requested: null, last: performance.now() });
    st.curve = { e: d.curve.e.slice(), lt: d.curve.lt.slice(), ls: d.curve.ls.slice() };
    pushCurve(st);
  } else {
    const lastE = st.frames.length ? st.frames[st.frames.length - 1].e : -1;
    for (const f of d.frames) if (f.e > lastE) st.frames.push(f);
  }
  st.ended = !!d.ended; st.fps = d.fps || 40; st.sig = d.sig;
  st.g = null; st.dirty = true;
}

function pushCurve(st) {
  const f = st.frames[st.idx], c = st.curve;
  if (!f || (c.e.length && c.e[c.e.length - 1] >= f.e)) return;
  c.e.push(f.e); c.lt.push(f.lt); c.ls.push(f.ls);
}

function tick(st, now) {
  st.raf = requestAnimationFrame((t) => tick(st, t));
  if (!st.root.isConnected) return;
  if (st.playing && st.frames.length) {
    const interval = 1000 / st.fps;
    if (now - st.last >= interval - 1 && st.idx < st.frames.length - 1) {
      st.idx++;
      st.last = now - st.last > 3 * interval ? now : st.last + interval;
      pushCurve(st);
      st.dirty = true;
      if (st.idx > 2) { st.frames.splice(0, st.idx - 1); st.idx = 1; }
    }
    const lastE = st.frames[st.frames.length - 1].e;
    if (!st.ended && st.frames.length - 1 - st.idx < st.fps * 1.6 && st.requested !== lastE) {
      st.requested = lastE;
      // `shown`: the epoch on screen now, where the server stops if the page is left in a
      // way this stage cannot see (the browser's Back button).
      st.trigger("need", { epoch: lastE, shown: st.frames[st.idx].e });
    }
  }
  if (!st.g) {
    st.g = layout(st);
    const dpr = window.devicePixelRatio || 1;
    st.canvas.width = Math.round(st.g.W * dpr); st.canvas.height = Math.round(st.g.H * dpr);
    st.canvas.style.width = st.g.W + "px"; st.canvas.style.height = st.g.H + "px";
    st.dirty = true;
  }
  if (st.dirty) {
    st.dirty = false;
    const t0 = performance.now();
    draw(st);
    G.drawMs += performance.now() - t0;  // the bench reports the time a redraw takes
  }
}

// What the stage stops for before the click goes on: the page's Pause and Step buttons, and
// links to other pages (the sidebar's, the "Presets, pages" menu's).
const NAV_LINKS = 'a[data-testid="stSidebarNavLink"], a[data-testid="stPageLink-NavLink"], ' +
  'a[data-testid="stTopNavLink"]';

function onPauseClick(ev) {
  // While the stage plays, the server's network runs up to a chunk ahead of the screen: Pause,
  // Step and leaving the page are sent from here with the epoch on screen, so the server stops
  // at exactly that epoch (then steps one, or opens the other page).
  const t = ev.target && ev.target.closest ? ev.target : null;
  if (!t) return;
  const pauseBtn = t.closest(".st-key-pg_play button"), stepBtn = t.closest(".st-key-pg_step button");
  const link = pauseBtn || stepBtn ? null : t.closest(NAV_LINKS);
  if (!pauseBtn && !stepBtn && !link) return;
  for (const st of Object.values(G.stages)) {
    if (st.playing && st.root && st.root.isConnected) {
      ev.stopPropagation(); ev.preventDefault();
      st.playing = false; st.pausing = true;
      const f = st.frames[st.idx], msg = { epoch: f ? f.e : null };
      if (stepBtn) msg.then = "step";
      if (link) msg.go = new URL(link.href, window.location.href).pathname;
      G.lastPause = { epoch: msg.epoch, w: f ? f.w : null };  // what was on screen (tests read it)
      st.trigger("pause", msg);
      return;
    }
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue, key } = component;
  if (!G.pauseHook) { window.addEventListener("click", onPauseClick, true); G.pauseHook = true; }
  const st = (G.stages[key] = G.stages[key] || { frames: [], idx: 0, curve: { e: [], lt: [], ls: [] }, cache: null });
  st.trigger = setTriggerValue;
  let root = parentElement.querySelector(".nnpg");
  if (!root) {
    root = document.createElement("div");
    root.className = "nnpg";
    root.innerHTML = '<canvas></canvas><div class="nnpg-tip"></div>';
    parentElement.appendChild(root);
    const canvas = root.querySelector("canvas"), tip = root.querySelector(".nnpg-tip");
    const at = (ev) => { const r = canvas.getBoundingClientRect(); return [ev.clientX - r.left, ev.clientY - r.top]; };
    canvas.addEventListener("mousemove", (ev) => {
      const [x, y] = at(ev), h = hit(st, x, y);
      canvas.style.cursor = h ? (h.k === "plane" ? "crosshair" : "pointer") : "default";
      tip.style.display = h ? "block" : "none";
      if (h) { tip.textContent = describe(st, h); tip.style.left = x + 14 + "px"; tip.style.top = y + 10 + "px"; }
    });
    canvas.addEventListener("mouseleave", () => { tip.style.display = "none"; });
    canvas.addEventListener("click", (ev) => {
      const [x, y] = at(ev), h = hit(st, x, y);
      if (!h) return;
      if (h.k === "plane") st.trigger("plane", { x: h.x, y: h.y });
      else if (h.k === "f") st.trigger("feature", h.name);
      else st.trigger("select", h.k === "w" ? { k: "w", l: h.l, i: h.i, j: h.j } : { k: "b", l: h.l, j: h.j });
    });
    new ResizeObserver(() => { st.g = null; }).observe(root);
  }
  const pics = {};
  st.cache = (name, make) => (pics[name] = pics[name] || make());
  st.pool = st.pool || {};
  st.slot = (name) => (st.pool[name] = st.pool[name] || document.createElement("canvas"));
  st.root = root; st.canvas = root.querySelector("canvas"); st.ctx = st.canvas.getContext("2d");
  accept(st, data);
  cancelAnimationFrame(st.raf);
  st.raf = requestAnimationFrame((t) => tick(st, t));
  return () => cancelAnimationFrame(st.raf);
}
