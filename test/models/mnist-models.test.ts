import test from 'ava';
import { loadTfjsModelFromFile } from '../../src/models/io.js';
import { useWasmBackend } from '../../models/backend.js';
import { type InputLayout, accuracy, loadMnist } from '../../models/data.js';

// The wasm backend runs the CNN on 1,000 digits in about a second, the cpu
// backend in 10 to 20; the training scripts measure on cpu, and both backends
// classify the same digits correctly (same counts as models/README.md).
test.before(async () => {
  await useWasmBackend();
});

interface Expected {
  name: string;
  layout: InputLayout;
  layers: string[];
  params: number;
  /** A little below the held-out accuracy measured after training (models/README.md). */
  minAccuracy: number;
}

const MODELS: Expected[] = [
  { name: 'mnist-mlp', layout: 'flat', layers: ['Dense', 'Dense', 'Dense'], params: 118_282, minAccuracy: 0.96 },
  {
    name: 'mnist-cnn',
    layout: 'image',
    layers: ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense'],
    params: 431_080,
    minAccuracy: 0.985,
  },
  { name: 'mnist-sigmoid', layout: 'flat', layers: ['Dense', 'Dense'], params: 50_890, minAccuracy: 0.95 },
  {
    name: 'mnist-mobilenet',
    layout: 'image',
    layers: ['InputLayer', 'Conv2D', 'BatchNormalization', 'ReLU', 'SeparableConv2D', 'BatchNormalization', 'ReLU', 'Add', 'SeparableConv2D', 'BatchNormalization', 'ReLU', 'GlobalAveragePooling2D', 'Dense'],
    params: 1_786,
    minAccuracy: 0.84,
  },
];

for (const m of MODELS) {
  test(`${m.name} loads from models/ and classifies the 1,000 held-out digits with at least ${100 * m.minAccuracy}% accuracy`, async (t) => {
    const model = await loadTfjsModelFromFile(`models/${m.name}`);
    t.deepEqual(model.layers.map((l) => l.getClassName()), m.layers);
    t.is(model.countParams(), m.params);
    t.deepEqual(model.outputs[0].shape, [null, 10]);
    // logits: the last layer has no activation (the secure side takes the argmax)
    t.is((model.layers[model.layers.length - 1].getConfig() as { activation?: string }).activation, 'linear');
    const acc = accuracy(model, loadMnist().test, m.layout);
    t.log(`${m.name}: held-out accuracy ${(100 * acc).toFixed(1)}%`);
    t.true(acc >= m.minAccuracy, `${m.name}: ${acc} < ${m.minAccuracy}`);
  });
}
