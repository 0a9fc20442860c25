// The Playground's dataset picker: each dataset as a small picture of its points; a click
// picks it (a trigger value back to Python). Nothing is fetched from anywhere.
const COLOURS = [[245, 147, 34], [8, 119, 189], [44, 160, 44]];

function dec(s, f4) {
  const bin = atob(s), u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return f4 ? new Float32Array(u.buffer) : u;
}

function paint(canvas, set, size) {
  const dpr = window.devicePixelRatio || 1, ctx = canvas.getContext("2d");
  canvas.width = canvas.height = size * dpr;
  canvas.style.width = canvas.style.height = size + "px";
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#f7f7f7"; ctx.fillRect(0, 0, size, size);
  const x = dec(set.x, true), y = dec(set.y, true), c = dec(set.c);
  for (let i = 0; i < x.length; i++) {
    let rgb;
    if (set.k === "c") rgb = COLOURS[c[i] % COLOURS.length];
    else {
      const t = (c[i] - 127) / 127, a = t >= 0 ? COLOURS[1] : COLOURS[0];
      rgb = a.map((v) => Math.round(232 + Math.abs(t) * (v - 232)));
    }
    ctx.fillStyle = `rgb(${rgb})`;
    ctx.beginPath();
    ctx.arc(((x[i] + 6) / 12) * size, size - ((y[i] + 6) / 12) * size, 1.6, 0, 6.283);
    ctx.fill();
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".nnpg-sets");
  if (!root) {
    root = document.createElement("div");
    root.className = "nnpg-sets";
    parentElement.appendChild(root);
  }
  root.innerHTML = "";
  for (const [name, set] of Object.entries(data.sets)) {
    const b = document.createElement("button");
    b.className = "nnpg-set" + (name === data.current ? " chosen" : "");
    b.title = data.labels[name];
    b.setAttribute("aria-label", data.labels[name]);
    b.dataset.name = name;
    const c = document.createElement("canvas");
    paint(c, set, data.size);
    b.appendChild(c);
    b.addEventListener("click", () => setTriggerValue("pick", name));
    root.appendChild(b);
  }
}
