// The page of the browser-digit example: a drawing pad, the private
// prediction of the drawing by the two servers, and its probabilities.
// The drawing (280 x 280) becomes a 28 x 28 image of grey levels in [0, 1]
// (the mean of each 10 x 10 block), the input of models/mnist-mlp.
import * as tf from '@tensorflow/tfjs';
import * as tfe from '/tfjs-encrypted.js';

const pad = document.getElementById('pad');
const ctx = pad.getContext('2d');
const predictButton = document.getElementById('predict');
const clearButton = document.getElementById('clear');
const answer = document.getElementById('answer');
const chart = document.getElementById('chart');
const status = document.getElementById('status');

const SCALE = pad.width / 28;

function clear() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  answer.textContent = '';
  for (const li of chart.children) {
    li.classList.remove('top');
    li.querySelector('.bar').style.width = '0';
    li.querySelector('.pct').textContent = '';
    li.dataset.probability = '';
  }
}

for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.id = `bar-${d}`;
  li.innerHTML = `<span>${d}</span><div class="track"><div class="bar"></div></div><span class="pct"></span>`;
  chart.append(li);
}
clear();

// Drawing: white round strokes, about two MNIST pixels wide.
ctx.lineCap = 'round';
ctx.lineJoin = 'round';
let last;
pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = [e.offsetX, e.offsetY];
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (last === undefined) return;
  const next = [e.offsetX, e.offsetY];
  stroke(last, next);
  last = next;
});
for (const ev of ['pointerup', 'pointercancel']) pad.addEventListener(ev, () => (last = undefined));

function stroke(from, to) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 2 * SCALE;
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(to[0], to[1]);
  ctx.stroke();
}

/** The drawing as 784 grey levels in [0, 1]. */
function pixels() {
  const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
  const out = new Float32Array(28 * 28);
  for (let y = 0; y < pad.height; y++) {
    for (let x = 0; x < pad.width; x++) out[Math.floor(y / SCALE) * 28 + Math.floor(x / SCALE)] += data[4 * (y * pad.width + x)] / 255;
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i] / (SCALE * SCALE));
  return out;
}

function show(probabilities) {
  const best = probabilities.indexOf(Math.max(...probabilities));
  answer.textContent = String(best);
  probabilities.forEach((p, d) => {
    const li = document.getElementById(`bar-${d}`);
    li.classList.toggle('top', d === best);
    li.querySelector('.bar').style.width = `${(100 * p).toFixed(1)}%`;
    li.querySelector('.pct').textContent = `${(100 * p).toFixed(1)}%`;
    li.dataset.probability = String(p);
  });
  return best;
}

let client;
let runs = 0;

async function predict() {
  predictButton.disabled = true;
  status.textContent = 'computing privately…';
  const input = pixels();
  const started = performance.now();
  try {
    const logits = await client.predict(tf.tensor(input, [1, 784]));
    const z = Array.from(await logits.data());
    logits.dispose();
    // Softmax of the logits, here in the page: the servers never see them.
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    const probabilities = e.map((v) => v / sum);
    const prediction = show(probabilities);
    const ms = performance.now() - started;
    status.textContent = `answered in ${ms.toFixed(0)} ms by ${client.model().name}, privately`;
    runs += 1;
    window.tfeDigit = { runs, input: Array.from(input), logits: z, probabilities, prediction, ms };
  } catch (e) {
    status.textContent = `${e.name}: ${e.message}`;
    runs += 1;
    window.tfeDigit = { runs, error: `${e.name}: ${e.message}` };
  } finally {
    predictButton.disabled = false;
  }
}

predictButton.addEventListener('click', predict);
clearButton.addEventListener('click', clear);

try {
  const config = await (await fetch('/config.json')).json();
  client = await tfe.serving.connect(config);
  const model = await client.ready(60_000);
  status.textContent = `connected to both servers, serving ${model.name}: draw a digit and press Predict`;
  predictButton.disabled = false;
  window.tfeDigitReady = true;
} catch (e) {
  status.textContent = `cannot use the service: ${e.name}: ${e.message}`;
  window.tfeDigitReady = false;
}
