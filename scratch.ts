import * as tf from '@tensorflow/tfjs';
import { initBackend } from './src/engine/backend/select';
import { loadFashionMnistNode } from './src/engine/data/node-files';
import { TrainingSession } from './src/engine/train/session';
tf.env().set('PROD', true);
await initBackend('wasm');
const ds = await loadFashionMnistNode();
const s = new TrainingSession(ds, { model: 'cnn-small', steps: 300, labeled: 1000, method: (process.argv[2] ?? 'lsq') as 'lsq', warmupSteps: 0, lr: Number(process.argv[3]), evalEvery: 0, optimizer: { name: (process.argv[4] ?? 'sgd') as 'sgd' } });
const out: string[] = [];
for (let i = 0; i < 25; i++) { const m = await s.trainStep(); out.push(m.loss.toFixed(2)); }
console.log(out.join(' '));
